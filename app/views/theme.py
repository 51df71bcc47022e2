"""Light and dark themes: Fusion style, a palette, and a small style sheet for our own widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle

from app.views import assets

_DARK = {
    QPalette.ColorRole.Window: "#171c22", QPalette.ColorRole.WindowText: "#d7dee7",
    QPalette.ColorRole.Base: "#1e252d", QPalette.ColorRole.AlternateBase: "#232b34",
    QPalette.ColorRole.Text: "#d7dee7", QPalette.ColorRole.Button: "#242c36",
    QPalette.ColorRole.ButtonText: "#d7dee7", QPalette.ColorRole.Highlight: "#3b82f6",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#242c36",
    QPalette.ColorRole.ToolTipText: "#d7dee7", QPalette.ColorRole.PlaceholderText: "#7d8a99",
    QPalette.ColorRole.Link: "#60a5fa",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#f7f9fb", QPalette.ColorRole.WindowText: "#1f2933",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f3f6f9",
    QPalette.ColorRole.Text: "#1f2933", QPalette.ColorRole.Button: "#eef2f6",
    QPalette.ColorRole.ButtonText: "#1f2933", QPalette.ColorRole.Highlight: "#2563eb",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1f2933", QPalette.ColorRole.PlaceholderText: "#8a96a3",
    QPalette.ColorRole.Link: "#2563eb",
}


# Disabled widgets: greyed text and a flatter button, so "can't click this" is visible at a glance
# (setColor(role, …) without a group paints every group alike, disabled included).
_DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#5d6875", QPalette.ColorRole.Text: "#5d6875",
    QPalette.ColorRole.ButtonText: "#5d6875", QPalette.ColorRole.Button: "#1c222a",
    QPalette.ColorRole.Base: "#1a2027", QPalette.ColorRole.Highlight: "#2b3a52",
}
_LIGHT_DISABLED = {
    QPalette.ColorRole.WindowText: "#a3acb8", QPalette.ColorRole.Text: "#a3acb8",
    QPalette.ColorRole.ButtonText: "#a3acb8", QPalette.ColorRole.Button: "#f3f5f8",
    QPalette.ColorRole.Base: "#f5f7f9", QPalette.ColorRole.Highlight: "#b8c9ec",
}


def is_dark(palette: QPalette) -> bool:
    return palette.window().color().lightness() < 128


class _Style(QProxyStyle):
    """Fusion, without the stock icons on dialog buttons (a green tick, a red cross: unlike every
    other button of the app, and invisible on the dark theme)."""

    def styleHint(self, hint, option=None, widget=None, data=None):  # noqa: N802 - Qt override
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, data)


def apply_theme(app: QApplication, theme: str) -> None:
    if not isinstance(app.style(), _Style):
        app.setStyle(_Style("Fusion"))
    palette = QPalette()
    dark = theme == "dark"
    for role, colour in (_DARK if dark else _LIGHT).items():
        palette.setColor(role, QColor(colour))
    for role, colour in (_DARK_DISABLED if dark else _LIGHT_DISABLED).items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    app.setPalette(palette)
    qss = Path(assets.style_path(theme))
    app.setStyleSheet(qss.read_text(encoding="utf-8") if qss.exists() else "")
