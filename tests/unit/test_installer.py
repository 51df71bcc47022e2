"""The installer's desktop integration and the uninstaller, into a temp prefix.

The full install (both environments) is exercised by scripts/test.sh itself, which builds the
environment these tests run in with installer/install.sh.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def prefix_env(tmp_path):
    prefix = tmp_path / "prefix"
    prefix.mkdir()
    # The app environment this test runs in stands in for <prefix>/app-env (a link, not a copy).
    (prefix / "app-env").symlink_to(Path(sys.prefix))
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "share"), XDG_BIN_HOME=str(tmp_path / "bin"),
               HOME=str(tmp_path / "user"))
    return prefix, env, tmp_path


def test_help_and_bad_option():
    out = subprocess.run([str(REPO / "installer/install.sh"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--prefix" in out.stdout
    out = subprocess.run([str(REPO / "installer/install.sh"), "--bogus"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown option '--bogus'" in out.stderr


def test_desktop_entry_launcher_and_uninstall(prefix_env):
    prefix, env, tmp = prefix_env
    if not (Path(sys.prefix) / "bin" / "ai-platform").exists():
        pytest.skip("this environment was not made by the installer (no ai-platform entry point)")
    out = subprocess.run([str(REPO / "installer/install.sh"), "--prefix", str(prefix), "--desktop-only"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    desktop = tmp / "share/applications/ai-platform.desktop"
    icon = tmp / "share/icons/hicolor/scalable/apps/ai-platform.svg"
    launcher = tmp / "bin/ai-platform"
    assert desktop.exists() and icon.exists() and launcher.exists()
    text = desktop.read_text(encoding="utf-8")
    assert f"Exec={launcher}" in text and "Icon=ai-platform" in text and "Name[zh_CN]=AI 平台" in text
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    ran = subprocess.run([str(launcher), "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.startswith("ai-platform ")

    data = tmp / "user-data"
    data.mkdir()
    (data / "keep.txt").write_text("mine")
    out = subprocess.run([str(REPO / "installer/uninstall.sh"), "--prefix", str(prefix)],
                         env=dict(env, AI_PLATFORM_HOME=str(data)), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert not desktop.exists() and not icon.exists() and not launcher.exists()
    assert not prefix.exists()
    assert Path(sys.prefix).exists()  # only the link went, not the environment it pointed to
    assert (data / "keep.txt").read_text() == "mine"
    assert "data was kept" in out.stdout
