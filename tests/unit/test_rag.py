"""RAG prompt building: relevance, numbering, the context budget, citations (Qt-free)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core import rag

REPO = Path(__file__).resolve().parents[2]


def chunk(text, dense, file="a.md", page=None):
    return {"text": text, "dense_score": dense, "score": dense, "file": file, "page": page, "chunk": 0}


def test_estimate_tokens_counts_chinese_per_character():
    assert rag.estimate_tokens("你好世界") == 4
    assert 2 <= rag.estimate_tokens("hello world") <= 4


def test_select_passages_drops_irrelevant_and_numbers_the_rest():
    results = [{"kb": "docs", "query": "bridge", "chunks": [chunk("The bridge was built in 1893.", 0.6),
                                                            chunk("Unrelated text about jam.", 0.05)]},
               {"kb": "more", "chunks": [chunk("Another bridge fact.", 0.4, file="b.md", page=3)]}]
    passages = rag.select_passages(results, budget_tokens=1000)
    assert [(p.n, p.kb, p.file) for p in passages] == [(1, "docs", "a.md"), (2, "more", "b.md")]
    prompt = rag.grounded_question("When was the bridge built?", passages)
    assert "[1] (a.md)" in prompt and "[2] (b.md, p. 3)" in prompt and prompt.endswith("When was the bridge built?")


def test_select_passages_respects_the_budget():
    long = "word " * 400
    results = [{"kb": "k", "chunks": [chunk(long, 0.9), chunk("short fact", 0.5)]}]
    passages = rag.select_passages(results, budget_tokens=50)
    assert [p.text for p in passages] == ["short fact"]  # the long one did not fit; the short one did
    assert rag.select_passages(results, budget_tokens=0) == []


def test_context_budget_leaves_room_for_history_and_answer():
    history = [{"role": "user", "content": "x " * 500}]
    assert rag.context_budget(history, "q", context_tokens=2048, max_tokens=512) < 2048 - 512 - 280
    assert rag.context_budget(history, "q", context_tokens=600, max_tokens=512) == 0


def test_word_overlap_rescues_a_weak_dense_match_but_not_an_off_topic_one():
    page = (REPO / "resources/samples/kb/training-and-chat.en.md").read_text(encoding="utf-8")
    q = "What does the Training panel show while a run trains?"
    assert rag.is_relevant(chunk(page, 0.26), q)  # measured: 0.26 with the bundled embedder
    assert not rag.is_relevant(chunk(page, 0.26), "How do I install Python on Windows?")
    assert not rag.is_relevant(chunk(page, 0.10), q)  # too far by meaning, whatever the words


def test_cited_numbers():
    passages = rag.select_passages([{"kb": "k", "chunks": [chunk("a", 0.9), chunk("b", 0.8), chunk("c", 0.7)]}],
                                   budget_tokens=100)
    assert rag.cited_numbers("See [2] and [1, 3]; not [9].", passages) == [2, 1, 3]


@pytest.mark.slow
def test_relevance_floor_on_the_bilingual_fixture(ai_home, tmp_path):
    """Real embedder and index: real questions keep their gold passage, off-topic ones mostly get none."""
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    data = json.loads((REPO / "tests/fixtures/kb/bilingual.json").read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    docs.mkdir()
    for p in data["passages"]:
        (docs / f"{p['id']}.txt").write_text(p["text"], encoding="utf-8")
    db = open_database()
    try:
        store = KnowledgeStore(db)
        k = Knowledge(store.create("fixture"), store, None)
        k.add([str(docs)])
        kept = 0
        for q in data["queries"]:
            top = k.query(q["q"], top_k=5)["chunks"][0]
            kept += Path(top["file"]).stem == q["gold"] and rag.is_relevant(top, q["q"])
        off_topic = ["What is the boiling point of mercury on Mars?", "Who won the football world cup in 1998?",
                     "Explain quantum entanglement", "今天天气怎么样", "How do I install Python on Windows?",
                     "什么是神经网络", "hello", "你好"]
        refused = sum(not any(rag.is_relevant(c, q) for c in k.query(q, top_k=5)["chunks"]) for q in off_topic)
    finally:
        db.close()
    print(f"gold passage kept as relevant: {kept}/{len(data['queries'])}; off-topic refused: {refused}/{len(off_topic)}")
    assert kept >= len(data["queries"]) - 3  # measured 51 of 52 (hit@1 misses count too)
    assert refused == len(off_topic)  # measured 8 of 8


def test_invented_citations_are_removed_and_pages_checked():
    from app.core.rag import Passage, clean_citations

    ps = [Passage(n=i, text=f"passage {i}", file="guide.pdf", page=i, score=0.5, kb="Docs") for i in (1, 2)]
    # What the bundled model wrote: markers beyond the four... here two passages.
    text, invented, pages = clean_citations("Roofs are teal [1]. See also [5]–[7].", ps)
    assert text == "Roofs are teal [1]. See also." and invented == [5, 6, 7] and pages == []
    text, invented, _ = clean_citations("Both say it [1, 3] and [2][4].", ps)
    assert text == "Both say it [1] and [2]." and invented == [3, 4]
    text, invented, pages = clean_citations("As page 8 says [2]; 第 2 页 agrees.", ps)
    assert text == "As page 8 says [2]; 第 2 页 agrees." and invented == [] and pages == [8]
    assert clean_citations("Teal [1].", ps) == ("Teal [1].", [], [])  # a correct answer is untouched
