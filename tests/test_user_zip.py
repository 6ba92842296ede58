"""A user's own dataset: a zip of class folders, checked before anything is decoded."""

from __future__ import annotations

import io
import stat
import zipfile

import numpy as np
import pytest

from explorer.data import archives, datasets
from explorer.data.datasets import DatasetError, from_zip
from explorer.data.types import Dataset, Split
from tests.archive_factory import class_zip, jpeg_bytes, png_bytes


def five_each(classes=("cat", "dog"), prefix="", make=png_bytes) -> dict[str, bytes]:
    return {f"{prefix}{c}/img{k}.png": make(30 * i + k) for i, c in enumerate(classes) for k in range(5)}


def test_valid_zip_with_top_folder_and_junk():
    files = five_each(prefix="pets/")
    files.update({
        "pets/notes.txt": b"my notes",
        "pets/cat/.DS_Store": b"\0",
        "__MACOSX/pets/cat/._img0.png": b"\0",
        "pets/dog/nested.zip": b"PK\x03\x04",
    })
    ds = from_zip(class_zip(files))
    assert ds.classes == ["cat", "dog"]
    assert ds.images.shape == (10, 1, 64, 64) and ds.images.dtype == np.float32
    assert list(ds.labels) == [0] * 5 + [1] * 5
    assert ds.name == "my-dataset" and ds.source == "your zip"
    assert sorted(s.split(":")[0] for s in ds.skipped) == ["dog/nested.zip", "notes.txt"]


def test_colour_images_give_rgb_and_everything_one_size():
    files = {f"a/{k}.jpg": jpeg_bytes(10 * k, size=(50 + k, 30)) for k in range(5)}
    files.update({f"b/{k}.png": png_bytes(k, size=(8, 9), mode="L") for k in range(5)})
    ds = from_zip(class_zip(files), size=32)
    assert ds.images.shape == (10, 3, 32, 32)
    assert any("32x32 RGB" in n for n in ds.notes)


def test_natural_order_of_classes_and_files():
    files = {f"{c}/img{k}.png": png_bytes(k) for c in ("10", "2", "1") for k in (10, 9, 1, 2, 3)}
    ds = from_zip(class_zip(files))
    assert ds.classes == ["1", "2", "10"]


def test_damaged_image_is_skipped_and_counted():
    files = five_each()
    files["cat/broken.png"] = png_bytes(1)[:30]
    ds = from_zip(class_zip(files))
    assert len(ds) == 10 and any(s.startswith("cat/broken.png:") for s in ds.skipped)


@pytest.mark.parametrize(
    "files,message",
    [
        ({f"only/{k}.png": png_bytes(k) for k in range(6)}, "only one class"),
        ({**five_each(), "bird/1.png": png_bytes(1), "bird/2.png": png_bytes(2)}, r"at least 5 images.*bird \(2\)"),
        ({"readme.txt": b"hi", "cat/": b"", "dog/": b""}, "no usable images"),
        ({f"{k}.png": png_bytes(k) for k in range(10)}, "no usable images"),
        ({**five_each(), "../evil/x.png": png_bytes(1)}, "outside its folder"),
        ({**five_each(), "/etc/x.png": png_bytes(1)}, "absolute path"),
    ],
    ids=["single-class", "too-few", "empty-folders", "no-class-folders", "traversal", "absolute"],
)
def test_refused_zips_say_why(files, message):
    with pytest.raises(DatasetError, match=message):
        from_zip(class_zip(files))


def test_symlink_member_is_refused():
    buf = class_zip(five_each())
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo("cat/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    buf.seek(0)
    with pytest.raises(DatasetError, match="symbolic link"):
        from_zip(buf)


def test_zip_bomb_is_refused_without_expanding():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for k in range(5):
            zf.writestr(f"a/{k}.png", png_bytes(k))
            zf.writestr(f"b/{k}.png", png_bytes(k))
        zf.writestr("b/huge.png", b"\0" * (15 * 2**20))  # 15 MB of zeros compress ~1000x
    bomb.seek(0)
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(DatasetError, match="zip bombs"):
        from_zip(bomb)


def test_limits_on_members_and_total_size():
    files = five_each()
    with pytest.raises(DatasetError, match="entries"):
        from_zip(class_zip(files), limits=archives.Limits(max_members=5))
    with pytest.raises(DatasetError, match="expand to more than"):
        from_zip(class_zip(files), limits=archives.Limits(max_total_bytes=500))


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_not_a_zip(data):
    with pytest.raises(DatasetError, match="not a readable zip"):
        from_zip(io.BytesIO(data))


def test_from_path(tmp_path):
    path = class_zip(five_each(), tmp_path / "animals.zip")
    ds = from_zip(path)
    assert ds.name == "animals" and len(ds) == 10


def test_split_is_the_courses(tmp_path):
    from sklearn.model_selection import train_test_split

    ds = datasets.load("digits")
    train, test = datasets.split(ds)
    flat = ds.images.reshape(len(ds), -1)
    x_tr, x_te, y_tr, y_te = train_test_split(flat, ds.labels, test_size=0.2, random_state=8)
    np.testing.assert_array_equal(train.images.reshape(len(train), -1), x_tr)
    np.testing.assert_array_equal(test.labels, y_te)
    assert train.classes == ds.classes


@pytest.mark.parametrize("n, test_size, state", [(2062, 0.2, 8), (10, 0.3, 0), (1797, 0.45, 1234), (7, 0.1, None)])
def test_split_agrees_with_sklearn_for_other_sizes(n, test_size, state):
    """split() writes sklearn's ShuffleSplit out (sklearn takes seconds to import)."""
    from sklearn.model_selection import train_test_split

    ids = np.arange(n)  # each image's label is its index, so the labels show the exact split
    ds = Dataset("ids", ids.reshape(n, 1, 1, 1).astype(np.float32), ids, [str(i) for i in ids])
    train, test = datasets.split(ds, Split(test_size, state))
    tr, te = train_test_split(ids, test_size=test_size, random_state=state)
    if state is not None:
        np.testing.assert_array_equal(train.labels, tr)
        np.testing.assert_array_equal(test.labels, te)
        np.testing.assert_array_equal(test.images[:, 0, 0, 0], te)
    assert (len(train), len(test)) == (len(tr), len(te))
    assert sorted(np.concatenate([train.labels, test.labels])) == list(ids)


def test_split_that_leaves_nothing_to_train_on_is_explained():
    ds = datasets.load("digits").subset(np.arange(3), "")
    with pytest.raises(DatasetError, match="leaves no images to train on"):
        datasets.split(ds, Split(0.9, 8))


def test_bundled_digits():
    ds = datasets.load("digits")
    assert ds.images.shape == (1797, 1, 8, 8) and ds.images.dtype == np.float32
    assert ds.images.max() == 1.0 and ds.labels.dtype == np.int64 and len(ds.classes) == 10


def test_unknown_dataset_name():
    with pytest.raises(DatasetError, match="Unknown dataset"):
        datasets.load("imagenet")
