"""A one-shot engine job for the GUI (convert a model, download one, …): start it, relay its
progress, keep its result, say how it ended. Subclasses add what happens after a success."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core import protocol
from app.workers.engine_process import EngineProcess


class EngineJob(QObject):
    """``finished(ok, message)``; after a failure ``outcome`` (the engine's end, with its last error
    event) or ``error`` (an exception after the engine completed) says why, as data a panel words in
    the user's language (``app.views.error_texts.job_error_text``); ``message`` is the English text."""

    progress = Signal(int, int, str)   # step, total (0: unknown), message
    finished = Signal(bool, str)       # ok, message (English: an error text a person can act on)

    def __init__(self, engine: str, args: list[str], *, env: dict[str, str] | None = None,
                 python: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        # python: another environment's interpreter, for an engine whose library clashes with the app's
        self.proc = EngineProcess(engine, list(args), env=env, python=python, parent=self)
        self.proc.event.connect(self._on_event)
        self.proc.finished.connect(self._on_finished)
        self.result: dict = {}
        self.last_progress: protocol.Progress | None = None  # its stage code, for the GUI to word
        self.outcome = None  # the engine's Outcome once it ended
        self.error: Exception | None = None

    def start(self) -> None:
        self.proc.start()

    def is_running(self) -> bool:
        return self.proc.is_running()

    def stop(self) -> None:
        self.proc.stop(grace_s=5, term_grace_s=5)

    def _on_event(self, event) -> None:
        if isinstance(event, protocol.Progress):
            self.last_progress = event
            self.progress.emit(int(event.step), int(event.total or 0), event.message)
        elif isinstance(event, protocol.Result):
            self.result = dict(event.data)

    def _on_finished(self, outcome) -> None:
        self.outcome = outcome
        self.finished.emit(outcome.status == "completed", outcome.last_error or outcome.status)
