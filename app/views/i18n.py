"""Live language switching: our catalog plus Qt's own (standard dialog buttons).

Installing a translator makes Qt send ``QEvent.LanguageChange`` to every widget; each panel
re-applies its texts in ``retranslate_ui()``. English is the source language: no catalog needed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.views import assets

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "zh_CN": "中文"}


class LanguageManager:
    def __init__(self, app: QCoreApplication):
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = "en"

    def set_language(self, language: str) -> bool:
        """Switch every visible string; returns False if the catalog could not be loaded."""
        for tr in self._installed:
            self._app.removeTranslator(tr)
        self._installed.clear()
        self.language = language
        QLocale.setDefault(QLocale(language if language != "en" else "en_US"))
        if language == "en":
            # No translator installed: still tell every widget to re-read its English texts.
            QCoreApplication.postEvent(self._app, _language_change_event())
            _flush_language_events()
            return True
        ok = True
        ours = QTranslator(self._app)
        if ours.load(assets.qm_path(language)):
            self._installed.append(ours)
        else:
            ok = False
            log.warning("No translation catalog for %s at %s; run the asset build", language,
                        assets.qm_path(language))
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qtbase = QTranslator(self._app)
        if qtbase.load(f"qtbase_{language}", qt_dir):
            self._installed.append(qtbase)
        for tr in self._installed:
            self._app.installTranslator(tr)
        _flush_language_events()
        return ok


def _flush_language_events() -> None:
    """Qt delivers LanguageChange to widgets as posted events; deliver them now, so a switch is
    complete when set_language returns (no half-translated frame, deterministic in tests)."""
    from PySide6.QtCore import QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def _language_change_event():
    from PySide6.QtCore import QEvent

    return QEvent(QEvent.Type.LanguageChange)


def catalog_exists(language: str) -> bool:
    return language == "en" or Path(assets.qm_path(language)).exists()
