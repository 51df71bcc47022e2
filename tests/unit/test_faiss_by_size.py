"""A faiss base changes from a flat index to IVF by size (app/knowledge/vectors.FaissVectors).

The threshold is lowered (AI_PLATFORM_KB_IVF_FROM) so a few thousand vectors stand in for the
200k where it happens for real; the vectors are clustered like passages of a few hundred
documents. What a user would notice: the answers stay those of an exact search (recall@10 of
the top 10), a delete or a filter still behaves, and the index stays IVF after reopening."""

from __future__ import annotations

import json

import numpy as np

from app.knowledge.index import KBIndex
from app.knowledge.vectors import RECALL_TARGET

DIM = 48


def clustered(n: int, rng, docs: int = 300) -> np.ndarray:
    """Passages: a document's direction plus their own; the same draw makes unseen passages,
    which stand in for questions (``clustered(100, same rng state)``)."""
    centres = np.random.default_rng(99).standard_normal((docs, DIM)).astype(np.float32)
    x = centres[rng.integers(0, docs, n)] + 0.5 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def build(folder, vecs) -> KBIndex:
    idx = KBIndex(folder, "test-model", DIM)
    for start in range(0, len(vecs), 500):
        part = vecs[start:start + 500]
        idx.add(f"doc{start // 500}.txt", [f"passage {start + i}" for i in range(len(part))], [None] * len(part), part)
    idx.save()
    return idx


def recall_at_10(idx: KBIndex, vecs: np.ndarray, queries: np.ndarray) -> float:
    ids = np.array(sorted(idx.chunks))
    exact = np.argsort(-(queries @ vecs.T), axis=1)[:, :10]
    got = [[i for i, _ in idx.dense(q, 10)] for q in queries]
    return float(np.mean([len(set(ids[e]) & set(g)) / 10 for e, g in zip(exact, got)]))


def test_a_large_base_searches_ivf_with_the_recall_of_an_exact_search(tmp_path, monkeypatch):
    monkeypatch.setenv("AI_PLATFORM_KB_IVF_FROM", "2000")
    rng = np.random.default_rng(5)
    vecs = clustered(6000, rng)
    idx = KBIndex(tmp_path / "kb", "test-model", DIM)
    idx.add("doc0.txt", ["passage"] * 1000, [None] * 1000, vecs[:1000])
    assert not idx.vectors.rebuild_pending()  # below the threshold: the save stays quick
    idx.add("doc1.txt", ["passage"] * 5000, [None] * 5000, vecs[1000:])
    assert idx.vectors.rebuild_pending()  # past it: the knowledge engine says why this save is slow
    idx = build(tmp_path / "kb", vecs)
    assert not idx.vectors.rebuild_pending()  # built at that save; the next one just writes
    manifest = json.loads((tmp_path / "kb" / "manifest.json").read_text())
    assert manifest["vector_index"]["index"] == "ivf"
    assert 1 <= manifest["vector_index"]["nprobe"] < manifest["vector_index"]["lists"]
    assert idx.vectors.recall >= RECALL_TARGET

    queries = clustered(200, rng)  # unseen passages of the same documents
    assert recall_at_10(idx, vecs, queries) >= 0.95

    reopened = KBIndex.open(tmp_path / "kb", "test-model", DIM)
    assert reopened.vectors.describe()["index"] == "ivf"
    assert [i for i, _ in reopened.dense(queries[0], 10)] == [i for i, _ in idx.dense(queries[0], 10)]

    # a delete leaves the index; a filter reaches a document wherever its vectors sit
    reopened.remove_path("doc0.txt")
    reopened.save()
    assert all(i > 500 for i, _ in reopened.dense(vecs[0], 20))
    far = vecs[5999]  # the last document's passage, searched from a query that points elsewhere
    hits = reopened.search("passage", -far, top_k=3, mode="dense", allow={"doc11.txt"})
    assert hits and all(h["file"] == "doc11.txt" for h in hits)
    exact = sorted(range(5500, 6000), key=lambda r: -float(vecs[r] @ -far))[:3]
    assert [h["id"] for h in hits] == [r + 1 for r in exact]


def test_a_base_that_shrinks_well_below_the_threshold_is_exact_again(tmp_path, monkeypatch):
    monkeypatch.setenv("AI_PLATFORM_KB_IVF_FROM", "2000")
    idx = build(tmp_path / "kb", clustered(6000, np.random.default_rng(1)))
    assert idx.vectors.describe()["index"] == "ivf"
    for d in range(11):
        idx.remove_path(f"doc{d}.txt")
    idx.save()
    assert len(idx) == 500
    assert idx.vectors.describe() == {"index": "flat", "vectors": 500}


def test_vectors_without_structure_stay_flat_and_are_not_tried_again_at_every_save(tmp_path, monkeypatch):
    """Random vectors have no cells to speak of: IVF would need most of them probed to keep the
    recall, so the base scans a flat float16 index (its recall measured) and says why IVF was
    refused; reopened, it does not try again at every save."""
    from app.knowledge.vectors import FaissVectors

    monkeypatch.setenv("AI_PLATFORM_KB_IVF_FROM", "2000")
    rng = np.random.default_rng(2)
    vecs = rng.standard_normal((4000, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    idx = build(tmp_path / "kb", vecs)
    desc = idx.vectors.describe()
    assert desc["index"] == "flat-fp16" and desc["ivf_refused"]["recall"] < RECALL_TARGET
    assert desc["recall"] >= RECALL_TARGET
    manifest = json.loads((tmp_path / "kb" / "manifest.json").read_text())
    assert manifest["vector_index"]["ivf_refused"]["vectors"] == 4000

    builds = []
    real = FaissVectors._rebuild
    monkeypatch.setattr(FaissVectors, "_rebuild", lambda self, n: (builds.append(n), real(self, n)))
    reopened = KBIndex.open(tmp_path / "kb", "test-model", DIM)
    reopened.add("more.txt", ["passage"], [None], vecs[:1])
    reopened.save()
    assert builds == []  # not doubled yet: no second try
    assert reopened.vectors.describe()["index"] == "flat-fp16"
    assert reopened.vectors.describe()["recall"] == desc["recall"]
    hits = reopened.dense(vecs[7], 3)
    assert hits[0][0] == 8 and abs(hits[0][1] - 1.0) < 1e-3  # float16 vectors: the same passage first
