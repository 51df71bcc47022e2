"""Fine-tune a chat model with LoRA or QLoRA: the training engine.

    python -m app.engines.train RUN_DIR [--resume latest|CHECKPOINT_DIR]

Reads ``RUN_DIR/config.json`` (:class:`app.core.train_config.TrainConfig`) and trains with the
transformers Trainer and a peft LoRA adapter: plain LoRA on a float32 / bfloat16 / float16 base, on
an 8-bit base, or QLoRA on a 4-bit NF4 base with double quantization. ``method`` ``dpo`` / ``orpo``
tune the adapter on preference pairs with TRL (DPO's reference: the base with the adapter disabled),
``cpt`` continues pretraining on raw text packed into blocks (app/training/methods.py). Events go to stdout and
``RUN_DIR/events.jsonl`` (see app/core/engine_runtime.py); the human log goes to stderr and, unless
stderr already is that file, to ``RUN_DIR/train.log``.

The run folder when it ends::

    config.json  events.jsonl  train.log  engine.json
    checkpoints/checkpoint-N/   complete checkpoints only (written as .tmp-checkpoint-N, renamed)
    adapter/                    the final PEFT adapter (adapter_config.json + adapter_model.safetensors)
    memory.json                 CUDA runs: measured peak GPU memory beside the planner's prediction

With ``distributed`` in the config (several processes or GPUs) this process is the launcher: it
starts the ranks through torchrun and relays rank 0's events (app/training/ranks.py); each rank is
this module again, under torchrun, and only rank 0 speaks.

``{"cmd":"stop"}`` on stdin, SIGTERM or Ctrl+C stop at the next step boundary with a checkpoint
and an adapter (``done: stopped``); a second Ctrl+C aborts without saving. ``--resume latest``
continues from the newest complete checkpoint.

The run itself is ``app.training.run.train``; this module is the command line and the process.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from app.core import paths
from app.core.engine_runtime import run_main
from app.training import distributed
from app.training.run import DONE_FIELDS, train

ENGINE = "train"
LOG_FILE = "train.log"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.train", description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", type=Path, help="the run folder; it holds config.json")
    ap.add_argument("--resume", default=None, metavar="latest|CHECKPOINT_DIR",
                    help="continue from the newest complete checkpoint, or from the one given")
    return ap.parse_args(argv)


# --- logging ----------------------------------------------------------------------------------

def setup_logging(run_dir: Path | None) -> None:
    """Human log to stderr (the runtime set that up) and to RUN_DIR/train.log, unless stderr is
    already that file (the GUI redirects it there): then a second handler would double each line."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if run_dir is not None:
        path = run_dir / LOG_FILE
        if not paths.fd_is_file(2, path):
            fh = logging.FileHandler(path, encoding="utf-8")
            fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            root.addHandler(fh)
    logging.captureWarnings(True)


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    """``stdout``: the events' stream (default: this process's stdout, protected from stray prints)."""
    args = parse_args(argv)
    run_dir = args.run_dir.expanduser().resolve()
    t0 = time.monotonic()
    if not run_dir.is_dir():
        def missing(rt):
            rt.error(f"The run folder {run_dir} does not exist.",
                     hint="Create it with its config.json first (ai-platform train CONFIG does both).",
                     extra={"code": "train.no_run_dir", "params": {"path": str(run_dir)}})
            return "failed", {"adapter": None, "steps": 0}

        return run_main(ENGINE, missing, stdout=stdout, protect_stdout=True)

    if distributed.under_torchrun():
        return _rank_main(run_dir, args.resume, stdout)

    def body(rt):
        setup_logging(run_dir)
        if not _wants_ranks(run_dir):
            return train(rt, args.resume)
        from app.core.checkpoints import CHECKPOINTS
        from app.training.ranks import run_ranks
        from app.training.run import checked_config, resume_point

        cfg = checked_config(rt, run_dir)
        if cfg is None:
            return "failed", {}
        ok, resume_from = resume_point(rt, args.resume, run_dir / CHECKPOINTS)
        if not ok:
            return "failed", {}
        return run_ranks(rt, cfg, resume_from)

    code = run_main(ENGINE, body, run_dir=run_dir, started={"run_dir": str(run_dir), "resume": args.resume},
                    done_fields=lambda: dict(DONE_FIELDS, seconds=round(time.monotonic() - t0, 2)),
                    error_hint=f"See {run_dir / LOG_FILE} for the details.",
                    sigint_stops=True, abort_hint="Resume from the last checkpoint.",
                    stdout=stdout, protect_stdout=True)
    logging.shutdown()
    return code


def _wants_ranks(run_dir: Path) -> bool:
    """Whether the run's config asks for several processes (a config with a problem: no, and
    train() reports the problem as for any run)."""
    from app.core.errors import UserError
    from app.core.train_config import CONFIG_FILE, read_config

    try:
        return distributed.active(read_config(run_dir / CONFIG_FILE).distributed)
    except UserError:
        return False


def _rank_main(run_dir: Path, resume: str | None, stdout: TextIO | None) -> int:
    """One rank under torchrun: trains, and rank 0 writes its events to stdout for the launcher
    (which owns events.jsonl); the other ranks keep quiet, their log at warnings only."""
    quiet = None if distributed.is_main() else open(os.devnull, "w", encoding="utf-8")

    def body(rt):
        setup_logging(None)  # stderr only: the launcher writes it to train.log (and its own stderr)
        if quiet is not None:
            logging.getLogger().setLevel(logging.WARNING)
        return train(rt, resume)

    code = run_main(ENGINE, body, run_dir=run_dir, done_fields=lambda: dict(DONE_FIELDS),
                    error_hint=f"See {run_dir / LOG_FILE} for the details.", sigint_stops=True,
                    stdout=quiet or stdout, protect_stdout=True, listen_stdin=False, owns_run_dir=False)
    logging.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
