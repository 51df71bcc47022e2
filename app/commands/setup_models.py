"""`ai-platform setup-models`: prepare the bundled default model (converted once, offline), printing
the convert engine's events; the exit code is the engine's."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("setup-models", help="prepare the bundled default model (offline, once)")
    p.add_argument("--force", action="store_true", help="convert again even if it is ready")
    p.set_defaults(func=run)


def run(args) -> int:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "app.engines.convert"]
    if args.force:
        cmd.append("--force")
    return subprocess.call(cmd)
