"""AppTest of the Train and Saved models pages: settings, builder messages, a run to the end."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from explorer.saved import registry
from explorer.train import training
from explorer.ui.train_results import loss_gap_note
from tests.page_helpers import open_page


def wait_for_job(at: AppTest, timeout: float = 120) -> None:
    from explorer.ui import cached

    assert cached.job_manager().wait_all(timeout)
    at.run()


def test_train_digits_to_the_end_then_see_it_saved(data_dir):
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.slider(key="train_epochs_fastnet").set_value(2).run()
    assert at.slider(key="train_smoothing_fastnet").value == 0.2  # FastNet's default schedule
    assert at.toggle(key="train_bf16_fastnet").value is True  # bfloat16 where the CPU has it (issue 21)
    at.slider(key="train_smoothing_fastnet").set_value(0.15).run()
    name = next(t for t in at.text_input if t.label == "Name of the saved model")
    assert name.value == "fastnet on digits"  # the name follows the dataset (issue #14)
    name.input("my digits net").run()
    at.button(key="train_start").click().run()
    assert not at.exception
    wait_for_job(at)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Epochs"] == "2" and metrics["Test accuracy"].endswith("%")
    assert any("my digits net" in s.value for s in at.success)
    assert any("Misclassified" in s.value or "Every test image" in s.value
               for s in list(at.subheader) + list(at.caption))
    saved = registry.list_models()
    assert [m.card.name for m in saved] == ["my digits net"]
    assert saved[0].card.config["label_smoothing"] == 0.15
    assert saved[0].card.config["bf16"] is True
    # Issue #14: when the test loss sits below the training loss, the page says why.
    below = any(h["test_loss"] < h["train_loss"] for h in saved[0].card.history)
    why = [c.value for c in at.caption if c.value.startswith("Why can the test loss")]
    assert bool(why) == below
    if why:  # FastNet's default has no dropout: the page no longer names it as a reason
        assert "dropout" not in why[0] and "smoothed labels" in why[0]

    at.switch_page("pages/models.py").run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["Name"].tolist() == ["my digits net"]
    # the same curves on Saved models, and the same note (it had none)
    assert [c.value for c in at.caption if c.value.startswith("Why can the test loss")] == why
    at.text_input(key=f"models_name_{saved[0].id}").input("renamed")  # in a form: sent on submit
    next(b for b in at.button if "Rename" in b.label).click().run()
    assert registry.list_models()[0].card.name == "renamed"
    at.checkbox(key=f"models_confirm_{saved[0].id}").check().run()
    at.button(key="models_delete").click().run()
    assert registry.list_models() == []
    assert any("No saved models" in i.value for i in at.info)


def test_builder_explains_a_layer_that_does_not_fit(data_dir):
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.selectbox(key="train_architecture").set_value("custom").run()
    assert not at.exception
    # the default layers pool 2, 2 then 4: fine for 64x64, too much for 8x8 digits
    assert any("does not fit" in w.value and "Layer 12" in w.value for w in at.warning)
    assert at.button(key="train_start").disabled


def test_architecture_too_big_for_the_images_is_explained(data_dir):
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.selectbox(key="train_architecture").set_value("course_cnn").run()
    assert any("too small" in w.value for w in at.warning)
    assert at.button(key="train_start").disabled


def test_divergence_is_explained_on_the_page(data_dir):
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.selectbox(key="train_architecture").set_value("course_mlp").run()
    at.select_slider(key="train_lr_course_mlp").set_value(10.0).run()
    at.selectbox(key="train_optimizer_course_mlp").set_value("sgd").run()
    at.slider(key="train_epochs_course_mlp").set_value(2).run()
    at.button(key="train_start").click().run()
    wait_for_job(at)
    assert not at.exception
    assert any("learning rate" in w.value and "too high" in w.value for w in at.warning)


def test_a_full_server_queues_the_run_and_shows_its_position(data_dir):
    import threading

    from explorer.server import jobs
    from explorer.ui import cached

    manager = cached.job_manager()
    gate = threading.Event()
    blockers = [manager.submit("train", lambda job: gate.wait(60), owner="someone else")
                for _ in range(manager.max_running)]
    try:
        at = open_page("pages/train.py")
        at.radio(key="train_dataset").set_value("digits").run()
        at.button(key="train_start").click().run()
        assert any("position 1 in the queue" in i.value for i in at.info)
        assert any("waiting" in c.value for c in at.caption)  # the others' jobs are counted too
        at.button(key="train_stop").click().run()
        mine = manager.jobs(owner=at.session_state["session_id"])[0]
        assert mine.state == jobs.STOPPED
        at.run()
        assert any("stopped before it started" in i.value for i in at.info)
    finally:
        gate.set()
        for b in blockers:
            b.stop()
        manager.wait_all(30)


def test_every_train_setting_explains_itself():
    """Issue #14: plain-language help on every setting of the Train page."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    widgets = [w for kind in ("slider", "select_slider", "selectbox", "number_input", "toggle", "text_input", "radio")
               for w in getattr(at, kind)]
    missing = [w.label for w in widgets if not (w.help or "").strip()]
    assert len(widgets) >= 12 and not missing, missing


