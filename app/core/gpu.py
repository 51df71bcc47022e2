"""One reading of the machine's GPUs (NVML) and of its CPU and RAM (psutil). No Qt, no torch.

    sample(nvml=None, pids=None) -> dict

``nvml`` is an NVML-like module (default: ``pynvml`` from nvidia-ml-py). Every per-GPU field is
optional: a field the GPU or driver does not support (``NVMLError_NotSupported``) reads as None.
Without a driver or GPU the answer is ``{"available": False, "reason_code": ..., "reason": ...}``
with CPU and RAM still filled in; nothing here raises for a missing GPU.

A process on a GPU is matched to its owner: a training run whose ``runs/<id>/engine.json`` names
that pid (with the same psutil create_time), or one of the ``pids`` the caller passes
(``{pid: label}``, e.g. a serving engine), or a child of one of those.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core import paths, run_folder

log = logging.getLogger(__name__)

GIB = 1024 ** 3
MEMORY_ALERT_FRACTION = 0.95
DEFAULT_SLOWDOWN_C = 90

# reason_code → English sentence (the GUI shows its own translated sentence for each code).
REASONS = {
    "nvml_missing": "nvidia-ml-py is not installed, so GPUs cannot be read",
    "no_driver": "no NVIDIA driver is installed (the NVML library was not found)",
    "driver_not_loaded": "the NVIDIA driver is installed but not loaded",
    "no_permission": "this user may not read the NVIDIA driver",
    "no_gpu": "the NVIDIA driver reports no GPU",
    "nvml_error": "the NVIDIA driver could not be read",
}


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def host_info() -> dict[str, dict[str, Any]]:
    """CPU % (since the previous call in this process) and RAM used/total (GiB)."""
    import psutil

    mem = psutil.virtual_memory()
    return {"cpu": {"percent": float(psutil.cpu_percent(interval=None)), "count": psutil.cpu_count()},
            "ram": {"used_gb": round((mem.total - mem.available) / GIB, 2), "total_gb": round(mem.total / GIB, 2),
                    "percent": float(mem.percent)}}


def _reason_code(nvml, exc: Exception) -> str:
    for code, name in (("no_driver", "NVMLError_LibraryNotFound"), ("driver_not_loaded", "NVMLError_DriverNotLoaded"),
                       ("no_permission", "NVMLError_NoPermission")):
        cls = getattr(nvml, name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            return code
    return "nvml_error"


def _unavailable(code: str, detail: str = "") -> dict[str, Any]:
    reason = REASONS[code] + (f" (NVML: {detail})" if detail else "")
    return {"available": False, "reason_code": code, "reason": reason, "gpus": [], "ts": time.time(), **host_info()}


# --- owners -----------------------------------------------------------------------------------

def run_engine_pids(runs_dir: Path | None = None) -> dict[int, dict[str, Any]]:
    """{pid: owner} for every run folder whose engine.json names a live process (same create_time)."""
    root = runs_dir or paths.runs_dir()
    found: dict[int, dict[str, Any]] = {}
    if not root.is_dir():
        return found
    for d in root.iterdir():
        info = run_folder.read_engine_info(d) if (d / run_folder.ENGINE_INFO_FILE).exists() else None
        if info is None or not run_folder.engine_alive(info):
            continue
        name = d.name
        try:
            import json

            name = json.loads((d / "config.json").read_text(encoding="utf-8")).get("name") or name
        except (OSError, ValueError, AttributeError):
            pass
        found[info.pid] = {"kind": "run", "run_id": d.name, "label": str(name), "engine": info.engine or "train"}
    return found


def _owner_of(pid: int, owners: dict[int, dict[str, Any]]) -> dict[str, Any] | None:
    if pid in owners:
        return owners[pid]
    try:
        import psutil

        for parent in psutil.Process(pid).parents():
            if parent.pid in owners:
                return owners[parent.pid]
    except Exception:  # noqa: BLE001 - a process that vanished or is not ours has no owner
        return None
    return None


def _process_name(pid: int) -> str | None:
    try:
        import psutil

        return psutil.Process(pid).name()
    except Exception:  # noqa: BLE001 - gone, or another user's process
        return None


# --- the sampler ------------------------------------------------------------------------------

class Sampler:
    """Keeps NVML initialised between samples (``nvmlInit`` is not free); ``close()`` shuts it down."""

    def __init__(self, nvml=None, runs_dir: Path | None = None):
        self._nvml = nvml
        self.runs_dir = runs_dir
        self._ready = False
        self._failure: tuple[str, str] | None = None

    def _init(self) -> tuple[str, str] | None:
        if self._ready:
            return None
        if self._nvml is None:
            try:
                import pynvml
            except ImportError:
                return ("nvml_missing", "")
            self._nvml = pynvml
        nvml = self._nvml
        try:
            nvml.nvmlInit()
        except nvml.NVMLError as exc:
            return (_reason_code(nvml, exc), _text(exc))
        except OSError as exc:  # a broken libnvidia-ml
            return ("nvml_error", str(exc))
        self._ready = True
        return None

    def close(self) -> None:
        if self._ready:
            self._ready = False
            try:
                self._nvml.nvmlShutdown()
            except Exception as exc:  # noqa: BLE001 - shutting down a driver that went away
                log.debug("nvmlShutdown failed: %s", exc)

    def sample(self, pids: dict[int, str] | None = None) -> dict[str, Any]:
        failed = self._init()
        if failed:
            return _unavailable(*failed)
        nvml = self._nvml
        try:
            count = nvml.nvmlDeviceGetCount()
        except nvml.NVMLError as exc:
            self.close()
            return _unavailable(_reason_code(nvml, exc), _text(exc))
        if not count:
            return _unavailable("no_gpu")
        owners = {int(p): {"kind": "engine", "label": str(label)} for p, label in (pids or {}).items()}
        owners_loaded = False
        gpus = []
        for i in range(count):
            try:
                handle = nvml.nvmlDeviceGetHandleByIndex(i)
            except nvml.NVMLError as exc:
                gpus.append({"index": i, "error": _text(exc), "processes": []})
                continue
            gpu = self._gpu(nvml, i, handle)
            if gpu["processes"] and not owners_loaded:
                owners = {**run_engine_pids(self.runs_dir), **owners}
                owners_loaded = True
            for proc in gpu["processes"]:
                proc["owner"] = _owner_of(proc["pid"], owners)
            gpus.append(gpu)
        return {"available": True, "reason_code": None, "reason": None, "gpus": gpus, "ts": time.time(),
                **host_info()}

    def _gpu(self, nvml, index: int, handle) -> dict[str, Any]:
        def get(fn: Callable, *args, default=None):
            try:
                return fn(handle, *args)
            except nvml.NVMLError:
                return default

        name = get(nvml.nvmlDeviceGetName)
        uuid = get(nvml.nvmlDeviceGetUUID)
        util = get(nvml.nvmlDeviceGetUtilizationRates)
        mem = get(nvml.nvmlDeviceGetMemoryInfo)
        temp = get(nvml.nvmlDeviceGetTemperature, nvml.NVML_TEMPERATURE_GPU)
        slowdown = get(nvml.nvmlDeviceGetTemperatureThreshold, nvml.NVML_TEMPERATURE_THRESHOLD_SLOWDOWN)
        power = get(nvml.nvmlDeviceGetPowerUsage)
        limit = get(nvml.nvmlDeviceGetEnforcedPowerLimit)
        processes: dict[int, dict[str, Any]] = {}
        for fn_name in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
            fn = getattr(nvml, fn_name, None)
            for p in (get(fn, default=[]) if fn else []) or []:
                used = getattr(p, "usedGpuMemory", None)
                # NVML reports "not available" (e.g. no permission) as None or a huge sentinel.
                used_gb = round(used / GIB, 3) if isinstance(used, int) and 0 <= used < 2 ** 63 else None
                pid = int(p.pid)
                if pid in processes:
                    if used_gb is not None:
                        processes[pid]["memory_gb"] = max(processes[pid]["memory_gb"] or 0.0, used_gb)
                    continue
                processes[pid] = {"pid": pid, "name": _process_name(pid), "memory_gb": used_gb, "owner": None}
        return {
            "index": index,
            "name": _text(name) if name is not None else None,
            "uuid": _text(uuid) if uuid is not None else None,
            "utilization": float(util.gpu) if util is not None else None,
            "memory_utilization": float(util.memory) if util is not None else None,
            "memory_used_gb": round(mem.used / GIB, 3) if mem is not None else None,
            "memory_total_gb": round(mem.total / GIB, 3) if mem is not None else None,
            "temperature_c": float(temp) if temp is not None else None,
            "slowdown_c": float(slowdown) if slowdown is not None else None,
            "power_w": round(power / 1000.0, 1) if power is not None else None,
            "power_limit_w": round(limit / 1000.0, 1) if limit is not None else None,
            "sm_clock_mhz": get(nvml.nvmlDeviceGetClockInfo, nvml.NVML_CLOCK_SM),
            "mem_clock_mhz": get(nvml.nvmlDeviceGetClockInfo, nvml.NVML_CLOCK_MEM),
            "fan_percent": get(nvml.nvmlDeviceGetFanSpeed),
            "processes": sorted(processes.values(), key=lambda p: -(p["memory_gb"] or 0.0)),
        }


def sample(nvml=None, pids: dict[int, str] | None = None, runs_dir: Path | None = None) -> dict[str, Any]:
    """One reading (initialises and shuts down NVML around it; a monitor keeps a ``Sampler``)."""
    sampler = Sampler(nvml, runs_dir=runs_dir)
    try:
        return sampler.sample(pids)
    finally:
        sampler.close()


def alerts(reading: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(code, gpu index, English message) for a GPU whose memory is over 95 % full, or whose
    temperature reached its slowdown threshold (90 C when the driver does not say)."""
    found: list[tuple[str, int, str]] = []
    for gpu in reading.get("gpus") or []:
        i = gpu.get("index", 0)
        used, total = gpu.get("memory_used_gb"), gpu.get("memory_total_gb")
        if used is not None and total and used / total > MEMORY_ALERT_FRACTION:
            found.append(("memory", i, f"GPU {i}: memory {used:.1f} of {total:.1f} GiB used ({used / total:.0%})"))
        temp = gpu.get("temperature_c")
        limit = gpu.get("slowdown_c") or DEFAULT_SLOWDOWN_C
        if temp is not None and temp >= limit:
            found.append(("temperature", i, f"GPU {i}: {temp:.0f} °C reached its slowdown threshold ({limit:.0f} °C)"))
    return found
