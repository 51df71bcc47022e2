"""`ai-platform eval run|rag`: measure a fine-tune against its base, or a knowledge base's retrieval.

    eval run --run RUN [--set FILE] [--judge MODEL] [--judge-mode pairwise|absolute] [--limit N]
             [--generate-with auto|vllm|transformers] [--json]
    eval rag --kb NAME --set FILE [--mode dense|hybrid|bm25] [--answer [MODEL_OR_RUN]] [--json]
    eval bench --tasks FILE_OR_TASK [--tasks …] (--model MODEL_OR_RUN | --url http://HOST:PORT/v1) [--limit N] [--json]

``eval run`` prints (with --json, as its last line) one object with ``base`` and ``adapter`` (each
``loss``, ``perplexity``, ``exact_match``, ``rouge_l``, ``bleu``, ``chrf``), ``regression``,
``judge`` and ``samples`` (prompt, base, adapter, reference); it is saved in ``RUN/eval/`` and the
database. ``eval bench`` prints ``{"kind": "bench", "target", "tasks": [...], "model" | "base" + "adapter": {TASK:
{"acc", "acc_stderr", "questions"}}}`` (lm-evaluation-harness, app.evaluation.bench; a run's is saved
in ``RUN/eval/bench-*.json``). ``eval rag`` prints ``{"questions", "hit@1", "hit@5", "mrr", "misses"}``, with ``--answer`` also
``cite_gold``, ``cited_any``, ``support`` and ``answers``. Progress goes
to stderr. The work runs in this process through app.evaluation, the evaluation engine's library.
Errors a person can fix print one line (and a JSON ``error`` object with --json) and exit 2.
"""

from __future__ import annotations

import json

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("eval", help="evaluate a run's adapter against its base, or a knowledge base")
    sub = p.add_subparsers(dest="eval_cmd", required=True)
    r = sub.add_parser("run", help="held-out loss, generation metrics and an optional judge: base vs adapter")
    r.add_argument("--run", required=True, help="a run id or a run folder")
    r.add_argument("--set", default=None, help="evaluation set, JSONL (default: the run's validation split)")
    r.add_argument("--judge", default=None,
                   help="judge model: 'default', a registered model, a remote endpoint's name, or URL[#MODEL]")
    r.add_argument("--judge-mode", default="pairwise", choices=("pairwise", "absolute"))
    r.add_argument("--limit", type=int, default=None,
                   help="generate for the first N samples (default 64; 0: the held-out loss alone)")
    r.add_argument("--max-new-tokens", type=int, default=None)
    r.add_argument("--threads", type=int, default=None)
    r.add_argument("--generate-with", default=None, choices=("auto", "vllm", "transformers"),
                   help="what generates the answers (default: Settings; auto = vLLM's batching on a GPU)")
    r.add_argument("--json", action="store_true", help="print the result as one JSON object")
    r.set_defaults(func=_run)
    b = sub.add_parser("bench", help="benchmarks through lm-evaluation-harness: local multiple-choice files or hub tasks")
    b.add_argument("--tasks", action="append", required=True, metavar="FILE_OR_TASK",
                   help="a JSONL task file (question, A-D, answer letter) or an lm-eval task name (repeatable)")
    target = b.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", default=None, metavar="MODEL_OR_RUN",
                        help="'default', a model folder or name, or a run (its base and adapter side by side)")
    target.add_argument("--url", default=None, metavar="http://HOST:PORT/v1",
                        help="a running OpenAI-compatible endpoint (URL#MODEL picks the model; key from "
                             "AI_PLATFORM_BENCH_API_KEY)")
    b.add_argument("--limit", type=int, default=None, help="the first N questions of each task")
    b.add_argument("--threads", type=int, default=None)
    b.add_argument("--json", action="store_true", help="print the result as one JSON object")
    b.set_defaults(func=_bench)
    g = sub.add_parser("rag", help="hit@1, hit@5 and MRR of a knowledge base on a question set")
    g.add_argument("--kb", required=True, help="knowledge base name or id")
    g.add_argument("--set", required=True, help='JSONL: {"q": question, "doc": gold file name, "answer": optional}')
    g.add_argument("--mode", default=None, choices=("dense", "hybrid", "bm25"))
    g.add_argument("--answer", nargs="?", const="default", default=None, metavar="MODEL_OR_RUN",
                   help="also answer each question as the chat does (the bundled model, a model folder or a run) "
                        "and report how often the answer cites the gold document")
    g.add_argument("--json", action="store_true")
    g.set_defaults(func=_rag)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)



def _fmt(v, pct=False) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.1f}%" if pct else f"{v:.4g}"


def _run(args) -> int:
    from app.core.errors import UserError
    from app.evaluation.run import DEFAULT_LIMIT, CliReporter, evaluate_run, save_run_result

    try:
        result = evaluate_run(CliReporter(), args.run, set_path=args.set, judge=args.judge, judge_mode=args.judge_mode,
                              limit=DEFAULT_LIMIT if args.limit is None else args.limit, max_new_tokens=args.max_new_tokens,
                              threads=args.threads, generation=args.generate_with)
        save_run_result(result)
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        _print_json(result)
        return 0
    print(f"{'':12}{'base':>12}{'adapter':>12}")
    for key, pct in (("loss", False), ("perplexity", False), ("exact_match", True), ("rouge_l", True),
                     ("bleu", False), ("chrf", False)):
        print(f"{key:12}{_fmt(result['base'].get(key), pct):>12}{_fmt(result['adapter'].get(key), pct):>12}")
    j = result.get("judge")
    if j and j.get("win_rate") is not None:
        print(f"judge {j['judge']}: adapter win rate {j['win_rate']:.2f} "
              f"(95% CI {j['ci_low']:.2f}–{j['ci_high']:.2f}, {j['verdicts']} verdicts, {j['unparseable']} unreadable)")
    if result["regression"]:
        print("REGRESSION: the adapter's held-out loss is above the base's.")
    print(f"Saved to {result['saved']}")
    return 0


def _bench(args) -> int:
    from app.core.errors import UserError
    from app.evaluation.bench import run_bench, save_bench_result
    from app.evaluation.run import CliReporter

    try:
        result = run_bench(CliReporter(), args.tasks, model=args.model, url=args.url, limit=args.limit,
                           threads=args.threads)
        save_bench_result(result)
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        _print_json(result)
        return 0
    sides = [s for s in ("model", "base", "adapter") if s in result]
    print(f"{'task':32}" + "".join(f"{s:>12}" for s in sides))
    for task in result[sides[0]]:
        cells = []
        for s in sides:
            acc = result[s].get(task, {}).get("acc")
            cells.append(f"{_fmt(acc, pct=True):>12}")
        print(f"{task:32}" + "".join(cells))
    if result.get("saved"):
        print(f"Saved to {result['saved']}")
    return 0


def _rag(args) -> int:
    from app.core.errors import UserError
    from app.evaluation.rag import run_rag_eval

    try:
        result = run_rag_eval(args.kb, args.set, mode=args.mode, answer_model=args.answer)
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        _print_json(result)
    else:
        print(f"{result['questions']} questions: hit@1 {result['hit@1']:.3f}, hit@5 {result['hit@5']:.3f}, "
              f"MRR {result['mrr']:.3f}")
        if "cite_gold" in result:
            print(f"answers citing the gold document {result['cite_gold']:.3f}, citing any {result['cited_any']:.3f}; "
                  f"support check {result['support']}")
        for m in result["misses"]:
            print(f"miss: {m['q']!r} (gold {m['doc']}; got {', '.join(m['got']) or 'nothing'})")
    return 0
