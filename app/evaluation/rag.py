"""A knowledge base measured on a question set: does retrieval find the gold document?

The set is JSONL, one question a line: ``{"q": QUESTION, "doc": FILE_NAME, "answer": …}`` (``doc`` is
the gold document's file name, compared with the name of each retrieved chunk's file; ``answer`` is
optional and kept for reading). Documents are ranked by their best chunk (the first time a file
appears among the retrieved chunks), so hit@k means "the gold document is among the first k
documents". MRR is the mean of 1/rank over the questions (0 when the gold document is not among the
first ``depth`` documents). ``misses`` lists the questions whose gold document was not in the top 5.

With ``--answer`` each question is also answered the way the chat answers it (the same passage
selection, grounded prompt and citation cleaning of app/core/rag.py, greedy, by the bundled model or
the given one) and the result adds ``cite_gold`` (the share of answers that cite a passage of the
gold document), ``cited_any`` and the support check's verdicts (app/core/answer_support.py).
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


ANSWER_TOKENS = 128


def answer_citations(knowledge, questions: list[dict], models, *, mode: str | None = None, rep=None,
                     max_new_tokens: int = ANSWER_TOKENS) -> dict[str, Any]:
    """Answer every question from the knowledge base as the chat does; how often the gold is cited."""
    from app.core import answer_support, rag
    from app.evaluation.evalset import Sample
    from app.evaluation.generate import generate

    side = "adapter" if models.has_adapter else "base"
    context = getattr(models.tokenizer, "model_max_length", None)
    context = context if isinstance(context, int) and context < 1_000_000 else None
    gold_cited = any_cited = 0
    support: dict[str, int] = {}
    answers = []
    for i, row in enumerate(questions, 1):
        res = knowledge.query(row["q"], top_k=rag.TOP_K, mode=mode)
        results = [{"kb": knowledge.kb.name, "query": row["q"], "chunks": res["chunks"]}]
        budget = rag.context_budget([], row["q"], context_tokens=context, max_tokens=max_new_tokens)
        passages = rag.select_passages(results, budget_tokens=budget, query=row["q"], compress=True)
        text, cited, verdict = "", [], "no_passage"
        if passages:
            raw = generate(models, side, [Sample(prompt=rag.build_messages([], row["q"], passages), reference="")],
                           max_new_tokens=max_new_tokens)[0]
            text, _invented, _pages = rag.clean_citations(raw, passages)
            cited = [Path(passages[n - 1].file).name for n in rag.cited_numbers(text, passages)]
            verdict = answer_support.check(text, passages).status
        gold_cited += row["doc"] in cited
        any_cited += bool(cited)
        support[verdict] = support.get(verdict, 0) + 1
        answers.append({"q": row["q"], "doc": row["doc"], "answer": text, "cited": cited, "support": verdict})
        if rep is not None:
            rep.progress(i, len(questions), message=f"Answer {i}/{len(questions)}", stage="eval.question",
                         done=i, n=len(questions))
    n = max(1, len(questions))
    return {"cite_gold": gold_cited / n, "cited_any": any_cited / n, "support": support, "answers": answers}


def run_rag_eval(kb_ref: str, set_path: str, *, mode: str | None = None, rep=None, save: bool = True,
                 answer_model: str | None = None) -> dict[str, Any]:
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
        knowledge = Knowledge(kb, store, NullReporter())
        result = evaluate_kb(knowledge, questions, mode=mode, rep=rep)
        if answer_model is not None:
            from app.evaluation.generate import load

            base, adapter = _answer_model(answer_model)
            result.update(answer_citations(knowledge, questions, load(base, adapter), mode=mode, rep=rep))
            result["answered_by"] = answer_model
        result["set"] = str(Path(set_path).expanduser())
        if save:
            EvaluationStore(db).add(result)
    return result


def _answer_model(ref: str) -> tuple[Path, Path | None]:
    """(base folder, adapter folder or None): ``default`` (the bundled model), a model folder, or a run
    (id or folder; its adapter on its base)."""
    from app.core import bundled

    if ref in ("", "default"):
        return bundled.default_model_dir(), None
    folder = Path(ref).expanduser()
    if (folder / "config.json").is_file() and not (folder / "adapter").is_dir():
        return folder, None
    from app.core.train_config import CONFIG_FILE, read_config
    from app.evaluation.run import resolve_run

    run_dir = resolve_run(ref)
    adapter = run_dir / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"The run {run_dir.name} has no adapter to evaluate yet (it is saved when the run "
                        "finishes or is stopped).", code="eval.no_adapter", params={"run": run_dir.name})
    return read_config(run_dir / CONFIG_FILE).model_dir(), adapter
