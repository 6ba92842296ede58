"""AppTest of the CNN-vs-classical-ML page: run a comparison, see the results, revisit."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from tests.page_helpers import APP, open_page


def open_comparison() -> AppTest:
    at = open_page("pages/baselines.py", timeout=120)
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


def wait_for_results(at: AppTest, rows: int, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        table = results_table(at)
        if table is not None and len(table) >= rows and not any(b.key == "baselines_stop" for b in at.button):
            return table
        time.sleep(0.5)
        at.run()
    raise AssertionError("the comparison did not finish")


def test_options_are_shown_as_the_course_writes_them():
    at = open_comparison()
    assert not at.exception
    calls = " ".join(m.value for m in at.markdown)  # one line per model: its call and its training
    assert 'SVC(gamma="scale", decision_function_shape="ovo")' in calls
    assert "KNeighborsClassifier(3)" in calls and "RandomForestClassifier(n_estimators=100, random_state=0)" in calls
    assert 'OneVsRestClassifier(LogisticRegression(random_state=0, solver="lbfgs"))' in calls
    training = calls
    assert "Adam(lr=0.001" in training and "batch 128, 50 epochs" in training


def test_run_shows_results_and_a_revisit_is_instant(data_dir):  # no CNN that other tests saved
    at = open_comparison()
    run = at.button(key="baselines_run")
    assert "2 model" in run.label
    run.click().run()
    wait_for_results(at, 2)
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
    again = open_comparison()
    table = results_table(again)
    assert table is not None and list(table["Model"]) == ["kNN (k=3)", "Logistic regression"]
    assert again.button(key="baselines_run").label.startswith("🔁")


def test_a_saved_cnn_is_measured_beside_the_baselines(data_dir):
    from explorer.data import datasets
    from explorer.data.types import COURSE_SPLIT
    from explorer.train import recipes, runs, training

    train, test = datasets.split(datasets.load("digits"))
    config = training.TrainConfig(epochs=1, batch_size=64, lr=0.02, threads=1, seed=0, device="cpu")
    spec = recipes.model_spec("fastnet", train, {"width": 8})
    runs.run(runs.TrainRequest(spec, config, "digits", train, test,
                                           COURSE_SPLIT, "tiny cnn"))
    at = open_comparison()
    assert any("tiny cnn" in c.value for c in at.caption)
    at.button(key="baselines_run").click().run()
    table = wait_for_results(at, 3)
    assert not at.exception and not at.error
    assert "CNN: tiny cnn" in list(table["Model"])


def test_a_saved_course_mlp_is_listed_as_fully_connected_not_as_a_cnn(data_dir):
    from explorer.data import datasets
    from explorer.data.types import COURSE_SPLIT
    from explorer.train import recipes, runs, training

    train, test = datasets.split(datasets.load("digits"))
    config = training.TrainConfig(epochs=1, batch_size=64, lr=1e-3, threads=1, seed=0, device="cpu",
                                  optimizer="adam", schedule="constant", augment=False)
    spec = recipes.model_spec("course_mlp", train)
    runs.run(runs.TrainRequest(spec, config, "digits", train, test,
                               COURSE_SPLIT, "my mlp"))
    at = open_comparison()
    at.multiselect(key="baselines_models").set_value(["knn"]).run()
    at.button(key="baselines_run").click().run()
    table = wait_for_results(at, 2)
    assert not at.exception and not at.error
    models = list(table["Model"])
    assert "Fully connected: my mlp" in models and not any(m.startswith("CNN:") for m in models)


def test_on_sign_digits_the_courses_figure_and_the_measured_gap_are_shown(data_dir, monkeypatch,
                                                                          sign_digits_archive):
    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(sign_digits_archive))
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/baselines.py").run()
    at.radio(key="baselines_source").set_value("sign-digits").run()
    at.multiselect(key="baselines_models").set_value(["knn"]).run()
    at.button(key="baselines_run").click().run()
    table = wait_for_results(at, 1, timeout=280)
    assert not at.exception and not at.error
    row = table.iloc[0]
    assert row["Course reported"] == 0.6828
    assert row["Difference (points)"] == round((row["Accuracy"] - 0.6828) * 100, 1)
    text = " ".join(m.value for m in at.markdown)
    assert f"the largest difference is {(row['Accuracy'] - 0.6828) * 100:+.1f} points (kNN (k=3))" in text
    assert "one test photo is 0.24 points" in text
