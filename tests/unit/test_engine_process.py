"""EngineProcess against a real child process (tests/helpers/ticker_engine.py); no fake QProcess."""

from __future__ import annotations

import logging
import os
import signal
import time

import psutil
import pytest

from app.core import protocol
from app.workers.engine_process import EngineProcess, Outcome, make_outcome

from tests.conftest import REPO

TICKER = "tests.helpers.ticker_engine"
WAIT_MS = 15_000  # generous for a loaded machine; success returns as soon as the signal comes


@pytest.fixture
def make_engine(qtbot, engine_env):
    made: list[EngineProcess] = []

    def make(*args: str, **kwargs) -> EngineProcess:
        kwargs.setdefault("env", engine_env)
        kwargs.setdefault("cwd", REPO)
        proc = EngineProcess(TICKER, list(args), **kwargs)
        proc.events = []  # type: ignore[attr-defined]
        proc.event.connect(proc.events.append)
        made.append(proc)
        return proc

    yield make
    for proc in made:  # never leave a child behind (nor a "destroyed while running" warning)
        if proc.is_running():
            proc.kill()
            qtbot.waitUntil(lambda: not proc.is_running(), timeout=WAIT_MS)


def run_to_end(qtbot, proc: EngineProcess) -> Outcome:
    with qtbot.waitSignal(proc.finished, timeout=WAIT_MS) as blocker:
        proc.start()
    return blocker.args[0]


def start_and_wait_for(qtbot, proc: EngineProcess, kind: type[protocol.Event]) -> None:
    with qtbot.waitSignal(proc.event, timeout=WAIT_MS, check_params_cb=lambda ev: isinstance(ev, kind)):
        proc.start()


def finish(qtbot, proc: EngineProcess, action) -> Outcome:
    with qtbot.waitSignal(proc.finished, timeout=WAIT_MS) as blocker:
        action()
    return blocker.args[0]


