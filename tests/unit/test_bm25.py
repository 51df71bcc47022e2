"""The keyword index (app/knowledge/index.BM25) against the textbook formula.

Its postings are flat arrays with dead rows and a compaction, so the check is a long random run
of adds, re-adds and removes (through compactions) whose every search is compared with Okapi BM25
computed from scratch over the live chunks."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from app.knowledge.index import BM25, tokenize

WORDS = ["bridge", "river", "glass", "tower", "moss", "kite", "tea", "ferry", "桥", "河流", "玻璃", "风筝", "茶馆"]


def reference(docs: dict[int, str], query: str, k: int, k1: float = 1.5, b: float = 0.75):
    tfs = {cid: Counter(tokenize(text)) for cid, text in docs.items()}
    n = len(tfs)
    if not n:
        return []
    avg = sum(sum(tf.values()) for tf in tfs.values()) / n
    scores: dict[int, float] = {}
    for term, qtf in Counter(tokenize(query)).items():
        df = sum(1 for tf in tfs.values() if term in tf)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for cid, tf in tfs.items():
            f = tf.get(term, 0)
            if f:
                size = sum(tf.values())
                scores[cid] = scores.get(cid, 0.0) + qtf * idf * f * (k1 + 1) / (f + k1 * (1 - b + b * size / avg))
    return sorted(scores.items(), key=lambda kv: -kv[1])[:k]


def test_matches_the_formula_through_removes_and_compactions():
    rnd = random.Random(3)
    bm, docs = BM25(), {}
    BM25._COMPACT_MIN, saved = 8, BM25._COMPACT_MIN  # compact often in a small run
    try:
        for step in range(600):
            op = rnd.random()
            if op < 0.55 or not docs:
                cid = rnd.randint(1, 60)  # often an id already there: a re-add
                text = " ".join(rnd.choices(WORDS, k=rnd.randint(1, 12)))
                bm.add(cid, text)
                docs[cid] = text
            else:
                cid = rnd.choice(list(docs))
                bm.remove(cid)
                del docs[cid]
            if step % 7 == 0:
                query = " ".join(rnd.sample(WORDS, 3))
                got, want = bm.search(query, 5), reference(docs, query, 5)
                assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)
                # ties may come in another order: the ids scored above the last one must agree
                last = want[-1][1] if want else 0.0
                assert {i for i, s in got if s > last * (1 + 1e-5)} == {i for i, s in want if s > last * (1 + 1e-5)}
        assert len(bm) == len(docs)
    finally:
        BM25._COMPACT_MIN = saved


def test_a_removed_chunk_is_never_found_and_an_emptied_index_answers_nothing():
    bm = BM25()
    for i in range(3000):
        bm.add(i, f"glass bridge {i}")
    for i in range(3000):
        bm.remove(i)
    assert len(bm) == 0
    assert bm.search("glass", 5) == []
    bm.add(7, "moss on the glass bridge")
    assert bm.search("glass bridge", 5)[0][0] == 7
