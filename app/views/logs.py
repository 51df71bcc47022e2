"""Logs: the app's own log, every training run's train.log and every engine log under logs/, in one
live viewer with a source filter, level filter, search, highlighting and copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.core import paths
from app.views.log_view import LogView
from app.views.panel import Panel

APP_LOG = "app.log"
RUN_LOG = "train.log"


def app_log_files(logs_dir: Path) -> list[Path]:
    """app.log and its rotated copies, oldest first (app.log.3, .2, .1, app.log)."""
    rotated = sorted((p for p in logs_dir.glob(APP_LOG + ".*") if p.suffix.lstrip(".").isdigit()),
                     key=lambda p: -int(p.suffix.lstrip(".")))
    return [*rotated, logs_dir / APP_LOG]


def log_sources(runs) -> list[tuple[str, str, list[Path]]]:
    """(key, label, files) of every log there is: the app, engines (logs/*.log), each run."""
    logs_dir = paths.logs_dir()
    sources: list[tuple[str, str, list[Path]]] = [("app", "app", app_log_files(logs_dir))]
    if logs_dir.is_dir():
        for p in sorted(logs_dir.glob("*.log")):
            if p.name != APP_LOG:
                sources.append((f"engine:{p.stem}", p.stem, [p]))
    for r in runs:
        path = Path(r.run_dir) / RUN_LOG
        if path.exists():
            sources.append((f"run:{r.id}", r.name, [path]))
    return sources


class LogsPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-logs")
        self._sources: list[tuple[str, str, list[Path]]] = []
        layout = self.body
        bar = QHBoxLayout()
        self.source_label = QLabel()
        self.source = QComboBox()
        self.source.setMinimumWidth(260)
        self.source.currentIndexChanged.connect(self._follow_selected)
        self.refresh_btn = QPushButton()
        self.refresh_btn.clicked.connect(self.refresh_sources)
        bar.addWidget(self.source_label)
        bar.addWidget(self.source)
        bar.addWidget(self.refresh_btn)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.view = LogView(copy_buttons=True)
        self.view.folder_override = paths.logs_dir()
        layout.addWidget(self.view, 1)
        self.ctx.runs.runs_listed.connect(self.mark_stale)
        self.retranslate_ui()
        self.refresh_sources()

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Logs"), self.tr(
            "The app's log, every training run's log and the engines' logs, followed live."))
        self.source_label.setText(self.tr("Source:"))
        self.refresh_btn.setText(self.tr("Refresh sources"))
        if self.source.count():
            self.source.setItemText(0, self.tr("All sources"))
            for i in range(1, self.source.count()):
                key = self.source.itemData(i)
                self.source.setItemText(i, self._source_text(key, self._label_of(key)))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh_sources()
        super().showEvent(event)

    def _label_of(self, key: str) -> str:
        return next((label for k, label, _ in self._sources if k == key), key)

    def _source_text(self, key: str, label: str) -> str:
        if key == "app":
            return self.tr("App")
        if key.startswith("run:"):
            return self.tr("Run: {name}").format(name=label)
        return self.tr("Engine: {name}").format(name=label)

    def refresh_sources(self) -> None:
        sources = log_sources(self.ctx.runs.store.list())
        if [(k, f) for k, _, f in sources] == [(k, f) for k, _, f in self._sources] and self.source.count():
            return
        current = self.source.currentData() or "all"
        self._sources = sources
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(self.tr("All sources"), "all")
        for key, label, _ in sources:
            self.source.addItem(self._source_text(key, label), key)
        index = self.source.findData(current)
        self.source.setCurrentIndex(max(0, index))
        self.source.blockSignals(False)
        self._follow_selected()

    def select_source(self, key: str) -> None:
        index = self.source.findData(key)
        if index >= 0:
            self.source.setCurrentIndex(index)

    def _follow_selected(self) -> None:
        key = self.source.currentData() or "all"
        chosen = [s for s in self._sources if key in ("all", s[0])]
        files = [f for _, _, fs in chosen for f in fs]
        labels = {f: label for _, label, fs in chosen for f in fs} if key == "all" else None
        self.view.follow(files, labels=labels)
        run_dirs = {f.parent for k, _, fs in chosen if k.startswith("run:") for f in fs}
        self.view.folder_override = next(iter(run_dirs)) if key.startswith("run:") and run_dirs else paths.logs_dir()

    def refresh(self) -> None:
        self.refresh_sources()

    # For tests and keyboard users: what is shown now.
    def shown_lines(self) -> list[str]:
        text = self.view.visible_text()
        return text.split("\n") if text else []
