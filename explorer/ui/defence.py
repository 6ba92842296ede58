"""The defence on the Fooling page: the same net trained with adversarial examples (a
background training job, like the Train page's), and both accuracy-against-epsilon curves."""

from __future__ import annotations

import dataclasses

import streamlit as st

from explorer.data import datasets
from explorer.data.types import COURSE_SPLIT
from explorer.saved import registry
from explorer.saved.model_card import ModelCard
from explorer.train import recipes, runs, training
from explorer.ui import cached, model_cache, model_picker

JOB = "fooling_defence_job"  # session_state: the id of the adversarial training this session started
DEFENCE_EPSILON = 0.1


def adversarial_epsilon(card: ModelCard) -> float:
    """The FGSM epsilon a saved model was trained with (0: plain training)."""
    eps = card.config.get("adversarial_epsilon", 0.0)
    return float(eps) if isinstance(eps, (int, float)) and not isinstance(eps, bool) else 0.0


def describe(card: ModelCard) -> str:
    """'fastnet on digits (plain training)' / '… (adversarial training, ε = 0.1)'."""
    eps = adversarial_epsilon(card)
    return f"{card.name} ({f'adversarial training, ε = {eps:g}' if eps else 'plain training'})"


def short(card: ModelCard) -> str:
    """'plain' / 'adversarial ε=0.1': how the model was trained, for a narrow table column."""
    eps = adversarial_epsilon(card)
    return f"adversarial ε={eps:g}" if eps else "plain"


def label(saved: registry.SavedModel) -> str:
    return describe(saved.card)


def comparable(picked: model_picker.Picked) -> list[registry.SavedModel]:
    """Other saved convolutional models on the same data (same test split, same classes),
    adversarially trained ones first."""
    m = picked.card
    same = [s for s in registry.list_models() if s.id != picked.id
            and s.card.dataset == m.dataset and s.card.split == m.split
            and s.card.input_size == m.input_size and s.card.classes == m.classes
            and s.card.architecture != "course_mlp"]
    return sorted(same, key=lambda s: adversarial_epsilon(s.card) == 0)


def request(picked: model_picker.Picked, epsilon: float = DEFENCE_EPSILON) -> runs.TrainRequest | None:
    """The chosen model's own training run again, with FGSM examples mixed into every batch."""
    card = picked.card
    ds = model_cache.dataset_of(card)
    if ds is None:
        return None
    split = card.split or COURSE_SPLIT
    train, test = datasets.split(ds, split)
    config = _config(card, epsilon)
    name = f"{card.name} + adversarial ε={epsilon:g}"
    return runs.TrainRequest(card.spec, config, card.dataset, train, test, split, name[:80])


MAX_EPOCHS = 40  # the Train page's largest choice


def _config(card: ModelCard, epsilon: float) -> training.TrainConfig:
    """The saved run's settings with FGSM examples added. A model imported from elsewhere may
    carry settings this app would not choose (or cannot read): then the architecture's default
    schedule, and never more epochs than the Train page offers."""
    fields = {f.name for f in dataclasses.fields(training.TrainConfig)} - {"threads", "device"}
    saved = {k: v for k, v in card.config.items() if k in fields}
    try:
        config = training.TrainConfig(**{**saved, "adversarial_epsilon": float(epsilon)})
    except (TypeError, ValueError):
        config = training.TrainConfig(**recipes.default_schedule(card.architecture),
                                      adversarial_epsilon=float(epsilon))
    return dataclasses.replace(config, epochs=min(config.epochs, MAX_EPOCHS))


def train_button(picked: model_picker.Picked) -> None:
    """Start (or follow) the adversarial training of the chosen net."""
    job = _my_job()
    if job is None:
        if model_cache.dataset_of(picked.card) is None:
            st.caption("The training pictures of this model are not on this machine, so it cannot be retrained here.")
            return
        # In a slot emptied once the job is submitted: the progress's reruns redraw only the
        # progress, and a button left from the click's run would stay clickable all along.
        offer = st.empty()
        if offer.button(f"🛡️ Train the same net with FGSM examples (ε = {DEFENCE_EPSILON:g})", key="fooling_defend"):
            req = request(picked)
            job = runs.submit(cached.job_manager(), req, owner=cached.session_id())
            st.session_state[JOB] = job.id
            offer.empty()
    if job is not None:
        _follow(job)


def _my_job():
    job_id = st.session_state.get(JOB)
    return next((j for j in cached.job_manager().jobs(owner=cached.session_id()) if j.id == job_id), None)


@st.fragment(run_every=1.0)
def _follow(job) -> None:
    if job.state == "queued":
        st.info(f"⏳ Waiting for a free training slot (position {job.queue_position()} in the queue)…")
        return
    if job.state == "failed":
        st.error(f"Training failed: {job.error}")
        return
    if not job.is_finished:
        end = job.last(training.EpochEnd)
        st.progress(end.epoch / end.epochs if end else 0.0,
                    text=f"Adversarial training: epoch {end.epoch}/{end.epochs}, test accuracy {end.test_accuracy:.1%}"
                    if end else "Adversarial training: preparing…")
        return
    st.session_state.pop(JOB, None)
    st.rerun(scope="app")
