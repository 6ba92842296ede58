"""Train page, part 2: following a job live, then its results."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer import jobs
from explorer.pictures import render
from explorer.train import charts, recipes, training
from explorer.ui import navigation

POLL_SECONDS = 1.0
TEST_BELOW_TRAIN = (
    "Why can the test loss sit below the training loss? The training loss is averaged over the "
    "epoch's batches while the network was still learning, on augmented (shifted, rotated) "
    "pictures, with dropout switching units off and label smoothing asking for less certainty. "
    "The test loss is measured at the end of the epoch on plain pictures with every unit on. "
    "It is not a sign that something is wrong.")


def _history(job: jobs.Job) -> list[dict]:
    return [e.row() for e in list(job.events) if isinstance(e, training.EpochEnd)]


def _curves(job: jobs.Job, epochs: int | None) -> None:
    history = _history(job)
    steps = [(e.epoch - 1 + e.step / e.steps, e.loss) for e in list(job.events) if isinstance(e, training.Step)]
    cols = st.columns(3)
    if steps:
        cols[0].altair_chart(charts.step_loss(steps[-2000:]), width="stretch")
    if history:
        cols[1].altair_chart(charts.curves(history, "loss", epochs), width="stretch")
        cols[2].altair_chart(charts.curves(history, "accuracy", epochs), width="stretch")
        if any(h["test_loss"] < h["train_loss"] for h in history):
            st.caption(TEST_BELOW_TRAIN)
    elif steps:
        cols[1].info("The loss and accuracy on the test images appear after the first epoch.")


def progress(job: jobs.Job) -> tuple[float, str]:
    """(fraction done, 'epoch 3/10 · 12 s elapsed · about 30 s left') from the job's events."""
    started = job.last(training.Started)
    step = job.last(training.Step)
    if started is None or step is None:
        return 0.0, "Preparing the data and the model…"
    total = started.epochs * started.steps_per_epoch
    done = (step.epoch - 1) * started.steps_per_epoch + step.step
    frac = min(done / total, 1.0)
    left = step.seconds * (total - done) / max(done, 1)
    return frac, (f"Epoch {step.epoch}/{started.epochs} · step {step.step}/{started.steps_per_epoch} · "
                  f"{step.seconds:.0f} s elapsed · about {left:.0f} s left")


def live(job: jobs.Job) -> None:
    """Progress of a queued or running job, redrawn every POLL_SECONDS until it finishes."""

    @st.fragment(run_every=POLL_SECONDS)
    def _follow():
        if job.is_finished:
            st.rerun()  # the whole page switches to the results
        if job.state == jobs.QUEUED:
            pos = job.queue_position()
            st.info(f"⏳ Waiting for a free training slot: position {pos} in the queue. Training starts "
                    "on its own; you may leave this page meanwhile.")
        else:
            started = job.last(training.Started)
            frac, text = progress(job)
            st.progress(frac, text=text)
            if started:
                held = (f", {started.validation_size} validation images held out of the training data "
                        "(they choose the weights kept if you stop)" if started.validation_size else "")
                st.caption(f"Training {started.params:,} parameters on {started.device}: "
                           f"{started.train_size} training images{held} and {started.test_size} "
                           "test images (never trained on, never used to choose).")
            _curves(job, started.epochs if started else None)
        if st.button("⏹ Stop", key="train_stop", help="Stops after the current batch and keeps the weights "
                     "that scored best on the validation images so far."):
            job.stop()
            st.toast("Stopping… the weights that did best on the validation images are kept.")

    _follow()


def finished(job: jobs.Job) -> None:
    """What a finished job left: its messages, curves, scores and mistakes."""
    if job.state == jobs.FAILED:
        st.error(f"Training failed: {job.error}. Try other settings; the server log has details.")
        return
    out = job.result
    if out is None:  # stopped while still queued
        st.info("This training was stopped before it started.")
        return
    done = out.finished
    if out.diverged is not None:
        st.warning(f"💥 {out.diverged.message}")
    elif done.stopped:
        st.info(f"⏹ {training.stop_message(done)}")
    if out.saved is None:
        st.info("No model was saved: training did not get through an epoch with usable weights.")
        _curves(job, None)
        return
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{done.test_accuracy:.1%}")
    cols[1].metric("Parameters", f"{training.count_params(done.model):,}")
    cols[2].metric("Training time", f"{done.seconds:.1f} s")
    cols[3].metric("Epochs", done.epochs_done)
    st.success(f"💾 Saved as **{out.saved.name}**. Rename, download or delete it under Saved models; "
               "the Inspect pages can open it.")
    navigation.link("pages/models.py")
    _curves(job, None)
    _scores(out, job.id)


def _scores(out, job_id: str) -> None:
    classes = list(out.classes)
    predicted = out.probabilities.argmax(1)
    matrix = recipes.confusion(out.labels, predicted, len(classes))
    per_class = np.diag(matrix) / np.maximum(matrix.sum(1), 1)
    left, right = st.columns([1, 1])
    with left:
        event = st.altair_chart(charts.confusion(matrix, classes), key=f"train_confusion_{job_id}",
                                on_select="rerun", selection_mode=charts.CONFUSION_SELECTION)
    with right:
        st.altair_chart(charts.per_class(per_class, classes), width="stretch")
        _cell_images(out, event, classes, predicted)
    _mistakes(out, classes, predicted)


def _selected_cell(event, classes: list[str]) -> tuple[int, int] | None:
    picked = (event or {}).get("selection", {}).get(charts.CONFUSION_SELECTION) or []
    if not picked:
        return None
    try:
        return classes.index(str(picked[0]["true"])), classes.index(str(picked[0]["predicted"]))
    except (KeyError, ValueError):
        return None


def _cell_images(out, event, classes: list[str], predicted: np.ndarray) -> None:
    cell = _selected_cell(event, classes)
    if cell is None:
        st.caption("👈 Click a cell of the confusion matrix to see its test images.")
        return
    t, p = cell
    idx = np.flatnonzero((out.labels == t) & (predicted == p))
    st.subheader(f"True {classes[t]}, predicted {classes[p]}: {len(idx)} image(s)")
    if len(idx):
        shown = idx[:48]
        imgs = out.images[shown].astype(np.float32) / 255
        st.image(render.mosaic(imgs, ncols=8, scale=render.upscale_factor(imgs.shape[-1], 64)),
                 caption=f"{len(shown)} of {len(idx)}" if len(idx) > len(shown) else None)


def _mistakes(out, classes: list[str], predicted: np.ndarray) -> None:
    wrong = np.flatnonzero(predicted != out.labels)
    st.subheader(f"Misclassified test images ({len(wrong)} of {len(out.labels)})")
    if not len(wrong):
        st.caption("Every test image was classified correctly.")
        return
    wrong = wrong[np.argsort(-out.probabilities[wrong, predicted[wrong]])][:24]  # most confident first
    cols = st.columns(8)
    for n, i in enumerate(wrong):
        probs = out.probabilities[i]
        top = np.argsort(-probs)[:3]
        one = out.images[i:i + 1].astype(np.float32) / 255
        img = render.mosaic(one, 1, pad=0, scale=render.upscale_factor(one.shape[-1], 96))
        caption = (f"true {classes[out.labels[i]]}, predicted {classes[predicted[i]]} · "
                   + ", ".join(f"{classes[k]}: {probs[k]:.0%}" for k in top))
        cols[n % 8].image(img, caption=caption, width="stretch")
