"""Models already on disk whose description fails the card's checks (saved by an older app, or
changed by hand): listed apart as unreadable with a delete button, never in a picker, never the
default of every student's Inspect page, and never breaking the Saved models table."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from explorer.saved import registry
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import ok, open_page
from tests.test_many_classes import proto_bytes

BROKEN = {
    "a word for the accuracy": {"test_accuracy": "pwned"},
    "a list for the split": {"split": [0.2, 8]},
    "three class names for ten outputs": {"classes": ["a", "b", "c"]},
    "another input size": {"input_size": [1, 16, 16]},
    "a 9 MB name": {"name": "x" * 9_000_000},
    "100,000 nested lists": None,  # written by hand below
}


def broken_copy(good: registry.SavedModel, what: str) -> str:
    """A newer folder with `good`'s weights and a description broken in one way."""
    new_id = f"29991231-235959-broken-{abs(hash(what)) % 10**6:06d}"
    folder = good.path.parent / new_id
    shutil.copytree(good.path, folder)
    meta = json.loads((good.path / registry.META).read_text())
    meta["created"] = "2999-12-31T23:59:59+00:00"  # newest: it would be everyone's default
    if BROKEN[what] is None:
        text = json.dumps(meta)[:-1] + ', "config": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    else:
        text = json.dumps({**meta, **BROKEN[what]})
    (folder / registry.META).write_text(text)
    return new_id


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """One good model alone in a private data folder (models other tests saved would be listed)."""
    old = os.environ.get("CNN_EXPLORER_DATA")
    os.environ["CNN_EXPLORER_DATA"] = str(tmp_path_factory.mktemp("unreadable-models-data"))
    try:
        yield save_digits_model(epochs=1, name="the good model")
    finally:
        if old is None:
            os.environ.pop("CNN_EXPLORER_DATA", None)
        else:
            os.environ["CNN_EXPLORER_DATA"] = old


@pytest.mark.parametrize("what", list(BROKEN))
def test_the_registry_lists_it_apart_with_a_reason(good, what):
    bad = broken_copy(good, what)
    try:
        assert bad not in [m.id for m in registry.list_models()]
        reasons = {u.id: u.reason for u in registry.unreadable()}
        assert bad in reasons and reasons[bad][:1].isupper() and len(reasons[bad]) < 400, reasons.get(bad)
        with pytest.raises(registry.RegistryError):
            registry.load(bad)
    finally:
        shutil.rmtree(good.path.parent / bad, ignore_errors=True)


def test_the_saved_models_page_offers_to_delete_it_and_stays_small(good):
    bad = [broken_copy(good, w) for w in BROKEN]
    try:
        at = open_page("pages/models.py")
        options = model_select(at).options  # as displayed: "name · accuracy · id"
        assert len(options) == 1 and options[0].endswith(good.id)
        assert proto_bytes(at._tree) < 2**20  # the 9 MB name is not sent to the browser
        at.button(key=f"models_delete_broken_{bad[0]}").click().run()
        ok(at)
        assert bad[0] not in [u.id for u in registry.unreadable()]
    finally:
        for b in bad:
            shutil.rmtree(good.path.parent / b, ignore_errors=True)


def test_the_newest_broken_model_is_not_the_inspect_pages_default(good):
    bad = broken_copy(good, "a word for the accuracy")
    try:
        at = open_page("pages/filters.py")
        assert at.selectbox(key="filters_model").value == good.id
    finally:
        shutil.rmtree(good.path.parent / bad, ignore_errors=True)


def model_select(at):
    """The Saved models picker (keyed by its labels, so a rename redraws it: explorer/ui/relabel.py)."""
    return next(s for s in at.selectbox if s.label == "Model")
