"""Train the bundled model's tool adapter with the app's training engine and install it.

    OMP_NUM_THREADS=2 python scripts/train_tool_adapter.py [--dest DIR] [--threads 2] [--n 600]
                                                          [--work DIR] [--set KEY=VALUE ...]

Default ``--dest``: the data folder's models/smollm2-tools (agent mode prefers it to the shipped
copy); the shipped copy in app/adapters/smollm2-tools is made with ``--dest app/adapters/smollm2-tools``.
``--set`` overrides a recipe field (e.g. ``--set epochs=2``) for trying recipes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from app.agents import tool_adapter as recipe
    from app.core import bundled, tool_adapter

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dest", default=None)
    ap.add_argument("--model", default=None, help="the base model folder (default: the converted bundled model)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=recipe.TRAIN_N)
    ap.add_argument("--work", default=None, help="where the run folder and data go (default: a temp folder)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value) if value[:1] in "0123456789-[{tf" or value in ("null",) else value
    model_dir = Path(args.model) if args.model else bundled.default_model_dir()
    problem = bundled.model_dir_problem(model_dir)
    if problem and not args.model:
        print(f"{problem}; run ai-platform setup-models first", file=sys.stderr)
        return 2
    dest = Path(args.dest) if args.dest else tool_adapter.trained_dir()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="tool-adapter-"))
    info = recipe.build(dest, model_dir, work, threads=args.threads, n=args.n, **overrides)
    print(json.dumps(info, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
