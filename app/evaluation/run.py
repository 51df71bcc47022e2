"""A run's whole evaluation: its adapter against its base on held-out data, saved where it lasts.

``evaluate_run(rep, run_ref, …)`` resolves the run (an id or a folder), reads its config (base model,
validation split, max_seq_len), loads the base once with the adapter, measures both sides — held-out
loss and perplexity on assistant tokens, greedy generations scored with exact match, ROUGE-L, BLEU and
chrF, and a judge when asked — and returns one result dict. ``save_run_result`` writes it to
``RUN/eval/`` (temp + rename) and to the database. The regression gate: an adapter whose held-out
loss is above the base's marks the result ``"regression": true``.

``rep`` is what reports progress: an engine runtime, or ``CliReporter`` (stderr).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import UserError
from app.evaluation import metrics
from app.evaluation.evalset import read_eval_set

DEFAULT_LIMIT = 64  # generations are the slow part: the first N samples are generated and scored


class CliReporter:
    """Progress and notes on stderr (the command line's reporter)."""

    stop_requested = False

    def progress(self, step, total=None, eta_s=None, message="", stage="", **stage_params):
        if message:
            print(message, file=sys.stderr, flush=True)

    def info(self, message, level="INFO"):
        print(("warning: " if level == "WARNING" else "") + message, file=sys.stderr, flush=True)


def resolve_run(run_ref: str) -> Path:
    """A run folder from a run id (``runs/<id>`` or the database's row) or a folder path."""
    ref = str(run_ref).strip()
    candidate = Path(ref).expanduser()
    if candidate.is_dir() and (candidate / "config.json").is_file():
        return candidate.resolve()
    by_id = paths.runs_dir() / ref
    if ref and "/" not in ref and by_id.is_dir() and (by_id / "config.json").is_file():
        return by_id.resolve()
    if ref and paths.database_file().exists():
        from app.core.db.database import open_database
        from app.core.runs import RunStore

        with open_database() as db:
            try:
                folder = Path(RunStore(db).get(ref).run_dir)
            except UserError:
                folder = None
        if folder is not None and (folder / "config.json").is_file():
            return folder.resolve()
    raise UserError(f"No run {ref!r}: give a run id (ai-platform train lists them) or a run folder that holds "
                    "config.json.", code="eval.run_missing", params={"run": ref})


def evaluate_run(rep, run_ref: str, *, set_path: str | None = None, judge: str | None = None,
                 judge_mode: str = "pairwise", limit: int | None = DEFAULT_LIMIT,
                 max_new_tokens: int | None = None, threads: int | None = None,
                 generation: str | None = None) -> dict[str, Any]:
    from app.core import settings
    from app.core.train_config import CONFIG_FILE, read_config

    t0 = time.monotonic()
    run_dir = resolve_run(run_ref)
    cfg = read_config(run_dir / CONFIG_FILE)
    adapter = run_dir / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"The run {run_dir.name} has no adapter to evaluate yet (it is saved when the run "
                        "finishes or is stopped).", code="eval.no_adapter", params={"run": run_dir.name})
    eval_path = set_path or cfg.val_path
    if not eval_path:
        raise UserError(f"The run {run_dir.name} has no validation split: choose an evaluation set "
                        "(--set FILE, JSONL of chat records).", code="eval.no_set", params={"run": run_dir.name})
    all_samples = read_eval_set(eval_path)
    gen_samples = all_samples if limit is None else all_samples[:max(0, int(limit))]  # 0: no generation
    base_dir = cfg.model_dir()
    if not base_dir.is_dir():
        raise UserError(f"The run's base model {base_dir} is gone; put it back or import it again.",
                        code="eval.base_missing", params={"path": str(base_dir)})
    threads = threads or cfg.threads or settings.load().cpu_threads

    from app.evaluation import generate, loss

    rep.progress(0, None, message=f"Loading {base_dir.name} with the adapter of {run_dir.name}", stage="eval.load",
                 model=base_dir.name)
    models = generate.load(base_dir, adapter, threads=threads)
    items = loss.encode(models.tokenizer, all_samples, cfg.max_seq_len)
    if not items:
        raise UserError(f"No sample of {eval_path} has an assistant reply within max_seq_len "
                        f"({cfg.max_seq_len} tokens).", code="eval.no_tokens",
                        params={"path": str(eval_path), "max_seq_len": cfg.max_seq_len})
    new_tokens = max_new_tokens or generate.default_max_new_tokens(models.tokenizer, gen_samples)
    total = 2 + 2 * len(gen_samples)
    stop = lambda: bool(rep.stop_requested)  # noqa: E731
    out: dict[str, Any] = {"kind": "run", "run": run_dir.name, "run_dir": str(run_dir), "set": str(eval_path),
                           "n_samples": len(all_samples), "n_generated": len(gen_samples),
                           "base_model": str(base_dir), "max_new_tokens": new_tokens}
    sides: dict[str, dict[str, Any]] = {}
    for i, side in enumerate(("base", "adapter")):
        rep.progress(i, total, message=f"Held-out loss of the {side} on {len(items)} sample(s)",
                     stage=f"eval.loss_{side}", n=len(items))
        sides[side] = loss.held_out_loss(models, side, items, should_stop=stop)
    answers = _generate_answers(rep, models, base_dir, adapter, gen_samples, new_tokens, generation, threads,
                                total, stop, out)
    models = None
    if rep.stop_requested:
        raise _Stopped()
    refs = [s.reference for s in gen_samples]
    for side in ("base", "adapter"):
        sides[side].update(metrics.generation_metrics(answers[side], refs))
    out["base"], out["adapter"] = sides["base"], sides["adapter"]
    bl, al = sides["base"]["loss"], sides["adapter"]["loss"]
    out["regression"] = bl is not None and al is not None and al > bl
    out["samples"] = [{"prompt": s.prompt_text, "reference": s.reference, "base": b, "adapter": a,
                       "exact_match": {"base": metrics.exact_match(b, s.reference),
                                       "adapter": metrics.exact_match(a, s.reference)}}
                      for s, b, a in zip(gen_samples, answers["base"], answers["adapter"], strict=True)]
    out["judge"] = None
    if judge:
        out["judge"] = run_judge(rep, judge, judge_mode, out["samples"])
    out["seconds"] = round(time.monotonic() - t0, 2)
    return out


