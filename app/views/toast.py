"""Toasts: short confirmations ("Saved", "Copied") that fade by themselves.

    show_toast(window, self.tr("Copied to the clipboard"))

A toast is a child label of the window, drawn over the bottom-right corner. It never takes focus and
lets the mouse through, so typing and clicking go on as if it were not there. Several toasts stack
upwards. Errors are not toasts: they use widgets.show_error, a message that stays until read.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEasingCurve,
    QEvent,
    QObject,
    QPropertyAnimation,
    QRect,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QGraphicsOpacityEffect, QLabel, QWidget

FADE_MS = 300
MAX_WIDTH = 420
PAD_X, PAD_Y = 14, 8
MARGIN = 16
GAP = 8
_STACK_ATTR = "_ai_platform_toasts"


class Toast(QLabel):
    def __init__(self, host: QWidget, text: str, ms: int):
        super().__init__(text, host, objectName="Toast")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # Its own look, so it reads on either theme without a style sheet entry.
        self.setStyleSheet("QLabel#Toast { background: rgba(32, 36, 42, 230); color: white;"
                           f" border-radius: 8px; padding: {PAD_Y}px {PAD_X}px; }}")
        self.fit()
        self._effect = QGraphicsOpacityEffect(self)
        self._effect.setOpacity(0.0)
        self.setGraphicsEffect(self._effect)
        self._anim = QPropertyAnimation(self._effect, b"opacity", self)
        self._anim.setEasingCurve(QEasingCurve.Type.InOutQuad)
        self._hide_timer = QTimer(self, singleShot=True, interval=max(0, ms))
        self._hide_timer.timeout.connect(self.fade_out)

    def fit(self) -> None:
        """One line when it fits in MAX_WIDTH, wrapped beyond (a wrapping label alone picks a narrow box).
        Measured with the font itself: the style sheet's padding is PAD_X / PAD_Y."""
        self.ensurePolished()
        fm = self.fontMetrics()
        one_line = fm.horizontalAdvance(self.text()) + 2 * PAD_X + 8
        self.setWordWrap(one_line > MAX_WIDTH)
        width = min(one_line, MAX_WIDTH)
        text_rect = fm.boundingRect(QRect(0, 0, width - 2 * PAD_X - 8, 10_000),
                                    int(Qt.TextFlag.TextWordWrap), self.text())
        self.setFixedSize(width, text_rect.height() + 2 * PAD_Y + 4)

    def start(self) -> None:
        self.show()
        self.raise_()
        self._fade(1.0)
        self._hide_timer.start()

    def fade_out(self) -> None:
        self._anim.finished.connect(self._done)
        self._fade(0.0)

    def _fade(self, target: float) -> None:
        self._anim.stop()
        self._anim.setDuration(FADE_MS)
        self._anim.setStartValue(self._effect.opacity())
        self._anim.setEndValue(target)
        self._anim.start()

    def _done(self) -> None:
        host = self.parentWidget()
        stack = getattr(host, _STACK_ATTR, [])
        if self in stack:
            stack.remove(self)
        self.hide()
        self.deleteLater()
        if host is not None:
            _place(host)


class _Follower(QObject):
    """Keeps the stack in the corner when the window is resized."""

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            _place(obj)
        return False


def _place(host: QWidget) -> None:
    # Above the status bar of a main window: it holds messages of its own.
    central = host.centralWidget() if hasattr(host, "centralWidget") else None
    bottom = (central.geometry().bottom() if central is not None else host.height()) - MARGIN
    for toast in reversed(getattr(host, _STACK_ATTR, [])):  # newest at the bottom
        toast.move(max(MARGIN, host.width() - toast.width() - MARGIN), bottom - toast.height())
        bottom -= toast.height() + GAP


def show_toast(parent_window: QWidget, text: str, ms: int = 2500) -> Toast:
    """Show ``text`` over ``parent_window``'s bottom-right corner for ``ms`` milliseconds, then fade."""
    host = parent_window.window() if parent_window is not None else None
    if host is None:
        raise ValueError("show_toast needs a widget to show the toast on")
    if not hasattr(host, _STACK_ATTR):
        setattr(host, _STACK_ATTR, [])
        host._ai_platform_toast_follower = _Follower(host)
        host.installEventFilter(host._ai_platform_toast_follower)
    toast = Toast(host, text, ms)
    getattr(host, _STACK_ATTR).append(toast)
    _place(host)
    toast.start()
    return toast


def active_toasts(parent_window: QWidget) -> list[Toast]:
    """The toasts now shown on ``parent_window`` (oldest first); for tests and for the notifier."""
    return list(getattr(parent_window.window(), _STACK_ATTR, []))
