"""The database is only an index: a run folder rebuilds its row and metrics, replays are harmless."""

from __future__ import annotations

import json
import time

import pytest

from app.core import paths, protocol
from app.core.db import open_database
from app.core.errors import UserError
from app.core.runs import RunStore, complete_checkpoints


def write_run(run_dir, losses, done="completed", adapter=True):
    """A run folder as the train engine leaves it (events in the protocol's own encoding)."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"base_model": "default", "method": "lora", "lora_r": 8}))
    events = [protocol.Started(pid=1, engine="train")]
    for i, loss in enumerate(losses, 1):
        events += [protocol.Progress(step=i, total=len(losses)),
                   protocol.Metric(step=i, values={"loss": loss, "lr": 1e-3, "grad_norm": float("nan")})]
    if done:
        extra = {"adapter": str(run_dir / "adapter")} if adapter else {}
        events.append(protocol.Done(status=done, extra=extra))
    (run_dir / "events.jsonl").write_text("".join(protocol.encode(e) + "\n" for e in events))
    if adapter:
        (run_dir / "adapter").mkdir()
        (run_dir / "adapter" / "adapter_config.json").write_text("{}")
    return events


@pytest.fixture
def store(ai_home):
    db = open_database()
    yield RunStore(db)
    db.close()


def test_index_folder_rebuilds_row_and_metrics(store):
    run_dir = paths.runs_dir() / "20261126-000000-demo-abcd"
    events = write_run(run_dir, [3.0, 2.5, 2.0, 2.2])
    info = store.index_folder(run_dir)
    assert info.status == "completed" and info.last_step == 4 and info.total_steps == 4
    assert info.final_loss == pytest.approx(2.2) and info.best_loss == pytest.approx(2.0)
    assert info.adapter_path.endswith("adapter")
    steps, values = store.metric(info.id, "loss")
    assert steps == [1, 2, 3, 4] and values == pytest.approx([3.0, 2.5, 2.0, 2.2])
    assert store.metric(info.id, "grad_norm") == ([], [])  # NaN is not a point
    store.apply_events(info.id, events)  # a replay after a restart adds nothing twice
    assert store.metric(info.id, "loss")[0] == [1, 2, 3, 4]


def test_sync_finds_cli_runs_and_settles_dead_ones(store):
    done_dir = paths.runs_dir() / "a-done"
    write_run(done_dir, [1.0, 0.5])
    dead_dir = paths.runs_dir() / "b-dead"
    write_run(dead_dir, [1.0], done=None, adapter=False)
    (dead_dir / "engine.json").write_text(json.dumps({"pid": 999_999, "create_time": time.time() - 50}))
    assert store.sync_with_folders() == []
    by_id = {r.id: r for r in store.list()}
    assert by_id["a-done"].status == "completed"
    assert by_id["b-dead"].status == "interrupted"


def test_checkpoints_only_complete_ones(tmp_path):
    ck = tmp_path / "checkpoints"
    for name, complete in (("checkpoint-2", True), ("checkpoint-4", True), ("checkpoint-6", False),
                           (".tmp-checkpoint-8", True)):
        (ck / name).mkdir(parents=True)
        if complete:
            for f in ("trainer_state.json", "adapter_config.json", "adapter_model.safetensors"):
                (ck / name / f).write_text("{}")
    assert [s for s, _ in complete_checkpoints(tmp_path)] == [2, 4]


def test_delete_removes_row_and_folder_but_refuses_unknown(store):
    run_dir = paths.runs_dir() / "c-gone"
    write_run(run_dir, [1.0])
    store.index_folder(run_dir)
    store.delete("c-gone")
    assert not run_dir.exists()
    with pytest.raises(UserError):
        store.get("c-gone")
