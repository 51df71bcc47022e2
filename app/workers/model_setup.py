"""Prepare the bundled default model from the GUI: run the convert engine, relay its progress."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core import protocol
from app.workers.engine_process import EngineProcess


class DefaultModelSetup(QObject):
    progress = Signal(int, int, str)   # step, total, message
    finished = Signal(bool, str)       # ok, message (an error text a person can act on)

    def __init__(self, parent: QObject | None = None, extra_args: list[str] | None = None):
        super().__init__(parent)
        self.proc = EngineProcess("app.engines.convert", list(extra_args or []), parent=self)
        self.proc.event.connect(self._on_event)
        self.proc.finished.connect(self._on_finished)
        self.result: dict = {}

    def start(self) -> None:
        self.proc.start()

    def is_running(self) -> bool:
        return self.proc.is_running()

    def stop(self) -> None:
        self.proc.stop(grace_s=5, term_grace_s=5)

    def _on_event(self, event) -> None:
        if isinstance(event, protocol.Progress):
            self.progress.emit(int(event.step), int(event.total or 0), event.message)
        elif isinstance(event, protocol.Result):
            self.result = dict(event.data)

    def _on_finished(self, outcome) -> None:
        self.finished.emit(outcome.status == "completed", outcome.last_error or outcome.status)
