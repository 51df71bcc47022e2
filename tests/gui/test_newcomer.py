"""What a newcomer sees must be true: each test here is one thing a person saw that was wrong, stale
or unreadable (a disabled button that looked clickable, another dataset's histogram, an ETA after a
stop, a forgotten choice after a restart…), checked the way they would notice it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QPushButton

from app.core import paths, protocol
from app.core.datasets import DatasetStore
from app.core.kb import KnowledgeStore
from app.core.projects import ProjectStore
from tests.unit.test_runs_index import write_run


def _restart(qtbot, window):
    """The next start of the app on the same data folder, in this process."""
    from app.views.app import create_main_window

    window.ctx.shutdown()
    window.close()
    again = create_main_window(QApplication.instance())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.ctx.is_painted, timeout=10_000)
    return again


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_disabled_button_looks_disabled(main_window, qtbot, theme):
    main_window.ctx.set_theme(theme)
    pal = QApplication.instance().palette()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        assert pal.color(QPalette.ColorGroup.Disabled, role) != pal.color(QPalette.ColorGroup.Active, role)
    on, off = QPushButton("Resume…"), QPushButton("Resume…")
    off.setEnabled(False)
    for b in (on, off):
        qtbot.addWidget(b)
        b.resize(120, 32)
        b.show()
    qtbot.waitExposed(off)
    assert on.grab().toImage() != off.grab().toImage()
    main_window.ctx.set_theme("light")


def test_dark_theme_repaints_the_open_transcript_and_the_memory_bar(main_window, qtbot):
    from app.core.chat_store import ChatStore

    store = ChatStore(main_window.ctx.db)
    session = store.create_session(model="default")
    store.add_message(session.id, "user", "Hello")
    store.add_message(session.id, "assistant", "Hi there")
    main_window.show_panel("chat")
    chat = main_window.panel("chat")
    chat.refresh_sessions(select_id=session.id)
    light_bg = chat.colors()["assistant_bg"]
    assert light_bg in chat.view.toHtml().lower()
    main_window.ctx.set_theme("dark")
    qtbot.waitUntil(lambda: chat.colors()["assistant_bg"] != light_bg)
    html = chat.view.toHtml().lower()
    assert chat.colors()["assistant_bg"] in html and light_bg not in html  # no session change needed

    main_window.show_panel("training")
    bar = main_window.panel("training").form.bar
    bar.set_parts({}, 24.0)  # nothing predicted: the track alone
    image: QImage = bar.grab().toImage()
    track = image.pixelColor(image.width() // 2, image.height() // 2)
    assert track.lightness() < 128, track.name()  # a dark track, not a white one
    main_window.ctx.set_theme("light")


def test_long_chat_titles_elide_and_the_method_reads_lora(main_window):
    main_window.show_panel("chat")
    chat = main_window.panel("chat")
    assert chat.sessions.textElideMode() == Qt.TextElideMode.ElideRight
    assert chat.sessions.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff

    write_run(paths.runs_dir() / "r1-lora", [2.0, 1.0])
    main_window.ctx.runs.reattach_all()
    main_window.show_panel("experiments")
    panel = main_window.panel("experiments")
    panel.refresh()
    assert panel.table.item(0, 4).text() == "LoRA"


def test_the_checkpointing_option_is_not_clipped(main_window, qtbot):
    for language in ("en", "zh_CN"):
        main_window.ctx.set_language(language)
        main_window.resize(1024, 700)
        main_window.show_panel("training")
        box = main_window.panel("training").form.gradient_checkpointing
        qtbot.waitUntil(lambda: box.isVisible() or True)
        assert box.width() >= box.sizeHint().width(), (language, box.currentText(), box.width(), box.sizeHint().width())
    main_window.ctx.set_language("en")


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen: no window manager
def test_open_file_without_a_program_says_so_and_offers_the_path(main_window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from app.views.widgets import open_in_desktop

    target = tmp_path / "notes.md"
    target.write_text("x", encoding="utf-8")
    # A desktop with no program for the file: the one fake here is that edge of the platform.
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: False))
    seen = {}

    def answer():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen["text"] = box.text()
        copy = next(b for b in box.buttons() if b.text() == "Copy path")
        copy.click()

    QTimer.singleShot(200, answer)
    assert open_in_desktop(main_window, target) is False
    assert str(target) in seen["text"]
    assert QApplication.clipboard().text() == str(target)


def test_exports_say_where_they_wrote(main_window, qtbot, tmp_path):
    write_run(paths.runs_dir() / "r1-first", [3.0, 2.0, 1.5])
    main_window.ctx.runs.reattach_all()
    main_window.show_panel("experiments")
    panel = main_window.panel("experiments")
    panel.refresh()
    panel.table.selectAll()
    png, csv_path = tmp_path / "loss.png", tmp_path / "metrics.csv"
    panel.save_png(str(png))
    assert png.stat().st_size > 1000 and str(png) in main_window.statusBar().currentMessage()
    panel.save_csv(str(csv_path))
    assert csv_path.is_file() and str(csv_path) in main_window.statusBar().currentMessage()
    assert not list(tmp_path.glob("*.tmp*"))  # written under a temp name, then renamed


def test_all_sources_in_the_log_centre_are_in_time_order():
    from app.views.log_view import merge_by_time

    app_log = ["[App] 2026-01-01 10:00:01,000 INFO app: one", "Traceback (most recent call last):",
               "[App] 2026-01-01 10:00:03,000 INFO app: three"]
    run_log = ["[Run] 2026-01-01 10:00:02,000 INFO engine.train: two"]
    merged = merge_by_time([app_log, run_log])
    assert [ln.split(": ")[-1] for ln in merged if ": " in ln] == ["one", "two", "three"]
    assert merged[1].startswith("Traceback")  # a traceback stays under its own line


def test_app_log_says_start_and_quit_and_has_no_alembic_chatter(tmp_path):
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    env = dict(os.environ, AI_PLATFORM_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "app", "--smoke"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Failed to disconnect" not in out.stderr
    text = (home / "logs" / "app.log").read_text(encoding="utf-8")
    assert "AI Platform" in text and "started (data folder " + str(home) in text
    assert "AI Platform quit" in text
    assert "alembic" not in text


def _feed(manager, run_id: str, *events) -> None:
    for ev in events:
        manager.run_event.emit(run_id, ev)


def test_no_eta_before_the_first_step_or_after_a_run_ended(main_window):
    write_run(paths.runs_dir() / "r1-done", [2.0, 1.0])
    manager = main_window.ctx.runs
    manager.reattach_all()
    main_window.show_panel("training")
    panel = main_window.panel("training")
    panel.select_run("r1-done")
    detail = panel.detail
    _feed(manager, "r1-done", protocol.Progress(step=0, total=40, eta_s=0.0))
    assert detail.eta.text() == ""  # waiting for the first step: no "ETA 0:00"
    _feed(manager, "r1-done", protocol.Progress(step=2, total=40, eta_s=30.0))
    assert detail.eta.text() == ""  # the run is not running (it completed): nothing to wait for
    # A new run's charts start empty, with the axes of an empty chart, not the last run's range.
    detail.show_run(None)
    view = detail.charts["loss"].plotItem.vb.viewRange()
    assert view[1][0] >= -1 and view[1][1] <= 2, view


def test_chart_legends_already_drawn_follow_the_language(main_window, qtbot):
    write_run(paths.runs_dir() / "r1-first", [3.0, 2.0, 1.5])
    main_window.ctx.runs.reattach_all()
    main_window.show_panel("training")
    panel = main_window.panel("training")
    panel.select_run("r1-first")
    chart = panel.detail.charts["loss"]
    assert chart.legend_labels() == ["train"] and "train" in chart.title_text()
    main_window.ctx.set_language("zh_CN")
    assert chart.legend_labels() == ["训练"] and "训练" in chart.title_text() and "train" not in chart.title_text()
    main_window.ctx.set_language("en")


@pytest.mark.slow
def test_another_datasets_histogram_never_stays(main_window, qtbot, home_with_model, tmp_path):
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    ids = []
    for name, n in (("first", 6), ("second", 3)):
        f = tmp_path / f"{name}.jsonl"
        f.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"q{i} " * (i + 1)},
                                                      {"role": "assistant", "content": "a " * (i + 2)}]}) + "\n"
                             for i in range(n)), encoding="utf-8")
        ids.append(DatasetStore(main_window.ctx.db).import_file(str(f), name=name).id)
    panel.refresh()
    panel.select(ids[0])
    panel.compute_lengths()
    qtbot.waitUntil(lambda: panel.stats is None, timeout=240_000)
    assert panel.lengths_summary.text().startswith("6 training records")
    panel.select(ids[1])
    assert "6 training records" not in panel.lengths_summary.text()  # the first dataset's figures are gone
    assert "Count tokens" in panel.lengths_summary.text()  # and the next step is said instead
    assert len(panel._bars.opts["x"]) == 0
    panel.select(ids[0])
    assert panel.lengths_summary.text().startswith("6 training records")  # and come back with their dataset


def test_knowledge_and_training_remember_the_choice_after_a_restart(main_window, qtbot, tmp_path):
    store = KnowledgeStore(main_window.ctx.db)
    store.create("Handbook")
    second = store.create("Contracts")
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
                 + "\n", encoding="utf-8")
    datasets = DatasetStore(main_window.ctx.db)
    datasets.import_file(str(f), name="one")
    chosen = datasets.import_file(str(f), name="two").id

    main_window.show_panel("knowledge")
    kb_panel = main_window.panel("knowledge")
    kb_panel.kb.setCurrentIndex(kb_panel.kb.findData(second.id))
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.reload_choices()
    form.dataset.setCurrentIndex(form.dataset.findData(chosen))
    form.dataset.activated.emit(form.dataset.currentIndex())  # as a click on the item does

    again = _restart(qtbot, main_window)
    again.show_panel("knowledge")
    assert again.panel("knowledge").kb_id() == second.id
    again.show_panel("training")
    assert again.panel("training").form.dataset.currentData() == chosen
    again.ctx.shutdown()
    again.ctx.db.close()


def test_the_dashboard_follows_changes_while_it_is_shown(main_window, qtbot):
    main_window.show_panel("dashboard")
    dash = main_window.panel("dashboard")
    assert "Sample project" not in dash.projects_text.text()
    ProjectStore(main_window.ctx.db).create("Sample project")  # as the welcome flow does
    qtbot.waitUntil(lambda: "Sample project" in dash.projects_text.text(), timeout=10_000)
