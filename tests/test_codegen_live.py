"""The live camera's script: one camera frame, saved as the live view offers it (a PNG), read by
the generated script in a fresh process gives the live view's probabilities, map and overlay."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from explorer.codegen import architecture, saved_model
from explorer.codegen import live as live_code
from explorer.data.types import COURSE_SPLIT
from explorer.inspect import live, pixel_model
from explorer.saved import registry
from tests.codegen_helpers import run_script
from tests.inspect_helpers import digits_split, save_digits_model
from tests.live_video import camera_frame


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    s = save_digits_model(epochs=2, root=tmp_path_factory.mktemp("models"))
    net, card = registry.load(s.id, s.path.parent)
    return s, pixel_model.wrap(net, card.normalisation), card


@pytest.mark.parametrize("method, opacity", [("grad_cam", 0.6), ("saliency", 0.35)])
def test_the_script_reads_a_frame_as_the_live_view_does(saved, tmp_path, method, opacity):
    s, model, card = saved
    frame = camera_frame(digits_split()[1].images[11])  # a test digit filmed into a 320x240 frame
    Image.fromarray(frame).save(tmp_path / live_code.FRAME)
    (tmp_path / "frames").mkdir()
    Image.fromarray(frame).save(tmp_path / "frames" / "0001.png")  # the optional cell's folder of frames
    reading = live.LiveReader(live.private_copy(model), card.input_size, method).read(frame)
    shown = live.draw(frame, reading, live.label(reading, list(card.classes)), opacity)

    ref = saved_model.SavedModel(str(s.path), architecture.module_code(pixel_model.inner(model)), card.dataset,
                                 card.input_size, COURSE_SPLIT.test_size, COURSE_SPLIT.random_state)
    code = live_code.script(live_code.LiveSettings(ref, method, opacity)).code
    out = run_script(code.replace(f'"{live_code.FRAME}"', f'"{tmp_path / live_code.FRAME}"')
                     .replace(f'"{live_code.OVERLAY}"', f'"{tmp_path / live_code.OVERLAY}"')
                     .replace("FRAMES = None", f'FRAMES = "{tmp_path / "frames"}"'), tmp_path)

    probs = [float(v) for v in re.search(r"probabilities: \[(.*)\]", out).group(1).split(",")]
    assert probs == pytest.approx(np.round(reading.probabilities, 4).tolist(), abs=2e-4)
    m = re.search(r"^map: shape \((\d+), (\d+)\) sum (\S+) max (\S+)$", out, re.MULTILINE)
    assert (int(m.group(1)), int(m.group(2))) == reading.heat.shape
    assert float(m.group(3)) == pytest.approx(float(reading.heat.sum()), rel=1e-4, abs=1e-5)
    assert float(m.group(4)) == pytest.approx(float(reading.heat.max()), abs=1e-5)
    overlay = np.asarray(Image.open(tmp_path / live_code.OVERLAY).convert("RGB"))
    assert overlay.shape == shown.shape
    assert np.array_equal(overlay, shown)  # the same picture the video shows, pixel for pixel
    top = card.classes[reading.top]
    assert f"0001.png: {top} ({reading.probabilities.max():.0%})" in out  # the folder's frame, read the same way
