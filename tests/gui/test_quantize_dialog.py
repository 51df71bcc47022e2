"""Models → Quantize…: the bundled SmolLM2 quantized to W8A8 for real (llm-compressor in its own
runtime, 4 calibration texts), the new model listed in Models beside its source with the perplexity
before and after; a second request under the same name is refused before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import bundled, quantize_runtime

pytestmark = [pytest.mark.slow, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def test_quantize_from_the_models_panel(home_with_model, main_window, qtbot):
    info = quantize_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no quantization runtime: {info['reason']}")
    w = main_window
    w.show_panel("models")
    panel = w.panel("models")
    panel.refresh()
    assert panel.select(bundled.DEFAULT_CHAT_MODEL)
    assert panel.quantize_btn.isEnabled()
    dialog = panel.quantize_selected()
    assert dialog.source is not None and dialog.name_edit.text() == f"{bundled.DEFAULT_CHAT_MODEL}-w8a8"
    assert dialog.calib_box.currentText() == "Built-in texts" and "W8A8" in dialog.scheme_note.text()
    dialog.scheme_box.setCurrentIndex(dialog.scheme_box.findData("w4a16"))
    assert dialog.name_edit.text().endswith("-w4a16")  # the suggested name follows the scheme
    dialog.scheme_box.setCurrentIndex(dialog.scheme_box.findData("w8a8"))
    dialog.samples.setValue(4)
    assert dialog.start()
    assert dialog.running() and not dialog.scheme_box.isEnabled() and dialog.close_btn.text() == "Stop"
    qtbot.waitUntil(lambda: not dialog.running(), timeout=900_000)
    assert dialog.result is not None, dialog.error_text
    assert f"Added to Models as {bundled.DEFAULT_CHAT_MODEL}-w8a8: W8A8" in dialog.stage.text()
    assert "Perplexity" in dialog.stage.text() and "4 calibration texts" in dialog.stage.text()
    shots = os.environ.get("QUANTIZE_SHOTS")  # a folder: the dialog and the panel, as a person sees them
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(Path(shots) / "quantize-done-en.png"))
    name = dialog.result["name"]
    assert panel.select(name, "quantized")  # listed at once, as Quantized
    assert not panel.quantize_btn.isEnabled()  # an already quantized model has nothing to calibrate

    # The same name again: refused before any engine starts, in the user's language.
    panel.select(bundled.DEFAULT_CHAT_MODEL)
    again = panel.quantize_selected()
    again.name_edit.setText(name)
    w.ctx.set_language("zh_CN")
    assert again.windowTitle() != "Quantize for serving" and again.start_btn.text() != "Quantize"
    assert not again.start() and again.job is None
    if shots:
        again.grab().save(str(Path(shots) / "quantize-refused-zh.png"))
        w.resize(1400, 900)
        w.grab().save(str(Path(shots) / "models-quantized-zh.png"))
    assert name in again.error_text and "already exists" not in again.error_text
    w.ctx.set_language("en")
    again.reject()
    dialog.reject()
