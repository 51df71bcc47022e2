"""Running real engines in tests: a child process per engine, its stdout decoded as events."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.core import protocol

REPO = Path(__file__).resolve().parents[2]


def engine_env_for(home: Path, **extra: str) -> dict[str, str]:
    """A child engine's environment: the repo importable, unbuffered, state under ``home``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env["AI_PLATFORM_HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home.parent / (home.name + "-xdg-config"))
    env.update(extra)
    return env


@dataclass
class EngineRun:
    """One finished engine process and its decoded stdout events."""

    args: list[str]
    returncode: int
    events: list[protocol.Event]
    stderr: str
    seconds: float
    home: Path | None = None
    out_dir: Path | None = None
    bad_lines: list[str] = field(default_factory=list)

    def of(self, kind: type[protocol.Event]) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def result(self) -> dict:
        results = self.of(protocol.Result)
        assert len(results) == 1, f"expected one result event, got {len(results)}\n{self.stderr[-3000:]}"
        return results[0].data


def run_engine(args: list[str], env: dict[str, str], timeout: float = 600, code: str | None = None) -> EngineRun:
    """Run ``python -m <args>`` (or ``python -c code <args>``) and decode every stdout line."""
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", *args]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    seconds = time.monotonic() - t0
    events, bad = [], []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            events.append(protocol.decode(line))
        except protocol.ProtocolError:
            bad.append(line)
    return EngineRun(args=args, returncode=proc.returncode, events=events, stderr=proc.stderr,
                     seconds=seconds, bad_lines=bad)
