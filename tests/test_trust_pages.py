"""AppTest of the "can we trust it" pages (Fooling, Faithful explanations, Does it know?) and of
the Train page's adversarial option and calibration, with small models saved through the
registry; every number on screen is checked against a direct computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from explorer.data import samples
from explorer.inspect import attribution, calibration, faithfulness, ood, pixel_model, robustness
from explorer.percent import percent
from explorer.saved import registry
from explorer.ui import url_state
from tests.conftest import ROOT
from tests.inspect_helpers import digits_split, save_digits_model

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def saved():
    return save_digits_model(epochs=2, name="trust test net")


@pytest.fixture(scope="module")
def model(saved):
    net, card = registry.load(saved.id)
    return pixel_model.wrap(net, card.normalisation).requires_grad_(False)


def open_page(path: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def captions(at: AppTest) -> list[str]:
    return [img.caption for el in at.get("image") for img in el.proto.imgs]


def wait_for_jobs(at: AppTest, timeout: float = 240) -> None:
    from explorer.ui import cached

    assert cached.job_manager().wait_all(timeout)
    at.run()


# ---- Fooling the CNN ------------------------------------------------------------------------

def test_fooling_page_attacks_the_picture_and_draws_the_curve(saved, model):
    at = open_page("pages/fooling.py")
    assert at.selectbox(key="fooling_model").value == saved.id
    test = digits_split()[1]
    # the test picture shown first is #0 of the split; the page's numbers are the model's
    arr, label = test.images[0], int(test.labels[0])
    at.slider(key="fooling_epsilon").set_value(0.3).run()
    direct = robustness.attack(model, arr, label, 0.3, "fgsm")
    caps = captions(at)
    said = int(direct.before.argmax())
    after = int(direct.after.argmax())
    assert f"Original: {said} ({percent(direct.before[said])})" in caps
    assert f"{'Fooled' if direct.succeeded else 'Not fooled'}: {after} ({percent(direct.after[after])})" in caps
    assert any("amplified" in c for c in caps)
    assert len(at.get("image")) == 1 + 3 + 2  # input, (original, change, fooled), 2 saliency overlays
    if direct.succeeded:
        assert any("Fooled: the model now says" in s.value for s in at.success)
    else:
        assert any("Not fooled yet" in w.value for w in at.warning)

    # the accuracy curve over the whole test split, as the table shows it
    table = at.dataframe[0].value
    curve = robustness.accuracy_curve(model, test.images, test.labels)
    assert table["ε"].tolist() == [f"{e:g}" for e in robustness.EPSILONS]
    assert table.iloc[:, 1].tolist() == [f"{a:.1%}" for a in curve.accuracies]
    # the sentence above the table quotes the table's figures (it said "2%" beside "2.5%")
    sentence = next(m.value for m in at.markdown if m.value.startswith("FGSM on all"))
    assert f"({table.iloc[0, 1]})" in sentence and sentence.endswith(f"it is {table.iloc[-1, 1]}.")
    assert any("Train the same net with FGSM examples" in b.label for b in at.button)


def test_an_attack_that_fails_is_not_captioned_fooled(saved, model):
    """Before, the attacked picture read "Fooled: 6 (76%)" under a "Not fooled yet" warning."""
    at = open_page("pages/fooling.py")
    at.slider(key="fooling_epsilon").set_value(0.005).run()
    arr, label = digits_split()[1].images[0], int(digits_split()[1].labels[0])
    direct = robustness.attack(model, arr, label, 0.005, "fgsm")
    assert not direct.succeeded
    after = int(direct.after.argmax())
    caps = captions(at)
    assert f"Not fooled: {after} ({percent(direct.after[after])})" in caps
    assert not any(c.startswith("Fooled") or "fooled picture" in c for c in caps)
    assert any("Not fooled yet" in w.value for w in at.warning)


def test_targeted_pgd_makes_it_say_the_chosen_class(saved, model):
    at = open_page("pages/fooling.py")
    test = digits_split()[1]
    arr = test.images[0]
    goal = (int(test.labels[0]) + 3) % 10
    at.button_group(key="fooling_attack").set_value("pgd").run()
    at.selectbox(key="fooling_goal").set_value(goal).run()
    at.slider(key="fooling_epsilon").set_value(0.3).run()
    assert not at.exception
    direct = robustness.attack(model, arr, goal, 0.3, "pgd", targeted=True, steps=10)
    assert direct.targeted and direct.succeeded  # 8x8 digits give in at 0.3
    assert any(f"says **{goal}**" in s.value for s in at.success)
    after = int(direct.after.argmax())
    assert f"Fooled: {after} ({percent(direct.after[after])})" in captions(at)


def test_defence_trains_the_same_net_with_fgsm_and_compares_the_curves(saved):
    at = open_page("pages/fooling.py")
    before = {m.id for m in registry.list_models()}
    next(b for b in at.button if b.key == "fooling_defend").click().run()
    assert not at.exception
    # the button goes with the click: it would stay, doing nothing, through the training
    assert not any(b.key == "fooling_defend" for b in at.button)
    wait_for_jobs(at)
    at.run()
    new = [m for m in registry.list_models() if m.id not in before]
    assert len(new) == 1 and new[0].card.config["adversarial_epsilon"] == 0.1
    assert new[0].card.spec == saved.card.spec
    at = open_page("pages/fooling.py")
    at.selectbox(key="fooling_model").set_value(saved.id).run()
    assert at.selectbox(key="fooling_compare").value == new[0].id
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["ε", "chosen: plain", "compared: adversarial ε=0.1"]
    net, card = registry.load(new[0].id)
    test = digits_split()[1]
    curve = robustness.accuracy_curve(pixel_model.wrap(net, card.normalisation).requires_grad_(False), test.images, test.labels)
    assert table.iloc[:, 2].tolist() == [f"{a:.1%}" for a in curve.accuracies]
    assert not any(b.key == "fooling_defend" for b in at.button)  # the defence exists now
    for m in new:
        registry.delete(m.id)


# ---- Faithful explanations ------------------------------------------------------------------

def test_faithfulness_table_is_the_curves_of_each_map(saved, model):
    at = open_page("pages/faithfulness.py")
    test = digits_split()[1]
    arr = test.images[0]
    target = next(s for s in at.selectbox if s.key.startswith("faithfulness_target_")).value
    df = at.dataframe[0].value
    assert df["method"].tolist() == [m.title for m in attribution.METHODS.values()]
    x = torch.from_numpy(arr.copy())[None]
    amap = attribution.attribute(model, x, target, "saliency")
    c = faithfulness.curves(model, arr, target, {"s": faithfulness.ranking(amap)})["s"]
    row = df[df["method"] == "Saliency"].iloc[0]
    assert row["deletion area ↓"] == pytest.approx(c.deletion_area, abs=1e-6)
    assert row["insertion area ↑"] == pytest.approx(c.insertion_area, abs=1e-6)
    assert row["infidelity ↓"] == pytest.approx(faithfulness.infidelity_of(model, arr, target, amap), rel=1e-4)
    assert "sensitivity ↓" not in df.columns
    assert any("ranks the pixels best" in i.value for i in at.info)

    at.button_group(key="faithfulness_blank").set_value("blurred").run()
    blurred = faithfulness.curves(model, arr, target, {"s": faithfulness.ranking(amap)},
                                  baseline=faithfulness.blank(arr, "blurred"))["s"]
    row = at.dataframe[0].value.set_index("method").loc["Saliency"]
    assert row["deletion area ↓"] == pytest.approx(blurred.deletion_area, abs=1e-6)
    assert row["insertion area ↑"] == pytest.approx(blurred.insertion_area, abs=1e-6)
    assert blurred.deletion_area != pytest.approx(c.deletion_area, abs=1e-4)  # the blank matters

    at.toggle(key="faithfulness_sensitivity").set_value(True).run()
    df = at.dataframe[0].value
    assert df["sensitivity ↓"].notna().all() and (df["sensitivity ↓"] >= 0).all()
    at.slider(key="faithfulness_sample").set_value(4).run()
    at.toggle(key="faithfulness_average").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe) == 2
    assert any("Over 4 test pictures" in i.value for i in at.info)


# ---- Does it know? --------------------------------------------------------------------------

def test_confidence_page_shows_calibration_and_flags_by_the_threshold(saved, model):
    at = open_page("pages/confidence.py")
    train, test = digits_split()
    probs = pixel_model.probabilities(model, test.images)
    rel = calibration.reliability(probs, test.labels)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected calibration error"] == f"{rel.ece:.1%}"
    assert metrics["Mean confidence"] == f"{rel.mean_confidence:.1%}"
    # trained without label smoothing: the sentence under the metrics does not blame it
    assert saved.card.config["label_smoothing"] == 0.0
    assert calibration.summary(rel) in [c.value for c in at.caption]
    assert not any("smoothing" in c.value for c in at.caption)
    # the default score: the feature distance to the training pictures, threshold on the test split
    g = ood.fit(ood.features(model, train.images), train.labels, 10)
    limit = ood.threshold_of(ood.mahalanobis(g, ood.features(model, test.images)), "mahalanobis")
    assert f"threshold {limit.value:.3g}" in " ".join(c.value for c in at.caption)
    pics = np.stack([pixel_model.prepare(samples.load(n), saved.card.input_size) for n in samples.PHOTOS])
    scores = ood.mahalanobis(g, ood.features(model, pics))
    photos = at.dataframe[0].value
    assert photos["score"].tolist() == [float(f"{s:.4g}") for s in scores]
    assert photos["verdict"].tolist() == ["looks familiar" if s >= limit.value else "flagged: unlike the training pictures"
                                          for s in scores]
    assert (scores < limit.value).all()  # neither photo looks like a handwritten digit
    at.button_group(key="confidence_score").set_value("msp").run()
    assert not at.exception
    with torch.no_grad():
        logits = model(torch.from_numpy(test.images.copy())).numpy()
    msp = ood.threshold(logits, "msp")
    assert f"threshold {msp.value:.3g}" in " ".join(c.value for c in at.caption)


def test_saliency_page_says_whether_the_picture_looks_familiar(saved):
    at = open_page("pages/saliency.py")
    assert any("This looks like a handwritten digit" in c.value for c in at.caption)


# ---- Train page -----------------------------------------------------------------------------

def test_train_with_adversarial_examples_and_see_the_calibration(data_dir):
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.slider(key="train_epochs_fastnet").set_value(2).run()
    at.select_slider(key="train_adversarial_fastnet").set_value(0.1).run()
    next(t for t in at.text_input if t.label == "Name of the saved model").input("defended net").run()
    at.button(key="train_start").click().run()
    wait_for_jobs(at)
    assert not at.exception and not at.error
    (only,) = registry.list_models()
    assert only.card.config["adversarial_epsilon"] == 0.1
    net, card = registry.load(only.id)
    test = digits_split()[1]
    probs = pixel_model.probabilities(pixel_model.wrap(net, card.normalisation), test.images)
    rel = calibration.reliability(probs, test.labels)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected calibration error"] == f"{rel.ece:.1%}"
    assert any("Calibration on the test split" in s.value for s in at.subheader)
    # FastNet's default schedule smooths the labels: the sentence says so, with the run's value
    smoothing = card.config["label_smoothing"]
    assert smoothing > 0 and card.label_smoothing == smoothing
    assert any(calibration.summary(rel, smoothing) in c.value for c in at.caption)


def test_fooling_lesson_from_home_opens_a_targeted_pgd_attack(saved):
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.button(key="lesson_fooling").click().run()
    assert not at.exception and not at.error
    assert at.button_group(key="fooling_attack").value == "pgd"
    assert at.selectbox(key="fooling_goal").value == 7
    assert at.slider(key="fooling_epsilon").value == pytest.approx(0.1)
    assert any("make it say 7" in o for o in at.selectbox(key="fooling_goal").options)


def test_fooling_and_ood_tables_are_large_text_in_presenter_mode(saved):
    """The FGSM table and the photos' table went to st.dataframe directly, whose canvas keeps a
    13 px font in presenter mode; like every other table they now go through tables.show."""
    for path, column in (("pages/fooling.py", "ε"), ("pages/confidence.py", "verdict")):
        at = open_page(path)
        at.session_state[url_state.PRESENT_KEY] = True
        at.run()
        assert not at.exception and not at.dataframe
        assert any(column in t.value.columns for t in at.table)
