"""ProjectStore on a real database in the temp home."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC

import pytest
from sqlalchemy import select

from app.core.db import open_database
from app.core.db.models import ChatSession, Dataset, Run
from app.core.errors import UserError
from app.core.projects import Project, ProjectStore


@pytest.fixture
def db():
    database = open_database()
    yield database
    database.close()


@pytest.fixture
def store(db):
    return ProjectStore(db)


def test_create_returns_a_frozen_snapshot(store):
    p = store.create("  Customer bot  ", "  answers tickets ")
    assert isinstance(p, Project)
    assert (p.name, p.description, p.archived) == ("Customer bot", "answers tickets", False)
    assert p.id > 0
    assert p.created_at.tzinfo is UTC and p.created_at == p.updated_at
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]
    assert store.get(p.id) == p


def test_crud(store):
    p = store.create("alpha")
    renamed = store.rename(p.id, " beta ")
    assert renamed.name == "beta" and renamed.updated_at > p.updated_at
    described = store.set_description(p.id, "fine-tunes for support")
    assert described.description == "fine-tunes for support"
    assert store.archive(p.id).archived is True
    assert store.archive(p.id, archived=False).archived is False
    assert store.get(p.id).name == "beta"
    store.delete(p.id)
    assert store.list(include_archived=True) == []


def test_unicode_names(store):
    p = store.create("客服机器人", "中文数据集")
    assert store.list(search="机器")[0].id == p.id
    with pytest.raises(UserError) as info:
        store.create("客服机器人")
    assert info.value.code == "project.name_taken"


def test_persists_across_close_and_reopen(db, store):
    a = store.create("one", "first")
    store.archive(store.create("two").id)
    db.close()
    with open_database() as again:
        reopened = ProjectStore(again)
        assert reopened.get(a.id) == a
        assert [p.name for p in reopened.list(include_archived=True)] == ["two", "one"]


def test_list_newest_change_first(store):
    a = store.create("a")
    b = store.create("b")
    c = store.create("c")
    assert [p.name for p in store.list()] == ["c", "b", "a"]
    store.set_description(a.id, "touched")
    assert [p.name for p in store.list()] == ["a", "c", "b"]
    store.rename(b.id, "b2")
    assert [p.id for p in store.list()] == [b.id, a.id, c.id]


def test_unchanged_update_keeps_the_order(store):
    a = store.create("a", "same")
    store.create("b")
    assert store.set_description(a.id, "same").updated_at == a.updated_at
    assert store.rename(a.id, "a").updated_at == a.updated_at
    assert [p.name for p in store.list()] == ["b", "a"]


def test_search_is_case_insensitive_over_name_and_description(store):
    store.create("Support Bot", "answers tickets")
    store.create("Legal QA", "Contracts and NDAs")
    store.create("Straße", "")
    assert [p.name for p in store.list(search="support")] == ["Support Bot"]
    assert [p.name for p in store.list(search="TICKET")] == ["Support Bot"]
    assert [p.name for p in store.list(search="nda")] == ["Legal QA"]
    assert [p.name for p in store.list(search="STRASSE")] == ["Straße"]  # casefold, not lower()
    assert [p.name for p in store.list(search="  ")] == ["Straße", "Legal QA", "Support Bot"]
    assert store.list(search="nothing like it") == []


def test_archived_are_hidden_unless_asked(store):
    kept = store.create("kept")
    old = store.create("old")
    store.archive(old.id)
    assert [p.id for p in store.list()] == [kept.id]
    assert {p.id for p in store.list(include_archived=True)} == {kept.id, old.id}
    assert store.list(search="old") == []
    assert [p.id for p in store.list(search="old", include_archived=True)] == [old.id]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_name_is_refused(store, name):
    with pytest.raises(UserError, match="A project needs a name.") as info:
        store.create(name)
    assert info.value.code == "project.name_empty"
    p = store.create("ok")
    with pytest.raises(UserError) as info:
        store.rename(p.id, name)
    assert info.value.code == "project.name_empty"
    assert store.get(p.id).name == "ok"


def test_too_long_name_is_refused(store):
    with pytest.raises(UserError) as info:
        store.create("x" * 201)
    assert info.value.code == "project.name_too_long" and info.value.params == {"max": 200}
    assert store.create("x" * 200).name == "x" * 200


def test_duplicate_names_ignore_case(store):
    store.create("Alpha")
    with pytest.raises(UserError) as info:
        store.create(" alpha ")
    err = info.value
    assert str(err) == 'A project named "alpha" already exists.'
    assert (err.code, err.params) == ("project.name_taken", {"name": "alpha"})
    assert len(store.list()) == 1


def test_rename_checks_other_names_but_not_its_own(store):
    a = store.create("Alpha")
    store.create("Beta")
    with pytest.raises(UserError) as info:
        store.rename(a.id, "BETA")
    assert info.value.code == "project.name_taken"
    assert store.rename(a.id, "ALPHA").name == "ALPHA"  # only the case changes


def test_archived_names_are_still_taken(store):
    store.archive(store.create("old").id)
    with pytest.raises(UserError) as info:
        store.create("Old")
    assert info.value.code == "project.name_taken"


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get(999),
        lambda s: s.rename(999, "x"),
        lambda s: s.set_description(999, "x"),
        lambda s: s.archive(999),
        lambda s: s.delete(999),
    ],
)
def test_unknown_id_is_a_user_error(store, call):
    with pytest.raises(UserError) as info:
        call(store)
    assert info.value.code == "project.not_found" and info.value.params == {"id": 999}


def test_deleted_ids_are_not_reused(store):
    a = store.create("a")
    store.delete(a.id)
    assert store.create("b").id > a.id


def test_delete_detaches_but_keeps_datasets_runs_and_chats(db, store):
    doomed = store.create("doomed")
    other = store.create("other")
    with db.session() as s:
        ds = Dataset(project_id=doomed.id, name="d", path="/data/d.jsonl", shape="alpaca")
        s.add(ds)
        s.flush()
        s.add(
            Run(id="run-1", project_id=doomed.id, dataset_id=ds.id, name="r", method="qlora",
                base_model="m", run_dir="/runs/run-1")
        )
        s.add(ChatSession(project_id=doomed.id, title="chat"))
        s.add(ChatSession(project_id=other.id, title="other chat"))

    store.delete(doomed.id)

    with db.session() as s:
        assert s.scalars(select(Dataset.project_id)).all() == [None]
        run = s.get(Run, "run-1")
        assert run.project_id is None and run.dataset_id is not None  # only the project link goes
        assert sorted(s.execute(select(ChatSession.title, ChatSession.project_id)).all()) == [
            ("chat", None),
            ("other chat", other.id),
        ]
    assert [p.id for p in store.list()] == [other.id]


def test_user_error_survives_pickling():
    err = UserError("A project needs a name.", code="project.name_empty", params={"a": 1})
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.code, back.params, back.args) == (str(err), err.code, err.params, err.args)
