"""The main window: a sidebar with every panel of the product, a stack of panels, a status bar.

The panels are the rows of ``app.views.panels.PANELS``, each built on first view (start-up stays
light). A panel asks for another through ``ctx.navigate(key, **where)``, never through the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import paths
from app.core.errors import UserError
from app.views import assets, panels, shortcuts
from app.views.panels import PANEL_KEYS, PANELS

SIDEBAR_WIDTH = 190
SIDEBAR_COLLAPSED_WIDTH = 56  # icon (20) + item padding and margins from the style sheet
MINIMUM_SIZE = QSize(1024, 700)  # tests/gui/test_layout.py checks every panel fits in it


class FirstPaint(QObject):
    """Calls back once, just after the first paint of any widget inside ``window`` (an
    application-wide event filter, removed when it has fired; the callback runs from the event
    loop once that paint is done, never inside it)."""

    def __init__(self, window: QWidget, callback):
        super().__init__(window)
        self.window, self.callback, self.done = window, callback, False
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if (not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window() is self.window):
            self.done = True
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self.callback)
        return False


class MainWindow(QMainWindow):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.setObjectName("MainWindow")
        self.setWindowIcon(QIcon(assets.icon_path("ai-platform")))
        self.resize(1180, 760)
        self.setMinimumSize(MINIMUM_SIZE)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.sidebar = QListWidget(objectName="Sidebar")
        self.sidebar.setFixedWidth(SIDEBAR_WIDTH)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for p in PANELS:
            item = QListWidgetItem(QIcon(assets.icon_path(p.icon)), "")
            item.setData(Qt.ItemDataRole.UserRole, p.key)
            self.sidebar.addItem(item)
        # The collapse button sits under the list, in the sidebar's own column.
        self.sidebar_toggle = QToolButton(objectName="SidebarToggle", autoRaise=True)
        self.sidebar_toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar_toggle.clicked.connect(lambda: self.set_sidebar_collapsed(not self.sidebar_collapsed))
        side = QWidget(objectName="SidebarPane")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 4)
        side_layout.setSpacing(0)
        side_layout.addWidget(self.sidebar, 1)
        side_layout.addWidget(self.sidebar_toggle, 0, Qt.AlignmentFlag.AlignHCenter)
        self.sidebar_collapsed = False
        self.stack = QStackedWidget()
        self._panels: dict[str, QWidget] = {}
        layout.addWidget(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.sidebar.currentRowChanged.connect(self._show_row)

        self.home_label = QLabel(objectName="Muted")
        self.gpu_alert_label = QLabel(objectName="Error", visible=False)
        self.statusBar().addPermanentWidget(self.gpu_alert_label)
        self.statusBar().addPermanentWidget(self.home_label)
        ctx.status_message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        ctx.navigate_requested.connect(self._navigate)
        ctx.when_painted(self._hook_gpu_alerts)  # NVML and its thread start after the first picture
        self._first_paint = FirstPaint(self, self._first_painted)

        from app.views.notify import Notifier

        self.notifier = Notifier(self)
        self._closing = False
        # Long jobs say when they end: runs once the run manager exists (it is made after the first
        # paint, see app.py), knowledge indexing as soon as there is any.
        ctx.runs_ready.connect(self._hook_runs)
        ctx.kb_jobs_ready.connect(lambda jobs: jobs.finished.connect(self._on_indexing_finished))

        self._build_menus()
        self.retranslate_ui()
        self.show_panel("dashboard")

    def _first_painted(self) -> None:
        """The window is on screen: open the database if that was deferred, then let what waited
        for the first paint start (ctx.painted)."""
        try:
            _ = self.ctx.db
        except UserError as err:  # e.g. a database from a newer version of the app
            import sys

            from PySide6.QtWidgets import QMessageBox

            from app.views.error_texts import user_error_text

            print(str(err), file=sys.stderr, flush=True)
            QMessageBox.critical(self, self.tr("AI Platform"), user_error_text(err))
            QApplication.instance().exit(2)
            return
        self.ctx.mark_painted()

    # --- panels -------------------------------------------------------------------------------
    def panel(self, key: str) -> QWidget:
        if key not in self._panels:
            widget = self._create_panel(key)
            self._panels[key] = widget
            self.stack.addWidget(widget)
        return self._panels[key]

    def _create_panel(self, key: str) -> QWidget:
        return panels.spec(key).load()(self.ctx)

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

    # --- sidebar ------------------------------------------------------------------------------
    def set_sidebar_collapsed(self, collapsed: bool, remember: bool = True) -> None:
        """Icons only (names as tooltips), or icons and names; remembered for the next start."""
        self.sidebar_collapsed = collapsed = bool(collapsed)
        if remember and self.ctx.settings.sidebar_collapsed != collapsed:
            self.ctx.update(sidebar_collapsed=collapsed)
        self.sidebar.setFixedWidth(SIDEBAR_COLLAPSED_WIDTH if collapsed else SIDEBAR_WIDTH)
        self.collapse_action.setChecked(collapsed)
        # A text arrow takes the theme's text colour (the stock arrow icon is dark on the dark theme).
        self.sidebar_toggle.setText("▶" if collapsed else "◀")
        self._apply_sidebar_texts()

    def _apply_sidebar_texts(self) -> None:
        titles = self.panel_titles()
        for row, key in enumerate(PANEL_KEYS):
            item = self.sidebar.item(row)
            item.setText("" if self.sidebar_collapsed else titles[key])
            item.setToolTip(titles[key] if self.sidebar_collapsed else "")
        tip = self.tr("Expand the sidebar") if self.sidebar_collapsed else self.tr("Collapse the sidebar")
        self.sidebar_toggle.setToolTip(f"{tip} ({shortcuts.key_text(shortcuts.get('sidebar.toggle'))})")

    # --- long jobs: notify when they end ------------------------------------------------------
    def _hook_runs(self, runs) -> None:
        if not self._closing:
            runs.run_finished.connect(self._on_run_finished)

    def _on_run_finished(self, run_id: str, outcome) -> None:
        from app.views.notify import run_message

        try:
            name = self.ctx.runs.store.get(run_id).name or run_id
        except Exception:  # noqa: BLE001 - a run missing from the index still deserves its message
            name = run_id
        message = run_message(outcome.status, name, _failure_text(outcome))
        if message is not None:
            self.notifier.notify(*message)
            # The status bar may still say the run "started": say how it ended instead.
            self.ctx.status_message.emit(message[1].split("\n", 1)[0], 10000)

    def _on_indexing_finished(self, kb_name: str, outcome, failed: int = 0) -> None:
        from app.views.notify import indexing_message

        self.notifier.notify(*indexing_message(outcome.ok, kb_name, _failure_text(outcome), failed))

    def _navigate(self, key: str, where: dict) -> None:
        self.show_panel(key)
        if where:
            self.panel(key).navigate(**where)

    # --- menus --------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.settings_action = QAction(self)
        self.settings_action.setShortcut(shortcuts.key_sequence("settings"))
        self.settings_action.triggered.connect(lambda: self.show_panel("settings"))
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(shortcuts.key_sequence("quit"))
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
        self.view_menu.addSeparator()
        self.collapse_action = QAction(self, checkable=True)
        self.collapse_action.setShortcut(shortcuts.key_sequence("sidebar.toggle"))
        self.collapse_action.triggered.connect(self.set_sidebar_collapsed)
        self.view_menu.addAction(self.collapse_action)
        self.panel_actions = []
        self.view_menu.addSeparator()
        for key in PANEL_KEYS:
            act = QAction(self)
            if f"panel.{key}" in {sc.action for sc in shortcuts.SHORTCUTS}:  # Ctrl+1 … Ctrl+9
                act.setShortcut(shortcuts.key_sequence(f"panel.{key}"))
            act.triggered.connect(lambda _=False, k=key: self.show_panel(k))
            self.view_menu.addAction(act)
            self.panel_actions.append(act)

        self.help_menu = bar.addMenu("")
        self.shortcuts_action = QAction(self)
        self.shortcuts_action.setShortcut(shortcuts.key_sequence("help.shortcuts"))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.help_menu.addAction(self.shortcuts_action)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.set_sidebar_collapsed(bool(getattr(self.ctx.settings, "sidebar_collapsed", False)), remember=False)
        self.ctx.settings_changed.connect(self._sync_checks)
        self._sync_checks()

    def _sync_checks(self) -> None:
        s = self.ctx.settings
        if s.language in self.language_actions:
            self.language_actions[s.language].setChecked(True)
        if s.theme in self.theme_actions:
            self.theme_actions[s.theme].setChecked(True)

    def panel_titles(self) -> dict[str, str]:
        return panels.titles()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("AI Platform"))
        titles = self.panel_titles()
        for row, key in enumerate(PANEL_KEYS):
            self.panel_actions[row].setText(titles[key])
        self._apply_sidebar_texts()
        self.file_menu.setTitle(self.tr("&File"))
        self.settings_action.setText(self.tr("&Settings"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.collapse_action.setText(self.tr("Collapse the &sidebar"))
        self.language_menu.setTitle(self.tr("Language"))
        self.theme_menu.setTitle(self.tr("Theme"))
        self.theme_actions["light"].setText(self.tr("Light"))
        self.theme_actions["dark"].setText(self.tr("Dark"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.shortcuts_action.setText(self.tr("&Keyboard shortcuts"))
        self.about_action.setText(self.tr("&About AI Platform"))
        self.home_label.setText(self.tr("Data: {path}").format(path=paths.home()))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        self._closing = True
        self.notifier.close()
        for attr in ("_about_dialog", "_shortcuts_dialog"):  # Help windows go with the main window
            dialog = getattr(self, attr, None)
            if dialog is not None:
                dialog.close()
        for panel in self._panels.values():
            # Panels end what they own with the window; training runs are not theirs and go on.
            panel.shutdown()
        self.ctx.shutdown()
        super().closeEvent(event)

    # --- help ---------------------------------------------------------------------------------
    def show_about(self):
        """Help → About: versions of the app and its engines (non-modal; returned for tests)."""
        from app.views.about import AboutDialog

        return self._show_dialog("_about_dialog", lambda: AboutDialog(self))

    def show_shortcuts(self):
        """Help → Keyboard shortcuts (F1)."""
        from app.views.about import ShortcutsDialog

        return self._show_dialog("_shortcuts_dialog", lambda: ShortcutsDialog(self.panel_titles, self))

    def _show_dialog(self, attr: str, make):
        dialog = getattr(self, attr, None)
        if dialog is None:
            dialog = make()
            setattr(self, attr, dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog


def _failure_text(outcome) -> str:
    """Why an engine ended badly, in the user's language (for a notification)."""
    if outcome.ok:
        return ""
    from app.views.error_texts import outcome_text

    return outcome_text(outcome, sep=" ")
