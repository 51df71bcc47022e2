"""Safe start: a marker written around model loading tells the next start that the last one died.

The "last session" is a real child process: it marks a load and is killed (SIGKILL) or exits
without clearing, exactly as a crashed app would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from app.core import safe_start

MARK_AND_DIE = """
import os, signal, sys
from app.core import safe_start
safe_start.mark_loading(sys.argv[1])
print("marked", flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[2] == "wait":
    sys.stdin.readline()
if sys.argv[2] == "clear":
    safe_start.clear_loading()
"""

ASK = """
import json
from app.core import safe_start
print(json.dumps(safe_start.crashed_while_loading()))
"""


def _child(engine_env, *args: str, code: str = MARK_AND_DIE, **kw):
    return subprocess.run([sys.executable, "-c", code, *args], env=engine_env, capture_output=True,
                          text=True, timeout=120, check=False, **kw)


def _next_session_answer(engine_env) -> str | None:
    """What a fresh start (a new process) is told."""
    out = _child(engine_env, code=ASK)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_clean_data_folder_reports_nothing():
    assert safe_start.crashed_while_loading() is None


def test_a_session_killed_while_loading_is_reported_once_acknowledged(engine_env, ai_home):
    died = _child(engine_env, "Qwen2.5-7B-Instruct + adapter run-3", "kill")
    assert died.returncode == -signal.SIGKILL and "marked" in died.stdout
    assert safe_start.marker_file().is_file()
    assert safe_start.crashed_while_loading() == "Qwen2.5-7B-Instruct + adapter run-3"
    safe_start.acknowledge()
    assert not safe_start.marker_file().exists()
    # This session keeps its answer (the engine manager may ask after the notice was closed) …
    assert safe_start.crashed_while_loading() == "Qwen2.5-7B-Instruct + adapter run-3"
    # … and the next start is told nothing.
    assert _next_session_answer(engine_env) is None


def test_a_load_that_ended_is_not_a_crash(engine_env):
    done = _child(engine_env, "SmolLM2-135M-Instruct", "clear")
    assert done.returncode == 0, done.stderr
    assert not safe_start.marker_file().exists()
    assert safe_start.crashed_while_loading() is None


def test_exiting_without_clearing_counts_as_a_crash(engine_env):
    out = _child(engine_env, "中文模型", "exit")
    assert out.returncode == 0
    assert _next_session_answer(engine_env) == "中文模型"


def test_a_load_still_running_in_a_live_process_is_not_a_crash(engine_env):
    proc = subprocess.Popen([sys.executable, "-c", MARK_AND_DIE, "big model", "wait"], env=engine_env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "marked"
        assert _next_session_answer(engine_env) is None
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
    # Its process is gone now and the marker is still there: that is a crash.
    assert _next_session_answer(engine_env) == "big model"


def test_this_sessions_own_load_is_not_a_crash_and_does_not_hide_the_last_one(engine_env):
    _child(engine_env, "old model", "kill")
    safe_start.mark_loading("new model")  # the manager loads something else before anyone asked
    assert safe_start.crashed_while_loading() == "old model"
    data = json.loads(safe_start.marker_file().read_text(encoding="utf-8"))
    assert data["label"] == "new model" and data["pid"] == os.getpid()
    safe_start.acknowledge()  # must not remove the marker of a load that is still going on
    assert safe_start.marker_file().exists()
    safe_start.clear_loading()
    assert not safe_start.marker_file().exists()


def test_a_marker_written_by_a_reused_pid_is_still_a_crash(engine_env, ai_home):
    # After a reboot the PID may belong to another process: its start time gives it away.
    safe_start.marker_file().write_text(json.dumps(
        {"label": "model A", "pid": 1, "process_started": 12.0, "at": 13.0}), encoding="utf-8")
    assert _next_session_answer(engine_env) == "model A"


@pytest.mark.parametrize("content", ["{not json", "[]", ""])
def test_an_unreadable_marker_still_warns(engine_env, content):
    safe_start.marker_file().write_text(content, encoding="utf-8")
    assert _next_session_answer(engine_env) == "the model"


def test_the_marker_is_written_atomically(ai_home):
    safe_start.mark_loading("m")
    assert [p.name for p in ai_home.iterdir() if p.name.startswith(".")] == []  # no temp file left
    safe_start.clear_loading()
