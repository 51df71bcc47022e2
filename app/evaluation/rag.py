"""A knowledge base measured on a question set: does retrieval find the gold document?

The set is JSONL, one question a line: ``{"q": QUESTION, "doc": FILE_NAME, "answer": …}`` (``doc`` is
the gold document's file name, compared with the name of each retrieved chunk's file; ``answer`` is
optional and kept for reading). Documents are ranked by their best chunk (the first time a file
appears among the retrieved chunks), so hit@k means "the gold document is among the first k
documents". MRR is the mean of 1/rank over the questions (0 when the gold document is not among the
first ``depth`` documents). ``misses`` lists the questions whose gold document was not in the top 5.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.core.errors import UserError

DEPTH = 10  # documents looked at for MRR
CHUNKS = 40  # chunks retrieved per question, enough to reach DEPTH distinct documents


def _question(obj: Any) -> dict | str:
    if not isinstance(obj, dict) or not isinstance(obj.get("q"), str) or not obj["q"].strip() \
            or not isinstance(obj.get("doc"), str) or not obj["doc"].strip():
        return 'needs "q" and "doc" texts'
    return {"q": obj["q"], "doc": Path(obj["doc"]).name, "answer": obj.get("answer")}


def read_question_set(path: str | Path) -> list[dict]:
    from app.evaluation.evalset import read_jsonl_set

    return read_jsonl_set(path, "question set", _question, '{"q": "question", "doc": "gold file name"}')


def ranked_documents(chunks: list[dict]) -> list[str]:
    seen: list[str] = []
    for c in chunks:
        name = Path(str(c.get("file") or "")).name
        if name and name not in seen:
            seen.append(name)
    return seen


def evaluate_kb(knowledge, questions: list[dict], *, mode: str | None = None, rep=None) -> dict[str, Any]:
    """``knowledge``: an open ``app.knowledge.base.Knowledge``."""
    t0 = time.monotonic()
    hits1 = hits5 = 0
    rr_sum = 0.0
    misses = []
    for i, row in enumerate(questions, 1):
        res = knowledge.query(row["q"], top_k=CHUNKS, mode=mode)
        docs = ranked_documents(res["chunks"])[:DEPTH]
        rank = docs.index(row["doc"]) + 1 if row["doc"] in docs else None
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        rr_sum += 1.0 / rank if rank else 0.0
        if rank is None or rank > 5:
            misses.append({"q": row["q"], "doc": row["doc"], "rank": rank, "got": docs[:5]})
        if rep is not None:
            rep.progress(i, len(questions), message=f"Question {i}/{len(questions)}", stage="eval.question",
                         done=i, n=len(questions))
    n = len(questions)
    return {"kind": "rag", "kb": knowledge.kb.name, "kb_id": knowledge.kb.id, "questions": n,
            "hit@1": hits1 / n, "hit@5": hits5 / n, "mrr": rr_sum / n, "misses": misses,
            "mode": res["mode"] if questions else mode, "seconds": round(time.monotonic() - t0, 3)}


def run_rag_eval(kb_ref: str, set_path: str, *, mode: str | None = None, rep=None, save: bool = True) -> dict[str, Any]:
    """Open the knowledge base by name or id, evaluate, and record the result in the database."""
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge, NullReporter, find_kb

    questions = read_question_set(set_path)
    with open_database() as db:
        store = KnowledgeStore(db)
        kb = find_kb(store, kb_ref)
        if kb.n_chunks == 0:
            raise UserError(f'The knowledge base "{kb.name}" is empty: add documents before evaluating it.',
                            code="eval.kb_empty", params={"name": kb.name})
        result = evaluate_kb(Knowledge(kb, store, NullReporter()), questions, mode=mode, rep=rep)
        result["set"] = str(Path(set_path).expanduser())
        if save:
            EvaluationStore(db).add(result)
    return result
