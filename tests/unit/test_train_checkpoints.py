"""The training engine's checkpoint rules, on hand-made folders (no torch): what resume may pick."""

from __future__ import annotations

from pathlib import Path

from app.core import paths
from app.core.checkpoints import (
    checkpoint_problem, complete_checkpoints, latest_checkpoint, remove_incomplete_checkpoints,
)
from app.training.oom import oom_error


def make_checkpoint(root: Path, name: str, state: bool = True, adapter: bool = True) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if adapter:
        (folder / "adapter_config.json").write_text("{}")
        (folder / "adapter_model.safetensors").write_bytes(b"x")
    if state:
        (folder / "trainer_state.json").write_text("{}")
    return folder


def test_latest_picks_the_highest_complete_step(tmp_path):
    make_checkpoint(tmp_path, "checkpoint-2")
    make_checkpoint(tmp_path, "checkpoint-10")
    make_checkpoint(tmp_path, "checkpoint-9")
    make_checkpoint(tmp_path, "checkpoint-999", state=False)  # killed before trainer_state.json
    make_checkpoint(tmp_path, "checkpoint-500", adapter=False)
    make_checkpoint(tmp_path, ".tmp-checkpoint-11/checkpoint-11")  # complete inside, but never renamed
    make_checkpoint(tmp_path, "checkpoint-x")
    (tmp_path / "checkpoint-12").write_text("a file, not a folder")
    assert [p.name for p in complete_checkpoints(tmp_path)] == ["checkpoint-2", "checkpoint-9", "checkpoint-10"]
    assert latest_checkpoint(tmp_path).name == "checkpoint-10"


def test_problems_are_explained(tmp_path):
    assert "trainer_state.json" in checkpoint_problem(make_checkpoint(tmp_path, "checkpoint-3", state=False))
    assert "temp" in checkpoint_problem(make_checkpoint(tmp_path, ".tmp-checkpoint-4"))
    assert "adapter_model.safetensors" in checkpoint_problem(make_checkpoint(tmp_path, "checkpoint-5",
                                                                             adapter=False))
    assert checkpoint_problem(make_checkpoint(tmp_path, "checkpoint-6")) is None
    assert checkpoint_problem(tmp_path / "nothing") is not None


def test_remove_incomplete_leaves_complete_ones(tmp_path):
    tmp_path = tmp_path / "checkpoints"
    make_checkpoint(tmp_path, "checkpoint-2")
    make_checkpoint(tmp_path, "checkpoint-4", state=False)
    make_checkpoint(tmp_path, ".tmp-checkpoint-6/checkpoint-6")
    (tmp_path / "notes").mkdir()
    removed = remove_incomplete_checkpoints(tmp_path)
    assert removed == [".tmp-checkpoint-6", "checkpoint-4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-2", "notes"]
    assert remove_incomplete_checkpoints(tmp_path / "absent") == []
    assert latest_checkpoint(tmp_path / "absent") is None


def test_oom_hint_without_a_config():
    message, hint = oom_error(RuntimeError("CUDA out of memory."), None)
    assert message.startswith("The GPU ran out of memory.")
    assert hint.index("batch_size") < hint.index("max_seq_len") < hint.index("gradient_checkpointing") < hint.index("QLoRA")


def test_install_dir_replaces_the_old_folder(tmp_path):
    tmp_path = tmp_path / "run"
    tmp_path.mkdir()
    old = tmp_path / "adapter"
    old.mkdir()
    (old / "stale").write_text("1")
    new = tmp_path / ".adapter.tmp-1"
    new.mkdir()
    (new / "adapter_config.json").write_text("{}")
    paths.install_dir(new, old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]
    assert [p.name for p in old.iterdir()] == ["adapter_config.json"]
