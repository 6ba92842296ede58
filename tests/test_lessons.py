"""Lesson presets: every parameter of every lesson is accepted by its page (Streamlit drops a
value a widget does not accept from the address), and a click on Home opens the view."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from explorer.ui import lessons
from tests.inspect_helpers import save_digits_model
from tests.page_helpers import APP, ok


@pytest.fixture(scope="module")
def saved():
    """Grad-CAM needs a trained model."""
    return save_digits_model(epochs=1, name="lesson test net")



def widget_keys(node) -> set[str]:
    """Keys of every widget drawn under node (the main area, expanders and columns included)."""
    keys = {node.key} if isinstance(getattr(node, "key", None), str) else set()
    for child in getattr(node, "children", {}).values():
        keys |= widget_keys(child)
    return keys


def normalised(params: dict) -> dict:
    return {k: v if isinstance(v, list) and len(v) > 1 else (v[0] if isinstance(v, list) else v)
            for k, v in params.items()}


@pytest.mark.parametrize("lesson", lessons.LESSONS, ids=lambda l: l.key)
def test_every_setting_of_a_lesson_is_accepted(lesson, saved):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.query_params.update(lesson.params)
    at.switch_page(lesson.page).run()
    ok(at)
    assert set(lesson.params) <= widget_keys(at.main)  # the widgets are there to take them
    kept = {k: v for k, v in normalised(dict(at.query_params)).items() if k in lesson.params}
    assert kept == normalised(lesson.params)


def test_stride_lesson_from_home_lands_on_the_prepared_view():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.button(key="lesson_stride3").click().run()
    ok(at)
    assert at.slider(key="convolution_stride").value == 3
    assert at.selectbox(key="convolution_toy").value == "course 7x7"
    latex = " ".join(str(e.value) for e in at.latex)
    assert "{3}" in latex and "84.3" in latex


def test_a_lesson_forgets_earlier_choices_on_its_page():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/convolution.py").run()
    at.slider(key="convolution_dilation").set_value(3).run()
    at.switch_page("pages/home.py").run()
    at.button(key="lesson_stride3").click().run()
    ok(at)
    assert at.slider(key="convolution_stride").value == 3
    assert at.slider(key="convolution_dilation").value == 1
