"""Where the quantization runtime is: a Python environment with llm-compressor installed.

llm-compressor pins a transformers release other than the app's (DESIGN.md: engines are processes), so
``python -m app.engines.quantize`` runs under that environment's interpreter, found in order:

1. the environment variable ``AI_PLATFORM_QUANTIZE_PYTHON`` (a developer's or another install's env);
2. the installer's layout: ``<prefix>/app-env`` and ``<prefix>/quantize-env`` side by side.

Like the vLLM runtime, the version is read with ``importlib.metadata`` in a subprocess: llm-compressor
(and torch) are never imported into the app's process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.core.vllm_runtime import env_python

ENV_QUANTIZE_PYTHON = "AI_PLATFORM_QUANTIZE_PYTHON"
QUANTIZE_ENV_DIR = "quantize-env"
DISTRIBUTION = "llmcompressor"
VERSION_TIMEOUT_S = 20.0
INSTALL_HINT = ("Run the installer again without --no-quantize (it creates the quantization runtime), or set "
                f"{ENV_QUANTIZE_PYTHON} to the python of an environment where llmcompressor is installed.")

_VERSION_SCRIPT = r"""
import importlib.metadata as m, json, sys
found = {}
for name in ("llmcompressor", "compressed-tensors", "transformers", "torch"):
    try:
        found[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(json.dumps({"python": sys.version.split()[0], "found": found}))
"""


def locate() -> tuple[Path, str]:
    """The runtime's python (which may not exist) and where that choice came from (env|installer)."""
    env = os.environ.get(ENV_QUANTIZE_PYTHON, "").strip()
    if env:
        return Path(env).expanduser(), "env"
    return env_python(Path(sys.prefix).parent / QUANTIZE_ENV_DIR), "installer"


def runtime_info(timeout: float = VERSION_TIMEOUT_S) -> dict[str, Any]:
    """Is there a usable quantization runtime? Keys: python, source, found, version (llmcompressor),
    packages {name: version}, reason (None when found, else what is wrong and how to fix it)."""
    exe, source = locate()
    info: dict[str, Any] = {"python": str(exe), "source": source, "found": False, "version": None,
                            "packages": {}, "reason": None}
    where = f"the environment variable {ENV_QUANTIZE_PYTHON}" if source == "env" else "the installer's layout"
    if not exe.is_file() or not os.access(exe, os.X_OK):
        info["reason"] = f"No Python interpreter at {exe} (from {where}). {INSTALL_HINT}"
        return info
    try:
        proc = subprocess.run([str(exe), "-I", "-c", _VERSION_SCRIPT], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except (subprocess.TimeoutExpired, OSError) as exc:
        info["reason"] = f"Could not run {exe} ({exc}). {INSTALL_HINT}"
        return info
    answer = None
    for line in reversed(proc.stdout.splitlines()):
        try:
            answer = json.loads(line)
            break
        except ValueError:
            continue
    if proc.returncode != 0 or not isinstance(answer, dict):
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        info["reason"] = f"{exe} failed to run ({err}). {INSTALL_HINT}"
        return info
    info["packages"] = answer.get("found") or {}
    if DISTRIBUTION not in info["packages"]:
        info["reason"] = f"llmcompressor is not installed in the environment of {exe} (from {where}). {INSTALL_HINT}"
        return info
    info.update(found=True, version=info["packages"][DISTRIBUTION])
    return info


__all__ = ["ENV_QUANTIZE_PYTHON", "QUANTIZE_ENV_DIR", "INSTALL_HINT", "locate", "runtime_info"]
