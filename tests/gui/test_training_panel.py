"""Training from the GUI through the real engine: the chart gains points, stop keeps an adapter,
closing the window does not stop a run, and a killed run comes back as interrupted → resumable."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from app.core import protocol, run_folder
from app.core.datasets import DatasetStore

pytestmark = pytest.mark.slow


@pytest.fixture
def panel(home_with_model, main_window, sample_dataset_file):
    DatasetStore(main_window.ctx.db).import_file(sample_dataset_file, name="Aurora", val_ratio=0.1)
    main_window.show_panel("training")
    p = main_window.panel("training")
    p.form.reload_choices()
    p.form.dataset.setCurrentIndex(1 if p.form.dataset.itemData(0) is None else 0)
    p.form.max_len = None
    p.form.max_seq_len.setValue(128)
    return p


def wait_finished(qtbot, manager, run_id, timeout=240_000):
    with qtbot.waitSignal(manager.run_finished, timeout=timeout,
                          check_params_cb=lambda rid, outcome: rid == run_id) as blocker:
        pass
    return blocker.args[1]


def test_launch_from_form_trains_and_charts_points(panel, qtbot, tmp_path, monkeypatch):
    panel.form.max_steps.setValue(4)
    panel.form.name.setText("gui demo")
    points = []
    panel.manager.run_event.connect(lambda rid, ev: points.append(ev) if isinstance(ev, protocol.Metric) else None)
    panel.form.launch_btn.click()
    run_id = panel.detail.run_id
    assert run_id and panel.manager.is_running(run_id)
    assert panel.detail.stop_btn.isEnabled()
    outcome = wait_finished(qtbot, panel.manager, run_id)
    assert outcome.status == "completed", outcome.last_error
    assert [e.step for e in points if "loss" in e.values] == [1, 2, 3, 4]
    assert panel.detail.charts["loss"].point_count("loss") == 4
    # The validation split is evaluated too, and lands on the same chart.
    assert panel.detail.charts["loss"].point_count("eval_loss") >= 1
    info = panel.manager.store.get(run_id)
    assert info.status == "completed" and info.last_step == 4
    assert Path(info.adapter_path, "adapter_config.json").exists()
    assert panel.manager.store.metric(run_id, "loss")[0] == [1, 2, 3, 4]
    assert panel.table.item(0, 1).text() == "Completed"
    # The form's prediction travels with the run, for comparison with the measured peak on GPU.
    assert info.config["predicted_peak_gb"] > 0

    # Export: the adapter folder as it is, and merged into a full model registered in Models.
    from PySide6.QtWidgets import QFileDialog

    from app.core.models_registry import ModelRegistry

    export_root = tmp_path / "exports"
    export_root.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(export_root))
    assert panel.detail.export_act.isEnabled() and panel.detail.merge_act.isEnabled()
    panel.detail.export_adapter()
    assert (export_root / f"{run_id}-adapter" / "adapter_model.safetensors").exists()
    with qtbot.waitSignal(panel.detail.merged, timeout=300_000) as blocker:
        panel.detail.merge(name="gui demo merged")
    assert blocker.args == ["gui demo merged"]
    models = ModelRegistry(panel.ctx.db).list()
    assert [m.name for m in models] == ["gui demo merged"] and models[0].kind == "merged"
    assert (Path(models[0].path) / "config.json").exists() and (Path(models[0].path) / ".complete").exists()
    assert models[0].params and models[0].params > 100_000_000


def test_stop_keeps_adapter_and_offers_resume(panel, qtbot):
    panel.form.max_steps.setValue(400)
    panel.form.save_steps.setValue(2)
    panel.form.launch_btn.click()
    run_id = panel.detail.run_id
    with qtbot.waitSignal(panel.manager.run_event, timeout=180_000,
                          check_params_cb=lambda rid, ev: isinstance(ev, protocol.Checkpoint)):
        pass
    panel.detail.stop_btn.click()
    outcome = wait_finished(qtbot, panel.manager, run_id)
    assert outcome.status == "stopped"
    info = panel.manager.store.get(run_id)
    assert info.status == "stopped"
    assert Path(info.adapter_path, "adapter_model.safetensors").exists()
    assert panel.detail.resume_btn.isEnabled()
    assert panel.table.item(0, 1).text() == "Stopped"


def test_run_survives_window_close_and_is_reattached(panel, qtbot, main_window):
    panel.form.max_steps.setValue(400)
    panel.form.save_steps.setValue(2)
    panel.form.launch_btn.click()
    run_id = panel.detail.run_id
    run_dir = Path(panel.manager.store.get(run_id).run_dir)
    with qtbot.waitSignal(panel.manager.run_event, timeout=180_000,
                          check_params_cb=lambda rid, ev: isinstance(ev, protocol.Checkpoint)):
        pass
    main_window.ctx.shutdown()  # the window goes away; the engine must not
    assert run_folder.run_state(run_dir) == "running"

    from app.workers.run_manager import RunManager

    again = RunManager(main_window.ctx.db, parent=main_window.ctx)
    assert again.reattach_all() == [run_id]
    assert again.is_running(run_id)
    # The engine dies hard (power cut, OOM killer): the run becomes interrupted and resumable.
    os.kill(run_folder.read_engine_info(run_dir).pid, signal.SIGKILL)
    outcome = wait_finished(qtbot, again, run_id, timeout=30_000)
    assert outcome.status == "interrupted"
    assert again.store.get(run_id).status == "interrupted"
    last_ckpt = max(s for s, _ in __import__("app.core.runs", fromlist=["x"]).complete_checkpoints(run_dir))
    resumed = []
    again.run_event.connect(lambda rid, ev: resumed.append(ev))
    again.resume(run_id)
    with qtbot.waitSignal(again.run_event, timeout=180_000,
                          check_params_cb=lambda rid, ev: isinstance(ev, protocol.Metric)):
        pass
    first_metric = next(e for e in resumed if isinstance(e, protocol.Metric))
    assert first_metric.step > last_ckpt
    again.stop(run_id)
    assert wait_finished(qtbot, again, run_id).status == "stopped"
    again.shutdown()
