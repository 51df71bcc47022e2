"""Token lengths of a dataset under a model's chat template: what a training max-length would cut.

    python -m app.engines.dataset_stats --dataset FILE --model MODEL_DIR [--max-len N] [--bins 30]

``FILE`` is any dataset file ``app.core.datasets`` reads (an imported ``train.jsonl`` normally);
invalid records are counted in a warning and skipped. Each valid record is rendered with the
tokenizer's chat template (no generation prompt) and tokenized without adding special tokens again.
One ``result`` event: ``n``, ``mean``, ``p50``, ``p95``, ``max``, ``histogram`` (``edges``: bins+1
numbers, ``counts``: bins), ``over_max_len`` (records longer than ``max_len`` tokens),
``over_share``, ``max_len``, and ``lengths`` (in file order) unless there are more than
``LENGTHS_LIMIT`` records. ``--max-len`` defaults to the model's context length. Fully offline.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

from app.core.engine_runtime import EngineRuntime, run_main

LENGTHS_LIMIT = 50_000
BATCH = 256
DEFAULT_MAX_LEN = 2048  # when the model does not say its context length


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.dataset_stats", description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", type=Path, required=True, help="dataset file (JSONL, JSON or CSV)")
    ap.add_argument("--model", type=Path, required=True, help="Hugging Face model folder (for its tokenizer)")
    ap.add_argument("--max-len", type=int, default=None, help="count records longer than this (default: the model's context)")
    ap.add_argument("--bins", type=int, default=30, help="histogram bins")
    return ap.parse_args(argv)


def percentile(sorted_values: list[int], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on a sorted list."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def histogram(values: list[int], bins: int) -> dict[str, list]:
    """``bins`` equal-width bins from min to max (the last bin includes max); counts sum to len."""
    bins = max(1, int(bins))
    if not values:
        return {"edges": [0.0, 1.0], "counts": [0]}
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    width = (hi - lo) / bins
    edges = [lo + i * width for i in range(bins)] + [float(hi)]
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / width), bins - 1)] += 1
    return {"edges": [round(e, 3) for e in edges], "counts": counts}


def enumerate_batches(items, size: int):
    """(index of the first, list of up to ``size``) for consecutive slices of an iterable."""
    batch: list = []
    start = 0
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield start, batch
            start += size
            batch = []
    if batch:
        yield start, batch


def _model_context(model_dir: Path, tokenizer) -> int | None:
    import json

    try:
        cfg = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        n = cfg.get("max_position_embeddings")
        if isinstance(n, int) and n > 0:
            return n
    except (OSError, ValueError):
        pass
    n = getattr(tokenizer, "model_max_length", None)
    return n if isinstance(n, int) and 0 < n < 10**7 else None


def stats(rt: EngineRuntime, args: argparse.Namespace) -> str:
    t0 = time.monotonic()
    dataset = args.dataset.expanduser()
    model_dir = args.model.expanduser()
    if args.bins < 1:
        rt.error(f"--bins must be at least 1 (got {args.bins}).",
                 extra={"code": "stats.bad_bins", "params": {"value": args.bins}})
        return "failed"
    if args.max_len is not None and args.max_len < 1:
        rt.error(f"--max-len must be at least 1 (got {args.max_len}).",
                 extra={"code": "stats.bad_max_len", "params": {"value": args.max_len}})
        return "failed"
    if not model_dir.is_dir():
        rt.error(f"Model folder not found: {model_dir}",
                 hint="Choose a Hugging Face model folder (with tokenizer.json / tokenizer_config.json).",
                 extra={"code": "stats.no_model", "params": {"path": str(model_dir)}})
        return "failed"

    # 1. the dataset (light: no torch yet)
    from app.core.datasets import DatasetReader
    from app.core.errors import UserError

    # Streamed twice (a check that counts, then the tokenizing pass), never held whole in memory.
    rt.progress(0, None, message="Reading the dataset", stage="stats.read")
    try:
        reader = DatasetReader(dataset)
        report = reader.new_report()
        for _ in reader.records(report):
            pass
    except UserError as err:
        rt.user_error(err, hint="Check the dataset file with: ai-platform datasets validate FILE",
                      hint_code="stats.check_dataset")
        return "failed"
    if report.n_invalid:
        rt.info(f"{report.n_invalid} invalid record(s) skipped (ai-platform datasets validate lists them)",
                level="WARNING")
    if not report.n_valid:
        rt.error(f"{dataset} has no valid records.", hint="Check it with: ai-platform datasets validate FILE",
                 extra={"code": "stats.no_valid_records", "params": {"path": str(dataset)}})
        return "failed"

    # 2. the tokenizer, offline
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - a folder without a usable tokenizer: tell the person
        rt.log.debug("tokenizer load failed", exc_info=True)
        rt.error(f"Cannot load a tokenizer from {model_dir}: {type(exc).__name__}: {exc}",
                 hint="The folder needs the model's tokenizer files (tokenizer.json or tokenizer.model "
                      "with tokenizer_config.json).",
                 extra={"code": "stats.no_tokenizer",
                        "params": {"path": str(model_dir), "reason": f"{type(exc).__name__}: {exc}"}})
        return "failed"
    if not getattr(tokenizer, "chat_template", None):
        rt.error(f"The tokenizer in {model_dir} has no chat template, so conversations cannot be rendered.",
                 hint="Use the instruct/chat version of the model, or add a chat_template to its "
                      "tokenizer_config.json (or a chat_template.jinja file).",
                 extra={"code": "stats.no_chat_template", "params": {"path": str(model_dir)}})
        return "failed"
    max_len = args.max_len or _model_context(model_dir, tokenizer) or DEFAULT_MAX_LEN

    # 3. render and count
    n = report.n_valid
    lengths: list[int] = []
    for start, batch in enumerate_batches(reader.records(reader.new_report()), BATCH):
        if rt.stop_requested:
            return "stopped"
        texts = []
        for k, rec in enumerate(batch, start):
            kwargs = {"tools": rec["tools"]} if rec.get("tools") else {}
            try:
                if "text" in rec:  # raw text (continued pretraining): counted as it is
                    texts.append(rec["text"])
                elif "chosen" in rec:  # a preference pair: the prompt with its longer answer
                    texts.append(max((tokenizer.apply_chat_template(rec["prompt"] + rec[k], tokenize=False)
                                      for k in ("chosen", "rejected")), key=len))
                else:
                    texts.append(tokenizer.apply_chat_template(rec["messages"], tokenize=False, **kwargs))
            except Exception as exc:  # noqa: BLE001 - e.g. a template that refuses a role order
                rt.error(f"The chat template failed on record {k + 1}: {type(exc).__name__}: {exc}",
                         hint="This model's template may not accept this conversation (roles, system turn).",
                         extra={"code": "stats.template_failed",
                                "params": {"record": k + 1, "reason": f"{type(exc).__name__}: {exc}"}})
                return "failed"
        enc = tokenizer(texts, add_special_tokens=False)
        lengths.extend(len(ids) for ids in enc["input_ids"])
        done = len(lengths)
        elapsed = time.monotonic() - t0
        eta = elapsed / done * (n - done) if done else None
        rt.progress(done, n, eta_s=round(eta, 1) if eta is not None else None, message=f"{done}/{n} records",
                        stage="stats.count", done=done, n=n)

    ordered = sorted(lengths)
    over = sum(1 for v in lengths if v > max_len)
    data = {
        "n": n,
        "mean": round(sum(lengths) / n, 2),
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
        "max": ordered[-1],
        "min": ordered[0],
        "histogram": histogram(lengths, args.bins),
        "over_max_len": over,
        "over_share": round(over / n, 6),
        "max_len": max_len,
        "n_invalid": report.n_invalid,
        "seconds": round(time.monotonic() - t0, 3),
    }
    if n <= LENGTHS_LIMIT:
        data["lengths"] = lengths
    rt.result(**data)
    return "completed"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main("dataset_stats", lambda rt: stats(rt, args))


if __name__ == "__main__":
    sys.exit(main())
