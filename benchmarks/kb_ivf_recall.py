"""IVF against exact search on real embeddings: the hard retrieval set's chunks and questions.

The set (benchmarks/retrieval_set.py) is indexed with the default embedder, then its vectors are
put into the IVF index a base gets past ``ivf_from()`` chunks (cells by ``cells_for``, nprobe by
``calibration`` / ``best_nprobe``), and the real questions are searched both ways. Prints recall@10 of the IVF top 10
against the exact top 10, the calibration's own recall, the nprobe chosen, and how close the
questions sit to their first hit (cosine), next to the calibration queries' (_QUERY_COSINE); and
the same for the float16 flat index. No assertions.

    python -m benchmarks.kb_ivf_recall [--seeds 13 7 21 …]   (one set per seed, pooled)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[13, 7, 21, 3, 5, 8, 11, 17])
    args = ap.parse_args(argv)
    from benchmarks.retrieval_quality import build, close
    from app.knowledge.vectors import _QUERY_COSINE, _faiss, best_nprobe, calibration, cells_for, recall_at

    faiss = _faiss()
    all_vecs, all_q = [], []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            k, qs, _docs = build(Path(tmp), seed=seed)
            try:
                ids = sorted(k.index.chunks)
                got = k.index.vectors.vectors(ids)
                all_vecs.append(np.stack([got[i] for i in ids]).astype(np.float32))
                all_q.append(np.asarray(k.emb.embed_queries([q.q for q in qs]), np.float32))
            finally:
                close(k)
    vecs, qv = np.concatenate(all_vecs), np.concatenate(all_q)
    ids = np.arange(len(vecs))
    qs = qv
    exact_scores = qv @ vecs.T
    exact = np.argsort(-exact_scores, axis=1)[:, :10]
    top1 = exact_scores[np.arange(len(qv)), exact[:, 0]]
    nlist = cells_for(len(ids))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(vecs.shape[1]), vecs.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(vecs)
    index.add_with_ids(vecs, np.arange(len(ids), dtype=np.int64))
    rng = np.random.default_rng(len(ids))
    queries, cal_exact = calibration(vecs, None, rng)
    nprobe, cal_recall = best_nprobe(index, queries, cal_exact)
    print(f"chunks={len(ids)} questions={len(qs)} cells={nlist} calibrated nprobe={nprobe} "
          f"(calibration recall@10 {cal_recall:.3f})")
    print(f"question → first hit cosine: p5 {np.percentile(top1, 5):.2f}, median {np.median(top1):.2f}, "
          f"p95 {np.percentile(top1, 95):.2f} (calibration queries: {_QUERY_COSINE:.2f})")
    shown = nprobe or max(1, nlist // 8)
    for probe in sorted({1, 2, 4, shown, min(nlist, shown * 2), min(nlist, shown * 4)}):
        index.nprobe = probe
        _, found = index.search(qv, 10)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)])
        mark = "  ← chosen" if probe == nprobe else ""
        print(f"nprobe={probe:4d} of {nlist}: real questions' recall@10 {recall:.3f}{mark}")
    half = faiss.IndexScalarQuantizer(vecs.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    half.add(vecs)
    print(f"flat float16: calibration recall@10 {recall_at(half, queries, cal_exact):.3f}, "
          f"real questions' {recall_at(half, qv, exact):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