def assert_dead(pid: int, timeout: float = 10.0) -> None:
    """Gone, or a zombie waiting for a parent that is not us (dead all the same)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} is still alive")


def test_events_stream_in_order(qtbot, make_engine):
    proc = make_engine("--ticks", "5", "--interval", "0.01")
    pids = []
    proc.started.connect(pids.append)
    outcome = run_to_end(qtbot, proc)

    assert outcome == Outcome("completed", exit_code=0, done_event=proc.done_event)
    assert outcome.ok and outcome.last_error == ""
    types = [ev.type for ev in proc.events]
    assert types == ["started"] + ["progress", "metric"] * 5 + ["done"]
    assert [ev.step for ev in proc.events if isinstance(ev, protocol.Progress)] == [1, 2, 3, 4, 5]
    assert [ev.step for ev in proc.events if isinstance(ev, protocol.Metric)] == [1, 2, 3, 4, 5]
    assert pids == [proc.events[0].pid] == [proc.pid]
    assert proc.events[0].engine == "ticker"
    assert not proc.is_running()


def test_malformed_lines_are_skipped_and_split_lines_joined(qtbot, make_engine, caplog):
    proc = make_engine("--ticks", "3", "--interval", "0.01", "--garbage")
    with caplog.at_level(logging.WARNING, logger="app.core.protocol"):
        outcome = run_to_end(qtbot, proc)

    assert outcome.status == "completed"
    # Only valid events came through; a line written in two halves arrived whole.
    assert [ev.message for ev in proc.events if isinstance(ev, protocol.Log)] == [
        "split line 1", "split line 2", "split line 3"]
    assert proc.events[-1].type == "done"
    skipped = [r.getMessage() for r in caplog.records if r.name == "app.core.protocol"]
    assert len(skipped) == 9  # 3 kinds of garbage x 3 ticks
    assert all("skipped a malformed line" in m for m in skipped)


def test_stop_command_gives_done_stopped(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    outcome = finish(qtbot, proc, lambda: proc.stop(grace_s=10, term_grace_s=5))

    assert outcome.status == "stopped" and outcome.ok
    assert outcome.done_event is not None and outcome.done_event.status == "stopped"
    assert outcome.exit_code == 0 and outcome.signal is None
    assert "stopping on request" in [ev.message for ev in proc.events if isinstance(ev, protocol.Log)]


def test_write_command(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    with qtbot.waitSignal(proc.event, timeout=WAIT_MS,
                          check_params_cb=lambda ev: isinstance(ev, protocol.Log) and ev.message == "pong"):
        assert proc.write_command("ping")
    finish(qtbot, proc, proc.kill)
    assert not proc.write_command("stop")  # not running: nothing sent, no Qt warning


def test_engine_ignoring_stop_is_sent_sigterm(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05", "--ignore-stop")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    t0 = time.monotonic()
    outcome = finish(qtbot, proc, lambda: proc.stop(grace_s=0.5, term_grace_s=10))

    assert time.monotonic() - t0 >= 0.4  # the grace was honoured
    # The runtime takes SIGTERM as a stop request: a clean stop at a tick boundary.
    assert outcome.status == "stopped"
    assert "stopping on SIGTERM" in [ev.message for ev in proc.events if isinstance(ev, protocol.Log)]


def test_engine_ignoring_sigterm_is_killed_with_its_group(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05", "--ignore-stop", "--ignore-term",
                       "--spawn-child")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    child_pid = next(ev.extra["child_pid"] for ev in proc.events if isinstance(ev, protocol.Log))
    assert psutil.Process(child_pid).is_running()
    assert os.getpgid(proc.pid) == proc.pid  # its own session and process group
    assert os.getpgid(child_pid) == proc.pid

    outcome = finish(qtbot, proc, lambda: proc.stop(grace_s=0.3, term_grace_s=0.3))

    assert outcome.status == "killed" and outcome.signal == "SIGKILL"
    assert outcome.exit_code is None and outcome.done_event is None and not outcome.ok
    assert_dead(child_pid)  # the grandchild ignored SIGTERM too: only the group SIGKILL ended it


def test_kill_reaches_the_grandchild(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05", "--spawn-child")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    child_pid = next(ev.extra["child_pid"] for ev in proc.events if isinstance(ev, protocol.Log))
    outcome = finish(qtbot, proc, proc.kill)
    assert outcome.status == "killed" and outcome.signal == "SIGKILL"
    assert_dead(child_pid)


def test_crash_without_done(qtbot, make_engine):
    proc = make_engine("--ticks", "10", "--interval", "0.01", "--crash-at", "2")
    outcome = run_to_end(qtbot, proc)

    assert outcome.status == "crashed"
    assert outcome.exit_code == 3 and outcome.signal is None and outcome.done_event is None
    assert "crashing hard at tick 2" in outcome.last_error  # the tail of stderr
    assert proc.stderr_tail()[-1] == "ticker: crashing hard at tick 2"
    assert [ev.step for ev in proc.events if isinstance(ev, protocol.Progress)] == [1, 2]


def test_failure_reported_by_the_engine(qtbot, make_engine):
    proc = make_engine("--ticks", "10", "--interval", "0.01", "--fail-at", "2")
    outcome = run_to_end(qtbot, proc)

    assert outcome.status == "failed" and outcome.exit_code == 1
    assert outcome.last_error == "RuntimeError: ticker failed at tick 2 — See the engine log for details."
    assert outcome.done_event.status == "failed"


def test_killed_from_outside(qtbot, make_engine):
    proc = make_engine("--ticks", "100000", "--interval", "0.05")
    start_and_wait_for(qtbot, proc, protocol.Progress)
    outcome = finish(qtbot, proc, lambda: os.kill(proc.pid, signal.SIGKILL))

    assert outcome.status == "killed" and outcome.signal == "SIGKILL"
    assert outcome.exit_code is None and outcome.done_event is None


def test_run_dir_is_passed_and_written(qtbot, make_engine, tmp_path):
    run = tmp_path / "run"
    proc = make_engine("--ticks", "2", "--interval", "0.01", run_dir=run)
    assert proc.command_line()[-2:] == ["--run-dir", str(run)]
    assert run_to_end(qtbot, proc).status == "completed"
    lines = (run / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [protocol.decode(line) for line in lines] == proc.events


def test_program_that_cannot_start(qtbot, tmp_path):
    proc = EngineProcess(argv=[str(tmp_path / "no-such-program")])
    outcome = run_to_end(qtbot, proc)
    assert outcome.status == "failed" and outcome.done_event is None
    assert "could not start" in outcome.last_error
    assert not proc.is_running()


def test_plain_argv_program(qtbot, tmp_path):
    proc = EngineProcess(argv=["sh", "-c", "echo oops >&2; exit 7"])
    lines = []
    proc.stderr_line.connect(lines.append)
    outcome = run_to_end(qtbot, proc)
    assert outcome == Outcome("crashed", exit_code=7, last_error="oops")
    assert lines == ["oops"]


def test_constructor_checks():
    with pytest.raises(ValueError):
        EngineProcess()
    with pytest.raises(ValueError):
        EngineProcess("app.engines.x", argv=["python"])
    with pytest.raises(ValueError):
        Outcome("exploded")


def test_make_outcome():
    done = protocol.Done(status="completed")
    err = protocol.Error(message="OOM", hint="smaller batch")
    # done wins, even over an odd exit while tearing down
    assert make_outcome(done=done, exit_code=None, signum=11, last_error=None).status == "completed"
    assert make_outcome(done=None, exit_code=None, signum=15, last_error=err) == Outcome(
        "killed", signal="SIGTERM", last_error="OOM — smaller batch", last_error_event=err)
    assert make_outcome(done=None, exit_code=2, signum=None, last_error=None,
                        stderr_tail=[str(i) for i in range(100)]).last_error.splitlines()[0] == "85"
    assert make_outcome(done=None, exit_code=0, signum=None, last_error=None).status == "completed"
