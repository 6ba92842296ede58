"""The browser remembers its last training run, so a reload shows its results again.

A reload starts a new Streamlit session with a new random session id, and the Train page,
which lists the runs of its own session, lost a finished run's curves and confusion matrix
(issue #14). The run's id and its owner's session id go into a cookie of this browser (a
day long, this site only); the next session reads it with st.context.cookies and adopts
the run while the server still holds it. The owner's id is random (uuid4), so a cookie
cannot be guessed to open somebody else's run.
"""

from __future__ import annotations

import re

import streamlit as st

COOKIE = "cnn_train_run"
_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,64}:[0-9a-f]{32}$")


def remember(job_id: str, owner: str) -> None:
    """Store job_id:owner in this browser (only when it changed: the script is a no-op then)."""
    value = f"{job_id}:{owner}"
    if not _VALUE.match(value) or st.session_state.get("_run_remembered") == value:
        return
    st.session_state["_run_remembered"] = value
    st.html(f"<script>document.cookie = '{COOKIE}={value}; path=/; max-age=86400; SameSite=Lax';</script>",
            unsafe_allow_javascript=True)


def recall() -> tuple[str, str] | None:
    """(job id, owner) from this browser's cookie, or None."""
    try:
        raw = st.context.cookies.get(COOKIE)
    except Exception:  # no cookies outside a browser session (AppTest, bare mode)
        return None
    if not isinstance(raw, str) or not _VALUE.match(raw):
        return None
    job_id, owner = raw.split(":")
    return job_id, owner
