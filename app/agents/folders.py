"""Which folders the agent's file tools may touch, and asking the user once per folder.

A path is allowed only when its real path (symlinks and ``..`` resolved) lies inside the real path
of a granted folder: a symlink inside a granted folder that points outside is refused like any
other escape. A regular file with more than one hard link is refused too: its other names may lie
anywhere on the disk, and no real path shows them (code ``agent.hard_link``). A granted folder the user has not approved yet is asked about once (``ask``); the
answer holds for the rest of the turn (and the GUI passes approved folders back in the next request).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable


class AccessDenied(Exception):
    """The path is outside every granted folder, is a hard-linked file, or the user said no.
    ``code``/``params``: the refusal in words for the interface (app/views/error_texts.py), when set."""

    def __init__(self, message: str, code: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.code, self.params = code, dict(params or {})


def hard_links(real: str) -> int:
    """How many names the regular file ``real`` has (0: not a regular file, or missing)."""
    import stat

    try:
        st = os.stat(real)
    except OSError:
        return 0
    return st.st_nlink if stat.S_ISREG(st.st_mode) else 0


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(os.path.expanduser(str(path))))


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives on Windows
        return False


class FolderAccess:
    def __init__(self, granted: Iterable[str], approved: Iterable[str] = (),
                 ask: Callable[[str, str, str], bool] | None = None):
        self.granted = [_real(f) for f in granted]
        self.approved = {_real(f) for f in approved}
        self.denied: set[str] = set()
        # ask(tool, folder, path) -> allowed; None: nobody to ask, unapproved folders are refused.
        self.ask = ask

    def __bool__(self) -> bool:
        return bool(self.granted)

    def folder_of(self, real: str) -> str | None:
        """The innermost granted folder holding ``real``."""
        holders = [f for f in self.granted if _inside(real, f)]
        return max(holders, key=len) if holders else None

    def resolve(self, path: str) -> str:
        """The real path of ``path`` (relative paths: inside the first granted folder that has it)."""
        if not str(path).strip():
            raise AccessDenied("no path given")
        if os.path.isabs(os.path.expanduser(path)):
            return _real(path)
        for folder in self.granted:
            candidate = _real(os.path.join(folder, path))
            if os.path.exists(candidate):
                return candidate
        return _real(os.path.join(self.granted[0], path)) if self.granted else _real(path)

    def check(self, tool: str, path: str) -> str:
        """The real path when ``tool`` may touch ``path``; asks for approval once per folder."""
        real = self.resolve(path)
        folder = self.folder_of(real)
        if folder is None:
            granted = ", ".join(self.granted) or "none"
            raise AccessDenied(f"{path} is outside the folders the user granted ({granted})")
        links = hard_links(real)
        if links > 1:  # another name of this file may be outside every granted folder
            raise AccessDenied(f"{path} has {links} hard links: the same file can have other names outside the "
                               "granted folders, so it is not opened. Copy it into the folder to share it.",
                               code="agent.hard_link", params={"path": str(path), "links": links})
        if folder in self.denied:
            raise AccessDenied(f"the user did not allow access to {folder}")
        if folder not in self.approved and not any(_inside(folder, a) for a in self.approved):
            if self.ask is None or not self.ask(tool, folder, real):
                self.denied.add(folder)
                raise AccessDenied(f"the user did not allow access to {folder}")
            self.approved.add(folder)
        return real
