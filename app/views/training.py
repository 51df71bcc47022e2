"""Training: the launch form with its VRAM estimate, the list of runs, and the selected run live."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView, QScrollArea, QSplitter, QTableWidgetItem, QTabWidget, QVBoxLayout,
    QWidget,
)

from app.core import paths, sweeps, train_config
from app.core.errors import UserError
from app.core.train_config import TrainConfig
from app.views.error_texts import user_error_text
from app.views.run_detail import RunDetail, status_text
from app.views.train_form import TrainForm
from app.views.panel import Panel
from app.views.sweeps import SweepView
from app.views.widgets import record_table, show_error
from app.workers.sweep_jobs import SweepManager


class TrainingPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-training")
        self.manager = ctx.runs
        layout = self.body

        split = QSplitter(Qt.Orientation.Horizontal)
        self.form = TrainForm(ctx)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(scroll, 1)
        left_layout.addWidget(self.form.footer)
        left.setMinimumWidth(400)
        split.addWidget(left)

        right = QSplitter(Qt.Orientation.Vertical)
        self.table = record_table(4)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        right.addWidget(self.table)
        self.detail = RunDetail(ctx, self.manager)
        right.addWidget(self.detail)
        right.setSizes([160, 600])
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(right, "")
        self.sweeps = SweepManager(self)
        self.sweep_view = SweepView(self.sweeps)
        self.right_tabs.addTab(self.sweep_view, "")
        split.addWidget(self.right_tabs)
        split.setSizes([430, 800])
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

        self.form.launch_requested.connect(self.launch)
        self.form.sweep_requested.connect(self.start_sweep)
        self.sweep_view.train_best_requested.connect(self.train_best)
        self.sweep_view.open_run_requested.connect(self.open_trial_run)
        self.sweep_view.compare_requested.connect(lambda name: self.ctx.navigate("experiments", sweep=name))
        self.sweep_view.resume_requested.connect(self.resume_sweep)
        self.detail.duplicate_requested.connect(self.form.load_config)
        self.detail.chat_requested.connect(self.chat_with_run)
        self.manager.runs_listed.connect(self.mark_stale)
        self.manager.run_updated.connect(self._run_updated)
        self.retranslate_ui()
        self.refresh()

    def chat_with_run(self, run_id: str) -> None:
        """Train, then chat with what was trained: the Chat panel opens on a new chat with the adapter."""
        self.ctx.navigate("chat", chat_with_run=run_id)

    def navigate(self, run: str | None = None, sweep: str | None = None, **_where) -> None:
        if run:
            self.right_tabs.setCurrentIndex(0)
            self.select_run(run)
        if sweep:
            self.show_sweep(sweep)

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Training"), self.tr(
            "Fine-tune a model on a dataset with LoRA or QLoRA. Runs keep going when the window closes."))
        self.table.setHorizontalHeaderLabels([self.tr("Run"), self.tr("Status"), self.tr("Step"), self.tr("Loss")])
        self.right_tabs.setTabText(0, self.tr("Runs"))
        self.right_tabs.setTabText(1, self.tr("Sweeps"))
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.form.reload_choices()
        self.form.reload_models()  # models imported or merged since the form was built
        self.sweep_view.reload()  # a sweep started from the command line, or one that moved on meanwhile
        super().showEvent(event)

    def refresh(self) -> None:
        selected = self.detail.run_id
        runs = self.manager.store.list()
        self.table.blockSignals(True)
        self.table.setRowCount(len(runs))
        for row, r in enumerate(runs):
            self._fill_row(row, r)
            if r.id == selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)

    def _fill_row(self, row: int, r) -> None:
        step = f"{r.last_step}/{r.total_steps}" if r.total_steps else str(r.last_step or "")
        loss = f"{r.final_loss:.4f}" if r.final_loss is not None else ""
        for col, text in enumerate((r.name, status_text(r.status), step, loss)):
            item = self.table.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, col, item)
            item.setText(text)
            item.setData(Qt.ItemDataRole.UserRole, r.id)

    def _row_of(self, run_id: str) -> int | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == run_id:
                return row
        return None

    def select_run(self, run_id: str) -> None:
        row = self._row_of(run_id)
        if row is not None:
            self.table.selectRow(row)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        run_id = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None
        if run_id != self.detail.run_id:
            self.detail.show_run(run_id)

    def _run_updated(self, run_id: str) -> None:
        """One run's progress: that row only (a hidden panel catches up when shown)."""
        row = self._row_of(run_id)
        if row is None or not self.isVisible():
            self.mark_stale()
            return
        try:
            self._fill_row(row, self.manager.store.get(run_id))
        except UserError:
            self.mark_stale()

    def launch(self, cfg, name: str, project_id, dataset_id) -> str | None:
        run_dir = train_config.new_run_dir(name)
        cfg.name = name
        if dataset_id is not None:
            self.ctx.remember("training.dataset", dataset_id)
        train_config.write_config(run_dir, cfg)
        try:
            run_id = self.manager.launch(run_dir, name=name, project_id=project_id, dataset_id=dataset_id)
        except (UserError, OSError) as err:
            show_error(self, self.tr("Training"), user_error_text(err))
            return None
        self.refresh()
        self.select_run(run_id)
        self.ctx.status_message.emit(self.tr('Training "{name}" started.').format(name=name), 5000)
        return run_id

    # --- sweeps -------------------------------------------------------------------------------
    def show_sweep(self, name: str) -> None:
        self.right_tabs.setCurrentWidget(self.sweep_view)
        self.sweep_view.select(name)

    def start_sweep(self, space: dict, trials: int) -> str | None:
        try:
            name = self.sweeps.start(space, trials)
        except (UserError, OSError) as err:
            show_error(self, self.tr("Sweep"), user_error_text(err))
            return None
        self.show_sweep(name)
        self.ctx.status_message.emit(self.tr('Sweep "{name}" started: {n} trials.').format(name=name, n=trials), 5000)
        return name

    def resume_sweep(self, name: str) -> str | None:
        """A stopped or interrupted sweep started again with its own space: its study goes on."""
        try:
            study = sweeps.read_study(name)
        except UserError as err:
            show_error(self, self.tr("Sweep"), user_error_text(err))
            return None
        if not study.space or not study.wanted:
            return None
        return self.start_sweep(study.space, study.wanted)

    def open_trial_run(self, run_id: str) -> None:
        """A trial's run: indexed from its folder (the sweep, not this window, started it) and shown."""
        run_dir = paths.runs_dir() / run_id
        if not run_dir.is_dir():
            return
        self.manager.store.index_folder(run_dir)
        self.refresh()
        self.right_tabs.setCurrentIndex(0)
        self.select_run(run_id)

    def train_best(self, values: dict, name: str) -> str | None:
        """The best trial's settings in the form, and a normal run started with them."""
        self.form.load_config(values)
        self.form.name.setText(name)
        dataset = self.form.select_dataset_path(values.get("dataset_path", ""))
        try:
            cfg = TrainConfig.from_dict(dict(values)).validate(check_files=True)
        except UserError as err:
            show_error(self, self.tr("Training"), user_error_text(err))
            return None
        run_id = self.launch(cfg, name, self.form.project.currentData(), dataset)
        if run_id is not None:
            self.right_tabs.setCurrentIndex(0)
        return run_id
