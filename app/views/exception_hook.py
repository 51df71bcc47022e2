"""One handler for every unexpected exception in the GUI process.

    exception_hook.install(window)   # once, after the main window exists (app.run_gui does it)
    exception_hook.uninstall()       # tests put the previous hooks back

An exception nobody caught — in a slot, a Qt virtual, a Python thread — is written in full to the
app log (secrets masked by the log filter) and shown as a friendly dialog, in the user's language,
with "Copy details". The app keeps running: a bug in one button must not cost the user a training
run's window or an unsent chat.

Never re-entrant: while the dialog is open, further errors (a paint handler failing 60 times a
second) are logged and counted in the open dialog, not stacked as new dialogs.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback

from PySide6.QtCore import QEvent, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger("app.unexpected")


class ErrorDialog(QDialog):
    def __init__(self, details: str, log_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ErrorDialog")
        self.details_text = details
        self.log_path = log_path
        self.more = 0
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        top.addWidget(icon, 0)
        self.body = QLabel(wordWrap=True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.body, 1)
        layout.addLayout(top)
        self.more_label = QLabel(objectName="Muted", visible=False)
        layout.addWidget(self.more_label)
        self.details = QPlainTextEdit(readOnly=True, visible=False)
        self.details.setPlainText(details)
        self.details.setMinimumHeight(180)
        layout.addWidget(self.details)
        self.buttons = QDialogButtonBox()
        self.copy_btn = QPushButton()
        self.show_btn = QPushButton(checkable=True)
        self.close_btn = QPushButton(default=True)
        self.buttons.addButton(self.copy_btn, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.show_btn, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_btn, QDialogButtonBox.ButtonRole.RejectRole)
        self.copy_btn.clicked.connect(self.copy_details)
        self.show_btn.toggled.connect(self.details.setVisible)
        self.close_btn.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Something went wrong"))
        self.body.setText(self.tr(
            "An unexpected error happened. The app keeps running and your saved work is not affected; you "
            "can go on working. If it happens again, please send the details to the developers.\n\n"
            "The full report is in the log: {path}").format(path=self.log_path))
        self.copy_btn.setText(self.tr("Copy details"))
        self.show_btn.setText(self.tr("Show details"))
        self.close_btn.setText(self.tr("Close"))
        self._update_more()

    def add_more(self, details: str) -> None:
        """Another error while this dialog is open: counted here, its trace added to the details."""
        self.more += 1
        self.details_text += "\n\n" + details
        self.details.setPlainText(self.details_text)
        self._update_more()

    def _update_more(self) -> None:
        self.more_label.setVisible(self.more > 0)
        self.more_label.setText(self.tr("Errors since this one: {n} more (all are in the log).").format(n=self.more))

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details_text)
        self.copy_btn.setText(self.tr("Copied"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class _Bridge(QObject):
    """Carries an error from another thread to the GUI thread (a queued signal)."""

    raised = Signal(str)


class _State:
    def __init__(self) -> None:
        self.parent: QWidget | None = None
        self.dialog: ErrorDialog | None = None
        self.bridge: _Bridge | None = None
        self.prev_excepthook = None
        self.prev_threading_hook = None
        self.in_handler = False
        self.installed = False


_state = _State()


def format_details(exc_type, exc_value, exc_tb) -> str:
    """The trace as the user copies it: app and Python versions first, secrets masked."""
    from app import __version__
    from app.core.logging_setup import redact

    trace = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
    head = f"AI Platform {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
    return redact(head + trace)


def _log_path() -> str:
    from app.core import paths

    return str(paths.logs_dir() / "app.log")


def current_dialog() -> ErrorDialog | None:
    """The error dialog now open, if any (tests and the screenshot script look at it)."""
    return _state.dialog


def _is_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def handle(exc_type, exc_value, exc_tb) -> None:
    """Log the exception and show (or update) the dialog. Safe to call from any thread."""
    if issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
        (_state.prev_excepthook or sys.__excepthook__)(exc_type, exc_value, exc_tb)
        return
    log.error("Unexpected error", exc_info=(exc_type, exc_value, exc_tb))
    if _state.in_handler:  # the dialog itself failed: the log has it, stop here
        return
    details = format_details(exc_type, exc_value, exc_tb)
    if _is_gui_thread():
        _show(details)
    elif _state.bridge is not None:
        _state.bridge.raised.emit(details)


def _show(details: str) -> None:
    _state.in_handler = True
    try:
        if _state.dialog is not None:
            _state.dialog.add_more(details)
            return
        parent = _state.parent
        try:
            import shiboken6

            if parent is not None and not shiboken6.isValid(parent):
                parent = None
        except ImportError:
            pass
        dialog = ErrorDialog(details, _log_path(), parent)
        dialog.finished.connect(_closed)
        _state.dialog = dialog
        # open(), not exec(): no nested event loop inside an exception handler; the window stays alive.
        dialog.open()
    except Exception:
        log.exception("could not show the error dialog")
    finally:
        _state.in_handler = False


def _closed(_result: int) -> None:
    dialog, _state.dialog = _state.dialog, None
    if dialog is not None:
        dialog.deleteLater()


def _threading_hook(args) -> None:
    if args.exc_type is SystemExit:
        return
    handle(args.exc_type, args.exc_value, args.exc_traceback)


def install(parent: QWidget | None = None) -> None:
    """Route uncaught exceptions (GUI thread and Python threads) to the log and the dialog."""
    _state.parent = parent
    if _state.installed:
        return
    _state.bridge = _Bridge()
    _state.bridge.raised.connect(_show)
    _state.prev_excepthook = sys.excepthook
    _state.prev_threading_hook = threading.excepthook
    sys.excepthook = handle
    threading.excepthook = _threading_hook
    _state.installed = True


def uninstall() -> None:
    """Put the previous hooks back and close the dialog (tests)."""
    if not _state.installed:
        return
    sys.excepthook = _state.prev_excepthook or sys.__excepthook__
    threading.excepthook = _state.prev_threading_hook or threading.__excepthook__
    if _state.dialog is not None:
        _state.dialog.done(0)
    if _state.bridge is not None:
        _state.bridge.deleteLater()
    _state.__init__()
