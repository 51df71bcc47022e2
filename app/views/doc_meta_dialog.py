"""Details… of a document in a knowledge base: its tags, source and date (the plan's 元数据管理), which the
retrieval tester and ``kb query`` filter on. Checked before it is saved (``KnowledgeStore.set_metadata``):
a bad date or a tag too long is said in the dialog and nothing is written."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from app.core.errors import UserError
from app.views.error_texts import user_error_text


class DocMetaDialog(QDialog):
    def __init__(self, store, kb_id: int, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("doc-meta-dialog")
        self.store, self.kb_id, self.path = store, kb_id, path
        doc = store.document(kb_id, path)
        layout = QVBoxLayout(self)
        self.file = QLabel(wordWrap=True, objectName="CardTitle")
        self.file.setToolTip(path)
        layout.addWidget(self.file)
        form = QFormLayout()
        self.tags = QLineEdit(", ".join(doc.tags) if doc else "")
        self.source = QLineEdit(doc.source if doc else "")
        self.date = QLineEdit(doc.date if doc else "")
        self.tags_label, self.source_label, self.date_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.tags_label, self.tags)
        form.addRow(self.source_label, self.source)
        form.addRow(self.date_label, self.date)
        layout.addLayout(form)
        self.note = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.note)
        self.error = QLabel(wordWrap=True, objectName="Error")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Document details"))
        self.file.setText(Path(self.path).name)
        self.tags_label.setText(self.tr("Tags"))
        self.tags.setPlaceholderText(self.tr("comma-separated, e.g. contract, 2026"))
        self.source_label.setText(self.tr("Source"))
        self.source.setPlaceholderText(self.tr("where it came from, e.g. legal drive"))
        self.date_label.setText(self.tr("Date"))
        self.date.setPlaceholderText(self.tr("YYYY-MM-DD"))
        self.note.setText(self.tr("The retrieval tester and `ai-platform kb query` can keep to documents with a "
                                  "tag, a source or a date range."))

    def save(self) -> bool:
        try:
            self.store.set_metadata(self.kb_id, self.path, tags=self.tags.text(), source=self.source.text(),
                                    date=self.date.text())
        except UserError as err:
            self.error.setText(user_error_text(err))
            self.error.setVisible(True)
            return False
        self.accept()
        return True

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
