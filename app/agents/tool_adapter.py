"""The recipe of the bundled model's tool adapter, trained with the app's own training engine.

    build(dest, threads=2)      generate the data, train (``python -m app.engines.train``), and install
                                the adapter at ``dest`` (bf16 safetensors + chat_template.jinja +
                                recipe.json with the measured train time); returns recipe.json's dict

The data is ``tooluse_data.records(TRAIN_N, TRAIN_SEED)``; the model learns it through the Hermes
template of ``tool_template`` (the training base is the bundled model folder with that template
beside its files, linked, not copied), so it is trained on exactly the text agent mode serves.
``app.core.tool_adapter`` finds the result; benchmarks/tool_accuracy.py measures it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from app.agents import tool_template, tooluse_data
from app.core import paths
from app.core.errors import UserError
from app.core.train_config import TrainConfig, write_config

TRAIN_N = 600
TRAIN_SEED = 0
HELDOUT_SEED = 7
# LoRA on every linear layer at r=8: ≈ 2.4 M parameters, ≈ 4.9 MB in bf16 (small enough to ship).
RECIPE = dict(method="lora", quantization="none", dtype="float32", lora_r=8, lora_alpha=16, lora_dropout=0.0,
              target_modules="all-linear", max_seq_len=1024, batch_size=4, grad_accum=1, epochs=1.0,
              learning_rate=1e-3, scheduler="cosine", warmup_ratio=0.05, weight_decay=0.0,
              gradient_checkpointing=False, optimizer="adamw_torch", logging_steps=5, eval_steps=1000,
              save_steps=1000, save_total_limit=1, seed=42)


def training_base(model_dir: Path, out: Path) -> Path:
    """``out``: the model's files linked (copied where links fail) plus the tool template."""
    out.mkdir(parents=True, exist_ok=True)
    for f in Path(model_dir).iterdir():
        if f.is_file() and f.name != "chat_template.jinja":
            target = out / f.name
            if target.exists() or target.is_symlink():
                target.unlink()
            try:
                target.symlink_to(f.resolve())
            except OSError:
                shutil.copy2(f, target)
    tool_template.install(out)
    return out


def write_run(work: Path, model_dir: Path, threads: int, n: int = TRAIN_N, **overrides) -> Path:
    """The run folder (config.json) and its data under ``work``; returns the run folder."""
    work.mkdir(parents=True, exist_ok=True)
    data = work / "tooluse_train.jsonl"
    tooluse_data.write_jsonl(data, tooluse_data.records(n, seed=TRAIN_SEED))
    base = training_base(model_dir, work / "base")
    run_dir = work / "run"
    run_dir.mkdir(exist_ok=True)
    cfg = TrainConfig(name="smollm2-tools", base_model=str(base), dataset_path=str(data), threads=threads,
                      **dict(RECIPE, **overrides))
    write_config(run_dir, cfg)
    return run_dir


def to_bf16(src: Path, dst: Path) -> None:
    """The adapter weights as bf16 safetensors (half the bytes; the serve engines load either)."""
    import torch
    from safetensors.torch import load_file, save_file

    tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(str(src)).items()}
    save_file(tensors, str(dst), metadata={"format": "pt"})


def install(run_adapter: Path, dest: Path, info: dict) -> Path:
    """Adapter files + template + recipe.json into ``dest``, through a temp folder and a rename."""
    dest = Path(dest)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        cfg = json.loads((run_adapter / "adapter_config.json").read_text(encoding="utf-8"))
        cfg["base_model_name_or_path"] = "SmolLM2-135M-Instruct"  # no machine path in a shipped file
        (tmp / "adapter_config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        to_bf16(run_adapter / "adapter_model.safetensors", tmp / "adapter_model.safetensors")
        tool_template.install(tmp)
        (tmp / "recipe.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for f in tmp.iterdir():
            f.chmod(0o644)  # shipped in the package: readable by everyone
        paths.fsync_tree(tmp)
        paths.install_dir(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def build(dest: Path, model_dir: Path, work: Path, threads: int = 2, n: int = TRAIN_N, log=print,
          **overrides) -> dict:
    """Train the adapter with the training engine and install it at ``dest``; returns recipe.json."""
    run_dir = write_run(work, model_dir, threads, n, **overrides)
    cmd = [sys.executable, "-m", "app.engines.train", str(run_dir)]
    log(f"training the tool adapter: {len(tooluse_data.records(n, seed=TRAIN_SEED))} examples, "
        f"{threads} thread(s); run folder {run_dir}")
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    seconds = round(time.monotonic() - t0, 1)
    done = {}
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("type") == "done":
            done = event
    if proc.returncode != 0 or done.get("status") != "completed":
        raise UserError(f"Training the tool adapter failed (see {run_dir / 'train.log'}).",
                        code="tool_adapter.train_failed", params={"log": str(run_dir / "train.log")})
    recipe = dict(RECIPE, **overrides)
    info = {"base": "SmolLM2-135M-Instruct", "examples": n, "data_seed": TRAIN_SEED, "recipe": recipe,
            "threads": threads, "train_seconds": seconds, "steps": done.get("steps"),
            "final_loss": done.get("final_loss")}
    install(run_dir / "adapter", dest, info)
    log(f"tool adapter installed at {dest} after {seconds:.0f} s of training")
    return info


__all__ = ["TRAIN_N", "TRAIN_SEED", "HELDOUT_SEED", "RECIPE", "training_base", "write_run", "to_bf16",
           "install", "build"]
