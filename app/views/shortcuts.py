"""Every keyboard shortcut of the app, as data: the main window binds from it, the chat panel binds
its own from it, and Help → Keyboard shortcuts lists it. One place, so the list never lies.

    from app.views import shortcuts
    action.setShortcut(shortcuts.key_sequence("chat.new"))
    shortcuts.SHORTCUTS             # every Shortcut, in the order the Help dialog shows them
    shortcuts.describe(sc, titles)  # its translated description
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence

from app.views.panels import PANELS


@dataclass(frozen=True)
class Shortcut:
    action: str  # a stable id: "panel.<key>", "sidebar.toggle", "chat.send", …
    keys: str    # portable QKeySequence text ("Ctrl+B"); shown in the platform's native form
    scope: str   # "window" (anywhere in the main window) or "chat" (while the chat panel has focus)


SHORTCUTS: tuple[Shortcut, ...] = (
    *(Shortcut(f"panel.{p.key}", p.shortcut, "window") for p in PANELS if p.shortcut),  # Ctrl+1 … 9
    Shortcut("sidebar.toggle", "Ctrl+B", "window"),
    Shortcut("settings", "Ctrl+,", "window"),
    Shortcut("help.shortcuts", "F1", "window"),
    Shortcut("quit", "Ctrl+Q", "window"),
    Shortcut("chat.new", "Ctrl+N", "chat"),
    Shortcut("chat.send", "Ctrl+Return", "chat"),
    Shortcut("chat.stop", "Esc", "chat"),
    Shortcut("chat.compare", "Ctrl+Shift+C", "chat"),
)

_BY_ACTION = {sc.action: sc for sc in SHORTCUTS}


def get(action: str) -> Shortcut:
    return _BY_ACTION[action]


def key_sequence(action: str) -> QKeySequence:
    return QKeySequence(_BY_ACTION[action].keys)


def key_text(sc: Shortcut) -> str:
    """The keys as this platform writes them (⌘ on macOS)."""
    return QKeySequence(sc.keys).toString(QKeySequence.SequenceFormat.NativeText)


def panel_key(sc: Shortcut) -> str | None:
    return sc.action.split(".", 1)[1] if sc.action.startswith("panel.") else None


def describe(sc: Shortcut, panel_titles: dict[str, str] | None = None) -> str:
    """What the shortcut does, in the current language. ``panel_titles`` names the panels."""
    key = panel_key(sc)
    if key is not None:
        title = (panel_titles or {}).get(key, key)
        return QCoreApplication.translate("Shortcuts", "Show the {panel} panel").format(panel=title)
    return {
        "sidebar.toggle": QCoreApplication.translate("Shortcuts", "Collapse or expand the sidebar"),
        "settings": QCoreApplication.translate("Shortcuts", "Open Settings"),
        "help.shortcuts": QCoreApplication.translate("Shortcuts", "Show this list of shortcuts"),
        "quit": QCoreApplication.translate("Shortcuts", "Quit"),
        "chat.new": QCoreApplication.translate("Shortcuts", "New chat"),
        "chat.send": QCoreApplication.translate("Shortcuts", "Send the message"),
        "chat.stop": QCoreApplication.translate("Shortcuts", "Stop generating"),
        "chat.compare": QCoreApplication.translate("Shortcuts", "Compare two models side by side"),
    }.get(sc.action, sc.action)


def scope_title(scope: str) -> str:
    return {
        "window": QCoreApplication.translate("Shortcuts", "Anywhere"),
        "chat": QCoreApplication.translate("Shortcuts", "In Chat"),
    }.get(scope, scope)
