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


def _datasets_user_error(err, as_json: bool) -> int:
    """A UserError as a readable line on stderr (and one JSON object on stdout with --json): exit 2."""
    if as_json:
        print(json.dumps({"error": {"code": err.code, "message": str(err), "params": err.params}},
                         ensure_ascii=False, default=str))
    print(f"error: {err}", file=sys.stderr)
    return 2


def _cmd_datasets_validate(args) -> int:
    """Exit 0: every record valid; 1: some records invalid; 2: not readable as a dataset at all."""
    from app.core import datasets
    from app.core.errors import UserError

    try:
        _records, report = datasets.load_dataset_file(args.file, shape=args.shape)
    except UserError as err:
        return _datasets_user_error(err, args.json)
    if args.json:
        print(report.to_json())
    else:
        shape = report.shape or "unknown"
        if report.detected_shape and report.detected_shape != report.shape:
            shape += f" (detected: {report.detected_shape})"
        print(f"File:    {report.path} ({report.format})")
        print(f"Shape:   {shape}")
        print(f"Records: {report.n_records}: {report.n_valid} valid, {report.n_invalid} invalid")
        if report.n_invalid:
            shown = report.errors[:20]
            print(f"Problems (first {len(shown)} of {report.n_invalid}):" if report.n_invalid > len(shown)
                  else "Problems:")
            for err in shown:
                print("  " + datasets.format_error(err))
    return 1 if report.n_invalid else 0


def _dataset_info_dict(info) -> dict:
    return {"id": info.id, "name": info.name, "project_id": info.project_id, "shape": info.shape,
            "n_records": info.n_records, "n_train": info.n_train, "n_val": info.n_val,
            "n_errors": info.n_errors, "train_path": str(info.train_path),
            "val_path": str(info.val_path) if info.val_path else None, "source_path": info.source_path,
            "created_at": info.created_at.isoformat()}


def _cmd_datasets_import(args) -> int:
    from app.core.datasets import DatasetStore
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            info = DatasetStore(db).import_file(args.file, name=args.name, project_id=args.project,
                                                shape=args.shape, val_ratio=args.val_ratio, seed=args.seed)
    except UserError as err:
        return _datasets_user_error(err, args.json)
    if args.json:
        print(json.dumps(_dataset_info_dict(info), ensure_ascii=False))
    else:
        split = f" ({info.n_train} train, {info.n_val} validation)" if info.n_val else ""
        print(f"Imported dataset {info.id} \"{info.name}\": {info.n_records} records{split}, shape {info.shape}")
        if info.n_errors:
            print(f"{info.n_errors} invalid record(s) left out; see {info.folder / 'report.json'}")
        print(f"Folder: {info.folder}")
    return 0


def _cmd_datasets_list(args) -> int:
    from app.core.datasets import DatasetStore
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            items = DatasetStore(db).list(project_id=args.project)
    except UserError as err:
        return _datasets_user_error(err, args.json)
    if args.json:
        print(json.dumps([_dataset_info_dict(i) for i in items], ensure_ascii=False))
    else:
        for i in items:
            print(f"{i.id:>5}  {i.name}  [{i.shape}]  {i.n_records} records, {i.n_errors} invalid")
        if not items:
            print("No datasets yet.")
    return 0


def _add_datasets_parser(sub) -> None:
    shapes = ("alpaca", "sharegpt", "openai")  # app.core.datasets.SHAPES, without importing it here
    p = sub.add_parser("datasets", help="validate, import and list fine-tuning datasets")
    ds = p.add_subparsers(dest="datasets_command", required=True)

    q = ds.add_parser("validate", help="check every record of a JSONL/JSON/CSV file (exit 0 ok, 1 invalid records, 2 unreadable)")
    q.add_argument("file")
    q.add_argument("--shape", choices=shapes, default=None, help="read as this shape instead of detecting it")
    q.add_argument("--json", action="store_true", help="print the report as one JSON object")
    q.set_defaults(func=_cmd_datasets_validate)

    q = ds.add_parser("import", help="validate a file and keep a normalised copy in the data folder")
    q.add_argument("file")
    q.add_argument("--name", default=None, help="dataset name (default: the file name)")
    q.add_argument("--project", type=int, default=None, help="project id")
    q.add_argument("--shape", choices=shapes, default=None)
    q.add_argument("--val-ratio", type=float, default=0.0, help="share of records set aside for validation")
    q.add_argument("--seed", type=int, default=42, help="seed of the train/validation split")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=_cmd_datasets_import)

    q = ds.add_parser("list", help="list imported datasets")
    q.add_argument("--project", type=int, default=None, help="only this project's datasets")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=_cmd_datasets_list)


def _cmd_train(args) -> int:
    """Train a LoRA/QLoRA adapter: the engine's JSON events on stdout, the last one ``done``."""
    from app.engines import train_launch

    return train_launch.main(args)


def _add_train_parser(sub) -> None:
    presets = ("cpu-demo", "qlora-8b-24gb", "lora-3b-24gb")  # app.core.train_config.PRESETS
    p = sub.add_parser(
        "train", help="fine-tune a model (LoRA/QLoRA); prints JSON events, the last one `done`",
        description="Run a training config, or a preset on a dataset. Exit 0 when completed or stopped "
                    "(Ctrl+C saves and stops), 1 when failed.")
    p.add_argument("config", nargs="?", default=None, help="a training config JSON (see app/core/train_config.py)")
    p.add_argument("--preset", choices=presets, default=None, help="start from a preset instead of a config file")
    p.add_argument("--dataset", default=None,
                   help="training data: chat-messages JSONL (Alpaca, ShareGPT and CSV are converted)")
    p.add_argument("--model", default=None, help="base model folder (default: the preset's / the config's)")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
    p.add_argument("--run-dir", default=None, help="the run folder (default: a new one under runs/)")
    p.add_argument("--name", default=None, help="a name for the run folder")
    p.add_argument("--resume", default=None, metavar="latest|CHECKPOINT_DIR",
                   help="continue the run in --run-dir from its newest (or the given) checkpoint")
    p.set_defaults(func=_cmd_train)


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

    _add_datasets_parser(sub)
    _add_train_parser(sub)
    from app.commands import register_all

    register_all(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "func", None):
        return args.func(args)
    from app.views.app import run_gui

    return run_gui(smoke=args.smoke)


if __name__ == "__main__":
    sys.exit(main())
