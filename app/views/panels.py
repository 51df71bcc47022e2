"""Every sidebar panel, in sidebar order: one row each. The sidebar, the View menu, the lazy
creation of panels and Ctrl+1…9 are all derived from this table.

Adding a panel: a ``Panel`` subclass in ``app/views/MODULE.py``, a row here, an icon
``resources/icons/ICON.svg``, and its strings translated in ``i18n/ai_platform_zh_CN.ts``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication


@dataclass(frozen=True)
class PanelSpec:
    key: str
    module: str  # app.views.<module>
    cls: str
    title: str  # source text, translated in the "MainWindow" context
    icon: str  # resources/icons/<icon>.svg
    shortcut: str | None = None  # e.g. "Ctrl+1"

    def translated_title(self) -> str:
        return QCoreApplication.translate("MainWindow", self.title)

    def load(self) -> type:
        """The panel's class, imported on first use (start-up stays light)."""
        return getattr(importlib.import_module(f"app.views.{self.module}"), self.cls)


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("dashboard", "dashboard", "DashboardPanel", QT_TRANSLATE_NOOP("MainWindow", "Dashboard"), "dashboard", "Ctrl+1"),
    PanelSpec("projects", "projects", "ProjectsPanel", QT_TRANSLATE_NOOP("MainWindow", "Projects"), "projects", "Ctrl+2"),
    PanelSpec("datasets", "datasets", "DatasetsPanel", QT_TRANSLATE_NOOP("MainWindow", "Datasets"), "datasets", "Ctrl+3"),
    PanelSpec("training", "training", "TrainingPanel", QT_TRANSLATE_NOOP("MainWindow", "Training"), "training", "Ctrl+4"),
    PanelSpec("experiments", "experiments", "ExperimentsPanel", QT_TRANSLATE_NOOP("MainWindow", "Experiments"),
              "experiments", "Ctrl+5"),
    PanelSpec("models", "models_panel", "ModelsPanel", QT_TRANSLATE_NOOP("MainWindow", "Models"), "models", "Ctrl+6"),
    PanelSpec("chat", "chat", "ChatPanel", QT_TRANSLATE_NOOP("MainWindow", "Chat"), "chat", "Ctrl+7"),
    PanelSpec("knowledge", "knowledge", "KnowledgePanel", QT_TRANSLATE_NOOP("MainWindow", "Knowledge"), "knowledge",
              "Ctrl+8"),
    PanelSpec("workflows", "workflows", "WorkflowsPanel", QT_TRANSLATE_NOOP("MainWindow", "Workflows"), "workflows"),
    PanelSpec("gpu", "gpu", "GpuPanel", QT_TRANSLATE_NOOP("MainWindow", "GPU"), "gpu", "Ctrl+9"),
    PanelSpec("logs", "logs", "LogsPanel", QT_TRANSLATE_NOOP("MainWindow", "Logs"), "logs"),
    PanelSpec("settings", "settings_panel", "SettingsPanel", QT_TRANSLATE_NOOP("MainWindow", "Settings"), "settings"),
)

PANEL_KEYS: tuple[str, ...] = tuple(p.key for p in PANELS)
_BY_KEY = {p.key: p for p in PANELS}


def spec(key: str) -> PanelSpec:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no panel named {key!r}") from None


def titles() -> dict[str, str]:
    """Every panel's title in the current language."""
    return {p.key: p.translated_title() for p in PANELS}


__all__ = ["PanelSpec", "PANELS", "PANEL_KEYS", "spec", "titles"]
