"""Train a CNN: settings, a background training job followed live, then its results."""

import streamlit as st

from explorer.models import from_spec
from explorer.server import jobs
from explorer.train import cluster, estimate, runs
from explorer.ui import (
    cached,
    data_widgets,
    fresh_place,
    plain,
    run_choice,
    run_memory,
    scroll,
    streamlit_fixes,
    train_results,
    train_settings,
)

streamlit_fixes.install()  # before anything else: see explorer/ui/streamlit_fixes.py

st.title("🏋️ Train a CNN")
st.write(
    "Pick data, an architecture and its hyperparameters, then watch the network learn. Training "
    "runs on the server in the background: you may switch pages or change settings meanwhile, "
    "and the model is saved when it ends."
)
if cluster.scheduler():  # a lecture hall: trainings go to its Dask workers
    st.caption("Training runs on the lecture hall's training cluster (its workers' GPUs or CPUs). A zip of "
               "your own trains on this app's server instead, so its pictures never leave it.")
else:
    st.caption(f"Training device: **{cached.device_line()}** (CUDA when present, else Apple MPS, else the CPU).")

cached.warm_optimizers()
manager = cached.job_manager()
me = cached.session_id()

with st.container(border=True):
    ds = data_widgets.picker("train_dataset", fallback=False)
    if ds is None:
        st.warning("Nothing to train on yet: the dataset you picked is not loaded. Upload your zip "
                   "(or download Sign Language Digits) above, or pick the handwritten digits.")
        request = None
    else:
        request = train_settings.settings(ds, ds.name)
submitted = False
if request is not None:
    try:
        job = runs.submit(manager, request, owner=me)
        st.session_state[run_choice.CHOSEN] = job.id
        st.session_state["train_scroll_to"] = job.id  # its progress, under the button: into view
        submitted = True
    except (estimate.TooCostly, jobs.JobRefused, from_spec.SpecError) as exc:
        st.warning(f"⚠️ {exc}")

# The runs' part of the page. After a Train click the previous run's results leave it at once
# (explorer/ui/fresh_place.py), not greyed piece by piece while the new run trains.
with fresh_place.place("train_runs_place", fresh=submitted):
    mine = manager.jobs(owner=me, kind="train")
    if not mine:  # a reload: this browser's last run, while the server still holds it
        last = run_memory.recall()
        if last is not None:
            mine = [j for j in manager.jobs(owner=last[1], kind="train") if j.id == last[0]]
    if mine:
        st.divider()
        job = run_choice.pick(mine) if len(mine) > 1 else mine[0]
        if st.session_state.pop("train_scroll_to", None) == job.id:
            scroll.here(job.id, key="train_scroll")
        st.subheader(f"Run: {plain.md(job.label)}")
        run_memory.remember(job.id, job.owner)
        if job.is_finished:
            train_results.finished(job)
        else:
            train_results.live(job)

others = [j for j in manager.jobs(kind="train") if not j.is_finished and j.owner != me]
if others:
    st.caption(f"Also training on this server: {sum(j.state == jobs.RUNNING for j in others)} running, "
               f"{sum(j.state == jobs.QUEUED for j in others)} waiting (at most {manager.max_running} at once).")
