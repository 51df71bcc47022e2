"""Errors reach a person in their language: every code app/ raises or sends is worded in
app/views/error_texts.py, translated into Chinese, and fillable with what its raise site passes;
and real failures read in Chinese in the real window.

The scan is static (the AST of every module under app/): ``code="…"`` / ``error_code="…"`` keyword
literals (UserError and its kin, engine events' extra dicts), ``{"code": "…"}`` dict literals,
``def f(code="…")`` defaults, ``clean_name(code=…)`` (``<code>.name_empty`` / ``.name_too_long``),
the dataset reader's ``_Invalid`` / ``_Bad`` reasons and train_config's ``_fail(rule=…)``; the hint
codes from ``hint_code`` keywords, dict keys and assignments, and train_config's FIELD_HINTS.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.train_config import FIELD_HINTS
from app.views import error_texts

REPO = Path(__file__).resolve().parents[2]
ZH_TS = REPO / "i18n" / "ai_platform_zh_CN.ts"
DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Codes worded by their own function, not by a template (error_texts.oom_text).
WORDED_ELSEWHERE = {"train.oom"}
# The keys every train_config._fail call passes.
FAIL_KEYS = {"field", "value", "problem", "hint", "rule", "hint_code"}


@dataclass(frozen=True)
class Site:
    code: str
    where: str
    keys: frozenset[str] | None  # the params it passes; None: not a literal (not checked)


def _literal_keys(node) -> frozenset[str] | None:
    if node is None:
        return frozenset()
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return frozenset(k.value for k in node.keys)
    return None


def _strings(node) -> list[str]:
    return [c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)]


def _dotted(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.match(node.value):
        return node.value
    return None


def scan():
    """(code sites, hint codes {code: where}, rule sites) of every module under app/."""
    sites: list[Site] = []
    hints: dict[str, str] = {}
    rules: list[Site] = []
    for path in sorted((REPO / "app").rglob("*.py")):
        if "_assets" in path.parts:
            continue
        rel = str(path.relative_to(REPO))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                hint = kw.get("hint_code")
                if isinstance(hint, ast.Constant) and hint.value:
                    hints[hint.value] = where
                if name == "_fail":
                    code = _dotted(kw.get("code")) or "train_config.invalid"
                    keys = frozenset(FAIL_KEYS | set(kw) - {"code"})
                    sites.append(Site(code, where, keys))
                    for rule in _strings(kw["rule"]) if "rule" in kw else []:
                        rules.append(Site(rule, where, keys))
                    continue
                for key, params_key in (("code", "params"), ("error_code", "error_params")):
                    code = _dotted(kw.get(key))
                    if code:
                        sites.append(Site(code, where, _literal_keys(kw.get(params_key))))
                if name == "clean_name" and isinstance(kw.get("code"), ast.Constant):
                    sites.append(Site(kw["code"].value + ".name_empty", where, frozenset()))
                    sites.append(Site(kw["code"].value + ".name_too_long", where, frozenset({"max"})))
                if name in ("_Invalid", "_Bad") and len(node.args) >= 2 and _dotted(node.args[1]):
                    keys = (frozenset(k.arg for k in node.keywords) if name == "_Invalid"
                            else _literal_keys(node.args[2] if len(node.args) > 2 else None))
                    sites.append(Site(node.args[1].value, where, keys))
            elif isinstance(node, ast.Dict):
                d = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
                code = _dotted(d.get("code"))
                if code:
                    sites.append(Site(code, where, _literal_keys(d.get("params"))))
                if isinstance(d.get("hint_code"), ast.Constant) and d["hint_code"].value:
                    hints[d["hint_code"].value] = where
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults
                defaults += node.args.kw_defaults
                for arg, default in zip(args, defaults):
                    if arg.arg == "code" and _dotted(default) and node.name != "_fail":
                        sites.append(Site(default.value, where, None))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    targets = target.elts if isinstance(target, ast.Tuple) else [target]
                    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                    for t, v in zip(targets, values):
                        named = (isinstance(t, ast.Name) and t.id == "hint_code") or (
                            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant)
                            and t.slice.value == "hint_code")
                        if named:
                            for s in _strings(v):
                                if DOTTED.match(s):
                                    hints[s] = where
    for field in FIELD_HINTS:
        hints[f"train_config.hint.{field}"] = "app/core/train_config.py FIELD_HINTS"
    return sites, hints, rules


SITES, HINT_CODES, RULES = scan()


def zh_catalog() -> dict[str, str | None]:
    out = {}
    for ctx in ET.parse(ZH_TS).iter("context"):
        if ctx.find("name").text != error_texts.CONTEXT:
            continue
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            ok = tr is not None and tr.get("type") is None and (tr.text or "").strip()
            out[msg.find("source").text] = tr.text if ok else None
    return out


def all_sources() -> list[str]:
    return [*error_texts.MESSAGES.values(), *error_texts.HINTS.values(), *error_texts.PROBLEMS.values(),
            *error_texts.TYPE_WORDS.values(), *error_texts.STATUS_TEXTS.values(),
            *error_texts.OOM_TEXTS.values(), error_texts.RECORD_LINE]


def test_the_scan_finds_the_codes_app_uses():
    codes = {s.code for s in SITES}
    # A sample from every layer, so a scan that stopped seeing one would fail here.
    for code in ("project.name_taken", "project.name_empty", "dataset.record.unknown_role", "kb.read.empty",
                 "train_config.invalid", "chat.api_error", "merge.no_adapter", "engine.unexpected",
                 "agent.failed", "kb.failed", "stats.no_model"):
        assert code in codes, code
    assert {"range_from_to", "range_above_below", "choice"} <= {r.code for r in RULES}
    assert {"engine.see_log", "train.write_config", "dataset.hint.name_it_jsonl"} <= set(HINT_CODES)
    assert len(codes) >= 190


def test_every_code_has_its_wording():
    missing = sorted({f"{s.code} ({s.where})" for s in SITES
                      if s.code not in error_texts.MESSAGES and s.code not in WORDED_ELSEWHERE})
    assert not missing, f"add these codes to app/views/error_texts.py MESSAGES: {missing}"
    missing = sorted(f"{c} ({w})" for c, w in HINT_CODES.items() if c not in error_texts.HINTS)
    assert not missing, f"add these hint codes to app/views/error_texts.py HINTS: {missing}"
    missing = sorted({f"{r.code} ({r.where})" for r in RULES if r.code not in error_texts.PROBLEMS})
    assert not missing, f"add these rules to app/views/error_texts.py PROBLEMS: {missing}"


def test_templates_ask_only_for_what_their_raise_sites_pass():
    bad = []
    for s in SITES:
        if s.keys is None:
            continue
        for table in (error_texts.MESSAGES, error_texts.HINTS):
            wanted = set(PLACEHOLDER.findall(table.get(s.code, "")))
            if not wanted <= s.keys:
                bad.append(f"{s.where}: {s.code} wants {sorted(wanted - s.keys)}, the site passes {sorted(s.keys)}")
    for r in RULES:
        wanted = set(PLACEHOLDER.findall(error_texts.PROBLEMS.get(r.code, "")))
        if not wanted <= r.keys:
            bad.append(f"{r.where}: rule {r.code} wants {sorted(wanted - r.keys)}")
    assert not bad, bad


def test_every_source_is_translated_into_chinese():
    catalog = zh_catalog()
    bad = []
    for src in all_sources():
        zh = catalog.get(src)
        if zh is None:
            bad.append(f"no zh_CN translation: {src!r}")
        elif zh == src and src not in error_texts.SAME_IN_CHINESE:
            bad.append(f"zh_CN is the English: {src!r}")
        elif sorted(PLACEHOLDER.findall(zh)) != sorted(PLACEHOLDER.findall(src)):
            bad.append(f"placeholders differ: {src!r} → {zh!r}")
    assert not bad, bad


def _dummy(source: str) -> dict:
    return {k: f"<{k}>" for k in PLACEHOLDER.findall(source)}


def test_every_code_renders_in_chinese(main_window):
    main_window.ctx.set_language("zh_CN")
    try:
        bad = []
        for code, source in error_texts.MESSAGES.items():
            params = _dummy(source)
            if code in ("train_config.invalid", "train_config.newer_version"):
                params.update(rule="range_from_to", low=1, high=4096)
            text = error_texts.text_for(code, params, "FALLBACK")
            if text == "FALLBACK" or not CJK.search(text) or "{" in text:
                bad.append((code, text))
        for code, source in error_texts.HINTS.items():
            text = error_texts.hint_for(code, _dummy(source))
            if not CJK.search(text) or "{" in text:
                bad.append((code, text))
        assert not bad, bad
        # A problem is worded inside its message; an event words message and hint.
        assert error_texts.text_for("train_config.invalid", {
            "field": "lora_r", "value": 0, "rule": "range_from_to", "low": 1, "high": 4096}, "") == (
            "lora_r：必须在 1 到 4096 之间（当前值为 0）。")
        assert error_texts.event_error_text("No adapter in /x.", "Pick …", {
            "code": "merge.no_adapter", "params": {"path": "/x"}}) == (
            "/x 中没有适配器。\n请选择已完成或已停止的训练的适配器文件夹。")
        # A code nobody worded falls back to the engine's English, never to nothing.
        assert error_texts.event_error_text("Boom.", "Do this.", {"code": "nobody.knows"}) == "Boom.\nDo this."
    finally:
        main_window.ctx.set_language("en")


def test_a_real_user_error_is_worded_from_its_code(main_window, tmp_path):
    from app.core.datasets import load_dataset_file
    from app.core.errors import UserError

    main_window.ctx.set_language("zh_CN")
    try:
        with pytest.raises(UserError) as info:
            load_dataset_file(tmp_path / "nope.jsonl")
        assert error_texts.user_error_text(info.value) == f"找不到文件：{tmp_path / 'nope.jsonl'}"
        assert str(info.value).startswith("File not found:")  # the CLI's English stays
    finally:
        main_window.ctx.set_language("en")


# --- real failures in the real window --------------------------------------------------------------

def test_a_gbk_dataset_is_refused_in_chinese(main_window, qtbot, tmp_path, monkeypatch):
    from app.views import datasets as datasets_view

    main_window.ctx.set_language("zh_CN")
    main_window.show_panel("datasets")
    panel = main_window.panel("datasets")
    errors = []
    monkeypatch.setattr(datasets_view, "show_error", lambda parent, title, text: errors.append(text))
    f = tmp_path / "gbk.jsonl"
    f.write_bytes('{"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}]}\n'
                  '{"messages": [{"role": "user", "content": "再见"}, {"role": "assistant", "content": "再会"}]}\n'
                  .encode("gbk"))
    panel.import_path(str(f))
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    text = errors[0]
    assert text.startswith("无法导入 gbk.jsonl：\n"), text
    # The whole file is named as GBK, with the first line and byte that are not UTF-8.
    assert "不是 UTF-8 文本：第 1 行第 44 列是字节 0xc4" in text and "GBK" in text, text
    assert "请把文件另存为 UTF-8" in text
    assert not re.search(r"\b(has no valid|line \d|not UTF-8 text)\b", text), text
    main_window.ctx.set_language("en")


def test_a_duplicate_project_name_is_refused_in_chinese(main_window, monkeypatch):
    from app.views import projects as projects_view
    from tests.gui.test_projects_panel import answer_dialog

    main_window.ctx.set_language("zh_CN")
    main_window.show_panel("projects")
    panel = main_window.panel("projects")
    errors = []
    monkeypatch.setattr(projects_view, "show_error", lambda parent, title, text: errors.append(text))
    answer_dialog(monkeypatch, ("诗歌", ""))
    panel.new_btn.click()
    answer_dialog(monkeypatch, ("诗歌", ""), None)
    panel.new_btn.click()
    assert errors == ["已存在名为“诗歌”的项目，请换一个名称。"]
    main_window.ctx.set_language("en")


@pytest.mark.slow
def test_knowledge_reasons_and_an_engine_failure_read_in_chinese(main_window, qtbot, tmp_path):
    from tests.gui.test_datasets_panel import drop

    main_window.ctx.set_language("zh_CN")
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "empty.txt").write_bytes(b"")
    (docs / "image.bin").write_bytes(b"\x00\x01\x02binary")
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000):
        drop(panel, [docs])
    reasons = {panel.docs.item(r, 0).text().split(" — ")[0]: panel.docs.item(r, 5)
               for r in range(panel.docs.rowCount())}
    assert reasons["empty.txt"].text() == "空文件" and reasons["empty.txt"].toolTip().endswith("empty file")
    assert reasons["image.bin"].text().startswith("不支持的文件类型（.bin，二进制）")

    # The engine fails: the knowledge base is gone behind the panel's back.
    kb_id = panel.kb_id()
    panel.store.delete(kb_id)
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as blocker:
        panel.add_paths([str(docs / "empty.txt")])
    outcome = blocker.args[0]
    assert not outcome.ok and outcome.last_error_event.extra["code"] == "kb.not_found"
    assert panel.rate.text() == f"索引已停止：没有知识库“{kb_id}”。"
    main_window.ctx.set_language("en")


def test_every_template_names_only_placeholders_so_none_renders_empty():
    """A literal brace in a template ("{…}", a JSON example) makes format() fail and the text vanish:
    literal braces must be doubled."""
    import string

    from app.views import error_texts

    bad = []
    for table in ("MESSAGES", "HINTS", "PROBLEMS"):
        for code, source in getattr(error_texts, table).items():
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(source) if f is not None]
            except ValueError as exc:
                bad.append((table, code, str(exc)))
                continue
            bad += [(table, code, f) for f in fields if not f.isidentifier()]
    assert not bad
