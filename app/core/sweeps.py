"""Sweeps without Optuna: the SPACE a person builds, and what a study's files say.

Everything here is read with the standard library (``sqlite3`` on Optuna's own schema), so the GUI
can list and draw a sweep without importing optuna. The files of a sweep called NAME, all in
``<home>/sweeps/``:

* ``NAME.sqlite3``          the Optuna study (the truth: trials, params, values, intermediate losses)
* ``NAME.space.json``       the SPACE the sweep was started with (the GUI writes it)
* ``NAME.process.json``     the sweep process: pid + create time while it runs, then how it ended
* ``NAME.importance.json``  parameter importance (optuna.importance), rewritten after each trial
* ``NAME.log``              the sweep's progress lines (stderr) when the GUI started it
"""

from __future__ import annotations

import json
import logging
import math
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.errors import UserError
from app.core.run_folder import EngineInfo, engine_alive
from app.core.train_config import TrainConfig

log = logging.getLogger(__name__)

SWEEPS_DIR = "sweeps"
TUNABLE = {"learning_rate": float, "lora_r": int, "lora_alpha": float, "lora_dropout": float, "epochs": float,
           "batch_size": int, "max_seq_len": int, "warmup_ratio": float, "weight_decay": float}
# What a sweep optimises: the training engine's last held-out loss, or a metric of the evaluation
# engine measured on each trial's run once it has trained (app/evaluation). Losses go down, the
# generation metrics up.
OBJECTIVES = ("eval_loss", "perplexity", "exact_match", "rouge_l", "bleu", "chrf")
MAXIMIZED = frozenset({"exact_match", "rouge_l", "bleu", "chrf"})


def maximized(objective: str) -> bool:
    return objective in MAXIMIZED


def sweeps_dir() -> Path:
    return paths.home() / SWEEPS_DIR


