"""Experiments: every run in one table; select several to overlay their loss curves; export."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QHeaderView, QPushButton, QSplitter, QTableWidgetItem, QWidget,
)

from app.core.projects import ProjectStore
from app.views.charts import MetricChart
from app.views.run_detail import status_text
from app.views.panel import Panel
from app.views.widgets import record_table


def folder_size(path: str | None) -> int:
    if not path or not Path(path).is_dir():
        return 0
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h {m:02d}m" if h else f"{m}m {s:02d}s"


class ExperimentsPanel(Panel):
    COLUMNS = 11

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-experiments")
        self.manager = ctx.runs
        layout = self.body
        bar = QHBoxLayout()
        self.export_png = QPushButton()
        self.export_csv = QPushButton()
        self.export_png.clicked.connect(self.save_png)
        self.export_csv.clicked.connect(self.save_csv)
        bar.addStretch(1)
        bar.addWidget(self.export_png)
        bar.addWidget(self.export_csv)
        layout.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = record_table(self.COLUMNS, multi=True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self.overlay)
        split.addWidget(self.table)
        self.chart = MetricChart()
        split.addWidget(self.chart)
        split.setSizes([250, 350])
        layout.addWidget(split, 1)
        self.manager.run_changed.connect(lambda _id: self.refresh())
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Experiments"), self.tr(
            "Every training run with its settings and results. Select several runs to compare their loss curves."))
        self.export_png.setText(self.tr("Export chart (PNG)…"))
        self.export_csv.setText(self.tr("Export metrics (CSV)…"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Run"), self.tr("Project"), self.tr("Status"), self.tr("Model"), self.tr("Method"),
            self.tr("Learning rate"), self.tr("Rank"), self.tr("Final loss"), self.tr("Best loss"),
            self.tr("Duration"), self.tr("Adapter size")])
        self.chart.setTitle(self.tr("Training loss"))
        self.refresh()

    def refresh(self) -> None:
        selected = set(self.selected_ids())
        projects = {p.id: p.name for p in ProjectStore(self.ctx.db).list(include_archived=True)}
        runs = self.manager.store.list()
        self.table.setSortingEnabled(False)
        self.table.blockSignals(True)
        self.table.setRowCount(len(runs))
        for row, r in enumerate(runs):
            cfg = r.config
            model = "SmolLM2-135M" if r.base_model in ("default", "") else Path(r.base_model).name
            cells = [r.name, projects.get(r.project_id, ""), status_text(r.status), model,
                     r.method.upper(), f"{cfg.get('learning_rate', '')}", str(cfg.get("lora_r", "")),
                     f"{r.final_loss:.4f}" if r.final_loss is not None else "",
                     f"{r.best_loss:.4f}" if r.best_loss is not None else "",
                     human_duration(r.duration_s), human_size(folder_size(r.adapter_path)) if r.adapter_path else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(row, col, item)
            if r.id in selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.setSortingEnabled(True)
        self.overlay()

    def selected_ids(self) -> list[str]:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model else []
        return [self.table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole) for i in rows]

    def overlay(self) -> None:
        self.chart.clear_series()
        for run_id in self.selected_ids():
            info = self.manager.store.get(run_id)
            steps, values = self.manager.store.metric(run_id, "loss")
            if steps:
                self.chart.append(run_id, steps, values, label=info.name)

    def save_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export chart"), "loss.png", "PNG (*.png)")
        if path:
            self.chart.export_png(path)

    def save_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export metrics"), "metrics.csv", "CSV (*.csv)")
        if path:
            self.write_csv(path, self.selected_ids() or [r.id for r in self.manager.store.list()])

    def write_csv(self, path: str, run_ids: list[str]) -> None:
        tmp = Path(path).with_suffix(".csv.tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["run_id", "run_name", "metric", "step", "value"])
            for run_id in run_ids:
                info = self.manager.store.get(run_id)
                for name in self.manager.store.metric_names(run_id):
                    steps, values = self.manager.store.metric(run_id, name)
                    w.writerows((run_id, info.name, name, s, v) for s, v in zip(steps, values))
        tmp.replace(path)
