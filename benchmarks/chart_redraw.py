"""Chart redraw time with 200k points (target ≤ 16 ms), against a plain pyqtgraph plot without
downsampling/clip-to-view in the same process.

    QT_QPA_PLATFORM=offscreen python benchmarks/chart_redraw.py [--points 200000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from app.views.charts import MetricChart

    app = QApplication.instance() or QApplication(sys.argv)
    x = np.arange(args.points, dtype=float)
    y = 2.5 * np.exp(-x / (args.points / 4)) + 0.1 * np.random.default_rng(0).standard_normal(args.points)

    ours = MetricChart("loss")
    ours.resize(900, 300)
    ours.append("loss", x[:-100], y[:-100])
    plain = pg.PlotWidget()
    plain.resize(900, 300)
    plain_item = plain.plot(x[:-100], y[:-100])
    for w in (ours, plain):
        w.show()
    app.processEvents()

    def timed(fn) -> float:
        samples = []
        for i in range(args.repeats):
            t0 = time.perf_counter()
            fn(i)
            w = ours if fn is live_ours else plain
            w.viewport().repaint()  # one synchronous full paint, as the event loop would do
            samples.append((time.perf_counter() - t0) * 1000)
        return statistics.median(samples)

    def live_ours(i):  # a live update: 5 new points arrive, chart redraws
        ours.append("loss", x[-100 + 5 * i: -95 + 5 * i], y[-100 + 5 * i: -95 + 5 * i])

    def live_plain(i):
        n = args.points - 100 + 5 * (i + 1)
        plain_item.setData(x[:n], y[:n])

    ours_ms, plain_ms = timed(live_ours), timed(live_plain)
    print(f"points: {args.points}")
    print(f"MetricChart (peak downsampling + clip to view) redraw median: {ours_ms:.1f} ms")
    print(f"plain pyqtgraph plot redraw median:                          {plain_ms:.1f} ms")
    print(f"ratio ours/plain: {ours_ms / plain_ms:.2f}   target ≤ 16 ms: {'met' if ours_ms <= 16 else 'NOT met'}")


if __name__ == "__main__":
    main()
