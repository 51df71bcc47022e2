"""The database's index of training runs, always rebuildable from the run folders.

A run folder (``runs/<run-id>/``) is the truth: ``config.json``, ``events.jsonl``, ``engine.json``,
``checkpoints/``, ``adapter/``. ``RunStore`` mirrors it into the ``runs`` and ``run_metrics``
tables for fast lists and charts: incrementally from live events, or all at once from the folder.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import checkpoints, paths, protocol, run_folder
from app.core.db.models import Run, RunMetric
from app.core.errors import UserError

ACTIVE = ("queued", "running")
CONFIG_FILE = "config.json"
ADAPTER_DIR = "adapter"


@dataclass(frozen=True)
class RunInfo:
    id: str
    name: str
    project_id: int | None
    dataset_id: int | None
    status: str
    method: str
    base_model: str
    run_dir: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    last_step: int
    total_steps: int | None
    final_loss: float | None
    best_loss: float | None
    adapter_path: str | None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or datetime.now(timezone.utc)
        return max(0.0, (end - self.started_at).total_seconds())


def _info(row: Run) -> RunInfo:
    try:
        config = json.loads(row.config_json or "{}")
    except ValueError:
        config = {}
    return RunInfo(row.id, row.name, row.project_id, row.dataset_id, row.status, row.method, row.base_model,
                   row.run_dir, row.created_at, row.started_at, row.finished_at, row.last_step or 0,
                   row.total_steps, row.final_loss, row.best_loss, row.adapter_path, config)


def read_config(run_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(run_dir) / CONFIG_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def complete_checkpoints(run_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, folder) of every complete checkpoint of a run, oldest first."""
    return [(checkpoints.checkpoint_step(p), p)
            for p in checkpoints.complete_checkpoints(Path(run_dir) / checkpoints.CHECKPOINTS)]


def _ts(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, timezone.utc) if isinstance(value, (int, float)) else None


