"""RAG in chat: attached knowledge bases ground the answer, citations open the source at the chunk,
and an off-topic question gets "No relevant passage found" instead of a made-up answer."""

from __future__ import annotations

import pytest

from app.core.chat_store import ChatStore

pytestmark = pytest.mark.slow

DOCS = {
    "bridge.md": "# Ostrand\n\nThe Velmora glass bridge in the fictional city of Ostrand was built in 1893 "
                 "and sways gently when the north wind blows across the harbour.\n",
    "jam.txt": "Quillberry jam is made by boiling violet quillberries with honey for exactly forty minutes.\n",
    "tea.txt": "云雾山的茶农每年清明前采摘第一批嫩芽，用竹篓背下山。\n",
}


def make_kb(db, folder):
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = KnowledgeStore(db)
    kb = store.create("Ostrand facts")
    Knowledge(kb, store, None).add([str(folder)])
    return kb


@pytest.fixture
def rag_chat(main_window, home_with_model, tmp_path):
    ctx = main_window.ctx
    ctx.serve._engine_choice = "transformers"
    kb = make_kb(ctx.db, tmp_path / "docs")
    main_window.show_panel("chat")
    panel = main_window.panel("chat")
    panel.new_session()
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(48)
    panel.side.set_attached([kb.id])
    yield panel, kb
    ctx.kb_query.shutdown()
    ctx.serve.shutdown()


def test_grounded_answer_cites_the_passage_and_opens_it(rag_chat, qtbot, tmp_path, monkeypatch):
    from tests.helpers.rerank_model import tiny_cross_encoder

    panel, kb = rag_chat
    # a reranker installed: the chat's retrieval goes through it (the knowledge engine starts on
    # the first question and finds it)
    tiny_cross_encoder(tmp_path / "reranker")
    monkeypatch.setenv("AI_PLATFORM_RERANKER", str(tmp_path / "reranker"))
    assert panel.store.get_session(panel.session.id).kb_ids == [kb.id]
    panel.send("When was the Velmora glass bridge built?")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.status == "complete", answer.meta
    assert answer.meta["rag"] == "grounded"
    cites = answer.meta["citations"]
    assert cites[0]["file"].endswith("bridge.md") and "1893" in cites[0]["text"]
    assert all("rerank_score" in c for c in cites)
    assert "Sources: [1] bridge.md" in panel.transcript_text()
    dialog = panel.open_citation(answer.id, 1)
    assert dialog.highlighted and "1893" in dialog.text.toPlainText()
    dialog.close()


def test_off_topic_question_says_no_relevant_passage(rag_chat, qtbot):
    panel, _kb = rag_chat
    panel.send("How do I install Python on Windows?")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.meta.get("rag") == "none"
    assert answer.content.startswith("No relevant passage found")


def test_only_documents_filter_keeps_retrieval_to_matching_documents(rag_chat, qtbot):
    """The side pane's "Only documents" is saved with the chat and reaches retrieval: a tag no
    document has says so (instead of "no relevant passage"), and the tag the bridge has still
    grounds the answer on it."""
    from app.core.kb import KnowledgeStore

    panel, kb = rag_chat
    docs = KnowledgeStore(panel.ctx.db).documents(kb.id)
    bridge = next(d for d in docs if d.path.endswith("bridge.md"))
    KnowledgeStore(panel.ctx.db).set_metadata(kb.id, bridge.path, tags="history")
    side = panel.side
    assert side.filter_tags.isVisible()
    side.filter_tags.setText("recipes")
    side._filter_now() if side._filter_timer.isActive() else side._filter_changed()
    assert panel.store.get_session(panel.session.id).params["kb_filter"] == {"tags": ["recipes"]}
    panel.send("When was the Velmora glass bridge built?")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.meta.get("rag") == "none"
    assert answer.content.startswith('No document in the attached knowledge bases matches "Only documents"')

    side.filter_tags.setText("History")  # tags match in any case
    side._filter_changed()
    panel.send("When was the Velmora glass bridge built?")
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    answer = ChatStore(panel.ctx.db).messages(panel.session.id)[-1]
    assert answer.meta["rag"] == "grounded", answer.content
    assert {c["file"] for c in answer.meta["citations"]} == {bridge.path}
