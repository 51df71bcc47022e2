"""Chat sessions and messages in the real database: search, history per compare slot, edits,
crash recovery, exports."""

from __future__ import annotations

import json

import pytest

from app.core.chat_store import ChatStore
from app.core.db.database import open_database
from app.core.errors import UserError


@pytest.fixture
def store(ai_home):
    db = open_database()
    yield ChatStore(db)
    db.close()


def test_title_search_and_missing_session(store):
    a = store.create_session(system_prompt="Be brief.")
    store.add_message(a.id, "user", "How tall is the Velmora bridge? " * 3)
    b = store.create_session()
    store.add_message(b.id, "user", "hello")
    assert store.get_session(a.id).title.startswith("How tall is the Velmora bridge?")
    assert len(store.get_session(a.id).title) <= 48
    assert [s.id for s in store.list_sessions("velmora")] == [a.id]
    assert [s.id for s in store.list_sessions("100%_")] == []  # LIKE wildcards are literal
    with pytest.raises(UserError) as err:
        store.add_message(999, "user", "x")
    assert err.value.code == "chat.no_session"
    store.delete_session(a.id)
    with pytest.raises(UserError):
        store.get_session(a.id)


def test_history_keeps_each_compare_slot_and_skips_errors(store):
    s = store.create_session(system_prompt="Be brief.")
    u1 = store.add_message(s.id, "user", "Q1")
    store.add_message(s.id, "assistant", "A1 from A", meta={"slot": "A", "pair": u1.id})
    store.add_message(s.id, "assistant", "A1 from B", meta={"slot": "B", "pair": u1.id})
    u2 = store.add_message(s.id, "user", "Q2")
    store.add_message(s.id, "assistant", "", status="error", meta={"error": "boom"})
    assert store.history(s.id, slot="B") == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q1"},
        {"role": "assistant", "content": "A1 from B"}, {"role": "user", "content": "Q2"}]
    assert store.history(s.id, before=u2.id)[-1] == {"role": "assistant", "content": "A1 from A"}
    assert store.delete_from(s.id, u2.id) == 2
    assert [m.content for m in store.messages(s.id)] == ["Q1", "A1 from A", "A1 from B"]


def test_streaming_answers_become_interrupted_after_a_crash(store):
    s = store.create_session()
    store.add_message(s.id, "user", "Q")
    m = store.add_message(s.id, "assistant", "", status="streaming")
    store.update_message(m.id, content="partial ans")
    assert store.recover_interrupted() == 1
    got = store.get_message(m.id)
    assert (got.status, got.content, got.meta["interrupted_by"]) == ("interrupted", "partial ans", "crash")
    assert store.recover_interrupted() == 0


def test_exports(store):
    s = store.create_session(model="default")
    store.add_message(s.id, "user", "When was it built?")
    store.add_message(s.id, "assistant", "In 1893 [1].",
                      meta={"citations": [{"n": 1, "file": "/docs/bridge.md", "page": 2}]})
    md = store.export_markdown(s.id)
    assert "## User" in md and "In 1893 [1]." in md and "[1] /docs/bridge.md, p. 2" in md
    data = json.loads(store.export_json(s.id))
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"] and data["model"] == "default"
