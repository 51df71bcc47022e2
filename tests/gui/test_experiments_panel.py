"""Experiments: runs in a table, several selected → overlaid loss curves, CSV export."""

from __future__ import annotations

import csv

from app.core import paths
from tests.unit.test_runs_index import write_run


def test_overlay_and_export(main_window, tmp_path):
    write_run(paths.runs_dir() / "r1-first", [3.0, 2.0, 1.5])
    write_run(paths.runs_dir() / "r2-second", [2.8, 2.2])
    main_window.show_panel("experiments")
    panel = main_window.panel("experiments")
    panel.manager.reattach_all()
    panel.refresh()
    assert panel.table.rowCount() == 2
    panel.table.selectAll()
    assert sorted(panel.chart.names()) == ["r1-first", "r2-second"]
    assert panel.chart.point_count("r1-first") == 3
    out = tmp_path / "m.csv"
    panel.write_csv(str(out), panel.selected_ids())
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["run_id"], r["step"]) for r in rows if r["metric"] == "loss"} == {
        ("r1-first", "1"), ("r1-first", "2"), ("r1-first", "3"), ("r2-second", "1"), ("r2-second", "2")}
    png = tmp_path / "c.png"
    panel.chart.export_png(str(png))
    assert png.stat().st_size > 1000


def test_a_sweeps_trials_are_one_experiment(main_window, qtbot):
    """Trial runs (Optuna's own study names each trial's run) are grouped: the Experiment column says
    which sweep and trial, the filter shows one sweep alone, and the sweep view's Compare button lands
    here with its trials' loss curves overlaid."""
    import optuna

    from app.core import sweeps

    write_run(paths.runs_dir() / "plain-run", [2.0, 1.0])
    main_window.ctx.runs.reattach_all()
    # The sweep's trials appear later, written by its own process: this window never indexed them.
    write_run(paths.runs_dir() / "lr-t0-a", [3.0, 2.5])
    write_run(paths.runs_dir() / "lr-t1-b", [3.0, 1.5, 1.0])
    sweeps.sweeps_dir().mkdir(parents=True)
    study = optuna.create_study(study_name="lr", storage=f"sqlite:///{sweeps.storage_path('lr')}")
    for run, value in (("lr-t0-a", 2.5), ("lr-t1-b", 1.0)):
        t = study.ask({"learning_rate": optuna.distributions.FloatDistribution(1e-5, 1e-2, log=True)})
        t.set_user_attr("run", run)
        study.tell(t, value)
    sweeps.sidecar("lr", "space.json").write_text('{"name": "lr", "base": {}, "params": {}}', encoding="utf-8")

    w = main_window
    w.show_panel("experiments")
    panel = w.panel("experiments")
    panel.refresh()
    cells = {panel.table.item(r, 0).data(256): panel.table.item(r, 13).text() for r in range(panel.table.rowCount())}
    assert panel.table.horizontalHeaderItem(13).text() == "Sweep"
    assert cells == {"lr-t0-a": "lr · trial 0", "lr-t1-b": "lr · trial 1", "plain-run": ""}
    assert [panel.group.itemText(i) for i in range(panel.group.count())] == [
        "All runs", "Sweep lr (2 trials)", "Runs outside sweeps"]
    panel.group.setCurrentIndex(2)
    assert [panel.table.item(r, 0).data(256) for r in range(panel.table.rowCount())] == ["plain-run"]

    # From the sweep view: only its trials, all selected, their curves overlaid.
    w.ctx.navigate("training", sweep="lr")
    view = w.panel("training").sweep_view
    assert view.compare_btn.isEnabled()
    view.compare_btn.click()
    assert w.current_panel_key() == "experiments"
    assert panel.group.currentData() == "lr" and panel.table.rowCount() == 2
    assert sorted(panel.chart.names()) == ["lr-t0-a", "lr-t1-b"] and panel.chart.point_count("lr-t1-b") == 3
    # Selections that change never leave two shown runs in one colour.
    panel.group.setCurrentIndex(0)
    for run in ("plain-run", "lr-t1-b"):
        panel.table.clearSelection()
        row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).data(256) == run)
        panel.table.selectRow(row)
    panel.table.selectAll()
    colours = [panel.chart.colour(n) for n in panel.chart.names()]
    assert len(colours) == 3 and len(set(colours)) == 3, colours

    w.ctx.set_language("zh_CN")
    assert panel.group.currentData() == "" and panel.group.itemText(0) == "全部训练"
    assert panel.table.horizontalHeaderItem(13).text() == "超参数搜索"
    w.ctx.set_language("en")
