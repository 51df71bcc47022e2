"""Experiments: every run in one table; select several to overlay their loss curves; export.

A sweep's trials are runs grouped in one experiment: the Experiment column names the sweep and trial,
and the filter above the table shows one sweep's trials (or the runs outside any sweep) alone.

While runs train, only their rows and new loss points are redrawn; a hidden panel does nothing and
catches up once when shown.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidgetItem, QWidget,
)

from app.core import model_folder, paths, sweeps
from app.core.projects import ProjectStore
from app.views.charts import MetricChart
from app.views.run_detail import status_text
from app.views.panel import Panel
from app.views.sizes import human_bytes
from app.views.widgets import record_table, show_error


log = logging.getLogger(__name__)


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    if h:
        return QCoreApplication.translate("Durations", "{h} h {m:02d} min").format(h=h, m=m)
    return QCoreApplication.translate("Durations", "{m} min {s:02d} s").format(m=m, s=s)


def _number(value) -> str:
    """A setting as a person reads it: a sweep's 0.0026919645446163622 is 0.00269."""
    return f"{value:.3g}" if isinstance(value, float) else ("" if value is None else str(value))


METHOD_NAMES = {"lora": "LoRA", "qlora": "QLoRA", "dpo": "DPO", "orpo": "ORPO", "cpt": "CPT"}


