"""Context compression (app/core/context_compress.py): does the fact a question asks for reach
the model when the passages must fit a small context budget?

The hard retrieval set (benchmarks/retrieval_set.py) is indexed with the default settings; each
question with a known fact retrieves its top 5 (the chat's query), and ``rag.select_passages``
fills budgets of 150, 300 and 600 tokens without and with ``compress``. A question counts when the
fact (a number, a name, a table row) is in a passage of its gold document that was put into the
prompt. Prints per split (tune on dev, report test) and per kind, and the tokens used. No
assertions.

    python -m benchmarks.context_compression [--budgets 150 300 600] [--seed 13]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import defaultdict
from pathlib import Path


MODES = ("whole", "compressed", "ceiling")


def passages(rag, res, question, budget, mode):
    """``whole``: today's selection; ``compressed``: with context compression; ``ceiling``: every
    retrieved relevant passage, no budget (what retrieval alone allows)."""
    if mode == "ceiling":
        return rag.select_passages([res], budget_tokens=10 ** 9, query=question)
    return rag.select_passages([res], budget_tokens=budget, query=question, compress=mode == "compressed")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", type=int, nargs="+", default=[150, 300, 600])
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    from app.core import rag
    from benchmarks.retrieval_quality import build, close

    with tempfile.TemporaryDirectory() as tmp:
        k, qs, _docs = build(Path(tmp), seed=args.seed)
        try:
            asked = [q for q in qs if q.extra.get("fact")]
            results = [k.query(q.q, top_k=rag.TOP_K) for q in asked]
        finally:
            close(k)
    acc: dict = defaultdict(lambda: [0, 0, 0])  # (split, budget, mode, kind) -> [hits, n, tokens]
    for q, res in zip(asked, results):
        res = dict(res, kb="set")
        for budget in args.budgets:
            for mode in MODES:
                ps = passages(rag, res, q.q, budget, mode)
                hit = any(os.path.realpath(p.file) == q.gold and q.extra["fact"] in p.text for p in ps)
                used = sum(rag.estimate_tokens(p.text) for p in ps)
                for kind in ("all", q.kind):
                    a = acc[(q.split, budget, mode, kind)]
                    a[0] += hit
                    a[1] += 1
                    a[2] += used
    kinds = sorted({key[3] for key in acc} - {"all"})
    for split in ("dev", "test"):
        print(f"\n{split}: fact in the prompt (tokens of passages used, mean)")
        print(f"{'budget':>6} {'mode':>10} {'all':>14} " + " ".join(f"{kd:>10}" for kd in kinds))
        for budget in args.budgets:
            for mode in MODES:
                a = acc[(split, budget, mode, "all")]
                row = f"{budget:>6} {mode:>10} {a[0] / a[1]:6.3f} ({a[2] / a[1]:4.0f}) "
                row += " ".join(f"{acc[(split, budget, mode, kd)][0] / max(1, acc[(split, budget, mode, kd)][1]):10.3f}"
                                for kd in kinds)
                print(row)
        print(f"questions: {acc[(split, args.budgets[0], 'whole', 'all')][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
