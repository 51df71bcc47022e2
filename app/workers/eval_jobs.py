"""Evaluations from the GUI: one evaluation engine at a time (``python -m app.engines.evaluate run``),
the rest queued; and, when the setting is on, an evaluation of every run with a validation split
that completes (``settings.evaluate_after_training``).

    evals = ctx.evals
    evals.evaluate(run_id)            # queued or started at once
    evals.progress.connect(...)       # (run id, protocol.Progress)
    evals.finished.connect(...)       # (run id, ok, English message); the job's outcome in last_job
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.workers.engine_job import EngineJob

log = logging.getLogger(__name__)

ENGINE = "app.engines.evaluate"


class EvalManager(QObject):
    started = Signal(str)  # run id
    progress = Signal(str, object)  # run id, protocol.Progress (its stage code words it)
    finished = Signal(str, bool, str)  # run id, ok, message (English)

    def __init__(self, settings, runs=None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.runs = runs
        self._queue: list[tuple[str, tuple[str, ...]]] = []
        self._job: EngineJob | None = None
        self._running: str | None = None
        self.last_job: EngineJob | None = None
        if runs is not None:
            runs.run_finished.connect(self._run_finished)

    # --- asking ------------------------------------------------------------------------------------
    def evaluate(self, run_id: str, run_dir: str | None = None, extra: tuple[str, ...] = ()) -> None:
        if self.busy(run_id):
            return
        if run_dir is None and self.runs is not None:
            run_dir = self.runs.store.get(run_id).run_dir
        self._queue.append((run_id, ("run", "--run", str(run_dir or run_id), "--exit-with-parent", *extra)))
        self._next()

    def busy(self, run_id: str | None = None) -> bool:
        ids = ([self._running] if self._running else []) + [r for r, _ in self._queue]
        return any(run_id is None or r == run_id for r in ids)

    @property
    def running(self) -> str | None:
        return self._running

    def cancel(self, run_id: str) -> None:
        self._queue = [q for q in self._queue if q[0] != run_id]
        if self._running == run_id and self._job is not None:
            self._job.stop()

    def shutdown(self) -> None:
        self._queue.clear()
        if self._job is not None:
            self._job.stop()

    # --- after training --------------------------------------------------------------------------
    def _run_finished(self, run_id: str, outcome) -> None:
        if outcome.status != "completed" or not getattr(self.settings, "evaluate_after_training", False):
            return
        try:
            info = self.runs.store.get(run_id)
        except Exception:  # noqa: BLE001 - deleted meanwhile
            return
        run_dir = Path(info.run_dir)
        try:
            val = json.loads((run_dir / "config.json").read_text(encoding="utf-8")).get("val_path")
        except (OSError, ValueError):
            val = None
        if val and (run_dir / "adapter" / "adapter_config.json").is_file():
            log.info("evaluating run %s after training", run_id)
            self.evaluate(run_id, str(run_dir))

    # --- the engine --------------------------------------------------------------------------------
    def _next(self) -> None:
        if self._job is not None or not self._queue:
            return
        run_id, args = self._queue.pop(0)
        job = EngineJob(ENGINE, list(args), parent=self)
        job.progress.connect(lambda *_, rid=run_id, j=job: self.progress.emit(rid, j.last_progress))
        job.finished.connect(lambda ok, msg, rid=run_id: self._done(rid, ok, msg))
        self._job, self._running = job, run_id
        self.started.emit(run_id)
        job.start()

    def _done(self, run_id: str, ok: bool, message: str) -> None:
        job, self._job, self._running = self._job, None, None
        self.last_job = job
        self.finished.emit(run_id, ok, message)
        if job is not None:
            job.deleteLater()
        self._next()
