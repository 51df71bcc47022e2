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


def open_in_desktop(parent: QWidget, path) -> bool:
    """Open a file or folder with the desktop's program for it. Where there is none (a bare
    desktop, a headless session), say so and offer the path to copy instead of doing nothing."""
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    translate = QCoreApplication.translate
    box = QMessageBox(QMessageBox.Icon.Information, translate("Widgets", "No program to open it"),
                      translate("Widgets", "This computer has no program set to open {name}. Its path is:\n{path}")
                      .format(name=Path(path).name or str(path), path=path), QMessageBox.StandardButton.Close, parent)
    copy = box.addButton(translate("Widgets", "Copy path"), QMessageBox.ButtonRole.ActionRole)
    box.setObjectName("OpenFailed")
    box.exec()
    if box.clickedButton() is copy:
        QGuiApplication.clipboard().setText(str(path))
    return False
