"""The `ai-platform` command: the GUI by default, and headless subcommands (app/commands/, one
module each). This module only builds the parser and dispatches; nothing heavy is imported before
the chosen subcommand needs it.
"""

from __future__ import annotations

import argparse
import sys

from app import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-platform", description="AI Platform: local LLM workstation.")
    parser.add_argument("--version", action="version", version=f"ai-platform {__version__}")
    parser.add_argument("--smoke", action="store_true",
                        help="start the GUI, print start-up time once the window is painted, and exit")
    sub = parser.add_subparsers(dest="command")
    from app.commands import register_all

    register_all(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None):
        try:
            return args.func(args)
        except Exception as exc:
            return _disk_full_or_raise(args, exc)
    from app.views.app import run_gui

    return run_gui(smoke=args.smoke)


def _disk_full_or_raise(args, exc: Exception) -> int:
    """A full disk anywhere under a command is one line ("the disk is full (N MB free at PATH)"),
    exit 2; anything else propagates."""
    from app.core import diskspace, paths

    if not diskspace.looks_full(exc, paths.home()):
        raise exc
    err = diskspace.disk_full_error(paths.home())
    if getattr(args, "json", False):
        import json

        print(json.dumps({"error": {"code": err.code, "message": str(err), "params": err.params}}, ensure_ascii=False))
    print(f"error: {err}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
