"""A blocking call (a subprocess asked for a version, NVML, a keyring) run off the GUI thread, its
answer delivered back on it: ``BackgroundCall(fn).done(result)``. For work that takes a second or two
and needs no progress; anything longer is an engine."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class BackgroundCall(QObject):
    done = Signal(object)  # fn's result, or {"error": message} when it raised

    def __init__(self, fn, *args, name: str = "background", parent: QObject | None = None):
        super().__init__(parent)
        self._fn, self._args, self._name = fn, args, name

    def start(self) -> None:
        threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def _run(self) -> None:
        try:
            result = self._fn(*self._args)
        except Exception as exc:  # noqa: BLE001 - the caller shows what it can; the log has the rest
            log.exception("%s failed", self._name)
            result = {"error": str(exc)}
        try:
            self.done.emit(result)
        except RuntimeError:  # the receiver was deleted meanwhile (a closed dialog)
            pass


__all__ = ["BackgroundCall"]
