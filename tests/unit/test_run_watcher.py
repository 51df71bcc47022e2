"""Reattaching to runs from their folders: run_state, EventTail and RunWatcher with real detached
engines (tests/helpers/ticker_engine.py started as an earlier GUI would have left it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from app.core import protocol, run_folder
from app.core.run_folder import EventTail, run_state
from app.core import engine_runtime as runtime
from app.workers.run_watcher import Outcome, RunWatcher

from tests.conftest import REPO

WAIT_MS = 15_000


@pytest.fixture
def detached(engine_env):
    """Start the ticker in its own session, as a GUI that has since gone away would have."""
    procs: list[subprocess.Popen] = []

    def start(run_dir, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.ticker_engine", "--run-dir", str(run_dir), *args],
            cwd=REPO, env=engine_env, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_for_engine_json(qtbot, run_dir):
    qtbot.waitUntil(lambda: run_folder.read_engine_info(run_dir) is not None, timeout=WAIT_MS)
    return run_folder.read_engine_info(run_dir)


def watch(run_dir, **kwargs) -> RunWatcher:
    kwargs.setdefault("poll_ms", 50)
    watcher = RunWatcher(run_dir, **kwargs)
    watcher.events = []  # type: ignore[attr-defined]
    watcher.event.connect(watcher.events.append)
    return watcher


def write_events(path, *events: protocol.Event) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        for ev in events:
            fh.write(protocol.encode(ev) + "\n")


def write_engine_json(run_dir, pid: int, create_time: float | None) -> None:
    (run_dir / run_folder.ENGINE_INFO_FILE).write_text(
        json.dumps({"pid": pid, "engine": "ticker", "version": "0", "started_at": time.time(),
                    "create_time": create_time}), encoding="utf-8")


# --- the Qt-free part -------------------------------------------------------------------------

def test_file_names_match_the_runtime():
    assert run_folder.ENGINE_INFO_FILE == runtime.ENGINE_INFO_FILE
    assert run_folder.EVENTS_FILE == runtime.EVENTS_FILE


def test_event_tail_handles_partial_and_bad_lines(tmp_path, caplog):
    path = tmp_path / "events.jsonl"
    tail = EventTail(path)
    assert tail.read_new() == []  # no file yet

    first, second = protocol.Progress(step=1), protocol.Progress(step=2)
    line2 = protocol.encode(second)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(protocol.encode(first) + "\nnot json\n" + line2[:7])
    assert tail.read_new() == [first]
    assert "skipped a malformed line" in caplog.text
    assert tail.read_new() == []  # the half line waits
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line2[7:] + "\n")
    assert tail.read_new() == [second]
    assert tail.offset == path.stat().st_size

    # A new tail can skip what is there, stopping before a half-written line.
    third = protocol.encode(protocol.Progress(step=3))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(third[:5])
    late = EventTail(path)
    late.seek_end()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(third[5:] + "\n")
    assert late.read_new() == [protocol.decode(third)]

    # Replaced by a shorter file: read from the start again.
    path.write_text(protocol.encode(first) + "\n", encoding="utf-8")
    assert tail.read_new() == [first]


def test_run_state_from_files(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    assert run_state(run) == "unknown"
    me = psutil.Process(os.getpid())
    write_engine_json(run, os.getpid(), me.create_time())
    write_events(run / "events.jsonl", protocol.Started(pid=os.getpid()), protocol.Progress(step=1))
    assert run_state(run) == "running"
    write_events(run / "events.jsonl", protocol.Done(status="stopped"))
    assert run_state(run) == "finished"
    assert run_folder.last_done(run).status == "stopped"
    (run / "engine.json").unlink()
    assert run_state(run) == "finished"


def test_reused_pid_is_not_running(tmp_path):
    """engine.json names a live PID, but of another process (ours), started at another time."""
    run = tmp_path / "run"
    run.mkdir()
    write_engine_json(run, os.getpid(), psutil.Process(os.getpid()).create_time() - 1000)
    write_events(run / "events.jsonl", protocol.Started(pid=os.getpid()), protocol.Progress(step=1))
    assert run_state(run) == "interrupted"
    info = run_folder.read_engine_info(run)
    assert info.pid == os.getpid() and not run_folder.engine_alive(info)


def test_unreadable_engine_json(tmp_path, caplog):
    run = tmp_path / "run"
    run.mkdir()
    (run / "engine.json").write_text("{broken", encoding="utf-8")
    assert run_folder.read_engine_info(run) is None
    assert run_state(run) == "unknown"


# --- RunWatcher -------------------------------------------------------------------------------

def test_reattach_to_a_live_run_and_stop_it(qtbot, tmp_path, detached):
    run = tmp_path / "run"
    proc = detached(run, "--ticks", "100000", "--interval", "0.05")
    info = wait_for_engine_json(qtbot, run)
    assert info.pid == proc.pid
    assert run_state(run) == "running"

    watcher = watch(run)
    with qtbot.waitSignal(watcher.event, timeout=WAIT_MS,
                          check_params_cb=lambda ev: isinstance(ev, protocol.Progress) and ev.step >= 3):
        watcher.start()
    assert watcher.events[0].type == "started"  # replayed from the start of the file
    steps = [ev.step for ev in watcher.events if isinstance(ev, protocol.Progress)]
    assert steps == list(range(1, len(steps) + 1))

    with qtbot.waitSignal(watcher.finished, timeout=WAIT_MS) as blocker:
        assert watcher.request_stop()  # SIGTERM: the runtime stops at a tick boundary
    outcome = blocker.args[0]
    assert outcome.status == "stopped" and outcome.done_event.status == "stopped"
    assert watcher.events[-1].type == "done"
    assert not watcher.is_watching()
    assert proc.wait(timeout=10) == 0
    assert run_state(run) == "finished"


def test_replay_a_finished_run(qtbot, tmp_path, detached):
    run = tmp_path / "run"
    assert detached(run, "--ticks", "4", "--interval", "0.01").wait(timeout=30) == 0
    assert run_state(run) == "finished"

    watcher = watch(run)
    with qtbot.waitSignal(watcher.finished, timeout=WAIT_MS) as blocker:
        watcher.start()
    assert blocker.args[0] == Outcome("completed", done_event=watcher.done_event)
    assert [ev.type for ev in watcher.events] == ["started"] + ["progress", "metric"] * 4 + ["done"]

    # Without replay: nothing re-emitted, and the done already in the file still counts.
    quiet = watch(run, replay=False)
    with qtbot.waitSignal(quiet.finished, timeout=WAIT_MS) as blocker:
        quiet.start()
    assert blocker.args[0].status == "completed" and quiet.events == []


def test_engine_killed_from_outside_is_interrupted(qtbot, tmp_path, detached):
    run = tmp_path / "run"
    proc = detached(run, "--ticks", "100000", "--interval", "0.05")
    wait_for_engine_json(qtbot, run)
    watcher = watch(run)
    with qtbot.waitSignal(watcher.event, timeout=WAIT_MS,
                          check_params_cb=lambda ev: isinstance(ev, protocol.Progress)):
        watcher.start()

    with qtbot.waitSignal(watcher.finished, timeout=WAIT_MS) as blocker:
        os.kill(proc.pid, signal.SIGKILL)  # not reaped yet: a zombie must count as dead
    outcome = blocker.args[0]
    assert outcome.status == "interrupted" and outcome.done_event is None and not outcome.ok
    assert str(proc.pid) in outcome.last_error
    assert run_state(run) == "interrupted"
    proc.wait(timeout=10)
    assert run_state(run) == "interrupted"


def test_watcher_on_a_stale_engine_json(qtbot, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    write_engine_json(run, os.getpid(), psutil.Process(os.getpid()).create_time() - 1000)
    write_events(run / "events.jsonl", protocol.Started(pid=os.getpid()), protocol.Progress(step=1),
                 protocol.Error(message="disk full", hint="free some space"))
    watcher = watch(run)
    with qtbot.waitSignal(watcher.finished, timeout=WAIT_MS) as blocker:
        watcher.start()
    outcome = blocker.args[0]
    assert (outcome.status, outcome.last_error) == ("interrupted", "disk full — free some space")
    assert outcome.last_error_event.hint == "free some space"  # the event itself, for the GUI's wording
    assert [ev.type for ev in watcher.events] == ["started", "progress", "error"]
    assert not watcher.kill()  # never signals a process that is not the engine


def test_watcher_without_engine_json(qtbot, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    watcher = watch(run, startup_grace_s=0.2)
    with qtbot.waitSignal(watcher.finished, timeout=WAIT_MS) as blocker:
        watcher.start()
    assert blocker.args[0].status == "interrupted"
    assert "engine.json" in blocker.args[0].last_error


def test_close_stops_watching(qtbot, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    write_engine_json(run, os.getpid(), psutil.Process(os.getpid()).create_time())
    watcher = watch(run)
    watcher.start()
    qtbot.waitUntil(watcher.is_watching, timeout=WAIT_MS)
    watcher.close()
    write_events(run / "events.jsonl", protocol.Progress(step=1))
    qtbot.wait(200)
    assert watcher.events == [] and watcher.outcome is None


def test_a_live_engine_stays_alive_when_the_wall_clock_is_set(tmp_path):
    """engine.json's boot-relative start ticks decide: a clock step (NTP, a laptop waking) moves
    every wall-clock creation time psutil computes, and must not turn a live run 'interrupted'."""
    from app.core.run_folder import process_start_ticks

    ticks = process_start_ticks(os.getpid())
    if ticks is None:
        pytest.skip("no /proc on this system")
    run = tmp_path / "run"
    run.mkdir()
    stepped = psutil.Process(os.getpid()).create_time() + 30  # as if the clock moved 30 s since
    (run / "engine.json").write_text(json.dumps({"pid": os.getpid(), "create_time": stepped,
                                                 "start_ticks": ticks, "started_at": stepped}), encoding="utf-8")
    assert run_folder.engine_alive(run_folder.read_engine_info(run))
    (run / "engine.json").write_text(json.dumps({"pid": os.getpid(), "create_time": stepped,
                                                 "start_ticks": ticks - 500}), encoding="utf-8")
    assert not run_folder.engine_alive(run_folder.read_engine_info(run))  # a reused pid: other ticks
