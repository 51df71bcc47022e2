"""Cold start to the first painted main window, against a bare Qt window in the same run.

    python benchmarks/startup.py [--runs 5]

Prints the median start-up of `ai-platform --smoke`, the heavy modules found in the GUI process
(must be none), a bare PySide6 window's median as the baseline, and their ratio. Target: ≤ 0.8 s and
≤ 3× the bare window. The database, the GPU monitor and the runs are opened after the first paint.
Each run is a fresh process on a temp data folder that already holds a database (a second start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BARE = r"""
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
def age():
    with open("/proc/self/stat") as f: start = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f: up = float(f.read().split()[0])
    return up - start / os.sysconf("SC_CLK_TCK")
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1180, 760)
class F(QObject):
    done = False
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and not F.done:
            F.done = True; print(json.dumps({"startup_s": round(age(), 3)}), flush=True); QTimer.singleShot(0, app.quit)
        return False
f = F(); app.installEventFilter(f); w.show(); app.exec()
"""


def measure(cmd, env) -> dict:
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, AI_PLATFORM_HOME=home, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   PYTHONPATH=str(REPO))
        measure([sys.executable, "-m", "app", "--smoke"], env)  # first start creates the database
        app_times, bare_times, heavy = [], [], set()
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            r = measure([sys.executable, "-m", "app", "--smoke"], env)
            app_times.append(r["startup_s"])
            heavy.update(r["heavy_modules"])
            bare_times.append(measure([sys.executable, "-c", BARE], env)["startup_s"])
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    print(f"ai-platform --smoke   median {app_s:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in app_times)})")
    print(f"bare Qt window        median {bare_s:.3f} s")
    print(f"ratio app/bare        {app_s / bare_s:.2f}")
    print(f"heavy modules in GUI  {sorted(heavy) or 'none'}")
    print(f"target ≤ 0.8 s, ≤ 3×   {'met' if app_s <= 0.8 and app_s <= 3 * bare_s else 'NOT met'}")


if __name__ == "__main__":
    main()
