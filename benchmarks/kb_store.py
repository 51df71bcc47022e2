"""faiss vs Milvus Lite under a knowledge base: ingest rate and query p95, same chunks, same queries.

Synthetic chunks (random unit vectors stand in for passage embeddings, so the embedder's cost,
the same for both stores, is left out; the text feeds BM25), the real KBIndex over each store:
vectors added in files of 1,000 chunks with a save every 10 files (as ingest batches them), then
dense and hybrid queries. The stores run interleaved per size in one command, and the ratio
Milvus / faiss is printed. No assertions.

    python -m benchmarks.kb_store [--sizes 10000 100000] [--queries 100] [--dim 512]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

VOCAB = ["bridge", "river", "engine", "forest", "library", "harbour", "glacier", "orchard", "market", "tower",
         "ferry", "owl", "tea", "lantern", "moss", "kite", "chess", "violin", "bakery", "licence"]
FILE_CHUNKS = 1000
SAVE_EVERY = 10


def _p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def run(kind: str, size: int, dim: int, queries: list[np.ndarray], texts: list[str], vecs: np.ndarray) -> dict:
    from app.knowledge.index import KBIndex
    from app.knowledge.vectors import new_store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        idx = KBIndex(folder, "bench", dim, new_store(kind, dim, folder))
        t0 = time.perf_counter()
        for f, start in enumerate(range(0, size, FILE_CHUNKS)):
            end = min(size, start + FILE_CHUNKS)
            idx.add(f"file{f}", texts[start:end], [None] * (end - start), vecs[start:end])
            if (f + 1) % SAVE_EVERY == 0:
                idx.save()
        idx.save()
        ingest_s = time.perf_counter() - t0
        out = {"store": kind, "chunks": size, "ingest_chunks_per_s": size / ingest_s}
        for mode in ("dense", "hybrid"):
            lat = []
            for i, q in enumerate(queries):
                t0 = time.perf_counter()
                idx.search(" ".join(VOCAB[i % len(VOCAB):][:3]), q, top_k=5, mode=mode)
                lat.append((time.perf_counter() - t0) * 1000)
            out[f"{mode}_p50_ms"] = statistics.median(lat)
            out[f"{mode}_p95_ms"] = _p95(lat)
        t0 = time.perf_counter()
        KBIndex.open(folder, "bench", dim)
        out["open_s"] = time.perf_counter() - t0
        return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--dim", type=int, default=512)
    args = ap.parse_args()
    rnd = random.Random(0)
    rng = np.random.default_rng(0)
    queries = rng.standard_normal((args.queries, args.dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    for size in args.sizes:
        vecs = rng.standard_normal((size, args.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        texts = [" ".join(rnd.choices(VOCAB, k=30)) for _ in range(size)]
        rows = [run(kind, size, args.dim, list(queries), texts, vecs) for kind in ("faiss", "milvus")]
        for r in rows:
            print(f"{r['store']:7} {size:>7} chunks  ingest {r['ingest_chunks_per_s']:8.0f} chunks/s  "
                  f"dense p50 {r['dense_p50_ms']:7.1f} ms p95 {r['dense_p95_ms']:7.1f} ms  "
                  f"hybrid p95 {r['hybrid_p95_ms']:7.1f} ms  open {r['open_s']:5.2f} s")
        f, m = rows
        print(f"milvus/faiss at {size}: ingest rate ×{m['ingest_chunks_per_s'] / f['ingest_chunks_per_s']:.2f}, "
              f"dense p95 ×{m['dense_p95_ms'] / f['dense_p95_ms']:.2f}, hybrid p95 ×{m['hybrid_p95_ms'] / f['hybrid_p95_ms']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
