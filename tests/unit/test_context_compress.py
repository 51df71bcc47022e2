"""Context compression (app/core/context_compress.py): what a user would see is a passage cut to
the sentences that answer the question, never a rewritten one, and more sources in the prompt."""

from __future__ import annotations

from app.core import rag
from app.core.context_compress import GAP, compress

CATALOG = """# Acme pump catalogue 2021

This catalogue lists every pump model that Acme sells in 2021. All models come with a two-year warranty.
Prices are recommended retail prices in US dollars, excluding tax.

## Models

| Model | Capacity | Weight (kg) | Price (USD) |
|---|---|---|---|
| AC-1111 | 40 L/h | 12.3 | 560 |
| AC-2222 | 80 L/h | 22.3 | 960 |
| AC-3333 | 90 L/h | 25.0 | 1200 |
"""

HANDBOOK = ("# 员工手册\n\n## 年假\n\n除合同另有约定外，本节适用于所有正式员工。员工每年享有15天带薪年假。"
            "相关申请应通过员工门户提交。\n\n## 病假\n\n人力资源部每年复核本政策。员工每年享有10天带薪病假。")


def pieces(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n…\n", "\n").replace(GAP, "\n").splitlines() if p.strip() and p.strip() != "…"]


def test_a_table_row_comes_with_its_header_and_nothing_is_rewritten():
    out = compress(CATALOG, "How heavy is model AC-2222?", 60)
    assert "| AC-2222 | 80 L/h | 22.3 | 960 |" in out
    assert "| Model | Capacity | Weight (kg) | Price (USD) |" in out and "|---|---|---|---|" in out
    assert "AC-1111" not in out and "AC-3333" not in out
    assert all(p in CATALOG for p in pieces(out))  # every kept piece is the document's own text
    assert rag.estimate_tokens(out) <= 60


def test_a_chinese_sentence_comes_with_its_heading_and_the_budget_holds():
    out = compress(HANDBOOK, "员工每年有多少天年假？", 40)
    assert "员工每年享有15天带薪年假。" in out and "## 年假" in out
    assert rag.estimate_tokens(out) <= 40
    assert all(p in HANDBOOK for p in pieces(out))


def test_a_passage_that_shares_no_term_is_not_judged():
    assert compress(CATALOG, "员工每年有多少天年假？", 60) is None  # the other language: kept whole or left out
    assert compress(CATALOG, "How heavy is model AC-2222?", 5) is None  # not even the best unit fits


def test_select_passages_fits_more_sources_when_compressing():
    long_filler = " ".join(["Staff must follow the workplace safety rules at all times."] * 25)
    chunks = [{"text": f"{long_filler} The Lisbon site employs 2,400 people.", "file": "lisbon.md", "dense_score": 0.6},
              {"text": f"{long_filler} The Oslo site employs 380 people.", "file": "oslo.md", "dense_score": 0.55}]
    results = [{"kb": "Sites", "chunks": chunks}]
    question = "How many people does the Oslo site employ?"
    budget = rag.estimate_tokens(chunks[0]["text"]) + 60
    whole = rag.select_passages(results, budget_tokens=budget, query=question)
    assert [p.file for p in whole] == ["lisbon.md"]  # the second does not fit whole
    cut = rag.select_passages(results, budget_tokens=budget, query=question, compress=True)
    assert [p.file for p in cut] == ["lisbon.md", "oslo.md"]
    assert "The Oslo site employs 380 people." in cut[1].text and cut[1].full_text == chunks[1]["text"]
    citation = cut[1].to_citation()
    assert citation["compressed"] is True and citation["full_text"] == chunks[1]["text"]
    assert cut[0].full_text is None and "compressed" not in cut[0].to_citation()


def test_a_rerankers_order_decides_the_passages_when_it_scored_them_all():
    chunks = [{"text": "The Lisbon site employs 2,400 people.", "file": "lisbon.md", "dense_score": 0.6,
               "rerank_score": -1.5},
              {"text": "The Oslo site employs 380 people.", "file": "oslo.md", "dense_score": 0.5, "rerank_score": 2.0}]
    ps = rag.select_passages([{"kb": "Sites", "chunks": chunks}], budget_tokens=500, query="Oslo staff?")
    assert [p.file for p in ps] == ["oslo.md", "lisbon.md"] and ps[0].to_citation()["rerank_score"] == 2.0
    del chunks[1]["rerank_score"]  # not every candidate scored: the dense similarity decides
    ps = rag.select_passages([{"kb": "Sites", "chunks": chunks}], budget_tokens=500, query="Oslo staff?")
    assert [p.file for p in ps] == ["lisbon.md", "oslo.md"] and "rerank_score" not in ps[0].to_citation()