def _legacy_safe_name(name: str) -> str:
    """safe_name before runs of "-" were folded: the name older studies were saved under."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in str(name))[:60] or "sweep"


def safe_name(name: str) -> str:
    """A file-safe sweep name: letters (any script), digits, "-" and "_"; runs of "-" folded."""
    text = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(name))  # as _legacy_safe_name, uncut
    return re.sub(r"-{2,}", "-", text).strip("-")[:60] or "sweep"


def storage_path(name: str) -> Path:
    return sweeps_dir() / f"{name}.sqlite3"


def sidecar(name: str, kind: str) -> Path:
    """``NAME.<kind>`` beside the study: space.json, process.json, importance.json, log."""
    return sweeps_dir() / f"{name}.{kind}"


# --- the SPACE ------------------------------------------------------------------------------------
def read_space(path: str | Path) -> dict[str, Any]:
    path = Path(path).expanduser()
    try:
        space = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"The sweep space {path} does not exist.", code="sweep.space_missing",
                        params={"path": str(path)}) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"The sweep space {path} is not readable JSON: {exc}.", code="sweep.space_bad",
                        params={"path": str(path), "reason": str(exc)}) from None
    if isinstance(space, dict):
        space.setdefault("name", path.stem)
    return check_space(space, str(path))


def check_space(space: Any, where: str = "") -> dict[str, Any]:
    """The SPACE checked (each mistake a UserError with its code) and its name made file-safe."""
    if not isinstance(space, dict) or not isinstance(space.get("base"), dict) or not isinstance(space.get("params"), dict):
        raise UserError(f'The sweep space {where} needs "base" (training settings) and "params" (what varies).',
                        code="sweep.space_shape", params={"path": where})
    unknown = sorted(set(space["params"]) - set(TUNABLE))
    if unknown or not space["params"]:
        raise UserError(f"The sweep can vary {', '.join(TUNABLE)}; not {', '.join(unknown) or 'nothing'}.",
                        code="sweep.param_unknown", params={"names": ", ".join(unknown), "allowed": ", ".join(TUNABLE)})
    for name, spec in space["params"].items():
        ok = isinstance(spec, dict) and (isinstance(spec.get("choices"), list) and spec["choices"]
                                         or {"low", "high"} <= set(spec))
        if not ok:
            raise UserError(f'Sweep parameter {name}: give {{"low": …, "high": …}} or {{"choices": […]}}.',
                            code="sweep.param_range", params={"name": name})
        if "choices" not in spec and not float(spec["low"]) <= float(spec["high"]):
            raise UserError(f"Sweep setting {name}: the range starts at {spec['low']}, above where it ends ({spec['high']}); swap the two.",
                            code="sweep.range_order", params={"name": name, "low": spec["low"], "high": spec["high"]})
        if "choices" not in spec and spec.get("log") and float(spec["low"]) <= 0:
            raise UserError(f"Sweep parameter {name}: a logarithmic range must start above 0.",
                            code="sweep.log_range", params={"name": name})
    objective = space.setdefault("objective", "eval_loss")
    if objective not in OBJECTIVES:
        raise UserError(f"A sweep can optimise {', '.join(OBJECTIVES)}; not {objective}.",
                        code="sweep.objective_unknown", params={"name": str(objective), "allowed": ", ".join(OBJECTIVES)})
    if not str(space["base"].get("val_path") or "").strip():
        raise UserError("A sweep needs a validation set to compare trials: set base.val_path.",
                        code="sweep.no_val")
    TrainConfig.from_dict(dict(space["base"])).validate(check_files=True)
    raw = space.get("name") or "sweep"
    space["name"] = safe_name(raw)
    legacy = _legacy_safe_name(raw)
    if legacy != space["name"] and storage_path(legacy).is_file() and not storage_path(space["name"]).is_file():
        space["name"] = legacy  # a study saved before runs of "-" were folded: resumed under its own name
    return space


# --- what a study says ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Trial:
    number: int
    state: str                      # running | complete | pruned | fail | stopped (the sweep's Stop) | interrupted | waiting
    value: float | None
    params: dict[str, Any]
    run: str | None
    intermediate: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    name: str
    trials: tuple[Trial, ...]
    space: dict[str, Any] | None
    importance: dict[str, float]
    process: dict[str, Any] | None   # NAME.process.json
    running: bool

    @property
    def objective(self) -> str:
        return str((self.space or {}).get("objective") or "eval_loss")

    @property
    def best(self) -> Trial | None:
        done = [t for t in self.trials if t.state == "complete" and t.value is not None]
        if not done:
            return None
        return (max if maximized(self.objective) else min)(done, key=lambda t: t.value)

    @property
    def finished(self) -> int:
        return sum(t.state in ("complete", "pruned") for t in self.trials)

    @property
    def wanted(self) -> int | None:
        return (self.process or {}).get("trials")


def list_sweeps() -> list[str]:
    """The sweeps in the data folder, newest first: their studies, and those just started whose
    process has not created its study yet (only the space is there)."""
    folder = sweeps_dir()
    if not folder.is_dir():
        return []
    newest: dict[str, float] = {}
    for suffix in (".sqlite3", ".space.json"):
        for p in folder.glob(f"*{suffix}"):
            name = p.name[: -len(suffix)]
            try:
                newest[name] = max(newest.get(name, 0.0), p.stat().st_mtime)
            except OSError:
                continue
    return sorted(newest, key=lambda n: newest[n], reverse=True)


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s)", path, exc)
        return None


def _param_value(raw: float, distribution_json: str) -> Any:
    """Optuna stores a parameter as a float in its internal form: a choice by its index."""
    try:
        dist = json.loads(distribution_json)
    except ValueError:
        return raw
    kind, attrs = dist.get("name"), dist.get("attributes") or {}
    if kind == "CategoricalDistribution":
        choices = attrs.get("choices") or []
        return choices[int(raw)] if 0 <= int(raw) < len(choices) else raw
    if kind == "IntDistribution":
        return int(round(raw))
    return float(raw)


def _finite(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def read_trials(db: Path, name: str) -> list[Trial]:
    """The trials of study ``name`` in ``db``, read-only (a running sweep keeps writing)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = con.execute("SELECT study_id FROM studies WHERE study_name = ?", (name,)).fetchone()
        if row is None:
            return []
        sid = row[0]
        trials = con.execute("SELECT trial_id, number, state FROM trials WHERE study_id = ? ORDER BY number",
                             (sid,)).fetchall()
        ids = tuple(t[0] for t in trials)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        params: dict[int, dict] = {i: {} for i in ids}
        for tid, pname, value, dist in con.execute(
                f"SELECT trial_id, param_name, param_value, distribution_json FROM trial_params "
                f"WHERE trial_id IN ({marks}) ORDER BY param_id", ids):
            params[tid][pname] = _param_value(value, dist)
        values = {tid: v for tid, v in con.execute(
            f"SELECT trial_id, value FROM trial_values WHERE objective = 0 AND trial_id IN ({marks})", ids)}
        inter: dict[int, dict[int, float]] = {i: {} for i in ids}
        for tid, step, v in con.execute(
                f"SELECT trial_id, step, intermediate_value FROM trial_intermediate_values "
                f"WHERE trial_id IN ({marks}) ORDER BY step", ids):
            if _finite(v) is not None:
                inter[tid][int(step)] = float(v)
        runs: dict[int, str] = {}
        stopped: set[int] = set()
        interrupted: set[int] = set()  # running when its sweep was killed; marked failed on the next start
        for tid, key, value_json in con.execute(
                f"SELECT trial_id, key, value_json FROM trial_user_attributes WHERE key IN ('run', 'stopped', 'interrupted') "
                f"AND trial_id IN ({marks})", ids):
            try:
                value = json.loads(value_json)
            except ValueError:
                continue
            if key == "run":
                runs[tid] = value
            elif value:
                (stopped if key == "stopped" else interrupted).add(tid)
    finally:
        con.close()
    return [Trial(number=int(number), state="stopped" if tid in stopped else
                  "interrupted" if tid in interrupted else str(state).lower(),
                  value=_finite(values.get(tid)),
                  params=params[tid], run=runs.get(tid), intermediate=inter[tid])
            for tid, number, state in trials]


