"""Saved models: every trained model on this server; rename, download, delete, upload."""

import streamlit as st

from explorer.saved import registry
from explorer.ui import cached, model_manager, navigation, streamlit_fixes

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("💾 Saved models")
st.write(
    "Every model trained on this server is kept here (weights as safetensors, description as "
    "JSON). Download one as a single file to take it to another computer, and upload it there."
)

who = cached.who()
with st.expander("⬆️ Upload a model"):
    model_manager.upload()
model_manager.teacher()
model_manager.undo_and_trash(who)
model_manager.unreadable(who)

saved = registry.list_models()
if not saved:
    st.info("No saved models yet. Train one first; it appears here when training ends.")
    navigation.link("pages/train.py")
    st.stop()

model_manager.listing(saved)
model = model_manager.pick(saved)
model_manager.card(model)
model_manager.actions(model, who)
