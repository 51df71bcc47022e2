"""A full disk, said plainly: "the disk is full (N MB free at PATH)".

``is_disk_full(exc)`` recognises the forms a full disk takes on its way up: ``OSError`` ENOSPC or
EDQUOT, SQLite's "database or disk is full" (raw or wrapped by SQLAlchemy), and faiss's
``RuntimeError`` from a failed ``fwrite``. ``disk_full_error(path)`` is the ``UserError`` to raise
instead (code ``disk.full``); ``reraise_if_full(exc, path)`` does both in an ``except`` block (and
also counts SQLite's unexplained I/O errors as a full disk when ``path``'s disk has < 1 MB free).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from app.core.errors import UserError

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FULL_TEXTS = ("database or disk is full", "no space left on device", "disk quota exceeded", "sqlite_full")


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a full disk."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        text = str(exc).lower()
        if any(t in text for t in _FULL_TEXTS):
            return True
        orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError wraps the driver's error
        if orig is not None and is_disk_full(orig):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


MIN_FREE_MB = 1.0
_IO_TEXTS = ("disk i/o error", "readonly database", "unable to open database file")


def looks_full(exc: BaseException | None, path: str | os.PathLike) -> bool:
    """``is_disk_full``, or an I/O error SQLite reports without saying why while ``path``'s disk
    has (next to) nothing left: SQLite's WAL mode says "disk I/O error" when it cannot create its
    shared-memory file."""
    if is_disk_full(exc):
        return True
    text = str(exc).lower()
    if not any(t in text for t in _IO_TEXTS):
        return False
    free = free_mb(path)
    return free is not None and free < MIN_FREE_MB


def free_mb(path: str | os.PathLike) -> float | None:
    """Free space (MB, 10^6 bytes) on the file system holding ``path`` (or its nearest parent)."""
    p = Path(path)
    for cand in (p, *p.parents):
        try:
            return shutil.disk_usage(cand).free / 1e6
        except OSError:
            continue
    return None


def disk_full_error(path: str | os.PathLike) -> UserError:
    free = free_mb(path)
    free_s = f"{free:.1f}" if free is not None else "?"
    where = str(path)
    return UserError(f"The disk is full ({free_s} MB free at {where}). Free some space and try again.",
                     code="disk.full", params={"free_mb": free_s, "path": where})


def reraise_if_full(exc: BaseException, path: str | os.PathLike) -> None:
    """In an ``except`` block: raise the plain disk-full ``UserError`` if ``exc`` is one."""
    if looks_full(exc, path):
        raise disk_full_error(path) from None


__all__ = ["is_disk_full", "looks_full", "free_mb", "disk_full_error", "reraise_if_full", "MIN_FREE_MB"]
