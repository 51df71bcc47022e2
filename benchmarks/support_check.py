"""How well the answer support check (app/core/answer_support.py) tells right from wrong citations.

The cases come from the hard retrieval set (benchmarks/retrieval_set.py): its documents are grids of
near-duplicates that share wording and differ in names, numbers, dates and codes — exactly what a
small model mixes up. For each fact-bearing sentence of a document and a sibling document of the
same family (the next one with the same language):

* ``right``: the sentence citing its own document, with the sibling retrieved too → must pass;
* ``miscited``: the same sentence citing the sibling, its own document retrieved as well → must be
  flagged (``miscited``);
* ``absent``: the sentence citing the sibling when its own document was not retrieved → must be
  flagged (``unsupported``).

Sentences are the documents' own (not paraphrased), so this measures the check on the facts, not on
wording; the rules were written before the set was run and are not tuned on it (dev and test both
printed).   python -m benchmarks.support_check [--scale F]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import answer_support  # noqa: E402
from app.core.rag import Passage  # noqa: E402
from benchmarks import retrieval_set  # noqa: E402


def cases(scale: float):
    docs, _qs = retrieval_set.generate(scale=scale)
    by_family = defaultdict(list)
    for d in docs:
        by_family[(d.family, d.lang)].append(d)
    for group in by_family.values():
        for i, d in enumerate(group):
            if len(group) < 2:
                continue
            sib = group[(i + 1) % len(group)]
            sib_sentences = set(answer_support.sentences(sib.text))
            for s in answer_support.sentences(d.text):
                if s.startswith("#") or s in sib_sentences or not answer_support.key_facts(s):
                    continue
                own, other = Passage(1, d.text, d.file, None, 0.6, "kb"), Passage(2, sib.text, sib.file, None, 0.5, "kb")
                yield d.split, "right", s + " [1]", [own, other], {"supported"}
                yield d.split, "miscited", s + " [2]", [own, other], {"miscited"}
                yield d.split, "absent", s + " [1]", [Passage(1, sib.text, sib.file, None, 0.5, "kb")], {"unsupported"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args(argv)
    tally: dict = defaultdict(lambda: [0, 0])
    for split, kind, answer, passages, want in cases(a.scale):
        got = answer_support.check(answer, passages).status
        t = tally[(split, kind)]
        t[0] += got in want
        t[1] += 1
    out = {f"{split}/{kind}": {"correct": c, "cases": n, "rate": round(c / n, 3)}
           for (split, kind), (c, n) in sorted(tally.items())}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
