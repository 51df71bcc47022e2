"""Light and dark themes: Fusion style, a palette, and a small style sheet for our own widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

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


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (_DARK if theme == "dark" else _LIGHT).items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    qss = Path(assets.style_path(theme))
    app.setStyleSheet(qss.read_text(encoding="utf-8") if qss.exists() else "")
