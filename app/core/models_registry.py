"""Models the app knows besides the bundled one: merged models from training runs (and, later,
imported folders, GGUF files and downloads). A row per model in the ``models`` table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core.db.models import Model
from app.core.errors import UserError


@dataclass(frozen=True)
class ModelInfo:
    id: int
    name: str
    kind: str
    path: str | None
    source: str | None
    params: int | None
    size_bytes: int | None


def _info(row: Model) -> ModelInfo:
    return ModelInfo(row.id, row.name, row.kind, row.path, row.source, row.params, row.size_bytes)


class ModelRegistry:
    def __init__(self, db):
        self.db = db

    def register_folder(self, name: str, path: Path, kind: str, source: str = "", params: int | None = None,
                        size_bytes: int | None = None) -> ModelInfo:
        name = name.strip()
        if not name:
            raise UserError("A model needs a name.", code="model.name_empty")
        cfg = {}
        try:
            cfg = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        with self.db.session() as s:
            if s.scalar(select(Model).where(Model.name == name)) is not None:
                raise UserError(f'A model named "{name}" already exists.', code="model.name_taken",
                                params={"name": name})
            row = Model(name=name, kind=kind, path=str(path), source=source or None,
                        architecture=(cfg.get("architectures") or [None])[0], params=params,
                        dtype=cfg.get("torch_dtype") or cfg.get("dtype"),
                        context_length=cfg.get("max_position_embeddings"), size_bytes=size_bytes)
            s.add(row)
            s.flush()
            return _info(row)

    def list(self) -> list[ModelInfo]:
        with self.db.session() as s:
            return [_info(r) for r in s.scalars(select(Model).order_by(Model.created_at.desc()))]
