"""`ai-platform models push … --json` as a process for the GUI: the upload (minutes for a large
model) never blocks the window, and the command line and the window push the same way.

``finished(ok, data)``: ``data`` is the command's JSON answer — ``{"repo", "url", "card", …}`` on
success, ``{"error", "code", "params"}`` when it refused (offline: ``hub.offline``, the card kept) —
or ``{"error": <stderr tail>}`` when it printed no answer.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal


class HubPush(QObject):
    finished = Signal(bool, dict)

    def __init__(self, target: str, repo: str, private: bool = False, *, token: str | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.args = ["-m", "app", "models", "push", target, "--repo", repo, "--json"] + (["--private"] if private else [])
        self.proc = QProcess(self)
        self.proc.setProgram(sys.executable)
        self.proc.setArguments(self.args)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        if token:  # a token kept for this session only (no keyring): the child cannot read it otherwise
            env.insert("HF_TOKEN", token)
        self.proc.setProcessEnvironment(env)
        self.proc.finished.connect(self._done)
        self.proc.errorOccurred.connect(self._error)
        self._ended = False

    def start(self) -> None:
        self.proc.start()

    def is_running(self) -> bool:
        return self.proc.state() != QProcess.ProcessState.NotRunning

    def stop(self) -> None:
        if self.is_running():
            self.proc.kill()

    def _answer(self) -> dict:
        out = bytes(self.proc.readAllStandardOutput().data()).decode("utf-8", errors="replace")
        for line in reversed(out.splitlines()):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict):
                return data
        err = bytes(self.proc.readAllStandardError().data()).decode("utf-8", errors="replace").strip()
        return {"error": err.splitlines()[-1] if err else "the push printed no answer"}

    def _done(self, code: int, _status) -> None:
        if self._ended:
            return
        self._ended = True
        data = self._answer()
        self.finished.emit(code == 0 and bool(data.get("pushed")), data)

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and not self._ended:
            self._ended = True
            self.finished.emit(False, {"error": f"could not start {sys.executable}: {self.proc.errorString()}"})
