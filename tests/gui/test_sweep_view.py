"""Sweeps in the window: the launch form's dialog builds the SPACE of `ai-platform sweep` from a
person's choices (the planner caps batch and sequence length), a sweep started there runs as its own
process that a new window finds again and can stop, and the sweep view shows a real finished
two-trial sweep (bundled SmolLM2, 2-step trials) as Optuna itself reported it: trials, the three
plots' points, and "Train with the best settings" starting a run with the best trial's settings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import paths, sweeps
from app.core.datasets import DatasetStore
from tests.engines.test_sweep import fact_and_val, tiny_base
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow,
              pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

NAME = "zorbania"


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory, converted_model_dir):
    """One real sweep of two 2-step trials, run by the command line; its home and Optuna's own JSON."""
    root = tmp_path_factory.mktemp("sweep")
    home = root / "home"
    data, val = fact_and_val(root)
    space = root / "space.json"
    space.write_text(json.dumps({
        "name": NAME,
        "base": {k: v for k, v in tiny_base(converted_model_dir, data, val).items() if k != "lora_r"},
        "params": {"learning_rate": {"low": 1e-4, "high": 3e-3, "log": True}, "lora_r": {"choices": [2, 4]}}}),
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "app.cli", "sweep", str(space), "--trials", "2", "--json", "--seed", "26"],
                          env=engine_env_for(home), cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(proc.stderr)
    # Seed 26 draws a 5x larger learning rate second: the median pruner lets both trials finish.
    assert [t["state"] for t in out["trials"]] == ["complete", "complete"], proc.stderr[-2000:]
    return home, out


@pytest.fixture
def sweep_home(ai_home, finished_sweep):
    home, out = finished_sweep
    for folder in ("sweeps", "runs"):
        shutil.copytree(home / folder, ai_home / folder)
    return out


@pytest.fixture
def form_with_dataset(home_with_model, main_window, sample_dataset_file):
    DatasetStore(main_window.ctx.db).import_file(sample_dataset_file, name="Aurora", val_ratio=0.2)
    main_window.show_panel("training")
    panel = main_window.panel("training")
    panel.form.reload_choices()
    panel.form.dataset.setCurrentIndex(panel.form.dataset.findData(DatasetStore(main_window.ctx.db).list()[0].id))
    return panel


@pytest.fixture
def no_sweep_left(ai_home):
    """A sweep a failed test started does not outlive it."""
    yield
    import signal

    from app.core import processes

    for name in sweeps.list_sweeps():
        process = sweeps.read_study(name).process
        if sweeps.process_alive(process):
            processes.signal_group(process["pid"], signal.SIGKILL)


