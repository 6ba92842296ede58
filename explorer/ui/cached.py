"""Loaders shared by every session (st.cache_resource: read-only, one copy per server)."""

from __future__ import annotations

import importlib
import os
import threading
import uuid

import streamlit as st

from explorer import limits
from explorer.data import datasets
from explorer.inspect.shared_results import SharedResults
from explorer.saved import ownership
from explorer.server import jobs, memory, slots
from explorer.ui import device_probe


@st.cache_resource(show_spinner="Loading the dataset (the first time takes a few seconds)…")
def dataset(name: str) -> datasets.Dataset:
    """A named dataset, arrays read-only. Never downloads: raises DatasetUnavailable instead."""
    return datasets.freeze(datasets.load(name, download_missing=False))


def device_line() -> str:
    """The training device (waits for the probe, which also sets torch's thread count)."""
    return device_probe.line(wait=120) or "unknown (torch did not load)"


@st.cache_resource
def warm_optimizers() -> threading.Thread:
    """Import torch._dynamo in the background, once per server.

    Every torch.optim optimizer imports it when it is created: ~1-3 s on 2 cores, which the first
    Train click of the day would otherwise wait for. The default recipe needs none
    (explorer/train/optim.py); the other architectures' recipes do. Pages that train call this
    when they open.
    """
    thread = threading.Thread(target=importlib.import_module, args=("torch._dynamo",),
                              name="warm-optimizers", daemon=True)
    thread.start()
    return thread


@st.cache_resource
def memory_trimmer() -> memory.Trimmer:
    """Once per server, from app.py: cap malloc's arenas (when a launcher did not already set
    MALLOC_ARENA_MAX) and give freed memory back every few seconds (explorer/server/memory.py)."""
    memory.limit_arenas()
    trimmer = memory.Trimmer()
    trimmer.start()
    return trimmer


@st.cache_resource
def shared_results() -> SharedResults:
    """The server's one store of results that do not depend on the session (attribution and
    feature maps, top-k searches, chart specs), bounded by bytes ($CNN_EXPLORER_SHARED_MB), one
    computation for concurrent requests: see explorer/inspect/shared_results.py."""
    mb = os.environ.get("CNN_EXPLORER_SHARED_MB")
    return SharedResults(int(mb) * 2**20 if mb else limits.SHARED_RESULTS_BYTES)


@st.cache_resource
def job_manager() -> jobs.JobManager:
    """The server's one job manager (training and comparisons share its limit). Its slots live in
    the data folder, so app processes sharing that folder (a lecture hall) share the limit too."""
    return jobs.JobManager(slots=slots.SlotPool.shared(jobs.max_jobs()))


def session_id() -> str:
    """A random id for this browser session, so pages show a person their own jobs."""
    if "session_id" not in st.session_state:
        st.session_state["session_id"] = uuid.uuid4().hex
    return st.session_state["session_id"]


TEACHER = "teacher"  # session_state: True once this session gave the teacher's token


def who() -> ownership.Who:
    """This session as an owner of models (and whether it is the teacher's)."""
    return ownership.Who(ownership.owner_tag(session_id()), bool(st.session_state.get(TEACHER)))


def upload_key(upload) -> str:
    """Cache key of an uploaded file or webcam shot: this session's id and Streamlit's random
    upload id. Caches are shared by the whole server; the session id keeps one person's picture
    out of another's cache hits even if two uploads were ever given the same id."""
    return f"{session_id()}:{upload.file_id}"
