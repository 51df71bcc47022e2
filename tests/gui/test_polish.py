"""Everyday polish: the unexpected-error dialog, toasts, job notifications, shortcuts, Help dialogs."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app.views import exception_hook, shortcuts
from app.views.main_window import PANEL_KEYS
from app.views.toast import active_toasts, show_toast
from app.workers.engine_process import Outcome

# Dialogs shown under the offscreen test platform: it cannot resize or raise windows and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def error_hook(main_window):
    """Our hook, in place of pytest-qt's for this test only (pytest-qt puts its own back after)."""
    exception_hook.install(main_window)
    yield
    exception_hook.uninstall()


def _dialogs(cls_name: str) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if type(w).__name__ == cls_name and w.isVisible()]


def _boom() -> None:
    raise RuntimeError("boom in a slot, token=hf_abcdefghijklmnopqrstuvwxyz123456")


# --- unexpected errors ---------------------------------------------------------------------------

def test_a_storm_of_slot_errors_shows_one_friendly_dialog_and_the_app_goes_on(qtbot, main_window, error_hook,
                                                                               ai_home):
    for _ in range(3):
        QTimer.singleShot(0, _boom)  # a slot that raises: Qt calls it from the event loop
    qtbot.waitUntil(lambda: exception_hook.current_dialog() is not None
                    and exception_hook.current_dialog().more == 2)
    dialog = exception_hook.current_dialog()
    assert _dialogs("ErrorDialog") == [dialog]  # three errors, one dialog
    assert dialog.windowTitle() == "Something went wrong"
    assert "keeps running" in dialog.body.text()
    assert "2 more" in dialog.more_label.text()

    dialog.copy_btn.click()
    copied = QApplication.clipboard().text()
    assert "RuntimeError: boom in a slot" in copied and "Traceback" in copied
    assert "hf_abcdefghijklmnopqrstuvwxyz123456" not in copied  # secrets masked in what is copied

    log_text = (ai_home / "logs" / "app.log").read_text(encoding="utf-8")
    assert log_text.count("RuntimeError: boom in a slot") == 3  # every one, in full, in the log
    assert "_boom" in log_text
    assert "hf_abcdefghijklmnopqrstuvwxyz123456" not in log_text

    dialog.close_btn.click()
    assert exception_hook.current_dialog() is None
    main_window.show_panel("projects")  # still alive and working
    assert main_window.current_panel_key() == "projects"

    QTimer.singleShot(0, _boom)  # the next error gets a dialog again
    qtbot.waitUntil(lambda: exception_hook.current_dialog() is not None)


def test_an_error_in_a_python_thread_reaches_the_dialog(qtbot, main_window, error_hook):
    def work() -> None:
        raise ValueError("failed in a worker thread")

    t = threading.Thread(target=work)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: exception_hook.current_dialog() is not None)
    assert "ValueError: failed in a worker thread" in exception_hook.current_dialog().details_text
    assert exception_hook.current_dialog().parent() is main_window


def test_pytest_qt_capture_still_sees_errors_when_our_hook_is_not_installed(qtbot, main_window):
    """The GUI tests' own safety net is untouched: the hook is installed by run_gui, not by the window."""
    with qtbot.capture_exceptions() as caught:
        QTimer.singleShot(0, _boom)
        qtbot.waitUntil(lambda: len(caught) == 1)
    assert exception_hook.current_dialog() is None


# --- toasts --------------------------------------------------------------------------------------

def test_toasts_stack_never_take_focus_and_fade_away(qtbot, main_window):
    main_window.show_panel("projects")
    main_window.activateWindow()
    field = main_window.panel("projects").findChild(QLineEdit)
    if field is None:
        field = QLineEdit(main_window.panel("projects"))
        field.show()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)

    first = show_toast(main_window, "Saved", ms=60_000)
    second = show_toast(main_window, "Copied to the clipboard", ms=50)
    assert active_toasts(main_window) == [first, second]
    assert field.hasFocus() and main_window.isActiveWindow()  # typing goes on
    assert first.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert first.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    # Both inside the window, bottom-right, not on top of each other.
    for toast in (first, second):
        assert main_window.rect().contains(toast.geometry())
    assert not first.geometry().intersects(second.geometry())
    assert second.geometry().bottom() > first.geometry().bottom()  # the newest at the bottom

    qtbot.waitUntil(lambda: active_toasts(main_window) == [first], timeout=5000)  # faded and gone
    assert first.isVisible()
    first.fade_out()
    qtbot.waitUntil(lambda: active_toasts(main_window) == [], timeout=5000)


# --- notifications when long jobs end ------------------------------------------------------------

def test_notification_channel_follows_where_the_user_is():
    from app.views.notify import choose_channel

    assert choose_channel(window_active=True, tray_available=True) == "toast"
    assert choose_channel(window_active=True, tray_available=False) == "toast"
    assert choose_channel(window_active=False, tray_available=True) == "tray"
    assert choose_channel(window_active=False, tray_available=False) == "alert"


def _make_inactive(qtbot, window) -> QWidget:
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(lambda: other.isActiveWindow() and not window.isActiveWindow())
    return other


