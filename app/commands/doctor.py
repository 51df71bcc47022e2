"""`ai-platform doctor`: report the environment (Python, Qt, torch, the vLLM runtime, GPU, keyring,
data folder, default models). Exit 0 when everything needed is there, 1 otherwise."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("doctor", help="report the environment: Python, Qt, torch, vLLM runtime, GPU, keyring, models")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-probe", action="store_true", help="skip starting the app environment's torch probe")
    p.set_defaults(func=run)


def run(args) -> int:
    import json

    from app.core import doctor

    report = doctor.collect(run_probe=not args.no_probe)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        print(doctor.format_text(report))
    return 0 if report.get("ok") else 1
