"""What every sidebar panel shares: the header, the margins, the live language switch, and the
hooks the main window calls. A panel is a ``Panel`` subclass listed in ``app.views.panels.PANELS``.

    class ProjectsPanel(Panel):
        def __init__(self, ctx, parent=None):
            super().__init__(ctx, parent)
            self.body.addWidget(...)        # below the header
            self.retranslate_ui()
        def retranslate_ui(self):
            self.header.set_texts(self.tr("Projects"), self.tr("…"))
        def refresh(self): ...              # reload what it shows
        def navigate(self, **where): ...    # ctx.navigate("projects", project=3) lands here

A view that goes stale while hidden calls ``mark_stale()`` instead of ``refresh()``: a hidden panel
does no work, and catches up once when it is shown again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.views.widgets import PanelHeader

MARGINS = (28, 24, 28, 24)


class Panel(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None, *, margins: tuple[int, int, int, int] = MARGINS):
        super().__init__(parent)
        self.ctx = ctx
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(*margins)
        self.header = PanelHeader()
        self.body.addWidget(self.header)
        self._stale = False

    # --- what a panel fills in ------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        """Set every visible text (called at start and on each language change)."""

    def refresh(self) -> None:
        """Reload what the panel shows from core and the workers."""

    def navigate(self, **where) -> None:
        """Show a thing inside the panel (a run, a chat…): ``ctx.navigate(key, **where)`` lands here."""

    def shutdown(self) -> None:
        """The window closes: end what the panel owns (its short-lived jobs). Runs are not its."""

    # --- hidden panels do no work ---------------------------------------------------------------
    def mark_stale(self) -> None:
        """Something the panel shows changed: refresh now if it is shown, else when it is."""
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def palette_changed(self) -> None:
        """The theme changed: repaint what the panel draws itself (HTML, charts)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        elif event.type() == QEvent.Type.PaletteChange:
            self.palette_changed()
        super().changeEvent(event)


__all__ = ["Panel", "MARGINS"]
