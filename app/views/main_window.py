"""The main window: a sidebar with every panel of the product, a stack of panels, a status bar.

Panels are built on first view (start-up stays light); each is one module in app/views.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QStackedWidget,
    QWidget,
)

from app import APP_DISPLAY_NAME, __version__
from app.core import paths
from app.views import assets

PANEL_KEYS = ("dashboard", "projects", "datasets", "training", "experiments", "models", "chat",
              "knowledge", "gpu", "logs", "settings")


class MainWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("MainWindow")
        self.setWindowIcon(QIcon(assets.icon_path("ai-platform")))
        self.resize(1180, 760)
        self.setMinimumSize(QSize(960, 640))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.sidebar = QListWidget(objectName="Sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for key in PANEL_KEYS:
            item = QListWidgetItem(QIcon(assets.icon_path(key)), "")
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
        self.stack = QStackedWidget()
        self._panels: dict[str, QWidget] = {}
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.sidebar.currentRowChanged.connect(self._show_row)

        self.home_label = QLabel(objectName="Muted")
        self.gpu_alert_label = QLabel(objectName="Error", visible=False)
        self.statusBar().addPermanentWidget(self.gpu_alert_label)
        self.statusBar().addPermanentWidget(self.home_label)
        ctx.status_message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self._hook_gpu_alerts()

        self._build_menus()
        self.retranslate_ui()
        self.show_panel("dashboard")

    # --- panels -------------------------------------------------------------------------------
    def panel(self, key: str) -> QWidget:
        if key not in self._panels:
            widget = self._create_panel(key)
            self._panels[key] = widget
            self.stack.addWidget(widget)
        return self._panels[key]

    def _create_panel(self, key: str) -> QWidget:
        if key == "projects":
            from app.views.projects import ProjectsPanel

            return ProjectsPanel(self.ctx)
        if key == "settings":
            from app.views.settings_panel import SettingsPanel

            return SettingsPanel(self.ctx)
        if key == "datasets":
            from app.views.datasets import DatasetsPanel

            return DatasetsPanel(self.ctx)
        if key == "knowledge":
            from app.views.knowledge import KnowledgePanel

            return KnowledgePanel(self.ctx)
        if key == "experiments":
            from app.views.experiments import ExperimentsPanel

            return ExperimentsPanel(self.ctx)
        if key == "training":
            from app.views.training import TrainingPanel

            return TrainingPanel(self.ctx)
        if key == "dashboard":
            from app.views.dashboard import DashboardPanel

            return DashboardPanel(self.ctx)
        if key == "gpu":
            from app.views.gpu import GpuPanel

            return GpuPanel(self.ctx)
        if key == "logs":
            from app.views.logs import LogsPanel

            return LogsPanel(self.ctx)
        from app.views.placeholder import PlaceholderPanel

        return PlaceholderPanel(key)

    def show_panel(self, key: str) -> None:
        self.sidebar.setCurrentRow(PANEL_KEYS.index(key))

    def current_panel_key(self) -> str:
        return PANEL_KEYS[self.sidebar.currentRow()]

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(PANEL_KEYS):
            self.stack.setCurrentWidget(self.panel(PANEL_KEYS[row]))

    # --- GPU alerts -------------------------------------------------------------------------------
    def _hook_gpu_alerts(self) -> None:
        """A GPU alert (memory > 95 %, temperature at slowdown) shows in the status bar: once as a
        message when it starts, and as a warning that stays while it lasts."""
        monitor = self.ctx.gpu
        monitor.alert.connect(self._on_gpu_alert)
        monitor.sampled.connect(self._update_gpu_alert_label)

    def _on_gpu_alert(self, code: str, index: int, _message: str) -> None:
        from app.views.gpu_texts import alert_text

        self.ctx.status_message.emit(alert_text(code, index, self.ctx.gpu.last), 15000)

    def _update_gpu_alert_label(self, reading: dict) -> None:
        from app.core import gpu as gpu_core

        found = gpu_core.alerts(reading)
        if found:
            from app.views.gpu_texts import alert_text

            self.gpu_alert_label.setText("⚠ " + alert_text(found[0][0], found[0][1], reading))
        self.gpu_alert_label.setVisible(bool(found))

    # --- menus --------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.language_actions = {}
        from app.views.i18n import LANGUAGE_NAMES

        for code, name in LANGUAGE_NAMES.items():
            act = QAction(name, self, checkable=True)
            act.triggered.connect(lambda _=False, c=code: self.ctx.set_language(c))
            group.addAction(act)
            self.language_menu.addAction(act)
            self.language_actions[code] = act
        self.theme_menu = self.view_menu.addMenu("")
        tgroup = QActionGroup(self)
        self.theme_actions = {}
        for code in ("light", "dark"):
            act = QAction(self, checkable=True)
            act.triggered.connect(lambda _=False, c=code: self.ctx.set_theme(c))
            tgroup.addAction(act)
            self.theme_menu.addAction(act)
            self.theme_actions[code] = act
        self.panel_actions = []
        self.view_menu.addSeparator()
        for i, key in enumerate(PANEL_KEYS):
            act = QAction(self)
            if i < 9:
                act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, k=key: self.show_panel(k))
            self.view_menu.addAction(act)
            self.panel_actions.append(act)

        self.help_menu = bar.addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.ctx.settings_changed.connect(self._sync_checks)
        self._sync_checks()

    def _sync_checks(self) -> None:
        s = self.ctx.settings
        if s.language in self.language_actions:
            self.language_actions[s.language].setChecked(True)
        if s.theme in self.theme_actions:
            self.theme_actions[s.theme].setChecked(True)

    def panel_titles(self) -> dict[str, str]:
        return {
            "dashboard": self.tr("Dashboard"), "projects": self.tr("Projects"),
            "datasets": self.tr("Datasets"), "training": self.tr("Training"),
            "experiments": self.tr("Experiments"), "models": self.tr("Models"), "chat": self.tr("Chat"),
            "knowledge": self.tr("Knowledge"), "gpu": self.tr("GPU"), "logs": self.tr("Logs"),
            "settings": self.tr("Settings"),
        }

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("AI Platform"))
        titles = self.panel_titles()
        for row, key in enumerate(PANEL_KEYS):
            self.sidebar.item(row).setText(titles[key])
            self.panel_actions[row].setText(titles[key])
        self.file_menu.setTitle(self.tr("&File"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("Language"))
        self.theme_menu.setTitle(self.tr("Theme"))
        self.theme_actions["light"].setText(self.tr("Light"))
        self.theme_actions["dark"].setText(self.tr("Dark"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About AI Platform"))
        self.home_label.setText(self.tr("Data: {path}").format(path=paths.home()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        for panel in self._panels.values():
            # Panels that own short-lived engines (queries, indexing) end them with the window;
            # training runs are not theirs and go on.
            if hasattr(panel, "shutdown"):
                panel.shutdown()
        self.ctx.shutdown()
        super().closeEvent(event)

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("About AI Platform"), self.tr(
            "<b>{name}</b> {version}<br>A local workstation for large language models: datasets, "
            "fine-tuning, chat, knowledge bases and agents, on your own machine.").format(
                name=APP_DISPLAY_NAME, version=__version__))
