"""One training run, live: progress with ETA, metric charts, the run's log, and its controls."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog, QGridLayout, QHBoxLayout, QInputDialog, QLabel, QMenu, QMessageBox, QProgressBar,
    QPushButton, QScrollArea, QSlider, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from app.core import protocol
from app.core.errors import UserError
from app.core.runs import complete_checkpoints, export_adapter
from app.views.charts import MetricChart
from app.views.error_texts import user_error_text
from app.views.log_view import LogView
from app.views.widgets import open_in_desktop, show_error

# chart key → the metric names it shows
# Two series of a chart are named in its title in these colours (no legend box over the curve).
SERIES_COLOURS = {"loss": "#2563eb", "eval_loss": "#dc2626", "gpu_mem_gb": "#2563eb", "gpu_mem_peak_gb": "#dc2626",
                  "reward_chosen": "#16a34a", "reward_rejected": "#dc2626", "reward_margin": "#2563eb"}

CHARTS = {
    "loss": ("loss", "eval_loss"),
    "lr": ("lr",),
    "grad_norm": ("grad_norm",),
    "tokens_per_s": ("tokens_per_s",),
    "gpu_mem": ("gpu_mem_gb", "gpu_mem_peak_gb"),
    # DPO / ORPO runs only (shown once a run has them): the rewards of the chosen and the rejected
    # answers and their margin, and the share of pairs whose chosen answer is rewarded more.
    "rewards": ("reward_margin", "reward_chosen", "reward_rejected"),
    "reward_accuracy": ("reward_accuracy",),
}
OPTIONAL_CHARTS = {"gpu_mem": "gpu_mem_gb", "rewards": "reward_margin", "reward_accuracy": "reward_accuracy"}


def status_text(status: str) -> str:
    """Translated run status: one context ("RunStatus"), so every panel says the same."""
    return {
        "queued": QCoreApplication.translate("RunStatus", "Queued"),
        "running": QCoreApplication.translate("RunStatus", "Running"),
        "completed": QCoreApplication.translate("RunStatus", "Completed"),
        "stopped": QCoreApplication.translate("RunStatus", "Stopped"),
        "failed": QCoreApplication.translate("RunStatus", "Failed"),
        "interrupted": QCoreApplication.translate("RunStatus", "Interrupted"),
    }.get(status, status)


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "–"
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RunDetail(QWidget):
    duplicate_requested = Signal(dict)  # the run's config, to load into the launch form
    merged = Signal(str)  # name of a merged model, registered in Models
    chat_requested = Signal(str)  # run id: open a chat with this run's adapter

    def __init__(self, ctx, manager, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.manager = manager
        self.run_id: str | None = None
        # Last step charted per (chart, series): a reattached run's watcher replays events.jsonl
        # from the start, and points already loaded from the database must not be drawn twice.
        self._charted: dict[tuple[str, str], int] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        top = QHBoxLayout()
        self.title = QLabel(objectName="CardTitle", wordWrap=True)  # a long name wraps, never clipped
        self.status = QLabel(objectName="Muted")
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        self.stop_btn = QPushButton()
        self.resume_btn = QPushButton(objectName="Primary")
        self.chat_btn = QPushButton()
        self.chat_btn.clicked.connect(lambda: self.run_id and self.chat_requested.emit(self.run_id))
        self.more_btn = QToolButton(popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_btn)
        self.duplicate_act = menu.addAction("", self.duplicate)
        self.export_act = menu.addAction("", self.export_adapter)
        self.gguf_act = menu.addAction("", lambda: self.export_gguf())
        self.merge_act = menu.addAction("", self.merge)
        self.folder_act = menu.addAction("", self.open_folder)
        menu.addSeparator()
        self.delete_act = menu.addAction("", self.delete)
        self.more_btn.setMenu(menu)
        for b in (self.chat_btn, self.stop_btn, self.resume_btn, self.more_btn):
            top.addWidget(b)
        layout.addLayout(top)
        self.stop_btn.clicked.connect(self.stop)
        self.resume_btn.clicked.connect(self.resume)
        self.merge_job = None

        prog = QHBoxLayout()
        self.progress = QProgressBar()
        self.eta = QLabel(objectName="Muted")
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.eta)
        layout.addLayout(prog)
        self.message = QLabel(wordWrap=True)
        self.message.setVisible(False)
        layout.addWidget(self.message)

        self.empty = QLabel(objectName="Muted", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        layout.addWidget(self.empty, 1)
        self.tabs = QTabWidget()
        charts_page = QWidget()
        page_layout = QVBoxLayout(charts_page)
        smooth_row = QHBoxLayout()
        self.smooth_label = QLabel()
        self.smoothing = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=99, value=60)
        self.smoothing.setMaximumWidth(240)
        self.smoothing.valueChanged.connect(lambda v: self.charts["loss"].set_smoothing(v / 100))
        smooth_row.addWidget(self.smooth_label)
        smooth_row.addWidget(self.smoothing)
        smooth_row.addStretch(1)
        page_layout.addLayout(smooth_row)
        self.chart_grid = QGridLayout()
        page_layout.addLayout(self.chart_grid, 1)
        self.charts: dict[str, MetricChart] = {}
        for i, key in enumerate(CHARTS):
            chart = MetricChart(legend="title", marked=("eval_loss",), colours=SERIES_COLOURS)
            self.charts[key] = chart
            self.chart_grid.addWidget(chart, i // 2, i % 2)
        self.charts["loss"].set_smoothing(0.6)
        self.tabs.addTab(charts_page, "")
        self.log = LogView()
        self.tabs.addTab(self.log, "")
        from app.views.eval_card import EvalCard

        self.eval_card = EvalCard(ctx)
        eval_scroll = QScrollArea(widgetResizable=True)
        eval_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        eval_scroll.setWidget(self.eval_card)
        self.tabs.addTab(eval_scroll, "")
        layout.addWidget(self.tabs, 1)

        manager.run_event.connect(self._on_event)
        manager.run_updated.connect(self._on_changed)
        self.retranslate_ui()
        self.show_run(None)

    # --- texts --------------------------------------------------------------------------------
    def series_label(self, name: str) -> str | None:
        """Legend text for charts that hold two series; None for single-series charts."""
        return {"loss": self.tr("train"), "eval_loss": self.tr("eval"), "gpu_mem_gb": self.tr("allocated"),
                "gpu_mem_peak_gb": self.tr("peak"), "reward_margin": self.tr("margin"),
                "reward_chosen": self.tr("chosen"), "reward_rejected": self.tr("rejected")}.get(name)

    def retranslate_ui(self) -> None:
        self.stop_btn.setText(self.tr("Stop"))
        self.resume_btn.setText(self.tr("Resume…"))
        self.chat_btn.setText(self.tr("Chat with adapter"))
        self.chat_btn.setToolTip(self.tr("Open a new chat with the adapter this run trained"))
        self.more_btn.setText(self.tr("More"))
        self.duplicate_act.setText(self.tr("Duplicate settings"))
        self.export_act.setText(self.tr("Export adapter…"))
        self.gguf_act.setText(self.tr("Export to GGUF…"))
        self.merge_act.setText(self.tr("Merge into a full model…"))
        self.folder_act.setText(self.tr("Open folder"))
        self.delete_act.setText(self.tr("Delete…"))
        self.smooth_label.setText(self.tr("Loss smoothing"))
        self.tabs.setTabText(0, self.tr("Charts"))
        self.tabs.setTabText(1, self.tr("Log"))
        self.tabs.setTabText(2, self.tr("Evaluation"))
        self.empty.setText(self.tr("Start a run with the form on the left, or select a run above to see "
                                   "its charts and log."))
        titles = {"loss": self.tr("Loss"), "lr": self.tr("Learning rate"),  # the series name themselves
                  "grad_norm": self.tr("Gradient norm"), "tokens_per_s": self.tr("Tokens per second"),
                  "gpu_mem": self.tr("GPU memory (GB)"), "rewards": self.tr("Rewards"),
                  "reward_accuracy": self.tr("Reward accuracy")}
        units = {"loss": self.tr("loss"), "lr": self.tr("rate"), "grad_norm": self.tr("norm"),
                 "tokens_per_s": self.tr("tokens/s"), "gpu_mem": "GB", "rewards": self.tr("reward"),
                 "reward_accuracy": self.tr("share of pairs")}
        for key, chart in self.charts.items():
            chart.setTitle(titles[key])
            chart.set_axis_labels(self.tr("step"), units[key])
            for name in CHARTS[key]:
                label = self.series_label(name)
                if label:
                    chart.relabel(name, label)  # legends already drawn follow the language too
        if self.run_id:
            self._refresh_header()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- showing a run ------------------------------------------------------------------------
    def show_run(self, run_id: str | None) -> None:
        self.run_id = run_id
        self._charted = {}
        for chart in self.charts.values():
            chart.clear_series()
        self.message.setVisible(False)
        self.eta.setText("")
        for w in (self.tabs, self.progress, self.eta, self.title, self.status, self.stop_btn, self.resume_btn,
                  self.more_btn):
            w.setVisible(run_id is not None)
        self.empty.setVisible(run_id is None)
        if run_id is None:
            self.title.setText("")
            self.status.setText("")
            self.eval_card.show_run(None)
            self.log.stop_following()
            self._update_controls()
            return
        info = self.manager.store.get(run_id)
        for key, names in CHARTS.items():
            for name in names:
                steps, values = self.manager.store.metric(run_id, name)
                if steps:
                    self.charts[key].append(name, steps, values, label=self.series_label(name))
                    self._charted[(key, name)] = steps[-1]
        self._update_gpu_chart()
        run_dir = Path(info.run_dir)
        # The engine writes its log to train.log itself; stderr.log (raw stderr, kept for hard
        # crashes) repeats the same lines, so it is not shown twice here.
        self.log.follow([run_dir / "train.log"])
        self._refresh_header()

    def _refresh_header(self) -> None:
        if not self.run_id:
            return
        try:
            info = self.manager.store.get(self.run_id)
        except UserError:
            self.show_run(None)
            return
        self.title.setText(info.name)
        dist = info.config.get("distributed") or {}
        size = int(dist.get("processes", 1)) * int(dist.get("nnodes", 1)) if dist else 1
        self.status.setText(status_text(info.status) if size < 2 else self.tr(
            "{status} · {n} processes ({strategy})").format(
                status=status_text(info.status), n=size, strategy=str(dist.get("strategy", "ddp")).upper()))
        self.eval_card.show_run(self.run_id, info.run_dir)
        if info.status not in ("running", "queued"):
            self.eta.setText("")  # a finished or stopped run has nothing left to wait for
        total = info.total_steps or 0
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(info.last_step, total) if total else 0)
        if total:
            self.progress.setFormat(self.tr("Step %v of %m"))
        elif info.status in ("running", "queued"):
            self.progress.setFormat(self.tr("Waiting for the first step…"))
        else:  # it ended before its first step: nothing is coming
            self.progress.setFormat(self.tr("No steps trained"))
        if info.status == "interrupted":
            self._show_message(self.tr(
                "This run was interrupted (the app or the computer stopped while it trained). Resume "
                "continues from its last complete checkpoint."), "Warning")
        elif info.status == "failed":
            from app.core.run_folder import last_error
            from app.views.error_texts import event_error_text

            err = last_error(info.run_dir)  # why it failed, also for a run finished before this start
            if err is not None:
                self._show_message(event_error_text(err.message, err.hint, err.extra), "Error")
        self._update_controls()

    def _show_message(self, text: str, kind: str) -> None:
        self.message.setObjectName(kind)
        self.message.setText(text)
        self.message.setVisible(True)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _update_controls(self) -> None:
        running = bool(self.run_id and self.manager.is_running(self.run_id))
        has_ckpt = False
        if self.run_id and not running:
            try:
                info = self.manager.store.get(self.run_id)
                # A completed run has nothing left to do; stopped, failed and interrupted ones do.
                has_ckpt = info.status in ("stopped", "failed", "interrupted") and bool(
                    complete_checkpoints(info.run_dir))
            except UserError:
                has_ckpt = False
        has_adapter = False
        if self.run_id:
            try:
                has_adapter = (Path(self.manager.store.get(self.run_id).run_dir) / "adapter" / "adapter_config.json").exists()
            except UserError:
                pass
        self.stop_btn.setEnabled(running)
        self.resume_btn.setEnabled(has_ckpt)
        self.delete_act.setEnabled(self.run_id is not None and not running)
        self.export_act.setEnabled(has_adapter)
        self.gguf_act.setEnabled(has_adapter and not running)
        self.chat_btn.setEnabled(has_adapter and not running)
        self.merge_act.setEnabled(has_adapter and self.merge_job is None)

    # --- live updates -------------------------------------------------------------------------
    def _on_event(self, run_id: str, ev) -> None:
        if run_id != self.run_id:
            return
        if isinstance(ev, protocol.Metric):
            for key, names in CHARTS.items():
                for name in names:
                    value = (ev.values or {}).get(name)
                    if isinstance(value, (int, float)) and ev.step > self._charted.get((key, name), -1):
                        self.charts[key].append(name, [ev.step], [value], label=self.series_label(name))
                        self._charted[(key, name)] = ev.step
            self._update_gpu_chart()
        elif isinstance(ev, protocol.Progress):
            if ev.total:
                self.progress.setRange(0, int(ev.total))
                self.progress.setFormat(self.tr("Step %v of %m"))
            self.progress.setValue(int(ev.step or 0))
            # No estimate before the first step (it would read 0:00), nor once the run stops.
            known = ev.step and ev.eta_s is not None and self.manager.is_running(run_id)
            self.eta.setText(self.tr("ETA {eta}").format(eta=format_eta(ev.eta_s)) if known else "")
        elif isinstance(ev, protocol.Error):
            from app.views.error_texts import event_error_text

            self._show_message(event_error_text(ev.message, ev.hint, ev.extra), "Error")

    def _update_gpu_chart(self) -> None:
        # CPU runs have no GPU figures, chat runs no rewards: an empty chart would only look broken.
        shown = {key: self.charts[key].point_count(name) > 0 for key, name in OPTIONAL_CHARTS.items()}
        # The shown charts fill the grid in order, so a hidden one (GPU memory on CPU) leaves no hole.
        visible = [k for k in CHARTS if shown.get(k, True)]
        if visible == getattr(self, "_chart_order", None):
            return  # every metric event comes here: re-lay the grid only when the set changes
        self._chart_order = visible
        for key in CHARTS:
            self.chart_grid.removeWidget(self.charts[key])
        for i, key in enumerate(visible):
            self.chart_grid.addWidget(self.charts[key], i // 2, i % 2)
        for key, on in shown.items():
            self.charts[key].setVisible(on)

    def _on_changed(self, run_id: str) -> None:
        if run_id == self.run_id:
            self._refresh_header()

    # --- actions ------------------------------------------------------------------------------
    def stop(self) -> None:
        if self.run_id and self.manager.stop(self.run_id):
            self.ctx.status_message.emit(self.tr("Stopping at the next step; a checkpoint and the adapter are saved."), 6000)

    def resume(self) -> None:
        if not self.run_id:
            return
        info = self.manager.store.get(self.run_id)
        ckpts = complete_checkpoints(info.run_dir)
        if not ckpts:
            return
        labels = [self.tr("Latest (step {step})").format(step=ckpts[-1][0])]
        labels += [self.tr("Step {step}").format(step=step) for step, _ in reversed(ckpts[:-1])]
        choice, ok = QInputDialog.getItem(self, self.tr("Resume training"), self.tr("Resume from checkpoint:"),
                                          labels, 0, False)
        if not ok:
            return
        index = labels.index(choice)
        target = "latest" if index == 0 else str(list(reversed(ckpts[:-1]))[index - 1][1])
        try:
            self.manager.resume(self.run_id, target)
        except UserError as err:
            show_error(self, self.tr("Resume training"), user_error_text(err))
        self._update_controls()

    def duplicate(self) -> None:
        if self.run_id:
            self.duplicate_requested.emit(dict(self.manager.store.get(self.run_id).config))

    def delete(self) -> None:
        if not self.run_id:
            return
        info = self.manager.store.get(self.run_id)
        answer = QMessageBox.question(
            self, self.tr("Delete run"),
            self.tr('Delete the run "{name}" with its checkpoints, adapter and logs? This cannot be undone.')
            .format(name=info.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.manager.store.delete(self.run_id)
        except UserError as err:
            show_error(self, self.tr("Delete run"), user_error_text(err))
            return
        deleted = self.run_id
        self.show_run(None)
        self.manager.forget(deleted)

    def export_adapter(self) -> None:
        if not self.run_id:
            return
        info = self.manager.store.get(self.run_id)
        parent = QFileDialog.getExistingDirectory(self, self.tr("Export the adapter into a folder"))
        if not parent:
            return
        try:
            dest = export_adapter(info.run_dir, Path(parent) / f"{info.id}-adapter")
        except (UserError, OSError) as err:
            show_error(self, self.tr("Export adapter"), user_error_text(err))
            return
        self.ctx.status_message.emit(self.tr("Adapter exported to {path}").format(path=dest), 6000)

    def export_gguf(self):
        """The Export dialog for this run: its adapter merged into its base, written as GGUF."""
        from app.views.export_dialog import open_export_dialog

        if not self.run_id:
            return None
        info = self.manager.store.get(self.run_id)
        self.export_dialog = open_export_dialog(self, self.ctx, info.run_dir)
        return self.export_dialog

    def merge(self, name: str | None = None) -> None:
        """Merge the adapter into its base model; the result is registered as a model."""
        if not self.run_id:
            return
        info = self.manager.store.get(self.run_id)
        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("Merge into a full model"),
                                            self.tr("Name of the merged model:"), text=f"{info.name}-merged")
            if not ok or not name.strip():
                return
        from app.workers.model_import import ModelImportJob

        self.merge_job = ModelImportJob.merge(self.ctx.db, info.run_dir, info.id, name, parent=self)
        self.merge_job.finished.connect(self._merged)
        self.merge_job.start()
        self._update_controls()
        self.ctx.status_message.emit(self.tr("Merging the adapter into the base model…"), 0)

    def _merged(self, ok: bool, message: str) -> None:
        job, self.merge_job = self.merge_job, None
        self._update_controls()
        if not ok:
            show_error(self, self.tr("Merge into a full model"), self.tr("Merging failed: {reason}").format(
                reason=message))
            return
        self.ctx.status_message.emit(self.tr('Merged model "{name}" saved to {path}.').format(
            name=job.model.name, path=job.out), 8000)
        self.merged.emit(job.model.name)

    def open_folder(self) -> None:
        if self.run_id:
            open_in_desktop(self, self.manager.store.get(self.run_id).run_dir)
