"""The window's workers (ServeManager, AnswerPipeline, …) driven by a script in a child process
under a QCoreApplication, no widget: its last ``RESULT {json}`` line is what the test reads.

    out = run_worker_script(QT_PRELUDE + body, home, *args)

``QT_PRELUDE`` starts the application and defines ``wait(cond, timeout_s)``: the event loop runs
until ``cond()`` is true or the time is up; it returns ``cond()``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.engines import REPO, engine_env_for

QT_PRELUDE = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

app = QCoreApplication(sys.argv)

def wait(cond, timeout_s):
    loop, timer = QEventLoop(), QTimer()
    timer.timeout.connect(lambda: cond() and loop.quit())
    timer.start(20)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    return cond()
"""


def run_worker_script(script: str, home: Path, *args, timeout: float = 900) -> dict:
    env = dict(engine_env_for(home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    return json.loads(lines[-1][len("RESULT "):])
