"""The code behind every view: each generated script, run in a fresh process, prints the
numbers the page computes with the same settings (the page's own functions are the reference)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from torch import nn

from explorer import models
from explorer.codegen import architecture, conv, picture, pool, script
from explorer.learn import convolution, kernels, pooling
from explorer.ui import image_source
from tests.codegen_helpers import number, run_script, shape


def learn_picture(key: str) -> np.ndarray:
    """The array a Learn page gets for a picture key (image_source's own cached loaders)."""
    src = picture.source_of(key)
    if src.kind == "sample":
        return image_source._sample(src.name, src.channels, src.max_side)[0]
    from explorer.data import datasets

    arr = datasets.load(src.name).images[src.index].astype(np.float32)
    return np.repeat(arr, 3, axis=0) if src.channels == 3 else arr


CONV_CASES = [
    # key, kernel preset, size, stride, padding, dilation, relu
    ("sample:shapes:1:512", "sobel x", 3, 1, 0, 1, False),
    ("sample:text:1:512", "random", 4, 2, 1, 2, True),
    ("sample:china:3:512", "box blur", 5, 1, "same", 1, False),
    ("dataset:digits:7:1", "laplacian", 3, 1, "valid", 1, True),
]


@pytest.mark.parametrize("key,preset,size,stride,padding,dilation,relu", CONV_CASES)
def test_convolution_script_prints_the_pages_output(tmp_path, key, preset, size, stride, padding, dilation, relu):
    x = learn_picture(key)
    kernel = kernels.make(preset, size, 3)
    # The page: learn_cache.output, then ReLU when switched on.
    bank = np.broadcast_to(kernel, (x.shape[0], *kernel.shape)).astype(np.float32)
    page = convolution.conv2d(x, bank, stride, padding, dilation)
    page = convolution.relu(page) if relu else page
    s = conv.script(conv.ConvSettings(picture.source_of(key), kernel.astype(np.float32), stride, padding,
                                      dilation, relu, preset))
    out = run_script(s.code, tmp_path)
    assert shape(out, "input shape") == x.shape
    assert shape(out, "output shape") == page.shape
    scale = float(np.abs(page).sum(dtype=np.float64))
    assert number(out, "output sum") == pytest.approx(float(page.sum(dtype=np.float64)), abs=1e-6 * scale + 1e-9)
    assert number(out, "output min") == pytest.approx(float(page.min()), abs=1e-4)


POOL_CASES = [
    ("sample:stripes:1:256", "feature", True, "max", 2, 2, 0),
    ("sample:flower:3:256", "picture", False, "avg", 3, 2, 1),
    ("sample:checkerboard:1:256", "feature", False, "sum", 3, 3, 1),
]


@pytest.mark.parametrize("key,what,relu,mode,size,stride,padding", POOL_CASES)
def test_pooling_script_prints_the_pages_pooled_map(tmp_path, key, what, relu, mode, size, stride, padding):
    pic = learn_picture(key)
    kernel = kernels.make("sobel x", 3)
    # The page's input_map() and pooled map.
    if what == "picture":
        x = pic
    else:
        bank = np.broadcast_to(kernel, (pic.shape[0], *kernel.shape)).astype(np.float32)
        fmap = convolution.conv2d_per_channel(pic, bank, 1, "same", 1).sum(axis=0)
        x = (convolution.relu(fmap) if relu else fmap)[None]
    pooled = pooling.pool2d(x, size, stride, mode, padding)
    s = pool.script(pool.PoolSettings(picture.source_of(key), what, kernel.astype(np.float32), relu, mode,
                                      size, stride, padding))
    out = run_script(s.code, tmp_path)
    assert shape(out, "pooled shape") == pooled.shape
    # Float32 sums of signed maps cancel (Sobel on a checkerboard sums to ~0): compare against the
    # size of the values, not of their sum.
    scale = float(np.abs(pooled).sum(dtype=np.float64))
    assert number(out, "pooled sum") == pytest.approx(float(pooled.sum(dtype=np.float64)), abs=1e-6 * scale + 1e-9)
    top = [float(v) for v in re.search(r"pooled top-left: \[(.*)\]", out).group(1).split(",")]
    assert top == pytest.approx(pooled[0, 0, :4].tolist(), abs=1e-4)


@pytest.mark.parametrize("name", models.names())
def test_plain_stacks_are_rebuilt_layer_for_layer(name):
    """Every architecture module_code can write is rebuilt with the same layers and parameter
    names (so a saved model's weights load into the script's network); the others say None."""
    model = models.build(name)
    code = architecture.module_code(model)
    if type(model) is not nn.Sequential or any(type(m).__module__.startswith("explorer")
                                               for m in model.modules()):
        assert code is None
        return
    with torch.device("meta"):
        rebuilt = eval(code, {"nn": nn})
    assert repr(rebuilt) == repr(model)
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == {k: v.shape for k, v in model.state_dict().items()}


@pytest.mark.parametrize("name,channels,side,classes", [("course_cnn", 1, 64, 10), ("alexnet", 3, 227, 1000),
                                                        ("fastnet", 1, 32, 4)])
def test_architecture_script_prints_the_pages_summary(tmp_path, name, channels, side, classes):
    with torch.device("meta"):
        model = models.build(name, in_channels=channels, input_size=(side, side), num_classes=classes)
    page = models.summary(model, (channels, side, side))
    s = architecture.script(model, models.info(name).title, (channels, side, side))
    out = run_script(s.code, tmp_path)
    assert number(out, "parameters") == page.total_params
    assert number(out, "MACs") == page.total_macs
    assert shape(out, "output shape") == page.output_shape
    for row in page.rows:  # every row of the page's table: name, output shape, parameters
        assert re.search(rf"^\s*{re.escape(row.name)}\s+\w+\s+{re.escape(' x '.join(map(str, row.output_shape)))}"
                         rf"\s+{row.params:,}$", out, re.MULTILINE), row


def test_notebook_is_nbformat_4_with_the_scripts_cells():
    s = conv.script(conv.ConvSettings(picture.Source("sample", "shapes", channels=1, max_side=512),
                                      kernels.make("sobel y", 3).astype(np.float32), 2, 1, 1, False))
    nb = json.loads(script.notebook(s))
    assert nb["nbformat"] == 4 and nb["cells"][0]["cell_type"] == "markdown"
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code_cells) >= 4
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code_cells)
    joined = "\n".join("".join(c["source"]) for c in code_cells)
    assert "stride=2" in joined and "padding=1" in joined
    # The cells hold the whole script: every non-marker line of the .py is in the notebook.
    assert [ln for ln in s.code.splitlines() if ln.strip() and not ln.startswith(script.CELL)] == \
        [ln for ln in joined.splitlines() if ln.strip()]


