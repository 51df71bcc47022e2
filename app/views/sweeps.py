"""A sweep: its trials (number, state, parameters, objective, run), three plots (objective per
trial, parallel coordinates, parameter importance) and "Train with the best settings".

Everything shown is read from the sweep's files (``app.core.sweeps``); while the sweep process
lives, ``SweepManager`` re-reads the study and the view redraws.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidgetItem, QTabWidget,
    QVBoxLayout, QWidget,
)

from app.core import sweeps
from app.core.errors import UserError
from app.views.error_texts import user_error_text
from app.views.sweep_dialog import objective_name, param_texts
from app.views.widgets import record_table

BEST = "#dc2626"
POINT = "#2563eb"
MUTED = "#94a3b8"


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.2e}" if value and abs(value) < 1e-2 else f"{value:.4g}"
    return str(value)


def _plot(parent=None) -> pg.PlotWidget:
    w = pg.PlotWidget(parent=parent, background=None)
    w.setMinimumHeight(180)
    w.plotItem.showGrid(x=True, y=True, alpha=0.25)
    for axis in ("left", "bottom"):
        w.plotItem.getAxis(axis).enableAutoSIPrefix(False)
    return w


class SweepView(QWidget):
    train_best_requested = Signal(object, str)   # config values (dict), run name
    open_run_requested = Signal(str)             # run id (its folder name)
    compare_requested = Signal(str)              # sweep name: its trials side by side in Experiments
    resume_requested = Signal(str)               # sweep name: start it again, until its trials are done

    def __init__(self, manager, parent: QWidget | None = None):
        super().__init__(parent)
        self.manager = manager
        self.study: sweeps.Study | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        row = QHBoxLayout()
        self.choice = QComboBox()
        self.choice.setMinimumContentsLength(8)
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.currentIndexChanged.connect(self._chosen)
        self.stop_btn = QPushButton()
        self.stop_btn.clicked.connect(self._stop)
        self.resume_btn = QPushButton()
        self.resume_btn.clicked.connect(lambda: self.study and self.resume_requested.emit(self.study.name))
        self.best_btn = QPushButton(objectName="Primary")
        self.best_btn.clicked.connect(self.train_best)
        self.compare_btn = QPushButton()
        self.compare_btn.clicked.connect(lambda: self.study and self.compare_requested.emit(self.study.name))
        row.addWidget(self.choice, 1)
        row.addWidget(self.resume_btn)
        row.addWidget(self.stop_btn)
        layout.addLayout(row)
        self.summary = QLabel(wordWrap=True)
        self.progress = QLabel(wordWrap=True, objectName="Muted")
        self.progress.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = record_table(5)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 3, 4):  # the run id stays whole: it is what a person looks for in Runs
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(self._cell_activated)
        split.addWidget(self.table)
        self.plots = QTabWidget()
        self.objective_plot = _plot()
        self.parallel_plot = _plot()
        self.parallel_plot.plotItem.showGrid(x=False, y=False)
        self.parallel_plot.plotItem.getAxis("left").setStyle(showValues=False)
        self.importance_plot = _plot()
        for w in (self.objective_plot, self.parallel_plot, self.importance_plot):
            self.plots.addTab(w, "")
        split.addWidget(self.plots)
        split.setSizes([220, 360])
        layout.addWidget(split, 1)
        self.empty = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.empty)
        bottom = QHBoxLayout()  # below, not beside the choice: the panel must fit the smallest window
        bottom.addWidget(self.compare_btn)
        bottom.addStretch(1)
        bottom.addWidget(self.best_btn)
        layout.addLayout(bottom)

        self.objective_points: list[tuple[float, float]] = []
        self.parallel_lines = 0
        self.importance_bars: dict[str, float] = {}
        manager.changed.connect(self._changed)
        manager.listed.connect(self.reload)
        self.retranslate_ui()
        self.reload()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.resume_btn.setText(self.tr("Resume sweep"))
        self.resume_btn.setToolTip(self.tr("Starts this sweep again: finished trials are kept, and trials are "
                                           "added until the number it was started with have finished."))
        self.stop_btn.setText(self.tr("Stop sweep"))
        self.stop_btn.setToolTip(self.tr("The trial that is training stops and keeps its adapter; no new trial "
                                         "starts. Start the sweep again to resume it."))
        self.best_btn.setText(self.tr("Train with the best settings"))
        self.compare_btn.setText(self.tr("Compare trials"))
        self.compare_btn.setToolTip(self.tr("Opens Experiments with this sweep's trial runs alone, their loss "
                                            "curves overlaid."))
        self.best_btn.setToolTip(self.tr("Starts a normal run with the best trial's settings (and loads them into "
                                         "the form)."))
        self._set_headers()
        for i, text in enumerate((self.tr("Objective per trial"), self.tr("Parallel coordinates"),
                                  self.tr("Parameter importance"))):
            self.plots.setTabText(i, text)
        self.empty.setText(self.tr("No sweep yet: choose “Sweep settings…” under the launch form to search for "
                                   "the best learning rate, rank and other settings."))
        self.show_study(self.study)

    def _objective(self) -> str:
        return self.study.objective if self.study is not None else "eval_loss"

    def _set_headers(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Trial"), self.tr("State"), self.tr("Settings"),
                                              objective_name(self._objective()), self.tr("Run")])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def state_text(self, state: str) -> str:
        return {"running": self.tr("running"), "complete": self.tr("complete"), "pruned": self.tr("pruned"),
                "fail": self.tr("failed"), "stopped": self.tr("stopped"), "interrupted": self.tr("interrupted"),
                "waiting": self.tr("waiting")}.get(state, state)

    # --- which sweep --------------------------------------------------------------------------
    def reload(self) -> None:
        """The sweeps in the data folder (newest first); the one shown stays shown."""
        keep = self.choice.currentData()
        names = sweeps.list_sweeps()
        self.choice.blockSignals(True)
        self.choice.clear()
        for name in names:
            self.choice.addItem(name, name)
        self.choice.setCurrentIndex(max(0, self.choice.findData(keep)))
        self.choice.blockSignals(False)
        self.empty.setVisible(not names)
        self._chosen()

    def select(self, name: str) -> None:
        if self.choice.findData(name) < 0:
            self.reload()
        if self.choice.findData(name) >= 0:
            self.choice.setCurrentIndex(self.choice.findData(name))
            self._chosen()

    def _chosen(self, *_) -> None:
        name = self.choice.currentData()
        self.manager.watch(name)
        self.refresh()

    def _changed(self, name: str) -> None:
        if name == self.choice.currentData():
            self.refresh()

    def refresh(self) -> None:
        name = self.choice.currentData()
        study = None
        if name:
            try:
                study = sweeps.read_study(name)
            except UserError as err:
                self.summary.setText(user_error_text(err))
        self.show_study(study)

    # --- drawing ------------------------------------------------------------------------------
    def show_study(self, study: sweeps.Study | None) -> None:
        self.study = study
        self._set_headers()
        trials = study.trials if study else ()
        running = bool(study and (study.running or self.manager.is_running(study.name)))
        self.stop_btn.setEnabled(running)
        self.resume_btn.setEnabled(bool(study and not running and study.space
                                        and study.finished < (study.wanted or 0)))
        # One place for both (the panel must fit the smallest window): Stop while it runs, else Resume.
        self.stop_btn.setVisible(running or not self.resume_btn.isEnabled())
        self.resume_btn.setVisible(not self.stop_btn.isVisible())
        self.best_btn.setEnabled(bool(study and study.best and study.space))
        self.compare_btn.setEnabled(bool(study and any(t.run for t in study.trials)))
        if study is None:
            self.progress.setText("")
            if not self.choice.count():
                self.summary.setText("")
            self._fill_table(())
            self._draw(())
            return
        best = study.best
        wanted = study.wanted or len(trials)
        state = self.tr("running") if running else self._ended_text(study)
        text = self.tr("{finished} of {wanted} trials finished · {state}").format(
            finished=study.finished, wanted=wanted, state=state)
        if best is not None:
            text += " · " + self.tr("best: trial {n}, {objective} {value:.4f}").format(
                n=best.number, objective=objective_name(study.objective), value=best.value)
        self.summary.setText(text)
        self.progress.setText(self.line_text(self.manager.last_line(study.name)) if running else "")
        self._fill_table(trials)
        self._draw(trials)

    def line_text(self, line: str) -> str:
        """The sweep process's last line (app/training/sweep.py writes it in English, for logs) said in
        the user's language with the settings' and metrics' names; a line it does not know stays as is."""
        texts = param_texts(self)
        m = re.fullmatch(r"trial (\d+): (.+) → (\S+)", line)
        if m:
            settings = ", ".join(f"{texts.get(k, k)} {format_value(_number(v))}"
                                 for k, v in (p.split("=", 1) for p in m.group(2).split(", ") if "=" in p))
            return self.tr("Trial {n} training: {settings} (run {run})").format(n=m.group(1), settings=settings,
                                                                               run=m.group(3))
        m = re.fullmatch(r"trial (\d+): evaluating (\w+)", line)
        if m:
            return self.tr("Trial {n}: measuring {objective}").format(n=m.group(1), objective=objective_name(m.group(2)))
        m = re.fullmatch(r"trial (\d+): eval loss ([\d.]+) in (\d+) s", line)
        if m:
            return self.tr("Trial {n} trained in {s} s: held-out loss {value}").format(
                n=m.group(1), s=m.group(3), value=m.group(2))
        m = re.fullmatch(r"trial (\d+): pruned at step (\d+) \(eval loss ([\d.]+)\)", line)
        if m:
            return self.tr("Trial {n} pruned at step {step} (held-out loss {value})").format(
                n=m.group(1), step=m.group(2), value=m.group(3))
        m = re.fullmatch(r"trial (\d+): marked failed \(its sweep was interrupted\)", line)
        if m:
            return self.tr("Trial {n} was interrupted with its sweep; it is not repeated").format(n=m.group(1))
        m = re.fullmatch(r"trial (\d+): (\w+) ([\d.]+)", line)
        if m and m.group(2) in sweeps.OBJECTIVES:
            return self.tr("Trial {n}: {objective} {value}").format(
                n=m.group(1), objective=objective_name(m.group(2)), value=m.group(3))
        return line

    def _ended_text(self, study: sweeps.Study) -> str:
        status = (study.process or {}).get("status")
        return {"completed": self.tr("finished"), "stopped": self.tr("stopped"),
                "failed": self.tr("failed")}.get(status, self.tr("not running"))

    def _fill_table(self, trials) -> None:
        texts = param_texts(self)
        best = self.study.best if self.study else None
        alive = bool(self.study and self.study.running)
        self.table.setRowCount(len(trials))
        for row, t in enumerate(trials):
            # Optuna gives a pruned trial its last loss as value: shown as that loss, not as the objective.
            value = f"{t.value:.4f}" if t.value is not None and t.state == "complete" else self._last_loss_text(t)
            params = ", ".join(f"{texts.get(k, k)} {format_value(v)}" for k, v in t.params.items())
            # A trial left running by a sweep that died: the next start marks it failed.
            state = self.tr("interrupted") if t.state == "running" and not alive else self.state_text(t.state)
            cells = (str(t.number), state, params, value, t.run or "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, t.run)
                if col == 4 and t.run:
                    item.setForeground(QColor(POINT))
                    item.setToolTip(self.tr("Double-click to open this run"))
                if best is not None and t.number == best.number:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)

    def _last_loss_text(self, t: sweeps.Trial) -> str:
        """A trial without a value (pruned, or still training): its last held-out loss."""
        if not t.intermediate:
            return ""
        step = max(t.intermediate)
        if self._objective() == "eval_loss":
            return self.tr("{value:.4f} at step {step}").format(value=t.intermediate[step], step=step)
        return self.tr("held-out loss {value:.4f} at step {step}").format(value=t.intermediate[step], step=step)

    def _draw(self, trials) -> None:
        self._draw_objective(trials)
        self._draw_parallel(trials)
        self._draw_importance()

    def _draw_objective(self, trials) -> None:
        plot = self.objective_plot.plotItem
        plot.clear()
        plot.setLabel("bottom", self.tr("Trial"))
        objective = self._objective()
        plot.setLabel("left", objective_name(objective))
        done = [(t.number, t.value) for t in trials if t.state == "complete" and t.value is not None]
        # A pruned trial's last loss is on this axis only when the objective is that loss.
        pruned = [(t.number, t.intermediate[max(t.intermediate)]) for t in trials
                  if t.state == "pruned" and t.intermediate and objective == "eval_loss"]
        self.objective_points = done
        if pruned:
            plot.addItem(pg.ScatterPlotItem([p[0] for p in pruned], [p[1] for p in pruned], symbol="x", size=10,
                                            pen=pg.mkPen(MUTED), brush=pg.mkBrush(MUTED)))
        if done:
            xs, ys = [p[0] for p in done], [p[1] for p in done]
            plot.addItem(pg.ScatterPlotItem(xs, ys, size=10, pen=pg.mkPen(POINT), brush=pg.mkBrush(POINT)))
            best_so_far = np.maximum.accumulate(ys) if sweeps.maximized(objective) else np.minimum.accumulate(ys)
            plot.addItem(pg.PlotDataItem(xs, best_so_far, pen=pg.mkPen(BEST, width=2),
                                         stepMode=None))
        plot.getAxis("bottom").setTicks([[(t.number, str(t.number)) for t in trials]] if trials else None)

    def _draw_parallel(self, trials) -> None:
        """One vertical axis per setting (and the objective last), each scaled to its own range;
        a line per finished trial, the better the bluer, the best in red."""
        plot = self.parallel_plot.plotItem
        plot.clear()
        plot.setTitle(None)
        done = [t for t in trials if t.state == "complete" and t.value is not None]
        self.parallel_lines = 0
        if not done:
            plot.getAxis("bottom").setTicks([[]])
            return
        keys = [k for k in (self.study.space or {}).get("params", {}) if any(k in t.params for t in done)] \
            or sorted({k for t in done for k in t.params})
        logs = {k for k, spec in ((self.study.space or {}).get("params") or {}).items() if spec.get("log")}
        texts = param_texts(self)
        columns = keys + ["__objective__"]

        def raw(t, k):
            v = t.value if k == "__objective__" else t.params.get(k)
            if not isinstance(v, (int, float)):
                return None
            return math.log10(v) if k in logs and v > 0 else float(v)

        spans = {}
        for k in columns:
            vals = [v for v in (raw(t, k) for t in done) if v is not None]
            lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
            spans[k] = (lo, hi)
        for i, k in enumerate(columns):
            plot.addItem(pg.InfiniteLine(pos=i, angle=90, pen=pg.mkPen(MUTED)))
            lo, hi = spans[k]
            show = (lambda v: format_value(10 ** v)) if k in logs else (lambda v: format_value(v))
            for y, v, anchor in ((1.0, hi, (0.5, 1.0)), (0.0, lo, (0.5, 0.0))):
                label = pg.TextItem(show(v), color=MUTED, anchor=anchor)
                label.setPos(i, y + (0.02 if y else -0.02))
                plot.addItem(label)
        best = self.study.best
        values = [t.value for t in done]
        vmin, vmax = min(values), max(values)
        up = sweeps.maximized(self._objective())
        for t in sorted(done, key=lambda t: t.value if up else -t.value):  # the best drawn last, on top
            ys = []
            for k in columns:
                v, (lo, hi) = raw(t, k), spans[k]
                ys.append(0.5 if v is None or hi == lo else (v - lo) / (hi - lo))
            share = 0.0 if vmax == vmin else (t.value - vmin) / (vmax - vmin)
            share = 1 - share if up else share
            colour = QColor(BEST) if best is not None and t.number == best.number else \
                QColor.fromHsvF(0.6, 0.25 + 0.6 * (1 - share), 0.85)
            plot.addItem(pg.PlotDataItem(list(range(len(columns))), ys, pen=pg.mkPen(colour, width=2),
                                         symbol="o", symbolSize=6, symbolBrush=colour, symbolPen=colour))
            self.parallel_lines += 1
        plot.setTitle(self.tr("One line per finished trial: the best in red, the better the bluer"), size="9pt")
        names = [texts.get(k, k) for k in keys] + [objective_name(self._objective())]
        plot.getAxis("bottom").setTicks([list(enumerate(names))])
        plot.setXRange(-0.4, len(columns) - 0.6, padding=0)
        plot.setYRange(-0.12, 1.12, padding=0)

    def _draw_importance(self) -> None:
        plot = self.importance_plot.plotItem
        plot.clear()
        plot.setTitle(None)
        importance = dict(self.study.importance) if self.study else {}
        self.importance_bars = importance
        texts = param_texts(self)
        if not importance:
            note = pg.TextItem(self.tr("Shown once two trials have finished."), color=MUTED, anchor=(0.5, 0.5))
            note.setPos(0.5, 0.5)
            plot.addItem(note)
            plot.getAxis("left").setTicks([[]])
            plot.setXRange(0, 1)
            plot.setYRange(0, 1)
            return
        items = sorted(importance.items(), key=lambda kv: kv[1])
        plot.setTitle(self.tr("Only {setting} varies, so it explains all of the change: vary two or more settings "
                              "to compare them").format(setting=texts.get(items[0][0], items[0][0]))
                      if len(items) == 1 else None, size="9pt")
        plot.addItem(pg.BarGraphItem(x0=0, y=list(range(len(items))), height=0.6, width=[v for _k, v in items],
                                     brush=POINT, pen=pg.mkPen(POINT)))
        plot.getAxis("left").setTicks([[(i, texts.get(k, k)) for i, (k, _v) in enumerate(items)]])
        plot.setLabel("bottom", self.tr("Share of the objective's variation"))
        plot.setXRange(0, max(1.0, max(v for _k, v in items)), padding=0.02)
        plot.setYRange(-0.6, len(items) - 0.4, padding=0)

    # --- actions ------------------------------------------------------------------------------
    def _stop(self) -> None:
        if self.study is not None and self.manager.stop(self.study.name):
            self.progress.setText(self.tr("Stopping: the trial that is training saves and ends…"))
            self.stop_btn.setEnabled(False)

    def _cell_activated(self, row: int, _col: int) -> None:
        item = self.table.item(row, 4)
        run = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if run:
            self.open_run_requested.emit(run)

    def train_best(self) -> None:
        if self.study is None:
            return
        values = sweeps.best_config(self.study)
        if values is None:
            return
        self.train_best_requested.emit(values, f"{self.study.name}-best")
