"""Training on several processes, GPUs or machines: torchrun (PyTorch's own launcher) starts the
ranks; the transformers Trainer (through accelerate) does DDP, FSDP or DeepSpeed ZeRO in them.

No torch import at module level: the launcher side (which argv, which config file, is the strategy
installed) runs in the engine before any rank exists.

* ``check_strategy(dist)``: a UserError naming what to install when the strategy cannot run here
  (zero2 / zero3 without the ``deepspeed`` package; fsdp without torch's FSDP).
* ``write_launch_config(run_dir, dist, device)``: ``RUN_DIR/distributed.json``, the launch as
  written (strategy, world size, backend, rendezvous) and, for ZeRO, ``RUN_DIR/deepspeed.json``.
* ``torchrun_argv(run_dir, dist, resume)``: the command that starts every local rank of the run.
* ``trainer_arguments(dist, run_dir, device)``: what TrainingArguments gets in each rank.
* ``rank()`` / ``world_size()`` / ``is_main()``: read from torchrun's environment.
* ``stop_check(rt, run_dir, cuda)``: the ranks' shared answer to "stop at this step?" (the launcher
  asks through ``RUN_DIR/stop.request``; every rank must stop at the same step, or the others would
  wait for it forever inside the next all-reduce).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.core.errors import UserError

LAUNCH_FILE = "distributed.json"
DEEPSPEED_FILE = "deepspeed.json"
DEFAULT_PORT = 29500
STOP_FILE = "stop.request"


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main() -> bool:
    """Rank 0 writes events, events.jsonl, checkpoints and the adapter; the others only train."""
    return rank() == 0


def under_torchrun() -> bool:
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


def active(dist: dict[str, Any] | None) -> bool:
    """More than one process asked for (on this machine or over several)."""
    return bool(dist) and (int(dist["processes"]) * int(dist["nnodes"]) > 1 or dist["strategy"] != "ddp")


def check_strategy(dist: dict[str, Any]) -> None:
    """UserError when ``dist["strategy"]`` cannot run with what is installed."""
    strategy = dist["strategy"]
    if strategy in ("zero2", "zero3") and importlib.util.find_spec("deepspeed") is None:
        raise UserError(f"Strategy {strategy} needs DeepSpeed, which is not installed. Install it "
                        "(pip install deepspeed) on a machine with CUDA GPUs, or choose ddp or fsdp.",
                        code="train.distributed.no_deepspeed", params={"strategy": strategy})
    if strategy == "fsdp":
        reason = _fsdp_problem()
        if reason:
            raise UserError(f"Strategy fsdp is not supported by the installed PyTorch / accelerate "
                            f"({reason}). Choose ddp.", code="train.distributed.no_fsdp",
                            params={"reason": reason})


def _fsdp_problem() -> str:
    for module in ("torch.distributed.fsdp", "accelerate"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is missing"
        except ImportError as exc:  # a parent package missing
            return str(exc)
    return ""


def backend(device: str) -> str:
    """gloo on CPU, nccl on CUDA GPUs."""
    return "nccl" if device == "cuda" else "gloo"


def deepspeed_config(dist: dict[str, Any]) -> dict[str, Any]:
    """A DeepSpeed config whose sizes the Trainer fills in ("auto") from its own arguments."""
    stage = 3 if dist["strategy"] == "zero3" else 2
    zero: dict[str, Any] = {"stage": stage, "overlap_comm": True, "contiguous_gradients": True}
    if dist.get("cpu_offload"):
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
        if stage == 3:
            zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    if stage == 3:
        zero["stage3_gather_16bit_weights_on_model_save"] = True  # rank 0 saves a whole adapter
    return {"zero_optimization": zero, "bf16": {"enabled": "auto"}, "fp16": {"enabled": "auto"},
            "train_micro_batch_size_per_gpu": "auto", "gradient_accumulation_steps": "auto",
            "train_batch_size": "auto", "gradient_clipping": "auto"}


def write_launch_config(run_dir: Path, dist: dict[str, Any], device: str) -> Path:
    """``RUN_DIR/distributed.json`` (and ``deepspeed.json`` for ZeRO); returns the first."""
    info = {**dist, "world_size": int(dist["processes"]) * int(dist["nnodes"]), "backend": backend(device),
            "device": device, "launcher": "torchrun"}
    if dist["strategy"] in ("zero2", "zero3"):
        (run_dir / DEEPSPEED_FILE).write_text(json.dumps(deepspeed_config(dist), indent=2) + "\n",
                                              encoding="utf-8")
        info["deepspeed_config"] = DEEPSPEED_FILE
    path = run_dir / LAUNCH_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def torchrun_argv(run_dir: Path, dist: dict[str, Any], resume: str | None = None,
                  python: str | None = None, port: int | None = None) -> list[str]:
    """``python -m torch.distributed.run … -m app.engines.train RUN_DIR`` for this machine's ranks.
    One machine: a private rendezvous on ``port`` (``--standalone`` picks a free one when None);
    several: the c10d rendezvous at ``dist["rdzv"]`` with this machine's node rank."""
    argv = [python or sys.executable, "-m", "torch.distributed.run",
            f"--nproc-per-node={int(dist['processes'])}", f"--nnodes={int(dist['nnodes'])}"]
    if int(dist["nnodes"]) > 1:
        argv += [f"--node-rank={int(dist['node_rank'])}", "--rdzv-backend=c10d",
                 f"--rdzv-endpoint={dist['rdzv']}", f"--rdzv-id={run_dir.name}"]
    elif port is not None:
        argv += ["--rdzv-backend=c10d", f"--rdzv-endpoint=127.0.0.1:{port}"]
    else:
        argv += ["--standalone"]
    argv += ["-m", "app.engines.train", str(run_dir)]
    if resume:
        argv += ["--resume", resume]
    return argv


def trainer_arguments(dist: dict[str, Any] | None, run_dir: Path, device: str) -> dict[str, Any]:
    """Extra TrainingArguments for a rank of a distributed run ({} for one process)."""
    if not dist or not under_torchrun():
        return {}
    out: dict[str, Any] = {"ddp_backend": backend(device), "ddp_find_unused_parameters": False}
    if dist["strategy"] == "fsdp":
        out["fsdp"] = "full_shard auto_wrap" + (" offload" if dist.get("cpu_offload") else "")
        out["fsdp_config"] = {"use_orig_params": True}
    elif dist["strategy"] in ("zero2", "zero3"):
        out["deepspeed"] = str(run_dir / DEEPSPEED_FILE)
    return out


def stop_check(rt, run_dir: Path, cuda: bool):
    """A ``should_stop()`` for EventCallback in a rank: true on every rank at once when any rank was
    asked (its runtime: SIGTERM, Ctrl+C) or the launcher wrote ``RUN_DIR/stop.request``. One tiny
    all-reduce per optimizer step, which every rank reaches at the same step boundary."""
    import torch
    import torch.distributed as tdist

    flag_file = Path(run_dir) / STOP_FILE
    device = torch.device("cuda", local_rank()) if cuda else torch.device("cpu")

    def should_stop() -> bool:
        local = rt.stop_requested or flag_file.exists()
        if not (tdist.is_available() and tdist.is_initialized()):
            return local
        flag = torch.tensor([1 if local else 0], dtype=torch.int32, device=device)
        tdist.all_reduce(flag, op=tdist.ReduceOp.MAX)
        return bool(flag.item())

    return should_stop