def process_alive(process: dict | None) -> bool:
    """The sweep process named in NAME.process.json still runs (and is that very process)."""
    if not isinstance(process, dict) or process.get("ended") or not isinstance(process.get("pid"), int):
        return False
    return engine_alive(EngineInfo(pid=process["pid"], create_time=_finite(process.get("create_time")),
                                   started_at=_finite(process.get("started_at"))))


def read_study(name: str) -> Study:
    db = storage_path(name)
    if not db.is_file() and not sidecar(name, "space.json").is_file():
        raise UserError(f"There is no sweep called {name}.", code="sweep.not_found", params={"name": name})
    try:
        trials = read_trials(db, name) if db.is_file() else []
    except sqlite3.Error as exc:
        raise UserError(f"The sweep {name} cannot be read: {exc}.", code="sweep.unreadable",
                        params={"name": name, "reason": str(exc)}) from None
    process = _json_file(sidecar(name, "process.json"))
    importance = _json_file(sidecar(name, "importance.json")) or {}
    importance = {str(k): float(v) for k, v in (importance.get("importance") or {}).items()
                  if _finite(v) is not None} if isinstance(importance, dict) else {}
    space = _json_file(sidecar(name, "space.json"))
    return Study(name=name, trials=tuple(trials), space=space if isinstance(space, dict) else None,
                 importance=importance, process=process if isinstance(process, dict) else None,
                 running=process_alive(process))


def trial_runs() -> dict[str, tuple[str, int]]:
    """run id → (sweep, trial number) for every trial run of every sweep: the experiment a run is in."""
    found: dict[str, tuple[str, int]] = {}
    for name in list_sweeps():
        db = storage_path(name)
        if not db.is_file():
            continue
        try:
            trials = read_trials(db, name)
        except sqlite3.Error as exc:
            log.warning("%s: unreadable (%s)", db, exc)
            continue
        found.update({t.run: (name, t.number) for t in trials if t.run})
    return found


def best_config(study: Study) -> dict[str, Any] | None:
    """The training settings of the best trial: the sweep's base with the trial's parameters."""
    best = study.best
    if best is None or not study.space:
        return None
    values = dict(study.space.get("base") or {})
    values.update(best.params)
    return values


__all__ = ["SWEEPS_DIR", "TUNABLE", "OBJECTIVES", "MAXIMIZED", "maximized", "Study", "Trial", "best_config", "check_space", "list_sweeps",
           "process_alive", "read_space", "read_study", "read_trials", "safe_name", "sidecar", "storage_path",
           "sweeps_dir", "trial_runs"]
