"""Datasets panel: a dropped file is imported, its bad records are listed by line."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.views import datasets as datasets_view


def drop(widget, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def test_drop_imports_and_lists_problems_by_line(main_window, qtbot, tmp_path):
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    panel.val_ratio.setValue(0.0)
    f = tmp_path / "chats.jsonl"
    f.write_text(
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n'
        '{"messages": [{"role": "user", "content": "oops"}\n'
        '{"messages": [{"role": "user", "content": "x"}, {"role": "bot", "content": "y"}]}\n'
        '{"instruction": "Add 2+2", "output": "4"}\n'
        '{"messages": [{"role": "user", "content": "bye"}, {"role": "assistant", "content": "ciao"}]}\n',
        encoding="utf-8")
    with qtbot.waitSignal(panel.imported, timeout=30_000):
        drop(panel, [f])
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "chats"
    panel.table.selectRow(0)
    lines = {panel.problems.item(r, 0).text(): panel.problems.item(r, 1).text()
             for r in range(panel.problems.rowCount())}
    assert set(lines) == {"2", "3", "4"}
    assert "bad JSON" in lines["2"] and '"bot"' in lines["3"]
    assert panel.preview.rowCount() == 2
    assert "skipped" in panel.summary.text()


def test_unreadable_file_is_explained_not_crashed(main_window, qtbot, tmp_path, monkeypatch):
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    errors = []
    monkeypatch.setattr(datasets_view, "show_error", lambda parent, title, text: errors.append(text))
    f = tmp_path / "empty.jsonl"
    f.write_text("", encoding="utf-8")
    panel.import_path(str(f))
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    assert "empty.jsonl could not be imported" in errors[0]
    assert panel.table.rowCount() == 0
    assert panel.import_btn.isEnabled()


def test_non_dataset_drop_is_ignored(main_window, tmp_path):
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    f = tmp_path / "photo.png"
    f.write_bytes(b"\x89PNG")
    drop(panel, [f])
    assert not panel._jobs and panel.table.rowCount() == 0


def test_import_goes_into_the_chosen_project(main_window, qtbot, sample_dataset_file):
    from app.core.datasets import DatasetStore
    from app.core.projects import ProjectStore

    project = ProjectStore(main_window.ctx.db).create("Support bot", "")
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    i = panel.project.findData(project.id)
    assert i > 0 and panel.project.itemText(0) == "(no project)"  # made before the panel was shown
    panel.project.setCurrentIndex(i)
    with qtbot.waitSignal(panel.imported, timeout=30_000):
        drop(panel, [sample_dataset_file])
    assert [d.project_id for d in DatasetStore(main_window.ctx.db).list()] == [project.id]
