"""The chat says when a grounded answer's facts are not in its sources, or are in another source."""

from __future__ import annotations

import pytest

from app.core import answer_support
from app.core.chat_store import ChatStore
from app.core.rag import Passage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PASSAGES = [Passage(1, "The Lisbon site opened in 1987 and employs 2,400 people.", "lisbon.md", None, 0.6, "Sites"),
            Passage(2, "The Oslo site opened in 2001 and employs 380 people.", "oslo.md", None, 0.5, "Sites")]


def _answer(store, session, text):
    store.add_message(session.id, "user", "How many people work at the Lisbon site?")
    cites = [{"n": p.n, "file": p.file, "page": None, "kb": p.kb, "score": p.score, "chunk": 0, "text": p.text}
             for p in PASSAGES]
    return store.add_message(session.id, "assistant", text, meta={
        "rag": "grounded", "citations": cites, "label": "SmolLM2-135M-Instruct",
        "support": answer_support.check(text, PASSAGES).to_meta()})


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_unsupported_and_miscited_answers_are_marked_a_supported_one_is_not(main_window, qtbot, lang):
    if lang != "en":
        main_window.ctx.set_language(lang)
    store = ChatStore(main_window.ctx.db)
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    texts = {}
    for key, answer in {"invented": "The Lisbon site employs 2500 people [1].",
                        "miscited": "The Lisbon site employs 380 people [1].",
                        "right": "The Lisbon site employs 2400 people [1]."}.items():
        session = store.create_session(title=key, model="default", params={"kbs": ["Sites"]})
        _answer(store, session, answer)
        panel.open_session(session.id)
        texts[key] = panel.transcript_text()
    if lang == "en":
        assert "Not supported by the sources: 2500" in texts["invented"]
        assert "Cited the wrong source: 380 → [2]" in texts["miscited"]
    else:
        assert "来源不支持" in texts["invented"] and "2500" in texts["invented"]
        assert "引用了错误的来源" in texts["miscited"] and "380 → [2]" in texts["miscited"]
    for word in ("Not supported", "wrong source", "来源不支持", "错误的来源"):
        assert word not in texts["right"]


def test_a_compressed_source_highlights_its_whole_chunk_and_says_it_was_cut(main_window, tmp_path):
    from app.core import rag
    from app.views.chat_source import SourceDialog

    doc = tmp_path / "sites.md"
    filler = " ".join(["Staff must follow the workplace safety rules at all times."] * 25)
    chunk = f"{filler} The Oslo site employs 380 people."
    doc.write_text(f"# Sites\n\n{chunk}\n", encoding="utf-8")
    results = [{"kb": "Sites", "chunks": [{"text": chunk, "file": str(doc), "dense_score": 0.6}]}]
    [p] = rag.select_passages(results, budget_tokens=60, query="How many people does the Oslo site employ?",
                              compress=True)
    assert p.full_text == chunk and p.text.endswith("The Oslo site employs 380 people.")
    dialog = SourceDialog(p.to_citation(), main_window)
    try:
        assert dialog.highlighted
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(dialog.text.document())
        text = dialog.text.toPlainText()
        for at in (text.index("Staff") + 1, text.index("380 people") + 2):  # the chunk's first and last sentence
            cursor.setPosition(at)
            assert cursor.charFormat().background().color().name() == "#fde68a"
        assert "only this passage's sentences" in dialog.where.text()
    finally:
        dialog.close()
