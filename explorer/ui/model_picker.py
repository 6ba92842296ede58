"""The Inspect pages' model picker: saved models usable here, a shared link's model, and
"train the default net now" when there is none."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.models import cost
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.server import jobs
from explorer.train import estimate, recipes, runs, training
from explorer.ui import cached, model_choice, plain, url_state
from explorer.ui.model_cache import load_model, model_cost

CHOSEN = "inspect_model_id"  # session_state: the model last chosen on any Inspect page
TRAIN_JOB = "inspect_train_job"  # session_state: id of the default-net job this session started


@dataclass(frozen=True, eq=False)
class Picked:
    id: str
    model: torch.nn.Module  # a PixelModel: input (N, C, H, W) in [0, 1]
    card: ModelCard

    @property
    def classes(self) -> list[str]:
        return list(self.card.classes)

    @property
    def input_size(self) -> tuple[int, int, int]:
        return self.card.input_size


def _label(saved: registry.SavedModel) -> str:
    return model_choice.label(saved)  # names the dataset and whether its pictures are here


def model_picker(prefix: str) -> Picked | None:
    """Choose a saved model; with none saved, offer to train the default net (returns None)."""
    saved = [m for m in registry.list_models() if _usable(m)]
    if not saved:
        train_default_net(prefix)
        return None
    ids = [m.id for m in saved]
    labels = {m.id: _label(m) for m in saved}
    shared_model(prefix, ids)
    # Prefers a model whose test pictures are on this server, and says why when none is.
    index, note = model_choice.default_index(saved, st.session_state.get(CHOSEN))
    model_id = st.selectbox("Model", ids, index=index, format_func=labels.get, key=f"{prefix}_model")
    if note and st.session_state.get(f"{prefix}_model") == ids[index]:
        st.caption(note)
    st.session_state[CHOSEN] = model_id
    url_state.publish("model", model_id)
    try:
        model, card = load_model(model_id)
        cost.check_model(model_cost(model_id), card.input_size)  # saved before the server had bounds
    except (registry.RegistryError, cost.TooCostly) as exc:
        st.error(f"This model cannot be opened: {exc}")
        return None
    if not any(isinstance(m, torch.nn.Conv2d) for m in model.modules()):
        st.warning("This model has no convolution layer, so there are no filters, feature maps or "
                   "Grad-CAM to show. Pick a convolutional model (or train one).")
        return None
    return Picked(model_id, model, card)


def opened_first() -> registry.SavedModel | None:
    """The model a new session's Inspect pages open (None when no usable model is saved)."""
    saved = [m for m in registry.list_models() if _usable(m)]
    return saved[model_choice.default_index(saved, None)[0]] if saved else None


def shared_model(prefix: str, ids: list[str]) -> None:
    """Choose the model a link names (?model=<id>) when it is one of `ids`; a link to a model
    this server does not have opens the usual one, with a note."""
    shared = url_state.incoming("model")
    if shared is None:
        return
    if shared in ids:
        st.session_state[CHOSEN] = st.session_state[f"{prefix}_model"] = shared
    else:
        st.caption("The model named in the link is not on this server; showing another one.")


def _usable(saved: registry.SavedModel) -> bool:
    """Convolutional models only: the Inspect pages have nothing to show for an MLP."""
    return saved.card.architecture != "course_mlp"


def train_default_net(prefix: str) -> None:
    """An offer to train FastNet in the background (job manager), then a live progress.

    The offer (a note and its button) goes as soon as its job is submitted: the progress's
    reruns redraw only the progress, so a button drawn in the click's run would stay, clickable
    and doing nothing, for the whole training."""
    job = _my_job()
    offer = st.empty()
    if job is None:
        with offer.container():
            st.info("There is no trained model yet. Train the fast default net now: it takes "
                    "seconds, then every Inspect page can open it up.")
            clicked = st.button("🏋️ Train the default net now (a few seconds)", key=f"{prefix}_train",
                                type="primary")
        if clicked:
            try:
                job = _submit_default()
            except (estimate.TooCostly, jobs.JobRefused) as exc:
                st.warning(str(exc))
    if job is not None:
        offer.empty()
        _progress(job)


def _my_job():
    job_id = st.session_state.get(TRAIN_JOB)
    return next((j for j in cached.job_manager().jobs(owner=cached.session_id()) if j.id == job_id), None)


def _submit_default():
    try:
        name, ds = "sign-digits", cached.dataset("sign-digits")
    except datasets.DatasetError:
        name, ds = "digits", cached.dataset("digits")
    train, test = datasets.split(ds, COURSE_SPLIT)
    arch = recipes.DEFAULT_MODEL
    request = runs.TrainRequest(
        recipes.model_spec(arch, ds), training.TrainConfig(**recipes.default_schedule(arch)), name,
        train, test, COURSE_SPLIT, recipes.default_name(arch, name), owner=cached.who().owner)
    job = runs.submit(cached.job_manager(), request, owner=cached.session_id())
    st.session_state[TRAIN_JOB] = job.id
    return job


@st.fragment(run_every=0.5)
def _progress(job) -> None:
    if job.state == "queued":
        st.info(f"Waiting for a free training slot (position {job.queue_position()} in the queue)…")
        return
    if job.state == "failed":
        st.error(f"Training failed: {plain.md(job.error)}")
        return
    end = job.last(training.EpochEnd)
    if not job.is_finished:
        frac = end.epoch / end.epochs if end else 0.0
        text = (f"Training the default net: epoch {end.epoch}/{end.epochs}, test accuracy "
                f"{end.test_accuracy:.1%}" if end else "Training the default net…")
        st.progress(frac, text=text)
        return
    outcome = job.result
    if outcome is None or outcome.saved is None:
        st.warning("Training stopped before an epoch finished, so nothing was saved. Try again.")
        return
    st.session_state[CHOSEN] = outcome.saved.id
    st.session_state.pop(TRAIN_JOB, None)
    st.rerun(scope="app")
