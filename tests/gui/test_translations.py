"""Both languages, always: the catalog is complete and the running app shows no English in zh_CN."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QMenu, QPlainTextEdit, QTableWidget,
    QWidget,
)

from app.views.main_window import PANEL_KEYS

REPO = Path(__file__).resolve().parents[2]
ZH_TS = REPO / "i18n" / "ai_platform_zh_CN.ts"
# Words that stay as they are in Chinese text: product and technical names.
ALLOWED = {
    "AI", "GPU", "CPU", "vLLM", "LoRA", "QLoRA", "GGUF", "JSON", "JSONL", "CSV", "Alpaca", "ShareGPT",
    "OpenAI", "messages", "Hugging", "Face", "Python", "SmolLM2-135M-Instruct", "English", "AI_PLATFORM_HOME",
    "GNOME", "Keyring", "KWallet", "RAG", "VRAM", "tmp", "home", "zh_CN", "en", "NVIDIA", "NF4",
    "float32", "bfloat16", "float16", "alpha", "dropout", "adamw_torch", "paged_adamw_8bit", "AdamW", "ETA",
    "openai", "alpaca", "sharegpt", "PNG", "PDF", "Word", "HTML", "Markdown", "DOCX", "TXT",
    "DPO", "ORPO", "beta", "Platform", "Hub", "Top", "Top-p", "Shift", "Ctrl", "Enter", "Esc", "Transformers", "API", "URL", "ai-platform", "setup-models", "ReAct",
    "DDP", "ZeRO-2", "ZeRO-3", "FSDP", "DeepSpeed", "PyTorch",  # names of the distributed strategies
    "faiss", "Milvus", "Lite", "http", "HOST", "OCR",  # vector stores, a server address, OCR
    "transformers", "ROUGE-L", "BLEU", "chrF",  # a library and metric names
    "YYYY-MM-DD",  # the date format a person types
}


def _messages():
    tree = ET.parse(ZH_TS)
    for ctx in tree.iter("context"):
        for msg in ctx.iter("message"):
            yield ctx.find("name").text, msg.find("source").text, msg.find("translation")


def test_catalog_has_no_unfinished_entry():
    bad = [(c, s) for c, s, t in _messages()
           if t is None or t.get("type") in ("unfinished", "obsolete", "vanished") or not (t.text or "").strip()]
    assert not bad, f"unfinished zh_CN translations: {bad[:10]}"


def test_translations_keep_placeholders():
    for ctx, src, tr in _messages():
        assert sorted(re.findall(r"\{\w+\}", src)) == sorted(re.findall(r"\{\w+\}", tr.text or "")), (ctx, src)


def test_catalog_covers_every_tr_string_in_the_code(tmp_path):
    """A tr() string added without running lupdate (and translating) fails here."""
    fresh = tmp_path / "fresh.ts"
    sources = [str(p) for p in (REPO / "app").rglob("*.py") if "_assets" not in p.parts]
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    subprocess.run([str(lupdate), "-silent", "-locations", "none", *sources, "-ts", str(fresh)],
                   check=True, cwd=REPO, capture_output=True)
    wanted = {(c.find("name").text, m.find("source").text)
              for c in ET.parse(fresh).iter("context") for m in c.iter("message")}
    have = {(c, s) for c, s, _ in _messages()}
    missing = sorted(wanted - have)
    assert not missing, f"run scripts/build_assets.py --update-ts and translate: {missing[:10]}"


def _visible_texts(widget: QWidget) -> list[tuple[str, str]]:
    found = []
    for w in [widget, *widget.findChildren(QWidget)]:
        texts = []
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            texts.append(w.placeholderText())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTableWidget):
            texts += [w.horizontalHeaderItem(i).text() for i in range(w.columnCount()) if w.horizontalHeaderItem(i)]
        if isinstance(w, QMenu):
            texts.append(w.title())
            texts += [a.text() for a in w.actions()]
        found += [(type(w).__name__, t) for t in texts if t]
    return found


def _english_words(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", text)           # rich-text tags
    text = re.sub(r"[\w.\-]*(/[\w.\-]+)+", " ", text)  # paths, absolute or relative
    text = re.sub(r"&(?=\w)", "", text)            # mnemonics
    # file paths are data (the user's folders), not interface text
    text = re.sub(r"\S*/\S*", "", text.replace("\u200b", ""))
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_0-9\-]{2,}", text) if w not in ALLOWED]


def test_running_app_in_chinese_shows_no_untranslated_text(main_window, qtbot):
    from PySide6.QtWidgets import QApplication

    main_window.ctx.set_language("zh_CN")
    for key in PANEL_KEYS:
        main_window.show_panel(key)
    QApplication.processEvents()
    offenders = [(cls, text) for cls, text in _visible_texts(main_window) if _english_words(text)]
    offenders += [("menu", a.text()) for a in main_window.menuBar().actions() if _english_words(a.text())]
    assert not offenders, f"untranslated text in zh_CN: {offenders[:10]}"


def test_no_translation_call_hides_inside_an_f_string():
    """lupdate does not look inside f-string expressions: a tr()/translate() there never gets translated."""
    import pathlib

    pattern = re.compile(r"""\bf(["']).*\{[^{}]*(?:\btranslate|\.tr)\(""")
    offenders = []
    for path in sorted(pathlib.Path(__file__).resolve().parents[2].joinpath("app").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.name}:{n}")
    assert not offenders, offenders
