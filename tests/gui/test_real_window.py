"""One smoke test in a real X window (Xvfb), not the offscreen platform."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.xvfb


def test_real_window_under_xvfb(engine_env, tmp_path):
    if not shutil.which("xvfb-run"):
        if os.environ.get("CI"):
            pytest.fail("xvfb-run is missing: .ci/run must install xvfb")
        pytest.skip("xvfb-run not installed on this machine")
    env = dict(engine_env, QT_QPA_PLATFORM="xcb")
    env.pop("DISPLAY", None)
    out = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "app", "--smoke"],
        env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["heavy_modules"] == []
