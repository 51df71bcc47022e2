"""`ai-platform setup-models`: prepare the bundled default model (converted once, offline), printing
the convert engine's events; the exit code is the engine's. Then the bundled model's tool adapter
(what agent mode calls tools with): the copy shipped in the package is checked and named, or, with
``--train-tool-adapter`` (or when none ships), trained once into the data folder with the training
engine (scripts/train_tool_adapter.py's recipe, a few minutes of CPU)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("setup-models", help="prepare the bundled default model (offline, once)")
    p.add_argument("--force", action="store_true", help="convert again even if it is ready")
    p.add_argument("--train-tool-adapter", action="store_true",
                   help="train the bundled model's tool adapter here instead of using the shipped one")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for training the tool adapter")
    p.set_defaults(func=run)


def run(args) -> int:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "app.engines.convert"]
    if args.force:
        cmd.append("--force")
    code = subprocess.call(cmd)
    if code != 0:
        return code
    return _tool_adapter(args)


def _tool_adapter(args) -> int:
    import sys
    import tempfile
    from pathlib import Path

    from app.core import bundled, tool_adapter

    found = tool_adapter.find()
    if found is not None and not getattr(args, "train_tool_adapter", False):
        where = "shipped with the app" if found == tool_adapter.SHIPPED else "trained on this machine"
        print(f"tool adapter for agent mode: {found} ({where})", flush=True)
        return 0
    from app.agents import tool_adapter as recipe
    from app.core.errors import UserError

    dest = tool_adapter.trained_dir()
    # The chat model is ready already; say so before a long CPU job, and that stopping it is safe.
    print("The chat model is ready. Now training its tool adapter for agent mode: about 15-25 minutes on "
          "2 CPU threads. Ctrl+C skips it safely (agent mode then offers tools as text, ReAct); run "
          "`ai-platform setup-models` again later to train it.", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="tool-adapter-") as work:
            recipe.build(dest, bundled.default_model_dir(), Path(work), threads=args.threads,
                         log=lambda text: print(text, flush=True))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # nothing half-written: the work folder goes, the install is a rename
        print("tool adapter skipped; the chat model is ready.", file=sys.stderr, flush=True)
        return 130
    return 0
