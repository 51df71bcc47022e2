"""The journey: one person walks the whole loop through the window, with the real engines and the
bundled model. Create a project → import the sample dataset → train a CPU-demo LoRA run and watch
its loss chart grow → chat with the adapter it made → drop documents to make a knowledge base →
ask a question it answers and get a citation → switch to Chinese and see the same screens in Chinese.

Each step drives widgets (sidebar clicks, typed text, buttons, drag and drop) and checks what the
person sees, plus the database where what they see is only a summary of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core import protocol
from app.core.chat_store import ChatStore
from app.core.projects import ProjectStore
from app.views.main_window import PANEL_KEYS
from tests.e2e.journey_helpers import (
    answer_next_dialog,
    click_checkbox,
    drag_and_drop,
    go,
)

pytestmark = [
    pytest.mark.slow,
    # Offscreen Qt says this for every top-level window it shows (the dialogs); no window manager here.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

STEPS = 8
RUN_NAME = "journey demo"
FACT = "teal"
DOCS = {
    "lighthouse.md": "# Kestrel Point\n\nThe Kestrel Point lighthouse on the island of Marrow was painted "
                     "teal in 1911 by its keeper, Ada Fenwick, so that ships could tell it from the "
                     "white tower at Gull Head.\n",
    "jam.txt": "Quillberry jam is made by boiling violet quillberries with honey for exactly forty minutes.\n",
    "tea.txt": "云雾山的茶农每年清明前采摘第一批嫩芽，用竹篓背下山。\n",
}
QUESTION = "What colour was the Kestrel Point lighthouse painted?"


def wait_answer(qtbot, chat, timeout=240_000):
    qtbot.waitUntil(lambda: not chat.answers.jobs, timeout=timeout)
    return ChatStore(chat.ctx.db).messages(chat.session.id)[-1]


def ask(qtbot, chat, text: str):
    """Type the question into the chat box and press Enter."""
    chat.input.setFocus()
    qtbot.keyClicks(chat.input, text)
    qtbot.keyClick(chat.input, Qt.Key.Key_Return)
    assert chat.input.toPlainText() == ""  # it was sent
    return wait_answer(qtbot, chat)


def test_journey_from_dataset_to_rag_chat_in_two_languages(main_window, home_with_model, sample_dataset_file,
                                                           qtbot, tmp_path):
    w = main_window
    ctx = w.ctx
    ctx.serve._engine_choice = "transformers"  # vLLM's slow start is covered by the engine tests
    try:
        _journey(w, ctx, sample_dataset_file, qtbot, tmp_path)
    finally:
        ctx.kb_query.shutdown()
        ctx.serve.shutdown()


def _journey(w, ctx, sample_dataset_file, qtbot, tmp_path):
    # --- 1. a project, through the New project dialog --------------------------------------------
    projects = go(w, qtbot, "projects")
    assert projects.table.rowCount() == 0 and projects.empty.isVisible()
    titles = []
    answer_next_dialog(qtbot, ["Journey", "From a dataset to a chat"], seen=titles)
    qtbot.mouseClick(projects.new_btn, Qt.MouseButton.LeftButton)
    assert titles == ["New project"]
    assert projects.table.rowCount() == 1 and projects.table.item(0, 0).text() == "Journey"
    assert projects.table.item(0, 1).text() == "From a dataset to a chat"
    project = ProjectStore(ctx.db).list()[0]

    # --- 2. the sample dataset, dropped onto the Datasets panel -----------------------------------
    datasets = go(w, qtbot, "datasets")
    with qtbot.waitSignal(datasets.imported, timeout=60_000) as imported:
        assert drag_and_drop(datasets, [sample_dataset_file])
    dataset_id = imported.args[0]
    assert datasets.table.rowCount() == 1
    assert datasets.table.item(0, 0).text() == "sample_sft_en_zh"
    assert datasets.table.item(0, 2).text() == "40" and datasets.table.item(0, 4).text() == "0"
    assert datasets.preview.rowCount() > 0
    assert "40 of 40 records imported" in datasets.summary.text()

    # --- 3. a CPU-demo LoRA run from the launch form; the loss chart gains points -----------------
    training = go(w, qtbot, "training")
    form, detail, manager = training.form, training.detail, training.manager
    form.name.clear()
    qtbot.keyClicks(form.name, RUN_NAME)
    form.project.setCurrentIndex(form.project.findText("Journey"))
    form.dataset.setCurrentIndex(form.dataset.findData(dataset_id))
    assert form.dataset.currentText() == "sample_sft_en_zh (40 records)"
    form.preset.setCurrentIndex(form.preset.findData("cpu-demo"))
    form.preset.activated.emit(form.preset.currentIndex())  # what choosing it in the list sends
    assert form.preset.currentText() == "CPU demo (bundled model)"
    form.max_steps.setValue(STEPS)
    form.max_seq_len.setValue(128)
    assert not form.form_error.isVisible()

    chart = detail.charts["loss"]
    growth: list[int] = []  # the loss chart's point count after each logged step, as the person sees it
    manager.run_event.connect(lambda rid, ev: growth.append(chart.point_count("loss"))
                              if rid == detail.run_id and isinstance(ev, protocol.Metric) and "loss" in ev.values
                              else None)
    finished = {}
    manager.run_finished.connect(lambda rid, outcome: finished.setdefault(rid, outcome))
    qtbot.mouseClick(form.launch_btn, Qt.MouseButton.LeftButton)
    run_id = detail.run_id
    assert run_id and manager.is_running(run_id)
    assert detail.title.text() == RUN_NAME and detail.stop_btn.isEnabled()
    assert not detail.chat_btn.isEnabled()  # nothing to chat with while it trains
    qtbot.waitUntil(lambda: run_id in finished, timeout=300_000)
    assert finished[run_id].status == "completed", finished[run_id].last_error
    assert growth == list(range(1, STEPS + 1))  # one more point per step, live
    assert chart.point_count("loss") == STEPS
    assert detail.status.text() == "Completed"
    assert detail.progress.value() == STEPS and detail.progress.maximum() == STEPS
    assert training.table.item(0, 0).text() == RUN_NAME
    assert training.table.item(0, 1).text() == "Completed"
    assert training.table.item(0, 2).text() == f"{STEPS}/{STEPS}"
    info = manager.store.get(run_id)
    assert info.project_id == project.id
    assert Path(info.adapter_path, "adapter_config.json").is_file()

    # --- 4. chat with the adapter the run made ------------------------------------------------------
    assert detail.chat_btn.isEnabled()
    qtbot.mouseClick(detail.chat_btn, Qt.MouseButton.LeftButton)
    assert w.current_panel_key() == "chat"
    chat = w.panel("chat")
    assert chat.model.currentText() == f"{RUN_NAME} (adapter)"
    assert chat.session.title == f"Chat with {RUN_NAME}"
    assert chat.sessions.currentItem().text() == f"Chat with {RUN_NAME}"
    chat.side.temperature.setValue(0.0)
    chat.side.max_tokens.setValue(24)
    answer = ask(qtbot, chat, "What is the Aurora notebook?")
    assert answer.status == "complete", answer.meta
    assert answer.content.strip()
    assert answer.meta["model"] == f"run-{run_id}"  # the adapter answered, not the base model
    assert answer.meta["label"] == RUN_NAME and RUN_NAME in chat.transcript_text()
    assert answer.content.strip()[:20] in chat.transcript_text()
    engine = ctx.serve.find(chat.current_target().model_ref, chat.current_target().adapter)
    assert engine is not None and engine.ready
    assert chat.engine_state.text().startswith("Ready")

    # --- 5. a knowledge base, made by dropping files onto the Knowledge panel ----------------------
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    knowledge = go(w, qtbot, "knowledge")
    assert knowledge.kb.count() == 0
    with qtbot.waitSignal(knowledge.indexing_finished, timeout=300_000) as indexed:
        assert drag_and_drop(knowledge, sorted(docs.iterdir()))
    assert indexed.args[0].ok, indexed.args[0].last_error
    assert knowledge.kb.count() == 1 and knowledge.kb.currentText() == "My documents"
    shown = {knowledge.docs.item(r, 0).text().split(" — ")[0]: knowledge.docs.item(r, 1).text()
             for r in range(knowledge.docs.rowCount())}
    assert shown == {name: "Indexed" for name in DOCS}
    assert knowledge.empty.text().startswith("3 documents")
    kb_id = knowledge.kb_id()

    # --- 6. tick it in Chat and ask what the files answer: a cited answer ---------------------------
    chat = go(w, qtbot, "chat")
    assert chat.session.title == f"Chat with {RUN_NAME}"  # the same chat, still with the adapter
    item = next(chat.side.kbs.item(i) for i in range(chat.side.kbs.count()))
    assert item.text() == "My documents"
    assert item.checkState() == Qt.CheckState.Unchecked
    click_checkbox(qtbot, chat.side.kbs, item)
    assert item.checkState() == Qt.CheckState.Checked
    assert chat.side.attached_kbs() == [kb_id]
    assert chat.store.get_session(chat.session.id).kb_ids == [kb_id]
    chat.side.max_tokens.setValue(32)
    answer = ask(qtbot, chat, QUESTION)
    assert answer.status == "complete", answer.meta
    assert answer.meta["rag"] == "grounded"
    cites = answer.meta["citations"]
    assert Path(cites[0]["file"]).name == "lighthouse.md" and FACT in cites[0]["text"], cites
    assert "Sources: [1] lighthouse.md" in chat.transcript_text()
    source = chat.open_citation(answer.id, 1)
    assert source.highlighted and FACT in source.text.toPlainText()
    source.close()

    # --- 7. the same screens in Chinese (View → Language), then back ---------------------------------
    w.language_actions["zh_CN"].trigger()
    assert ctx.settings.language == "zh_CN"
    sidebar = {key: w.sidebar.item(row).text() for row, key in enumerate(PANEL_KEYS)}
    assert (sidebar["projects"], sidebar["datasets"], sidebar["training"], sidebar["chat"],
            sidebar["knowledge"]) == ("项目", "数据集", "训练", "对话", "知识库")
    assert chat.header.title.text() == "对话"
    assert chat.new_btn.text() == "新建对话" and chat.stop_btn.text() == "停止"
    assert chat.side.kb_label.text() == "知识库"
    assert chat.side.kbs.item(0).checkState() == Qt.CheckState.Checked  # nothing lost in the switch
    assert QUESTION in chat.transcript_text() and "来源: [1] lighthouse.md" in chat.transcript_text()
    assert projects.header.title.text() == "项目" and projects.new_btn.text() == "新建项目…"
    assert projects.table.item(0, 0).text() == "Journey"  # what the person typed stays as typed
    assert datasets.header.title.text() == "数据集" and datasets.import_btn.text() == "导入…"
    assert training.header.title.text() == "训练" and form.launch_btn.text() == "开始训练"
    assert form.preset.currentText() == "CPU 演示（内置模型）"
    assert training.table.item(0, 1).text() == "已完成" and detail.status.text() == "已完成"
    assert chart.point_count("loss") == STEPS  # the chart keeps its points through the switch
    assert knowledge.header.title.text() == "知识库" and knowledge.kb.currentText() == "My documents"
    assert {knowledge.docs.item(r, 1).text() for r in range(knowledge.docs.rowCount())} == {"已索引"}
    go(w, qtbot, "training")
    assert w.stack.currentWidget().header.title.text() == "训练"

    w.language_actions["en"].trigger()
    assert ctx.settings.language == "en"
    assert w.sidebar.item(PANEL_KEYS.index("chat")).text() == "Chat"
    assert chat.header.title.text() == "Chat" and chat.new_btn.text() == "New chat"
    assert form.launch_btn.text() == "Start training" and detail.chat_btn.text() == "Chat with adapter"
