"""Several chat engines at once, within the memory the user allows (Settings → Chat engines →
"Memory for chat engines"): what one engine takes, what they may take together, and which running
ones to stop so a new one fits.

An engine's cost is what it was measured to hold (its processes' resident memory, or on a GPU what
NVML attributes to them: for vLLM that is its whole reservation), and before that the estimate:
on a GPU ``vram_planner.serving_estimate``; on the CPU the transformers engine's float32 weights
plus its runtime. Engines are stopped least recently used first, never one that is answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GIB = 1024 ** 3
CPU_RUNTIME_BYTES = 512 * 1024 ** 2  # Python, torch and the HTTP server of a transformers engine
CPU_WEIGHT_FACTOR = 1.1  # float32 weights plus buffers and the allocator
AUTO_RAM_SHARE = 0.7  # without a setting, on the CPU: this share of the machine's RAM
MAX_GB = 4096


def engine_bytes(folder: str | Path, on_gpu: bool) -> int:
    """What serving the model folder takes before it was measured (0 when unknown)."""
    from app.core import model_folder, vram_planner
    from app.core.errors import UserError

    try:
        if on_gpu:
            return int(vram_planner.serving_estimate(folder)["total_bytes"])
        params = sum(n for _dtype, n in model_folder.safetensors_tensors(Path(folder)))
        if not params:  # pytorch_model*.bin: their size, as float32 or not
            params = sum(f.stat().st_size for f in Path(folder).glob("*.bin")) // 4
    except (OSError, ValueError, UserError):
        return 0
    return int(params * 4 * CPU_WEIGHT_FACTOR + CPU_RUNTIME_BYTES) if params else 0


def budget_bytes(setting_gb: float, on_gpu: bool, gpu_total_bytes: int | None = None) -> tuple[int | None, bool]:
    """``(bytes the engines may hold together, whether the user set it)``; None: no limit known
    (a GPU whose size the monitor has not read yet)."""
    if setting_gb and setting_gb > 0:
        return int(float(setting_gb) * GIB), True
    if on_gpu:
        return (int(gpu_total_bytes) if gpu_total_bytes else None), False
    import psutil

    return int(psutil.virtual_memory().total * AUTO_RAM_SHARE), False


@dataclass(frozen=True)
class Running:
    key: str
    cost: int  # bytes
    last_used: float  # monotonic seconds
    in_use: bool  # answering now: never stopped for another


def make_room(running: list[Running], need: int, budget: int | None) -> tuple[list[str], bool]:
    """``(keys to stop, fits)``: the least recently used engines not in use, stopped until ``need``
    fits beside the rest; ``fits`` is False when it cannot, even with all of them stopped (then
    nothing is to be stopped)."""
    if budget is None:
        return [], True
    used = sum(r.cost for r in running)
    if used + need <= budget:
        return [], True
    stop: list[str] = []
    for r in sorted((r for r in running if not r.in_use), key=lambda r: r.last_used):
        stop.append(r.key)
        used -= r.cost
        if used + need <= budget:
            return stop, True
    return [], False
