"""Who may rename and delete saved models (the session that made them, or the teacher), and a
deletion that can be undone: Saved models through AppTest, the rules through explorer.saved.ownership."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from explorer.models import builder, from_spec
from explorer.saved import ownership, registry
from explorer.saved.model_card import ModelCard
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
LAYERS = [{"type": "conv", "channels": 4, "kernel": 3, "padding": 1}, {"type": "relu"}]


def save(name: str, owner: str | None) -> registry.SavedModel:
    spec = builder.spec(LAYERS, [1, 8, 8], 10)
    meta = {"name": name, "architecture": "custom", "spec": spec, "dataset": "digits",
            "split": {"test_size": 0.2, "random_state": 8}, "classes": [str(i) for i in range(10)],
            "input_size": [1, 8, 8], "normalisation": {"mean": [0.3], "std": [0.4]}, "test_accuracy": 0.5}
    if owner is not None:
        meta["owner"] = owner
    return registry.save(from_spec.build(spec), ModelCard.from_json(meta))


def saved_models_page(session: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["session_id"] = session
    at.run()
    at.switch_page("pages/models.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def keys(at: AppTest, kind: str) -> set[str]:
    return {w.key for w in at.get(kind) if getattr(w, "key", None)}


def test_a_student_cannot_rename_or_delete_another_students_model(data_dir):
    theirs = save("their model", ownership.owner_tag("session of student a"))
    at = saved_models_page("session of student b")
    model_select(at).set_value(theirs.id).run()
    assert "models_delete" not in keys(at, "button") and f"models_name_{theirs.id}" not in keys(at, "text_input")
    assert any("Only the person who trained or uploaded" in c.value for c in at.caption)
    assert [m.id for m in registry.list_models()] == [theirs.id]


def test_the_owner_deletes_then_undoes(data_dir):
    mine = save("my model", ownership.owner_tag("my session"))
    at = saved_models_page("my session")
    at.checkbox(key=f"models_confirm_{mine.id}").check().run()
    at.button(key="models_delete").click().run()
    assert registry.list_models() == [] and [t.id for t in registry.trash()] == [mine.id]
    assert any("Deleted" in i.value and "my model" in i.value for i in at.info)
    at.button(key="models_undo").click().run()
    assert not at.exception
    assert [m.id for m in registry.list_models()] == [mine.id] and registry.trash() == []


def test_the_teacher_manages_every_model_and_others_restore_nothing(data_dir, monkeypatch):
    monkeypatch.setenv(ownership.TEACHER_ENV, "correct horse battery staple")
    theirs = save("their model", ownership.owner_tag("session of student a"))
    cli = save("from the command line", None)
    student = saved_models_page("session of student b")
    model_select(student).set_value(cli.id).run()
    assert "models_delete" not in keys(student, "button")  # ownerless: the teacher's, once one is set
    student.text_input(key="models_teacher_token").input("guess").run()
    assert any("not the teacher's token" in w.value for w in student.warning)

    teacher = saved_models_page("the teacher's laptop")
    teacher.text_input(key="models_teacher_token").input("correct horse battery staple").run()
    model_select(teacher).set_value(theirs.id).run()
    teacher.checkbox(key=f"models_confirm_{theirs.id}").check().run()
    teacher.button(key="models_delete").click().run()
    assert [m.id for m in registry.list_models()] == [cli.id]
    student.run()  # the student sees no trash of someone else's model to restore
    assert not any(k.startswith("models_restore_") for k in keys(student, "button"))
    teacher.run()
    assert f"models_restore_{theirs.id}" in keys(teacher, "button")


def test_the_rules():
    a, b = ownership.Who(ownership.owner_tag("a")), ownership.Who(ownership.owner_tag("b"))
    assert ownership.may_manage(a.owner, a) and not ownership.may_manage(a.owner, b)
    assert not ownership.may_manage(a.owner, ownership.Who(""))
    assert ownership.may_manage(a.owner, ownership.Who("", teacher=True))
    assert ownership.owner_tag("a") != "a" and len(ownership.owner_tag("a")) == 32


def test_the_owner_never_leaves_the_server(data_dir):
    mine = save("mine", ownership.owner_tag("s"))
    data = registry.export_bytes(mine.id)
    assert ownership.owner_tag("s").encode() not in data
    again = registry.import_bytes(data, owner=ownership.owner_tag("t"))
    assert again.card.owner == ownership.owner_tag("t")


def model_select(at):
    """The Saved models picker (keyed by its labels, so a rename redraws it: explorer/ui/relabel.py)."""
    return next(s for s in at.selectbox if s.label == "Model")
