"""Crash drill: the window is SIGKILLed while an answer streams. The text streamed so far is in the
database, the next start shows it as interrupted, and the engine the window started goes away
with it (no orphan server holding memory)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.serve import pid_gone

pytestmark = pytest.mark.slow

GUI_SCRIPT = r"""
import sys
from PySide6.QtWidgets import QApplication
from app.core import settings as settings_mod
settings_mod.save(settings_mod.Settings(language="en", first_run_done=True, evaluate_after_training=False))
from app.views.app import create_main_window
app = QApplication(sys.argv)
w = create_main_window(app)
w.show()
w.ctx.serve._engine_choice = "transformers"
w.ctx.serve.ready.connect(lambda key: print("ENGINE", w.ctx.serve.get(key).pid, flush=True))
w.show_panel("chat")
p = w.panel("chat")
p.side.temperature.setValue(0.0)
p.side.max_tokens.setValue(600)
p.send("Write a very long story about a dragon who learns to bake bread.")
app.exec()
"""


def _answer(db_path: Path) -> tuple[str, str] | None:
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute("SELECT content, status FROM chat_messages WHERE role='assistant'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row


def test_sigkill_mid_stream_keeps_the_partial_answer(home_with_model, qtbot):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-c", GUI_SCRIPT], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    db_path = home_with_model / "ai-platform.sqlite3"
    engine_pid = None
    try:
        line = proc.stdout.readline()
        assert line.startswith("ENGINE"), line
        engine_pid = int(line.split()[1])
        deadline = time.monotonic() + 240
        row = None
        while time.monotonic() < deadline:
            row = _answer(db_path)
            if row and len(row[0]) >= 40:
                break
            time.sleep(0.05)
        assert row and len(row[0]) >= 40, f"nothing streamed into the database: {row}"
        assert row[1] == "streaming"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()
    saved = _answer(db_path)[0]
    assert len(saved) >= len(row[0])  # nothing written before the kill was lost

    # the engine noticed its window died and stopped
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not pid_gone(engine_pid):
        time.sleep(0.2)
    assert pid_gone(engine_pid), "the serve engine outlived the killed window"

    # the next start: the partial answer is there, marked interrupted
    from PySide6.QtWidgets import QApplication

    from app.views.app import create_main_window

    window = create_main_window(QApplication.instance())
    qtbot.addWidget(window)
    try:
        assert window.ctx.db.integrity_ok()
        window.show_panel("chat")
        panel = window.panel("chat")
        assert panel.recovered == 1
        answer = panel.messages[-1]
        assert answer.status == "interrupted" and answer.content == saved
        assert "Interrupted: the app closed before this answer finished" in panel.transcript_text()
        assert saved[:30] in panel.transcript_text()
    finally:
        window.ctx.shutdown()
        window.ctx.db.close()
