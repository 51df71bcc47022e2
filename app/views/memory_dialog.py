"""The agent's long-term memory, shown to the person it is about: every fact the agent saved with
``remember`` (or the user typed), to search, add, edit and delete (app/core/memory_store.py).
Opened from the chat's agent settings ("Memories…")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
    QTableWidgetItem, QVBoxLayout,
)

from app.core.errors import UserError
from app.core.memory_store import MemoryStore
from app.views.error_texts import user_error_text
from app.views.widgets import record_table, show_error


class MemoryDialog(QDialog):
    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.store = MemoryStore(db)
        self.setWindowTitle(self.tr("Long-term memory"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self.tr("Facts the agent saved with its remember tool, or that you added. In agent mode "
                                    "with long-term memory on, it can look them up in any chat."),
                            objectName="Muted", wordWrap=True)
        layout.addWidget(self.intro)
        self.search = QLineEdit(placeholderText=self.tr("Search memories"), clearButtonEnabled=True)
        self.search.textChanged.connect(self.refresh)
        layout.addWidget(self.search)
        self.table = record_table(3)
        self.table.setHorizontalHeaderLabels([self.tr("Memory"), self.tr("Saved by"), self.tr("Updated")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        layout.addWidget(self.table, 1)
        self.empty = QLabel(objectName="Muted", wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add…"), clicked=lambda: self.add_memory())
        self.edit_button = QPushButton(self.tr("Edit…"), clicked=lambda: self.edit_selected())
        self.delete_button = QPushButton(self.tr("Delete"), clicked=lambda: self.delete_selected())
        self.clear_button = QPushButton(self.tr("Delete all…"), clicked=lambda: self.clear_all())
        for b in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.clear_button)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    # --- what is shown ------------------------------------------------------------------------
    def refresh(self, *_) -> None:
        query = self.search.text().strip()
        entries = self.store.search(query, limit=100_000) if query else self.store.list()
        total = len(entries) if not query else len(self.store.list())
        self.table.setRowCount(len(entries))
        sources = {"agent": self.tr("Agent"), "user": self.tr("You")}
        for r, e in enumerate(entries):
            text = QTableWidgetItem(e.text)
            text.setData(Qt.ItemDataRole.UserRole, e.id)
            text.setToolTip(e.text)
            when = e.updated_at.strftime("%Y-%m-%d %H:%M") if e.updated_at else ""
            for c, item in enumerate((text, QTableWidgetItem(sources.get(e.source, e.source)), QTableWidgetItem(when))):
                self.table.setItem(r, c, item)
        if not total:
            self.empty.setText(self.tr("No memories yet. Tick \"Long-term memory\" in agent mode and tell the agent "
                                       "something worth keeping, or add one here."))
        elif not entries:
            self.empty.setText(self.tr("No memory matches \"{query}\".").format(query=query))
        self.empty.setVisible(not entries)
        self.clear_button.setEnabled(bool(total))
        self._update_buttons()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected_id() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def _select(self, memory_id: int) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == memory_id:
                self.table.selectRow(r)
                return

    # --- changes ------------------------------------------------------------------------------
    def ask_text(self, title: str, text: str = "") -> str | None:
        """The memory's text from the user (None: cancelled); tests replace this."""
        value, ok = QInputDialog.getMultiLineText(self, title, self.tr("Memory:"), text)
        return value if ok else None

    def confirm(self, question: str) -> bool:
        return QMessageBox.question(self, self.windowTitle(), question) == QMessageBox.StandardButton.Yes

    def _write(self, action) -> None:
        try:
            entry = action()
        except UserError as err:
            show_error(self, self.tr("Memory not saved"), user_error_text(err))
            return
        self.search.clear()  # the entry shows wherever it sorts, not hidden by a search
        self.refresh()
        self._select(entry.id)

    def add_memory(self, text: str | None = None) -> None:
        text = self.ask_text(self.tr("Add a memory")) if text is None else text
        if text is not None:
            self._write(lambda: self.store.put(text, source="user"))

    def edit_selected(self, text: str | None = None) -> None:
        memory_id = self.selected_id()
        if memory_id is None:
            return
        if text is None:
            current = self.store.get(memory_id)
            text = self.ask_text(self.tr("Edit memory"), current.text if current else "")
        if text is not None:
            self._write(lambda: self.store.edit(memory_id, text))

    def delete_selected(self) -> None:
        memory_id = self.selected_id()
        if memory_id is not None:
            self.store.delete(memory_id)
            self.refresh()

    def clear_all(self) -> None:
        n = len(self.store.list())
        if n and self.confirm(self.tr("Delete every memory ({n})? The agent forgets them for good.").format(n=n)):
            self.store.clear()
            self.refresh()
