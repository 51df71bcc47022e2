"""A panel whose feature has not landed yet says so plainly, in both languages."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.views.widgets import Card, PanelHeader


class PlaceholderPanel(QWidget):
    """``key`` picks the texts; they are spelled out below so lupdate sees every one."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"panel-{key}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        self.header = PanelHeader()
        layout.addWidget(self.header)
        self.card = Card()
        self.what = QLabel(wordWrap=True)
        self.when = QLabel(wordWrap=True, objectName="Muted")
        self.card.body.addWidget(self.what)
        self.card.body.addWidget(self.when)
        layout.addWidget(self.card)
        layout.addStretch(1)
        self.card.title.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.retranslate_ui()

    def texts(self) -> tuple[str, str]:
        return {
            "dashboard": (self.tr("Dashboard"), self.tr(
                "Running and recent training runs, the serving engine, a GPU summary, knowledge bases "
                "and recent chats, at a glance.")),
            "datasets": (self.tr("Datasets"), self.tr(
                "Import JSON, JSONL or CSV datasets (Alpaca, ShareGPT, OpenAI messages), validate every "
                "record by line, preview them and see their token lengths.")),
            "training": (self.tr("Training"), self.tr(
                "Fine-tune with QLoRA or LoRA: a VRAM planner before launch, then live loss, GPU and log "
                "panels, stop and one-click resume.")),
            "experiments": (self.tr("Experiments"), self.tr(
                "Compare runs side by side, overlay their loss curves, export charts and metrics.")),
            "models": (self.tr("Models"), self.tr(
                "The bundled model, local folders, GGUF files, downloads and the adapters your runs "
                "produced.")),
            "chat": (self.tr("Chat"), self.tr(
                "Streaming chat with a base model or a trained adapter, served locally by vLLM.")),
            "knowledge": (self.tr("Knowledge"), self.tr(
                "Drop documents to build knowledge bases, then ask questions and get answers with "
                "citations.")),
            "gpu": (self.tr("GPU"), self.tr(
                "Live utilisation, memory, temperature and power for each GPU and each process.")),
            "logs": (self.tr("Logs"), self.tr(
                "The app's log and every engine's log in one searchable, filterable viewer.")),
        }.get(self.key, (self.key, ""))

    def retranslate_ui(self) -> None:
        title, what = self.texts()
        self.header.set_texts(title)
        self.card.title.setText(self.tr("Not available yet"))
        self.what.setText(what)
        self.when.setText(self.tr(
            "This panel arrives in a coming version. Projects and Settings already work."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
