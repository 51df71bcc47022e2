"""Chinese everywhere, in populated states: every panel filled with real content (runs finished,
failed, interrupted and running, a dataset with broken records, a knowledge base with failed files,
chats with sources, errors and a stop, an engine loading) in zh_CN, and no visible text in English
except product names, units and the content the user made.

The visible text is every label, button, group box, placeholder, combo box item, table header and
cell, menu and the chat transcript; the data the test itself wrote (Chinese names, file names) is
part of what a person sees but is theirs, so it is written in Chinese or allowed by name.
"""

from __future__ import annotations

import json
import os
import time

import psutil
import pytest
from PySide6.QtWidgets import QApplication, QTableWidget, QTextBrowser

from app.core import paths, protocol
from app.core.chat_store import ChatStore
from app.core.datasets import DatasetStore
from app.core.kb import KnowledgeStore
from app.core.projects import ProjectStore
from app.views.panels import PANEL_KEYS
from tests.gui.test_translations import _english_words, _visible_texts

pytestmark = pytest.mark.slow

# Names of what this test made, seen as data (file names keep their extension).
DATA_WORDS = {"md", "txt", "exe", "jsonl", "smollm2-135m-instruct"}
NAMES = {"SmolLM2-135M", "LlamaForCausalLM"}  # the model and its architecture, as its config names them
UNITS = {"GiB", "GB", "MiB", "MB", "KB", "tokens/s"}
# File formats and quantization types, named as their files and tools name them (Models' forms table).
FORMATS = {"safetensors", "gguf", "GGUF", "f32", "f16", "bf16", "Q4_0", "Q4_1", "Q8_0", "Q4_K_M"}


def _run_folder(name: str, events: list[protocol.Event], *, config: dict | None = None) -> None:
    run_dir = paths.runs_dir() / name
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps(config or {"base_model": "default", "method": "lora",
                                                               "lora_r": 8, "name": name}), encoding="utf-8")
    (run_dir / "events.jsonl").write_text("".join(protocol.encode(e) + "\n" for e in events), encoding="utf-8")
    (run_dir / "train.log").write_text("2026-01-01 10:00:00,000 INFO engine.train: 训练开始\n", encoding="utf-8")


def _losses(n: int) -> list[protocol.Event]:
    out: list[protocol.Event] = [protocol.Started(pid=1, engine="train")]
    for i in range(1, n + 1):
        out += [protocol.Progress(step=i, total=n, eta_s=float(n - i)),
                protocol.Metric(step=i, values={"loss": 3.0 / i, "lr": 2e-4, "grad_norm": 1.0, "tokens_per_s": 900.0})]
    return out


def _populate(window, tmp_path) -> None:
    ctx = window.ctx
    db = ctx.db
    ProjectStore(db).create("诗歌项目", "写诗的模型")
    archived = ProjectStore(db).create("旧项目")
    ProjectStore(db).archive(archived.id)

    # A dataset with broken records: each is named by line on the Problems tab.
    data = tmp_path / "数据.jsonl"
    good = {"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！"}]}
    data.write_text("\n".join([json.dumps(good, ensure_ascii=False), "{broken", json.dumps({"messages": []}),
                               json.dumps({"messages": [{"role": "assistant", "content": "先回答"}]},
                                          ensure_ascii=False), json.dumps(good, ensure_ascii=False)]) + "\n",
                    encoding="utf-8")
    DatasetStore(db).import_file(str(data), name="对话数据")

    # Runs: finished, failed (out of memory, as the engine reports it), interrupted, running.
    _run_folder("完成的运行", [*_losses(6), protocol.Done(status="completed", extra={"steps": 6})])
    _run_folder("失败的运行", [*_losses(2), protocol.Error(
        message="The GPU ran out of memory at step 3.", hint="Lower the batch size.",
        extra={"code": "train.oom", "step": 3, "alloc": "2.00 GiB", "first_line": "CUDA out of memory",
               "fixes": [{"fix": "batch", "from": 8, "to": 4, "ga_from": 1, "ga_to": 2}, {"fix": "seq", "from": 2048,
                                                                                             "to": 1024}]}),
        protocol.Done(status="failed")])
    _run_folder("中断的运行", _losses(3))  # no done, no live engine: interrupted
    me = psutil.Process(os.getpid())
    _run_folder("训练中的运行", _losses(2))
    (paths.runs_dir() / "训练中的运行" / "engine.json").write_text(json.dumps(
        {"pid": me.pid, "engine": "train", "started_at": time.time(), "create_time": me.create_time()}),
        encoding="utf-8")  # a live process: the run is followed as running
    ctx.runs.reattach_all()

    # Chats: an answer with sources, an engine error, an answer the person stopped.
    chats = ChatStore(db)
    s = chats.create_session(title="关于灯塔", model="default", params={"kbs": []})
    chats.add_message(s.id, "user", "灯塔什么时候建成？")
    chats.add_message(s.id, "assistant", "灯塔建于 1890 年 [1]。", meta={
        "rag": "grounded", "model": "SmolLM2-135M-Instruct", "label": "SmolLM2-135M-Instruct",
        "citations": [{"n": 1, "file": str(tmp_path / "灯塔.md"), "page": None, "kb": "手册", "score": 0.5,
                       "chunk": 0, "text": "灯塔建于 1890 年。"}],
        "stats": {"prompt_tokens": 40, "completion_tokens": 12, "ttft_s": 0.4, "tokens_per_s": 20.0, "total_s": 1.0},
        "invented_citations": [5]})
    chats.add_message(s.id, "user", "再说一遍")
    chats.add_message(s.id, "assistant", "", status="error", meta={
        "error": "The conversation is too long for the model.", "error_code": "chat.context_too_long",
        "error_params": {}, "label": "SmolLM2-135M-Instruct"})
    chats.add_message(s.id, "user", "继续")
    chats.add_message(s.id, "assistant", "灯塔", status="interrupted", meta={
        "interrupted_by": "user", "label": "SmolLM2-135M-Instruct"})