def test_the_time_the_train_page_promises_is_close_to_a_real_run(data_dir, sign_digits_archive, monkeypatch):
    """Issue 21: the page said "about 26 s" for FastNet's default run on Sign Language Digits,
    which trains in about 2 s (one fixed speed for every network). The time shown is now the
    network's own steps timed on this server: within a factor of 3 of a real run here, whatever
    the machine's load (both are measured under it)."""
    import re

    import torch

    from explorer import models
    from explorer.data import datasets
    from explorer.data.types import COURSE_SPLIT
    from explorer.train import recipes, training

    monkeypatch.setenv("CNN_EXPLORER_SIGN_DIGITS", str(sign_digits_archive))
    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("sign-digits").run()
    cost = next(c.value for c in at.caption if c.value.startswith("Estimated cost"))
    promised = float(re.search(r"about (\d+) s", cost).group(1))

    ds = datasets.load("sign-digits")
    train, test = datasets.split(ds, COURSE_SPLIT)
    spec = recipes.model_spec("fastnet", ds)
    config = training.TrainConfig(**recipes.default_schedule("fastnet"), threads=torch.get_num_threads())
    done = list(training.train(config, train, test, models.build(spec["architecture"], **spec["options"])))[-1]
    real = max(done.seconds, 1.0)  # the page rounds below a second up to "1 s"
    assert real / 3 <= promised <= real * 3, (cost, done.seconds)


def test_the_test_loss_note_names_only_what_the_run_did():
    """The note under the curves gave dropout as a reason for runs without it (FastNet's default
    since its dropout went to 0), and augmentation for the course's nets, which train without."""
    plain = training.Started(4, 46, 1484, 413, "CPU", 98_682)
    assert "augmented" not in loss_gap_note(plain) and "dropout" not in loss_gap_note(plain)
    default = replace(plain, augmented=True, label_smoothing=0.2)
    note = loss_gap_note(default)
    assert "augmented (shifted, rotated) pictures and against smoothed labels" in note
    assert "dropout" not in note and "on plain pictures and against the true labels" in note
    every = replace(default, dropout=True)
    assert "pictures, with dropout switching units off and against smoothed" in loss_gap_note(every)
    assert "every unit on" in loss_gap_note(every)
    fooled = loss_gap_note(replace(plain, adversarial=0.3))
    assert "with 30% of each batch's pictures altered to fool the network (FGSM)" in fooled
    assert "measured at the end of the epoch on plain pictures." in fooled
    both = loss_gap_note(replace(default, adversarial=1.0))
    assert "all of each batch's pictures altered" in both and both.count("on plain pictures") == 1


def test_live_charts_join_the_progress_bar_after_two_seconds_of_training(data_dir):
    """Issue 21: a run's first seconds show its progress bar alone (each chart redraw costs the
    browser CPU that a short run needs for itself); once it has trained for
    LIVE_CHARTS_AFTER_SECONDS the loss curves follow it live, beside the Stop button."""
    import time

    from explorer.ui import cached
    from explorer.ui.train_results import LIVE_CHARTS_AFTER_SECONDS

    at = open_page("pages/train.py")
    at.radio(key="train_dataset").set_value("digits").run()
    at.slider(key="train_epochs_fastnet").set_value(40).run()
    # batches of 16: twice the steps. 40 epochs of the digits in batches of 32 trained in 2.6 s on
    # a quick 2-core machine, 0.6 s past LIVE_CHARTS_AFTER_SECONDS: a page run could miss the run
    at.select_slider(key="train_batch_fastnet").set_value(16).run()
    at.button(key="train_start").click().run()
    job = cached.job_manager().jobs(owner=at.session_state["session_id"])[0]
    try:
        while job.last(training.Step) is None and not job.is_finished:  # its first batch
            time.sleep(0.02)
        at.run()  # a redraw of the live view, as the page's timer makes
        step = job.last(training.Step)  # read after the redraw: the redraw saw at most this
        assert not at.exception and at.get("progress")
        if step.seconds < LIVE_CHARTS_AFTER_SECONDS:  # true unless this machine paused us for seconds
            assert not at.get("vega_lite_chart")
        while job.last(training.Step).seconds < LIVE_CHARTS_AFTER_SECONDS and not job.is_finished:
            time.sleep(0.1)
        assert not job.is_finished, "40 epochs of the digits should take longer than this"
        at.run()
        assert at.get("vega_lite_chart") and at.get("progress")  # the curves, live
        assert at.button(key="train_stop")
    finally:
        job.stop()
        assert cached.job_manager().wait_all(60)


def test_a_built_network_with_dropout_after_a_convolution_is_named_in_the_note():
    """The builder's dropout after a convolution is 2-D dropout (whole channels off). The run told
    the page it had no dropout, so the note left it out of why its training loss reads high."""
    from explorer.data import datasets
    from explorer.models import builder
    from explorer.train import training

    train, test = datasets.split(datasets.load("digits"))
    layers = [{"type": "conv", "channels": 4, "kernel": 3, "stride": 1, "padding": 1},
              {"type": "relu"}, {"type": "dropout", "p": 0.3}, {"type": "dense", "units": 10}]
    model = builder.build(layers, train.image_shape, len(train.classes))
    config = training.TrainConfig(epochs=1, batch_size=64, threads=1, device="cpu")
    started = next(training.train(config, train, test, model))
    assert "with dropout switching units off" in loss_gap_note(started)