def test_dialog_builds_the_space_from_choices(form_with_dataset, tmp_path):
    form = form_with_dataset.form
    form.learning_rate.setValue(2e-4)
    form.lora_r.setValue(8)
    dialog = form.open_sweep()
    assert dialog.vary["learning_rate"].isChecked() and dialog.vary["lora_r"].isChecked()  # the usual pair
    assert dialog.low["learning_rate"].isEnabled() and not dialog.low["epochs"].isEnabled()  # only what varies
    steps = form.max_steps.value()
    form.max_steps.setValue(30)
    dialog.vary["epochs"].setChecked(True)
    assert dialog.low["epochs"].isEnabled() and "Max steps is set (30)" in dialog.limits.text()
    dialog.vary["epochs"].setChecked(False)
    form.max_steps.setValue(steps)
    assert dialog.low["learning_rate"].value() < 2e-4 < dialog.high["learning_rate"].value()
    dialog.vary["lora_dropout"].setChecked(True)
    dialog.low["lora_dropout"].setValue(0.0)
    dialog.high["lora_dropout"].setValue(0.2)
    dialog.vary["batch_size"].setChecked(True)
    dialog.low["batch_size"].setValue(1)
    dialog.high["batch_size"].setValue(4)
    dialog.low["lora_r"].setValue(4)
    dialog.high["lora_r"].setValue(16)
    dialog.trials.setValue(5)
    dialog.name.setText("aurora lr")
    space = dialog.space()
    ds = DatasetStore(form.ctx.db).list()[0]
    assert space["name"] == "aurora-lr"
    assert dialog.low["learning_rate"].value() == pytest.approx(2e-4 / 3, rel=0.01)  # shown to 6 decimals
    assert space["params"] == {"learning_rate": {"low": dialog.low["learning_rate"].value(), "high": pytest.approx(6e-4),
                                                 "log": True},
                               "lora_r": {"low": 4, "high": 16},
                               "lora_dropout": {"low": 0.0, "high": pytest.approx(0.2)},
                               "batch_size": {"low": 1, "high": 4}}
    assert space["base"]["dataset_path"] == str(ds.train_path) and space["base"]["val_path"] == str(ds.val_path)
    assert space["objective"] == "eval_loss"
    dialog.objective.setCurrentIndex(dialog.objective.findData("rouge_l"))
    assert "higher is better" in dialog.objective.currentText() and dialog.space()["objective"] == "rouge_l"
    assert dialog.objective.count() == len(sweeps.OBJECTIVES)
    dialog.objective.setCurrentIndex(0)
    # What the dialog builds is what the command line reads.
    path = tmp_path / "space.json"
    path.write_text(json.dumps(space), encoding="utf-8")
    assert sweeps.read_space(path)["params"] == space["params"]

    # The planner caps batch and sequence length: a small card leaves a smaller top.
    form.card_gb.setValue(80)
    dialog._update_limits()
    roomy = dialog.fits["batch_size"]
    form.card_gb.setValue(1)
    dialog._update_limits()
    assert dialog.fits["batch_size"] is None or dialog.fits["batch_size"] < roomy
    assert "Nothing fits" in dialog.limits.text() or dialog.high["batch_size"].maximum() == dialog.fits["batch_size"]
    form.card_gb.setValue(24)
    dialog._update_limits()
    assert "the ranges stop there" in dialog.limits.text()

    # A range the wrong way round is named before anything starts.
    dialog.low["lora_dropout"].setValue(0.3)
    dialog.high["lora_dropout"].setValue(0.1)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "LoRA dropout" in dialog.error.text() and "swap the two" in dialog.error.text()
    dialog.reject()


def _wait(qtbot, condition, timeout=300_000):
    qtbot.waitUntil(condition, timeout=timeout)


def test_sweep_from_the_form_is_a_process_a_new_window_finds_and_stops(no_sweep_left, form_with_dataset, qtbot):
    from app.views.sweeps import SweepView
    from app.workers.sweep_jobs import SweepManager

    panel = form_with_dataset
    form = panel.form
    form.max_seq_len.setValue(64)
    form.max_steps.setValue(50)
    form.save_steps.setValue(1)
    dialog = form.open_sweep()
    dialog.vary["lora_r"].setChecked(False)
    dialog.trials.setValue(3)
    dialog.name.setText("aurora")
    with qtbot.waitSignal(form.sweep_requested, timeout=5000):
        dialog.buttons.accepted.emit()
    view = panel.sweep_view
    assert panel.right_tabs.currentWidget() is view and view.choice.currentData() == "aurora"
    _wait(qtbot, lambda: view.study is not None and view.study.running and view.table.rowCount() == 1
          and view.table.item(0, 1).text() == "running" and view.study.trials[0].run is not None)
    assert view.stop_btn.isEnabled() and "0 of 3 trials finished" in view.summary.text()
    run = view.study.trials[0].run
    assert run and (paths.runs_dir() / run / "config.json").is_file()

    # The window goes: the sweep does not. A new manager and view (a reopened window) find it running.
    panel.sweeps.shutdown()
    again = SweepView(SweepManager(panel))
    qtbot.addWidget(again)
    again.select("aurora")
    assert again.study.running and again.stop_btn.isEnabled()
    pid = again.study.process["pid"]
    _wait(qtbot, lambda: (again.refresh() or True) and run in again.progress.text())
    assert again.progress.text().startswith("Trial 0 training: Learning rate ")
    assert "trial 0: learning_rate=" in again.manager.last_line("aurora")  # the process's own line, for logs
    assert again.line_text("trial 2: evaluating rouge_l") == "Trial 2: measuring ROUGE-L"
    assert again.line_text("trial 1: pruned at step 4 (eval loss 1.8097)") == \
        "Trial 1 pruned at step 4 (held-out loss 1.8097)"

    again.stop_btn.click()
    _wait(qtbot, lambda: (again.refresh() or True) and not again.study.running)
    assert again.study.process["status"] == "stopped", again.manager.last_line("aurora")
    assert "stopped" in again.summary.text() and not again.stop_btn.isEnabled()
    assert len(again.study.trials) == 1  # no new trial started after Stop
    for _ in range(100):  # the process (and its engine, same group) is gone, not a zombie of ours
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        panel.sweeps.poll()
        time.sleep(0.1)
    else:
        pytest.fail(f"the sweep process {pid} is still there after Stop")
    assert again.table.item(0, 1).text() == "stopped"  # the Stop, not a failure

    # Resume: the same study goes on (the stopped trial is not repeated, a new one starts).
    view.refresh()
    assert view.resume_btn.isEnabled() and not view.stop_btn.isEnabled()
    assert view.resume_btn.isVisible() and not view.stop_btn.isVisible()  # one place: Resume now
    view.resume_btn.click()
    _wait(qtbot, lambda: (view.refresh() or True) and view.study.running and len(view.study.trials) == 2)
    assert view.choice.currentData() == "aurora" and view.study.trials[0].state == "stopped"
    assert not view.resume_btn.isEnabled() and view.stop_btn.isVisible()
    view.stop_btn.click()
    _wait(qtbot, lambda: (view.refresh() or True) and not view.study.running)


