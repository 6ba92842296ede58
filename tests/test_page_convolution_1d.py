"""AppTest: the 1-D convolution page reacts to its widgets with the right numbers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.page_helpers import open_page


@pytest.fixture
def at() -> AppTest:
    return open_page("pages/convolution_1d.py", timeout=120)


def metric(at: AppTest) -> float:
    return float(at.metric[0].value)


def test_box_slider_traces_the_triangle(at):
    for c, expected in [(0.0, 1.0), (-0.5, 0.5), (0.74, 0.26), (1.5, 0.0)]:
        at.select_slider(key="convolution_1d_shift_box").set_value(c).run()
        assert metric(at) == pytest.approx(expected, abs=1e-4)
    assert not at.exception and not at.error


def test_play_runs_the_animation_to_the_end(at):
    at.button(key="convolution_1d_play").click().run()
    assert not at.exception
    assert metric(at) == pytest.approx(0.0)  # the last frame: g has slid past f
    assert len(at.get("vega_lite_chart")) == 2  # the sliding view and the running result
    # The slider followed the animation to its end (it stayed behind before, issue #14).
    assert at.select_slider(key="convolution_1d_shift_box").value == pytest.approx(3.98)
    assert at.button(key="convolution_1d_play").label == "▶ Play"


def test_every_example_keeps_its_own_shift(at):
    """Issue #14: Gaussians, shift to the far left, then the dropped ball crashed the page
    (StreamlitValueBelowMinError: one shift setting shared by examples with other ranges)."""
    at.button_group(key="convolution_1d_preset").set_value("two Gaussians").run()
    gauss = at.select_slider(key="convolution_1d_shift_gauss")
    gauss.set_value(-12.0).run()  # the far left
    assert not at.exception
    for preset in ("dropped ball", "box * box", "two Gaussians", "dropped ball"):
        at.button_group(key="convolution_1d_preset").set_value(preset).run()
        assert not at.exception, preset
        assert at.metric, preset


def test_dropped_ball_shows_probabilities_summing_to_one(at):
    at.button_group(key="convolution_1d_preset").set_value("dropped ball").run()
    assert not at.exception
    assert at.metric[0].label == "P(total = c)"
    caption = " ".join(c.value for c in at.caption)
    assert "f * g to 1.000" in caption
    before = metric(at)
    at.slider(key="convolution_1d_ball_gm").set_value(7.0).run()  # second drop rolls further
    at.select_slider(key="convolution_1d_shift_ball").set_value(7.0).run()
    assert metric(at) != before and 0 < metric(at) < 1


def test_gaussians_caption_gives_the_new_mean(at):
    at.button_group(key="convolution_1d_preset").set_value("two Gaussians").run()
    at.slider(key="convolution_1d_gauss_fm").set_value(-2.0).run()
    text = " ".join(c.value for c in at.caption)
    assert "-2 + 1.5 = -0.5" in text


def test_echo_offers_both_sounds_to_play(at):
    at.button_group(key="convolution_1d_preset").set_value("echo").run()
    assert not at.exception and not at.error
    audios = at.get("audio")
    assert len(audios) == 2
    length = at.metric[0].value
    at.slider(key="convolution_1d_delay").set_value(500).run()
    assert at.metric[0].value != length and "8001" in at.metric[0].value  # 0.5 s at 16 kHz + 1


def test_the_flip_example_reads_as_two_sentences(at):
    """The caption under the no-flip table read "…cross-correlation. the flipped kernel…"."""
    caption = next(c.value for c in at.caption if c.value.startswith("PyTorch's layer gives"))
    assert caption.startswith("PyTorch's layer gives the cross-correlation. The flipped kernel gives the same "
                              "numbers with the opposite sign here")
