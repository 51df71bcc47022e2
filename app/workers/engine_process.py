"""One wrapper around QProcess for every engine, and one outcome type (after qutebrowser's guiprocess).

``EngineProcess`` starts ``python -m app.engines.NAME`` (or any argv) in its own session, so the
engine and everything it spawns form one process group that ``stop``/``kill`` reach as a whole.
It reads the engine's stdout as it arrives, decodes each JSON line with ``app.core.protocol`` (a
malformed line is logged and skipped) and re-emits it as a Qt signal; stderr lines are re-emitted
and the last ones kept for the error report. When the process ends it emits one ``Outcome``.

Nothing here blocks the GUI thread: stopping escalates on timers (stop command → SIGTERM to the
group → SIGKILL to the group).
"""

from __future__ import annotations

import collections
import json
import logging
import os
import signal as _signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from app.core import processes, protocol

log = logging.getLogger(__name__)

OUTCOME_STATUSES = ("completed", "stopped", "failed", "crashed", "killed", "interrupted")
STDERR_TAIL_IN_ERROR = 15


@dataclass(frozen=True)
class Outcome:
    """How an engine run ended.

    status:
      completed | stopped | failed  the engine said so in its ``done`` event (that wins, even when
                                    the process then exits oddly while tearing down);
      failed                        also: the program could not be started at all (no done_event);
      crashed                       it exited non-zero without ``done``;
      killed                        a signal ended it without ``done`` (``signal`` names it);
      interrupted                   a reattached run whose process vanished without ``done``
                                    (``RunWatcher``: not our child, so no exit code).
    last_error: the last ``error`` event as "message — hint", else (on a crash/kill) the tail of
    stderr; empty when there is nothing to say. English: for logs and reports.
    last_error_event: that ``error`` event itself (its ``extra`` holds ``code`` and ``params``),
    so a panel can word it in the user's language (``app.views.error_texts.outcome_text``).
    """

    status: str
    exit_code: int | None = None
    signal: str | None = None
    last_error: str = ""
    done_event: protocol.Done | None = None
    last_error_event: protocol.Error | None = None

    def __post_init__(self):
        if self.status not in OUTCOME_STATUSES:
            raise ValueError(f"unknown outcome status {self.status!r}")

    @property
    def ok(self) -> bool:
        """The run ended as asked: it completed, or stopped because someone stopped it."""
        return self.status in ("completed", "stopped")


def signal_name(signum: int) -> str:
    try:
        return _signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def error_text(event: protocol.Error | None) -> str:
    if event is None:
        return ""
    return f"{event.message} — {event.hint}" if event.hint else event.message


def make_outcome(*, done: protocol.Done | None, exit_code: int | None, signum: int | None,
                 last_error: protocol.Error | None, stderr_tail: Sequence[str] = ()) -> Outcome:
    """The outcome for a process that ended: pure logic, no Qt."""
    message = error_text(last_error)
    sig = signal_name(signum) if signum is not None else None
    if done is not None:
        return Outcome(done.status, exit_code=exit_code, signal=sig, last_error=message, done_event=done,
                       last_error_event=last_error)
    if not message:
        message = "\n".join(list(stderr_tail)[-STDERR_TAIL_IN_ERROR:])
    if signum is not None:
        return Outcome("killed", exit_code=None, signal=sig, last_error=message, last_error_event=last_error)
    if exit_code:
        return Outcome("crashed", exit_code=exit_code, last_error=message, last_error_event=last_error)
    # Exit 0 without done: a plain program run through argv, or an engine that sys.exit(0)-ed
    # early. Reported as completed; done_event None tells the two apart.
    return Outcome("completed", exit_code=exit_code, last_error=error_text(last_error), last_error_event=last_error)


class _LineSplitter:
    """Bytes in, complete lines out; a partial line waits for the rest."""

    def __init__(self):
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        if not data:
            return []
        self._buf += data
        end = self._buf.rfind(b"\n")
        if end < 0:
            return []
        lines = bytes(self._buf[:end]).split(b"\n")
        del self._buf[: end + 1]
        return lines

    def flush(self) -> list[bytes]:
        rest, self._buf = bytes(self._buf), bytearray()
        return [rest] if rest else []


