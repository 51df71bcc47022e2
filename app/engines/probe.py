"""What the engine stack can do on this machine, as one ``result`` event.

    python -m app.engines.probe

Reports Python, torch (version, CUDA build or not, CUDA usable, GPUs), the versions of the training
packages (read from their metadata, never imported), and CPU threads. Importing torch is the only
real cost (about 1.5 s here). The doctor runs this in a subprocess so the GUI never imports torch.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import time

from app.core import settings
from app.core.engine_runtime import EngineRuntime, run_main

# Distribution names whose versions are reported (None when not installed).
PACKAGES = ("torch", "transformers", "peft", "bitsandbytes", "accelerate", "gguf", "safetensors")


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def probe(rt: EngineRuntime) -> str:
    t0 = time.monotonic()
    data: dict = {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": package_versions(),
        "cpu": {"os_cpu_count": os.cpu_count(), "settings_threads": settings.load().cpu_threads},
    }
    try:
        import torch
    except Exception as exc:  # noqa: BLE001 - a broken torch install must be reported, not crash
        data.update(torch=None, torch_error=f"{type(exc).__name__}: {exc}", cuda_build=False,
                    cuda_available=False, gpus=[])
        data["seconds"] = round(time.monotonic() - t0, 3)
        rt.result(**data)
        rt.error(f"PyTorch cannot be imported in the app environment ({type(exc).__name__}: {exc}).",
                 hint="Run the installer again to repair the app environment.",
                 extra={"code": "probe.no_torch", "params": {"reason": f"{type(exc).__name__}: {exc}"}})
        return "failed"

    data["torch"] = torch.__version__
    data["cuda_build"] = torch.version.cuda is not None
    data["torch_cuda_version"] = torch.version.cuda
    data["cpu"]["torch_threads"] = torch.get_num_threads()
    gpus = []
    cuda_error = None
    try:
        available = bool(torch.cuda.is_available())
        if available:
            for i in range(torch.cuda.device_count()):
                props = torch.cuda.get_device_properties(i)
                gpus.append({"index": i, "name": props.name,
                             "total_memory_gb": round(props.total_memory / 1024**3, 2),
                             "capability": f"{props.major}.{props.minor}"})
    except Exception as exc:  # noqa: BLE001 - e.g. a driver too old for this CUDA build
        available = False
        cuda_error = f"{type(exc).__name__}: {exc}"
    data["cuda_available"] = available
    data["gpus"] = gpus
    if cuda_error:
        data["cuda_error"] = cuda_error
    data["seconds"] = round(time.monotonic() - t0, 3)
    rt.result(**data)
    return "completed"


def main(argv: list[str] | None = None) -> int:
    return run_main("probe", probe)


if __name__ == "__main__":
    sys.exit(main())
