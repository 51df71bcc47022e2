"""Settings: theme/threads persist, the token goes to the keyring or is refused clearly."""

from __future__ import annotations

import json

import pytest

from app.core import paths, secrets
from app.views import settings_panel as sp


@pytest.fixture
def panel(main_window):
    main_window.show_panel("settings")
    return main_window.panel("settings")


def saved(ai_home):
    return json.loads((ai_home / "settings.json").read_text(encoding="utf-8"))


def test_language_combo_switches_whole_window(panel, main_window, ai_home):
    panel.language.setCurrentIndex(panel.language.findData("zh_CN"))
    assert main_window.sidebar.item(main_window.sidebar.count() - 1).text() == "设置"  # Settings is last
    assert panel.header.title.text() == "设置"
    assert saved(ai_home)["language"] == "zh_CN"
    panel.language.setCurrentIndex(panel.language.findData("en"))
    assert panel.header.title.text() == "Settings"


def test_theme_and_threads_persist(panel, ai_home):
    panel.theme.setCurrentIndex(panel.theme.findData("dark"))
    panel.threads.setValue(3)
    data = saved(ai_home)
    assert data["theme"] == "dark" and data["cpu_threads"] == 3
    assert data["schema_version"] >= 2


def test_data_folder_shows_env_override(panel, ai_home):
    assert panel.data_folder.text() == str(ai_home)
    assert not panel.change_folder.isEnabled()
    assert "AI_PLATFORM_HOME" in panel.folder_note.text()


def test_token_goes_to_keyring_never_to_disk(panel, memory_keyring, ai_home):
    panel._update_token_status()
    panel.token.setText("hf_secretvalue123")
    panel.save_token.click()
    assert memory_keyring.store[(secrets.SERVICE, secrets.HF_TOKEN)] == "hf_secretvalue123"
    assert panel.token.text() == ""
    assert "hf_…23" in panel.token_status.text()
    for f in ai_home.rglob("*"):
        if f.is_file():
            assert b"hf_secretvalue123" not in f.read_bytes(), f
    panel.remove_token.click()
    assert (secrets.SERVICE, secrets.HF_TOKEN) not in memory_keyring.store
    assert "No token stored" in panel.token_status.text()


def test_no_keyring_says_so_and_offers_session_only(panel, no_keyring, monkeypatch, ai_home):
    errors = []
    monkeypatch.setattr(sp, "show_error", lambda parent, title, text: errors.append(text))
    panel._update_token_status()
    assert "No system keyring was found" in panel.token_status.text()
    assert not panel.session_only.isHidden()
    panel.token.setText("hf_abcdefghijk")
    panel.save_token.click()
    assert errors and "not saved" in errors[0]
    assert secrets.get_secret(secrets.HF_TOKEN) is None

    panel.session_only.setChecked(True)
    panel.token.setText("hf_abcdefghijk")
    panel.save_token.click()
    try:
        assert secrets.get_secret(secrets.HF_TOKEN) == "hf_abcdefghijk"
        assert "for this session only" in panel.token_status.text()
        assert saved(ai_home)["secret_storage"] == "session"
        for f in ai_home.rglob("*"):
            if f.is_file():
                assert b"hf_abcdefghijk" not in f.read_bytes(), f
    finally:
        secrets.delete_secret(secrets.HF_TOKEN)


def test_change_data_folder_writes_pointer_for_next_start(panel, monkeypatch, tmp_path):
    monkeypatch.delenv("AI_PLATFORM_HOME")
    target = tmp_path / "elsewhere"
    target.mkdir()
    monkeypatch.setattr(sp.QFileDialog, "getExistingDirectory", lambda *a, **k: str(target))
    monkeypatch.setattr(sp.QMessageBox, "information", lambda *a, **k: None)
    panel._change_folder()
    assert paths.pointer_file().read_text(encoding="utf-8").strip() == str(target.resolve())
    assert paths.home() == target.resolve()