class ExperimentsPanel(Panel):
    COLUMNS = 14
    ALL, SINGLE = "", "\x00single"  # the filter's two fixed choices; the others are sweep names

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-experiments")
        self.manager = ctx.runs
        self._sizes: dict[str, tuple[str, str]] = {}  # run id → (status, adapter size text)
        self._evals: dict = {}  # run id → its latest EvalInfo
        self._trials: dict[str, tuple[str, int]] = {}  # run id → (sweep, trial number)
        layout = self.body
        bar = QHBoxLayout()
        self.show_label = QLabel()
        self.group = QComboBox()
        self.group.setObjectName("experiments-group")
        self.group.setMinimumContentsLength(18)
        self.group.currentIndexChanged.connect(lambda *_: self.refresh())
        bar.addWidget(self.show_label)
        bar.addWidget(self.group)
        self.export_png = QPushButton()
        self.export_csv = QPushButton()
        self.export_png.clicked.connect(lambda: self.save_png())  # clicked(bool) must not become the path
        self.export_csv.clicked.connect(lambda: self.save_csv())
        self.export_gguf = QPushButton()
        self.export_gguf.clicked.connect(lambda: self.export_selected())
        bar.addWidget(self.export_gguf)
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
        self.chart = MetricChart(legend="bottom-left")
        split.addWidget(self.chart)
        split.setSizes([250, 350])
        layout.addWidget(split, 1)
        self.manager.runs_listed.connect(self.mark_stale)
        self.manager.run_updated.connect(self._run_updated)
        self.manager.metrics_appended.connect(self._metrics_appended)
        ctx.evals.finished.connect(lambda *_: self.mark_stale())
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Experiments"), self.tr(
            "Every training run with its settings and results. Select several runs to compare their loss curves."))
        self.export_png.setText(self.tr("Export chart (PNG)…"))
        self.export_csv.setText(self.tr("Export metrics (CSV)…"))
        self.export_gguf.setText(self.tr("Export run to GGUF…"))
        self.export_gguf.setToolTip(self.tr("The selected run's adapter merged into its base model, written as a "
                                            "GGUF file for llama.cpp, Ollama or LM Studio."))
        self.table.setHorizontalHeaderLabels([
            self.tr("Run"), self.tr("Project"), self.tr("Status"), self.tr("Model"), self.tr("Method"),
            self.tr("Learning rate"), self.tr("Rank"), self.tr("Final loss"), self.tr("Best loss"),
            self.tr("Duration"), self.tr("Adapter size"), self.tr("Held-out loss"), self.tr("Exact match"),
            self.tr("Sweep")])
        self.table.horizontalHeaderItem(13).setToolTip(self.tr("The sweep this run is a trial of."))
        self.show_label.setText(self.tr("Show"))
        self.group.setToolTip(self.tr("All runs, one sweep's trials, or the runs outside any sweep."))
        self.table.horizontalHeaderItem(11).setToolTip(self.tr(
            "The latest evaluation: the adapter's loss on held-out data, the base model's in brackets. "
            "⚠ marks a regression (the adapter is worse than its base)."))
        self.table.horizontalHeaderItem(12).setToolTip(self.tr(
            "Share of generated answers equal to the reference: adapter (base model)."))
        self.chart.setTitle(self.tr("Training loss"))
        self.chart.set_axis_labels(self.tr("step"), self.tr("loss"))
        self.refresh()

    def refresh(self) -> None:
        selected = set(self.selected_ids())
        projects = {p.id: p.name for p in ProjectStore(self.ctx.db).list(include_archived=True)}
        runs = self.manager.store.list()
        self._trials = sweeps.trial_runs()
        # A sweep trains its trials outside this window: index the ones the database does not know yet.
        known = {r.id for r in runs}
        missing = [rid for rid in self._trials if rid not in known and (paths.runs_dir() / rid).is_dir()]
        for rid in missing:
            try:
                self.manager.store.index_folder(paths.runs_dir() / rid)
            except Exception as exc:  # noqa: BLE001 - a broken trial folder: the others still show
                log.warning("cannot index trial run %s: %s", rid, exc)
        if missing:
            runs = self.manager.store.list()
        self._fill_groups()
        group = self.group.currentData()
        if group == self.SINGLE:
            runs = [r for r in runs if r.id not in self._trials]
        elif group:
            runs = [r for r in runs if self._trials.get(r.id, ("",))[0] == group]
        from app.core.evaluations import EvaluationStore

        self._evals = EvaluationStore(self.ctx.db).latest_by_run()
        self.table.setSortingEnabled(False)
        self.table.blockSignals(True)
        self.table.setRowCount(len(runs))
        for row, r in enumerate(runs):
            for col, text in enumerate(self._cells(r, projects)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(row, col, item)
            if r.id in selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.setSortingEnabled(True)
        self.overlay()

    def _fill_groups(self) -> None:
        """The filter's choices: all runs, each sweep with its trial count, the runs outside sweeps."""
        keep = self.group.currentData()
        counts: dict[str, int] = {}
        for name, _n in self._trials.values():
            counts[name] = counts.get(name, 0) + 1
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(self.tr("All runs"), self.ALL)
        for name in sorted(counts):
            text = (self.tr("Sweep {name} (1 trial)") if counts[name] == 1 else
                    self.tr("Sweep {name} ({n} trials)")).format(name=name, n=counts[name])
            self.group.addItem(text, name)
        if counts:
            self.group.addItem(self.tr("Runs outside sweeps"), self.SINGLE)
        self.group.setCurrentIndex(max(0, self.group.findData(keep)))
        self.group.blockSignals(False)

    def show_sweep(self, name: str) -> None:
        """Only ``name``'s trials, all selected: their loss curves overlaid."""
        self.refresh()
        self.group.setCurrentIndex(max(0, self.group.findData(name)))
        self.table.selectAll()

    def navigate(self, sweep: str | None = None, **_where) -> None:
        if sweep:
            self.show_sweep(sweep)

    def _experiment(self, run_id: str) -> str:
        trial = self._trials.get(run_id)
        return self.tr("{sweep} · trial {n}").format(sweep=trial[0], n=trial[1]) if trial else ""

    def _cells(self, r, projects: dict[int, str] | None = None) -> list[str]:
        cfg = r.config
        model = "SmolLM2-135M" if r.base_model in ("default", "") else Path(r.base_model).name
        project = (projects or {}).get(r.project_id, "") if projects is not None else None
        return [r.name, project, status_text(r.status), model,
                METHOD_NAMES.get(r.method, r.method), _number(cfg.get("learning_rate")), str(cfg.get("lora_r", "")),
                f"{r.final_loss:.4f}" if r.final_loss is not None else "",
                f"{r.best_loss:.4f}" if r.best_loss is not None else "",
                human_duration(r.duration_s), self._adapter_size(r), *self._eval_cells(r.id), self._experiment(r.id)]

    def _eval_cells(self, run_id: str) -> list[str]:
        ev = self._evals.get(run_id)
        if ev is None:
            return ["", ""]
        base, adapter = ev.side("base"), ev.side("adapter")
        loss = ""
        if ev.adapter_loss is not None and ev.base_loss is not None:
            loss = self.tr("{adapter} ({base})").format(adapter=f"{ev.adapter_loss:.3f}", base=f"{ev.base_loss:.3f}")
            if ev.regression:
                loss = "⚠ " + loss
        em = ""
        if isinstance(adapter.get("exact_match"), (int, float)) and isinstance(base.get("exact_match"), (int, float)):
            em = self.tr("{adapter} ({base})").format(adapter=f"{adapter['exact_match'] * 100:.0f}%",
                                                      base=f"{base['exact_match'] * 100:.0f}%")
        return [loss, em]

    def _adapter_size(self, r) -> str:
        """Walked once per run and status: the adapter changes only when the run ends."""
        if not r.adapter_path:
            return ""
        cached = self._sizes.get(r.id)
        if cached is None or cached[0] != r.status:
            cached = (r.status, human_bytes(model_folder.folder_size(r.adapter_path)))
            self._sizes[r.id] = cached
        return cached[1]

    def _run_updated(self, run_id: str) -> None:
        if not self.isVisible():
            self.mark_stale()
            return
        try:
            r = self.manager.store.get(run_id)
        except Exception:  # noqa: BLE001 - deleted meanwhile: the next listing drops it
            return
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == run_id:
                self.table.setSortingEnabled(False)
                for col, text in enumerate(self._cells(r, None)):
                    if text is not None:
                        self.table.item(row, col).setText(text)
                self.table.setSortingEnabled(True)
                return
        group = self.group.currentData()
        if group == self.SINGLE and run_id in self._trials:
            return  # filtered out: its updates change nothing here
        if group and group != self.SINGLE and self._trials.get(run_id, ("",))[0] != group:
            return
        self.mark_stale()  # a run this table does not list yet

    def _metrics_appended(self, run_id: str, points: dict) -> None:
        if run_id not in self.selected_ids() or "loss" not in points:
            return
        if not self.isVisible():
            self.mark_stale()
            return
        steps, values = points["loss"]
        label = next((self.table.item(r, 0).text() for r in range(self.table.rowCount())
                      if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == run_id), run_id)
        self.chart.append(run_id, steps, values, label=label)

    def selected_ids(self) -> list[str]:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model else []
        return [self.table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole) for i in rows]

    def export_selected(self):
        """The Export dialog for the one selected run (its adapter merged into its base)."""
        from app.views.export_dialog import open_export_dialog

        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        self.export_dialog = open_export_dialog(self, self.ctx, self.manager.store.get(ids[0]).run_dir)
        return self.export_dialog

    def overlay(self) -> None:
        ids = self.selected_ids()
        info = [self.manager.store.get(i) for i in ids] if len(ids) == 1 else []
        self.export_gguf.setEnabled(bool(info) and bool(info[0].adapter_path) and info[0].status not in ("queued", "running"))
        self.chart.clear_series()
        for run_id in self.selected_ids():
            info = self.manager.store.get(run_id)
            steps, values = self.manager.store.metric(run_id, "loss")
            if steps:
                self.chart.append(run_id, steps, values, label=info.name)

    def save_png(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export chart"), "loss.png", "PNG (*.png)")
        if path:
            if self.chart.export_png(path):
                self.ctx.status_message.emit(self.tr("Chart saved to {path}").format(path=path), 6000)
            else:
                show_error(self, self.tr("Export chart"), self.tr("Could not write {path}.").format(path=path))

    def save_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export metrics"), "metrics.csv", "CSV (*.csv)")
        if path:
            try:
                self.write_csv(path, self.selected_ids() or [r.id for r in self.manager.store.list()])
            except OSError as exc:
                show_error(self, self.tr("Export metrics"), self.tr("Could not write {path}: {reason}").format(
                    path=path, reason=exc.strerror or exc))
                return
            self.ctx.status_message.emit(self.tr("Metrics saved to {path}").format(path=path), 6000)

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
