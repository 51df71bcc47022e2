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
