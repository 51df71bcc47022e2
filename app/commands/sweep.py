"""`ai-platform sweep SPACE.json --trials N [--json]`: an Optuna sweep over training settings, headless.

The study is stored in ``<data folder>/sweeps/<name>.sqlite3``, so running the same command again
after a crash (or to add trials) resumes it: ``--trials N`` means until N trials have finished.
Progress goes to stderr; with --json the last line is ``{"study", "best": {"number", "value",
"params", "run"}, "trials": […]}``. See app/training/sweep.py for the SPACE format.
"""

from __future__ import annotations

import json

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="search training settings with Optuna (resumable)")
    p.add_argument("space", help='JSON: {"name", "base": {training settings}, "params": {name: range}}')
    p.add_argument("--trials", type=int, required=True, help="finished trials wanted (counting earlier ones)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from app.core.errors import UserError
    from app.training.sweep import run_sweep

    try:
        result = run_sweep(args.space, args.trials, seed=args.seed)
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    else:
        for t in result["trials"]:
            value = f"{t['value']:.4f}" if t["value"] is not None else "–"
            print(f"#{t['number']:<3} {t['state']:9} {value:>8}  {t['params']}  {t['run'] or ''}")
        best = result["best"]
        print(f"best: #{best['number']} eval loss {best['value']:.4f} {best['params']} ({best['run']})" if best
              else "no trial completed")
    return 0
