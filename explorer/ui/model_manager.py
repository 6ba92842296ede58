"""The Saved models page's parts: upload, the teacher's sign-in, undo and the trash, unreadable
folders, the list, one model's card and its rename / download / delete actions."""

import json
import re
from datetime import datetime

import streamlit as st
import torch

from explorer import limits
from explorer.models import from_spec
from explorer.saved import ownership, registry
from explorer.saved.registry import SavedModel
from explorer.train import charts, training
from explorer.ui import cached, plain, relabel, tables, train_results, url_state


def upload() -> None:
    """A .safetensors file from this page on another server becomes a saved model here."""
    up = st.file_uploader("Upload a model (.safetensors downloaded from this page)", type=["safetensors"],
                          key="models_upload")
    st.caption(limits.model_caption())
    if up is None or st.session_state.get("models_uploaded") == up.file_id:
        return
    st.session_state["models_uploaded"] = up.file_id  # import each file once, not on every rerun
    try:
        saved = registry.import_bytes(up.getvalue(), owner=cached.who().owner)
    except registry.RegistryError as exc:
        st.error(f"This file was not accepted: {exc}")
        return
    st.session_state["models_pick"] = saved.id  # show the new model (the select box comes later)
    st.success(f"Imported **{plain.md(saved.name)}**.")


def teacher() -> None:
    """The teacher's token (when the server has one) lets this session manage every model."""
    if not ownership.teacher_configured():
        return
    with st.expander("👩‍🏫 Teacher"):
        if st.session_state.get(cached.TEACHER):
            st.caption("You are signed in as the teacher: you may rename, delete and restore every model.")
            return
        token = st.text_input("Teacher's token", type="password", key="models_teacher_token")
        if token and ownership.is_teacher_token(token):
            st.session_state[cached.TEACHER] = True
            st.rerun()
        elif token:
            st.warning("That is not the teacher's token.")


def undo_and_trash(who: ownership.Who) -> None:
    """Undo for this session's last deletion, and the deleted models it may still restore."""
    trashed = registry.trash()
    last = st.session_state.get("models_deleted")
    if last and last[0] in {t.id for t in trashed}:
        c1, c2 = st.columns([4, 1])
        c1.info(f"Deleted **{plain.md(last[1])}**. It stays in the trash for "
                f"{registry.TRASH_SECONDS // 3600} hours.")
        if c2.button("↩️ Undo", key="models_undo"):
            _restore(last[0])
    mine = [t for t in trashed if ownership.may_manage(t.card.owner, who)][:20]
    if not mine:
        return
    with st.expander(f"🗑️ Recently deleted ({len(mine)})"):
        for t in mine:
            c1, c2 = st.columns([4, 1])
            when = datetime.fromtimestamp(t.deleted).strftime("%H:%M")
            c1.text(f"{t.name} (deleted at {when})")
            if c2.button("Restore", key=f"models_restore_{t.id}"):
                _restore(t.id)


def _restore(model_id: str) -> None:
    try:
        back = registry.restore(model_id)
    except registry.RegistryError as exc:
        st.warning(str(exc))
        return
    st.session_state.pop("models_deleted", None)
    st.session_state["models_pick"] = back.id
    st.rerun()


def unreadable(who: ownership.Who) -> None:
    """Model folders whose description fails its checks (saved by an older app, or changed by
    hand): never in a picker, listed here with the reason so they can be deleted."""
    broken = registry.unreadable()
    if not broken:
        return
    with st.expander(f"⚠️ Models that cannot be read ({len(broken)})"):
        st.caption("Their description does not pass the app's checks, so no page opens them.")
        for u in broken[:50]:
            c1, c2 = st.columns([4, 1])
            c1.text(f"{u.id[:80]}: {u.reason[:300]}")
            if ownership.may_manage(u.owner or None, who) and c2.button("🗑️ Delete", key=f"models_delete_broken_{u.id}"):
                try:
                    registry.delete(u.id)
                except registry.RegistryError as exc:
                    st.warning(str(exc))
                st.rerun()


def listing(saved: list[SavedModel]) -> None:
    """One row per saved model."""
    tables.show([{
        "Name": m.name, "Architecture": m.card.title, "Dataset": m.card.dataset,
        "Test accuracy": f"{m.card.test_accuracy or 0:.1%}", "Parameters": f"{m.card.params:,}",
        "Epochs": m.card.epochs, "Created": m.card.created[:16].replace("T", " "),
    } for m in saved])


