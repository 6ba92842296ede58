"""AppTest of the CNN-vs-classical-ML page: run a comparison, see the results, revisit."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/baselines.py").run()
    at.radio(key="baselines_source").set_value("digits").run()
    at.multiselect(key="baselines_models").set_value(["knn", "logreg"]).run()
    return at


def results_table(at: AppTest):
    """The results dataframe (the one with an Accuracy column), or None."""
    for df in at.dataframe:
        if "Accuracy" in df.value.columns:
            return df.value
    return None


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def test_options_are_shown_as_the_course_writes_them():
    at = open_page()
    assert not at.exception
    calls = " ".join(" ".join(df.value["Built with"]) for df in at.dataframe if "Built with" in df.value.columns)
    assert 'SVC(gamma="scale", decision_function_shape="ovo")' in calls
    assert "KNeighborsClassifier(3)" in calls and "RandomForestClassifier(n_estimators=100, random_state=0)" in calls


def test_run_shows_results_and_a_revisit_is_instant():
    at = open_page()
    run = at.button(key="baselines_run")
    assert "2 model" in run.label
    run.click().run()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        table = results_table(at)
        if table is not None and len(table) == 2 and not any(b.key == "baselines_stop" for b in at.button):
            break
        time.sleep(0.5)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    table = results_table(at)
    assert list(table["Model"]) == ["kNN (k=3)", "Logistic regression"]
    assert (table["Accuracy"] > 0.9).all()
    assert len(charts(at)) == 2
    # Digits are not the course's dataset: its figures are listed apart, not beside.
    assert "Course reported" not in table.columns
    assert any("not put beside" in c.value for c in at.caption)

    # Another person opening the same dataset and split sees the results without running anything.
    again = open_page()
    table = results_table(again)
    assert table is not None and list(table["Model"]) == ["kNN (k=3)", "Logistic regression"]
    assert again.button(key="baselines_run").label.startswith("🔁")
