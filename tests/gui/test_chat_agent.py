"""Agent mode in the chat: the turn runs in the real agent engine against the real local server,
its steps are saved with the message and shown again when the chat is reopened."""

from __future__ import annotations

import pytest

from app.core import protocol
from app.core.chat_store import ChatStore

pytestmark = pytest.mark.slow


def test_agent_turn_runs_against_the_local_server(main_window, home_with_model, qtbot):
    ctx = main_window.ctx
    ctx.serve._engine_choice = "transformers"
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    panel.side.mode.setCurrentIndex(panel.side.mode.findData("agent"))
    assert panel.side.agent_box.isVisible() and panel.side.max_steps.value() == 6
    panel.side.max_steps.setValue(3)
    panel.side.max_tokens.setValue(24)
    panel.side.temperature.setValue(0.0)
    panel.send("What is 12 times 7?")
    session = panel.store.get_session(panel.session.id)
    assert session.mode == "agent" and session.params["max_steps"] == 3
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    answer = ChatStore(ctx.db).messages(panel.session.id)[-1]
    # the 135M model rarely calls a tool; the loop must still end cleanly with an answer
    assert answer.status == "complete", answer.meta
    assert answer.meta["mode"] == "agent" and answer.content.strip()
    ctx.serve.shutdown()


def test_agent_steps_are_saved_and_shown_again(main_window, qtbot):
    """The worker turns engine events into steps; they are in the database and in the transcript."""
    from app.workers.agent_turn import AgentTurn

    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    session = panel.new_session()
    store = panel.store
    store.add_message(session.id, "user", "What is 12 times 7?")
    msg = store.add_message(session.id, "assistant", "", status="streaming", meta={"label": "SmolLM2"})
    turn = AgentTurn(store, msg.id, base_url="http://127.0.0.1:9/v1", api_key="k", model="m", messages=[],
                     system="", kbs=[], folders=[], approved=[], params={})
    for ev in (protocol.Delta(step=1, text="Let me calculate."),
               protocol.ToolCall(step=1, id="c1", name="calculator", args={"expression": "12*7"}),
               protocol.ToolResult(step=1, id="c1", name="calculator", ok=True, text="84"),
               protocol.Delta(step=2, text="12 times 7 is 84.")):
        turn._on_event(ev)
    saved = store.get_message(msg.id)
    assert [s["type"] for s in saved.meta["steps"]] == ["thought", "tool_call", "tool_result"]
    assert saved.meta["steps"][1]["args"] == {"expression": "12*7"}

    from app.workers.engine_process import Outcome

    turn._req_path = panel.ctx.db.path.parent / "no-such-request.json"
    turn._result = {"answer": "12 times 7 is 84.", "citations": []}
    turn._on_finished(Outcome("completed", exit_code=0, done_event=protocol.Done(status="completed")))
    panel.open_session(session.id)
    text = panel.transcript_text()
    assert "12 times 7 is 84." in text and "Tool steps: 1" in text
    link = f"steps:{msg.id}"
    from PySide6.QtCore import QUrl

    panel._link(QUrl(link))  # expand: the call and its result are shown
    text = panel.transcript_text()
    assert "calculator" in text and "Result: 84" in text


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen: no window manager
def test_long_term_memory_is_ticked_per_chat_and_its_entries_open_from_the_pane(main_window, qtbot):
    from app.core.memory_store import MemoryStore
    from app.workers.agent_turn import AgentTurn

    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    panel.side.mode.setCurrentIndex(panel.side.mode.findData("agent"))
    session = panel.new_session()
    assert not panel.side.memory.isChecked()  # off until the user asks for it
    panel.side.memory.setChecked(True)
    assert panel.store.get_session(session.id).params["memory"] is True
    other = panel.new_session()  # a new chat carries the setting over, like the sampling ones
    assert panel.store.get_session(other.id).params["memory"] is True
    panel.side.memory.setChecked(False)
    panel.open_session(session.id)
    assert panel.side.memory.isChecked()

    turn = AgentTurn(panel.store, 1, base_url="http://127.0.0.1:9/v1", api_key="k", model="m", messages=[],
                     system="", kbs=[], folders=[], approved=[], params={}, memory=True)
    assert turn.request["memory"] is True

    MemoryStore(main_window.ctx.db).put("Prefers answers in Chinese", source="agent")
    panel.side.memory_button.click()
    dialog = panel.memory_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.table.item(0, 0).text() == "Prefers answers in Chinese"
    dialog.reject()
