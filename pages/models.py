"""Saved models: every trained model on this server; rename, download, delete, upload."""

import re

import streamlit as st

from explorer import limits, registry
from explorer.train import charts
from explorer.ui import navigation, relabel, url_state

st.title("💾 Saved models")
st.write(
    "Every model trained on this server is kept here (weights as safetensors, description as "
    "JSON). Download one as a single file to take it to another computer, and upload it there."
)


def _upload() -> None:
    up = st.file_uploader("Upload a model (.safetensors downloaded from this page)", type=["safetensors"],
                          key="models_upload")
    st.caption(limits.model_caption())
    if up is None or st.session_state.get("models_uploaded") == up.file_id:
        return
    st.session_state["models_uploaded"] = up.file_id  # import each file once, not on every rerun
    try:
        saved = registry.import_bytes(up.getvalue())
    except registry.RegistryError as exc:
        st.error(f"This file was not accepted: {exc}")
        return
    st.session_state["models_pick"] = saved.id  # show the new model (the select box comes later)
    st.success(f"Imported **{saved.name}**.")


with st.expander("⬆️ Upload a model"):
    _upload()

saved = registry.list_models()
if not saved:
    st.info("No saved models yet. Train one first; it appears here when training ends.")
    navigation.link("pages/train.py")
    st.stop()

st.dataframe([{
    "Name": m.name, "Architecture": m.meta.get("title", m.meta.get("architecture")),
    "Dataset": m.meta.get("dataset"), "Test accuracy": f"{m.meta.get('test_accuracy', 0):.1%}",
    "Parameters": f"{m.meta.get('params', 0):,}", "Epochs": m.meta.get("epochs"),
    "Created": str(m.meta.get("created", ""))[:16].replace("T", " "),
} for m in saved], hide_index=True, width="stretch")

ids = [m.id for m in saved]
by_id = {m.id: m for m in saved}
shared = url_state.incoming("model")  # a link names a model by its id
if shared in ids:
    st.session_state["models_pick"] = shared
elif shared is not None:
    st.caption("The model named in the link is not on this server.")
if st.session_state.get("models_pick") not in ids:  # deleted meanwhile, here or elsewhere
    st.session_state.pop("models_pick", None)
pick = relabel.select("Model", ids, {i: f"{by_id[i].name} · {by_id[i].meta.get('test_accuracy', 0):.1%} · {i}"
                                     for i in ids}, "models_pick")
url_state.publish("model", pick)
model = by_id[pick]
meta = model.meta

cols = st.columns(4)
cols[0].metric("Test accuracy", f"{meta.get('test_accuracy', 0):.1%}")
cols[1].metric("Parameters", f"{meta.get('params', 0):,}")
cols[2].metric("Training time", f"{meta.get('train_seconds', 0):.1f} s")
cols[3].metric("Input", "x".join(map(str, meta.get("input_size", []))))
split = meta.get("split") or {}
split_text = (f"{split['test_size']:.0%} of the images kept for testing (random state {split['random_state']})"
              if {"test_size", "random_state"} <= set(split) else "unknown")
st.caption(f"Dataset **{meta.get('dataset')}**, classes {', '.join(meta.get('classes', []))}; split: "
           f"{split_text}; id `{model.id}`" + (" · imported" if meta.get("imported") else ""))
history = meta.get("history") or []
if history:
    c1, c2 = st.columns(2)
    c1.altair_chart(charts.curves(history, "loss"), width="stretch")
    c2.altair_chart(charts.curves(history, "accuracy"), width="stretch")

left, middle, right = st.columns(3)
with left:
    with st.form("models_rename_form", border=True):
        new_name = st.text_input("New name", meta.get("name", ""), max_chars=80, key=f"models_name_{pick}")
        if st.form_submit_button("✏️ Rename"):
            try:
                registry.rename(pick, new_name)
                st.rerun()
            except registry.RegistryError as exc:
                st.warning(str(exc))
with middle:
    try:
        data = registry.export_bytes(pick)
        fname = (re.sub(r"[^A-Za-z0-9_-]+", "-", meta.get("name", "model")).strip("-") or "model") + ".safetensors"
        st.download_button("⬇️ Download", data, file_name=fname, mime="application/octet-stream",
                           key="models_download",
                           help="One .safetensors file: the weights, with the description in its header.")
    except registry.RegistryError as exc:
        st.warning(str(exc))
with right:
    sure = st.checkbox("Yes, delete this model", key=f"models_confirm_{pick}")
    if st.button("🗑️ Delete", disabled=not sure, key="models_delete"):
        try:
            registry.delete(pick)
        except registry.RegistryError as exc:
            st.warning(str(exc))
        st.rerun()
