"""Train page, part 2: following a job live, then its results."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from explorer import limits
from explorer.percent import percent
from explorer.pictures import render
from explorer.saved.model_card import ModelCard
from explorer.server import jobs
from explorer.train import charts, pace, recipes, training
from explorer.ui import navigation, plain, tables, url_state

POLL_SECONDS = 1.0
# Each redraw of the live view then waits this long for the job to end, so the results replace
# it as soon as training is over, not at the next redraw (up to POLL_SECONDS later: most of a
# 1.5 s run). A Stop click is answered after the wait.
FINISH_WAIT_SECONDS = 0.8
# The live charts join the progress bar once a run has trained this long. Each redraw of the
# three charts costs the browser ~0.3 s of CPU; on a 2-core machine that serves the page and
# runs the browser too, a run of a few seconds spent it in its own training (bench/README.md,
# "Train page, round 2"), and its curves would have flashed by before its results replaced them.
LIVE_CHARTS_AFTER_SECONDS = 2.0
# A finished run's summary ("Saved as", its scores) is drawn where the live view was, then the
# page's run draws the rest after this pause: sent at once, the browser laid the charts and
# pictures out before it showed the summary (0.3-0.4 s later with Chromium on a 2-core machine).
SUMMARY_PAINT_SECONDS = 0.25


def loss_gap_note(started: training.Started | None) -> str:
    """Why the test loss can sit below the training loss, naming only what this run did."""
    if started is None:
        return gap_note()
    return gap_note(started.augmented, started.dropout, started.label_smoothing, started.adversarial)


def gap_note(augmented: bool = False, dropout: bool = False, label_smoothing: float = 0.0,
             adversarial: float = 0.0) -> str:
    """The same note from what a run did to its training batches (adversarial: the share of
    every batch swapped for FGSM pictures)."""
    during, at_test = ["while the network was still learning"], []
    if augmented:
        during.append("on augmented (shifted, rotated) pictures")
    if adversarial > 0:
        share = "half" if adversarial == 0.5 else "all" if adversarial == 1 else f"{adversarial:.0%}"
        during.append(f"with {share} of each batch's pictures altered to fool the network (FGSM)")
    if augmented or adversarial > 0:
        at_test.append("on plain pictures")
    if dropout:
        during.append("with dropout switching units off")
        at_test.append("with every unit on")
    if label_smoothing > 0:
        during.append("against smoothed labels that ask for less certainty")
        at_test.append("against the true labels")
    return ("Why can the test loss sit below the training loss? The training loss is averaged over the "
            f"epoch's batches {_listed(during)}. The test loss is measured at the end of the epoch"
            f"{' ' + _listed(at_test) if at_test else ''}. It is not a sign that something is wrong.")


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _history(job: jobs.Job) -> list[dict]:
    return [e.row() for e in list(job.events) if isinstance(e, training.EpochEnd)]


def _curves(job: jobs.Job, epochs: int | None) -> None:
    history = _history(job)
    steps = [(e.epoch - 1 + e.step / e.steps, e.loss) for e in list(job.events) if isinstance(e, training.Step)]
    cols = st.columns(3)
    if steps:
        cols[0].altair_chart(url_state.readable(charts.step_loss(steps[-2000:])), width="stretch")
    if history:
        cols[1].altair_chart(url_state.readable(charts.curves(history, "loss", epochs)), width="stretch")
        cols[2].altair_chart(url_state.readable(charts.curves(history, "accuracy", epochs)), width="stretch")
        if any(h["test_loss"] < h["train_loss"] for h in history):
            st.caption(loss_gap_note(job.last(training.Started)))
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
        slot = st.empty()  # the live view, replaced in place by the results' summary when the run ends
        if not job.is_finished:
            with slot.container():
                _live_view(job)
                stop = st.button("⏹ Stop", key="train_stop", help="Stops after the current batch and keeps "
                                 "the weights that scored best on the validation images so far.")
            if stop:
                job.stop()
                st.toast("Stopping… the weights that did best on the validation images are kept.")
                return
            if not job.wait(FINISH_WAIT_SECONDS):
                return
        # Also when the run ended between two redraws: the page's own run would show "Saved as"
        # only with everything below it (bench/README.md, round 5: "The results' summary where the live view was").
        with slot.container():
            _summary(job)  # the scores and "Saved as" where the live view was
        time.sleep(SUMMARY_PAINT_SECONDS)
        st.rerun()  # the page's run draws the same summary, then the curves and the mistakes

    _follow()


def _live_view(job: jobs.Job) -> None:
    """A queued job's place in the queue, or a running one's progress (and curves after a while)."""
    if job.state == jobs.QUEUED:
        st.info(f"⏳ Waiting for a free training slot: position {job.queue_position()} in the queue. "
                "Training starts on its own; you may leave this page meanwhile.")
        return
    started = job.last(training.Started)
    frac, text = progress(job)
    st.progress(frac, text=text)
    if started:
        held = (f", {started.validation_size} validation images held out of the training data "
                "(they choose the weights kept if you stop)" if started.validation_size else "")
        st.caption(f"Training {started.params:,} parameters on {started.device}: "
                   f"{started.train_size} training images{held} and {started.test_size} "
                   "test images (never trained on, never used to choose).")
    step = job.last(training.Step)
    if step is not None and step.seconds >= LIVE_CHARTS_AFTER_SECONDS:
        _curves(job, started.epochs if started else None)


def finished(job: jobs.Job) -> None:
    """What a finished job left: its messages, curves, scores and mistakes."""
    if _summary(job):
        navigation.link("pages/models.py")
        _curves(job, None)
        _scores(job.result, job.id)


def _summary(job: jobs.Job) -> bool:
    """The top of a finished job's results: why it ended early, its scores and where it was saved.
    False when nothing more follows (it failed, never started or saved no model)."""
    if job.state == jobs.FAILED:
        st.error(f"Training failed: {plain.md(job.error)}. Try other settings; the server log has details.")
        return False
    out = job.result
    if out is None:  # stopped while still queued
        st.info("This training was stopped before it started.")
        return False
    done = out.finished
    if out.diverged is not None:
        st.warning(f"💥 {out.diverged.message}")
    elif done.stopped:
        st.info(f"⏹ {training.stop_message(done)}")
    if out.saved is None:
        st.info("No model was saved: training did not get through an epoch with usable weights.")
        _curves(job, None)
        return False
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{done.test_accuracy:.1%}")
    cols[1].metric("Parameters", f"{training.count_params(done.model):,}")
    cols[2].metric("Training time", f"{done.seconds:.1f} s")
    cols[3].metric("Epochs", done.epochs_done)
    started = job.last(training.Started)
    if started:  # a short run can end before the live view showed where it ran (GPU, a cluster's worker)
        st.caption(f"Trained on {started.device}.")
    _course_pace(job, out.saved.card)
    st.success(f"💾 Saved as **{plain.md(out.saved.name)}**. Rename, download or delete it under Saved models; "
               "the Inspect pages can open it.")
    return True


def _course_pace(job: jobs.Job, card: ModelCard) -> None:
    """For the course's own CNN: its seconds per epoch beside the course's quoted 16-17 s."""
    if card.architecture != pace.COURSE_ARCHITECTURE:
        return
    p = pace.from_history(_history(job))
    started = job.last(training.Started)
    if p is not None:
        st.info(p.sentence(started.device if started else "this machine"))


def _scores(out, job_id: str) -> None:
    classes = list(out.classes)
    predicted = out.probabilities.argmax(1)
    matrix = recipes.confusion(out.labels, predicted, len(classes))
    per_class = np.diag(matrix) / np.maximum(matrix.sum(1), 1)
    if len(classes) > limits.CHART_CLASSES:
        _many_classes(out, job_id, classes, predicted, matrix, per_class)
    else:
        left, right = st.columns([1, 1])
        with left:
            chart = charts.confusion(matrix, classes, cell=url_state.cell(charts.CONFUSION_CELL))
            event = st.altair_chart(url_state.readable(chart), key=f"train_confusion_{job_id}",
                                    on_select="rerun", selection_mode=charts.CONFUSION_SELECTION)
        with right:
            st.altair_chart(url_state.readable(charts.per_class(per_class, classes)), width="stretch")
            cell = _selected_cell(event, classes)
            if cell is None:
                st.caption("👈 Click a cell of the confusion matrix to see its test images.")
            else:
                _cell_images(out, cell, classes, predicted)
    _mistakes(out, classes, predicted)
    _calibration(out)


def _many_classes(out, job_id: str, classes: list[str], predicted: np.ndarray, matrix: np.ndarray,
                  per_class: np.ndarray) -> None:
    """Too many classes to draw one by one: the most frequent confusions and the worst classes
    (what a K x K matrix would show, in a size a browser takes)."""
    n = limits.CHART_CLASSES
    st.caption(f"With {len(classes):,} classes a confusion matrix would have {len(classes) ** 2:,} cells, too many "
               f"to draw: here are the {n} most frequent confusions and the {n} classes recognised worst. "
               f"Mean accuracy per class: {per_class.mean():.1%}.")
    top = recipes.top_confusions(matrix, n)
    left, right = st.columns([1, 1])
    with left:
        rows = [{"true class": classes[t], "predicted": classes[p], "images": c,
                 "share of the class": c / max(matrix[t].sum(), 1)} for t, p, c in top]
        tables.show(rows,
                     column_config={"share of the class": st.column_config.NumberColumn(format="percent")})
        if top:
            pick = st.selectbox("Show the images of", range(len(top)), key=f"train_confusion_pick_{job_id}",
                                format_func=lambda i: f"true {classes[top[i][0]]}, predicted {classes[top[i][1]]}")
    with right:
        worst = np.argsort(per_class, kind="stable")[:n]
        st.altair_chart(url_state.readable(charts.per_class(per_class[worst], [classes[i] for i in worst])), width="stretch")
    if top:
        _cell_images(out, top[pick][:2], classes, predicted)


def _calibration(out) -> None:
    """Reliability diagram and expected calibration error of the kept model on the test split."""
    from explorer.inspect import calibration, trust_charts

    rel = calibration.reliability(out.probabilities, out.labels)
    st.subheader("Does it know when it doesn't know? Calibration on the test split")
    left, right = st.columns([3, 2])
    left.altair_chart(url_state.readable(trust_charts.reliability(rel.confidence, rel.accuracy, rel.counts, rel.edges)), width="stretch")
    right.metric("Expected calibration error", f"{rel.ece:.1%}")
    smoothing = out.saved.card.label_smoothing if out.saved is not None else 0.0
    right.caption(f"Mean confidence {rel.mean_confidence:.1%} against {rel.overall_accuracy:.1%} right. "
                  f"{calibration.summary(rel, smoothing)} Bars: the share right among the test pictures in each "
                  "confidence range; on the dashed diagonal a probability means what it says. The error is the "
                  "pictures-weighted mean gap.")
    navigation.link("pages/confidence.py")


def _selected_cell(event, classes: list[str]) -> tuple[int, int] | None:
    picked = (event or {}).get("selection", {}).get(charts.CONFUSION_SELECTION) or []
    if not picked:
        return None
    try:
        return classes.index(str(picked[0]["true"])), classes.index(str(picked[0]["predicted"]))
    except (KeyError, ValueError):
        return None


def _cell_images(out, cell: tuple[int, int], classes: list[str], predicted: np.ndarray) -> None:
    t, p = cell
    idx = np.flatnonzero((out.labels == t) & (predicted == p))
    st.subheader(f"True {plain.md(classes[t])}, predicted {plain.md(classes[p])}: {len(idx)} image(s)")
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
        caption = (f"true {plain.md(classes[out.labels[i]])}, predicted {plain.md(classes[predicted[i]])} · "
                   + ", ".join(f"{plain.md(classes[k])}: {percent(probs[k])}" for k in top))
        cols[n % 8].image(img, caption=caption, width="stretch")
