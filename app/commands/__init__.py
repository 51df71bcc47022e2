"""Subcommands of `ai-platform`, one module each (``register(subparsers)``), so each feature owns
its command line. Modules here import only argparse-level things at the top; the work they call
is imported inside the command function, keeping `ai-platform --version` instant."""

from __future__ import annotations

import importlib

# Order = order in `ai-platform --help`.
MODULES = ("doctor", "setup_models", "datasets", "train", "gpu", "models", "export", "quantize", "serve", "kb", "agent",
           "workflow", "mcp", "memory",
           "evaluate", "sweep")


def register_all(subparsers) -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.commands.{name}":
                raise
            continue  # a feature that has not landed yet
        module.register(subparsers)
