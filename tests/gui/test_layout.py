"""Layout: every panel fits the smallest supported window (1024×700) in both languages, nothing is
cut off, the sidebar collapses to icons, and a 4K window is filled rather than left empty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from app.views.main_window import MINIMUM_SIZE, PANEL_KEYS

SMALLEST = QSize(1024, 700)


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _inside_scroll_area(widget: QWidget, panel: QWidget) -> bool:
    """Content inside a scroll area may extend past the view: that is what scrolling is for."""
    w = widget.parentWidget()
    while w is not None and w is not panel:
        if isinstance(w, QAbstractScrollArea):
            return True
        w = w.parentWidget()
    return False


def clipped_children(panel: QWidget) -> list[str]:
    """Visible widgets of ``panel`` that stick out of it or are squeezed below their minimum size."""
    bounds = panel.rect().adjusted(-1, -1, 1, 1)
    problems = []
    for child in panel.findChildren(QWidget):
        if not child.isVisibleTo(panel) or child.isWindow() or _inside_scroll_area(child, panel):
            continue
        rect = QRect(child.mapTo(panel, child.rect().topLeft()), child.size())
        if not bounds.contains(rect):
            problems.append(f"{type(child).__name__} {child.objectName()!r} at {rect.getRect()} "
                            f"outside {panel.rect().getRect()}")
        hint = child.minimumSizeHint()
        if child.layout() is not None and hint.isValid() and (
                child.width() < hint.width() - 1 or child.height() < hint.height() - 1):
            problems.append(f"{type(child).__name__} {child.objectName()!r} squeezed to "
                            f"{child.size().toTuple()} < {hint.toTuple()}")
    return problems


def test_minimum_window_is_the_smallest_supported_size(main_window):
    assert main_window.minimumSize() == MINIMUM_SIZE == SMALLEST


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("collapsed", [False, True])
def test_every_panel_fits_the_smallest_window(qtbot, main_window, language, collapsed):
    main_window.ctx.set_language(language)
    main_window.set_sidebar_collapsed(collapsed)
    main_window.resize(SMALLEST)
    _settle()
    problems = {}
    for key in PANEL_KEYS:
        main_window.show_panel(key)
        _settle()
        panel = main_window.panel(key)
        # The window did not have to grow to hold the panel, and the panel got what it asked for.
        assert main_window.size() == SMALLEST, (key, main_window.size())
        available = main_window.stack.size()
        need = panel.minimumSizeHint()
        assert need.width() <= available.width(), (key, need, available)
        assert need.height() <= available.height(), (key, need, available)
        assert panel.size() == available
        found = clipped_children(panel)
        if found:
            problems[key] = found
    assert not problems, problems


def test_sidebar_collapses_to_icons_and_gives_the_room_to_the_panel(qtbot, main_window):
    main_window.resize(SMALLEST)
    _settle()
    wide = main_window.stack.width()
    main_window.set_sidebar_collapsed(True)
    _settle()
    assert main_window.stack.width() > wide + 100
    for row in range(main_window.sidebar.count()):
        item = main_window.sidebar.item(row)
        assert item.text() == "" and item.toolTip() and not item.icon().isNull()
    # The language switch keeps the collapsed look (names move to the tooltips).
    main_window.ctx.set_language("zh_CN")
    assert main_window.sidebar.item(0).text() == "" and main_window.sidebar.item(0).toolTip() == "仪表盘"
    main_window.set_sidebar_collapsed(False)
    assert main_window.sidebar.item(0).text() == "仪表盘"


def test_a_4k_window_is_filled(qtbot, main_window):
    main_window.resize(3840, 2100)
    _settle()
    for key in ("dashboard", "training", "knowledge"):
        main_window.show_panel(key)
        _settle()
        assert main_window.panel(key).width() >= 3840 - 200


def test_high_dpi_scaling_keeps_the_layout(ai_home, tmp_path):
    """At 200 % scaling (a 4K screen) the window draws at twice the pixels and still fits 1024×700
    logical pixels. Scaling is fixed when Qt starts, hence a process of its own."""
    code = textwrap.dedent("""
        import json
        from PySide6.QtWidgets import QApplication
        from app.core import settings
        settings.save(settings.Settings(language="en", evaluate_after_training=False))
        app = QApplication([])
        from app.views.app import create_main_window
        from app.views.main_window import PANEL_KEYS
        w = create_main_window(app)
        w.resize(1024, 700)
        w.show()
        out = {"dpr": w.devicePixelRatio(), "too_big": []}
        for key in PANEL_KEYS:
            w.show_panel(key)
            app.processEvents()
            need, have = w.panel(key).minimumSizeHint(), w.stack.size()
            if need.width() > have.width() or need.height() > have.height() or w.width() != 1024:
                out["too_big"].append(key)
        out["grab"] = w.grab().size().toTuple()
        print(json.dumps(out))
        w.close()
        w.ctx.db.close()
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env,
                          timeout=120, cwd=repo)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["dpr"] == 2.0
    assert out["too_big"] == []
    assert out["grab"] == [2048, 1400]  # drawn at device pixels: crisp, not an upscaled 1024×700


def test_the_collapsed_sidebar_is_remembered_for_the_next_start(qtbot, main_window):
    from PySide6.QtWidgets import QApplication

    from app.views.app import create_main_window

    main_window.set_sidebar_collapsed(True)
    again = create_main_window(QApplication.instance())  # a later start on the same data folder
    qtbot.addWidget(again)
    try:
        assert again.sidebar_collapsed and again.collapse_action.isChecked()
        assert again.sidebar.item(0).text() == ""
    finally:
        again.ctx.shutdown()
        again.ctx.db.close()
