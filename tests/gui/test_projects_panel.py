"""Projects panel: a person creates, edits, archives, searches and deletes projects."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from app.views import projects as projects_view


@pytest.fixture
def panel(main_window):
    main_window.show_panel("projects")
    return main_window.panel("projects")


def answer_dialog(monkeypatch, *answers):
    """Make ProjectDialog.exec fill in the next (name, description) and press OK (or Cancel on None)."""
    queue = list(answers)

    def fake_exec(self):
        value = queue.pop(0)
        if value is None:
            return QDialog.DialogCode.Rejected
        self.name.setText(value[0])
        self.description.setPlainText(value[1])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(projects_view.ProjectDialog, "exec", fake_exec)
    return queue


def rows(panel):
    return [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]


def test_create_shows_in_table_and_survives_restart(panel, monkeypatch, qtbot):
    answer_dialog(monkeypatch, ("Support bot", "help-desk answers"))
    panel.new_btn.click()
    assert rows(panel) == ["Support bot"]
    assert panel.table.item(0, 1).text() == "help-desk answers"
    assert panel.empty.isHidden()

    from PySide6.QtWidgets import QApplication

    from app.views.app import create_main_window

    panel.ctx.db.close()
    again = create_main_window(QApplication.instance())
    qtbot.addWidget(again)
    again.show_panel("projects")
    assert rows(again.panel("projects")) == ["Support bot"]
    again.ctx.db.close()


def test_duplicate_name_is_explained_and_dialog_reopens(panel, monkeypatch):
    errors = []
    monkeypatch.setattr(projects_view, "show_error", lambda parent, title, text: errors.append(text))
    answer_dialog(monkeypatch, ("Alpha", ""))
    panel.new_btn.click()
    remaining = answer_dialog(monkeypatch, ("alpha", ""), ("Beta", ""))
    panel.new_btn.click()
    assert errors == ['A project named "alpha" already exists. Choose another name.']
    assert not remaining  # the dialog came back for a second try
    assert sorted(rows(panel)) == ["Alpha", "Beta"]


def test_empty_name_is_refused(panel, monkeypatch):
    errors = []
    monkeypatch.setattr(projects_view, "show_error", lambda parent, title, text: errors.append(text))
    answer_dialog(monkeypatch, ("   ", "x"), None)
    panel.new_btn.click()
    assert errors == ["A project needs a name."]
    assert rows(panel) == []


def test_rename_describe_archive_search(panel, monkeypatch):
    store = panel.store
    a = store.create("Contracts", "legal RAG")
    store.create("FAQ", "bilingual pairs")
    panel.refresh()
    panel._select(a.id)
    answer_dialog(monkeypatch, ("Contracts v2", "legal RAG with citations"))
    panel.edit_btn.click()
    assert store.get(a.id).name == "Contracts v2"
    assert store.get(a.id).description == "legal RAG with citations"

    panel.search.setText("citations")
    assert rows(panel) == ["Contracts v2"]
    panel.search.setText("nothing-like-this")
    assert rows(panel) == [] and panel.empty.text() == "No project matches your search."
    panel.search.clear()

    panel._select(a.id)
    assert panel.archive_btn.text() == "Archive"
    panel.archive_btn.click()
    assert rows(panel) == ["FAQ"]
    panel.show_archived.setChecked(True)
    assert sorted(rows(panel)) == ["Contracts v2", "FAQ"]
    panel._select(a.id)
    assert panel.archive_btn.text() == "Unarchive"


def test_delete_asks_first(panel, monkeypatch):
    p = panel.store.create("Doomed")
    panel.refresh()
    panel._select(p.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    panel.delete_btn.click()
    assert rows(panel) == ["Doomed"]
    panel._select(p.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.delete_btn.click()
    assert rows(panel) == []
    assert panel.store.list(include_archived=True) == []


def test_buttons_follow_selection(panel):
    panel.store.create("One")
    panel.refresh()
    panel.table.clearSelection()
    assert not panel.delete_btn.isEnabled()
    panel.table.selectRow(0)
    assert panel.delete_btn.isEnabled() and panel.edit_btn.isEnabled()
