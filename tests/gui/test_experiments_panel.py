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
