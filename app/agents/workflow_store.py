"""Where workflows live: the templates shipped in the repo (``workflow_templates/*.json``), the user's
own in ``<home>/workflows/NAME.json``, and each run's record and checkpoints.

    <home>/workflows/NAME.json               saved workflows (what the editor writes)
    <home>/workflows/checkpoints.sqlite3     LangGraph's SQLite checkpointer, one thread per run
    <home>/workflows/runs/RUN_ID.json        the run: the workflow as it was, the input, the options

A run keeps its own copy of the workflow, so resuming it runs exactly the graph that was checkpointed.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

from app.agents.workflow import load_file
from app.core import paths
from app.core.errors import UserError

TEMPLATES = Path(__file__).resolve().parent / "workflow_templates"
RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def folder(root: Path | None = None) -> Path:
    return (root or paths.home()) / "workflows"


def checkpoints_file(root: Path | None = None) -> Path:
    return folder(root) / "checkpoints.sqlite3"


def runs_folder(root: Path | None = None) -> Path:
    return folder(root) / "runs"


def template_names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.json"))


def templates() -> list[dict]:
    """Each shipped template: name, title, description ({"en", "zh"}), node types, the JSON itself."""
    out = []
    for name in template_names():
        data = load_file(TEMPLATES / f"{name}.json")
        out.append({"name": name, "title": data.get("title") or name, "description": data.get("description") or "",
                    "node_types": sorted({n.get("type") for n in data.get("nodes", [])}),
                    "needs_kb": any(n.get("type") == "kb_search" and not n.get("kb") for n in data.get("nodes", [])),
                    "workflow": data})
    return out


def resolve(ref: str) -> tuple[dict, str]:
    """(the workflow's JSON, where it came from) for a file path, a template name or a saved workflow."""
    path = Path(ref).expanduser()
    if path.suffix == ".json" or path.exists():
        if not path.is_file():
            raise UserError(f"No workflow file {ref}.", code="workflow.file_missing", params={"path": ref})
        return load_file(path), str(path.resolve())
    if (TEMPLATES / f"{ref}.json").is_file():
        return load_file(TEMPLATES / f"{ref}.json"), f"template:{ref}"
    saved = folder() / f"{ref}.json"
    if re.match(r"^[\w.-]+$", ref) and saved.is_file():
        return load_file(saved), str(saved)
    names = ", ".join(template_names())
    raise UserError(f"No workflow file, template or saved workflow named {ref!r}. Templates: {names}.",
                    code="workflow.not_found", params={"name": ref, "templates": names})


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


def record_path(run_id: str) -> Path:
    return runs_folder() / f"{run_id}.json"


def save_record(record: dict) -> None:
    runs_folder().mkdir(parents=True, exist_ok=True)
    record = dict(record, updated=time.time())
    paths.atomic_write_text(record_path(record["run_id"]), json.dumps(record, ensure_ascii=False, indent=1))


def load_record(run_id: str) -> dict:
    path = record_path(run_id) if RUN_ID.match(run_id or "") else None
    if path is None or not path.is_file():
        raise UserError(f"There is no workflow run {run_id!r} in this data folder.", code="workflow.run_unknown",
                        params={"run_id": run_id})
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"Cannot read the workflow run {run_id}: {exc}.", code="workflow.run_unreadable",
                        params={"run_id": run_id, "reason": str(exc)}) from None
