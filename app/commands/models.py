"""`ai-platform models list [--json]`: the bundled model, registered models, and runs' adapters.

`ai-platform models import PATH [--name NAME]`: a Hugging Face folder (registered where it is) or a
.gguf file (converted once into models/, like the Models panel does).
`ai-platform models delete NAME [--delete-files]`: files inside the data folder always go; others
only with --delete-files. `ai-platform models allow-remote-code NAME`: trust_remote_code for it only.
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the models and adapters the app can serve")
    sub = p.add_subparsers(dest="models_command")
    lp = sub.add_parser("list", help="bundled, registered and adapter models, with size, params, context")
    lp.add_argument("--json", action="store_true", help="one JSON array on stdout")
    lp.set_defaults(func=run_list)
    ip = sub.add_parser("import", help="register a Hugging Face folder, or convert a .gguf file once")
    ip.add_argument("path", help="a model folder (config.json + weights) or a .gguf file")
    ip.add_argument("--name", default=None, help="the name to list it under (default: from the path)")
    ip.add_argument("--json", action="store_true", help="print the imported model as one JSON object on stdout")
    ip.set_defaults(func=run_import)
    dp = sub.add_parser("delete", help="remove a registered model (files outside the data folder stay unless asked)")
    dp.add_argument("name")
    dp.add_argument("--delete-files", action="store_true", help="also delete files outside the data folder")
    dp.set_defaults(func=run_delete)
    ap = sub.add_parser("allow-remote-code", help="let one model run the code that came with it (trust_remote_code)")
    ap.add_argument("name")
    ap.add_argument("--revoke", action="store_true", help="refuse it again")
    ap.set_defaults(func=run_allow_remote_code)
    pp = sub.add_parser("push", help="upload a model, a run's adapter or a GGUF file to the Hugging Face hub, "
                        "with a model card (README.md, also kept beside the model)")
    pp.add_argument("name", help="a registered model, a run id (its adapter), a model folder or a .gguf file")
    pp.add_argument("--repo", required=True, help="the hub repository, USER/NAME")
    pp.add_argument("--private", action="store_true", help="create the repository as private")
    pp.add_argument("--json", action="store_true", help="print the result as one JSON object on stdout")
    pp.set_defaults(func=run_push)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _size(n) -> str:
    if not n:
        return "-"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _params(n) -> str:
    if not n:
        return "-"
    return f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"


def run_list(args) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.models_registry import list_all_models

    try:
        with open_database() as db:
            rows = list_all_models(db)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return 0
    print(f"{'NAME':32} {'KIND':8} {'PARAMS':>8} {'SIZE':>9} {'DTYPE':9} {'CTX':>6} {'TMPL':4} PATH")
    for r in rows:
        print(f"{r['name'][:32]:32} {r['kind']:8} {_params(r.get('params')):>8} {_size(r.get('size_bytes')):>9} "
              f"{(r.get('dtype') or '-'):9} {r.get('context_length') or '-'!s:>6} "
              f"{'yes' if r.get('chat_template') else 'no':4} {r.get('path') or '-'}")
        if not r.get("ready", True) and r.get("reason"):
            print(f"{'':32} not ready: {r['reason']}" + (f" ({r['fix']})" if r.get("fix") else ""))
    return 0


def _find(db, name: str):
    from app.core import bundled
    from app.core.errors import UserError
    from app.core.models_registry import ModelRegistry

    if name in ("default", bundled.DEFAULT_CHAT_MODEL):
        raise UserError("The bundled default model cannot be deleted or changed: the app needs it to work offline.",
                        code="model.bundled")
    m = ModelRegistry(db).find(name)
    if m is None:
        raise UserError(f'No registered model named "{name}". See: ai-platform models list',
                        code="model.unknown", params={"name": name})
    return m


def run_import(args) -> int:
    import subprocess
    from pathlib import Path

    from app.core import models_registry as mr
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            if Path(args.path).is_file():
                gguf = mr.validate_gguf(args.path)
                out = mr.gguf_target(gguf)
                # With --json, stdout carries only the answer: the converter's events go to stderr.
                code = subprocess.call([sys.executable, "-m", "app.engines.convert", "--gguf", str(gguf),
                                        "--out", str(out)], stdout=sys.stderr if getattr(args, "json", False) else None)
                if code != 0:
                    print(f"error: converting {gguf} failed (see the events above)", file=sys.stderr)
                    return 1
                info = mr.register_converted(db, out, "gguf", str(gguf), args.name or gguf.stem)
            else:
                info = mr.import_folder(db, args.path, name=args.name)
            reason = mr.remote_code_reason(info.path)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        print(json.dumps({"id": info.id, "name": info.name, "kind": info.kind, "path": info.path,
                          "source": info.source, "params": info.params, "size_bytes": info.size_bytes}))
    else:
        print(f'imported "{info.name}" ({info.path})')
    if reason:
        print(f"note: it will not be loaded until you allow remote code for it: {reason} "
              f'(ai-platform models allow-remote-code "{info.name}")', file=sys.stderr)
    return 0


def run_delete(args) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.models_registry import delete_model

    try:
        with open_database() as db:
            m = _find(db, args.name)
            removed = delete_model(db, m.id, delete_files=args.delete_files)
    except (UserError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f'removed "{m.name}"' + (f" and deleted {m.path}" if removed else f" (its files stay at {m.path})"))
    return 0


def run_allow_remote_code(args) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.models_registry import ModelRegistry

    try:
        with open_database() as db:
            m = _find(db, args.name)
            ModelRegistry(db).set_trust_remote_code(m.id, not args.revoke)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f'remote code {"refused" if args.revoke else "allowed"} for "{m.name}" only')
    return 0


HUB_TIMEOUT_S = 5.0


def _push_target(db, name: str):
    """(path, kind) for a run id, a registered model, a folder or a .gguf file."""
    from pathlib import Path

    from app.core import paths
    from app.core.errors import UserError
    from app.core.models_registry import ModelRegistry
    from app.core.runs import ADAPTER_DIR

    # A run id is a bare name; a path (the window passes folders) is never looked up under runs/
    # (runs_dir() / "/abs/path" would be that path itself, and a model folder has a config.json too).
    run = paths.runs_dir() / name if Path(name).name == name else None
    if run is not None and (run / ADAPTER_DIR).is_dir():
        return run / ADAPTER_DIR, "adapter"
    if run is not None and (run / "config.json").is_file():
        raise UserError(f"The run {name} has no adapter yet: push it once training has saved one.",
                        code="hub.no_adapter", params={"name": name})
    m = ModelRegistry(db).find(name)
    path = Path(m.path) if m is not None else Path(name)
    if path.is_file() and path.suffix == ".gguf":
        return path, "gguf"
    if path.is_dir() and (path / "adapter_config.json").is_file():
        return path, "adapter"
    if path.is_dir() and (path / "config.json").is_file():
        return path, "model"
    raise UserError(f'No model, run or GGUF file named "{name}". See: ai-platform models list',
                    code="hub.unknown", params={"name": name})


def _hub_reachable(timeout: float = HUB_TIMEOUT_S) -> str | None:
    """None when the hub answers a TCP connection, else why not (fails in seconds when offline)."""
    from app.core.hub import hub_reachable

    return hub_reachable(timeout)


def run_push(args) -> int:
    import os

    from app.core import model_card, secrets
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.models_registry import validate_repo_id

    try:
        repo = validate_repo_id(args.repo)
        with open_database() as db:
            path, kind = _push_target(db, args.name)
        card = model_card.write_card(path, repo, kind)
        out = {"repo": repo, "kind": kind, "path": str(path), "card": str(card), "pushed": False}
        why = _hub_reachable()
        if why is not None:
            raise UserError(f"The Hugging Face hub cannot be reached ({why}): nothing was uploaded. "
                            f"The model card is kept at {card}; push again when online.",
                            code="hub.offline", params={"reason": why, "card": str(card)})
        # The keyring's token; else HF_TOKEN (the window passes a session-only token that way)
        token = secrets.get_secret(secrets.HF_TOKEN) or os.environ.get("HF_TOKEN")
        if not token:
            raise UserError("No Hugging Face token: add one in Settings (it is kept in the system keyring).",
                            code="hub.no_token")
        from huggingface_hub import HfApi

        api = HfApi(token=token)
        api.create_repo(repo, private=args.private, exist_ok=True)
        if kind == "gguf":
            api.upload_file(path_or_fileobj=str(path), path_in_repo=path.name, repo_id=repo)
            api.upload_file(path_or_fileobj=str(card), path_in_repo=model_card.CARD_FILE, repo_id=repo)
        else:
            api.upload_folder(folder_path=str(path), repo_id=repo)
        out["pushed"] = True
        out["url"] = f"https://huggingface.co/{repo}"
    except UserError as err:
        if getattr(args, "json", False):
            print(model_card.dumps({"error": str(err), "code": err.code, "params": err.params}))
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # the hub's own errors: say them, without a traceback
        print(f"error: pushing to {args.repo} failed: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(model_card.dumps(out))
    else:
        print(f"pushed {path} to {out['url']}")
    return 0
