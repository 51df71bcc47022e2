"""The memory dialog: the person sees what the agent remembered, and adds, edits, searches and
deletes it (real database in the temp home)."""

from __future__ import annotations

from app.core.db.database import open_database
from app.core.memory_store import MemoryStore
from app.views.memory_dialog import MemoryDialog


def texts(dialog) -> list[str]:
    return [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]


def test_memory_dialog_shows_edits_and_deletes_entries(qtbot, ai_home):
    db = open_database()
    try:
        MemoryStore(db).put("The user's cat is called Miso.", source="agent")
        dialog = MemoryDialog(db)
        qtbot.addWidget(dialog)
        assert texts(dialog) == ["The user's cat is called Miso."]
        assert dialog.table.item(0, 1).text() == "Agent"
        assert not dialog.edit_button.isEnabled()  # nothing chosen yet

        dialog.add_memory("Prefers short answers")
        assert texts(dialog) == ["Prefers short answers", "The user's cat is called Miso."]
        assert dialog.table.item(0, 1).text() == "You" and dialog.selected_id() is not None

        dialog.search.setText("cat")
        assert texts(dialog) == ["The user's cat is called Miso."]
        dialog.table.selectRow(0)
        dialog.edit_selected("The user's cat is called Mochi.")
        # the search is cleared and the edited entry, newest now, comes first
        assert texts(dialog) == ["The user's cat is called Mochi.", "Prefers short answers"]

        dialog.search.setText("bicycle")
        assert texts(dialog) == [] and not dialog.empty.isHidden()
        assert "bicycle" in dialog.empty.text()
        dialog.search.clear()

        dialog.table.selectRow(0)
        dialog.delete_selected()
        assert texts(dialog) == ["Prefers short answers"]
        assert [e.text for e in MemoryStore(db).list()] == ["Prefers short answers"]

        dialog.confirm = lambda question: "1" in question
        dialog.clear_all()
        assert texts(dialog) == [] and MemoryStore(db).list() == []
        assert "No memories yet" in dialog.empty.text() and not dialog.clear_button.isEnabled()
        assert not dialog.empty.isHidden()
    finally:
        db.close()


def test_an_empty_memory_is_refused_with_a_message(qtbot, ai_home, monkeypatch):
    shown = []
    monkeypatch.setattr("app.views.memory_dialog.show_error", lambda parent, title, text: shown.append(text))
    db = open_database()
    try:
        dialog = MemoryDialog(db)
        qtbot.addWidget(dialog)
        dialog.add_memory("   ")
        assert shown == ["A memory needs some text."] and texts(dialog) == []
    finally:
        db.close()