class EngineProcess(QObject):
    """An engine (or any program) running as a child process, seen as Qt signals.

    ``EngineProcess("app.engines.train", ["--config", path], run_dir=run)`` runs
    ``python -m app.engines.train --config path --run-dir run``; ``argv=[...]`` runs a program as is.
    Call ``start()``. Keep a reference until ``finished``: dropping a running one makes Qt kill it
    and wait (and warn).
    """

    started = Signal(int)  # pid
    event = Signal(object)  # a protocol.Event
    stderr_line = Signal(str)
    json_line = Signal(dict)  # with protocol=False: every stdout line that is a JSON object
    finished = Signal(object)  # an Outcome

    def __init__(self, engine: str | None = None, args: Sequence[str] = (), *,
                 argv: Sequence[str] | None = None, python: str | None = None,
                 env: Mapping[str, str] | None = None, cwd: str | os.PathLike | None = None,
                 run_dir: str | os.PathLike | None = None, stderr_lines: int = 200,
                 protocol_events: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        if (engine is None) == (argv is None):
            raise ValueError("give exactly one of engine (a module name) or argv")
        if argv is not None:
            if not argv:
                raise ValueError("argv is empty")
            self.program, self.arguments = str(argv[0]), [str(a) for a in argv[1:]] + [str(a) for a in args]
        else:
            self.program = str(python or sys.executable)
            self.arguments = ["-m", engine, *(str(a) for a in args)]
        self.run_dir = Path(run_dir) if run_dir is not None else None
        if self.run_dir is not None and "--run-dir" not in self.arguments:
            self.arguments += ["--run-dir", str(self.run_dir)]
        self.name = engine or Path(self.program).name
        # False: a command's own JSON lines (``ai-platform … --json``), passed on as dicts, not events.
        self.protocol_events = protocol_events

        self._proc = QProcess(self)
        self._proc.setProgram(self.program)
        self._proc.setArguments(self.arguments)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        environment.insert("PYTHONIOENCODING", "utf-8")
        for key, value in (env or {}).items():
            environment.insert(str(key), str(value))
        self._proc.setProcessEnvironment(environment)
        if cwd is not None:
            self._proc.setWorkingDirectory(str(cwd))
        if hasattr(self._proc, "setUnixProcessParameters"):
            flags = QProcess.UnixProcessFlag
            # Own session = own process group (stop/kill reach grandchildren); default signal
            # dispositions (Python ignores SIGPIPE, which exec would pass on); no leaked fds.
            self._proc.setUnixProcessParameters(
                flags.CreateNewSession | flags.ResetSignalHandlers | flags.CloseFileDescriptors)

        self._proc.started.connect(self._on_started)
        self._proc.readyReadStandardOutput.connect(self._read_stdout)
        self._proc.readyReadStandardError.connect(self._read_stderr)
        self._proc.finished.connect(self._on_finished)
        self._proc.errorOccurred.connect(self._on_error)

        self._stdout = _LineSplitter()
        self._stderr = _LineSplitter()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=max(1, stderr_lines))
        self._pid = 0
        self._launched = False
        self._outcome: Outcome | None = None
        self.started_event: protocol.Started | None = None
        self.done_event: protocol.Done | None = None
        self.last_error_event: protocol.Error | None = None

        self._escalation = QTimer(self)
        self._escalation.setSingleShot(True)
        self._escalation.timeout.connect(self._escalate)
        self._stop_stage: str | None = None  # None | "command" | "term" | "kill"
        self._term_grace_s = 5.0

    # --- state ------------------------------------------------------------------------------
    @property
    def pid(self) -> int:
        return self._pid

    @property
    def outcome(self) -> Outcome | None:
        return self._outcome

    def is_running(self) -> bool:
        return self._proc.state() != QProcess.ProcessState.NotRunning

    def stderr_tail(self, n: int | None = None) -> list[str]:
        lines = list(self._stderr_tail)
        return lines if n is None else lines[-n:]

    def command_line(self) -> list[str]:
        return [self.program, *self.arguments]

    # --- control ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._launched:
            raise RuntimeError(f"{self.name}: already started")
        self._launched = True
        log.info("starting %s", " ".join(self.command_line()))
        self._proc.start()

    def write_command(self, cmd: str, **args) -> bool:
        """Send one protocol command on the engine's stdin. False if it is not running."""
        line = protocol.encode_command(cmd, **args) + "\n"
        if self._proc.state() != QProcess.ProcessState.Running:
            log.debug("%s: not running; command %s not sent", self.name, cmd)
            return False
        return self._proc.write(line.encode("utf-8")) == len(line)

    def stop(self, grace_s: float = 10.0, term_grace_s: float = 5.0) -> None:
        """Ask the engine to save and stop; escalate if it does not.

        ``{"cmd":"stop"}`` now; SIGTERM to the process group if still running after ``grace_s``;
        SIGKILL to the group ``term_grace_s`` after that. Returns at once.
        """
        if not self.is_running() or self._stop_stage is not None:
            return
        self._term_grace_s = term_grace_s
        self._stop_stage = "command"
        if grace_s > 0 and self.write_command("stop"):
            self._escalation.start(int(grace_s * 1000))
        else:
            self._escalate()

    def wait(self, ms: int) -> bool:
        """Block until the engine exits (at most ``ms``); only for shutdown, never in normal paths."""
        return self._proc.waitForFinished(ms) if self.is_running() else True

    def kill(self) -> None:
        """SIGKILL the whole process group now."""
        self._escalation.stop()
        if self.is_running():
            self._stop_stage = "kill"
            self._signal_group(_signal.SIGKILL)

    def _escalate(self) -> None:
        if not self.is_running():
            return
        if self._stop_stage == "command":
            log.info("%s: did not stop after the stop command; sending SIGTERM", self.name)
            self._stop_stage = "term"
            self._signal_group(_signal.SIGTERM)
            self._escalation.start(int(max(0.0, self._term_grace_s) * 1000))
        elif self._stop_stage == "term":
            log.warning("%s: did not stop after SIGTERM; sending SIGKILL", self.name)
            self.kill()

    def _signal_group(self, sig: int) -> None:
        # The child leads its own session, so its pgid is its pid (see app.core.processes).
        processes.signal_group(self._pid or int(self._proc.processId()), sig, label=self.name)

    # --- QProcess slots ---------------------------------------------------------------------
    def _on_started(self) -> None:
        self._pid = int(self._proc.processId())
        log.info("%s: started, pid %d", self.name, self._pid)
        self.started.emit(self._pid)

    def _read_stdout(self) -> None:
        for line in self._stdout.feed(self._proc.readAllStandardOutput().data()):
            self._handle_stdout_line(line)

    def _read_stderr(self) -> None:
        for line in self._stderr.feed(self._proc.readAllStandardError().data()):
            self._handle_stderr_line(line)

    def _handle_stdout_line(self, raw: bytes) -> None:
        if not self.protocol_events:
            try:
                obj = json.loads(raw.decode("utf-8", errors="replace"))
            except ValueError:
                log.debug("%s stdout: %.200s", self.name, raw)
                return
            if isinstance(obj, dict):
                self.json_line.emit(obj)
            return
        event = protocol.decode_or_none(raw, source=self.name)
        if event is None:
            return
        if isinstance(event, protocol.Done):
            self.done_event = event
        elif isinstance(event, protocol.Error):
            self.last_error_event = event
        elif isinstance(event, protocol.Started):
            self.started_event = event
        self.event.emit(event)

    def _handle_stderr_line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self._stderr_tail.append(text)
        log.debug("%s stderr: %s", self.name, text)
        self.stderr_line.emit(text)

    def _on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        self._escalation.stop()
        # Whatever is still in the pipes, then the last line even without its newline.
        self._read_stdout()
        self._read_stderr()
        for line in self._stdout.flush():
            self._handle_stdout_line(line)
        for line in self._stderr.flush():
            self._handle_stderr_line(line)
        crashed = exit_status == QProcess.ExitStatus.CrashExit
        # On Unix a CrashExit's exit code is the number of the signal that ended the process.
        outcome = make_outcome(done=self.done_event, exit_code=None if crashed else int(exit_code),
                               signum=int(exit_code) if crashed else None,
                               last_error=self.last_error_event, stderr_tail=self._stderr_tail)
        self._finish(outcome)

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            message = f"could not start {self.program}: {self._proc.errorString()}"
            log.error("%s: %s", self.name, message)
            event = protocol.Error(message=message, extra={
                "code": "engine.not_started",
                "params": {"program": self.program, "reason": self._proc.errorString()}})
            self._finish(Outcome("failed", last_error=message, last_error_event=event))
        else:
            # Crashed comes with finished(); read/write errors only mean the pipe went away.
            log.debug("%s: %s (%s)", self.name, error, self._proc.errorString())

    def _finish(self, outcome: Outcome) -> None:
        if self._outcome is not None:
            return
        self._outcome = outcome
        log.info("%s: finished: %s (exit %s, signal %s)", self.name, outcome.status,
                 outcome.exit_code, outcome.signal)
        self.finished.emit(outcome)


__all__ = ["EngineProcess", "Outcome", "OUTCOME_STATUSES", "make_outcome", "signal_name", "error_text"]
