"""run_main: one started, one done whatever the body does; its options, in real child processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

from app.core import protocol

from tests.conftest import REPO

# A child engine: ``body`` is the source of the body's lines, ``options`` run_main's keywords.
ENGINE = """
import sys, time
from app.core.engine_runtime import run_main

def body(rt):
{body}

sys.exit(run_main("demo", body, {options}))
"""


def start(engine_env, body: str, options: str = "") -> subprocess.Popen:
    code = ENGINE.format(body=textwrap.indent(textwrap.dedent(body).strip(), "    "), options=options)
    return subprocess.Popen([sys.executable, "-c", code], env=engine_env, cwd=str(REPO), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[int, list[protocol.Event], str]:
    proc.stdin.close()
    out = proc.stdout.read()  # not communicate(): it would skip what readline() already buffered
    err = proc.stderr.read()
    proc.wait(timeout=timeout)
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode, [protocol.decode(line) for line in out.splitlines() if line.strip()], err


def run(engine_env, body: str, options: str = "") -> tuple[int, list[protocol.Event], str]:
    return finish(start(engine_env, body, options))


def test_body_returns_status_and_done_fields(engine_env):
    code, events, _ = run(engine_env, 'return "stopped", {"steps": 3, "adapter": "/a"}',
                          'started={"run_dir": "/r"}, done_fields=lambda: {"adapter": None, "steps": 0, "x": 1}')
    assert code == 0
    assert isinstance(events[0], protocol.Started) and events[0].extra == {"run_dir": "/r"}
    done = events[-1]
    assert isinstance(done, protocol.Done) and done.status == "stopped"
    assert done.extra == {"adapter": "/a", "steps": 3, "x": 1}  # the body's fields win over the defaults


def test_plain_status_and_none(engine_env):
    code, events, _ = run(engine_env, 'return "failed"')
    assert code == 1 and events[-1].status == "failed" and events[-1].extra == {}
    code, events, _ = run(engine_env, "return None")
    assert code == 0 and [type(e) for e in events] == [protocol.Started, protocol.Done]
    assert events[-1].status == "completed"


def test_an_exception_is_an_error_and_a_failed_done_with_the_default_fields(engine_env):
    code, events, err = run(engine_env, 'raise RuntimeError("boom")',
                            'error_hint="See the log.", done_fields=lambda: {"steps": 0}')
    assert code == 1
    (error,) = [e for e in events if isinstance(e, protocol.Error)]
    assert error.message == "RuntimeError: boom" and error.hint == "See the log."
    assert events[-1].status == "failed" and events[-1].extra == {"steps": 0}
    assert "Traceback" in err  # the human log keeps the details


def test_protect_stdout_keeps_stray_prints_off_the_events(engine_env):
    code, events, err = run(engine_env, 'print("a stray line"); sys.stdout.flush(); return None',
                            "protect_stdout=True")
    assert code == 0 and [type(e) for e in events] == [protocol.Started, protocol.Done]
    assert "a stray line" in err


WAIT_FOR_STOP = """
rt.info("waiting")
t0 = time.monotonic()
while not rt.stop_requested and time.monotonic() - t0 < 30:
    time.sleep(0.05)
rt.info("stop seen" if rt.stop_requested else "no stop")
t0 = time.monotonic()
while time.monotonic() - t0 < 2 and {keep_going}:
    time.sleep(0.05)
return None
"""


def wait_for_log(proc: subprocess.Popen, message: str) -> None:
    for line in proc.stdout:
        event = protocol.decode_or_none(line)
        if isinstance(event, protocol.Log) and event.message == message:
            return
    raise AssertionError(f"no {message!r} log")


def test_sigint_stops_first_then_aborts(engine_env):
    proc = start(engine_env, WAIT_FOR_STOP.format(keep_going="True"),
                 'sigint_stops=True, abort_hint="Resume it."')
    wait_for_log(proc, "waiting")
    proc.send_signal(signal.SIGINT)
    wait_for_log(proc, "stop seen")  # the first Ctrl+C is a stop the body sees
    proc.send_signal(signal.SIGINT)
    code, events, _ = finish(proc)
    assert code == 1
    (error,) = [e for e in events if isinstance(e, protocol.Error)]
    assert error.message == "Interrupted twice; stopped without saving." and error.hint == "Resume it."
    assert events[-1].status == "failed"


def test_one_sigint_is_a_clean_stop(engine_env):
    proc = start(engine_env, WAIT_FOR_STOP.format(keep_going="False"), "sigint_stops=True")
    wait_for_log(proc, "waiting")
    proc.send_signal(signal.SIGINT)
    code, events, _ = finish(proc)
    assert code == 0 and events[-1].status == "stopped"
    assert not [e for e in events if isinstance(e, protocol.Error)]


def test_without_sigint_stops_ctrl_c_ends_the_body_as_stopped(engine_env):
    proc = start(engine_env, 'rt.info("waiting")\ntime.sleep(30)\nreturn "completed"')
    wait_for_log(proc, "waiting")
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code, events, _ = finish(proc)
    assert code == 0 and events[-1].status == "stopped" and time.monotonic() - t0 < 20


def test_run_folder_file_names_come_from_core(tmp_path, engine_env):
    from app.core import run_folder

    run_dir = tmp_path / "run"
    code, events, _ = run(engine_env, "return None", f"run_dir={str(run_dir)!r}")
    assert code == 0
    assert json.loads((run_dir / run_folder.ENGINE_INFO_FILE).read_text())["engine"] == "demo"
    lines = (run_dir / run_folder.EVENTS_FILE).read_text().splitlines()
    assert [protocol.decode(line).to_dict() for line in lines] == [e.to_dict() for e in events]
