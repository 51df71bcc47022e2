"""The main window: every panel reachable, live language switch."""

from __future__ import annotations

import sys


from app.views.main_window import PANEL_KEYS


def test_pyside_void_calls_keep_none_refcount(qtbot):
    """PySide6 6.12.0 corrupted None's refcount on Python 3.11; 6.11.3 must not."""
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(1000):
        w.update()  # a void method
    assert sys.getrefcount(None) >= before


def test_sidebar_lists_every_panel(main_window):
    texts = [main_window.sidebar.item(i).text() for i in range(main_window.sidebar.count())]
    assert texts == ["Dashboard", "Projects", "Datasets", "Training", "Experiments", "Models", "Chat",
                     "Knowledge", "Workflows", "GPU", "Logs", "Settings"]
    for key in PANEL_KEYS:
        main_window.show_panel(key)
        assert main_window.stack.currentWidget() is main_window.panel(key)
        assert main_window.current_panel_key() == key


def qtbot_wait_language(window):
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()


def test_language_switches_live_and_persists(main_window, ai_home):
    from app.core import settings

    main_window.show_panel("projects")
    main_window.ctx.set_language("zh_CN")
    qtbot_wait_language(main_window)
    assert main_window.windowTitle() == "AI 平台"
    assert main_window.sidebar.item(0).text() == "仪表盘"
    assert main_window.file_menu.title() == "文件(&F)"
    assert main_window.panel("projects").new_btn.text() == "新建项目…"
    assert settings.load().language == "zh_CN"
    main_window.ctx.set_language("en")
    qtbot_wait_language(main_window)
    assert main_window.windowTitle() == "AI Platform"
    assert main_window.panel("projects").new_btn.text() == "New project…"


def test_menu_switches_panels_and_theme(main_window, ai_home):
    from app.core import settings

    main_window.panel_actions[PANEL_KEYS.index("settings")].trigger()
    assert main_window.current_panel_key() == "settings"
    main_window.theme_actions["dark"].trigger()
    assert settings.load().theme == "dark"
    window_colour = main_window.ctx.app.palette().window().color().name()
    assert window_colour == "#171c22"
    main_window.theme_actions["light"].trigger()
    assert main_window.ctx.app.palette().window().color().name() == "#f7f9fb"
