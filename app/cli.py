"""The `ai-platform` command: the GUI by default, and headless subcommands.

Kept light: nothing heavy is imported before the chosen subcommand needs it.
"""

from __future__ import annotations

import argparse
import json
import sys

from app import __version__


def _cmd_doctor(args) -> int:
    from app.core import doctor

    report = doctor.collect(run_probe=not args.no_probe)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    else:
        print(doctor.format_text(report))
    return 0 if report.get("ok") else 1


def _cmd_setup_models(args) -> int:
    """Prepare the bundled default model (converted once, offline), printing the engine's events."""
    import subprocess

    cmd = [sys.executable, "-m", "app.engines.convert"]
    if args.force:
        cmd.append("--force")
    return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-platform", description="AI Platform: local LLM workstation.")
    parser.add_argument("--version", action="version", version=f"ai-platform {__version__}")
    parser.add_argument("--smoke", action="store_true",
                        help="start the GUI, print start-up time once the window is painted, and exit")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("doctor", help="report the environment: Python, Qt, torch, vLLM runtime, GPU, keyring, models")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-probe", action="store_true", help="skip starting the app environment's torch probe")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("setup-models", help="prepare the bundled default model (offline, once)")
    p.add_argument("--force", action="store_true", help="convert again even if it is ready")
    p.set_defaults(func=_cmd_setup_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None):
        return args.func(args)
    from app.views.app import run_gui

    return run_gui(smoke=args.smoke)


if __name__ == "__main__":
    sys.exit(main())
