"""GPU: each GPU live (values and ten-minute charts), the processes on it and who owns them.

Without an NVIDIA GPU or driver the panel says so and why, and shows CPU and RAM instead.
Readings come from ``ctx.gpu`` (``app.workers.gpu_monitor.GpuMonitor``), sampled off the GUI thread.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.charts import PALETTE, MetricChart
from app.views.gpu_texts import _fmt, alert_text, reason_text
from app.views.panel import Panel
from app.views.widgets import Card

MAX_STACKED = 6  # processes drawn separately in the memory chart; the rest is "other"


def _series(history: list[dict], pick) -> tuple[np.ndarray, np.ndarray]:
    """(seconds before now, values) of the readings in which ``pick`` gives a number."""
    now = time.time()
    xs, ys = [], []
    for r in history:
        try:
            v = pick(r)
        except (KeyError, IndexError, TypeError):
            v = None
        if v is not None:
            xs.append(r.get("ts", now) - now)
            ys.append(float(v))
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


def _gpu_of(reading: dict, index: int) -> dict:
    for g in reading.get("gpus") or []:
        if g.get("index") == index:
            return g
    return {}


def _chart(title: str = "") -> MetricChart:
    chart = MetricChart(title)
    chart.setMinimumHeight(170)
    chart.setMaximumHeight(230)
    chart.plotItem.setXRange(-600, 0, padding=0)
    _axis_label(chart)
    return chart


def _axis_label(chart: MetricChart) -> None:
    chart.plotItem.setLabel("bottom", QCoreApplication.translate("GpuTexts", "seconds ago"))


class GpuCard(Card):
    """One GPU: its numbers now and four ten-minute charts."""

    def __init__(self, index: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.index = index
        self.name = ""
        self.values = QLabel(wordWrap=True)
        self.values.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.values)
        grid = QGridLayout()
        self.util_chart = _chart()
        self.util_chart.plotItem.setYRange(0, 100, padding=0.02)
        self.mem_chart = _chart()
        self.temp_chart = _chart()
        self.power_chart = _chart()
        for i, chart in enumerate((self.util_chart, self.mem_chart, self.temp_chart, self.power_chart)):
            grid.addWidget(chart, i // 2, i % 2)
        self.body.addLayout(grid)
        self._stack: dict[str, tuple[pg.PlotDataItem, pg.FillBetweenItem]] = {}
        self._stack_base = self.mem_chart.plotItem.plot([], [], pen=None)
        self._total_curve = self.mem_chart.plotItem.plot([], [], pen=pg.mkPen(QColor("#4b5563"), width=1.4))
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("GPU {index}: {name}").format(index=self.index, name=self.name or self.tr("unknown")))
        self.util_chart.setTitle(self.tr("Utilisation (%)"))
        self.mem_chart.setTitle(self.tr("Memory by process (GiB)"))
        self.temp_chart.setTitle(self.tr("Temperature (°C)"))
        self.power_chart.setTitle(self.tr("Power (W)"))
        for chart in (self.util_chart, self.mem_chart, self.temp_chart, self.power_chart):
            _axis_label(chart)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_reading(self, gpu: dict) -> None:
        if gpu.get("name") and gpu["name"] != self.name:
            self.name = gpu["name"]
            self.retranslate_ui()
        self.values.setText(self.tr(
            "Utilisation {util}% · Memory {used} / {total} GiB · Temperature {temp} °C (slowdown {slow} °C) · "
            "Power {power} / {limit} W · Clocks {sm} / {mem} MHz · Fan {fan}%").format(
                util=_fmt(gpu.get("utilization")), used=_fmt(gpu.get("memory_used_gb"), "{:.1f}"),
                total=_fmt(gpu.get("memory_total_gb"), "{:.1f}"), temp=_fmt(gpu.get("temperature_c")),
                slow=_fmt(gpu.get("slowdown_c")), power=_fmt(gpu.get("power_w")),
                limit=_fmt(gpu.get("power_limit_w")), sm=_fmt(gpu.get("sm_clock_mhz")),
                mem=_fmt(gpu.get("mem_clock_mhz")), fan=_fmt(gpu.get("fan_percent"))))
        total = gpu.get("memory_total_gb")
        if total:
            self.mem_chart.plotItem.setYRange(0, total, padding=0.02)

    def draw(self, history: list[dict]) -> None:
        i = self.index
        for chart, key in ((self.util_chart, "utilization"), (self.temp_chart, "temperature_c"),
                           (self.power_chart, "power_w")):
            xs, ys = _series(history, lambda r, k=key: _gpu_of(r, i).get(k))
            _, item = chart.series(key)
            item.setData(xs, ys)
        self._draw_memory(history)

    def _draw_memory(self, history: list[dict]) -> None:
        """Stacked areas, one per process (largest first), under the GPU's total used memory."""
        now = time.time()
        rows = [(r.get("ts", now) - now, _gpu_of(r, self.index)) for r in history]
        rows = [(x, g) for x, g in rows if g]
        xs = np.asarray([x for x, _ in rows], dtype=float)
        latest: dict[str, float] = {}
        labels: dict[str, str] = {}
        for _, g in rows:
            for p in g.get("processes") or []:
                key = str(p["pid"])
                latest[key] = p.get("memory_gb") or 0.0
                owner = (p.get("owner") or {}).get("label")
                labels[key] = f"{p['pid']} {owner or p.get('name') or ''}".strip()
        keys = sorted(latest, key=lambda k: -latest[k])[:MAX_STACKED]
        for stale in set(self._stack) - set(keys):
            curve, fill = self._stack.pop(stale)
            self.mem_chart.plotItem.removeItem(fill)
            self.mem_chart.plotItem.removeItem(curve)
        self.mem_chart.legend.clear()
        below = np.zeros(len(xs))
        self._stack_base.setData(xs, below)
        lower = self._stack_base
        for n, key in enumerate(keys):
            ys = np.asarray([next((p.get("memory_gb") or 0.0 for p in (g.get("processes") or [])
                                   if str(p["pid"]) == key), 0.0) for _, g in rows], dtype=float)
            top = below + ys
            colour = QColor(PALETTE[n % len(PALETTE)])
            if key not in self._stack:
                curve = self.mem_chart.plotItem.plot([], [], pen=pg.mkPen(colour, width=1))
                fill_colour = QColor(colour)
                fill_colour.setAlpha(90)
                fill = pg.FillBetweenItem(lower, curve, brush=pg.mkBrush(fill_colour))
                self.mem_chart.plotItem.addItem(fill)
                self._stack[key] = (curve, fill)
            curve, fill = self._stack[key]
            fill.setCurves(lower, curve)
            curve.setData(xs, top)
            self.mem_chart.legend.addItem(curve, labels[key])
            lower, below = curve, top
        used = np.asarray([g.get("memory_used_gb") if g.get("memory_used_gb") is not None else np.nan
                           for _, g in rows], dtype=float)
        self._total_curve.setData(xs, used, connect="finite")
        self.mem_chart.legend.addItem(self._total_curve, self.tr("all processes"))