class RunStore:
    def __init__(self, db):
        self.db = db

    # --- reading ------------------------------------------------------------------------------
    def get(self, run_id: str) -> RunInfo:
        with self.db.session() as s:
            row = s.get(Run, run_id)
            if row is None:
                raise UserError(f"No run {run_id!r}.", code="run.not_found", params={"id": run_id})
            return _info(row)

    def list(self, project_id: int | None = None) -> list[RunInfo]:
        with self.db.session() as s:
            q = select(Run).order_by(Run.created_at.desc(), Run.id.desc())
            if project_id is not None:
                q = q.where(Run.project_id == project_id)
            return [_info(r) for r in s.scalars(q)]

    def metric(self, run_id: str, name: str) -> tuple[list[int], list[float]]:
        with self.db.session() as s:
            rows = s.execute(select(RunMetric.step, RunMetric.value)
                             .where(RunMetric.run_id == run_id, RunMetric.name == name)
                             .order_by(RunMetric.step)).all()
        return [r[0] for r in rows], [r[1] for r in rows]

    def metric_names(self, run_id: str) -> list[str]:
        with self.db.session() as s:
            return sorted(s.scalars(select(RunMetric.name).where(RunMetric.run_id == run_id).distinct()))

    # --- writing ------------------------------------------------------------------------------
    def register(self, run_dir: Path, *, name: str | None = None, project_id: int | None = None,
                 dataset_id: int | None = None, status: str = "queued") -> RunInfo:
        """Add (or refresh) a run row from its folder's config, before or after it ran."""
        run_dir = Path(run_dir)
        cfg = read_config(run_dir)
        with self.db.session() as s:
            row = s.get(Run, run_dir.name)
            if row is None:
                row = Run(id=run_dir.name, status=status, last_step=0)
                s.add(row)
            row.name = name or cfg.get("name") or row.name or run_dir.name
            row.project_id = project_id if project_id is not None else row.project_id
            row.dataset_id = dataset_id if dataset_id is not None else row.dataset_id
            row.method = str(cfg.get("method") or row.method or "lora")
            row.base_model = str(cfg.get("base_model") or row.base_model or "")
            row.run_dir = str(run_dir)
            row.config_json = json.dumps(cfg, ensure_ascii=False)
            s.flush()
            return _info(row)

    def set_status(self, run_id: str, status: str) -> None:
        with self.db.session() as s:
            row = s.get(Run, run_id)
            if row is not None:
                row.status = status
                if status not in ACTIVE and row.finished_at is None:
                    row.finished_at = datetime.now(timezone.utc)

    def apply_events(self, run_id: str, events: Iterable[protocol.Event]) -> None:
        """Fold engine events into the run row and its metrics (idempotent: replays are safe)."""
        metrics: list[dict] = []
        with self.db.session() as s:
            row = s.get(Run, run_id)
            if row is None:
                return
            for ev in events:
                if isinstance(ev, protocol.Started):
                    row.status = "running"
                    row.pid = ev.pid
                    row.started_at = row.started_at or _ts(ev.ts)
                    row.finished_at = None
                elif isinstance(ev, protocol.Progress):
                    row.last_step = max(row.last_step or 0, int(ev.step or 0))
                    if ev.total:
                        row.total_steps = int(ev.total)
                elif isinstance(ev, protocol.Metric):
                    row.last_step = max(row.last_step or 0, int(ev.step or 0))
                    for key, value in (ev.values or {}).items():
                        if isinstance(value, (int, float)) and value == value:  # drop None/NaN
                            metrics.append({"run_id": run_id, "step": int(ev.step), "name": key,
                                            "value": float(value), "ts": _ts(ev.ts)})
                    loss = (ev.values or {}).get("loss")
                    if isinstance(loss, (int, float)) and loss == loss:
                        row.final_loss = float(loss)
                        row.best_loss = float(loss) if row.best_loss is None else min(row.best_loss, float(loss))
                elif isinstance(ev, protocol.Done):
                    row.status = ev.status
                    row.finished_at = _ts(ev.ts)
                    extra = ev.extra or {}
                    if extra.get("adapter"):
                        row.adapter_path = str(extra["adapter"])
                    for key in ("final_loss", "best_loss"):
                        if isinstance(extra.get(key), (int, float)):
                            setattr(row, key, float(extra[key]))
                    if isinstance(extra.get("steps"), int):
                        row.last_step = max(row.last_step or 0, extra["steps"])
            if metrics:
                stmt = sqlite_insert(RunMetric).on_conflict_do_nothing(
                    index_elements=["run_id", "name", "step"])
                s.execute(stmt, metrics)

    def index_folder(self, run_dir: Path, **register_kw) -> RunInfo:
        """Rebuild one run's row and metrics from its folder (the database is only an index)."""
        run_dir = Path(run_dir)
        info = self.register(run_dir, **register_kw)
        tail = run_folder.EventTail(run_dir / run_folder.EVENTS_FILE)
        self.apply_events(info.id, tail.read_new())
        state = run_folder.run_state(run_dir)
        current = self.get(info.id)
        if state == "interrupted" or (state == "unknown" and current.status in ACTIVE
                                      and (run_dir / run_folder.EVENTS_FILE).exists()):
            self.set_status(info.id, "interrupted")
        adapter = run_dir / ADAPTER_DIR
        if current.adapter_path is None and (adapter / "adapter_config.json").exists():
            with self.db.session() as s:
                s.get(Run, info.id).adapter_path = str(adapter)
        return self.get(info.id)

    def sync_with_folders(self) -> list[str]:
        """At start-up: index folders the database does not know (runs started from the CLI or
        before a crash), settle runs whose engine died, and return the ids still running."""
        known = {r.id: r for r in self.list()}
        root = paths.runs_dir()
        if root.is_dir():
            for d in sorted(root.iterdir()):
                if d.is_dir() and (d / CONFIG_FILE).exists() and d.name not in known:
                    self.index_folder(d)
        running = []
        for r in self.list():
            if r.status not in ACTIVE:
                continue
            state = run_folder.run_state(r.run_dir)
            if state == "running":
                running.append(r.id)
            else:
                self.index_folder(Path(r.run_dir))
        return running

    def delete(self, run_id: str, remove_folder: bool = True) -> None:
        info = self.get(run_id)
        if info.status in ACTIVE and run_folder.run_state(info.run_dir) == "running":
            raise UserError("Stop the run before deleting it.", code="run.still_running", params={"id": run_id})
        with self.db.session() as s:
            s.execute(delete(Run).where(Run.id == run_id))
        folder = Path(info.run_dir)
        # Only ever remove a folder inside our runs directory.
        if remove_folder and folder.is_dir() and paths.runs_dir().resolve() in folder.resolve().parents:
            shutil.rmtree(folder, ignore_errors=True)


def export_adapter(run_dir: str | Path, dest: str | Path) -> Path:
    """Copy a run's adapter (PEFT format, loadable by vLLM ``--lora-modules``) to ``dest``,
    written under a temp name and renamed, so ``dest`` is never half a copy."""
    src = Path(run_dir) / ADAPTER_DIR
    if not (src / "adapter_config.json").exists():
        raise UserError("This run has no adapter yet (it is saved when a run finishes or is stopped).",
                        code="run.no_adapter")
    dest = Path(dest)
    if dest.exists():
        raise UserError(f"{dest} already exists; choose a new folder name.", code="run.export_exists",
                        params={"path": str(dest)})
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    tmp.rename(dest)
    return dest