def test_finished_training_notifies_with_the_run_name(qtbot, main_window, tmp_path):
    run_dir = tmp_path / "run-notify"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(
        '{"base_model": "tiny", "method": "lora", "name": "Poems v2"}', encoding="utf-8")
    manager = main_window.ctx.runs
    info = manager.store.register(run_dir, name="Poems v2", status="running")

    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    manager.run_finished.emit(info.id, Outcome(status="completed"))
    channel, title, text = main_window.notifier.last
    assert (channel, title) == ("toast", "Training finished")
    assert "Poems v2" in text
    assert any("Poems v2" in t.text() for t in active_toasts(main_window))

    _make_inactive(qtbot, main_window)
    manager.run_finished.emit(info.id, Outcome(status="failed", last_error="CUDA out of memory"))
    channel, title, text = main_window.notifier.last
    # Offscreen Qt has no system tray: the toast waits in the window and the taskbar asks for attention.
    assert channel == ("tray" if main_window.notifier.tray_available() else "alert")
    assert title == "Training failed" and "CUDA out of memory" in text

    before = main_window.notifier.last
    manager.run_finished.emit(info.id, Outcome(status="interrupted"))  # found dead at start: not news
    assert main_window.notifier.last == before


def test_finished_indexing_notifies_when_the_window_is_in_the_background(qtbot, main_window):
    main_window.panel("knowledge")
    _make_inactive(qtbot, main_window)
    main_window.ctx.kb_jobs.finished.emit("Docs", Outcome(status="completed"), 0)
    channel, title, _text = main_window.notifier.last
    assert title == "Indexing finished"
    assert channel in ("tray", "alert")


# --- shortcuts and Help --------------------------------------------------------------------------

def test_shortcut_table_matches_the_sidebar_and_has_no_clashes():
    panel_keys = [shortcuts.panel_key(sc) for sc in shortcuts.SHORTCUTS if shortcuts.panel_key(sc)]
    assert panel_keys == [k for k in PANEL_KEYS if k in panel_keys]  # in sidebar order
    assert len(panel_keys) == 9
    assert [sc.keys for sc in shortcuts.SHORTCUTS[:9]] == [f"Ctrl+{i}" for i in range(1, 10)]
    for scope in ("window", "chat"):
        keys = [sc.keys for sc in shortcuts.SHORTCUTS if sc.scope in ("window", scope)]
        assert len(keys) == len(set(keys)), keys
    for action in ("chat.new", "chat.send", "chat.stop", "chat.compare"):
        assert not shortcuts.key_sequence(action).isEmpty()


def test_keyboard_switches_panels_collapses_sidebar_and_opens_help(qtbot, main_window):
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    qtbot.keyClick(main_window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_panel_key() == "datasets"
    qtbot.keyClick(main_window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_panel_key() == "settings"
    qtbot.keyClick(main_window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert main_window.current_panel_key() == "dashboard"

    qtbot.keyClick(main_window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert main_window.sidebar_collapsed
    assert main_window.sidebar.width() < 64
    assert main_window.sidebar.item(1).text() == "" and main_window.sidebar.item(1).toolTip() == "Projects"
    main_window.sidebar_toggle.click()  # the button does the same
    assert not main_window.sidebar_collapsed and main_window.sidebar.item(1).text() == "Projects"

    qtbot.keyClick(main_window, Qt.Key.Key_F1)
    dialog = main_window._shortcuts_dialog
    qtbot.waitUntil(dialog.isVisible)
    rows = [tuple(dialog.table.item(r, c).text() for c in range(3)) for r in range(dialog.table.rowCount())]
    assert len(rows) == len(shortcuts.SHORTCUTS)
    assert ("Ctrl+3", "Anywhere", "Show the Datasets panel") in rows
    assert ("Ctrl+B", "Anywhere", "Collapse or expand the sidebar") in rows
    assert ("Ctrl+N", "In Chat", "New chat") in rows
    assert ("Esc", "In Chat", "Stop generating") in rows
    assert ("Ctrl+Shift+C", "In Chat", "Compare two models side by side") in rows
    assert any(r[0] == "Ctrl+Return" and r[2] == "Send the message" for r in rows)


def test_about_lists_app_and_engine_versions_without_importing_them(qtbot, main_window):
    from importlib import metadata

    from app import __version__
    from app.core import vllm_runtime
    from app.views.app import heavy_modules_loaded

    heavy_before = set(heavy_modules_loaded())
    dialog = main_window.show_about()
    qtbot.waitUntil(lambda: "checking…" not in dialog.text(), timeout=30_000)
    text = dialog.text()
    assert f"AI Platform: {__version__}" in text
    assert f"Transformers: {metadata.version('transformers')}" in text
    assert f"PEFT: {metadata.version('peft')}" in text
    assert f"LangGraph: {metadata.version('langgraph')}" in text
    assert f"LlamaIndex: {metadata.version('llama-index-core')}" in text
    assert "PyTorch: " + metadata.version("torch") in text
    runtime = vllm_runtime.runtime_info()
    if runtime["found"]:
        assert f"vLLM runtime: {runtime['version']}" in text
    else:
        assert "vLLM runtime: not found" in text
    assert set(heavy_modules_loaded()) == heavy_before  # versions without importing the engines

    dialog.copy_btn.click()
    assert QApplication.clipboard().text() == text