def pick(saved: list[SavedModel]) -> SavedModel:
    """The model named in the link, else the one picked before (if it still exists); the
    choice goes back into the address."""
    ids = [m.id for m in saved]
    by_id = {m.id: m for m in saved}
    shared = url_state.incoming("model")  # a link names a model by its id
    if shared in ids:
        st.session_state["models_pick"] = shared
    elif shared is not None:
        st.caption("The model named in the link is not on this server.")
    if st.session_state.get("models_pick") not in ids:  # deleted meanwhile, here or elsewhere
        st.session_state.pop("models_pick", None)
    chosen = relabel.select("Model", ids, {i: f"{by_id[i].name} · {by_id[i].card.test_accuracy or 0:.1%} · {i}"
                                           for i in ids}, "models_pick")
    url_state.publish("model", chosen)
    return by_id[chosen]


def card(model: SavedModel) -> None:
    """What the model is: accuracy, size, time, input, data and split, its training curves."""
    c = model.card
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{c.test_accuracy or 0:.1%}")
    cols[1].metric("Parameters", f"{c.params:,}")
    cols[2].metric("Training time", f"{c.train_seconds or 0:.1f} s")
    cols[3].metric("Input", "x".join(map(str, c.input_size)))
    split = ("not recorded" if c.split is None
             else f"{c.split.test_size:.0%} of the images kept for testing (random state {c.split.random_state})")
    st.caption(f"Dataset **{plain.md(c.dataset)}**, classes {plain.md_list(c.classes)}; split: "
               f"{split}; id `{model.id}`" + (" · imported" if c.imported else ""))
    history = list(c.history)
    if history:
        c1, c2 = st.columns(2)
        c1.altair_chart(url_state.readable(charts.curves(history, "loss")), width="stretch")
        c2.altair_chart(url_state.readable(charts.curves(history, "accuracy")), width="stretch")
        if c.test_loss_below_training:
            st.caption(train_results.gap_note(c.augmented, _has_dropout(json.dumps(c.spec, sort_keys=True)),
                                              c.label_smoothing, c.adversarial))


@st.cache_data(max_entries=64, show_spinner=False)
def _has_dropout(spec_json: str) -> bool:
    """Whether the network of a saved spec switches units off in training (built on the meta
    device: no weights allocated); False for a spec that cannot be built."""
    try:
        with torch.device("meta"):
            return training.has_dropout(from_spec.build(json.loads(spec_json)))
    except from_spec.SpecError:
        return False


def actions(model: SavedModel, who: ownership.Who) -> None:
    """Rename and delete (for its owner or the teacher), download (for everyone)."""
    left, middle, right = st.columns(3)
    allowed = ownership.may_manage(model.card.owner, who)
    with left:
        if allowed:
            _rename(model)
        else:
            st.caption("Only the person who trained or uploaded this model (in that browser session) "
                       + ("or the teacher " if ownership.teacher_configured() else "")
                       + "may rename or delete it. Download it to keep your own copy.")
    with middle:
        _download(model)
    with right:
        if allowed:
            _delete(model)


def _rename(model: SavedModel) -> None:
    with st.form("models_rename_form", border=True):
        new_name = st.text_input("New name", model.card.name, max_chars=limits.MODEL_NAME_CHARS,
                                 key=f"models_name_{model.id}")
        if st.form_submit_button("✏️ Rename"):
            try:
                registry.rename(model.id, new_name)
                st.rerun()
            except registry.RegistryError as exc:
                st.warning(str(exc))


def _download(model: SavedModel) -> None:
    try:
        data = registry.export_bytes(model.id)
    except registry.RegistryError as exc:
        st.warning(str(exc))
        return
    fname = (re.sub(r"[^A-Za-z0-9_-]+", "-", model.card.name).strip("-")[:60] or "model") + ".safetensors"
    st.download_button("⬇️ Download", data, file_name=fname, mime="application/octet-stream",
                       key="models_download",
                       help="One .safetensors file: the weights, with the description in its header.")


def _delete(model: SavedModel) -> None:
    sure = st.checkbox("Yes, delete this model", key=f"models_confirm_{model.id}")
    if st.button("🗑️ Delete", disabled=not sure, key="models_delete",
                 help=f"The model goes to the trash; it can be restored for {registry.TRASH_SECONDS // 3600} hours."):
        try:
            registry.delete(model.id)
            st.session_state["models_deleted"] = (model.id, model.name)
        except registry.RegistryError as exc:
            st.warning(str(exc))
        st.rerun()
