"""Process-group signalling (app/core/processes.py), on real child processes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from app.core.processes import signal_group
from tests.unit.test_engine_process import assert_dead

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
# A parent that starts a sleeping child (same group), prints the child's pid and then sleeps too.
PARENT = [sys.executable, "-c",
          "import subprocess, sys, time\n"
          "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
          "print(child.pid, flush=True)\n"
          "if sys.argv[1] == 'stay':\n"
          "    time.sleep(60)\n"]


def _start(argv, *extra, new_session=True) -> subprocess.Popen:
    return subprocess.Popen([*argv, *extra], stdout=subprocess.PIPE, text=True, start_new_session=new_session)


def _reap(proc: subprocess.Popen) -> None:
    try:
        proc.wait(timeout=10)
    finally:
        if proc.stdout:
            proc.stdout.close()


def test_a_group_leader_is_signalled_with_its_whole_group():
    proc = _start(PARENT, "stay")
    child = int(proc.stdout.readline())
    try:
        assert os.getpgid(child) == proc.pid
        assert signal_group(proc.pid, signal.SIGKILL) is True
        _reap(proc)
        assert proc.returncode == -signal.SIGKILL
        assert_dead(child)
    finally:
        if proc.poll() is None:
            proc.kill()
            _reap(proc)


def test_the_rest_of_a_group_is_reached_after_its_leader_exited():
    """The serve engine's last SIGKILL: vLLM's server exited (and was reaped), its workers did not."""
    proc = _start(PARENT, "leave")
    child = int(proc.stdout.readline())
    _reap(proc)  # the leader is gone; its child lives on in the group
    try:
        assert psutil.Process(child).is_running()
        assert signal_group(proc.pid, signal.SIGKILL) is True
        assert_dead(child)
    finally:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_process_in_our_own_group_is_signalled_alone():
    proc = _start(SLEEPER, new_session=False)
    try:
        assert os.getpgid(proc.pid) == os.getpgrp() != proc.pid
        # Only the child gets it: signalling our group would end this test run too.
        assert signal_group(proc.pid, signal.SIGTERM) is True
        _reap(proc)
        assert proc.returncode == -signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            _reap(proc)


def test_no_such_process_is_false():
    proc = _start(SLEEPER)
    proc.kill()
    _reap(proc)
    assert signal_group(proc.pid, signal.SIGTERM) is False
    assert signal_group(0, signal.SIGTERM) is False and signal_group(-1, signal.SIGTERM) is False


def test_a_process_we_may_not_signal_is_a_warning(caplog, engine_env):
    if os.geteuid() != 0:
        with caplog.at_level(logging.WARNING, logger="app.core.processes"):
            assert signal_group(1, 0, label="probe") is False  # init belongs to root
        assert "probe: cannot signal pid 1" in caplog.text
        return
    # As root: ask from a child running as "nobody" about a sleeper of ours.
    target = _start(SLEEPER)
    try:
        code = ("import logging, sys\n"
                "logging.basicConfig(level=logging.WARNING, format='%(message)s')\n"
                "from app.core.processes import signal_group\n"
                f"print(signal_group({target.pid}, 15, label='probe'))\n")
        out = None
        # app.core.processes needs only the standard library: any Python "nobody" may run will do.
        for python in dict.fromkeys((sys.executable, sys._base_executable, "/usr/bin/python3")):
            try:
                out = subprocess.run([python, "-c", code], env=engine_env, capture_output=True, text=True,
                                     timeout=60, user=65534, group=65534, extra_groups=[], cwd="/")
            except OSError:
                continue
            if out.returncode == 0:
                break
        if out is None or out.returncode != 0:
            pytest.skip("no Python here that runs as another user and imports the app")
        assert out.stdout.strip() == "False"
        assert f"probe: cannot signal pid {target.pid}" in out.stderr
        time.sleep(0.1)
        assert target.poll() is None  # nothing was sent
    finally:
        target.kill()
        _reap(target)
