"""The log centre: the app's log and runs' train.log in one view, with source and level filters."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from app.core import paths


def _make_run(main_window, name: str, lines: list[str]) -> str:
    run_dir = paths.runs_dir() / f"20261126-000000-{name}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"name": name, "base_model": "default", "method": "lora"}))
    (run_dir / "train.log").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    main_window.ctx.runs.store.register(run_dir, status="completed")
    return run_dir.name


def test_logs_panel_sources_levels_search_and_tail(main_window, qtbot):
    logs = paths.logs_dir()
    app_log = logs / "app.log"
    app_log.write_text("2026-11-26 10:00:00,000 INFO app.views: app started\n"
                       "2026-11-26 10:00:01,000 WARNING app.core: disk nearly full\n", encoding="utf-8")
    (logs / "app.log.1").write_text("2026-11-25 09:00:00,000 INFO app.views: yesterday\n", encoding="utf-8")
    (logs / "serve.log").write_text("2026-11-26 10:00:02,000 ERROR engine.serve: port busy\n", encoding="utf-8")
    run_id = _make_run(main_window, "alpha", ["2026-11-26 10:00:03,000 INFO engine.train: step 1 loss 2.0",
                                             "2026-11-26 10:00:04,000 ERROR engine.train: CUDA out of memory"])
    main_window.show_panel("logs")
    panel = main_window.panel("logs")
    keys = [panel.source.itemData(i) for i in range(panel.source.count())]
    assert keys == ["all", "app", "engine:serve", f"run:{run_id}"]
    assert panel.source.itemText(3) == "Run: alpha"

    # All sources, each line labelled with its source; rotated app.log first.
    lines = panel.view.lines()
    assert lines[0] == "[app] 2026-11-25 09:00:00,000 INFO app.views: yesterday"
    assert "[alpha] 2026-11-26 10:00:04,000 ERROR engine.train: CUDA out of memory" in lines
    assert any(ln.startswith("[serve] ") and "port busy" in ln for ln in lines)

    # One run only: its lines, unlabelled.
    panel.select_source(f"run:{run_id}")
    assert panel.view.lines() == ["2026-11-26 10:00:03,000 INFO engine.train: step 1 loss 2.0",
                                  "2026-11-26 10:00:04,000 ERROR engine.train: CUDA out of memory"]
    assert panel.view.folder().name == run_id

    # The app only, errors and warnings only.
    panel.select_source("app")
    panel.view.level.setCurrentIndex(panel.view.level.findData("WARNING"))
    assert panel.shown_lines() == ["2026-11-26 10:00:01,000 WARNING app.core: disk nearly full"]

    # Live tail: a line logged through the app's own logging shows up.
    panel.view.level.setCurrentIndex(panel.view.level.findData("INFO"))
    with open(app_log, "a", encoding="utf-8") as fh:
        fh.write("2026-11-26 10:00:05,000 ERROR app.core: something broke\n")
    qtbot.waitUntil(lambda: "something broke" in panel.view.visible_text(), timeout=3000)

    # Search narrows what is shown; copy puts the shown text on the clipboard.
    panel.view.search.setText("broke")
    assert panel.shown_lines() == ["2026-11-26 10:00:05,000 ERROR app.core: something broke"]
    panel.view.copy_visible()
    assert QApplication.clipboard().text() == "2026-11-26 10:00:05,000 ERROR app.core: something broke"
    panel.view.text.selectAll()
    QApplication.clipboard().clear()
    panel.view.copy_selected()
    assert "something broke" in QApplication.clipboard().text()

