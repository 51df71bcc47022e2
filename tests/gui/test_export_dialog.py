"""Export… in the window: from the Models panel a model goes through the dialog to a verified q4_k_m
GGUF (the real export engine, on a tiny random Qwen2 with the bundled tokenizer: seconds, not minutes),
the verification is shown, and a request that cannot work is refused in the user's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.models_registry import import_folder

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def tiny_qwen2(folder: Path, tokenizer_dir: Path) -> Path:
    """A 2-layer Qwen2 with random weights and SmolLM2's tokenizer and chat template; rows of 256 and
    512 so that q4_k_m writes real Q4_K and Q6_K blocks."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    cfg = Qwen2Config(vocab_size=49152, hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                      bos_token_id=1, eos_token_id=2, pad_token_id=2, tie_word_embeddings=True)
    Qwen2ForCausalLM(cfg).save_pretrained(folder)
    AutoTokenizer.from_pretrained(tokenizer_dir).save_pretrained(folder)
    return folder


def panel_of(window):
    window.show_panel("models")
    return window.panel("models")


def test_export_a_model_from_the_models_panel(main_window, qtbot, converted_model_dir, tmp_path):
    model = tiny_qwen2(tmp_path / "tiny-qwen2", converted_model_dir)
    import_folder(main_window.ctx.db, model, name="tiny-qwen2")
    panel = panel_of(main_window)
    panel.refresh()
    assert panel.select("tiny-qwen2")
    assert panel.export_btn.isEnabled()
    dialog = panel.export_selected()
    qtbot.addWidget(dialog)
    quants = [dialog.quant_box.itemText(i) for i in range(dialog.quant_box.count())]
    assert quants == ["f16", "q8_0", "q4_0", "q4_k_m"] and dialog.quant() == "q8_0"  # the default
    dialog.quant_box.setCurrentIndex(0)
    assert dialog.out_edit.text().endswith("tiny-qwen2-f16")
    dialog.quant_box.setCurrentIndex(3)
    assert "llama.cpp" in dialog.quant_note.text() and dialog.out_edit.text().endswith("tiny-qwen2-q4_k_m")
    out = tmp_path / "out"
    dialog.out_edit.setText(str(out))
    assert dialog.start()
    assert not dialog.export_btn.isEnabled() and dialog.close_btn.text() == "Stop"
    qtbot.waitUntil(lambda: not dialog.running(), timeout=240_000)
    assert dialog.result is not None, dialog.error_text
    assert "Verification passed" in dialog.report_view.toPlainText()
    assert "Perplexity" in dialog.report_view.toPlainText() and dialog.open_btn.isVisible()
    assert sorted(p.name for p in out.iterdir()) == ["Modelfile", "tiny-qwen2-q4_k_m.gguf", "verify.json"]
    assert json.loads((out / "verify.json").read_text())["passed"] is True
    assert dialog.result["arch"] == "qwen2" and {"Q4_K", "Q6_K"} <= set(dialog.result["tensor_types"])

    # the file is now a form of the model in the panel's table, with the change its verification measured
    panel.refresh()
    assert panel.select("tiny-qwen2")
    forms = panel.formats.forms
    assert [(f["role"], f["format"]) for f in forms] == [("model", "safetensors f32"), ("gguf", "GGUF Q4_K_M")]
    report = json.loads((out / "verify.json").read_text())
    row = [panel.formats.table.item(1, c).text() for c in range(6)]
    assert row[5] == f"{report['perplexity']['change_pct']:+.1f} %" and row[4] == f"{report['perplexity']['gguf']:.2f}"
    assert row[3] == "not measured"  # tokens/s of a GGUF is never made up

    # the same folder again: refused before anything starts, in Chinese
    main_window.ctx.set_language("zh_CN")
    assert dialog.windowTitle() == "导出为 GGUF"
    assert not dialog.start() and dialog.job is not None and not dialog.running()
    assert "已存在" in dialog.error_text and "已存在" in dialog.stage.text()
    dialog.close()


def test_a_run_without_adapter_is_refused_in_the_dialog(main_window, qtbot, ai_home):
    run = ai_home / "runs" / "run-x"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"base_model": "default", "dataset_path": "d.jsonl"}))
    from app.views.export_dialog import ExportDialog

    dialog = ExportDialog(main_window.ctx, str(run), main_window)
    qtbot.addWidget(dialog)
    assert not dialog.export_btn.isEnabled() and not dialog.start()
    assert "no adapter" in dialog.source_label.text()
