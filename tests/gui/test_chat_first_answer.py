"""What a newcomer sees in Chat must be true (the real window, real engines, the bundled SmolLM2-135M):

- agent mode says, before anything is sent, that this model cannot use tools on its engine, and the
  answer says so too (saved with the message, shown in the transcript);
- the first answer's time counts from the Send: "Starting the model… N s" while it waits, then
  "waited N s for the model, first token X s after";
- the chat engine starts ahead of need: when Chat opens (the default), when the app starts, or only
  when a message is sent (Settings → Chat engines).
"""

from __future__ import annotations

import re

import pytest

from app.core.chat_store import ChatStore, MessageInfo

pytestmark = pytest.mark.slow


def wait_done(qtbot, panel, timeout=300_000):
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=timeout)


def test_agent_mode_says_the_bundled_model_uses_tools_as_text(main_window, home_with_model, qtbot):
    ctx = main_window.ctx
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    side = panel.side
    # The selector says it before anything is sent (decided from the chat template and the engine).
    assert "ReAct" in side.mode.itemText(1)
    side.mode.setCurrentIndex(side.mode.findData("agent"))
    assert side.tools_note.isVisible()
    assert "SmolLM2-135M-Instruct cannot call tools natively" in side.tools_note.text()
    side.max_tokens.setValue(24)
    side.temperature.setValue(0.0)
    panel.send("What is 12 times 7? Use the calculator.")
    wait_done(qtbot, panel)
    answer = ChatStore(ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "complete", answer.meta
    assert answer.meta["mode"] == "agent" and answer.content.strip()
    assert [w["code"] for w in answer.meta["warnings"]] == ["agent.react"]
    assert "SmolLM2-135M-Instruct cannot call tools natively" in panel.transcript_text()
    assert "text protocol" in panel.transcript_text()
    side.mode.setCurrentIndex(side.mode.findData("chat"))
    assert not side.tools_note.isVisible()  # the note is about agent mode; the item still says it
    ctx.serve.shutdown()


def test_the_first_answer_counts_from_the_send_and_says_the_wait(main_window, home_with_model, qtbot):
    ctx = main_window.ctx
    ctx.update(chat_preload="send")  # a cold engine at the Send, as with the old behaviour
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    qtbot.wait(200)
    assert ctx.serve.find("default") is None  # "when I send": nothing started on opening
    panel.side.max_tokens.setValue(16)
    panel.side.temperature.setValue(0.0)
    panel.send("Say hello.")
    # While it waits, the seconds count up in the message itself.
    qtbot.waitUntil(lambda: re.search(r"Starting the model… [1-9]\d* s", panel.transcript_text()), timeout=60_000)
    wait_done(qtbot, panel)
    answer = ChatStore(ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "complete", answer.meta
    stats = answer.meta["stats"]
    assert stats["engine_wait_s"] > 1.0 and stats["ttft_s"] > stats["engine_wait_s"]
    assert stats["ttft_s"] >= stats["engine_wait_s"] + stats["server_ttft_s"] - 0.05
    line = re.search(r"waited (\d+) s for the model, first token ([\d.]+) s after", panel.transcript_text())
    assert line, panel.transcript_text()
    assert int(line.group(1)) == round(stats["engine_wait_s"])
    # The next answer does not wait: its stats line is the plain one.
    panel.send("Say hello again.")
    wait_done(qtbot, panel)
    again = ChatStore(ctx.db).messages(panel.session.id)[-1]
    assert again.meta["stats"]["engine_wait_s"] == 0
    assert re.search(r"first token [\d.]+ s", panel.transcript_text())
    ctx.serve.shutdown()


def test_the_chat_engine_starts_ahead_of_need(main_window, home_with_model, qtbot):
    from app.views.app import preload_chat_engine

    ctx = main_window.ctx
    assert ctx.settings.chat_preload == "chat_opens"
    assert preload_chat_engine(ctx) is None  # not "when the app starts"
    main_window.show_panel("chat")
    qtbot.waitUntil(lambda: ctx.serve.find("default") is not None, timeout=5_000)  # opening Chat starts it
    assert ctx.serve.find("default").state in ("loading", "ready")
    ctx.serve.stop("default")

    ctx.update(chat_preload="app_start")
    key = preload_chat_engine(ctx)  # what the app runs after its first paint
    assert key == "default" and ctx.serve.find("default") is not None
    ctx.serve.shutdown()


def test_without_the_model_nothing_starts_and_nothing_fails(main_window, qtbot):
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    qtbot.wait(200)
    assert main_window.ctx.serve.engines() == []  # the bundled model is not prepared: no engine, no error
    assert "Not loaded" in panel.engine_state.text()


def test_chat_engine_settings_say_when_it_starts(main_window):
    main_window.show_panel("settings")
    group = main_window.panel("settings").chat_engines
    assert [group.preload.itemText(i) for i in range(group.preload.count())] == [
        "When Chat opens", "When the app starts", "When I send a message"]
    assert "Transformers" in group.engine.itemText(0)  # what "automatic" does without a GPU
    group.preload.setCurrentIndex(group.preload.findData("send"))
    assert main_window.ctx.settings.chat_preload == "send"


def _message(meta: dict, status: str = "complete") -> MessageInfo:
    from datetime import datetime

    return MessageInfo(id=1, session_id=1, role="assistant", content="Hi", status=status, meta=meta,
                       created_at=datetime.now())


def test_render_says_the_wait_and_the_warnings(qapp):
    from app.views import chat_render

    waited = _message({"stats": {"ttft_s": 12.7, "engine_wait_s": 12.0, "server_ttft_s": 0.6}})
    assert chat_render._stats_line(waited).startswith("waited 12 s for the model, first token 0.70 s after")
    quick = _message({"stats": {"ttft_s": 0.72, "engine_wait_s": 0.0}})
    assert chat_render._stats_line(quick).startswith("first token 0.72 s")
    loading = _message({"phase": "loading", "sent_at": 1000.0}, status="streaming")
    assert chat_render.waiting_text(loading, now=1012.4) == "Starting the model… 12 s"
    warning = {"code": "tools.template_none", "message": "x", "params": {"model": "M", "engine": "vllm"}}
    assert chat_render.warning_text(warning).startswith("M cannot call tools")
    assert chat_render.warning_text({"code": "new.code", "message": "As it came."}) == "As it came."
