"""An evaluation's answers: transformers' generate in the engine vs vLLM's batching, on the same run.

Runs ``python -m app.engines.evaluate run --run RUN --generate-with X`` for X = transformers and vllm,
interleaved (``--rounds`` times each, these machines are noisy), and reads what each result measured:
``generation.seconds`` (every answer of both sides, with vLLM's start) and ``generation.start_s``
(vLLM's start alone). Prints the seconds and the ratios with and without that start; the answers of
the two must agree on the adapter's exact match. No assertions.

    python benchmarks/eval_throughput.py --run RUN [--set FILE.jsonl] [--limit 64] [--rounds 1]

RUN is a run id or folder with an adapter and a validation split (or give ``--set``), e.g. one from
``ai-platform train --preset cpu-demo --dataset D.jsonl --max-steps 10 --run-dir DIR``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core import protocol  # noqa: E402


def evaluate(run: str, engine: str, limit: int, eval_set: str | None) -> dict:
    args = [sys.executable, "-m", "app.engines.evaluate", "run", "--run", run, "--generate-with", engine,
            "--limit", str(limit)]
    if eval_set:
        args += ["--set", eval_set]
    proc = subprocess.run(args, cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=3600, check=False)
    for line in proc.stdout.splitlines():
        ev = protocol.decode_or_none(line)
        if isinstance(ev, protocol.Result):
            return ev.data
        if isinstance(ev, protocol.Error):
            raise SystemExit(f"{engine}: {ev.message}")
    raise SystemExit(f"{engine}: no result (exit {proc.returncode}): {proc.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--set", default=None)
    ap.add_argument("--limit", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    seen: dict[str, list[dict]] = {"transformers": [], "vllm": []}
    for _ in range(args.rounds):
        for engine in seen:
            out = evaluate(args.run, engine, args.limit, args.set)
            gen = out.get("generation") or {}
            if gen.get("engine") != engine:
                raise SystemExit(f"asked for {engine}, the evaluation used {gen.get('engine')}: {gen.get('why')}")
            seen[engine].append({"seconds": gen["seconds"], "start_s": gen.get("start_s", 0.0),
                                 "n_samples": out["n_samples"], "exact_match": out["adapter"].get("exact_match")})
            print(json.dumps({engine: seen[engine][-1]}), flush=True)
    hf = statistics.median(r["seconds"] for r in seen["transformers"])
    vl = statistics.median(r["seconds"] for r in seen["vllm"])
    vl_start = statistics.median(r["start_s"] for r in seen["vllm"])
    n = seen["vllm"][0]["n_samples"]
    print(json.dumps({
        "answers": 2 * n, "transformers_s": hf, "vllm_s": vl, "vllm_start_s": vl_start,
        "speedup_with_start": round(hf / vl, 2) if vl else None,
        "speedup_without_start": round(hf / (vl - vl_start), 2) if vl > vl_start else None,
        "same_exact_match": seen["vllm"][0]["exact_match"] == seen["transformers"][0]["exact_match"]}))


if __name__ == "__main__":
    main()