def test_view_shows_a_finished_sweep_and_trains_the_best(sweep_home, main_window, qtbot):
    out = sweep_home
    w = main_window
    w.ctx.navigate("training", sweep=NAME)
    panel = w.panel("training")
    view = panel.sweep_view
    assert panel.right_tabs.currentWidget() is view and view.choice.currentData() == NAME
    trials = {t["number"]: t for t in out["trials"]}
    assert view.table.rowCount() == len(trials) == 2
    complete = [t for t in out["trials"] if t["state"] == "complete"]
    for row in range(view.table.rowCount()):
        t = trials[int(view.table.item(row, 0).text())]
        assert view.table.item(row, 1).text() == {"complete": "complete", "pruned": "pruned"}[t["state"]]
        assert view.table.item(row, 4).text() == t["run"]
        assert f"LoRA rank {t['params']['lora_r']}" in view.table.item(row, 2).text()
        if t["state"] == "complete":
            assert float(view.table.item(row, 3).text()) == pytest.approx(t["value"], abs=1e-4)
    # The plots: a point per finished trial at Optuna's value, a line per trial across the settings,
    # and a bar per setting from optuna.importance (computed by the sweep process).
    assert sorted(view.objective_points) == sorted((t["number"], pytest.approx(t["value"])) for t in complete)
    assert view.parallel_lines == len(complete)
    importance = json.loads(sweeps.sidecar(NAME, "importance.json").read_text())["importance"]
    assert view.importance_bars == importance and set(importance) == {"learning_rate", "lora_r"}
    assert f"best: trial {out['best']['number']}" in view.summary.text()
    assert "2 of 2 trials finished · finished" in view.summary.text()
    shots = Path(os.environ.get("SWEEPGUI_SHOTS", ""))
    if os.environ.get("SWEEPGUI_SHOTS"):
        shots.mkdir(parents=True, exist_ok=True)
        w.resize(1400, 900)
        for i in range(3):
            view.plots.setCurrentIndex(i)
            qtbot.wait(200)
            w.grab().save(str(shots / f"sweep-en-{i}.png"))

    # A trial's run opens in the Runs tab.
    row = next(r for r in range(view.table.rowCount()) if view.table.item(r, 4).text() == out["best"]["run"])
    view.table.cellDoubleClicked.emit(row, 4)
    assert panel.right_tabs.currentIndex() == 0 and panel.detail.run_id == out["best"]["run"]

    # Chinese: the same view in the other language.
    w.ctx.set_language("zh_CN")
    panel.show_sweep(NAME)
    assert panel.right_tabs.tabText(1) == "超参数搜索"
    assert view.best_btn.text() != "Train with the best settings"
    if os.environ.get("SWEEPGUI_SHOTS"):
        for i in range(3):
            view.plots.setCurrentIndex(i)
            qtbot.wait(200)
            w.grab().save(str(shots / f"sweep-zh-{i}.png"))
    w.ctx.set_language("en")

    # Train with the best settings: the form holds them and a normal run starts with them.
    best = out["best"]
    view.best_btn.click()
    form = panel.form
    assert form.learning_rate.value() == pytest.approx(best["params"]["learning_rate"], rel=1e-3)
    assert form.lora_r.value() == best["params"]["lora_r"]
    assert form.name.text() == f"{NAME}-best"
    run_id = panel.detail.run_id
    assert run_id and panel.right_tabs.currentIndex() == 0
    config = json.loads((paths.runs_dir() / run_id / "config.json").read_text())
    assert config["learning_rate"] == pytest.approx(best["params"]["learning_rate"])
    assert config["lora_r"] == best["params"]["lora_r"] and config["max_steps"] == 2
    proc = panel.manager._procs[run_id]
    with qtbot.waitSignal(panel.manager.run_finished, timeout=300_000,
                          check_params_cb=lambda rid, _o: rid == run_id):
        pass
    proc.wait(timeout=120)  # reaped here even when the manager's own short wait ran out on a busy machine


