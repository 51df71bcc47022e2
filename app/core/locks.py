"""Cross-process locks: one writer at a time per knowledge base.

    with kb_write_lock(kb.id, kb.name):      # waits up to wait_s, then UserError kb.busy
        ...load the index, change it, save it...

The lock is ``fcntl.flock`` on ``kb/<id>/writer.lock``: the kernel drops it when the holder exits,
however it exits (kill -9 included), so a crash never leaves a stale lock behind. The window's
indexing engine, ``ai-platform kb add/remove/rebuild/delete`` and a second window all take it; readers
(queries) do not, since every save replaces the index atomically.

Within one process the lock is re-entrant (a rebuild that adds, a test that holds it and calls a
writer would otherwise wait for itself).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from app.core import paths
from app.core.errors import UserError

LOCK_FILE = "writer.lock"
DEFAULT_WAIT_S = 120.0
_POLL_S = 0.2

_held: dict[str, int] = {}
_held_lock = threading.Lock()


def default_wait_s() -> float:
    """How long a writer waits for another one (``AI_PLATFORM_KB_LOCK_WAIT_S`` overrides)."""
    try:
        return max(0.0, float(os.environ.get("AI_PLATFORM_KB_LOCK_WAIT_S", DEFAULT_WAIT_S)))
    except ValueError:
        return DEFAULT_WAIT_S


def kb_lock_path(kb_id: int) -> Path:
    return paths.kb_dir() / str(kb_id) / LOCK_FILE


def busy_error(name: str, waited_s: float) -> UserError:
    return UserError(f'The knowledge base "{name}" is being changed by another window or command; '
                     f"waited {waited_s:.0f} s. Try again when it has finished.",
                     code="kb.busy", params={"name": name, "seconds": f"{waited_s:.0f}"})


@contextmanager
def file_lock(path: Path, *, name: str, wait_s: float | None = None, on_wait=None):
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` body."""
    path = Path(path)
    key = os.path.abspath(path)
    with _held_lock:
        if _held.get(key):
            _held[key] += 1
            reentrant = True
        else:
            reentrant = False
    if reentrant:
        try:
            yield
        finally:
            with _held_lock:
                _held[key] -= 1
        return
    wait_s = default_wait_s() if wait_s is None else wait_s
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        t0 = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - t0
                if waited >= wait_s:
                    raise busy_error(name, waited) from None
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                time.sleep(_POLL_S)
        with _held_lock:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_lock:
                _held.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def kb_write_lock(kb_id: int, name: str, *, wait_s: float | None = None, on_wait=None):
    """The writer lock of knowledge base ``kb_id`` (``name`` is for the busy message)."""
    return file_lock(kb_lock_path(kb_id), name=name, wait_s=wait_s, on_wait=on_wait)


__all__ = ["kb_write_lock", "file_lock", "kb_lock_path", "busy_error", "default_wait_s", "DEFAULT_WAIT_S"]
