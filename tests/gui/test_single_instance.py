"""Single instance: two real processes on one data folder; the second raises the first and exits 0."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QDir

from app.core import paths
from app.core import settings as settings_mod
from app.views.single_instance import LOCK_NAME, SingleInstance, server_name

# A minimal app around SingleInstance, as run_gui uses it (no window: QCoreApplication).
LAUNCH = """
import os, signal, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from app.views.single_instance import SingleInstance
app = QCoreApplication(sys.argv)
guard = SingleInstance(Path(sys.argv[1]))
if not guard.claim():
    print("second", flush=True)
    sys.exit(0 if guard.notify_running() else 3)
print("first", flush=True)
mode = sys.argv[2]
if mode == "crash":
    os.kill(os.getpid(), signal.SIGKILL)
if mode == "exit":
    sys.exit(0)
def activated():
    print("activated", flush=True)
    QTimer.singleShot(0, app.quit)
guard.activation_requested.connect(activated)
sys.exit(app.exec())
"""


def _start(env, home, mode="serve"):
    return subprocess.Popen([sys.executable, "-c", LAUNCH, str(home), mode], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _run(env, home, mode="exit"):
    return subprocess.run([sys.executable, "-c", LAUNCH, str(home), mode], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_second_launch_brings_the_first_forward_and_exits_0(engine_env, ai_home):
    first = _start(engine_env, ai_home)
    try:
        assert first.stdout.readline().strip() == "first"
        second = _run(engine_env, ai_home)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == "second"
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        assert out.strip() == "activated"
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()


def test_a_crashed_first_leaves_a_stale_lock_and_socket_that_the_next_launch_takes_over(engine_env, ai_home):
    crashed = _run(engine_env, ai_home, "crash")
    assert crashed.returncode == -signal.SIGKILL and crashed.stdout.strip() == "first"
    assert (ai_home / LOCK_NAME).exists()  # left behind by the killed process, with its socket file
    assert (Path(QDir.tempPath()) / server_name(ai_home)).exists()
    again = _run(engine_env, ai_home, "exit")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "first"


def test_other_data_folders_are_other_instances(engine_env, ai_home, tmp_path):
    other = tmp_path / "other-home"
    assert server_name(other) != server_name(ai_home)
    first = _start(engine_env, ai_home)
    try:
        assert first.stdout.readline().strip() == "first"
        assert _run(engine_env, other, "exit").stdout.strip() == "first"
    finally:
        first.kill()
        first.communicate()


def test_in_one_process_the_lock_refuses_a_second_claim(qapp, ai_home):
    one, two = SingleInstance(ai_home), SingleInstance(ai_home)
    try:
        assert one.claim() is True
        assert two.claim() is False
    finally:
        one.release()
    assert two.claim() is True
    two.release()


def test_the_real_app_twice(engine_env, ai_home):
    """``python -m app`` twice on one data folder: the second tells the first and exits 0."""
    s = settings_mod.Settings(language="en", first_run_done=True, evaluate_after_training=False)
    settings_mod.save(s)
    env = dict(engine_env, QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen([sys.executable, "-m", "app"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (ai_home / LOCK_NAME).exists():
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the first app never took the data folder"
            time.sleep(0.1)
        second = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True,
                                timeout=120, check=False)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "already running" in second.stdout
        log = paths.logs_dir(ai_home) / "app.log"
        deadline = time.monotonic() + 60
        while "bringing it to the front" not in (log.read_text(encoding="utf-8") if log.exists() else ""):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the first app did not log the activation"
            time.sleep(0.1)
        assert first.poll() is None  # the first app is still there, the only one on this folder
    finally:
        first.send_signal(signal.SIGTERM)
        try:
            first.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            first.kill()
            first.communicate()
