"""A failed run says why, in the user's language: an out-of-memory error is worded from the
engine's data (step, size, which settings to lower), also for a run that failed before this start."""

from __future__ import annotations

import json

from app.core import paths, protocol
from app.core.runs import RunStore


def write_failed_run(run_dir, details):
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"base_model": "default", "method": "lora"}))
    events = [protocol.Started(pid=1, engine="train"), protocol.Progress(step=11, total=100),
              protocol.Metric(step=11, values={"loss": 1.5}),
              protocol.Error(message="The GPU ran out of memory at step 12.", hint="Try …", extra=details),
              protocol.Done(status="failed")]
    (run_dir / "events.jsonl").write_text("".join(protocol.encode(e) + "\n" for e in events))


def test_out_of_memory_is_explained_in_both_languages(main_window):
    import torch

    from app.core.train_config import preset
    from app.training.oom import oom_details

    # A named hardware edge: no CUDA here, so the allocator's error is built as CUDA raises it.
    exc = torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity "
                                 "of 23.55 GiB of which 1.02 GiB is free.")
    cfg = preset("lora-3b-24gb", base_model="/m", dataset_path="/d.jsonl", gradient_checkpointing=False)
    run_dir = paths.runs_dir() / "20261126-000000-oom-abcd"
    write_failed_run(run_dir, oom_details(exc, cfg, 12))
    RunStore(main_window.ctx.db).index_folder(run_dir)

    main_window.show_panel("training")
    detail = main_window.panel("training").detail
    detail.show_run(run_dir.name)
    text = detail.message.text()
    assert detail.message.isVisible()
    assert text.startswith("The GPU ran out of memory at step 12. It tried to allocate 2.00 GiB more.")
    assert "lower the batch size from 4 to 2 and raise gradient accumulation from 4 to 8" in text
    assert text.index("batch size") < text.index("max sequence length") < text.index("QLoRA")

    main_window.ctx.set_language("zh_CN")
    detail.show_run(run_dir.name)
    zh = detail.message.text()
    assert zh.startswith("GPU 显存在第 12 步耗尽。") and "把批大小从 4 降到 2" in zh and "改用 QLoRA" in zh


def test_a_run_that_failed_before_its_first_step_does_not_wait_for_one(main_window):
    run_dir = paths.runs_dir() / "20261126-000001-early-abcd"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"base_model": "default", "method": "lora"}))
    events = [protocol.Started(pid=1, engine="train"),
              protocol.Error(message="The dataset has no examples.", hint=""), protocol.Done(status="failed")]
    (run_dir / "events.jsonl").write_text("".join(protocol.encode(e) + "\n" for e in events))
    RunStore(main_window.ctx.db).index_folder(run_dir)
    main_window.show_panel("training")
    detail = main_window.panel("training").detail
    detail.show_run(run_dir.name)
    assert detail.progress.format() == "No steps trained"
    assert "The dataset has no examples." in detail.message.text()