def test_view_of_a_maximised_metric(ai_home, main_window):
    """A sweep on ROUGE-L (an Optuna study written here, maximised): the view names the metric, takes the
    highest as best, and a pruned trial shows its last held-out loss, not a ROUGE-L it never had."""
    import optuna

    sweeps.sweeps_dir().mkdir(parents=True)
    name = "rouge"
    study = optuna.create_study(study_name=name, storage=f"sqlite:///{sweeps.storage_path(name)}",
                                direction="maximize")
    for value in (0.25, 0.75):
        t = study.ask({"learning_rate": optuna.distributions.FloatDistribution(1e-5, 1e-2, log=True)})
        t.report(2.0 - value, 4)
        study.tell(t, value)
    pruned = study.ask({"learning_rate": optuna.distributions.FloatDistribution(1e-5, 1e-2, log=True)})
    pruned.report(3.5, 4)
    study.tell(pruned, state=optuna.trial.TrialState.PRUNED)
    sweeps.sidecar(name, "space.json").write_text(json.dumps(
        {"name": name, "objective": "rouge_l", "base": {}, "params": {"learning_rate": {"low": 1e-5, "high": 1e-2}}}))
    w = main_window
    w.ctx.navigate("training", sweep=name)
    view = w.panel("training").sweep_view
    assert view.choice.currentData() == name
    assert view.table.horizontalHeaderItem(3).text() == "ROUGE-L"
    assert "best: trial 1, ROUGE-L 0.7500" in view.summary.text()
    rows = {view.table.item(r, 0).text(): view.table.item(r, 3).text() for r in range(view.table.rowCount())}
    assert rows == {"0": "0.2500", "1": "0.7500", "2": "held-out loss 3.5000 at step 4"}
    assert sorted(view.objective_points) == [(0, 0.25), (1, 0.75)]
    assert view.objective_plot.plotItem.getAxis("left").labelText == "ROUGE-L"
    if os.environ.get("SWEEPGUI_SHOTS"):
        shots = Path(os.environ["SWEEPGUI_SHOTS"])
        shots.mkdir(parents=True, exist_ok=True)
        w.resize(1400, 900)
        for i in range(3):
            view.plots.setCurrentIndex(i)
            w.grab().save(str(shots / f"sweep-rouge-{i}.png"))
    w.ctx.set_language("zh_CN")
    assert view.table.horizontalHeaderItem(3).text() == "ROUGE-L" and "ROUGE-L" in view.summary.text()
    assert "held-out loss" not in view.table.item(2, 3).text()
    w.ctx.set_language("en")
