"""What a person does with mouse and keyboard, for the journey test: click the sidebar, answer a
modal dialog, drag files onto a panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyleOptionViewItem,
)

from app.views.main_window import PANEL_KEYS


def go(window, qtbot, key: str):
    """Click the panel's entry in the sidebar; returns the panel now shown."""
    item = window.sidebar.item(PANEL_KEYS.index(key))
    window.sidebar.scrollToItem(item)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.sidebar.visualItemRect(item).center())
    assert window.current_panel_key() == key
    panel = window.panel(key)
    assert window.stack.currentWidget() is panel
    return panel


def answer_next_dialog(qtbot, texts: list[str], seen: list | None = None, tries: int = 200) -> None:
    """When the next modal dialog opens, type ``texts`` into its text fields in order and press OK.

    Call it just before the click that opens the dialog: ``exec()`` blocks, so the answer comes from
    a timer that runs inside the dialog's own event loop."""

    def answer(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            if left:
                QTimer.singleShot(20, lambda: answer(left - 1))
            return
        try:
            fields = [w for kind in (QLineEdit, QPlainTextEdit) for w in dialog.findChildren(kind) if w.isVisible()]
            fields.sort(key=lambda w: w.mapTo(dialog, QPoint(0, 0)).y())  # top to bottom, as a person reads
            for field, text in zip(fields, texts):
                field.setFocus()
                qtbot.keyClicks(field, text)
            if seen is not None:
                seen.append(dialog.windowTitle())
            dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        except Exception:
            dialog.reject()  # a broken helper must fail the test, not leave it waiting on the dialog
            raise

    QTimer.singleShot(0, lambda: answer(tries))


def drag_and_drop(widget, paths: list[Path]) -> bool:
    """Drag files from a file manager onto ``widget`` and let go; returns whether the drag was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPoint(widget.width() // 2, widget.height() // 2)
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    widget.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    widget.dropEvent(QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    return True


def click_checkbox(qtbot, view, item) -> None:
    """Click the check box of a checkable list item (where the style draws it)."""
    view.scrollToItem(item)
    opt = QStyleOptionViewItem()
    opt.rect = view.visualItemRect(item)
    opt.features = QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