def _index_with_failures(window, qtbot, tmp_path) -> None:
    docs = tmp_path / "文档"
    docs.mkdir()
    (docs / "灯塔.md").write_text("# 灯塔\n\n灯塔建于 1890 年，位于海角。\n", encoding="utf-8")
    (docs / "空白.txt").write_text("", encoding="utf-8")
    (docs / "程序.exe").write_bytes(b"MZ\x00\x01")
    kb = KnowledgeStore(window.ctx.db).create("手册")
    jobs = window.ctx.kb_jobs
    with qtbot.waitSignal(jobs.job_done, timeout=300_000):
        jobs.add(kb.id, [str(docs)])


def _all_texts(window) -> list[tuple[str, str]]:
    found = list(_visible_texts(window))
    for table in window.findChildren(QTableWidget):
        if not table.isVisibleTo(window):
            continue
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                item = table.item(r, c)
                if item is not None and item.text():
                    found.append(("cell", item.text()))
    for browser in window.findChildren(QTextBrowser):
        if browser.isVisibleTo(window):
            found.append(("transcript", browser.toPlainText()))
    return found


def _offenders(texts) -> list[tuple[str, str]]:
    out = []
    for cls, text in texts:
        words = [w for w in _english_words(text) if w not in DATA_WORDS | UNITS | NAMES | FORMATS]
        if words:
            out.append((cls, text[:160], words[:5]))
    return out


def test_every_panel_populated_speaks_chinese(main_window, qtbot, tmp_path, home_with_model):
    main_window.ctx.set_language("zh_CN")
    _populate(main_window, tmp_path)
    _index_with_failures(main_window, qtbot, tmp_path)
    serve = main_window.ctx.serve
    serve._engine_choice = "transformers"  # an engine loading: its stages are shown while it starts
    key = serve.ensure("default", label="SmolLM2-135M-Instruct")
    try:
        qtbot.waitUntil(lambda: (serve.get(key) is not None and bool(serve.get(key).message)), timeout=60_000)
        offenders = []
        for panel_key in PANEL_KEYS:
            main_window.show_panel(panel_key)
            panel = main_window.panel(panel_key)
            if panel_key == "datasets":
                panel.table.selectRow(0)  # the dataset with broken records, its Problems tab
                panel.tabs.setCurrentIndex(1)
            elif panel_key == "training":
                for run in ("失败的运行", "训练中的运行"):  # a failed run's message, a running run's controls
                    panel.select_run(run)
                    QApplication.processEvents()
                    offenders += [(panel_key + ":" + run, *o) for o in _offenders(_all_texts(main_window))]
            elif panel_key == "experiments":
                panel.table.selectAll()
            elif panel_key == "knowledge":
                panel.reload_kbs()
            QApplication.processEvents()
            offenders += [(panel_key, *o) for o in _offenders(_all_texts(main_window))]
        assert not offenders, "English in the Chinese window:\n" + "\n".join(map(str, offenders[:25]))
    finally:
        serve.shutdown()
        main_window.ctx.set_language("en")
