"""Dashboard: getting started (the bundled model, projects). The full dashboard comes later."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.core import bundled
from app.core.projects import ProjectStore
from app.views.widgets import Card, PanelHeader


class DashboardPanel(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("panel-dashboard")
        self.ctx = ctx
        self.setup = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        self.header = PanelHeader()
        layout.addWidget(self.header)
        grid = QGridLayout()
        grid.setSpacing(14)
        layout.addLayout(grid)

        self.model_card = Card()
        self.model_state = QLabel(wordWrap=True)
        self.model_detail = QLabel(wordWrap=True, objectName="Muted")
        self.progress = QProgressBar(visible=False)
        self.prepare_btn = QPushButton(objectName="Primary")
        self.prepare_btn.clicked.connect(self.prepare_model)
        for w in (self.model_state, self.model_detail, self.progress):
            self.model_card.body.addWidget(w)
        self.model_card.body.addWidget(self.prepare_btn, alignment=Qt.AlignmentFlag.AlignLeft)
        self.model_card.body.addStretch(1)
        grid.addWidget(self.model_card, 0, 0)

        self.projects_card = Card()
        self.projects_text = QLabel(wordWrap=True)
        self.open_projects = QPushButton()
        self.open_projects.clicked.connect(lambda: self.window().show_panel("projects"))
        self.projects_card.body.addWidget(self.projects_text)
        self.projects_card.body.addWidget(self.open_projects, alignment=Qt.AlignmentFlag.AlignLeft)
        self.projects_card.body.addStretch(1)
        grid.addWidget(self.projects_card, 0, 1)

        self.next_card = Card()
        self.next_text = QLabel(wordWrap=True, objectName="Muted")
        self.next_card.body.addWidget(self.next_text)
        grid.addWidget(self.next_card, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout.addStretch(1)
        self.retranslate_ui()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        status = bundled.default_model_status()
        running = self.setup is not None and self.setup.is_running()
        if status["ready"]:
            self.model_state.setObjectName("Ok")
            self.model_state.setText(self.tr("{name} is ready to chat and to fine-tune.").format(
                name=bundled.DEFAULT_CHAT_MODEL))
            self.model_detail.setText(self.tr("Stored in {path}").format(path=status["dir"]))
        elif status.get("gguf_path"):
            self.model_state.setObjectName("Warning")
            self.model_state.setText(self.tr(
                "The bundled model {name} is not prepared yet. Preparing converts it once, offline "
                "(about a minute).").format(name=bundled.DEFAULT_CHAT_MODEL))
            self.model_detail.setText("")
        else:
            self.model_state.setObjectName("Error")
            self.model_state.setText(self.tr(
                "The bundled model package is missing. Run the installer again to add it."))
            self.model_detail.setText("")
        self.model_state.style().unpolish(self.model_state)
        self.model_state.style().polish(self.model_state)
        self.prepare_btn.setVisible(not status["ready"] and bool(status.get("gguf_path")))
        self.prepare_btn.setEnabled(not running)
        self.progress.setVisible(running)
        projects = ProjectStore(self.ctx.db).list(include_archived=False)
        if projects:
            self.projects_text.setText(self.tr("{n} active project(s). Latest: {name}").format(
                n=len(projects), name=projects[0].name))
        else:
            self.projects_text.setText(self.tr("No projects yet. Start by creating one."))

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Dashboard"), self.tr("Welcome. Everything here runs on this computer, offline."))
        self.model_card.title.setText(self.tr("Default model"))
        self.prepare_btn.setText(self.tr("Prepare the model"))
        self.projects_card.title.setText(self.tr("Projects"))
        self.open_projects.setText(self.tr("Open Projects"))
        self.next_card.title.setText(self.tr("Coming next"))
        self.next_text.setText(self.tr(
            "Running training runs, the serving engine, GPU, knowledge bases and recent chats will "
            "appear here as those panels arrive."))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- preparing the bundled model ----------------------------------------------------------
    def prepare_model(self) -> None:
        from app.workers.model_setup import DefaultModelSetup

        self.setup = DefaultModelSetup(self)
        self.setup.progress.connect(self._on_progress)
        self.setup.finished.connect(self._on_finished)
        self.progress.setRange(0, 0)
        self.setup.start()
        self.refresh()

    def _on_progress(self, step: int, total: int, message: str) -> None:
        self.progress.setVisible(True)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        self.model_detail.setText(message)

    def _on_finished(self, ok: bool, message: str) -> None:
        self.refresh()
        if ok:
            self.ctx.status_message.emit(self.tr("The default model is ready."), 5000)
        else:
            self.model_detail.setText(self.tr("Preparing failed: {reason}").format(reason=message))
