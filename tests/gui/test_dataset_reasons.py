"""Every reason the dataset reader gives has a code the GUI words (so a new reason in core cannot
silently fall back to English in the Chinese UI), and it reads in Chinese."""

from __future__ import annotations

import json
import re

from app.core.datasets import load_dataset_file
from app.views import error_texts


def msgs(*pairs):
    return [{"role": r, "content": c} for r, c in pairs]


def jl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def all_reasons(tmp_path) -> list[dict]:
    files = {
        "o.jsonl": jl(
            '{"messages": [{"role": "user", "content": "x"}',
            {"messages": msgs(("user", "Q"), ("bot", "A"))},
            {"messages": msgs(("system", "S"), ("user", "Q"))},
            {"messages": []},
            {"messages": "hello"},
            {"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "A"}]},
            {"messages": msgs(("user", "Q"), ("assistant", "   "))},
            [1, 2],
            {"messages": msgs(("user", "Q"), ("user", "Q again"), ("assistant", "A"))},
            {"messages": [{"content": "Q"}, {"role": "assistant", "content": "A"}]},
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]},
                          {"role": "assistant", "content": "A"}]},
            {"instruction": "Q", "output": "A"},
            {"messages": msgs(("user", "Q"), ("assistant", "A"))},
        ),
        "s.jsonl": jl({"conversations": [{"from": "human", "value": "Q"}]},
                      {"conversations": ["Q", "A"]},
                      {"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}),
        "a.jsonl": jl({"instruction": "Q"}, {"instruction": "Q", "output": 42}, {"instruction": "Q", "output": " "},
                      {"instruction": "", "input": "", "output": "A"},
                      {"instruction": "Q", "output": "A", "history": [["only question"]]},
                      {"instruction": "Q", "output": "A"}),
        "a.csv": "instruction,input,output\ntoo,many,columns,here\nQ,,A\n",
        "r.jsonl": jl({"messages": msgs(("assistant", "A"), ("user", "Q"))},
                      {"messages": [{"role": "user", "content": "Q"}, {"role": "tool", "content": "42"},
                                    {"role": "assistant", "content": "A"}]},
                      '{"messages": ' + "[" * 5000 + "]" * 5000 + "}",
                      {"messages": msgs(("user", "Q"), ("assistant", "A"))}),
        "q.csv": 'instruction,input,output\nQ,,A\nQ2,"never closed,A2\n',

    }
    reasons = []
    for name, text in files.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        reasons += load_dataset_file(p)[1].errors
    bad = tmp_path / "latin.jsonl"
    bad.write_bytes(b'{"messages": [{"role": "user", "content": "caf\xe9"}, {"role": "assistant", "content": "x"}]}\n'
                    + jl({"messages": msgs(("user", "Q"), ("assistant", "A"))}).encode())
    reasons += load_dataset_file(bad)[1].errors
    return reasons


def test_every_reason_the_reader_gives_is_recognised(tmp_path):
    reasons = all_reasons(tmp_path)
    assert len(reasons) >= 22
    unknown = [r for r in reasons if r["code"] not in error_texts.MESSAGES]
    assert not unknown, unknown
    used = {r["code"] for r in reasons}
    assert len(used) >= 21  # most codes are exercised by real reader output
    for r in reasons:  # in English the template says what the reader said
        assert error_texts.reason_text(r["code"], r["params"], "?") == r["reason"], r


def test_reasons_read_in_chinese(main_window, tmp_path):
    main_window.ctx.set_language("zh_CN")
    try:
        for r in all_reasons(tmp_path):
            text = error_texts.reason_text(r["code"], r["params"], r["reason"])
            assert text != r["reason"] and re.search(r"[\u4e00-\u9fff]", text), r
        assert error_texts.reason_text("dataset.record.unknown_role",
                                       {"role": "bot", "k": 2, "allowed": "system, user, assistant, tool"}, "") == (
            "第 2 轮的角色“bot”未知（允许：system, user, assistant, tool）")
        assert error_texts.reason_text("dataset.record.wrong_type", {"name": "content", "expected": "string",
                                                                     "got": "number"}, "") == (
            "类型错误：字段“content”应为字符串，实际为数字")
    finally:
        main_window.ctx.set_language("en")


def test_reasons_read_in_chinese_in_the_datasets_panel(main_window, qtbot, tmp_path):
    main_window.ctx.set_language("zh_CN")
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    panel.val_ratio.setValue(0.0)
    f = tmp_path / "chats.jsonl"
    f.write_text(jl({"messages": msgs(("user", "hi"), ("assistant", "hello"))},
                    {"messages": msgs(("user", "Q"), ("user", "again"), ("assistant", "A"))}), encoding="utf-8")
    with qtbot.waitSignal(panel.imported, timeout=30_000):
        panel.import_path(str(f))
    panel.table.selectRow(0)
    item = panel.problems.item(0, 1)
    assert item.text() == "第 1 轮和第 2 轮都是“user”；对话必须在 user 与 assistant 之间交替"
    assert item.toolTip().startswith("turns 1 and 2 are both")
    main_window.ctx.set_language("en")
