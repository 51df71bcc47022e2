"""A remote OpenAI-compatible endpoint in place of a local engine: the key lives in the keyring, a
wrong key is a chat message with a next step (not a frozen window), the right key streams."""

from __future__ import annotations

import pytest

from app.core import protocol
from app.core.chat_store import ChatStore
from tests.helpers import serve as h

pytestmark = pytest.mark.slow


@pytest.fixture
def remote(tmp_path, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1"],
                       tmp_path / "remote-home")
    try:
        yield live.wait_for(protocol.Result).data
    finally:
        live.close()


def test_remote_endpoint_wrong_key_then_right_key(main_window, memory_keyring, remote, qtbot):
    main_window.show_panel("settings")
    group = main_window.panel("settings").chat_engines
    base = remote["base_url"].removesuffix("/v1")  # "/v1" is added when missing
    assert group.add({"name": "Cluster", "base_url": base, "model": remote["model"], "api_key": "wrong-key"})
    assert group.list.count() == 1 and "Cluster" in group.list.item(0).text()
    # the key is in the keyring, not in the settings file
    settings_text = (main_window.ctx.db.path.parent / "settings.json").read_text(encoding="utf-8")
    assert "wrong-key" not in settings_text and remote["base_url"] in settings_text
    # Check: every endpoint asked for its models off the GUI thread; the answer on its row
    assert group.add({"name": "Gone", "base_url": "http://127.0.0.1:9/v1", "api_key": "k"})
    group.check_btn.click()
    assert not group.check_btn.isEnabled() and "checking…" in group.list.item(0).text()
    qtbot.waitUntil(lambda: group.check_btn.isEnabled(), timeout=30_000)
    rows = {group.list.item(i).data(0x0100): group.list.item(i).text() for i in range(group.list.count())}
    # it is up and refuses the key: said as such, not as "not reachable"
    assert "answers, but refused" in rows["Cluster"] and "API key" in rows["Cluster"].split("but refused")[1]
    assert "not reachable" in rows["Gone"] and "check the address" in rows["Gone"]
    assert "engine is not running" not in rows["Gone"]
    group.list.setCurrentRow(1)
    group.remove_selected()

    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    remote_index = next(i for i, t in enumerate(panel.targets) if t.kind == "remote")
    panel.model.setCurrentIndex(remote_index)
    panel.side.max_tokens.setValue(8)
    panel.send("hello")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=120_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "error" and answer.meta["error_code"] == "chat.auth"
    assert "Settings → Chat engines" in panel.transcript_text()
    assert panel.engine_state.text().startswith("Remote endpoint")

    main_window.show_panel("settings")
    assert group.add({"name": "Cluster", "base_url": remote["base_url"], "model": remote["model"],
                      "api_key": remote["api_key"]})
    group.check_btn.click()
    qtbot.waitUntil(lambda: group.check_btn.isEnabled(), timeout=30_000)
    health = group.health["Cluster"]
    assert health["ok"] and health["models"] == [remote["model"]] and health["latency_ms"] > 0
    assert "up, 1 model(s)" in group.list.item(0).text() and " ms" in group.list.item(0).text()
    main_window.ctx.set_language("zh_CN")
    assert "在线" in group.list.item(0).text() or "个模型" in group.list.item(0).text()
    main_window.ctx.set_language("en")
    main_window.show_panel("chat")
    panel.send("hello")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=120_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "complete" and answer.content.strip(), answer.meta
    assert not [e for e in panel.ctx.serve.engines() if e.engine != "remote"]  # no local engine was started
