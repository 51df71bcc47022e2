"""``memory.json``: what a CUDA run really took, beside what the VRAM planner predicted."""

from __future__ import annotations

import json
import time
from pathlib import Path

from app.core.paths import atomic_write_text
from app.core.train_config import TrainConfig

MEMORY_FILE = "memory.json"


def write_memory(run_dir: Path, cfg: TrainConfig | None, status: str, step: int) -> None:
    """CUDA runs: RUN_DIR/memory.json, the measured peak GPU memory beside the planner's prediction."""
    import torch

    if not torch.cuda.is_available():
        return
    from app.training.callbacks import GIB

    props = torch.cuda.get_device_properties(torch.cuda.current_device())
    data = {
        "device": props.name,
        "total_gb": round(props.total_memory / GIB, 3),
        "peak_reserved_gb": round(torch.cuda.max_memory_reserved() / GIB, 3),
        "peak_allocated_gb": round(torch.cuda.max_memory_allocated() / GIB, 3),
        "predicted_peak_gb": cfg.predicted_peak_gb if cfg is not None else None,
        "status": status,
        "step": step,
        "measured_at": time.time(),
    }
    if cfg is not None:
        data["config"] = {k: getattr(cfg, k) for k in (
            "base_model", "method", "quantization", "dtype", "lora_r", "target_modules", "max_seq_len",
            "batch_size", "grad_accum", "gradient_checkpointing", "packing", "optimizer")}
    atomic_write_text(run_dir / MEMORY_FILE, json.dumps(data, indent=2) + "\n")
