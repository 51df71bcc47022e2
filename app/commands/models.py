"""`ai-platform models list [--json]`: the bundled model, registered models, and runs' adapters."""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the models and adapters the app can serve")
    sub = p.add_subparsers(dest="models_command")
    lp = sub.add_parser("list", help="bundled, registered and adapter models, with size, params, context")
    lp.add_argument("--json", action="store_true", help="one JSON array on stdout")
    lp.set_defaults(func=run_list)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _size(n) -> str:
    if not n:
        return "-"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _params(n) -> str:
    if not n:
        return "-"
    return f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"


def run_list(args) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.models_registry import list_all_models

    try:
        with open_database() as db:
            rows = list_all_models(db)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return 0
    print(f"{'NAME':32} {'KIND':8} {'PARAMS':>8} {'SIZE':>9} {'DTYPE':9} {'CTX':>6} {'TMPL':4} PATH")
    for r in rows:
        print(f"{r['name'][:32]:32} {r['kind']:8} {_params(r.get('params')):>8} {_size(r.get('size_bytes')):>9} "
              f"{(r.get('dtype') or '-'):9} {str(r.get('context_length') or '-'):>6} "
              f"{'yes' if r.get('chat_template') else 'no':4} {r.get('path') or '-'}")
        if not r.get("ready", True) and r.get("reason"):
            print(f"{'':32} not ready: {r['reason']}" + (f" ({r['fix']})" if r.get("fix") else ""))
    return 0
