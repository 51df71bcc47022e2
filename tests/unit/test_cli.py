"""The `ai-platform` command line: version, smoke start (no heavy modules), doctor."""

from __future__ import annotations

import json
import subprocess
import sys

from app import __version__


def run_cli(args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_version(engine_env):
    out = run_cli(["--version"], engine_env)
    assert out.returncode == 0
    assert out.stdout.strip() == f"ai-platform {__version__}"


def test_smoke_paints_window_without_heavy_modules(engine_env, ai_home):
    env = dict(engine_env, QT_QPA_PLATFORM="offscreen")
    out = run_cli(["--smoke"], env)
    assert out.returncode == 0, out.stderr
    line = json.loads(out.stdout.strip().splitlines()[-1])
    assert line["heavy_modules"] == []
    assert 0 < line["startup_s"] < 30
    # First start created the database and settings inside the temp home only.
    assert (ai_home / "ai-platform.sqlite3").exists()
    assert (ai_home / "logs" / "app.log").exists()


def test_database_from_newer_version_is_refused_clearly(engine_env, ai_home):
    import sqlite3

    db = sqlite3.connect(ai_home / "ai-platform.sqlite3")
    db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    db.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    db.commit()
    db.close()
    env = dict(engine_env, QT_QPA_PLATFORM="offscreen")
    # The message box is modal; under offscreen it would wait forever, so a timer closes it (only
    # message boxes, and again until one shows: a loaded machine may take longer than any fixed delay).
    code = ("import sys; from PySide6.QtCore import QTimer; from PySide6.QtWidgets import QApplication, QMessageBox;"
            "app = QApplication(sys.argv); t = QTimer(); t.timeout.connect(lambda: [w.close() for w in"
            " app.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]); t.start(300);"
            "from app.views.app import run_gui; sys.exit(run_gui())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "newer version" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_subcommand_is_a_usage_error(engine_env):
    out = run_cli(["frobnicate"], engine_env)
    assert out.returncode == 2
    assert "invalid choice" in out.stderr
