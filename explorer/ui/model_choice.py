"""Which saved model the Inspect and lesson pages open first, and how the picker names them.

Kept apart from the model picker (explorer/ui/model_picker.py) so the choice can be tested
without Streamlit and moves with the picker when that file is split.

The newest model is not always one a page can show: a model trained on a student's uploaded
zip has no test pictures on the server (uploads stay in the session that made them). Pages
open the newest model whose data IS here, and say why when none is (issue #14).
"""

from __future__ import annotations

from explorer.data import datasets, signdigits
from explorer.saved import registry
from explorer.saved.model_card import ModelCard


def data_here(card: ModelCard) -> bool:
    """Whether the test pictures of the model's dataset can be found on this server (the
    bundled digits always; Sign Language Digits when its archive is here; a zip never)."""
    name = card.dataset
    if name == "digits":
        return True
    if name == "sign-digits":
        return signdigits.locate() is not None
    return False


def label(saved: registry.SavedModel) -> str:
    """'fastnet on my-zip · fastnet · my-zip · 93.2% on test · trained 16:05 · no test pictures here'."""
    card = saved.card
    acc = "" if card.test_accuracy is None else f" · {card.test_accuracy:.1%} on test"
    when = card.created[11:16]
    when = f" · trained {when}" if when else ""
    missing = "" if data_here(card) else " · no test pictures here"
    return f"{saved.name} · {card.architecture} · {card.dataset}{acc}{when}{missing}"


def default_index(saved: list[registry.SavedModel], last: str | None) -> tuple[int, str | None]:
    """(index of the model to open, a sentence for the student or None).

    The model chosen last in this session wins; otherwise the newest model whose data is on
    this server; otherwise the newest, with why its test pictures cannot be shown."""
    ids = [m.id for m in saved]
    if last in ids:
        return ids.index(last), None
    for i, m in enumerate(saved):
        if data_here(m.card):
            note = None if i == 0 else (
                f"Opened {m.name!r}: the newer models were trained on data that is not on this "
                "server (an uploaded zip stays with the person who uploaded it), so their test "
                "pictures cannot be shown here. Pick one anyway to try it on your own photo.")
            return i, note
    if not saved:
        return 0, None
    names = sorted({m.card.dataset for m in saved} - set(datasets.NAMES))
    return 0, ("None of the saved models was trained on data this server has "
               f"({', '.join(names) or 'the Sign Language Digits archive is missing'}), so there are "
               "no test pictures to pick: upload a photo or use the webcam, or train a model on "
               "the handwritten digits.")
