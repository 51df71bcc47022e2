"""Retrieval quality on the generated hard bilingual set (benchmarks/retrieval_set.py).

Indexes the set's files with the real knowledge library (``Knowledge.add``: readers, splitter,
embedder, faiss, BM25) in a throw-away AI_PLATFORM_HOME, then asks every question in each mode and
prints hit@1, hit@5 and MRR (of the first right chunk in the top 5) per split, mode and kind.
A hit is a chunk of the gold file that also contains the question's ``answer`` where it has one.

    python -m benchmarks.retrieval_quality [--scale F] [--model M] [--modes dense,bm25,hybrid]
        [--sweep]    also try fusion weights / candidate counts for hybrid (on dev)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def build(tmp: Path, scale: float = 1.0, model: str | None = None, seed: int | None = None):
    """A knowledge base with the set indexed; returns (Knowledge, questions, docs). The database
    stays open (``k.store``): close it with ``close(k)``."""
    from benchmarks import retrieval_set as rs

    os.environ.setdefault("AI_PLATFORM_HOME", str(tmp / "home"))
    docs, qs = rs.write(tmp / "set", rs.SEED if seed is None else seed, scale)
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    store = KnowledgeStore(open_database())
    name = f"retrieval-eval-{int(time.time() * 1000)}"
    kb = store.create(name, embedding_model=model)
    k = Knowledge(kb, store)
    summary = k.add([str(tmp / "set" / "docs")])
    bad = [f for f in summary["files"] if f["status"] not in ("indexed", "unchanged")]
    if bad:
        raise RuntimeError(f"indexing failed: {bad[:3]}")
    for q in qs:
        q.gold = str((tmp / "set" / "docs" / q.gold).resolve())
    return k, qs, docs


def close(k) -> None:
    k.store._db.close()


def score(k, qs, mode: str, top_k: int = 5, **search_kw) -> dict:
    """{split: {"all": metrics, kind: metrics}} for one mode."""
    from benchmarks.retrieval_set import answer_in

    vecs = k.emb.embed_queries([q.q for q in qs])
    acc: dict = defaultdict(lambda: defaultdict(lambda: [0, 0, 0.0, 0]))
    for q, v in zip(qs, vecs):
        res = k.index.search(q.q, v, top_k=top_k, mode=mode, **search_kw)
        rank = next((i for i, c in enumerate(res) if os.path.realpath(c["file"]) == q.gold
                     and answer_in(q.answer, c["text"])), None)
        for key in ("all", q.kind, f"lang:{q.lang}"):
            a = acc[q.split][key]
            a[0] += rank == 0
            a[1] += rank is not None
            a[2] += 1.0 / (rank + 1) if rank is not None else 0.0
            a[3] += 1
    return {split: {key: {"hit@1": round(a[0] / a[3], 3), "hit@5": round(a[1] / a[3], 3),
                          "mrr": round(a[2] / a[3], 3), "n": a[3]} for key, a in sorted(d.items())}
            for split, d in sorted(acc.items())}


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--model", default=None)
    ap.add_argument("--modes", default="dense,bm25,hybrid")
    ap.add_argument("--sweep", action="store_true")
    a = ap.parse_args(argv)
    from app.knowledge.index import RRF_K

    with tempfile.TemporaryDirectory() as t:
        t0 = time.perf_counter()
        k, qs, docs = build(Path(t), a.scale, a.model)
        print(json.dumps({"documents": len(docs), "questions": len(qs), "chunks": len(k.index),
                          "dev": sum(q.split == "dev" for q in qs), "test": sum(q.split == "test" for q in qs),
                          "index_s": round(time.perf_counter() - t0, 1), "model": k.emb.name}), flush=True)
        for mode in a.modes.split(","):
            res = score(k, qs, mode)
            for split in ("dev", "test"):
                print(f"{split:4} {mode:7} " + "  ".join(
                    f"{key}={m['hit@1']:.3f}/{m['hit@5']:.3f}/{m['mrr']:.3f}(n={m['n']})"
                    for key, m in res.get(split, {}).items()), flush=True)
        if a.sweep:
            dev = [q for q in qs if q.split == "dev"]
            for top in (1, 2, 50):
                for margin in (0.0, 0.2, 0.5):
                    for w in (1.0, 4.0):
                        m = score(k, dev, "hybrid", bm25_weight=w, margin=margin, keyword_top=top)["dev"]["all"]
                        print(f"sweep dev hybrid keyword_top={top} margin={margin} bm25_weight={w} "
                              f"(rrf k={RRF_K}): {m}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
