"""Training runs from the GUI's side: launch, follow, stop, resume, reattach.

A run's engine is started *detached* (its own session, no pipes to this process), so closing or
killing the window never stops it. Every run — launched now or found running at start-up — is
followed the same way: a RunWatcher tails its ``events.jsonl``. Events are folded into the database
in batches (a 100k-step run must not mean 100k transactions) and re-emitted for live charts.

What changed is said as narrowly as it can be, so a view redraws one row or adds a few points
instead of rebuilding everything: ``runs_listed`` (runs added, deleted or indexed from their
folders), ``run_updated(id)`` (one run's row: step, losses, status), ``status_changed(id, status)``,
``metrics_appended(id, {name: (steps, values)})`` (points folded into the index), ``run_event`` (each
event as it arrives) and ``run_finished(id, Outcome)``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import protocol, run_folder
from app.core.errors import UserError
from app.core.runs import RunStore
from app.workers.run_watcher import RunWatcher

log = logging.getLogger(__name__)

ENGINE_MODULE = "app.engines.train"
STDERR_FILE = "stderr.log"


class RunManager(QObject):
    runs_listed = Signal()                    # the list of runs changed
    run_updated = Signal(str)                 # run id: its row changed (status, progress, losses)
    status_changed = Signal(str, str)         # run id, new status
    metrics_appended = Signal(str, object)    # run id, {metric: (steps, values)} now in the index
    run_event = Signal(str, object)           # run id, protocol.Event as it arrives
    run_finished = Signal(str, object)        # run id, Outcome

    def __init__(self, db, parent: QObject, python: str | None = None, flush_ms: int = 400):
        # A parent is required: a parentless manager collected by Python while its watchers still
        # have queued events crashed Qt (seen in the tests).
        super().__init__(parent)
        self.store = RunStore(db)
        self.python = python or sys.executable
        self._watchers: dict[str, RunWatcher] = {}
        self._procs: dict[str, subprocess.Popen] = {}
        self._pending: dict[str, list[protocol.Event]] = {}
        self._flush = QTimer(self)
        self._flush.setInterval(flush_ms)
        self._flush.timeout.connect(self.flush)
        self._flush.start()

    # --- start-up -----------------------------------------------------------------------------
    def reattach_all(self) -> list[str]:
        """Index run folders, settle dead runs (→ interrupted), follow the live ones."""
        running = self.store.sync_with_folders()
        for run_id in running:
            self._watch(run_id, replay=True)
        self.runs_listed.emit()
        return running

    # --- launching ----------------------------------------------------------------------------
    def launch(self, run_dir: Path, *, name: str | None = None, project_id: int | None = None,
               dataset_id: int | None = None, resume: str | None = None) -> str:
        run_dir = Path(run_dir)
        info = self.store.register(run_dir, name=name, project_id=project_id, dataset_id=dataset_id,
                                   status="queued")
        if info.id in self._watchers or run_folder.run_state(run_dir) == "running":
            raise UserError("This run is already running.", code="run.already_running", params={"id": info.id})
        # A resumed run's old engine.json names a dead process; the watcher must wait for the new one.
        (run_dir / run_folder.ENGINE_INFO_FILE).unlink(missing_ok=True)
        args = [self.python, "-m", ENGINE_MODULE, str(run_dir)]
        if resume:
            args += ["--resume", resume]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
        with open(run_dir / STDERR_FILE, "ab") as err:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    cwd=str(run_dir), env=env, start_new_session=True, close_fds=True)
        self._procs[info.id] = proc
        self.store.set_status(info.id, "running")
        self._watch(info.id, replay=False)
        self.runs_listed.emit()
        self.status_changed.emit(info.id, "running")
        return info.id

    def resume(self, run_id: str, checkpoint: str = "latest") -> str:
        info = self.store.get(run_id)
        return self.launch(Path(info.run_dir), resume=checkpoint)

    # --- controlling --------------------------------------------------------------------------
    def is_running(self, run_id: str) -> bool:
        return run_id in self._watchers

    def stop(self, run_id: str) -> bool:
        """Ask the engine to stop at the next step boundary (it saves a checkpoint and the adapter)."""
        watcher = self._watchers.get(run_id)
        return bool(watcher and watcher.request_stop())

    def kill(self, run_id: str) -> bool:
        watcher = self._watchers.get(run_id)
        return bool(watcher and watcher.kill())

    def forget(self, run_id: str) -> None:
        """A run was deleted (its row and folder): views drop it."""
        self.runs_listed.emit()

    def shutdown(self) -> None:
        """The window closes: stop following (the engines keep running), save what arrived."""
        self.flush()
        for watcher in list(self._watchers.values()):
            watcher.close()
        self._watchers.clear()

    # --- following ----------------------------------------------------------------------------
    def _watch(self, run_id: str, replay: bool) -> None:
        info = self.store.get(run_id)
        # Engines that load a model from disk can take a while to write engine.json.
        watcher = RunWatcher(info.run_dir, replay=replay, startup_grace_s=60.0, parent=self)
        watcher.event.connect(lambda ev, rid=run_id: self._on_event(rid, ev))
        watcher.finished.connect(lambda outcome, rid=run_id: self._on_finished(rid, outcome))
        self._watchers[run_id] = watcher
        watcher.start()

    def _on_event(self, run_id: str, event) -> None:
        self._pending.setdefault(run_id, []).append(event)
        self.run_event.emit(run_id, event)

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        for run_id, events in pending.items():
            try:
                self.store.apply_events(run_id, events)
            except Exception:  # noqa: BLE001 - a DB hiccup must not lose the watcher; files stay the truth
                log.exception("could not index events of run %s", run_id)
                continue
            points: dict[str, tuple[list[int], list[float]]] = {}
            status = None
            for ev in events:
                if isinstance(ev, protocol.Metric):
                    for name, value in (ev.values or {}).items():
                        if isinstance(value, (int, float)) and value == value:
                            steps, values = points.setdefault(name, ([], []))
                            steps.append(int(ev.step))
                            values.append(float(value))
                elif isinstance(ev, protocol.Started):
                    status = "running"
                elif isinstance(ev, protocol.Done):
                    status = ev.status
            self.run_updated.emit(run_id)
            if status is not None:
                self.status_changed.emit(run_id, status)
            if points:
                self.metrics_appended.emit(run_id, points)

    def _on_finished(self, run_id: str, outcome) -> None:
        self.flush()
        watcher = self._watchers.pop(run_id, None)
        if watcher is not None:
            watcher.close()
            watcher.deleteLater()
        proc = self._procs.pop(run_id, None)
        if proc is not None:
            try:
                proc.wait(timeout=5)  # reap it: a finished child must not linger as a zombie
            except subprocess.TimeoutExpired:
                pass
        if outcome.status == "interrupted":
            self.store.set_status(run_id, "interrupted")
        elif outcome.done_event is None and outcome.status in ("crashed", "killed", "failed"):
            self.store.set_status(run_id, "failed")
        self.run_updated.emit(run_id)
        try:
            self.status_changed.emit(run_id, self.store.get(run_id).status)
        except UserError:  # deleted meanwhile
            pass
        self.run_finished.emit(run_id, outcome)
