"""What every engine shares: emitting protocol events, reading commands, stopping cleanly.

An engine writes each event as one JSON line on stdout (flushed) and, when it owns a run folder,
appends the same line to ``events.jsonl`` itself, so the folder stays the truth even when no GUI is
listening. Its human log goes to stderr. ``{"cmd":"stop"}`` on stdin or SIGTERM sets ``stop_requested``;
the engine checks it at safe points (a step boundary) and exits with ``done: stopped``.

Every engine's ``main`` ends in ``run_main(engine, body, …)``: one ``started``, the body's events, and
one ``done`` whatever happens (see its docstring for the options).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from app import __version__
from app.core import protocol
from app.core.run_folder import ENGINE_INFO_FILE, EVENTS_FILE, process_start_ticks


def process_start_time(pid: int) -> float | None:
    """Creation time of ``pid`` (psutil), used to tell a live engine from a reused PID."""
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - any failure means "cannot tell"
        return None


def stdout_for_events() -> TextIO:
    """The events' own stream; file descriptor 1 then points at stderr, so a stray print (a
    library, a C extension) can never break the JSON lines on stdout."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


class EngineRuntime:
    """``sigint_stops``: Ctrl+C is a stop like SIGTERM (the body ends at its next safe point), and a
    second Ctrl+C raises KeyboardInterrupt (abort). Without it Ctrl+C keeps Python's default.
    ``owns_run_dir=False``: the engine works in ``run_dir`` but another process (a distributed run's
    launcher) writes its events.jsonl and engine.json."""

    def __init__(self, engine: str, run_dir: str | os.PathLike | None = None,
                 stdout: TextIO | None = None, listen_stdin: bool = True, stop_on_eof: bool = False,
                 sigint_stops: bool = False, owns_run_dir: bool = True):
        self.engine = engine
        self._stop_on_eof = stop_on_eof
        self._sigint_stops = sigint_stops
        self.run_dir = Path(run_dir) if run_dir else None
        self._out = stdout or sys.stdout
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._signal_seen = False  # set by the signal handlers themselves; plain attribute, no lock
        self._sigints = 0
        self._signal_pipe_w: int | None = None
        self._events_fh = None
        self.log = logging.getLogger(f"engine.{engine}")
        if not logging.getLogger().handlers:
            logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                                format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        from app.core import logging_setup

        for handler in logging.getLogger().handlers:
            logging_setup.install(handler)  # secrets never reach the engine's log
        logging_setup.install_process_wide()  # handlers added later (train.log, libraries) too
        if self.run_dir is not None and owns_run_dir:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            self._events_fh = open(self.run_dir / EVENTS_FILE, "a", encoding="utf-8")
            self._write_engine_info()
        self._install_signal_handlers()
        if listen_stdin:
            threading.Thread(target=self._read_commands, name="engine-stdin", daemon=True).start()

    # --- stopping ---------------------------------------------------------------------------
    @property
    def stop_requested(self) -> bool:
        return self._signal_seen or self._stop.is_set()

    def request_stop(self, reason: str = "") -> None:
        if not self._stop.is_set():
            self._stop.set()
            self.log.info("stop requested%s", f" ({reason})" if reason else "")

    def wait_stop(self, timeout: float) -> bool:
        return self._stop.wait(timeout)

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        # The handler must not log or set the threading.Event itself: the main thread may be
        # inside a stderr write or hold the Event's lock (wait_stop) when the signal lands, and
        # re-entering either fails or deadlocks. It sets a flag and wakes a relay thread instead.
        r, w = os.pipe()
        os.set_blocking(w, False)
        self._signal_pipe_w = w
        threading.Thread(target=self._relay_signals, args=(r,), name="engine-signals", daemon=True).start()
        signal.signal(signal.SIGTERM, self._on_sigterm)
        if self._sigint_stops:
            signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigterm(self, signum, frame) -> None:
        self._signal_seen = True
        self._wake_relay(b"T")

    def _on_sigint(self, signum, frame) -> None:
        self._sigints += 1
        if self._sigints > 1:
            raise KeyboardInterrupt  # the second Ctrl+C: abort, without saving
        self._signal_seen = True
        self._wake_relay(b"I")

    def _wake_relay(self, what: bytes) -> None:
        try:
            os.write(self._signal_pipe_w, what)
        except OSError:
            pass

    def _relay_signals(self, fd: int) -> None:
        while True:
            try:
                data = os.read(fd, 64)
            except OSError:
                return
            if not data:
                return
            self.request_stop("SIGTERM" if b"T" in data else "Ctrl+C")

    def _read_commands(self) -> None:
        for line in sys.stdin:
            cmd = protocol.decode_command(line)
            if cmd is None:
                continue
            if cmd["cmd"] == "stop":
                self.request_stop("stop command")
            elif cmd["cmd"] == "ping":
                self.emit(protocol.Log(level="INFO", message="pong"))
        # stdin closed: the GUI went away. A training run keeps working (the run folder is the
        # truth); a server that only the GUI used (stop_on_eof) would hold memory for nobody.
        if self._stop_on_eof:
            self.request_stop("stdin closed")

    # --- emitting ---------------------------------------------------------------------------
    def emit(self, event: protocol.Event) -> None:
        line = protocol.encode(event)
        with self._lock:
            if self._events_fh is not None:
                self._events_fh.write(line + "\n")
                self._events_fh.flush()
            try:
                self._out.write(line + "\n")
                self._out.flush()
            except (BrokenPipeError, ValueError, OSError):
                # The reader died; the events file still has everything.
                pass

    def started(self, **extra: Any) -> None:
        self.emit(protocol.Started(pid=os.getpid(), engine=self.engine, version=__version__, extra=extra))

    def progress(self, step: int, total: int | None = None, eta_s: float | None = None, message: str = "",
                 stage: str = "", **stage_params: Any) -> None:
        """``message``: English, for logs and the CLI; ``stage`` (a dotted code) and its params: the
        same as data, which the GUI words in the user's language (app/views/progress_texts.py)."""
        extra = {"stage": stage, "stage_params": stage_params} if stage else {}
        self.emit(protocol.Progress(step=step, total=total, eta_s=eta_s, message=message, extra=extra))

    def info(self, message: str, level: str = "INFO") -> None:
        self.log.log(getattr(logging, level, logging.INFO), "%s", message)
        self.emit(protocol.Log(level=level, message=message))

    def error(self, message: str, hint: str = "", extra: dict | None = None) -> None:
        """``extra``: the same as data (``code`` and parameters) for a GUI that words it itself."""
        self.log.error("%s%s", message, f" — {hint}" if hint else "")
        self.emit(protocol.Error(message=message, hint=hint, extra=dict(extra or {})))

    def user_error(self, err: Exception, hint: str = "", *, hint_code: str = "") -> None:
        """``error`` for a caught ``UserError``: its English message, and its code and params in
        ``extra`` (``hint_code`` names ``hint`` for a GUI that words it itself)."""
        code, params = getattr(err, "code", ""), getattr(err, "params", {})
        extra = {"code": code, "params": dict(params)} if code else {}
        if hint_code:
            extra["hint_code"] = hint_code
        self.error(str(err), hint, extra)

    def result(self, **data: Any) -> None:
        self.emit(protocol.Result(data=data))

    def done(self, status: str, **extra: Any) -> None:
        self.emit(protocol.Done(status=status, extra=extra))
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._events_fh is not None:
                self._events_fh.close()
                self._events_fh = None

    def _write_engine_info(self) -> None:
        from app.core.paths import atomic_write_text

        info = {"pid": os.getpid(), "engine": self.engine, "version": __version__,
                "started_at": time.time(), "create_time": process_start_time(os.getpid()),
                "start_ticks": process_start_ticks(os.getpid())}
        atomic_write_text(self.run_dir / ENGINE_INFO_FILE, json.dumps(info) + "\n")


