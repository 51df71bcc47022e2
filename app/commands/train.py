"""`ai-platform train`: fine-tune a model (LoRA/QLoRA) from a config file or a preset, printing the
training engine's JSON events; the last one is ``done``. The work is in train_launch.py."""

from __future__ import annotations


def register(subparsers) -> None:
    presets = ("cpu-demo", "qlora-8b-24gb", "lora-3b-24gb")  # app.core.train_config.PRESETS
    p = subparsers.add_parser(
        "train", help="fine-tune a model (LoRA/QLoRA); prints JSON events, the last one `done`",
        description="Run a training config, or a preset on a dataset. Exit 0 when completed or stopped "
                    "(Ctrl+C saves and stops), 1 when failed.")
    p.add_argument("config", nargs="?", default=None, help="a training config JSON (see app/core/train_config.py)")
    p.add_argument("--preset", choices=presets, default=None, help="start from a preset instead of a config file")
    p.add_argument("--dataset", default=None,
                   help="training data: chat-messages JSONL (Alpaca, ShareGPT and CSV are converted); "
                        "preference pairs for dpo/orpo; a .txt/.md file or folder for cpt")
    p.add_argument("--method", choices=("lora", "qlora", "dpo", "orpo", "cpt"), default=None,
                   help="lora/qlora: chat fine-tuning; dpo/orpo: preference pairs (prompt, chosen, rejected); "
                        "cpt: continued pretraining on raw text (.txt/.md file or folder)")
    p.add_argument("--model", default=None, help="base model folder (default: the preset's / the config's)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
    p.add_argument("--run-dir", default=None, help="the run folder (default: a new one under runs/)")
    p.add_argument("--name", default=None, help="a name for the run folder")
    p.add_argument("--processes", type=int, default=None, metavar="N",
                   help="train on N processes of this machine: one per GPU, or CPU processes (gloo); "
                        "the strategy is the config's distributed.strategy, ddp by default")
    p.add_argument("--resume", default=None, metavar="latest|CHECKPOINT_DIR",
                   help="continue the run in --run-dir from its newest (or the given) checkpoint")
    p.set_defaults(func=run)


def run(args) -> int:
    """Train a LoRA/QLoRA adapter: the engine's JSON events on stdout, the last one ``done``."""
    from app.commands import train_launch

    return train_launch.main(args)
