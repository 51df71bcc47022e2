"""Sweeps from the GUI's side: start ``python -m app.cli sweep`` detached, stop it, follow its study.

The sweep is a process of its own session with no pipes to the window (like a training run, see
run_manager.py), so closing the window never stops it; its progress lines go to
``sweeps/NAME.log``. What a sweep has done is read from its files (``app.core.sweeps``: Optuna's
SQLite with ``sqlite3``), never from optuna: a timer re-reads the study shown while its process
lives and says ``changed(name)`` when something moved.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import paths, processes, sweeps
from app.core.errors import UserError

log = logging.getLogger(__name__)


class SweepManager(QObject):
    changed = Signal(str)            # a sweep's trials (or its process) changed
    listed = Signal()                # a sweep was added

    def __init__(self, parent: QObject, python: str | None = None, poll_ms: int = 1500):
        super().__init__(parent)
        self.python = python or sys.executable
        self._procs: dict[str, subprocess.Popen] = {}
        self._seen: dict[str, tuple] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)
        self.watched: str | None = None

    # --- starting and stopping ---------------------------------------------------------------
    def start(self, space: dict, trials: int) -> str:
        """Check ``space``, write it as ``sweeps/NAME.space.json`` and start the sweep; returns NAME.

        A NAME already used with a different space gets a suffix (a study's space never changes)."""
        space = sweeps.check_space(dict(space), str(space.get("name") or "sweep"))
        if trials < 1:
            raise UserError("--trials must be at least 1.", code="sweep.trials")
        name = space["name"]
        if self.is_running(name):
            raise UserError(f"The sweep {name} is already running.", code="sweep.running", params={"name": name})
        n = 2
        while sweeps.storage_path(space["name"]).exists() and self._old_space(space["name"]) != space:
            space["name"] = f"{name}-{n}"
            n += 1
        name = space["name"]
        folder = sweeps.sweeps_dir()
        folder.mkdir(parents=True, exist_ok=True)
        space_file = sweeps.sidecar(name, "space.json")
        paths.atomic_write_text(space_file, json.dumps(space, indent=1, ensure_ascii=False))
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
        args = [self.python, "-m", "app.cli", "sweep", str(space_file), "--trials", str(int(trials)), "--json"]
        log.info("starting %s", " ".join(args))
        with open(sweeps.sidecar(name, "log"), "ab") as err, open(sweeps.sidecar(name, "out.json"), "wb") as out:
            self._procs[name] = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                                 cwd=str(folder), env=env, start_new_session=True, close_fds=True)
        self.listed.emit()
        self.watch(name)
        return name

    def _old_space(self, name: str) -> dict | None:
        try:
            return json.loads(sweeps.sidecar(name, "space.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def is_running(self, name: str) -> bool:
        proc = self._procs.get(name)
        if proc is not None and proc.poll() is None:
            return True
        try:
            process = json.loads(sweeps.sidecar(name, "process.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return sweeps.process_alive(process)

    def stop(self, name: str) -> bool:
        """SIGTERM to the sweep's process group: the training trial stops (saving), no new one starts."""
        proc = self._procs.get(name)
        pid = proc.pid if proc is not None and proc.poll() is None else None
        if pid is None:
            try:
                process = json.loads(sweeps.sidecar(name, "process.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return False
            pid = process.get("pid") if sweeps.process_alive(process) else None
        return bool(pid) and processes.signal_group(int(pid), signal.SIGTERM, label=f"sweep {name}")

    def last_line(self, name: str) -> str:
        """The sweep's last progress line (its log), for the status under the table."""
        try:
            with open(sweeps.sidecar(name, "log"), "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 4096))
                lines = [ln for ln in fh.read().decode("utf-8", errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1] if lines else ""

    # --- following ----------------------------------------------------------------------------
    def watch(self, name: str | None) -> None:
        """Re-read ``name`` while its sweep runs (one study at a time: the one on screen)."""
        self.watched = name
        if name and self.is_running(name):
            self._timer.start()
        else:
            self._timer.stop()

    def poll(self) -> None:
        name = self.watched
        if not name:
            self._timer.stop()
            return
        for key, proc in list(self._procs.items()):
            if proc.poll() is not None:
                del self._procs[key]  # reaped: no zombie left behind
        db = sweeps.storage_path(name)
        running = self.is_running(name)
        try:
            stat = db.stat()
            wal = db.with_name(db.name + "-wal")
            key = (stat.st_mtime_ns, wal.stat().st_mtime_ns if wal.exists() else 0, running,
                   self.last_line(name))
        except OSError:
            key = (None, running)
        if key != self._seen.get(name):
            self._seen[name] = key
            self.changed.emit(name)
        if not running:
            self._timer.stop()

    def shutdown(self) -> None:
        """The window closes: the sweeps keep running; just stop looking."""
        self._timer.stop()


__all__ = ["SweepManager"]
