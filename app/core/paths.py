"""Where everything lives on disk.

All state lives under one home folder. Resolution order:
1. the environment variable ``AI_PLATFORM_HOME`` (tests always set it);
2. a pointer file in the user's config dir, written when the user moves the data folder;
3. the platform's user-data dir (platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app import APP_NAME

ENV_HOME = "AI_PLATFORM_HOME"
_POINTER_NAME = "data-folder.txt"


def pointer_file() -> Path:
    """The file that remembers a data folder chosen in Settings."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / _POINTER_NAME


def default_home() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def home_overridden_by_env() -> bool:
    return bool(os.environ.get(ENV_HOME))


def home() -> Path:
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    ptr = pointer_file()
    try:
        chosen = ptr.read_text(encoding="utf-8").strip()
    except OSError:
        chosen = ""
    if chosen:
        return Path(chosen).expanduser()
    return default_home()


def set_home_pointer(folder: Path | None) -> None:
    """Remember (or forget, with None) a data folder for the next start."""
    ptr = pointer_file()
    if folder is None:
        ptr.unlink(missing_ok=True)
        return
    ptr.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(ptr, str(Path(folder).expanduser().resolve()) + "\n")


def ensure_home() -> Path:
    root = home()
    for sub in (root, models_dir(root), runs_dir(root), kb_dir(root), logs_dir(root), cache_dir(root)):
        sub.mkdir(parents=True, exist_ok=True)
    return root


def settings_file(root: Path | None = None) -> Path:
    return (root or home()) / "settings.json"


def database_file(root: Path | None = None) -> Path:
    return (root or home()) / "ai-platform.sqlite3"


def models_dir(root: Path | None = None) -> Path:
    return (root or home()) / "models"


def runs_dir(root: Path | None = None) -> Path:
    return (root or home()) / "runs"


def kb_dir(root: Path | None = None) -> Path:
    return (root or home()) / "kb"


def logs_dir(root: Path | None = None) -> Path:
    return (root or home()) / "logs"


def cache_dir(root: Path | None = None) -> Path:
    return (root or home()) / "cache"


def fd_is_file(fd: int, path: Path) -> bool:
    """Whether the open file descriptor ``fd`` is the file at ``path`` (same device and inode)."""
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write to a temp file beside ``path`` and rename: readers never see half a file. ``mode``
    (e.g. 0o600): the file's permissions, set before a byte is written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if mode is not None:
            tmp.unlink(missing_ok=True)
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
            os.chmod(tmp, mode)  # whatever the umask
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def fsync_tree(folder: Path) -> None:
    """Flush every file below ``folder`` to disk (before a rename makes it visible)."""
    for p in Path(folder).rglob("*"):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())


def install_dir(tmp: Path, target: Path) -> None:
    """Rename the finished folder ``tmp`` to ``target``. An existing ``target`` is moved aside first
    and removed only after the rename, so a crash leaves either the old or the new folder whole."""
    import shutil

    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        if old is not None and not target.exists():
            os.replace(old, target)  # put the previous folder back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
