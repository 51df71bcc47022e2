"""Datasets: import (button or drag and drop), the validation report by line, a preview, the split,
and a token-length histogram computed by the dataset_stats engine with the model's tokenizer (both
jobs in ``app.workers.dataset_jobs``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
    QMessageBox, QProgressBar, QPushButton, QSpinBox, QSplitter, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget,
)

from app.core import bundled
from app.core.datasets import SHAPES, DatasetStore, read_jsonl
from app.core.errors import UserError
from app.views.error_texts import job_error_text, reason_text, user_error_text
from app.views.panel import Panel
from app.views.widgets import record_table, show_error
from app.workers.dataset_jobs import DatasetImport, TokenLengths

PREVIEW_ROWS = 200
DATA_SUFFIXES = (".json", ".jsonl", ".csv", ".tsv")


class DatasetsPanel(Panel):
    imported = Signal(int)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-datasets")
        self.setAcceptDrops(True)
        self.store = DatasetStore(ctx.db)
        self.stats: TokenLengths | None = None
        self._lengths: dict[int, dict] = {}  # dataset id → its counted token lengths (this session)
        self._jobs: list[DatasetImport] = []
        layout = self.body

        bar = QHBoxLayout()
        self.import_btn = QPushButton(objectName="Primary")
        self.import_btn.clicked.connect(self.choose_file)
        self.shape_label = QLabel()
        self.shape = QComboBox()
        # The long shape names ("Raw text (continued pretraining)") must not widen the toolbar past
        # the smallest window; the open list still shows them whole.
        self.shape.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.shape.setMinimumContentsLength(16)
        self.shape.view().setMinimumWidth(280)
        self.shape.addItem("", None)
        for s in SHAPES:
            self.shape.addItem({"alpaca": "Alpaca", "sharegpt": "ShareGPT", "openai": "OpenAI messages"}.get(s, s), s)
        self.val_label = QLabel()
        self.val_ratio = QDoubleSpinBox(minimum=0.0, maximum=0.5, decimals=2, singleStep=0.05, value=0.1)
        self.project_label = QLabel()
        self.project = QComboBox(minimumWidth=140)  # the project new imports belong to
        self.delete_btn = QPushButton()
        self.delete_btn.clicked.connect(self.delete_selected)
        self.busy = QProgressBar(maximumWidth=160)
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        for w in (self.import_btn, self.shape_label, self.shape, self.val_label, self.val_ratio, self.project_label,
                  self.project, self.busy):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.delete_btn)
        layout.addLayout(bar)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = record_table(5)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.show_selected)
        split.addWidget(self.table)

        self.tabs = QTabWidget()
        self.preview = QTableWidget(0, 3)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.preview.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problems = QTableWidget(0, 2)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems.verticalHeader().setVisible(False)
        self.tabs.addTab(self.preview, "")
        self.tabs.addTab(self.problems, "")
        self.tabs.addTab(self._build_lengths_tab(), "")
        split.addWidget(self.tabs)
        split.setSizes([200, 400])
        layout.addWidget(split, 1)
        self.summary = QLabel(wordWrap=True)
        layout.addWidget(self.summary)
        self.retranslate_ui()
        self.refresh()

    def _build_lengths_tab(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        row = QHBoxLayout()
        self.max_len_label = QLabel()
        self.max_len = QSpinBox(minimum=16, maximum=131072, value=2048, singleStep=128)
        self.compute_btn = QPushButton()
        self.compute_btn.clicked.connect(self.compute_lengths)
        self.lengths_progress = QProgressBar(visible=False)
        for w in (self.max_len_label, self.max_len, self.compute_btn, self.lengths_progress):
            row.addWidget(w)
        row.addStretch(1)
        v.addLayout(row)
        from app.views.charts import MetricChart
        import pyqtgraph as pg

        self.histogram = MetricChart()
        self._bars = pg.BarGraphItem(x=[], height=[], width=1, brush="#2563eb")
        self.histogram.plotItem.addItem(self._bars)
        v.addWidget(self.histogram, 1)
        self.lengths_summary = QLabel(wordWrap=True)
        v.addWidget(self.lengths_summary)
        return page

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Datasets"), self.tr(
            "Import data to fine-tune on: chat records (JSON, JSONL or CSV in the Alpaca, ShareGPT or OpenAI "
            "messages shape), preference pairs for DPO/ORPO, or raw text (TXT, Markdown). Drop files here or use "
            "Import. Every bad record is listed by line; good ones are kept."))
        self.import_btn.setText(self.tr("Import…"))
        self.shape_label.setText(self.tr("Shape"))
        self.shape.setItemText(0, self.tr("Detect"))
        for i, text in ((self.shape.findData("preference"), self.tr("Preference pairs (DPO, ORPO)")),
                        (self.shape.findData("text"), self.tr("Raw text (continued pretraining)"))):
            if i >= 0:
                self.shape.setItemText(i, text)
        self.val_label.setText(self.tr("Validation share"))
        self.project_label.setText(self.tr("Project"))
        self.reload_projects()
        self.delete_btn.setText(self.tr("Delete…"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Shape"), self.tr("Records"),
                                              self.tr("Train / validation"), self.tr("Skipped")])
        self.preview.setHorizontalHeaderLabels([self.tr("System"), self.tr("First question"), self.tr("First answer")])
        self.problems.setHorizontalHeaderLabels([self.tr("Line"), self.tr("Problem")])
        self.tabs.setTabText(0, self.tr("Preview"))
        self.tabs.setTabText(1, self.tr("Problems"))
        self.tabs.setTabText(2, self.tr("Token lengths"))
        self.max_len_label.setText(self.tr("Max length"))
        self.compute_btn.setText(self.tr("Count tokens"))
        self.histogram.setTitle(self.tr("Records by token length (bundled model's tokenizer)"))
        self.histogram.set_axis_labels(self.tr("tokens"), self.tr("records"))
        self.refresh()

    # --- list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_id()
        items = self.store.list()
        self.table.blockSignals(True)
        self.table.setRowCount(len(items))
        for row, d in enumerate(items):
            cells = (d.name, d.shape, str(d.n_records), f"{d.n_train} / {d.n_val}", str(d.n_errors))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.id)
                self.table.setItem(row, col, item)
            if d.id == selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        if not items:
            self.summary.setText(self.tr("No datasets yet. Import a file, or drop one onto this panel. A bilingual "
                                         "sample ships with the app in resources/samples."))
        self.delete_btn.setEnabled(self.selected_id() is not None)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def select(self, dataset_id: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == dataset_id:
                self.table.selectRow(row)

    def show_selected(self) -> None:
        did = self.selected_id()
        if did is not None:
            self.ctx.remember("datasets.selected", did)
        self.delete_btn.setEnabled(did is not None)
        self.preview.setRowCount(0)
        self.problems.setRowCount(0)
        self._show_lengths(self._lengths.get(did))  # another dataset's histogram never stays
        if did is None:
            return
        try:
            info = self.store.get(did)
            report = self.store.report(did)
        except UserError as err:
            self.summary.setText(user_error_text(err))
            return
        records = read_jsonl(info.train_path)[:PREVIEW_ROWS]
        self.preview.setRowCount(len(records))
        for row, rec in enumerate(records):
            # chat records; a preference pair as its prompt and chosen answer; raw text in the user column
            msgs = rec.get("messages") or (rec.get("prompt", []) + rec.get("chosen", []) if "chosen" in rec
                                           else [{"role": "user", "content": rec.get("text", "")}])
            first = lambda role: next((m.get("content", "") for m in msgs if m.get("role") == role), "")  # noqa: E731
            for col, text in enumerate((first("system"), first("user"), first("assistant"))):
                self.preview.setItem(row, col, QTableWidgetItem(str(text)[:500]))
        errors = report.get("errors", [])
        self.problems.setRowCount(len(errors))
        for row, err in enumerate(errors):
            self.problems.setItem(row, 0, QTableWidgetItem(str(err.get("line", ""))))
            reason = str(err.get("reason", ""))
            item = QTableWidgetItem(reason_text(str(err.get("code") or ""), err.get("params"), reason))
            item.setToolTip(reason)  # the English original, as in report.json and the CLI
            self.problems.setItem(row, 1, item)
        counts = report.get("counts", {})
        self.summary.setText(self.tr(
            "{valid} of {records} records imported ({train} for training, {val} for validation); {invalid} "
            "skipped, each listed under Problems.").format(
                valid=counts.get("valid", info.n_records), records=counts.get("records", info.n_records),
                train=info.n_train, val=info.n_val, invalid=counts.get("invalid", info.n_errors)))
        self.tabs.setTabText(1, self.tr("Problems ({n})").format(n=len(errors)))

    # --- importing ----------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a dataset"), "",
                                              self.tr("Datasets (*.json *.jsonl *.csv *.tsv *.txt *.md);;All files (*)"))
        if path:
            self.import_path(path)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.reload_projects()  # projects made since the panel was built
        super().showEvent(event)

    def reload_projects(self) -> None:
        from app.core.projects import ProjectStore

        keep = self.project.currentData()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItem(self.tr("(no project)"), None)
        for p in ProjectStore(self.ctx.db).list():
            self.project.addItem(p.name, p.id)
        self.project.setCurrentIndex(max(0, self.project.findData(keep)))
        self.project.blockSignals(False)

    def import_path(self, path: str, wait: bool = False) -> None:
        job = DatasetImport(self.store, path, shape=self.shape.currentData(), val_ratio=float(self.val_ratio.value()),
                            project_id=self.project.currentData(), parent=self)
        job.done.connect(lambda info, err, p=path, j=job: self._imported(j, p, info, err))
        self._jobs.append(job)
        self.busy.setVisible(True)
        self.import_btn.setEnabled(False)
        job.start()

    def _imported(self, job, path: str, info, err) -> None:
        self._jobs = [j for j in self._jobs if j is not job]
        job.deleteLater()
        self.busy.setVisible(bool(self._jobs))
        self.import_btn.setEnabled(not self._jobs)
        if err is not None:
            show_error(self, self.tr("Import failed"), self.tr("{file} could not be imported:\n{reason}").format(
                file=Path(path).name, reason=user_error_text(err, sep="\n")))
            return
        self.refresh()
        self.select(info.id)
        self.ctx.status_message.emit(self.tr('Imported "{name}": {n} records.').format(name=info.name, n=info.n_records), 5000)
        self.imported.emit(info.id)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(Path(u.toLocalFile()).suffix.lower() in DATA_SUFFIXES for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if Path(path).suffix.lower() in DATA_SUFFIXES:
                self.import_path(path)
        event.acceptProposedAction()

    def delete_selected(self) -> None:
        did = self.selected_id()
        if did is None:
            return
        info = self.store.get(did)
        answer = QMessageBox.question(
            self, self.tr("Delete dataset"),
            self.tr('Delete the dataset "{name}"? The imported copy is removed; your original file is kept.').format(
                name=info.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.store.delete(did)
            self.refresh()
            self.show_selected()

    # --- token lengths ------------------------------------------------------------------------
    def compute_lengths(self) -> None:
        did = self.selected_id()
        if did is None:
            return
        status = bundled.default_model_status()
        if not status["ready"]:
            show_error(self, self.tr("Token lengths"), self.tr(
                "The bundled model is not prepared yet; its tokenizer counts the tokens. Prepare it on the Dashboard."))
            return
        info = self.store.get(did)
        self.stats = TokenLengths(str(info.train_path), str(status["dir"]), self.max_len.value(), parent=self)
        self.stats.dataset_id = did
        self.stats.progress.connect(self._stats_progress)
        self.stats.finished.connect(self._stats_finished)
        self.lengths_progress.setVisible(True)
        self.lengths_progress.setRange(0, 0)
        self.compute_btn.setEnabled(False)
        self.stats.start()

    def _stats_progress(self, step: int, total: int, _message: str) -> None:
        if total:
            self.lengths_progress.setRange(0, total)
            self.lengths_progress.setValue(step)

    def _show_lengths(self, d: dict | None) -> None:
        if not d:
            self._bars.setOpts(x=[], height=[], width=1)
            self.histogram.clear_series()  # the axes of an empty chart, not the last dataset's
            self.lengths_summary.setText(self.tr(
                "Press Count tokens to see how long the training records are in the model's tokens.")
                if self.selected_id() is not None else "")
            return
        edges, counts = d["histogram"]["edges"], d["histogram"]["counts"]
        centers = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:])]
        width = (edges[1] - edges[0]) * 0.9 if len(edges) > 1 else 1
        self._bars.setOpts(x=centers, height=counts, width=width)
        self.lengths_summary.setText(self.tr(
            "{n} training records · mean {mean:.0f} · median {p50:.0f} · 95th percentile {p95:.0f} · longest {max} "
            "tokens. {over} records ({share:.1%}) are longer than {max_len} and will be cut.").format(
                n=d["n"], mean=d["mean"], p50=d["p50"], p95=d["p95"], max=d["max"], over=d["over_max_len"],
                share=d["over_share"], max_len=d["max_len"]))

    def _stats_finished(self, ok: bool, message: str) -> None:
        job, self.stats = self.stats, None
        self.lengths_progress.setVisible(False)
        self.compute_btn.setEnabled(True)
        if not ok:
            self.lengths_summary.setText(self.tr("Counting failed: {reason}").format(
                reason=job_error_text(job, message, sep=" ")))
        elif job is not None and job.result.get("histogram"):
            self._lengths[job.dataset_id] = dict(job.result)
            if job.dataset_id == self.selected_id():
                self._show_lengths(job.result)
        if job is not None:
            job.deleteLater()
