"""A model's probability as the pages write it: never a certainty a softmax does not have."""

from __future__ import annotations

import re

import pytest

from explorer.percent import percent
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import open_page


@pytest.mark.parametrize(("p", "shown"), [
    (0.42, "42%"), (0.05, "5%"), (0.1, "10%"), (0.01, "1%"), (0.994, "99%"), (0.995, "99.5%"), (0.9961, "99.6%"),
    (0.9996, "> 99.9%"), (1.0, "> 99.9%"), (0.005, "0.5%"), (0.0049, "0.5%"), (0.004, "0.4%"), (0.0004, "< 0.1%"),
    (0.0, "< 0.1%"),
])
def test_whole_percents_except_near_both_ends(p, shown):
    assert percent(p) == shown


def test_no_probability_between_0_and_1_reads_as_0_or_100_percent():
    for k in range(1, 100_000):
        assert percent(k / 100_000) not in ("0%", "100%", "0.0%", "100.0%")


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=2, name="percent test net")


def test_a_confident_prediction_does_not_read_100_percent(saved):
    """The tiny digits net gives its first test picture more than 99.5%: the page used to print
    "Prediction: 6 (100%)" and "(0%)" for most other classes in the class picker."""
    at = open_page("pages/occlusion.py")
    verdict = next(m.value for m in at.markdown if m.value.startswith("Prediction:"))
    shown = re.search(r"\*\* \(([^)]*)\)", verdict).group(1)
    assert shown != "100%" and (shown == "> 99.9%" or float(shown.rstrip("%")) >= 99.5), verdict
    picker = next(s for s in at.selectbox if s.key.startswith("occlusion_target_"))
    options = " ".join(picker.options)
    assert "(100%)" not in options and "(0%)" not in options, options
    assert "< 0.1%" in options or re.search(r"\(0\.\d%\)", options), options
