"""Link fuzzing: every parameter of every page, given values nobody should type, never breaks
the page (no exception, no error box), and the address keeps only the page's own settings.

Each page is opened once with its defaults to learn its parameters (every widget key, plus
the ones the app carries by hand), then opened again from a fresh session with every parameter
set to a hostile value at once: in run r, parameter i gets VALUES[(i + r) % len(VALUES)], so
every parameter meets every value once.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from explorer.ui import navigation, url_state
from tests.conftest import ROOT
from tests.inspect_helpers import save_digits_model

APP = str(ROOT / "app.py")
PAGES = [p for section in navigation.PAGES for p, *_ in navigation.existing(section)]
# Parameters the app reads by hand (url_state.incoming), per page. "present" belongs to the
# sidebar, which AppTest's switch_page does not run (tests/test_url_pages.py fuzzes it).
HAND_CARRIED = {"pages/convolution.py": ["convolution_kernel", "convolution_source"],
                "pages/pooling.py": ["pooling_source"], "pages/models.py": ["model"],
                "pages/filters.py": ["model"], "pages/max_activations.py": ["model"],
                "pages/occlusion.py": ["model"], "pages/saliency.py": ["model"]}
VALUES = ["", " ", "nan", "-inf", "1e999", "-1", "99999999999999999999999", "../../etc/passwd",
          "<img src=x onerror=alert(1)>", "x" * 2500, "%00", "[]"]


def widget_keys(node, out: set[str]) -> set[str]:
    key = getattr(node, "key", None)
    if isinstance(key, str) and key:
        out.add(key)
    children = getattr(node, "children", None)
    for child in (children.values() if isinstance(children, dict) else []):
        widget_keys(child, out)
    return out


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def opened(path: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.query_params.update(params)
    at.switch_page(path).run()
    return at


@pytest.fixture(scope="module")
def saved_model():
    return save_digits_model(epochs=1, name="fuzz net")


@pytest.mark.parametrize("path", PAGES)
def test_every_parameter_of_the_page_survives_hostile_values(path, saved_model):
    at = opened(path, {})
    ok(at)
    params = sorted(widget_keys(at._tree, set()) | set(HAND_CARRIED.get(path, [])))
    assert params, path
    for r in range(len(VALUES)):
        values = {p: VALUES[(i + r) % len(VALUES)] for i, p in enumerate(params)}
        at = opened(path, values)
        ok(at)
        with at.session_state._state.query_params() as qp:
            left = {p: v for p, v in at.query_params.items() if qp.is_bound(p)}
        assert not {p: v[:20] for p, v in left.items() if v in UNUSABLE}, path


# Values no widget of the app can hold: a bound setting never keeps them in the address.
UNUSABLE = {"", " ", "nan", "-inf", "1e999", "x" * 2500, "%00", "[]"}


def test_unknown_parameters_leave_the_address():
    """Home opened from a link with junk: the junk is not in the address a student copies
    (pages switched to in AppTest run without app.py; tests/browser/test_links.py covers those)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"utm_source": "newsletter", "convolution_stride": "2", "present": "1"})
    at.run()
    ok(at)
    assert dict(at.query_params) == {"present": "1"}


@pytest.mark.parametrize("value, default, fine", [
    (None, "max", False), ([], "max", False), ("", "two 3x3", False), (None, None, True),
    (float("nan"), 1.0, False), (float("inf"), 1.0, False), (2.0, 1.0, True), ("x" * 2001, "a", False),
    (["a", ""], ["a"], False), ("sobel x", "sobel x", True)])
def test_one_check_for_every_bound_value(value, default, fine):
    assert url_state.usable(value, default) is fine
