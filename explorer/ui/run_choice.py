"""The Train page's list of a student's training runs, each labelled with its state."""

from __future__ import annotations

import streamlit as st

from explorer.server import jobs

CHOSEN = "train_job_id"  # the run to show: the one just submitted, or the one picked here


def pick(mine: list[jobs.Job]) -> jobs.Job:
    """A select box of `mine` ('name (running)', 'name (done)'); returns the run to show.

    The states are part of the labels, and the browser kept showing the label it had selected
    ("... (running)" after that run had ended), so the box is made anew, under a key naming every
    state, whenever one changes; the student's pick is kept in CHOSEN meanwhile.
    """
    ids = [j.id for j in mine]
    labels = {j.id: f"{j.label} ({j.state})" for j in mine}
    key = "train_shown_" + "_".join(j.state for j in mine)
    wanted = st.session_state.get(CHOSEN)
    chosen = st.selectbox("Your training runs", ids, index=ids.index(wanted) if wanted in ids else 0,
                          format_func=labels.get, key=key, on_change=_keep, args=(key,))
    return mine[ids.index(chosen)]


def _keep(key: str) -> None:
    st.session_state[CHOSEN] = st.session_state[key]
