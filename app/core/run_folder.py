"""A run folder as the engine leaves it, read without Qt (the GUI's RunWatcher and the CLI share it).

The engine (``app.core.engine_runtime``) writes ``engine.json`` (its pid and psutil create_time)
when it starts and appends every event to ``events.jsonl``. From those two files alone we can tell whether a
run is still going (same process alive), finished (a ``done`` event) or interrupted (process gone
without ``done``), and tail its events from a byte offset.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from app.core import protocol

log = logging.getLogger(__name__)

# The run folder's files, named here only: the engine runtime (app/core/engine_runtime.py) writes them.
ENGINE_INFO_FILE = "engine.json"
EVENTS_FILE = "events.jsonl"

# Two readings of the same process's start time agree to well under this.
CREATE_TIME_TOLERANCE_S = 1.0

RunState = Literal["running", "finished", "interrupted", "unknown"]


@dataclass(frozen=True)
class EngineInfo:
    """What ``engine.json`` says about the process that owns a run."""

    pid: int
    create_time: float | None = None
    engine: str = ""
    version: str = ""
    started_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def read_engine_info(run_dir: str | os.PathLike) -> EngineInfo | None:
    """The parsed ``engine.json``, or None when it is missing or unreadable."""
    path = Path(run_dir) / ENGINE_INFO_FILE
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s)", path, exc)
        return None
    if not isinstance(obj, dict):
        log.warning("%s: not a JSON object", path)
        return None
    pid = obj.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        log.warning("%s: no valid pid", path)
        return None

    def _num(key: str) -> float | None:
        value = obj.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    known = {"pid", "create_time", "engine", "version", "started_at"}
    return EngineInfo(
        pid=pid,
        create_time=_num("create_time"),
        engine=str(obj.get("engine") or ""),
        version=str(obj.get("version") or ""),
        started_at=_num("started_at"),
        extra={k: v for k, v in obj.items() if k not in known},
    )


def process_start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (Linux ``/proc/PID/stat``, field 22); None
    elsewhere. Unlike a wall-clock creation time it does not move when the clock is set (NTP, a
    laptop waking up), so a live engine is never taken for a dead one."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as fh:
            data = fh.read()
        return int(data[data.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def engine_alive(info: EngineInfo, tolerance_s: float = CREATE_TIME_TOLERANCE_S) -> bool:
    """True when ``info.pid`` is alive AND is the process that wrote ``engine.json``.

    A PID is reused after its process dies, so a live PID alone proves nothing: its creation time
    must match the one the engine recorded. A zombie counts as dead. Without a recorded
    create_time (psutil failed in the engine) the process must at least predate ``started_at``.
    """
    import psutil

    try:
        proc = psutil.Process(info.pid)
        created = proc.create_time()
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        # Cannot inspect it (another user's process): it cannot be our engine either.
        return False
    ticks = info.extra.get("start_ticks")
    if isinstance(ticks, int) and not isinstance(ticks, bool):
        now = process_start_ticks(info.pid)
        if now is not None:  # boot-relative: exact, whatever the wall clock did meanwhile
            return now == ticks
    if info.create_time is not None:
        return abs(created - info.create_time) <= tolerance_s
    if info.started_at is not None:
        # The engine wrote started_at after it was created, within its start-up time.
        return created <= info.started_at + tolerance_s and info.started_at - created < 3600
    return False


def _decode_quiet(line: bytes) -> protocol.Event | None:
    try:
        return protocol.decode(line)
    except protocol.ProtocolError:
        return None


def _tail_events(run_dir: str | os.PathLike, window: int) -> list[protocol.Event]:
    """The events in the last ``window`` bytes of events.jsonl, oldest first."""
    path = Path(run_dir) / EVENTS_FILE
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            start = max(0, size - window)
            fh.seek(start)
            data = fh.read()
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("%s: unreadable (%s)", path, exc)
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first piece is most likely the end of a cut line
    return [e for e in (_decode_quiet(line) for line in lines if line.strip()) if e is not None]


def last_done(run_dir: str | os.PathLike, window: int = 256 * 1024) -> protocol.Done | None:
    """The run's ``done`` event, or None. Nothing follows ``done`` in events.jsonl (the runtime
    closes the file there), so only the end of the file is read, however long the run."""
    return next((e for e in reversed(_tail_events(run_dir, window)) if isinstance(e, protocol.Done)), None)


def last_error(run_dir: str | os.PathLike, window: int = 256 * 1024) -> protocol.Error | None:
    """The run's last ``error`` event (why a failed run failed), read from the end of events.jsonl."""
    return next((e for e in reversed(_tail_events(run_dir, window)) if isinstance(e, protocol.Error)), None)


