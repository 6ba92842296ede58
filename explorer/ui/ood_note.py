"""The out-of-distribution note shown with a prediction: does this picture look like the
training pictures at all? (explorer/inspect/ood.py; threshold set on the model's test split.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from explorer.inspect import ood
from explorer.saved.model_card import ModelCard
from explorer.ui import input_picker, model_picker, plain, trust_cache

WHAT = {"sign-digits": "a hand sign", "digits": "a handwritten digit"}


def what(card: ModelCard) -> str:
    """How to call one training picture of the model's dataset."""
    return WHAT.get(card.dataset, "one of the training pictures")


def note(picked: model_picker.Picked, inp: input_picker.Input, kind: str = ood.DEFAULT, where=st) -> bool | None:
    """A one-line verdict under the prediction (a warning when the picture looks unfamiliar),
    drawn by `where` (st, or a placeholder) once computed; returns whether it looks familiar,
    None when the test split is not on this machine."""
    try:
        limit = trust_cache.ood_threshold(picked.id, kind)
    except ValueError as exc:  # a model without a linear layer has no features to compare
        where.caption(f"No out-of-distribution check for this model: {exc}")
        return None
    if limit is None:
        where.caption("The out-of-distribution check needs the model's test pictures, which are not on this machine.")
        return None
    value = trust_cache.ood_value(picked.id, inp.key, inp.array, kind)
    predicted = picked.classes[int(trust_cache.logits(picked.id, inp.key, inp.array).argmax())]
    text = ood.verdict(value, limit, plain.md(predicted), what(picked.card))  # a class name from a zip: plain text
    if limit.looks_familiar(value):
        where.caption(text)
        return True
    where.warning(text)
    return False


CHECKING = "Checking whether this picture looks like the training pictures… (the first time for a model: a few seconds)"


def placed(picked: model_picker.Picked, inp: input_picker.Input, kind: str = ood.DEFAULT) -> Callable[[], None]:
    """The note here when the model's statistics are ready; else its line kept blank, and the
    returned call writes there that the check is running, then the verdict (nothing to do when
    already drawn).

    The first time a model is opened, its statistics take seconds (the course CNN's 2,062
    pictures: ~8 s on 2 cores), and the map or the feature maps below need none of them. The
    line stays blank until then, not "checking": after an st.stop (a refused request) nothing
    more can be drawn, and it would say so for ever."""
    if trust_cache.threshold_measured(picked.id, kind):
        note(picked, inp, kind)
        return lambda: None
    slot = st.empty()
    slot.caption("\u00a0")  # a blank line's height: the note's place, without a shift when it comes

    def fill() -> None:
        slot.caption(CHECKING)
        note(picked, inp, kind, slot)
    return fill


@contextmanager
def after(fill: Callable[[], None]) -> Iterator[None]:
    """Runs the block, then `fill` (not when the block stops the page: see `placed`)."""
    yield
    fill()
