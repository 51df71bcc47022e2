"""Evaluation results: a JSON file per evaluation in the run folder's ``eval/`` (written atomically)
and a row in the ``evaluations`` table for lists, columns and the regression mark.

``EvaluationStore(db).add(result)`` records a result the evaluation library made; ``latest(run_id)``
and ``latest_by_run()`` read them back as ``EvalInfo`` snapshots (no ORM objects leave this module).
Also ``samples_csv`` / export helpers for the GUI's export and the CLI.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.core import paths
from app.core.db.models import Evaluation, Run

EVAL_DIR = "eval"
LATEST = "latest.json"
METRICS = ("loss", "perplexity", "exact_match", "rouge_l", "bleu", "chrf")


@dataclass(frozen=True)
class EvalInfo:
    id: int
    kind: str
    run_id: str | None
    kb_id: int | None
    set_path: str
    n_samples: int
    base_loss: float | None
    adapter_loss: float | None
    regression: bool
    path: str | None
    created_at: datetime | None
    summary: dict[str, Any] = field(default_factory=dict)

    def side(self, name: str) -> dict[str, Any]:
        value = self.summary.get(name)
        return value if isinstance(value, dict) else {}

    def samples(self) -> list[dict]:
        """The generations (prompt, reference, base, adapter) from the result file, [] if gone."""
        return read_result(self.path).get("samples", []) if self.path else []


def _info(row: Evaluation) -> EvalInfo:
    try:
        summary = json.loads(row.summary_json or "{}")
    except ValueError:
        summary = {}
    return EvalInfo(row.id, row.kind, row.run_id, row.kb_id, row.set_path, row.n_samples, row.base_loss,
                    row.adapter_loss, bool(row.regression), row.path, row.created_at, summary)


def read_result(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_result(run_dir: Path, result: dict[str, Any], prefix: str = "eval") -> Path:
    """``eval/eval-<time>.json`` and ``eval/latest.json`` in the run folder, each temp + rename.
    Another ``prefix`` (``bench``) keeps its own ``eval/<prefix>-latest.json``: ``latest.json`` stays the
    run's base-vs-adapter evaluation that the run card and the model card read."""
    folder = Path(run_dir) / EVAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    text = json.dumps(result, ensure_ascii=False, indent=1)
    target = folder / f"{prefix}-{stamp}.json"
    paths.atomic_write_text(target, text)
    paths.atomic_write_text(folder / (LATEST if prefix == "eval" else f"{prefix}-{LATEST}"), text)
    return target


def summary_of(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "samples"}


class EvaluationStore:
    def __init__(self, db):
        self.db = db

    def add(self, result: dict[str, Any], path: str | Path | None = None) -> EvalInfo:
        kind = result.get("kind", "run")
        with self.db.session() as s:
            run_id = result.get("run")
            if run_id is not None and s.get(Run, run_id) is None:
                run_id = None  # a folder the database does not index: the file in eval/ still holds it
            row = Evaluation(kind=kind, run_id=run_id, kb_id=result.get("kb_id"),
                             set_path=str(result.get("set") or ""),
                             n_samples=int(result.get("questions") or result.get("n_samples") or 0),
                             base_loss=(result.get("base") or {}).get("loss"),
                             adapter_loss=(result.get("adapter") or {}).get("loss"),
                             regression=bool(result.get("regression")),
                             summary_json=json.dumps(summary_of(result), ensure_ascii=False, default=str),
                             path=str(path) if path else None)
            s.add(row)
            s.flush()
            return _info(row)

    def latest(self, run_id: str) -> EvalInfo | None:
        with self.db.session() as s:
            row = s.scalars(select(Evaluation).where(Evaluation.run_id == run_id, Evaluation.kind == "run")
                            .order_by(Evaluation.id.desc()).limit(1)).first()
            return _info(row) if row else None

    def latest_by_run(self) -> dict[str, EvalInfo]:
        out: dict[str, EvalInfo] = {}
        with self.db.session() as s:
            for row in s.scalars(select(Evaluation).where(Evaluation.kind == "run", Evaluation.run_id.is_not(None))
                                 .order_by(Evaluation.id)):
                out[row.run_id] = _info(row)
        return out

    def list(self, kind: str | None = None) -> list[EvalInfo]:
        with self.db.session() as s:
            q = select(Evaluation).order_by(Evaluation.id.desc())
            if kind:
                q = q.where(Evaluation.kind == kind)
            return [_info(r) for r in s.scalars(q)]


SAMPLE_COLUMNS = ("prompt", "reference", "base", "adapter")


def samples_csv(samples: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(SAMPLE_COLUMNS)
    for row in samples:
        w.writerow([row.get(c, "") for c in SAMPLE_COLUMNS])
    return buf.getvalue()


def export(result: dict[str, Any], dest: str | Path) -> Path:
    """The result as JSON (``.json``) or its generations as CSV (any other suffix), atomically."""
    dest = Path(dest)
    if dest.suffix.lower() == ".json":
        paths.atomic_write_text(dest, json.dumps(result, ensure_ascii=False, indent=1))
    else:  # with a BOM, so spreadsheet programs read the Chinese right
        paths.atomic_write_bytes(dest, samples_csv(result.get("samples", [])).encode("utf-8-sig"))
    return dest


_PIECES = None


def diff_pieces(text: str, reference: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each marked True where it agrees with ``reference`` (for the
    generations viewer's highlighting): Chinese by characters, other text by words, case-folded."""
    import difflib
    import re

    global _PIECES
    if _PIECES is None:
        _PIECES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+|\s+|[^\w\s]|_")
    mine = _PIECES.findall(text or "")
    theirs = [p.casefold() for p in _PIECES.findall(reference or "") if not p.isspace()]
    words = [(i, p.casefold()) for i, p in enumerate(mine) if not p.isspace()]
    same: set[int] = set()
    matcher = difflib.SequenceMatcher(a=[w for _, w in words], b=theirs, autojunk=False)
    for block in matcher.get_matching_blocks():
        same.update(words[k][0] for k in range(block.a, block.a + block.size))
    out: list[tuple[str, bool]] = []
    for i, piece in enumerate(mine):
        agree = i in same or (piece.isspace() and bool(out) and out[-1][1])
        if out and out[-1][1] == agree:
            out[-1] = (out[-1][0] + piece, agree)
        else:
            out.append((piece, agree))
    return out
