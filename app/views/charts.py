"""Live metric charts that stay smooth with 100k+ points: pyqtgraph with peak downsampling and
clip-to-view, data kept in growable numpy buffers (appending never copies the whole history)."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")


class SeriesBuffer:
    """Append-only (x, y) storage with amortised O(1) growth, and its smoothed copy kept up to
    date point by point (so a live chart never re-smooths its whole history)."""

    def __init__(self, capacity: int = 1024):
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._s = np.empty(capacity, dtype=np.float64)
        self.n = 0
        self.weight = 0.0
        self._acc = 0.0
        self._norm = 0.0

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        need = self.n + len(xs)
        if need > len(self._x):
            cap = max(need, 2 * len(self._x))
            self._x = np.resize(self._x, cap)
            self._y = np.resize(self._y, cap)
            self._s = np.resize(self._s, cap)
        self._x[self.n:need] = xs
        self._y[self.n:need] = ys
        self._smooth_from(self.n, need)
        self.n = need

    def set_weight(self, weight: float) -> None:
        self.weight = float(weight)
        self._acc = self._norm = 0.0
        self._smooth_from(0, self.n)

    def _smooth_from(self, start: int, stop: int) -> None:
        w = self.weight
        if w <= 0:
            self._s[start:stop] = self._y[start:stop]
            return
        acc, norm = self._acc, self._norm
        for i in range(start, stop):
            acc = acc * w + (1 - w) * self._y[i]
            norm = norm * w + (1 - w)
            self._s[i] = acc / norm
        self._acc, self._norm = acc, norm

    @property
    def smoothed(self) -> np.ndarray:
        return self._s[: self.n]

    @property
    def x(self) -> np.ndarray:
        return self._x[: self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self.n]


def ema(values, weight: float) -> np.ndarray:
    """TensorBoard-style exponential smoothing (weight 0 = raw), debiased at the start."""
    buf = SeriesBuffer(max(1, len(values)))
    buf.weight = float(weight)
    buf.extend(np.arange(len(values)), values)
    return buf.smoothed.copy()


class MetricChart(pg.PlotWidget):
    """One chart, several named series (e.g. several runs' loss, or train vs eval)."""

    # Where the legend sits: a falling curve (a loss) leaves the bottom-left corner free; "title"
    # names the series in the title, in their colours, so no box ever covers a curve.
    LEGEND_OFFSETS = {"top-right": (-10, 10), "bottom-left": (10, -10)}

    def __init__(self, title: str = "", parent=None, *, legend: str = "top-right", marked: tuple[str, ...] = (),
                 colours: dict[str, str] | None = None):
        """``marked``: series drawn with a dot at each point too (sparse ones, like an eval loss
        measured a few times: a single point would be invisible as a line). ``colours``: fixed
        colours by series name (else the palette in order of appearance)."""
        super().__init__(parent=parent, background=None)
        self.setMinimumHeight(160)
        self.plotItem.showGrid(x=True, y=True, alpha=0.25)
        self.plotItem.setDownsampling(auto=True, mode="peak")
        self.plotItem.setClipToView(True)
        self.plotItem.getAxis("left").enableAutoSIPrefix(False)  # 5e-4 stays 0.0005, not "500 (x1e-06)"
        self.plotItem.getAxis("bottom").enableAutoSIPrefix(False)
        self.plotItem.getAxis("bottom").setStyle(maxTextLevel=1)  # steps 10 11 12 never run together
        self.in_title = legend == "title"
        self.legend = None if self.in_title else self.plotItem.addLegend(offset=self.LEGEND_OFFSETS[legend])
        self._title = ""
        self._series: dict[str, tuple[SeriesBuffer, pg.PlotDataItem]] = {}
        self._labels: dict[str, str] = {}
        self._fixed: dict[str, str] = dict(colours or {})
        self._colours: dict[str, str] = dict(self._fixed)
        self.marked = set(marked)
        self.smoothing = 0.0
        self.setTitle(title)

    def set_axis_labels(self, x: str = "", y: str = "") -> None:
        self.plotItem.setLabel("bottom", x)
        self.plotItem.setLabel("left", y)

    def relabel(self, name: str, label: str) -> None:
        """A new legend text for a series (the language changed)."""
        if name in self._series and self._labels.get(name) not in (None, label):
            if self.legend is not None:
                item = self._series[name][1]
                self.legend.removeItem(item)
                self.legend.addItem(item, label)
            self._labels[name] = label
            self._show_title()

    def legend_labels(self) -> list[str]:
        """What the legend (or the title) names, in order."""
        return [self._labels[n] for n in self._series if n in self._labels]

    def setTitle(self, title: str) -> None:  # noqa: N802 - mirrors pyqtgraph
        self._title = title
        self._show_title()

    def title_text(self) -> str:
        return self.plotItem.titleLabel.text

    def _show_title(self) -> None:
        text = html.escape(self._title)
        if self.in_title and self._labels:
            names = " ".join(f'<span style="color:{self._colours.get(n, "#5b6b80")}">■ {html.escape(self._labels[n])}</span>'
                             for n in self._series if n in self._labels)
            text = f"{text} &nbsp; {names}" if text else names
        self.plotItem.setTitle(text, size="10pt")

    def colour(self, name: str) -> str | None:
        return self._colours.get(name) if name in self._series else None

    def _free_colour(self, name: str) -> str:
        """The colour ``name`` had before if no series shown now has it, else the first one unused:
        after the shown series change (Experiments' selection), two runs never share a colour."""
        used = {self._colours.get(n) for n in self._series}
        before = self._colours.get(name)
        if before is not None and before not in used:
            return before
        return next((c for c in PALETTE if c not in used), PALETTE[len(self._series) % len(PALETTE)])

    def series(self, name: str, colour: str | None = None, label: str | None = None) -> tuple[SeriesBuffer, pg.PlotDataItem]:
        """The series ``name`` (made on first use). ``label`` is what the legend shows; a series
        without one stays out of the legend (single-series charts say it in their title)."""
        if name not in self._series:
            colour = colour or self._fixed.get(name) or self._free_colour(name)
            self._colours[name] = colour
            dots = {"symbol": "o", "symbolSize": 6, "symbolBrush": QColor(colour), "symbolPen": None} \
                if name in self.marked else {}
            item = self.plotItem.plot([], [], pen=pg.mkPen(QColor(colour), width=1.6), **dots)
            if label and self.legend is not None:
                self.legend.addItem(item, label)
            if label:
                self._labels[name] = label
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            buf = SeriesBuffer()
            buf.weight = self.smoothing
            self._series[name] = (buf, item)
            if label:
                self._show_title()
        return self._series[name]

    def append(self, name: str, xs, ys, redraw: bool = True, label: str | None = None) -> None:
        buf, _ = self.series(name, label=label)
        buf.extend(xs, ys)
        if redraw:
            self.redraw(name)

    def redraw(self, name: str | None = None) -> None:
        for key in ([name] if name else list(self._series)):
            buf, item = self._series[key]
            self._fix_flat_range(buf)
            # Values were checked when they arrived (NaN never reaches a chart): skip the O(n) re-check.
            item.setData(buf.x, buf.smoothed, skipFiniteCheck=True)

    def _fix_flat_range(self, buf: SeriesBuffer) -> None:
        """A constant series (e.g. a constant learning rate) would get pyqtgraph's ±0.5 padding and
        read as 0: give it a range around its own value instead."""
        if len(self._series) != 1 or buf.n == 0:
            return
        lo, hi = float(buf.y.min()), float(buf.y.max())
        if hi - lo <= 1e-12 * max(abs(hi), 1e-300):
            pad = abs(hi) * 0.1 or 1.0
            self.plotItem.setYRange(hi - pad, hi + pad, padding=0)
        else:
            self.plotItem.enableAutoRange(axis="y")

    def set_smoothing(self, weight: float) -> None:
        self.smoothing = float(weight)
        for buf, _ in self._series.values():
            buf.set_weight(self.smoothing)
        self.redraw()

    def point_count(self, name: str) -> int:
        return self._series[name][0].n if name in self._series else 0

    def names(self) -> list[str]:
        return list(self._series)

    def clear_series(self) -> None:
        """Empty, with the axes of an empty chart (not the last series' range)."""
        for _, item in self._series.values():
            self.plotItem.removeItem(item)
        if self.legend is not None:
            self.legend.clear()
        self._series.clear()
        self._labels.clear()
        self._show_title()
        self.plotItem.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.plotItem.enableAutoRange()

    def export_png(self, path: str) -> bool:
        """Written under a temp name, then renamed: a reader never sees half a picture."""
        import os

        tmp = f"{path}.tmp.png"
        if not self.grab().save(tmp, "PNG"):
            return False
        try:
            os.replace(tmp, path)
        except OSError:
            return False
        return True


pg.setConfigOptions(antialias=False, foreground=QColor("#5b6b80"))
__all__ = ["MetricChart", "SeriesBuffer", "ema", "Qt"]
