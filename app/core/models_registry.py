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


# --- describing a model folder without torch -------------------------------------------------------

_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
                "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "U16": 2, "U32": 4, "U64": 8}


def _read_json_file(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def safetensors_header(path: Path) -> dict:
    """The JSON header of a .safetensors file (8-byte little-endian length, then JSON)."""
    import struct

    with open(path, "rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        if length > 100 * 1024 * 1024:
            raise ValueError(f"{path}: implausible safetensors header length {length}")
        return json.loads(fh.read(length))


def safetensors_params(folder: Path) -> tuple[int, dict[str, int]]:
    """(parameter count, {safetensors dtype: element count}) summed over every *.safetensors header."""
    total, by_dtype = 0, {}
    for f in sorted(Path(folder).glob("*.safetensors")):
        try:
            header = safetensors_header(f)
        except (OSError, ValueError):
            continue
        for name, meta in header.items():
            if name == "__metadata__" or not isinstance(meta, dict):
                continue
            n = 1
            for d in meta.get("shape", []):
                n *= int(d)
            total += n
            by_dtype[meta.get("dtype", "?")] = by_dtype.get(meta.get("dtype", "?"), 0) + n
    return total, by_dtype


def folder_size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def has_chat_template(folder: Path) -> bool:
    folder = Path(folder)
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    return bool(_read_json_file(folder / "tokenizer_config.json").get("chat_template"))


def describe_model_dir(path: str | Path, allow_remote_code: bool = False) -> dict:
    """What a Hugging Face folder (or an adapter folder, or a GGUF file) holds, read without torch.

    Keys: path, format (hf|adapter|gguf|unknown), architecture, model_type, params, size_bytes,
    dtype, quantization, context_length, chat_template, trust_remote_code, base_model (adapters),
    lora_r (adapters). A config with ``auto_map`` (its code would run on load) raises ``UserError``
    unless ``allow_remote_code``.
    """
    p = Path(path)
    info: dict = {"path": str(p), "format": "unknown", "architecture": None, "model_type": None, "params": None,
                  "size_bytes": folder_size(p) if p.exists() else None, "dtype": None, "quantization": None,
                  "context_length": None, "chat_template": False, "trust_remote_code": False}
    if p.is_file() and p.suffix.lower() == ".gguf":
        info["format"] = "gguf"
        info["quantization"] = next((part for part in p.stem.split(".")[1:] if part[:1] in "QFI"), None)
        return info
    if (p / "adapter_config.json").is_file():
        cfg = _read_json_file(p / "adapter_config.json")
        params, by_dtype = safetensors_params(p)
        info.update(format="adapter", params=params or None, base_model=cfg.get("base_model_name_or_path"),
                    lora_r=cfg.get("r"), dtype=_main_dtype(by_dtype), chat_template=has_chat_template(p))
        return info
    cfg = _read_json_file(p / "config.json")
    if not cfg:
        return info
    if cfg.get("auto_map"):
        info["trust_remote_code"] = True
        if not allow_remote_code:
            raise UserError(f"{p} needs trust_remote_code: its config.json has auto_map, so loading it would run "
                            "code from the model's author. Allow it only for a model you trust.",
                            code="model.remote_code", params={"path": str(p)})
    params, by_dtype = safetensors_params(p)
    text_cfg = cfg.get("text_config") if isinstance(cfg.get("text_config"), dict) else {}
    qcfg = cfg.get("quantization_config") or {}
    info.update(format="hf", architecture=(cfg.get("architectures") or [None])[0], model_type=cfg.get("model_type"),
                params=params or None,
                dtype=cfg.get("torch_dtype") or cfg.get("dtype") or _main_dtype(by_dtype),
                quantization=(qcfg.get("quant_method") or ("4bit" if qcfg.get("load_in_4bit") else None))
                if isinstance(qcfg, dict) else None,
                context_length=cfg.get("max_position_embeddings") or text_cfg.get("max_position_embeddings"),
                chat_template=has_chat_template(p))
    return info


def _main_dtype(by_dtype: dict[str, int]) -> str | None:
    if not by_dtype:
        return None
    name = max(by_dtype, key=by_dtype.get)
    return {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}.get(name, name.lower())


def _safe_describe(path: str | None) -> dict:
    if not path:
        return {}
    try:
        return describe_model_dir(path, allow_remote_code=True)
    except (OSError, ValueError):
        return {}


def list_all_models(db=None, root: Path | None = None) -> list[dict]:
    """Every model the app can serve: the bundled default, registered models, finished runs' adapters.

    Each row: name, kind (bundled|local|gguf|merged|remote|adapter), path, ready, params, size_bytes,
    dtype, quantization, context_length, chat_template, trust_remote_code; adapters add run_id and
    base_model; the bundled row adds reason/fix when it is not ready.
    """
    from app.core import bundled

    rows: list[dict] = []
    status = bundled.default_model_status(root)
    d = _safe_describe(status["dir"]) if status["ready"] else {}
    rows.append({"name": status["name"], "kind": "bundled", "path": status["dir"], "ready": status["ready"],
                 "reason": status["reason"], "fix": status["fix"], **_fields(d)})
    if db is None:
        return rows
    for m in ModelRegistry(db).list():
        d = _safe_describe(m.path)
        kind = {"base": "local"}.get(m.kind, m.kind)
        row = {"name": m.name, "kind": kind, "path": m.path, "ready": bool(m.path and Path(m.path).exists()),
               "source": m.source, **_fields(d)}
        row["params"] = row["params"] or m.params
        row["size_bytes"] = row["size_bytes"] or m.size_bytes
        rows.append(row)
    from app.core.runs import RunStore

    for run in RunStore(db).list():
        if not run.adapter_path or not Path(run.adapter_path).is_dir():
            continue
        d = _safe_describe(run.adapter_path)
        rows.append({"name": run.name, "kind": "adapter", "path": run.adapter_path, "ready": True,
                     "run_id": run.id, "base_model": run.base_model, "status": run.status, **_fields(d),
                     "lora_r": d.get("lora_r")})
    return rows


def _fields(d: dict) -> dict:
    return {k: d.get(k) for k in ("architecture", "params", "size_bytes", "dtype", "quantization",
                                  "context_length", "chat_template", "trust_remote_code")}
