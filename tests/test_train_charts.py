"""The Train page's charts of a run (explorer/train/charts.py)."""

from __future__ import annotations

from explorer.train import charts


def _history(epochs: int) -> list[dict]:
    """Validation and test figures that coincide, as they often do (both are unseen pictures)."""
    return [{"epoch": e, "train_loss": 1 / e, "validation_loss": 0.5 / e, "test_loss": 0.5 / e,
             "train_accuracy": 0.9, "validation_accuracy": 0.95, "test_accuracy": 0.95} for e in range(1, epochs + 1)]


def test_the_validation_line_stays_visible_where_it_meets_the_test_line():
    """Drawn as one line mark, the test line covered the validation line wherever the two sets
    scored alike: a student saw the legend name a validation line the chart did not show."""
    spec = charts.curves(_history(5), "loss", 10).to_dict()
    last = spec["layer"][-1]  # drawn on top of the others
    assert last["mark"]["strokeDash"]  # dashed: the line under it shows through the gaps
    assert last["transform"] == [{"filter": "(datum.set === 'validation')"}]
    below = spec["layer"][0]
    assert below["transform"] == [{"filter": "(datum.set !== 'validation')"}]
    rows = {r["set"] for r in next(iter(spec["datasets"].values()))}
    assert rows == {"train", "validation", "test"}
    assert spec["title"] == "Loss per epoch"


def test_a_run_without_validation_images_draws_train_and_test_only():
    history = [{k: v for k, v in h.items() if not k.startswith("validation")} for h in _history(3)]
    spec = charts.curves(history, "accuracy").to_dict()
    rows = {r["set"] for r in next(iter(spec["datasets"].values()))}
    assert rows == {"train", "test"}
    domain = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain == ["train", "test"]  # no legend entry for a line that is not there
