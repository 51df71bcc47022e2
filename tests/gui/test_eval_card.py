"""A run's evaluation in the window: the card in its detail runs the real evaluation engine (the
session's fact adapter, tests/helpers/eval_runs.py), shows base vs adapter, the generations viewer
highlights what differs, export writes CSV and JSON, Experiments gets the columns; both languages.
"Evaluate after training" starts an evaluation when a run with a validation split completes."""

from __future__ import annotations

import csv
import json

import pytest

from app.core import paths
from app.workers.engine_process import Outcome
from tests.helpers.eval_runs import FACT, evaluable_run

pytestmark = [pytest.mark.slow,
              # Offscreen Qt says this for every top-level window it shows (the dialog); no window manager.
              pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]

RUN_ID = "20261202-060000-zorbania"


@pytest.fixture
def evaluable(main_window, home_with_model, converted_model_dir, tmp_path):
    run_dir = evaluable_run(converted_model_dir, tmp_path, paths.runs_dir() / RUN_ID)
    main_window.ctx.runs.store.index_folder(run_dir)
    return run_dir


def test_evaluate_from_the_run_detail(main_window, evaluable, qtbot, tmp_path):
    w = main_window
    w.ctx.navigate("training", run=RUN_ID)
    detail = w.panel("training").detail
    detail.tabs.setCurrentIndex(2)
    assert detail.tabs.tabText(2) == "Evaluation"
    card = detail.eval_card
    assert card.run_id == RUN_ID and "Not evaluated yet" in card.summary.text()
    assert card.evaluate_btn.isEnabled() and not card.generations_btn.isEnabled()

    with qtbot.waitSignal(w.ctx.evals.finished, timeout=400_000) as done:
        card.evaluate_btn.click()
        assert not card.evaluate_btn.isEnabled() and card.progress.isVisible()
        assert card.summary.text() == "Evaluating the adapter against its base model…"
    assert done.args[:2] == [RUN_ID, True], done.args
    assert "Evaluated" in card.summary.text() and "4 samples of the run's validation split." in card.summary.text()
    assert "Answers generated with transformers in" in card.summary.text()
    rows = {card.table.verticalHeaderItem(r).text(): (card.table.item(r, 0).text(), card.table.item(r, 1).text())
            for r in range(card.table.rowCount())}
    base_loss, adapter_loss = (float(v) for v in rows["Held-out loss"])
    assert adapter_loss < base_loss
    assert card.table.item(0, 1).foreground().color().name() == "#15803d"  # better: green
    assert rows["Exact match"][1] != "0.0%" and not card.regression.isVisible()

    # The generations viewer: three columns, differences from the reference highlighted.
    card.show_generations()
    dialog = card.dialog
    assert dialog.list.count() == 4 and dialog.columns[2].toPlainText() == FACT
    assert [h.text() for h in dialog.headers] == ["Base model", "Adapter", "Reference"]
    assert "background-color" in dialog.columns[0].toHtml()  # the base does not know the fact
    dialog.reject()

    card.export(str(tmp_path / "gen.csv"))
    card.export(str(tmp_path / "eval.json"))
    with open(tmp_path / "gen.csv", encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 4 and table[0]["reference"] == FACT and {"base", "adapter", "prompt"} <= set(table[0])
    assert json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))["adapter"]["loss"] == pytest.approx(
        adapter_loss, abs=1e-3)

    # Experiments: the latest evaluation in two columns.
    w.show_panel("experiments")
    exp = w.panel("experiments")
    exp.refresh()
    assert exp.table.horizontalHeaderItem(11).text() == "Held-out loss"
    assert exp.table.item(0, 11).text().startswith(f"{adapter_loss:.3f} (")
    assert "%" in exp.table.item(0, 12).text()

    # Chinese, live.
    w.ctx.set_language("zh_CN")
    assert card.evaluate_btn.text() == "评估" and "已评估" in card.summary.text()
    assert exp.table.horizontalHeaderItem(11).text() == "留出集损失"


def test_evaluate_after_training_follows_the_setting(main_window, evaluable):
    ctx = main_window.ctx
    assert ctx.settings.evaluate_after_training is False  # the GUI fixture turns it off
    ctx.runs.run_finished.emit(RUN_ID, Outcome(status="completed"))
    assert not ctx.evals.busy(RUN_ID)

    main_window.show_panel("settings")
    main_window.panel("settings").eval_after.setChecked(True)
    assert ctx.settings.evaluate_after_training is True
    ctx.runs.run_finished.emit(RUN_ID, Outcome(status="stopped"))  # only completed runs
    assert not ctx.evals.busy(RUN_ID)
    ctx.runs.run_finished.emit(RUN_ID, Outcome(status="completed"))
    assert ctx.evals.busy(RUN_ID) and ctx.evals.running == RUN_ID
    ctx.evals.cancel(RUN_ID)