def run_state(run_dir: str | os.PathLike) -> RunState:
    """``running`` | ``finished`` | ``interrupted`` | ``unknown``, decided from the folder alone.

    - finished: events.jsonl holds a ``done`` event (even while the process is still exiting);
    - running: no ``done`` yet and the very process that wrote engine.json is alive;
    - interrupted: no ``done`` and that process is gone (or its PID now belongs to another one);
    - unknown: no readable engine.json (not a run folder, or an engine that has not started yet).
    """
    info = read_engine_info(run_dir)
    if info is None:
        return "finished" if last_done(run_dir) is not None else "unknown"
    # Liveness first, then done: an engine writes done before it exits, so this order cannot
    # mistake a run that finished between the two reads for an interrupted one.
    alive = engine_alive(info)
    if last_done(run_dir) is not None:
        return "finished"
    return "running" if alive else "interrupted"


class EventTail:
    """Reads the events appended to an events.jsonl since the last call.

    Keeps a byte offset that always sits just after a complete line: a line the engine is still
    writing (no newline yet) is left for the next call. Malformed lines are logged and skipped.
    If the file shrinks (replaced or truncated), reading starts again from the beginning.
    """

    def __init__(self, path: str | os.PathLike, offset: int = 0, max_bytes: int = 4 * 1024 * 1024):
        self.path = Path(path)
        self.offset = offset
        self.max_bytes = max_bytes

    def seek_end(self) -> int:
        """Skip what is already there (up to the end of the last complete line)."""
        try:
            with open(self.path, "rb") as fh:
                end = fh.seek(0, os.SEEK_END)
                pos = end
                while pos > 0:
                    step = min(64 * 1024, pos)
                    fh.seek(pos - step)
                    chunk = fh.read(step)
                    nl = chunk.rfind(b"\n")
                    if nl >= 0:
                        self.offset = pos - step + nl + 1
                        return self.offset
                    pos -= step
                self.offset = 0
        except FileNotFoundError:
            self.offset = 0
        return self.offset

    def read_new(self) -> list[protocol.Event]:
        try:
            with open(self.path, "rb") as fh:
                size = fh.seek(0, os.SEEK_END)
                if size < self.offset:
                    log.warning("%s: shrank from %d to %d bytes; reading it again from the start",
                                self.path, self.offset, size)
                    self.offset = 0
                if size == self.offset:
                    return []
                fh.seek(self.offset)
                data = fh.read(self.max_bytes)
                end = data.rfind(b"\n")
                if end < 0 and len(data) == self.max_bytes:
                    # One line longer than max_bytes: read on to its end.
                    data += fh.readline()
                    end = data.rfind(b"\n")
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("%s: unreadable (%s)", self.path, exc)
            return []
        if end < 0:
            return []  # only a partial line so far
        complete = data[: end + 1]
        self.offset += len(complete)
        events = []
        for line in complete.split(b"\n"):
            if line.strip():
                event = protocol.decode_or_none(line, source=str(self.path))
                if event is not None:
                    events.append(event)
        return events


__all__ = [
    "ENGINE_INFO_FILE", "EVENTS_FILE", "EngineInfo", "EventTail", "RunState", "engine_alive",
    "last_done", "read_engine_info", "run_state",
]