def test_picture_keys_of_the_pages_are_understood():
    assert picture.source_of("sample:china:3:512") == picture.Source("sample", "china", channels=3, max_side=512)
    assert picture.source_of("dataset:sign-digits:12:1").index == 12
    assert picture.source_of("upload:abc-1:1:256").kind == "upload"
    assert picture.source_of("test:40") == picture.Source("test", index=40)
    with pytest.raises(ValueError):
        picture.source_of("nonsense")


def test_an_uploaded_photo_is_read_scaled_and_convolved_as_on_the_page(tmp_path):
    from PIL import Image

    from explorer.data import images

    rng = np.random.default_rng(1)
    photo = tmp_path / "photo.jpg"
    Image.fromarray(rng.integers(0, 255, (300, 700, 3), dtype=np.uint8)).save(photo)
    # The page: image_source._decoded (decode, scale to 512, array).
    img, _ = image_source._fit(images.decode(photo.read_bytes()), 512)
    x = images.to_array(img, channels=3)
    kernel = kernels.make("sharpen", 3)
    bank = np.broadcast_to(kernel, (3, 3, 3)).astype(np.float32)
    page = convolution.conv2d(x, bank, 2, 1, 1)
    code = conv.script(conv.ConvSettings(picture.source_of("upload:k-1:3:512"), kernel.astype(np.float32),
                                         2, 1, 1, False)).code
    out = run_script(code.replace(f'PHOTO = "{picture.PHOTO}"', f'PHOTO = "{photo}"'), tmp_path)
    assert shape(out, "input shape") == x.shape == (3, 219, 512)
    assert number(out, "output sum") == pytest.approx(float(page.sum(dtype=np.float64)),
                                                      abs=1e-6 * float(np.abs(page).sum()) + 1e-9)


def test_a_sign_language_digit_is_read_from_the_archive_as_the_app_does(tmp_path, monkeypatch):
    from tests.conftest import real_archive

    archive = real_archive()
    if archive is None or not archive.is_file():
        pytest.skip("the Sign Language Digits zip is not on this machine")
    from explorer.data import datasets

    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(archive))
    x = datasets.load("sign-digits").images[1234]
    kernel = kernels.make("sobel y", 3)
    code = conv.script(conv.ConvSettings(picture.source_of("dataset:sign-digits:1234:1"),
                                         kernel.astype(np.float32), 1, 0, 1, False)).code
    out = run_script(code.replace(f'ARCHIVE = "{picture.SIGN_DIGITS_ZIP}"', f'ARCHIVE = "{archive}"'), tmp_path)
    page = convolution.conv2d(x, kernel[None].astype(np.float32), 1, 0, 1)
    assert number(out, "output sum") == pytest.approx(float(page.sum(dtype=np.float64)),
                                                      abs=1e-6 * float(np.abs(page).sum()) + 1e-9)


def test_baselines_script_scores_as_the_page_does(tmp_path):
    from explorer.codegen import baselines as baselines_code
    from explorer.compare import baselines
    from explorer.data import datasets
    from explorer.data.types import Split

    split = Split(0.25, 3)
    train, test = datasets.split(datasets.load("digits"), split)
    names = ["svm", "knn", "logreg", "random_forest", "mlp"]
    s = baselines_code.script("digits", split.test_size, split.random_state, names)
    out = run_script(s.code, tmp_path)
    for name in names[:4]:
        assert number(out, f"accuracy {name}") == pytest.approx(baselines.run(name, train, test).accuracy, abs=5e-5)
    assert "accuracy mlp" not in out
    assert baselines_code.script("my-zip", 0.2, 8, names) is None
