"""`ai-platform datasets validate/import/list`: fine-tuning datasets from the command line.

    datasets validate FILE [--shape S] [--json]     exit 0 valid, 1 some records invalid, 2 unreadable
    datasets import FILE [--name N] [--project ID] [--shape S] [--val-ratio R] [--seed N] [--json]
    datasets list [--project ID] [--json]

Errors a person can fix print ``error: …`` on stderr (and one JSON object with ``--json``), exit 2.
"""

from __future__ import annotations

import json

from app.commands.output import user_error


def register(subparsers) -> None:
    shapes = ("alpaca", "sharegpt", "openai", "preference", "text")  # app.core.datasets.SHAPES, without importing it here
    p = subparsers.add_parser("datasets", help="validate, import and list fine-tuning datasets")
    ds = p.add_subparsers(dest="datasets_command", required=True)

    q = ds.add_parser("validate", help="check every record of a JSONL/JSON/CSV file (exit 0 ok, 1 invalid records, 2 unreadable)")
    q.add_argument("file")
    q.add_argument("--shape", choices=shapes, default=None, help="read as this shape instead of detecting it")
    q.add_argument("--json", action="store_true", help="print the report as one JSON object")
    q.set_defaults(func=_validate)

    q = ds.add_parser("import", help="validate a file and keep a normalised copy in the data folder")
    q.add_argument("file")
    q.add_argument("--name", default=None, help="dataset name (default: the file name)")
    q.add_argument("--project", type=int, default=None, help="project id")
    q.add_argument("--shape", choices=shapes, default=None)
    q.add_argument("--val-ratio", type=float, default=0.0, help="share of records set aside for validation")
    q.add_argument("--seed", type=int, default=42, help="seed of the train/validation split")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=_import)

    q = ds.add_parser("list", help="list imported datasets")
    q.add_argument("--project", type=int, default=None, help="only this project's datasets")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(func=_list)



def _validate(args) -> int:
    """Exit 0: every record valid; 1: some records invalid; 2: not readable as a dataset at all."""
    from app.core import datasets
    from app.core.errors import UserError

    try:
        report = datasets.validate_dataset_file(args.file, shape=args.shape)  # streamed: any size
    except UserError as err:
        return user_error(err, args.json)
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


def _import(args) -> int:
    from app.core import diskspace, paths
    from app.core.datasets import DatasetStore
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        try:
            with open_database() as db:
                info = DatasetStore(db).import_file(args.file, name=args.name, project_id=args.project,
                                                    shape=args.shape, val_ratio=args.val_ratio, seed=args.seed)
        except Exception as exc:  # noqa: BLE001 - a full disk: say so (the import cleans up after itself)
            diskspace.reraise_if_full(exc, paths.home())
            raise
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        print(json.dumps(_dataset_info_dict(info), ensure_ascii=False))
    else:
        split = f" ({info.n_train} train, {info.n_val} validation)" if info.n_val else ""
        print(f"Imported dataset {info.id} \"{info.name}\": {info.n_records} records{split}, shape {info.shape}")
        if info.n_errors:
            print(f"{info.n_errors} invalid record(s) left out; see {info.folder / 'report.json'}")
        print(f"Folder: {info.folder}")
    return 0


def _list(args) -> int:
    from app.core.datasets import DatasetStore
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            items = DatasetStore(db).list(project_id=args.project)
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        print(json.dumps([_dataset_info_dict(i) for i in items], ensure_ascii=False))
    else:
        for i in items:
            print(f"{i.id:>5}  {i.name}  [{i.shape}]  {i.n_records} records, {i.n_errors} invalid")
        if not items:
            print("No datasets yet.")
    return 0
