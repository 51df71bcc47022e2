"""Checkpoints of a training run, without torch: which are complete, which to resume from.

Complete = a folder named ``checkpoint-N`` (never a temp name: the engine writes
``.tmp-checkpoint-N`` and renames it when done) holding ``trainer_state.json`` (the Trainer writes it
last) and the adapter weights. The engine resumes from these; the GUI offers them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

CHECKPOINTS = "checkpoints"
CHECKPOINT_PREFIX = "checkpoint-"
TMP_CHECKPOINT_PREFIX = ".tmp-checkpoint-"
TRAINER_STATE = "trainer_state.json"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
_CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")


def checkpoint_step(path: Path) -> int | None:
    m = _CHECKPOINT_RE.match(Path(path).name)
    return int(m.group(1)) if m else None


def checkpoint_problem(path: Path) -> str | None:
    """Why ``path`` is not a complete checkpoint, or None when it is one.

    Complete = named ``checkpoint-N`` (not a temp name) and holding trainer_state.json (written last
    by the Trainer) and the adapter weights.
    """
    path = Path(path)
    if not path.is_dir():
        return f"{path} is not a folder"
    if checkpoint_step(path) is None:
        return f"{path.name} is not a checkpoint-N folder (a temp or foreign name)"
    if not (path / TRAINER_STATE).is_file():
        return f"{path.name} has no {TRAINER_STATE} (it was not finished)"
    missing = [name for name in ADAPTER_FILES if not (path / name).is_file()]
    if missing:
        return f"{path.name} has no {', '.join(missing)}"
    return None


def complete_checkpoints(checkpoints_dir: Path) -> list[Path]:
    """The complete checkpoints under ``checkpoints_dir``, oldest step first."""
    folder = Path(checkpoints_dir)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if checkpoint_problem(p) is None]
    return sorted(found, key=lambda p: checkpoint_step(p) or 0)


def latest_checkpoint(checkpoints_dir: Path) -> Path | None:
    found = complete_checkpoints(checkpoints_dir)
    return found[-1] if found else None


def remove_incomplete_checkpoints(checkpoints_dir: Path) -> list[str]:
    """Delete what a killed save left behind (temp folders, checkpoint-N without its state)."""
    folder = Path(checkpoints_dir)
    removed = []
    if not folder.is_dir():
        return removed
    for p in sorted(folder.iterdir()):
        if not p.is_dir():
            continue
        temp = p.name.startswith(TMP_CHECKPOINT_PREFIX)
        if temp or (checkpoint_step(p) is not None and checkpoint_problem(p) is not None):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed
