"""The chat panel against a real engine (the transformers serve engine on the bundled model)."""

from __future__ import annotations

import json

import pytest

from app.core.chat_store import ChatStore

pytestmark = pytest.mark.slow


@pytest.fixture
def chat(main_window, home_with_model, qtbot):
    ctx = main_window.ctx
    ctx.serve._engine_choice = "transformers"  # vLLM's 30 s start is covered by the engine tests
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    yield panel
    ctx.serve.shutdown()


def wait_done(qtbot, panel, timeout=240_000):
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=timeout)


def test_streams_an_answer_into_the_database_with_stats(chat, qtbot):
    panel = chat
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(24)
    ids = panel.send("What is the capital of France?")
    assert len(ids) == 1
    # the engine loads on demand with a progress bar, then streams
    qtbot.waitUntil(lambda: panel.engine_progress.isVisible() or not panel.answers.jobs, timeout=20_000)
    seen_partial = []
    panel.ctx.serve.ready.connect(lambda key: seen_partial.append(key))
    wait_done(qtbot, panel)
    store = ChatStore(panel.ctx.db)
    msgs = store.messages(panel.session.id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    answer = msgs[1]
    assert answer.status == "complete", answer.meta
    assert answer.content.strip()
    stats = answer.meta["stats"]
    assert stats["completion_tokens"] > 0 and stats["ttft_s"] > 0 and stats["tokens_per_s"] > 0
    # the transcript shows the answer and its stats; the session took its title from the question
    assert answer.content.strip()[:20] in panel.transcript_text()
    assert "tokens/s" in panel.transcript_text()
    assert panel.sessions.item(0).text().startswith("What is the capital")
    assert panel.engine_state.text().startswith("Ready")

    # regenerate replaces the answer; greedy decoding gives the same text back
    new_ids = panel.regenerate(answer.id)
    wait_done(qtbot, panel)
    msgs2 = store.messages(panel.session.id)
    assert [m.id for m in msgs2][1] == new_ids[0] and len(msgs2) == 2
    assert msgs2[1].content == answer.content

    # edit-and-resend drops the old turn
    panel.edit_message(msgs2[0].id)
    assert panel.input.toPlainText() == "What is the capital of France?"
    panel.input.setPlainText("Say hello.")
    panel.send()
    wait_done(qtbot, panel)
    msgs3 = store.messages(panel.session.id)
    assert [m.role for m in msgs3] == ["user", "assistant"]
    assert msgs3[0].content == "Say hello."

    # export both ways
    md = panel.export_session(panel.session.id, "md", str(panel.ctx.db.path.parent / "chat.md"))
    js = panel.export_session(panel.session.id, "json", str(panel.ctx.db.path.parent / "chat.json"))
    assert "## User" in md.read_text(encoding="utf-8") and "Say hello." in md.read_text(encoding="utf-8")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]


def test_stop_keeps_the_partial_answer(chat, qtbot):
    panel = chat
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(400)
    panel.send("Write a long story about a dragon.")
    qtbot.waitUntil(lambda: any(len(t) > 5 for t in panel.live.values()), timeout=240_000)
    panel.stop()
    wait_done(qtbot, panel, timeout=60_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "interrupted" and answer.meta.get("interrupted_by") == "user"
    assert len(answer.content) > 5
    assert "Stopped by you" in panel.transcript_text()


def test_engine_not_running_is_a_message_with_a_next_step(chat, qtbot):
    panel = chat
    panel.side.max_tokens.setValue(8)
    panel.send("hello")
    wait_done(qtbot, panel)
    # kill the engine behind the chat's back: the next answer is an error message, not a frozen window
    info = panel.ctx.serve.engines()[0]
    import os
    import signal

    os.killpg(os.getpgid(info.pid), signal.SIGKILL)
    qtbot.waitUntil(lambda: panel.ctx.serve.engines()[0].state == "failed", timeout=30_000)
    assert "failed" in panel.engine_state.text().lower()
    assert panel.load_btn.isVisible()
