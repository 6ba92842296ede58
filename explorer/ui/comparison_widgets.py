"""Widgets of the CNN-vs-classical-ML page: the shared result store, the saved CNNs on offer,
the live progress panel of a running comparison with its Stop button, and the results."""

from __future__ import annotations

import time

import streamlit as st

from explorer.compare import baselines, charts, comparison
from explorer.compare.course_mlp import Schedule
from explorer.compare.results import Result
from explorer.data.types import Dataset, Split
from explorer.server import jobs
from explorer.ui import cached, plain, tables, url_state

KIND = "baselines"


@st.cache_resource
def store() -> comparison.ResultStore:
    """Results of every comparison on this server, per dataset and split."""
    return comparison.ResultStore()


def saved_cnns(ds: Dataset, test: Dataset, split: Split) -> list:
    """Saved CNNs trained on this dataset and split (empty, with a note, if none can be read)."""
    try:
        return baselines.cnn_candidates(ds.name, test, split)
    except (OSError, ValueError) as exc:
        st.warning(f"The saved models could not be read ({exc}); only the baselines are compared.")
        return []


def my_job() -> jobs.Job | None:
    """This person's newest comparison (running or queued first)."""
    mine = cached.job_manager().jobs(owner=cached.session_id(), kind=KIND)
    return mine[0] if mine else None


def start(train: Dataset, test: Dataset, names: list[str], cnns: list, key, label: str) -> jobs.Job:
    work = comparison.work(train, test, names, cnns, store(), key)
    return cached.job_manager().submit(KIND, work, owner=cached.session_id(), label=label)


def options_table() -> list[dict]:
    """What each model is built with, as the course writes it: rows of Model, Built with, Training."""
    s = Schedule()
    mlp = (f"Adam(lr={s.lr:g}, Keras's default), batch {s.batch_size}, {s.epochs} epochs, "
           f"cross-entropy, seed {s.seed}")
    rows = [{"Model": baselines.TITLES[n], "Built with": baselines.CALLS[n], "Training": "fit(X, y)"}
            for n in baselines.CALLS]
    rows.append({"Model": baselines.TITLES["mlp"],
                 "Built with": 'models.build("course_mlp"): pixels-512-512-classes, ReLU, dropout',
                 "Training": mlp})
    return rows


def options_list() -> None:
    """The options as a list, one model a line: as a table the long calls scrolled sideways and
    were cut off at 1400x900 and in presenter mode (issue #14)."""
    st.markdown("\n".join(f"- **{r['Model']}**: `{r['Built with']}`, trained with `{r['Training']}`"
                           for r in options_table()))


def progress_panel(job: jobs.Job) -> None:
    """Live progress (polled every second) with a Stop button; reruns the page when done."""

    @st.fragment(run_every=1.0)
    def panel() -> None:
        if job.is_finished:
            st.rerun(scope="app")
        if job.state == jobs.QUEUED:
            st.info(f"⏳ Waiting for a free slot (position {job.queue_position()} in the queue): "
                    "other people are training on this machine.")
        else:
            _running(job)
        if job.stop_requested:
            st.caption("Stopping after the current step…")
        elif st.button("⏹ Stop", key="baselines_stop"):
            job.stop()
            st.rerun(scope="fragment")

    panel()


def _running(job: jobs.Job) -> None:
    started = job.last(comparison.ModelStarted)
    elapsed = time.time() - (job.started or time.time())
    if started is None:
        st.progress(0.0, text=f"Starting… ({elapsed:.0f} s)")
        return
    frac, detail = (started.index - 1) / started.total, ""
    epoch = job.last(comparison.EpochDone)
    if epoch is not None and epoch.name == started.name:
        frac += epoch.epoch / epoch.epochs / started.total
        detail = f", epoch {epoch.epoch}/{epoch.epochs}, loss {epoch.loss:.3f}"
    st.progress(min(frac, 1.0), text=(
        f"Training **{plain.md(started.title)}** ({started.index} of {started.total}{detail}) · "
        f"{time.time() - started.at:.0f} s on this model · {elapsed:.0f} s in all"))
    done = [e.result for e in job.events if isinstance(e, comparison.ModelDone)]
    if done:
        st.caption("Done: " + ", ".join(f"{plain.md(r.title)} {r.accuracy:.1%}" for r in done))


def finished_note(job: jobs.Job | None) -> None:
    """How this person's last comparison ended, when it did not simply finish."""
    if job is None or not job.is_finished:
        return
    kept = sum(isinstance(e, comparison.ModelDone) for e in job.events)
    if job.state == jobs.STOPPED:
        st.info(f"⏹ Stopped. The {kept} model(s) that finished before the stop are kept below; "
                "run again to measure the rest.")
    elif job.state == jobs.FAILED:
        st.warning(f"The comparison could not finish ({plain.md(job.error)}). The {kept} model(s) that "
                   "finished are kept below.")


def results(rows: list[Result], dataset_name: str) -> None:
    """Bar charts, the table, and the course's figures beside (or below) the measured ones."""
    with_course = dataset_name == comparison.COURSE_DATASET
    left, right = st.columns(2)
    left.altair_chart(url_state.readable(charts.accuracy_chart(rows, with_course)), width="stretch")
    right.altair_chart(url_state.readable(charts.time_chart(rows)), width="stretch")
    table = comparison.table(rows, with_course)
    # Numbers in the table, sentences under it: with the long texts as columns the table
    # scrolled sideways and cut them off (issue #14).
    tables.show([{k: v for k, v in row.items() if k not in TEXTS} for row in table], column_config=_columns())
    with st.expander("What each model keeps of a picture, and how it is built"):
        st.markdown("\n".join(_described(row) for row in table))
    if with_course:
        agreed = comparison.agreement(rows)
        if agreed is not None:
            st.markdown(agreed.sentence())
        st.caption("**Course reported** is the accuracy the course published for the same model "
                   "on Sign Language Digits (quoted from the course, not run here); it is left empty "
                   "for models the course never trained. " + comparison.WHY_DIFFERENT)
    else:
        st.caption("The course's published figures are for Sign Language Digits, so they are not "
                   "put beside results on this dataset:")
        tables.show(comparison.course_table(),
                     column_config={"Course reported accuracy": st.column_config.NumberColumn(format="%.4f")})


TEXTS = ("What it keeps", "Built with", "Notes")  # comparison.table's columns of sentences


def _described(row: dict) -> str:
    """One list item: the model, what it keeps, the call that builds it, its notes."""
    parts = [f"keeps {plain.md(row['What it keeps'])}" if row["What it keeps"] else "",
             f"built with `{str(row['Built with']).replace('`', chr(39))}`" if row["Built with"] else ""]
    notes = f" {plain.md(row['Notes'])}" if row["Notes"] else ""
    return f"- **{plain.md(row['Model'])}**: {'; '.join(p for p in parts if p)}.{notes}"


def _columns() -> dict:
    num = st.column_config.NumberColumn
    return {
        "Accuracy": num(format="%.4f", help="Share of the test images classified correctly"),
        "Course reported": num(format="%.4f", help="The course's published figure (quoted)"),
        "Difference (points)": num(format="%+.1f", help="Measured minus the course's, in percentage points"),
        "Fit (s)": num(format="%.3f", help="Seconds to train on the training split"),
        "Predict (s)": num(format="%.4f", help="Seconds to classify the whole test split"),
        "Parameters": num(format="%d", help="Learned weights, for models that have them"),
    }
