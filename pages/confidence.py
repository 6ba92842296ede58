"""Does it know when it doesn't know? Calibration on the test split, and an out-of-distribution
score with a threshold set on the test split, for a test picture, a photo or the webcam."""

import streamlit as st

from explorer.inspect import ood, trust_charts
from explorer.ui import (
    confidence_views,
    first_screen,
    input_picker,
    model_picker,
    ood_note,
    streamlit_fixes,
    trust_cache,
    url_state,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🤔 Does it know when it doesn't know?")
st.write(
    "A network always answers: show it a temple and it still names a digit, often with a high "
    "probability. Two checks tell how far to trust that probability: **calibration** (are its "
    "80%-sure answers right 80% of the time?) and an **out-of-distribution score** (does this "
    "picture look like the pictures it was trained on at all?)."
)

picked = model_picker.model_picker("confidence")
if picked is None:
    st.stop()

st.subheader("Calibration on the test split")
confidence_views.calibration(picked)
first_screen.drawn()

st.subheader("Does this picture look like the training pictures?")
kind = confidence_views.score_kind()
with st.spinner("Measuring the features of the training and test pictures…"):  # seconds, once per model
    limit = trust_cache.ood_threshold(picked.id, kind)
if limit is None:
    st.info("The threshold is set on the model's test pictures, which are not on this machine.")
    st.stop()
st.write(f"The threshold is the score that {limit.keep:.0%} of the test pictures reach: a picture below it is "
         f"flagged. The price: {1 - limit.keep:.0%} of real test pictures are flagged too.")

inp, _, _ = input_picker.input_beside("confidence", picked, lambda i, _: ood_note.note(picked, i, kind))
value = trust_cache.ood_value(picked.id, inp.key, inp.array, kind)
st.altair_chart(url_state.readable(trust_charts.score_histogram(limit.test_scores, limit.value, ood.SCORES[kind],
                                             {"this picture": value})), width="stretch")
st.caption("Blue: the test pictures' scores; red: the threshold; dashed: the picture above.")

confidence_views.own_photos(picked, kind, limit)
