"""Long-term memory on the app database: what the agent saves comes back, is found by its words,
can be edited and deleted, and survives reopening the database."""

from __future__ import annotations

import pytest

from app.core.db import open_database
from app.core.errors import UserError
from app.core.memory_store import MemoryStore


@pytest.fixture
def db(ai_home):
    database = open_database()
    yield database
    database.close()


def test_round_trip_survives_reopening(ai_home):
    with open_database() as db:
        saved = MemoryStore(db).put("The user's name is Li Wei.")
    with open_database() as db:
        store = MemoryStore(db)
        assert store.get(saved.id).text == "The user's name is Li Wei."
        assert [e.id for e in store.list()] == [saved.id]


def test_same_fact_twice_is_one_entry(db):
    store = MemoryStore(db)
    a = store.put("Prefers short answers")
    b = store.put("  Prefers   short answers ")
    assert a.id == b.id and len(store.list()) == 1


def test_search_by_text_english_and_chinese(db):
    store = MemoryStore(db)
    store.put("The user's dog is called Biscuit.")
    store.put("用户住在上海")
    store.put("The user works on a Rust compiler.")
    assert [e.text for e in store.search("what is my dog called?")][0] == "The user's dog is called Biscuit."
    assert [e.text for e in store.search("我住在哪里？上海")] == ["用户住在上海"]
    assert store.search("quantum chromodynamics") == []


def test_edit_and_delete(db):
    store = MemoryStore(db)
    entry = store.put("Lives in Berlin")
    edited = store.edit(entry.id, "Lives in Munich")
    assert edited.id == entry.id and store.get(entry.id).text == "Lives in Munich"
    assert store.search("Berlin") == []
    assert store.delete(entry.id) is True
    assert store.get(entry.id) is None and store.delete(entry.id) is False
    with pytest.raises(UserError) as err:
        store.edit(entry.id, "x")
    assert err.value.code == "memory.not_found"


def test_refuses_empty_and_clear_keeps_other_namespaces(db):
    with pytest.raises(UserError) as err:
        MemoryStore(db).put("   ")
    assert err.value.code == "memory.empty"
    MemoryStore(db).put("one")
    MemoryStore(db).put("two")
    MemoryStore(db, namespace="other").put("kept")
    assert MemoryStore(db).clear() == 2
    assert MemoryStore(db).list() == []
    assert [e.text for e in MemoryStore(db, namespace="other").list()] == ["kept"]