def run_main(engine: str, body: Callable[[EngineRuntime], Any], run_dir=None, *,
             started: dict | None = None, done_fields: Callable[[], dict] | None = None,
             error_hint: str = "See the engine log for details.", abort_hint: str = "",
             protect_stdout: bool = False, **kwargs) -> int:
    """Run ``body(rt)`` with a runtime between one ``started`` and one ``done``; the exit code is 0
    for completed or stopped, 1 for failed.

    ``body`` returns a status, or ``(status, fields)`` whose fields go into the ``done`` event; a
    status of None means "stopped" when a stop was asked for, else "completed". ``done_fields()``
    gives the fields every ``done`` carries, also when the body raised (the body's own win).
    An uncaught exception becomes ``error`` (hint ``error_hint``) + ``done: failed``. Ctrl+C ends
    the body with ``done: stopped``; with ``sigint_stops=True`` (a runtime option) the first Ctrl+C
    is a stop like SIGTERM and a second one aborts: ``error`` (hint ``abort_hint``) + ``done: failed``.
    ``started``: the ``started`` event's fields. ``protect_stdout``: the events get their own copy
    of stdout (``stdout_for_events``) unless ``stdout`` is given. Other keywords go to EngineRuntime.
    """
    if protect_stdout and kwargs.get("stdout") is None:
        kwargs["stdout"] = stdout_for_events()
    rt = EngineRuntime(engine, run_dir=run_dir, **kwargs)
    rt.started(**(started or {}))
    fields: dict = {}
    try:
        outcome = body(rt)
        status, fields = outcome if isinstance(outcome, tuple) else (outcome, {})
        status = status or ("stopped" if rt.stop_requested else "completed")
    except KeyboardInterrupt:
        if rt._sigint_stops:
            rt.error("Interrupted twice; stopped without saving.", hint=abort_hint,
                     extra={"code": "engine.aborted", "params": {},
                                                     **({"hint_code": "engine.resume"} if abort_hint else {})})
            status = "failed"
        else:
            status = "stopped"
    except Exception as exc:  # noqa: BLE001 - the GUI must get an event, not a dead pipe
        rt.log.exception("engine failed")
        # A UserError that no one caught still has its code; anything else is a bug, named.
        code, params = getattr(exc, "code", ""), getattr(exc, "params", None)
        extra = ({"code": code, "params": dict(params or {})} if code else
                 {"code": "engine.unexpected", "params": {"type": type(exc).__name__, "detail": str(exc)}})
        rt.error(f"{type(exc).__name__}: {exc}", hint=error_hint, extra={**extra, "hint_code": "engine.see_log"})
        status = "failed"
    rt.done(status, **{**(done_fields() if done_fields else {}), **fields})
    return 0 if status in ("completed", "stopped") else 1
