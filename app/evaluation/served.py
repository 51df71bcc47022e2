"""A model served for the length of an evaluation: ``python -m app.engines.serve`` as a child process.

``start(model_ref, extra_args)`` starts the serve engine (``--exit-with-parent``: it stops when this
process dies), waits for its ``result`` event and returns a ``Served`` with the engine's address,
key and model name; ``close()`` asks it to stop and waits. The judge and the benchmarks use it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core import protocol


class StartFailed(Exception):
    """The engine ended or said why before it served (the message is its reason)."""


@dataclass
class Served:
    base_url: str
    api_key: str | None
    model: str
    info: dict[str, Any]
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
            proc.stdin.flush()
        except OSError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()
        except OSError:
            pass


def start(model_ref: str, extra_args: Sequence[str] = (), timeout_s: float = 600.0) -> Served:
    """The serve engine on ``model_ref`` (``default``, a registered name or a folder), ready to answer."""
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.serve", "--model", model_ref, *extra_args,
                             "--exit-with-parent"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    found: dict[str, Any] = {}
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # drain to the end, so the engine never blocks on a full pipe
            ev = protocol.decode_or_none(line)
            if isinstance(ev, protocol.Result) and "base_url" in ev.data and not ready.is_set():
                found.update(ev.data)
                ready.set()
            elif isinstance(ev, protocol.Error) and not ready.is_set():
                found["error"] = ev.message
            elif isinstance(ev, protocol.Done) and not ready.is_set():
                ready.set()
        ready.set()

    threading.Thread(target=read, name="served-model", daemon=True).start()
    ready.wait(timeout_s)
    if "base_url" not in found:
        _stop(proc)
        raise StartFailed(found.get("error") or "it did not start in time")
    return Served(found["base_url"], found.get("api_key"), found.get("model") or model_ref, dict(found), proc)
