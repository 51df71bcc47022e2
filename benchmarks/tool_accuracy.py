"""Tool-call accuracy of the bundled model with its tool adapter on the held-out generated set
(unseen wordings and values: ``tooluse_data.records(N, seed=7, split="heldout")``), split by case
type; the target is ≥ 90 % overall. ``--no-adapter`` measures the bare model for comparison.

    OMP_NUM_THREADS=2 python benchmarks/tool_accuracy.py [--n 120] [--adapter DIR] [--model DIR]
                                                         [--no-adapter] [--json] [--show-failures]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=120, help="held-out records (default 120)")
    ap.add_argument("--seed", type=int, default=None, help="held-out seed (default the recipe's, 7)")
    ap.add_argument("--model", default=None, help="the base model folder (default: the converted bundled model)")
    ap.add_argument("--adapter", default=None, help="the tool adapter folder (default: the one agent mode uses)")
    ap.add_argument("--no-adapter", action="store_true", help="the base model alone")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ap.add_argument("--show-failures", action="store_true")
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.agents import tool_adapter as recipe, tool_eval, tooluse_data
    from app.core import bundled, tool_adapter

    torch.set_num_threads(args.threads)
    model_dir = Path(args.model) if args.model else bundled.default_model_dir()
    if bundled.model_dir_problem(model_dir) and not args.model:
        print(f"{model_dir}: {bundled.model_dir_problem(model_dir)}; run ai-platform setup-models", file=sys.stderr)
        return 2
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    adapter = None
    if not args.no_adapter:
        adapter = Path(args.adapter) if args.adapter else tool_adapter.find()
        if adapter is None:
            print("no tool adapter found; train one with scripts/train_tool_adapter.py", file=sys.stderr)
            return 2
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()  # same outputs, base speed
    model.eval()
    seed = recipe.HELDOUT_SEED if args.seed is None else args.seed
    records = tooluse_data.records(args.n, seed=seed, split="heldout")
    t0 = time.monotonic()
    verdicts = tool_eval.run(model, tok, records, batch=args.batch)
    result = tool_eval.summary(verdicts)
    result.update(seconds=round(time.monotonic() - t0, 1), adapter=str(adapter) if adapter else None, seed=seed)
    if args.show_failures:
        for v in verdicts:
            if not v["ok"]:
                print(f"FAIL {v['kind']}: {v['question']!r}: {v['why']}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"tool-call accuracy on {result['n']} held-out records: {result['overall']:.1%} "
              f"({result['seconds']:.0f} s; adapter: {result['adapter']})")
        for kind, row in result["by_kind"].items():
            print(f"  {kind:<12} {row['accuracy']:6.1%}  (n={row['n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
