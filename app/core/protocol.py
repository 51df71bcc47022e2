"""The engine protocol: JSON lines between an engine process and the GUI (see DESIGN.md).

Engine → GUI on stdout, one object per line, each with ``type`` and ``ts``. GUI → engine on stdin,
one command object per line (``{"cmd": "stop"}`` = save and stop). Both sides use this module. An
unknown or malformed line is logged and skipped, never fatal.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

log = logging.getLogger(__name__)


@dataclass
class Event:
    type: ClassVar[str] = "event"
    ts: float = field(default_factory=time.time, kw_only=True)
    # Fields an engine sent that this version does not know; kept so nothing is lost.
    extra: dict[str, Any] = field(default_factory=dict, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.type}
        for f in fields(self):
            if f.name != "extra":
                data[f.name] = getattr(self, f.name)
        data.update(self.extra)
        return data


@dataclass
class Started(Event):
    type: ClassVar[str] = "started"
    pid: int = 0
    engine: str = ""
    version: str = ""


@dataclass
class Progress(Event):
    type: ClassVar[str] = "progress"
    step: int = 0
    total: int | None = None
    eta_s: float | None = None
    message: str = ""


@dataclass
class Metric(Event):
    type: ClassVar[str] = "metric"
    step: int = 0
    values: dict[str, float] = field(default_factory=dict)


@dataclass
class Log(Event):
    type: ClassVar[str] = "log"
    level: str = "INFO"
    message: str = ""


@dataclass
class Checkpoint(Event):
    type: ClassVar[str] = "checkpoint"
    step: int = 0
    path: str = ""


@dataclass
class Error(Event):
    """A message a person can act on: what went wrong and what to do (``hint``)."""

    type: ClassVar[str] = "error"
    message: str = ""
    hint: str = ""


@dataclass
class Result(Event):
    """A structured answer from a one-shot engine (probe, conversion, query)."""

    type: ClassVar[str] = "result"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Done(Event):
    type: ClassVar[str] = "done"
    status: str = "completed"  # completed | stopped | failed


# --- the agent engine's steps (app/engines/agent.py documents their use) -------------------------

@dataclass
class ToolCall(Event):
    """The model asked for a tool: ``id`` pairs it with its ``tool_result``."""

    type: ClassVar[str] = "tool_call"
    step: int = 0
    id: str = ""
    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolResult(Event):
    """What a tool answered (``text`` cut for display when ``truncated``); ``ok`` false: an error
    the model was told about."""

    type: ClassVar[str] = "tool_result"
    step: int = 0
    id: str = ""
    name: str = ""
    ok: bool = True
    text: str = ""
    truncated: bool = False


@dataclass
class Delta(Event):
    """A piece of streamed answer text."""

    type: ClassVar[str] = "delta"
    step: int = 0
    text: str = ""


@dataclass
class Approval(Event):
    """A tool wants a folder the user has not approved yet; the engine waits for
    ``{"cmd": "approve", "folder": …, "allow": true|false}``."""

    type: ClassVar[str] = "approval"
    tool: str = ""
    folder: str = ""
    path: str = ""


DONE_STATUSES = ("completed", "stopped", "failed")
EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls for cls in (Started, Progress, Metric, Log, Checkpoint, Error, Result, Done,
                              ToolCall, ToolResult, Delta, Approval)
}


class ProtocolError(ValueError):
    """A line that is not a valid protocol object."""


def _json_default(obj: Any) -> Any:
    """Numbers that are not Python numbers (numpy / torch scalars) stay numbers; the rest is str."""
    if hasattr(obj, "__index__"):
        try:
            return int(obj.__index__())
        except Exception:  # noqa: BLE001
            pass
    if hasattr(obj, "__float__"):
        try:
            return float(obj)
        except Exception:  # noqa: BLE001
            pass
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    return str(obj)


def _finite(obj: Any, depth: int = 0) -> Any:
    """A copy where NaN and ±inf are None: strict JSON has no such numbers (a NaN loss happens)."""
    if depth > 50:
        return str(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v, depth + 1) for v in obj]
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return _finite(_json_default(obj), depth + 1)


def encode(event: Event) -> str:
    """One line of JSON, no newline inside (ensure_ascii keeps it one physical line).

    Non-finite floats (a diverged loss) are written as null rather than failing the engine.
    """
    data = event.to_dict()
    try:
        return json.dumps(data, ensure_ascii=True, allow_nan=False, default=_json_default)
    except ValueError:
        return json.dumps(_finite(data), ensure_ascii=True, allow_nan=False, default=str)


def decode(line: str | bytes) -> Event:
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("not a JSON object")
    kind = obj.get("type")
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise ProtocolError(f"unknown event type {kind!r}")
    known = {f.name for f in fields(cls)} - {"extra"}
    kwargs = {k: v for k, v in obj.items() if k in known}
    extra = {k: v for k, v in obj.items() if k not in known and k != "type"}
    ts = obj.get("ts")
    if not isinstance(ts, (int, float)):
        raise ProtocolError("missing or non-numeric 'ts'")
    if cls is Done and kwargs.get("status") not in DONE_STATUSES:
        raise ProtocolError(f"done.status must be one of {DONE_STATUSES}")
    try:
        return cls(**kwargs, extra=extra)
    except TypeError as exc:
        raise ProtocolError(str(exc)) from None


def decode_or_none(line: str | bytes, source: str = "engine") -> Event | None:
    """Decode, or log the bad line and return None: a malformed line is never fatal."""
    text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    text = text.strip()
    if not text:
        return None
    try:
        return decode(text)
    except ProtocolError as exc:
        log.warning("%s: skipped a malformed line (%s): %.200s", source, exc, text)
        return None


# --- commands (GUI → engine) ---------------------------------------------------------------

COMMANDS = ("stop", "ping", "query", "approve")  # query: the knowledge engine's serve mode;
# approve: the agent engine's answer to an ``approval`` event


def encode_command(cmd: str, **args: Any) -> str:
    if cmd not in COMMANDS:
        raise ValueError(f"unknown command {cmd!r}")
    return json.dumps({"cmd": cmd, **args}, ensure_ascii=True)


def decode_command(line: str | bytes) -> dict[str, Any] | None:
    text = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    text = text.strip()
    if not text:
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        log.warning("skipped a malformed command line: %.200s", text)
        return None
    if not isinstance(obj, dict) or obj.get("cmd") not in COMMANDS:
        log.warning("skipped an unknown command: %.200s", text)
        return None
    return obj


def as_dict(event: Event) -> dict[str, Any]:
    return event.to_dict()


__all__ = [
    "Event", "Started", "Progress", "Metric", "Log", "Checkpoint", "Error", "Result", "Done",
    "ToolCall", "ToolResult", "Delta", "Approval",
    "EVENT_TYPES", "ProtocolError", "encode", "decode", "decode_or_none", "encode_command",
    "decode_command", "asdict", "as_dict",
]
