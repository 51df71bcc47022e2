"""Reattach to a run whose engine an earlier GUI process started: the run folder is the truth.

``RunWatcher(run_dir)`` tails ``events.jsonl`` on a timer and re-emits each event, and ends with one
``Outcome``: the ``done`` event's status when it arrives, or ``interrupted`` when the process named in
``engine.json`` is gone (or its PID now belongs to another process) without one. The Qt-free parts
live in ``app.core.run_folder`` (``run_state``, ``EventTail``).
"""

from __future__ import annotations

import logging
import os
import signal as _signal
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import processes, protocol, run_folder
from app.core.run_folder import EngineInfo, run_state
from app.workers.engine_process import Outcome, error_text

log = logging.getLogger(__name__)


class RunWatcher(QObject):
    """Follows a run folder. ``start()`` begins; ``finished`` comes once.

    replay: emit the events already in the file first (for rebuilding a chart); otherwise start at
    its end. startup_grace_s: how long a missing engine.json is taken for an engine still starting.
    """

    event = Signal(object)  # a protocol.Event
    finished = Signal(object)  # an Outcome

    def __init__(self, run_dir: str | os.PathLike, *, replay: bool = True, poll_ms: int = 200,
                 startup_grace_s: float = 10.0, parent: QObject | None = None):
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.replay = replay
        self.startup_grace_s = startup_grace_s
        self.tail = run_folder.EventTail(self.run_dir / run_folder.EVENTS_FILE)
        self.info: EngineInfo | None = None
        self.done_event: protocol.Done | None = None
        self.last_error_event: protocol.Error | None = None
        self._outcome: Outcome | None = None
        self._started_at = 0.0
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, int(poll_ms)))
        self._timer.timeout.connect(self.poll)

    @property
    def outcome(self) -> Outcome | None:
        return self._outcome

    @property
    def pid(self) -> int:
        return self.info.pid if self.info else 0

    def is_watching(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self._started_at:
            raise RuntimeError("RunWatcher already started")
        self._started_at = time.monotonic()
        self.info = run_folder.read_engine_info(self.run_dir)
        if not self.replay:
            self.tail.seek_end()
        self._timer.start()
        QTimer.singleShot(0, self, self.poll)  # the first batch now, not a poll interval later

    def close(self) -> None:
        """Stop watching (the engine goes on); no more signals."""
        self._closed = True
        self._timer.stop()

    # --- acting on the engine (not our child: signals only, after checking its identity) ----
    def request_stop(self) -> bool:
        """SIGTERM the engine: the runtime takes it as a stop request (save, done: stopped)."""
        return self._signal(_signal.SIGTERM)

    def kill(self) -> bool:
        """SIGKILL the engine's whole process group."""
        return self._signal(_signal.SIGKILL)

    def _signal(self, sig: int) -> bool:
        info = self.info or run_folder.read_engine_info(self.run_dir)
        if info is None or not run_folder.engine_alive(info):
            return False
        return processes.signal_group(info.pid, sig, label=str(self.run_dir))

    # --- polling ----------------------------------------------------------------------------
    def poll(self) -> None:
        if self._outcome is not None or self._closed:
            return
        if self._drain():
            return
        if self.info is None:
            self.info = run_folder.read_engine_info(self.run_dir)
            if self.info is None:
                if time.monotonic() - self._started_at < self.startup_grace_s:
                    return
                self._interrupted("no engine.json in the run folder")
                return
        if run_folder.engine_alive(self.info):
            return
        # Gone: it may have written its last events (done among them) just before exiting.
        if self._drain():
            return
        done = run_folder.last_done(self.run_dir)  # replay=False may have skipped it
        if done is not None:
            self._handle(done, emit=False)
            self._finish_with_done()
            return
        self._interrupted(f"the engine process (pid {self.info.pid}) ended without a done event")

    def _drain(self) -> bool:
        """Emit the new events; True when done arrived and the watcher finished."""
        for ev in self.tail.read_new():
            self._handle(ev)
            if self._closed:
                return True  # a slot closed us while we emitted
            if isinstance(ev, protocol.Done):
                self._finish_with_done()
                return True
        return False

    def _handle(self, ev: protocol.Event, emit: bool = True) -> None:
        if isinstance(ev, protocol.Done):
            self.done_event = ev
        elif isinstance(ev, protocol.Error):
            self.last_error_event = ev
        if emit:
            self.event.emit(ev)

    def _finish_with_done(self) -> None:
        done = self.done_event
        self._finish(Outcome(done.status, last_error=error_text(self.last_error_event), done_event=done,
                             last_error_event=self.last_error_event))

    def _interrupted(self, why: str) -> None:
        log.info("%s: interrupted: %s", self.run_dir, why)
        self._finish(Outcome("interrupted", last_error=error_text(self.last_error_event) or why,
                             last_error_event=self.last_error_event))

    def _finish(self, outcome: Outcome) -> None:
        if self._outcome is not None:
            return
        self._timer.stop()
        self._outcome = outcome
        self.finished.emit(outcome)


__all__ = ["RunWatcher", "Outcome", "run_state"]
