"""Tell the user a long job ended (training completed or failed, indexing done).

    notifier = Notifier(window)
    notifier.notify(title, text, error=False) -> "toast" | "tray" | "alert"

Where the message goes depends on where the user is:
- the window is active: a toast (they are looking at the app);
- it is not, and the desktop has a system tray: a tray message (a desktop notification);
- it is not, and there is no tray: a toast waiting in the window, and the taskbar entry asks for
  attention (QApplication.alert), so they see it when they come back.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from app.views.toast import show_toast

log = logging.getLogger(__name__)

TOAST_MS = 6000
TRAY_MS = 8000


def choose_channel(window_active: bool, tray_available: bool) -> str:
    """The decision above, on its own so it is plain to read and to test."""
    if window_active:
        return "toast"
    return "tray" if tray_available else "alert"


def run_message(status: str, name: str, detail: str = "") -> tuple[str, str, bool] | None:
    """(title, text, is_error) for a training run that ended with ``status``; None: say nothing.

    ``interrupted`` is not news: it is how a run that died with an earlier session is found at start.
    """
    if status == "completed":
        return (QCoreApplication.translate("Notify", "Training finished"),
                QCoreApplication.translate("Notify", "{name} completed.").format(name=name), False)
    if status == "stopped":
        return (QCoreApplication.translate("Notify", "Training stopped"),
                QCoreApplication.translate("Notify", "{name} stopped; its adapter was saved.").format(name=name),
                False)
    if status in ("failed", "crashed", "killed"):
        text = QCoreApplication.translate("Notify", "{name} failed.").format(name=name)
        return QCoreApplication.translate("Notify", "Training failed"), _with_detail(text, detail), True
    return None


def indexing_message(ok: bool, kb_name: str, detail: str = "", failed: int = 0) -> tuple[str, str, bool]:
    """``failed``: documents of the base that could not be read (a finished job is not "up to date"
    when some of its files were refused)."""
    if ok and failed:
        return (QCoreApplication.translate("Notify", "Indexing finished"),
                QCoreApplication.translate("Notify", "{name}: {n} file(s) could not be read; the Knowledge panel "
                                                     "says why.").format(name=kb_name, n=failed), True)
    if ok:
        return (QCoreApplication.translate("Notify", "Indexing finished"),
                QCoreApplication.translate("Notify", "The knowledge base {name} is up to date.").format(name=kb_name),
                False)
    text = QCoreApplication.translate("Notify", "Indexing of {name} stopped.").format(name=kb_name)
    return QCoreApplication.translate("Notify", "Indexing stopped"), _with_detail(text, detail), True


def _with_detail(text: str, detail: str) -> str:
    """The engine's own last words (already a sentence a person can act on), one line of them."""
    lines = (detail or "").strip().splitlines()
    return f"{text} {lines[-1][:200]}" if lines else text


class Notifier(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self._tray: QSystemTrayIcon | None = None
        self.last: tuple[str, str, str] | None = None  # (channel, title, text): what was said last

    def tray_available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def notify(self, title: str, text: str, error: bool = False) -> str:
        channel = choose_channel(self.window.isActiveWindow(), self.tray_available())
        if channel == "tray":
            tray = self._tray_icon()
            icon = (QSystemTrayIcon.MessageIcon.Warning if error
                    else QSystemTrayIcon.MessageIcon.Information)
            tray.showMessage(title, text, icon, TRAY_MS)
        else:
            # The text is a whole sentence that names what ended ("Indexing of X stopped."); the title
            # in front of it only repeated that ("Indexing stopped: Indexing of X stopped.").
            show_toast(self.window, text, TOAST_MS)
            if channel == "alert":
                QApplication.alert(self.window)  # the taskbar entry asks for attention
        log.info("notified (%s): %s: %s", channel, title, text)
        self.last = (channel, title, text)
        return channel

    def _tray_icon(self) -> QSystemTrayIcon:
        if self._tray is None:
            self._tray = QSystemTrayIcon(self.window.windowIcon(), self)
            self._tray.setToolTip(self.window.windowTitle())
            self._tray.messageClicked.connect(self._bring_window_up)
            self._tray.activated.connect(lambda _reason: self._bring_window_up())
        self._tray.show()
        return self._tray

    def _bring_window_up(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def close(self) -> None:
        """The window closes: no tray icon lingers after the app."""
        if self._tray is not None:
            self._tray.hide()
