"""Safe start: remember that a model is being loaded, so a crash during the load is noticed.

The engine manager calls ``mark_loading(label)`` before it starts loading a model and
``clear_loading()`` once the load has ended (ready, failed or stopped). If the app dies in between
(the load froze the machine, ran it out of memory, or the window was killed), the marker stays in
the data folder; on the next start ``crashed_while_loading()`` returns the model's label, the
manager skips its automatic load, and the window tells the person why. ``acknowledge()`` removes
the marker once they have been told.

The startup answer is computed once per process and data folder and kept for the whole session:
the notice may acknowledge before the engine manager asks, and the manager must still get the
label. Qt-free; the marker is JSON written atomically.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from app.core import paths

log = logging.getLogger(__name__)

MARKER_NAME = "loading-model.json"
# The label reported when the marker cannot be read (a load was under way, of an unknown model).
UNKNOWN_LABEL = "the model"

# marker path -> the label found at this process's first look (None: no crash), see module doc.
_startup_answer: dict[str, str | None] = {}


def marker_file(root: Path | None = None) -> Path:
    return (root or paths.home()) / MARKER_NAME


def _process_started(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), None if it does not exist."""
    try:
        import psutil

        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - no such process, or cannot tell
        return None


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # A marker we cannot read still means a load was under way: report it, unnamed.
        return {"label": ""}
    return data if isinstance(data, dict) else {"label": ""}


def _still_loading(data: dict) -> bool:
    """True when the process that wrote the marker is this one or is still alive (not a crash).

    The start time is compared too, because a PID is reused after a reboot."""
    try:
        pid = int(data.get("pid", 0))
        started = float(data.get("process_started", 0))
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    now_started = _process_started(pid)
    return now_started is not None and abs(now_started - started) < 1.0


def crashed_while_loading() -> str | None:
    """The label of the model that was loading when the last session ended, else None.

    The first call of a session decides (and later calls repeat it), so the answer is the same for
    everyone who asks during this session, acknowledged or not."""
    path = marker_file()
    key = str(path)
    if key not in _startup_answer:
        data = _read(path)
        answer = None
        if data is not None and not _still_loading(data):
            answer = str(data.get("label") or "").strip() or UNKNOWN_LABEL
        _startup_answer[key] = answer
        if answer:
            log.warning("The last session ended while loading %s; it is not loaded automatically", answer)
    return _startup_answer[key]


def mark_loading(model_label: str) -> None:
    """Record (atomically) that ``model_label`` is being loaded now."""
    crashed_while_loading()  # decide about the previous session before its marker is overwritten
    pid = os.getpid()
    data = {"label": str(model_label), "pid": pid, "process_started": _process_started(pid) or 0.0,
            "at": time.time()}
    paths.atomic_write_text(marker_file(), json.dumps(data, ensure_ascii=False) + "\n")


def clear_loading() -> None:
    """The load ended (ready, failed or stopped): nothing to warn about next time."""
    crashed_while_loading()
    marker_file().unlink(missing_ok=True)


def acknowledge() -> None:
    """The person was told: remove the marker so the next start does not tell them again.

    This session keeps its answer (the automatic load stays skipped until the next start)."""
    path = marker_file()
    crashed_while_loading()
    data = _read(path)
    if data is not None and not _still_loading(data):
        path.unlink(missing_ok=True)


__all__ = [
    "MARKER_NAME",
    "UNKNOWN_LABEL",
    "acknowledge",
    "clear_loading",
    "crashed_while_loading",
    "mark_loading",
    "marker_file",
]
