"""Small building blocks shared by panels: panel header, card frame, message helpers."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QVBoxLayout, QWidget


class PanelHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        self.title = QLabel(objectName="PanelTitle")
        self.subtitle = QLabel(objectName="PanelSubtitle")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)

    def set_texts(self, title: str, subtitle: str = "") -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="Card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 14, 16, 14)
        self.title = QLabel(objectName="CardTitle")
        self.body.addWidget(self.title)


def show_error(parent: QWidget, title: str, text: str) -> None:
    """A message that stays until read. Never a traceback: callers pass a sentence."""
    QMessageBox.warning(parent, title, text)


def record_table(columns: int, multi: bool = False):
    """A read-only table of records selected by row (runs, datasets, …): one look in every panel."""
    from PySide6.QtWidgets import QAbstractItemView, QTableWidget

    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table
