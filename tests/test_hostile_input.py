"""Every case of the hostile corpus through the real entry points: a readable sentence for each
refusal, nothing written to data/, and the next good file still works."""

from __future__ import annotations

import io
import re
import tomllib

import pytest

from explorer import limits
from explorer.data import datasets, images
from explorer.saved import registry
from tests import hostile_corpus
from tests.archive_factory import class_zip
from tests.hostile_corpus import CASES, Case

# Words a student should never read: traceback text and Python / Rust exception names.
TECHNICAL = re.compile(
    r"Traceback|File \"|line \d+|\b\w*(Error|Exception|Warning)\b|\bErrno\b|0x[0-9a-f]{4,}|"
    r"\b(?!PyTorch\b|WebP\b|PostScript\b)[A-Z][a-z]+[A-Z]\w*")


def run(case: Case, data: bytes):
    """The entry point a page uses for this kind of file; returns what it gave back."""
    if case.kind == "image":
        return images.decode(data)
    if case.kind == "zip":
        buf = io.BytesIO(data)
        buf.name = f"upload{case.suffix}"
        return datasets.from_zip(buf)
    return registry.import_bytes(data)


REFUSALS = (images.ImageError, datasets.DatasetError, registry.RegistryError)


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_readable(message: str) -> None:
    assert message[:1].isupper() and message.rstrip().endswith((".", ")")), message
    assert len(message.split()) >= 5, message
    assert not TECHNICAL.search(message), f"technical words in: {message}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_gets_a_clear_answer_and_writes_nothing(case, data_dir):
    data = case.build()
    before = files_under(data_dir)
    if case.refused:
        with pytest.raises(REFUSALS) as info:
            run(case, data)
        message = str(info.value)
        assert re.search(case.expect, message), message
        assert_readable(message)
    else:
        result = run(case, data)
        if case.kind == "image":
            assert result.mode in ("L", "RGB") and result.size[0] > 0
        elif case.kind == "zip":
            assert len(result.classes) == 2 and all(s and s[0].isalpha() for s in result.skipped)
            for reason in result.skipped:
                assert_readable(reason.split(": ", 1)[1].capitalize() + ".")
    assert files_under(data_dir) == before


def test_after_the_whole_corpus_good_files_still_work(data_dir):
    """The same process keeps serving: nothing left half-open or locked by a refused file."""
    for case in CASES:
        try:
            run(case, case.build())
        except REFUSALS:
            pass
    assert registry.list_models() == []  # no refused model was saved
    img = images.decode(hostile_corpus.encode(hostile_corpus.photo(), "PNG"))
    assert img.size == (120, 90)
    ds = datasets.from_zip(class_zip(hostile_corpus.five_each()))
    assert ds.classes == ["cat", "dog"] and len(ds) == 10
    saved = registry.import_bytes(hostile_corpus.exported_model())
    assert [m.id for m in registry.list_models()] == [saved.id]


def test_the_stated_upload_limit_is_the_servers():
    config = tomllib.loads((hostile_corpus.Path(__file__).parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.UPLOAD_MB
    for caption in (limits.image_caption(), limits.zip_caption(), limits.model_caption()):
        assert f"{limits.UPLOAD_MB} MB" in caption
    assert "40 megapixels" in limits.image_caption() and "10,000 files" in limits.zip_caption()
