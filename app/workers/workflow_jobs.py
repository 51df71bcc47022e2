"""The GUI's side of workflows: `ai-platform workflow … --json` run as a process (the GUI never imports
langgraph), the saved workflows in the data folder, and the snapshot file a run is started from.

A run reads as JSON lines (app/commands/workflow.py): ``{"type": "run", "run_id"}`` first, one
``{"type": "node", …}`` per finished node, then the result (no ``type``), or ``{"error": …}`` for a
workflow that could not start. ``WorkflowJob`` passes each on as it arrives.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core import paths
from app.workers.engine_process import EngineProcess

log = logging.getLogger(__name__)


def folder() -> Path:
    return paths.home() / "workflows"


def saved() -> list[tuple[str, Path]]:
    """(name, file) of each workflow saved in the data folder, by name."""
    return sorted((p.stem, p) for p in folder().glob("*.json") if p.is_file())


def read(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read the workflow %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


def snapshot(data: dict) -> Path:
    """The workflow as one file named by its content: a run and its resumes read the same bytes."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    path = folder() / "snapshots" / (hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] + ".json")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.atomic_write_text(path, text)
    return path


def save(name: str, data: dict) -> Path:
    path = folder() / f"{name}.json"
    folder().mkdir(parents=True, exist_ok=True)
    paths.atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
    return path


def run_record(run_id: str) -> dict | None:
    return read(folder() / "runs" / f"{run_id}.json")


class WorkflowJob(QObject):
    """One ``ai-platform workflow SUBCOMMAND … --json`` process."""

    line = Signal(dict)
    finished = Signal(object, object)  # the last JSON line (or None), the Outcome

    def __init__(self, args: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self.last: dict | None = None
        self.proc = EngineProcess("app.cli", ["workflow", *args, "--json"], python=sys.executable,
                                  protocol_events=False, parent=self)
        self.proc.json_line.connect(self._on_line)
        self.proc.finished.connect(lambda outcome: self.finished.emit(self.last, outcome))

    def _on_line(self, obj: dict) -> None:
        self.last = obj
        self.line.emit(obj)

    def start(self) -> None:
        self.proc.start()

    def stop(self) -> None:
        # SIGTERM at once: the command stops like Ctrl+C and keeps its checkpoint.
        self.proc.stop(grace_s=0, term_grace_s=10)

    def is_running(self) -> bool:
        return self.proc.is_running()


def templates_job(parent: QObject | None = None) -> WorkflowJob:
    return WorkflowJob(["templates"], parent)


def validate_job(path: Path, parent: QObject | None = None) -> WorkflowJob:
    return WorkflowJob(["validate", str(path)], parent)


def run_job(path: Path, *, text: str | None = None, resume: str | None = None, approve: bool | None = None,
            kbs: list[str] = (), parent: QObject | None = None) -> WorkflowJob:
    args = ["run", str(path)]
    if resume:
        args += ["--resume", resume]
    else:
        args += ["--input", text or ""]
    if approve is not None:
        args.append("--approve" if approve else "--reject")
    for kb in kbs:
        args += ["--kb", kb]
    return WorkflowJob(args, parent)


def next_node(data: dict, node_id: str, output) -> str | None:
    """The node a finished node hands the run to (its branch is its output), or None at the end."""
    edges = [e for e in data.get("edges", []) if e.get("from") == node_id]
    if not edges:
        return None
    chosen = next((e for e in edges if "branch" in e and str(e["branch"]) == str(output)), None)
    if chosen is None:  # a router's output is the node it chose
        chosen = next((e for e in edges if e.get("to") == output), None)
    if chosen is None and len(edges) == 1 and "branch" not in edges[0]:
        chosen = edges[0]
    if chosen is None:
        return None
    return None if chosen.get("to") == "end" else chosen.get("to")
