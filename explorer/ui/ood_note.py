"""The out-of-distribution note shown with a prediction: does this picture look like the
training pictures at all? (explorer/inspect/ood.py; threshold set on the model's test split.)"""

from __future__ import annotations

import streamlit as st

from explorer.inspect import ood
from explorer.saved.model_card import ModelCard
from explorer.ui import input_picker, model_picker, plain, trust_cache

WHAT = {"sign-digits": "a hand sign", "digits": "a handwritten digit"}


def what(card: ModelCard) -> str:
    """How to call one training picture of the model's dataset."""
    return WHAT.get(card.dataset, "one of the training pictures")


def note(picked: model_picker.Picked, inp: input_picker.Input, kind: str = ood.DEFAULT) -> bool | None:
    """A one-line verdict under the prediction (a warning when the picture looks unfamiliar);
    returns whether it looks familiar, None when the test split is not on this machine."""
    try:
        limit = trust_cache.ood_threshold(picked.id, kind)
    except ValueError as exc:  # a model without a linear layer has no features to compare
        st.caption(f"No out-of-distribution check for this model: {exc}")
        return None
    if limit is None:
        st.caption("The out-of-distribution check needs the model's test pictures, which are not on this machine.")
        return None
    value = trust_cache.ood_value(picked.id, inp.key, inp.array, kind)
    predicted = picked.classes[int(trust_cache.logits(picked.id, inp.key, inp.array).argmax())]
    text = ood.verdict(value, limit, plain.md(predicted), what(picked.card))  # a class name from a zip: plain text
    if limit.looks_familiar(value):
        st.caption(text)
        return True
    st.warning(text)
    return False
