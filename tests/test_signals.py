"""1-D convolution of functions, checked against numpy.convolve and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.learn import signals


def test_box_times_box_is_the_triangle():
    pair = signals.box_pair(1.0, 1.0)
    out = signals.convolve(pair)
    c = pair.out_x
    triangle = np.clip(1 - np.abs(c), 0, None)
    np.testing.assert_allclose(out, triangle, atol=1e-9)  # exact on the grid
    assert out.max() == pytest.approx(1.0) and c[out.argmax()] == pytest.approx(0, abs=1e-9)
    np.testing.assert_allclose(out, np.convolve(pair.f, pair.g) * pair.dx)


def test_two_gaussians_give_the_gaussian_with_added_means_and_variances():
    pair = signals.gaussian_pair(-1.0, 0.5, 1.5, 0.8)
    out = signals.convolve(pair)
    expected = signals.gaussian(pair.out_x, 0.5, np.hypot(0.5, 0.8))
    assert np.max(np.abs(out - expected)) < 1e-3
    assert out.sum() * pair.dx == pytest.approx(1.0, abs=1e-3)  # still a density


def test_dropped_ball_probabilities_sum_to_one_and_match_the_double_sum():
    pair = signals.ball_pair(3, 1, 4, 1.5, n=12)
    assert pair.discrete and pair.f.sum() == pytest.approx(1) and pair.g.sum() == pytest.approx(1)
    out = signals.convolve(pair)
    assert out.sum() == pytest.approx(1.0)
    # P(total = 7) by listing every way: first lands a, second 7 - a.
    by_hand = sum(pair.f[a] * pair.g[7 - a] for a in range(8))
    assert out[list(pair.out_x).index(7.0)] == pytest.approx(by_hand)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=15), st.lists(st.floats(0, 1), min_size=2, max_size=15))
def test_every_slide_value_is_numpy_convolve(f, g):
    n = max(len(f), len(g))
    f = np.pad(f, (0, n - len(f)))
    g = np.pad(g, (0, n - len(g)))
    pair = signals.Pair(np.arange(n, dtype=float), f, g, True)
    reference = np.convolve(f, g)
    values = [signals.slide(pair, k).value for k in range(2 * n - 1)]
    np.testing.assert_allclose(values, reference, atol=1e-12)
    np.testing.assert_allclose(signals.convolve(pair), reference, atol=1e-12)


def test_slide_flips_g_and_moves_it_to_c():
    pair = signals.Pair(np.arange(5, dtype=float), np.ones(5), np.array([1.0, 2, 3, 0, 0]), True)
    s = signals.slide(pair, 2)  # c = 2: g(2 - t) for t = 0..4 is g(2), g(1), g(0), -, -
    assert s.c == 2.0
    np.testing.assert_array_equal(s.g_moved, [3, 2, 1, 0, 0])
    assert s.value == 6.0
    with pytest.raises(ValueError):
        signals.slide(pair, 9)


def test_echo_is_the_sound_plus_a_delayed_quieter_copy():
    rate = 8000
    sound = signals.sound("plucked note", rate)
    kernel = signals.echo_kernel(0.25, 0.5, rate)
    assert kernel.sum() == pytest.approx(1.5) and np.count_nonzero(kernel) == 2
    heard = signals.with_echo(sound, kernel)
    np.testing.assert_allclose(heard, np.convolve(sound, kernel))
    delay = 2000
    manual = np.zeros(len(sound) + delay)
    manual[:len(sound)] += sound
    manual[delay:] += 0.5 * sound
    np.testing.assert_allclose(heard, manual, atol=1e-12)


@pytest.mark.parametrize("name", signals.SOUNDS)
def test_sounds_are_audible_and_bounded(name):
    s = signals.sound(name, 8000, 0.3)
    assert len(s) == 2400 and np.abs(s).max() == pytest.approx(1.0) and s.std() > 0.05


def test_envelope_keeps_the_peaks():
    s = np.zeros(10_000)
    s[1234] = 0.9
    lo, hi = signals.envelope(s, 100)
    assert len(hi) == 100 and hi.max() == 0.9 and lo.min() == 0
