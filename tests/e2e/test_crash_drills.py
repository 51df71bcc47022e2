"""Crash drills: the window is SIGKILLed while it trains and while it indexes, then started again.

Training runs are detached: a killed window leaves its run going, and the next start follows it
again with nothing lost in between; when the engine dies too, the run comes back interrupted and
resumable from its last checkpoint. Indexing belongs to the window: its engine stops when the
window dies, and adding the same folder again finishes the job with no duplicate passages.
Each drill ends with ``PRAGMA integrity_check`` on the database the killed window was writing.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import protocol, run_folder
from tests.gui.test_datasets_panel import drop
from tests.helpers.serve import pid_gone

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # llama-index imports (knowledge drill)
]

DB_FILE = "ai-platform.sqlite3"

TRAIN_GUI = r"""
import sys
from PySide6.QtWidgets import QApplication
from app.core import settings as settings_mod
settings_mod.save(settings_mod.Settings(language="en", first_run_done=True, evaluate_after_training=False))
from app.core.datasets import DatasetStore
from app.views.app import create_main_window
app = QApplication(sys.argv)
w = create_main_window(app)
w.show()
DatasetStore(w.ctx.db).import_file(sys.argv[1], name="Aurora", val_ratio=0.1)
w.show_panel("training")
p = w.panel("training")
p.form.reload_choices()
p.form.dataset.setCurrentIndex(1 if p.form.dataset.itemData(0) is None else 0)
p.form.max_len = None
p.form.max_seq_len.setValue(128)
p.form.max_steps.setValue(int(sys.argv[2]))  # <= 200: a loss every step
p.form.save_steps.setValue(3)
p.form.name.setText("drill")
p.form.launch_btn.click()
info = p.manager.store.get(p.detail.run_id)
print("RUN", info.id, info.run_dir, flush=True)
app.exec()
"""

KB_GUI = r"""
import sys
from PySide6.QtWidgets import QApplication
from app.core import settings as settings_mod
settings_mod.save(settings_mod.Settings(language="en", first_run_done=True, evaluate_after_training=False))
from app.views.app import create_main_window
app = QApplication(sys.argv)
w = create_main_window(app)
w.show()
w.show_panel("knowledge")
p = w.panel("knowledge")
p._create("Drill")
# As a drop does, slowed down so the kill lands mid-way (one file per batch, a pause per file).
assert p.add_paths([sys.argv[1]], extra_args=["--batch-files", "1", "--throttle-s", "0.25"])
from app.core import protocol
kb_id = p.kb_id()
p.jobs.event.connect(lambda kb, ev: print("ENGINE", ev.pid, kb_id, flush=True) if isinstance(ev, protocol.Started) else None)
app.exec()
"""


def _gui(script: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)


def _sigkill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()


def _query(db_path: Path, sql: str, *params) -> list[tuple]:
    """Read the database the GUI process writes, without taking part in its transactions."""
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return []


def _wait(predicate, timeout: float, what: str, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def _file_events(run_dir: Path) -> list:
    tail = run_folder.EventTail(Path(run_dir) / run_folder.EVENTS_FILE)
    return list(tail.read_new())


def _loss_steps(run_dir: Path) -> list[int]:
    return [e.step for e in _file_events(run_dir) if isinstance(e, protocol.Metric) and "loss" in (e.values or {})]


def _kill_engine(run_dir: Path) -> None:
    info = run_folder.read_engine_info(run_dir)
    if info is not None and run_folder.engine_alive(info):
        os.kill(info.pid, signal.SIGKILL)


def _start_window(qtbot):
    """The next start of the app, in this process."""
    from PySide6.QtWidgets import QApplication

    from app.core import settings as settings_mod
    from app.views.app import create_main_window

    settings_mod.save(settings_mod.Settings(language="en", first_run_done=True, evaluate_after_training=False))
    window = create_main_window(QApplication.instance())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.ctx.is_painted, timeout=10_000)
    return window


def _close_window(window) -> None:
    window.ctx.shutdown()
    window.ctx.db.close()


def _launch_training(dataset: Path, max_steps: int = 200) -> tuple[subprocess.Popen, str, Path]:
    proc = _gui(TRAIN_GUI, str(dataset), str(max_steps))
    line = proc.stdout.readline()
    assert line.startswith("RUN"), f"the window did not launch a run: {line!r}"
    _, run_id, run_dir = line.split(maxsplit=2)
    return proc, run_id, Path(run_dir.strip())


def _metrics_in_db(db_path: Path, run_id: str) -> list[int]:
    rows = _query(db_path, "SELECT step FROM run_metrics WHERE run_id=? AND name='loss' ORDER BY step", run_id)
    return [r[0] for r in rows]


# --- training --------------------------------------------------------------------------------

def test_sigkill_while_training_reattaches_the_run(home_with_model, sample_dataset_file, qtbot):
    db_path = home_with_model / DB_FILE
    proc, run_id, run_dir = _launch_training(sample_dataset_file)
    window = None
    try:
        # The window has charted (and stored) a few losses: kill it mid-run.
        _wait(lambda: len(_metrics_in_db(db_path, run_id)) >= 2, 240, "losses in the database")
        _sigkill(proc)
        assert run_folder.run_state(run_dir) == "running", "the run died with its window"
        seen_before = len(_loss_steps(run_dir))
        # Steps trained while no window was open must reach the database on the next start.
        _wait(lambda: len(_loss_steps(run_dir)) > seen_before or run_folder.run_state(run_dir) != "running",
              120, "a step trained while the window was gone")

        window = _start_window(qtbot)
        assert window.ctx.db.integrity_ok()
        manager = window.ctx.runs
        window.show_panel("training")
        panel = window.panel("training")
        panel.select_run(run_id)
        assert panel.detail.run_id == run_id
        if run_folder.run_state(run_dir) == "running":
            assert manager.is_running(run_id)
            assert manager.store.get(run_id).status == "running"
            assert panel.table.item(0, 1).text() == "Running"
            assert panel.detail.stop_btn.isEnabled() and not panel.detail.resume_btn.isEnabled()
            # Metrics keep arriving, and the ones from the outage are filled in.
            on_disk = _loss_steps(run_dir)
            qtbot.waitUntil(lambda: len(manager.store.metric(run_id, "loss")[0]) > len(on_disk), timeout=120_000)
            panel.detail.stop_btn.click()
            with qtbot.waitSignal(manager.run_finished, timeout=180_000,
                                  check_params_cb=lambda rid, outcome: rid == run_id) as blocker:
                pass
            assert blocker.args[1].status == "stopped"
            expected = "stopped"
        else:  # a fast machine finished the run while the window was gone
            expected = "completed"
        info = manager.store.get(run_id)
        assert info.status == expected
        steps = manager.store.metric(run_id, "loss")[0]
        # Every step's loss, including those trained while no window was open, once each.
        assert steps == sorted(set(_loss_steps(run_dir))) == list(range(1, len(steps) + 1))
        assert panel.detail.charts["loss"].point_count("loss") == len(steps)
        assert Path(info.adapter_path, "adapter_config.json").exists()
        assert window.ctx.db.integrity_ok()
    finally:
        if proc.poll() is None:
            _sigkill(proc)
        _kill_engine(run_dir)
        if window is not None:
            _close_window(window)


def test_run_that_finished_while_the_window_was_dead_shows_completed(home_with_model, sample_dataset_file, qtbot):
    db_path = home_with_model / DB_FILE
    proc, run_id, run_dir = _launch_training(sample_dataset_file, max_steps=6)
    window = None
    try:
        _wait(lambda: _metrics_in_db(db_path, run_id), 240, "a loss in the database")
        _sigkill(proc)
        _wait(lambda: run_folder.run_state(run_dir) == "finished", 180, "the run to finish on its own")
        assert _query(db_path, "SELECT status FROM runs WHERE id=?", run_id) == [("running",)]

        window = _start_window(qtbot)
        assert window.ctx.db.integrity_ok()
        manager = window.ctx.runs
        assert not manager.is_running(run_id)
        info = manager.store.get(run_id)
        assert info.status == "completed" and info.last_step == 6
        assert manager.store.metric(run_id, "loss")[0] == [1, 2, 3, 4, 5, 6]
        assert Path(info.adapter_path, "adapter_config.json").exists()
        window.show_panel("training")
        panel = window.panel("training")
        assert panel.table.item(0, 1).text() == "Completed"
        panel.select_run(run_id)
        assert panel.detail.charts["loss"].point_count("loss") == 6
        assert panel.detail.chat_btn.isEnabled() and not panel.detail.resume_btn.isEnabled()
    finally:
        if proc.poll() is None:
            _sigkill(proc)
        _kill_engine(run_dir)
        if window is not None:
            _close_window(window)


def test_sigkill_window_and_engine_leaves_a_resumable_run(home_with_model, sample_dataset_file, qtbot,
                                                          monkeypatch):
    db_path = home_with_model / DB_FILE
    proc, run_id, run_dir = _launch_training(sample_dataset_file)
    window = None
    try:
        _wait(lambda: any(isinstance(e, protocol.Checkpoint) for e in _file_events(run_dir)), 240,
              "a checkpoint")
        _wait(lambda: _metrics_in_db(db_path, run_id), 30, "losses in the database")
        engine_pid = run_folder.read_engine_info(run_dir).pid
        # A power cut: the window and the engine die together, the database still says running.
        _sigkill(proc)
        os.kill(engine_pid, signal.SIGKILL)
        _wait(lambda: pid_gone(engine_pid), 30, "the engine to die")
        assert _query(db_path, "SELECT status FROM runs WHERE id=?", run_id) == [("running",)]
        trained = _loss_steps(run_dir)

        window = _start_window(qtbot)
        assert window.ctx.db.integrity_ok()
        manager = window.ctx.runs
        assert not manager.is_running(run_id)
        info = manager.store.get(run_id)
        assert info.status == "interrupted"
        assert manager.store.metric(run_id, "loss")[0] == trained  # nothing trained was lost
        window.show_panel("training")
        panel = window.panel("training")
        assert panel.table.item(0, 1).text() == "Interrupted"
        panel.select_run(run_id)
        from app.core.runs import complete_checkpoints

        last_ckpt = complete_checkpoints(run_dir)[-1][0]
        assert panel.detail.resume_btn.isEnabled() and not panel.detail.stop_btn.isEnabled()

        # Resume from the latest checkpoint, as the button's dialog offers first.
        from PySide6.QtWidgets import QInputDialog

        offered = []

        def pick_first(parent, title, label, items, *a, **k):
            offered.extend(items)
            return items[0], True

        monkeypatch.setattr(QInputDialog, "getItem", pick_first)
        resumed = []
        manager.run_event.connect(lambda rid, ev: resumed.append(ev) if isinstance(ev, protocol.Metric) else None)
        panel.detail.resume_btn.click()
        assert offered[0] == f"Latest (step {last_ckpt})"
        assert manager.is_running(run_id)
        qtbot.waitUntil(lambda: any("loss" in (e.values or {}) for e in resumed), timeout=180_000)
        first = next(e for e in resumed if "loss" in (e.values or {}))
        assert first.step == last_ckpt + 1
        manager.stop(run_id)
        with qtbot.waitSignal(manager.run_finished, timeout=180_000,
                              check_params_cb=lambda rid, outcome: rid == run_id) as blocker:
            pass
        assert blocker.args[1].status == "stopped"
        assert manager.store.get(run_id).status == "stopped"
        assert window.ctx.db.integrity_ok()
    finally:
        if proc.poll() is None:
            _sigkill(proc)
        _kill_engine(run_dir)
        if window is not None:
            _close_window(window)


# --- indexing --------------------------------------------------------------------------------

def _corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"note{i:03d}.md").write_text(
            f"# Note {i}\n\n" + f"Harbour log {i}: the lighthouse of Vell keeps lamp number {i} lit. " * 6,
            encoding="utf-8")


def _doc_statuses(db_path: Path, kb_id: int) -> list[str]:
    return [r[0] for r in _query(db_path, "SELECT status FROM documents WHERE kb_id=?", kb_id)]


def test_sigkill_while_indexing_then_add_again_has_no_duplicates(ai_home, tmp_path, qtbot):
    n_files = 60
    folder = tmp_path / "notes"
    _corpus(folder, n_files)
    db_path = ai_home / DB_FILE
    proc = _gui(KB_GUI, str(folder))
    engine_pid = None
    window = None
    try:
        line = proc.stdout.readline()
        assert line.startswith("ENGINE"), f"the window did not start indexing: {line!r}"
        _, pid, kb = line.split()
        engine_pid, kb_id = int(pid), int(kb)
        # Some documents are saved, most are not: kill the window mid-way.
        _wait(lambda: _doc_statuses(db_path, kb_id).count("indexed") >= 2, 180, "the first indexed documents")
        _sigkill(proc)
        statuses = _doc_statuses(db_path, kb_id)
        assert statuses.count("indexed") < n_files, "the kill landed after the end"

        # The engine was the window's: it notices, stops at a file boundary and exits.
        _wait(lambda: pid_gone(engine_pid), 60, "the indexing engine to stop with its window")
        left = _doc_statuses(db_path, kb_id)
        assert 0 < left.count("indexed") < n_files
        assert set(left) <= {"indexed", "queued", "indexing"}

        window = _start_window(qtbot)
        assert window.ctx.db.integrity_ok()
        window.show_panel("knowledge")
        panel = window.panel("knowledge")
        assert panel.kb_id() == kb_id
        shown = [panel.docs.item(r, 1).text() for r in range(panel.docs.rowCount())]
        assert "Indexed" in shown and ("Queued" in shown or "Indexing" in shown)

        def add(paths) -> None:
            with qtbot.waitSignal(panel.indexing_finished, timeout=300_000) as blocker:
                assert panel.add_paths(paths)
            assert blocker.args[0].ok, blocker.args[0].last_error

        # The user drops the same folder again.
        with qtbot.waitSignal(panel.indexing_finished, timeout=300_000) as blocker:
            drop(panel, [folder])
            assert panel.busy()
        assert blocker.args[0].ok, blocker.args[0].last_error
        panel._create("Clean")  # and, for comparison, a clean index of it
        clean_id = panel.kb_id()
        add([str(folder)])

        store = panel.store
        resumed, clean = store.get(kb_id), store.get(clean_id)
        docs = store.documents(kb_id)
        assert len(docs) == n_files and {d.status for d in docs} <= {"indexed", "unchanged"}
        assert resumed.n_documents == clean.n_documents == n_files
        assert resumed.n_chunks == clean.n_chunks >= n_files
        assert sum(d.n_chunks for d in docs) == clean.n_chunks
        manifest = json.loads((ai_home / "kb" / str(kb_id) / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["n_chunks"] == clean.n_chunks  # the vectors on disk: no passage twice
        assert window.ctx.db.integrity_ok()
    finally:
        if proc.poll() is None:
            _sigkill(proc)
        if engine_pid is not None and not pid_gone(engine_pid):
            os.kill(engine_pid, signal.SIGKILL)
        if window is not None:
            _close_window(window)
