"""torch.compile for LoRA training: the same bare transformers + peft run with and without
``TrainingArguments(torch_compile=True)`` (inductor), on benchmarks/train_throughput.py's data.

    python benchmarks/compile_speed.py [--model DIR] [--steps 40] [--rounds 2] [--threads 1]

Each side is a fresh process; rounds are interleaved, each side first every other round. Printed:
tokens/s over the whole ``Trainer.train()`` (compilation included: what a short run sees) and the
median step time after step 6 (compiled code only: what a long run approaches), with the ratios.
No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.train_throughput import BARE, write_dataset  # noqa: E402


def run(model: Path, dataset: Path, work: Path, steps: int, threads: int, compiled: bool, n: int) -> dict:
    args = {"model": str(model), "dataset": str(dataset), "out": str(work / f"{'c' if compiled else 'e'}-{n}"),
            "steps": steps, "threads": threads, "seq": 256, "batch": 2, "compile": compiled}
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), TQDM_DISABLE="1",
               HF_HUB_OFFLINE="1")
    t = time.monotonic()
    out = subprocess.run([sys.executable, "-c", BARE, json.dumps(args)], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=3600, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise SystemExit(f"{'compiled' if compiled else 'eager'} run failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["wall"] = time.monotonic() - t
    return data


def main() -> None:
    from app.core import bundled

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    model = args.model or bundled.default_model_dir()
    with tempfile.TemporaryDirectory(prefix="compile-bench-") as tmp:
        work = Path(tmp)
        dataset = work / "data.jsonl"
        write_dataset(dataset)
        eager, compiled = [], []
        for n in range(args.rounds):
            sides = [(eager, False), (compiled, True)]
            for results, flag in (sides if n % 2 == 0 else sides[::-1]):
                results.append(run(model, dataset, work, args.steps, args.threads, flag, n))
            e, c = eager[-1], compiled[-1]
            print(f"round {n + 1}: eager {e['tokens'] / e['train_call_seconds']:.1f} tok/s, step {e['steady_step_s']:.3f} s; "
                  f"compiled {c['tokens'] / c['train_call_seconds']:.1f} tok/s, step {c['steady_step_s']:.3f} s "
                  f"(train() {c['train_call_seconds']:.1f} s against {e['train_call_seconds']:.1f} s)", flush=True)
    whole = max(c["tokens"] / c["train_call_seconds"] for c in compiled) / max(
        e["tokens"] / e["train_call_seconds"] for e in eager)
    steady = statistics.median(e["steady_step_s"] for e in eager) / statistics.median(
        c["steady_step_s"] for c in compiled)
    print(f"torch.compile: whole run {whole:.3f}× the eager tokens/s (compilation included); "
          f"steady steps {steady:.3f}× faster")
    print(json.dumps({"steps": args.steps, "threads": args.threads, "whole_run_ratio": round(whole, 3),
                      "steady_step_ratio": round(steady, 3)}))


if __name__ == "__main__":
    main()
