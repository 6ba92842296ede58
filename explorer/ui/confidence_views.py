"""The Confidence page's pieces: calibration on the test split, the choice of
out-of-distribution score, and the app's own photos (no hand signs) scored against the threshold."""

import numpy as np
import pandas as pd
import streamlit as st

from explorer.data import samples
from explorer.inspect import ood, pixel_model, trust_charts
from explorer.inspect.calibration import summary as calibration_summary
from explorer.percent import percent
from explorer.ui import input_picker, ood_note, tables, trust_cache, url_state
from explorer.ui.model_picker import Picked

SCORE_NAMES = {"mahalanobis": "Feature distance (Mahalanobis)", "msp": "Top-class probability",
               "energy": "Energy (logsumexp of the logits)"}


def calibration(picked: Picked) -> None:
    """The reliability diagram, the expected calibration error and how to read them."""
    rel = trust_cache.reliability(picked.id)
    if rel is None:
        st.info("The model's test pictures are not on this machine, so calibration cannot be measured here.")
    else:
        left, right = st.columns([3, 2])
        left.altair_chart(url_state.readable(trust_charts.reliability(rel.confidence, rel.accuracy, rel.counts, rel.edges)), width="stretch")
        with right:
            c1, c2 = st.columns(2)
            c1.metric("Expected calibration error", f"{rel.ece:.1%}")
            c2.metric("Mean confidence", f"{rel.mean_confidence:.1%}", f"{rel.mean_confidence - rel.overall_accuracy:+.1%} vs accuracy",
                      delta_color="off")
            st.caption(f"Accuracy on the test split: {rel.overall_accuracy:.1%} over {int(rel.counts.sum())} pictures.")
            st.markdown(
                "Each bar gathers the test pictures whose top probability falls in its range; its height is "
                "the share the model got right. On the dashed diagonal the probability means what it says; "
                "the red line across a bar marks its pictures' mean confidence. The **expected calibration "
                "error** is the average gap, weighted by the pictures in each bin.")
            st.caption(calibration_summary(rel, picked.card.label_smoothing))


def score_kind() -> str:
    """Which out-of-distribution score, with one line on what it measures."""
    kind = st.segmented_control("Score", list(SCORE_NAMES), format_func=SCORE_NAMES.get, default=ood.DEFAULT,
                                required=True, key="confidence_score", bind=url_state.BIND)
    st.caption({"mahalanobis": "How far the picture's features (what the last layer reads) are from the nearest "
                               "class of the training pictures' features, measured against their spread.",
                "msp": "The probability of the top class: a confident answer is taken as a familiar picture.",
                "energy": "The log of the sum of exp(logits): like the top probability, but it does not "
                          "saturate at 100%."}[kind])
    return kind


def own_photos(picked: Picked, kind: str, limit: ood.Threshold) -> None:
    """The app's sample photos (a temple, a cat...): what the model says and whether the score flags them."""
    st.markdown("**The app's photos, which are no " + ood_note.what(picked.card).removeprefix("a ") + " at all:**")
    photos = np.stack([pixel_model.prepare(samples.load(n), picked.input_size) for n in samples.PHOTOS])
    probs = trust_cache.pixel_probabilities(picked.id, photos)
    rows = []
    for name, arr, p in zip(samples.PHOTOS, photos, probs):
        s = trust_cache.ood_value(picked.id, f"sample:{name}", arr, kind)
        rows.append({"photo": samples.describe(name).split(" (")[0], "prediction": picked.classes[int(p.argmax())],
                     "probability": percent(p.max()), "score": float(f"{s:.4g}"),
                     "verdict": ("looks familiar" if limit.looks_familiar(s)
                                 else "flagged: unlike the training pictures")})
    cols = st.columns([1, 1, 3])
    for col, arr, name in zip(cols, photos, samples.PHOTOS):
        col.image(input_picker.big(arr, 120), caption="What the model sees", output_format="PNG")
    with cols[2]:
        tables.show(pd.DataFrame(rows))