class GpuPanel(Panel):
    PROCESS_COLUMNS = 6

    def __init__(self, ctx, parent: QWidget | None = None, monitor=None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-gpu")
        self.monitor = monitor if monitor is not None else ctx.gpu
        self.reading: dict | None = None
        layout = self.body
        self.alert_label = QLabel(objectName="Error", wordWrap=True, visible=False)
        layout.addWidget(self.alert_label)

        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self.content = QVBoxLayout(inner)
        self.content.setContentsMargins(0, 0, 8, 0)
        self.content.setSpacing(14)
        scroll.setWidget(inner)
        layout.addWidget(scroll, 1)

        # No GPU: say why, show CPU and RAM.
        self.none_card = Card()
        self.none_text = QLabel(wordWrap=True, objectName="Warning")
        self.host_values = QLabel(wordWrap=True, objectName="Muted")
        self.none_card.body.addWidget(self.none_text)
        self.none_card.body.addWidget(self.host_values)
        self.content.addWidget(self.none_card)
        self.host_card = Card()
        host_grid = QGridLayout()
        self.cpu_chart = _chart()
        self.cpu_chart.plotItem.setYRange(0, 100, padding=0.02)
        self.ram_chart = _chart()
        host_grid.addWidget(self.cpu_chart, 0, 0)
        host_grid.addWidget(self.ram_chart, 0, 1)
        self.host_card.body.addLayout(host_grid)
        self.content.addWidget(self.host_card)

        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(14)
        self.content.addLayout(self.cards_box)
        self.cards: list[GpuCard] = []

        self.proc_card = Card()
        self.table = QTableWidget(0, self.PROCESS_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # process name
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # owner
        self.table.setMinimumHeight(140)
        self.proc_card.body.addWidget(self.table)
        self.content.addWidget(self.proc_card)
        self.content.addStretch(1)

        self.monitor.sampled.connect(self.show_reading)
        self.retranslate_ui()
        if self.monitor.last is not None:
            self.show_reading(self.monitor.last)
        else:
            self._set_available(None)

    # --- texts ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("GPU"), self.tr(
            "Utilisation, memory, temperature and power of each GPU over the last ten minutes, and the "
            "processes using it."))
        self.none_card.title.setText(self.tr("No NVIDIA GPU found"))
        self.host_card.title.setText(self.tr("CPU and memory"))
        self.cpu_chart.setTitle(self.tr("CPU (%)"))
        self.ram_chart.setTitle(self.tr("RAM used (GiB)"))
        _axis_label(self.cpu_chart)
        _axis_label(self.ram_chart)
        self.proc_card.title.setText(self.tr("Processes on the GPUs"))
        self.table.setHorizontalHeaderLabels([
            self.tr("GPU"), self.tr("PID"), self.tr("Process"), self.tr("GPU memory (GiB)"), self.tr("Owner"),
            self.tr("Run reports (GiB)")])
        if self.reading is not None:
            self.show_reading(self.reading)
        else:
            self.none_text.setText(self.tr("Reading the GPUs…"))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.reading is not None:
            self.show_reading(self.reading)

    # --- readings -------------------------------------------------------------------------------
    def _set_available(self, available: bool | None) -> None:
        self.none_card.setVisible(available is not True)
        self.host_card.setVisible(available is False)
        self.proc_card.setVisible(available is True)

    def show_reading(self, reading: dict) -> None:
        self.reading = reading
        available = bool(reading.get("available"))
        self._set_available(available)
        self._show_alerts(reading)
        history = list(self.monitor.history) or [reading]
        cpu, ram = reading.get("cpu") or {}, reading.get("ram") or {}
        if not available:
            self.none_text.setText(reason_text(reading.get("reason_code")))
            self.none_text.setToolTip(reading.get("reason") or "")
            self.host_values.setText(self.tr("CPU {cpu}% of {cores} cores · RAM {used} / {total} GiB").format(
                cpu=_fmt(cpu.get("percent")), cores=cpu.get("count") or "?",
                used=_fmt(ram.get("used_gb"), "{:.1f}"), total=_fmt(ram.get("total_gb"), "{:.1f}")))
            if not self.isVisible():
                return
            xs, ys = _series(history, lambda r: r["cpu"]["percent"])
            self.cpu_chart.series("cpu")[1].setData(xs, ys)
            xs, ys = _series(history, lambda r: r["ram"]["used_gb"])
            self.ram_chart.series("ram")[1].setData(xs, ys)
            if ram.get("total_gb"):
                self.ram_chart.plotItem.setYRange(0, ram["total_gb"], padding=0.02)
            return
        gpus = [g for g in reading.get("gpus") or [] if "error" not in g]
        while len(self.cards) < len(gpus):
            card = GpuCard(len(self.cards))
            self.cards.append(card)
            self.cards_box.addWidget(card)
        for card in self.cards:
            gpu = _gpu_of(reading, card.index)
            card.setVisible(bool(gpu))
            if gpu:
                card.show_reading(gpu)
                if self.isVisible():
                    card.draw(history)
        self._fill_table(reading)

    def _show_alerts(self, reading: dict) -> None:
        from app.core import gpu as gpu_core

        texts = [alert_text(code, index, reading) for code, index, _ in gpu_core.alerts(reading)]
        self.alert_label.setText("\n".join(texts))
        self.alert_label.setVisible(bool(texts))

    def _run_reported_memory(self, run_id: str) -> float | None:
        try:
            _, values = self.ctx.runs.store.metric(run_id, "gpu_mem_gb")
        except Exception:  # noqa: BLE001 - a run the database does not know yet
            return None
        return values[-1] if values else None

    def _run_name(self, run_id: str, fallback: str) -> str:
        try:
            return self.ctx.runs.store.get(run_id).name
        except Exception:  # noqa: BLE001
            return fallback

    def _fill_table(self, reading: dict) -> None:
        rows = [(g["index"], p) for g in reading.get("gpus") or [] for p in g.get("processes") or []]
        self.table.setRowCount(len(rows))
        for row, (index, p) in enumerate(rows):
            owner = p.get("owner") or {}
            reported = ""
            label = ""
            if owner.get("kind") == "run":
                label = self.tr("Training run {name}").format(name=self._run_name(owner["run_id"], owner["label"]))
                value = self._run_reported_memory(owner["run_id"])
                reported = f"{value:.2f}" if value is not None else ""
            elif owner:
                label = owner.get("label", "")
            cells = (str(index), str(p["pid"]), p.get("name") or "?", _fmt(p.get("memory_gb"), "{:.2f}"), label,
                     reported)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 1, 3, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