def _generate_answers(rep, models, base_dir: Path, adapter: Path, samples, new_tokens: int, generation: str | None,
                      threads: int, total: int, stop, out: dict[str, Any]) -> dict[str, list[str]]:
    """Both sides' answers: through vLLM's batching when chosen (the loss model is freed first, so the
    GPU is vLLM's), else transformers in this process. A vLLM that fails to start is said, and
    transformers answers instead."""
    from app.evaluation import generate_served

    engine, why = generate_served.choose(generation, base_dir)
    out["generation"] = {"engine": engine, "why": why}
    t0 = time.monotonic()
    answers = _answers(rep, models, base_dir, adapter, samples, new_tokens, engine, why, threads, total, stop, out)
    out["generation"]["seconds"] = round(time.monotonic() - t0, 2)  # with vLLM, start_s of it went to its start
    return answers


def _answers(rep, models, base_dir: Path, adapter: Path, samples, new_tokens: int, engine: str, why: str,
             threads: int, total: int, stop, out: dict[str, Any]) -> dict[str, list[str]]:
    from app.evaluation import generate, generate_served

    n = len(samples)

    def report(side: str, done: int) -> None:
        at = 2 + (0 if side == "base" else n)
        rep.progress(at + done, total, message=f"Generating with the {side}: {done}/{n}",
                     stage=f"eval.generate_{side}", done=done, n=n)

    if engine == "vllm" and samples:
        models.model = None
        _free_memory()
        rep.progress(2, total, message=f"Starting vLLM on {base_dir.name} to generate {2 * n} answers",
                     stage="eval.vllm_start", model=base_dir.name, n=2 * n)
        try:
            return generate_served.generate_both(base_dir, adapter, samples, max_new_tokens=new_tokens,
                                                 on_answer=report, should_stop=stop, timings=out["generation"])
        except Exception as err:  # noqa: BLE001 - StartFailed or a refused request: transformers still answers
            out["generation"] = {"engine": "transformers", "why": f"vLLM failed: {err}"}
            rep.info(f"vLLM could not generate ({err}); generating with transformers instead.", level="WARNING")
            models = generate.load(base_dir, adapter, threads=threads)
    elif why != "chosen":
        rep.info(f"Generating with transformers: {why}.")
    return {side: generate.generate(models, side, samples, max_new_tokens=new_tokens, should_stop=stop,
                                    on_batch=lambda d, side=side: report(side, d))
            for side in ("base", "adapter")}


def _free_memory() -> None:
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


class _Stopped(Exception):
    pass


Stopped = _Stopped


def run_judge(rep, spec: str, mode: str, samples: list[dict]) -> dict[str, Any]:
    from app.evaluation import judge as judging

    if mode not in judging.MODES:
        raise UserError(f"Unknown judge mode {mode!r}; use pairwise or absolute.", code="eval.judge_mode",
                        params={"mode": mode})
    rep.progress(0, len(samples), message=f"Starting the judge {spec}", stage="eval.judge_start", judge=spec)
    j = judging.open_judge(spec)
    try:
        fn = judging.pairwise if mode == "pairwise" else judging.absolute
        result = fn(j, samples, on_step=lambda n: rep.progress(n, len(samples), message=f"Judging {n}/{len(samples)}",
                                                                stage="eval.judge", done=n, n=len(samples)))
    finally:
        j.close()
    if result.get("warning"):
        rep.info(result["warning"]["message"], level="WARNING")
    return result


def save_run_result(result: dict[str, Any]) -> Path:
    """The result into ``RUN/eval/`` and the database (the run is indexed first when it is not)."""
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore, write_result
    from app.core.runs import RunStore

    run_dir = Path(result["run_dir"])
    path = write_result(run_dir, result)
    with open_database() as db:
        runs = RunStore(db)
        try:
            runs.get(result["run"])
        except UserError:
            runs.index_folder(run_dir)
        EvaluationStore(db).add(result, path)
    result["saved"] = str(path)
    return path
