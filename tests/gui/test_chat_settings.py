"""Chat settings that need no engine: the side pane's defaults, the chat-engine settings reaching the
engine's command line, remote endpoint validation."""

from __future__ import annotations

from app.core.chat_store import DEFAULT_PARAMS


def test_side_pane_starts_at_the_defaults_and_the_first_chat_takes_them(main_window):
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    side = panel.side
    assert (side.temperature.value(), side.top_p.value(), side.max_tokens.value()) == (
        DEFAULT_PARAMS["temperature"], DEFAULT_PARAMS["top_p"], DEFAULT_PARAMS["max_tokens"])
    side.max_tokens.setValue(300)
    side.system_prompt.setPlainText("Answer in one sentence.")
    info = panel.new_session()
    assert info.params["max_tokens"] == 300 and info.params["top_p"] == DEFAULT_PARAMS["top_p"]
    assert info.system_prompt == "Answer in one sentence."


def test_gpu_memory_and_context_settings_reach_the_engine(main_window):
    main_window.show_panel("settings")
    group = main_window.panel("settings").chat_engines
    group.gpu_util.setValue(0.8)
    group.max_len.setValue(4096)
    group.tensor_parallel.setValue(2)
    group.pipeline_parallel.setValue(2)
    assert main_window.ctx.settings.gpu_memory_utilization == 0.8
    assert (main_window.ctx.settings.tensor_parallel_size, main_window.ctx.settings.pipeline_parallel_size) == (2, 2)
    serve = main_window.ctx.serve
    key = serve.start("default", engine="transformers")
    try:
        args = serve._engines[key].proc.arguments
        assert args[args.index("--gpu-memory-utilization") + 1] == "0.8"
        assert args[args.index("--max-model-len") + 1] == "4096"
        assert args[args.index("--tensor-parallel-size") + 1] == "2"
        assert args[args.index("--pipeline-parallel-size") + 1] == "2"
        assert "--exit-with-parent" in args
    finally:
        serve.shutdown()


def test_remote_endpoint_with_a_bad_url_is_refused_with_the_reason(main_window, memory_keyring, monkeypatch):
    from app.views import remote_endpoints

    shown = []
    monkeypatch.setattr(remote_endpoints, "show_error", lambda parent, title, text: shown.append(text))
    main_window.show_panel("settings")
    group = main_window.panel("settings").chat_engines
    assert not group.add({"name": "Cluster", "base_url": "ftp://example.com", "api_key": "k"})
    assert "not an http(s) URL" in shown[0] and group.list.count() == 0
    assert group.add({"name": "Cluster", "base_url": "https://example.com", "api_key": "k"})
    assert main_window.ctx.settings.remote_endpoints[0]["base_url"] == "https://example.com/v1"
    group.list.setCurrentRow(0)
    group.remove_selected()
    assert main_window.ctx.settings.remote_endpoints == []


def test_endpoint_dialog_warns_about_plain_http_and_keys_in_the_url(main_window, memory_keyring):
    from app.core import secrets, settings
    from app.views.remote_endpoints import EndpointDialog

    dialog = EndpointDialog(main_window)
    dialog.url.setText("https://gpu.example.com/v1")
    dialog.key.setText("sk-1")
    assert dialog.warning.isHidden()
    dialog.url.setText("http://gpu.example.com:8000/v1")
    assert not dialog.warning.isHidden() and "unencrypted" in dialog.warning.text()
    assert "gpu.example.com" in dialog.warning.text()
    dialog.url.setText("http://127.0.0.1:8000/v1")  # this machine: nothing travels
    assert dialog.warning.isHidden()
    dialog.key.clear()
    dialog.url.setText("https://bob:pw-123@gpu.example.com/v1")
    assert not dialog.warning.isHidden() and "keyring" in dialog.warning.text()
    main_window.ctx.set_language("zh_CN")
    try:
        dialog.update_warning()
        assert "密钥环" in dialog.warning.text()
    finally:
        main_window.ctx.set_language("en")
    dialog.close()
    # Added: the key is in the keyring, the saved URL and settings.json are without it.
    main_window.show_panel("settings")
    group = main_window.panel("settings").chat_engines
    assert group.add({"name": "Cluster", "base_url": "https://bob:pw-123@gpu.example.com/v1"})
    assert main_window.ctx.settings.remote_endpoints[-1]["base_url"] == "https://gpu.example.com/v1"
    assert secrets.get_secret(settings.remote_key_name("Cluster")) == "pw-123"
    assert "pw-123" not in settings.paths.settings_file().read_text(encoding="utf-8")


def test_only_documents_filter_names_a_bad_date_and_keeps_the_last_good_filter(main_window, qtbot):
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    panel.new_session()
    side = panel.side
    side.filter_tags.setText("contract, 2026")
    side.filter_source.setText("legal")
    side._filter_changed()
    good = {"tags": ["contract", "2026"], "source": "legal"}
    assert panel.store.get_session(panel.session.id).params["kb_filter"] == good

    side.filter_after.setText("2026-02-30")
    side._filter_changed()
    assert side.filter_error.isVisibleTo(side) and "2026-02-30" in side.filter_error.text()
    assert "YYYY-MM-DD" in side.filter_error.text()
    side.max_tokens.setValue(200)  # another setting saved meanwhile leaves the filter alone
    assert panel.store.get_session(panel.session.id).params["kb_filter"] == good
    try:
        main_window.ctx.set_language("zh_CN")
        assert "2026-02-30" in side.filter_error.text() and "日期" in side.filter_error.text()
        assert side.filter_label.text() == "仅限文档："
    finally:
        main_window.ctx.set_language("en")
    side.filter_after.setText("2026-01-01")
    side._filter_changed()
    assert not side.filter_error.isVisibleTo(side)
    assert panel.store.get_session(panel.session.id).params["kb_filter"] == dict(good, after="2026-01-01")

    # a new chat starts with the filter shown; a chat saved without one shows none
    info = panel.new_session()
    assert info.params["kb_filter"] == dict(good, after="2026-01-01")
