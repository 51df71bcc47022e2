"""The evaluation engine: a run's adapter against its base, or a knowledge base on a question set.

    python -m app.engines.evaluate run --run RUN [--set FILE] [--judge MODEL] [--judge-mode pairwise|absolute]
                                       [--limit N] [--max-new-tokens N] [--threads N]
                                       [--generate-with auto|vllm|transformers]
    python -m app.engines.evaluate rag --kb NAME --set FILE [--mode dense|hybrid|bm25]
    python -m app.engines.evaluate formats --form PATH [--form PATH …] [--threads N]

``formats`` measures each form of a model (a model folder, a quantized folder or a .gguf file) on the
same texts: perplexity and tokens/s, stored for the Models panel (``app/core/model_formats.py``); its
``result`` is ``{"forms": [{"path", …measured… | "error"}]}``.

Events: ``started``; ``progress`` (loss, generation, judging); ``log``; one ``result`` whose ``data``
is the whole result (``base``/``adapter`` metrics, ``regression``, ``samples``, ``judge``; for rag:
``questions``, ``hit@1``, ``hit@5``, ``mrr``, ``misses``); ``done``. The result is also written to
``RUN/eval/`` and the ``evaluations`` table. The run folder's ``events.jsonl`` belongs to the training
engine, so this engine writes no events there. The work is in ``app/evaluation``.
"""

from __future__ import annotations

import argparse
import sys

from app.core.engine_runtime import run_main
from app.core.errors import UserError

ENGINE = "evaluate"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.evaluate", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("--run", required=True, help="a run id or run folder")
    r.add_argument("--set", default=None, help="evaluation set (JSONL); default: the run's validation split")
    r.add_argument("--judge", default=None, help="judge model: a servable model, a remote endpoint's name or a URL")
    r.add_argument("--judge-mode", default="pairwise", choices=("pairwise", "absolute"))
    r.add_argument("--limit", type=int, default=None,
                   help="generate for the first N samples (default 64; 0: the held-out loss alone)")
    r.add_argument("--max-new-tokens", type=int, default=None)
    r.add_argument("--threads", type=int, default=None)
    r.add_argument("--generate-with", default=None, choices=("auto", "vllm", "transformers"))
    g = sub.add_parser("rag")
    g.add_argument("--kb", required=True)
    g.add_argument("--set", required=True)
    g.add_argument("--mode", default=None, choices=("dense", "hybrid", "bm25"))
    f = sub.add_parser("formats")
    f.add_argument("--form", action="append", required=True, help="a model folder or a .gguf file (repeat)")
    f.add_argument("--threads", type=int, default=None)
    for q in (r, g, f):
        q.add_argument("--exit-with-parent", action="store_true",
                       help="stop when stdin closes (the app that started this engine died)")
    return ap.parse_args(argv)


def measure_forms(rt, args) -> str:
    """Each form measured and stored; one that cannot be loaded is reported and the rest go on."""
    import os
    from pathlib import Path

    from app.core import model_formats, samples, settings
    from app.evaluation import formats
    from app.evaluation.evalset import read_eval_set
    from app.evaluation.generate import Models, load

    threads = args.threads or settings.load().cpu_threads
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    sample_file = samples.sample_dataset_file()
    chosen = read_eval_set(sample_file, limit=formats.SAMPLES)
    texts = formats.texts_id(sample_file.name, len(chosen))
    out = []
    for n, form in enumerate(args.form, 1):
        if rt.stop_requested:
            return "stopped"
        path = Path(form).expanduser().resolve()
        rt.progress(n, len(args.form), message=f"Measuring {path.name}", stage="formats.measure", name=path.name)
        is_gguf = path.suffix.lower() == ".gguf"

        def loader(path=path, is_gguf=is_gguf):
            if is_gguf:  # de-quantized by transformers, as the app's GGUF import and the export's check load it
                from app.export.verify import load_gguf

                model, tok = load_gguf(path)
                return Models(model=model, tokenizer=tok, device="cpu", has_adapter=False)
            return load(path, None, threads=threads)

        try:
            m = formats.measure(loader, chosen, texts, should_stop=lambda: rt.stop_requested)
        except UserError:
            raise
        except Exception as err:  # noqa: BLE001 - one form that does not load (a scheme this CPU lacks…)
            rt.info(f"{path.name} could not be measured: {type(err).__name__}: {err}", level="WARNING")
            out.append({"path": str(path), "error": f"{type(err).__name__}: {err}"})
            continue
        if is_gguf:
            # Decoding de-quantized float32 weights says nothing about the file's speed in llama.cpp.
            m["tokens_per_s"] = None
            m["tokens_per_s_note"] = "not timed: transformers de-quantizes a GGUF; llama.cpp would time it"
        out.append({**model_formats.save_measurement(path, m), "path": str(path)})
        rt.info(f"{path.name}: perplexity {m['perplexity']:.3f}, {m['tokens_per_s'] or '-'} tokens/s")
    rt.result(forms=out)
    return "completed"


def main(argv=None) -> int:
    args = parse_args(argv)

    def body(rt):
        try:
            if args.what == "formats":
                return measure_forms(rt, args)
            if args.what == "rag":
                from app.evaluation.rag import run_rag_eval

                rt.result(**run_rag_eval(args.kb, args.set, mode=args.mode, rep=rt))
                return "completed"
            from app.evaluation.run import DEFAULT_LIMIT, Stopped, evaluate_run, save_run_result

            try:
                result = evaluate_run(rt, args.run, set_path=args.set, judge=args.judge, judge_mode=args.judge_mode,
                                      limit=DEFAULT_LIMIT if args.limit is None else args.limit, max_new_tokens=args.max_new_tokens,
                                      threads=args.threads, generation=args.generate_with)
            except Stopped:
                return "stopped"
            save_run_result(result)
            if result["regression"]:
                rt.info(f"Regression: the adapter's held-out loss {result['adapter']['loss']:.4f} is above the "
                        f"base's {result['base']['loss']:.4f}", level="WARNING")
            rt.result(**result)
            return "completed"
        except UserError as err:
            rt.user_error(err, hint="Fix the evaluation's input and run it again.", hint_code="eval.fix_input")
            return "failed"

    return run_main(ENGINE, body, started={"what": args.what}, error_hint="See the engine's log for the details.",
                    sigint_stops=True, protect_stdout=True, stop_on_eof=args.exit_with_parent)


if __name__ == "__main__":
    sys.exit(main())
