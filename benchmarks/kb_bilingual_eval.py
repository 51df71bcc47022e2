"""Bilingual retrieval (hit@1 / hit@5) per embedding model, dense vs BM25 vs hybrid (RRF).

Fixture: tests/fixtures/kb/bilingual.json (40 passages, half English half Chinese; 52 queries,
12 cross-lingual). Usage: python -m benchmarks.kb_bilingual_eval [model ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "kb" / "bilingual.json"


def evaluate(model: str, modes=("dense", "bm25", "hybrid")) -> dict:
    import tempfile

    from app.knowledge.embed import get_embedder
    from app.knowledge.index import KBIndex

    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    emb = get_embedder(model)
    t0 = time.perf_counter()
    vecs = emb.embed_passages([p["text"] for p in data["passages"]])
    t_pass = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        idx = KBIndex(Path(tmp), emb.name, emb.dim)
        for p, v in zip(data["passages"], vecs):
            idx.add(p["id"], [p["text"]], [None], v.reshape(1, -1))
        qv = emb.embed_queries([q["q"] for q in data["queries"]])
        out = {"model": model, "passages_s": round(t_pass, 3)}
        for mode in modes:
            h1 = h5 = c5 = nc = 0
            for q, v in zip(data["queries"], qv):
                files = [r["file"] for r in idx.search(q["q"], v, top_k=5, mode=mode)]
                h1 += bool(files) and files[0] == q["gold"]
                h5 += q["gold"] in files
                if q.get("cross"):
                    nc += 1
                    c5 += q["gold"] in files
            n = len(data["queries"])
            out[mode] = {"hit@1": round(h1 / n, 3), "hit@5": round(h5 / n, 3),
                         "cross_hit@5": round(c5 / nc, 3) if nc else None}
    return out


def main(argv=None) -> int:
    from app.knowledge.embed import EMBEDDERS, available

    models = (argv if argv is not None else sys.argv[1:]) or [m for m in EMBEDDERS if available(m)]
    for m in models:
        print(json.dumps(evaluate(m)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
