"""Models the app knows besides the bundled one: imported Hugging Face folders, converted GGUF files,
hub downloads and merged models from training runs. A row per model in the ``models`` table.

Everything here reads files as JSON / safetensors headers: no torch, no transformers import (the
GUI calls it). Remote code: a model whose config needs it (``auto_map``, or a ``model_type`` the
installed transformers does not know) is refused until the user allows it for that model only
(``Model.trust_remote_code``); ``remote_code_reason`` says why, the serve engine honours the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core import vram_planner
from app.core.db.models import Model
from app.core.errors import UserError
from app.core.model_folder import folder_size, has_chat_template, read_config, read_json, safetensors_params


@dataclass(frozen=True)
class ModelInfo:
    id: int
    name: str
    kind: str
    path: str | None
    source: str | None
    params: int | None
    size_bytes: int | None
    trust_remote_code: bool = False


def _info(row: Model) -> ModelInfo:
    return ModelInfo(row.id, row.name, row.kind, row.path, row.source, row.params, row.size_bytes,
                     bool(row.trust_remote_code))


class ModelRegistry:
    def __init__(self, db):
        self.db = db

    def register_folder(self, name: str, path: Path, kind: str, source: str = "", params: int | None = None,
                        size_bytes: int | None = None) -> ModelInfo:
        name = name.strip()
        if not name:
            raise UserError("A model needs a name.", code="model.name_empty")
        cfg = read_config(path)
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

    def get(self, model_id: int) -> ModelInfo:
        with self.db.session() as s:
            row = s.get(Model, model_id)
            if row is None:
                raise UserError(f"No model with id {model_id}.", code="model.not_found", params={"id": model_id})
            return _info(row)

    def find(self, name_or_path: str) -> ModelInfo | None:
        """The registered model with this name, or whose folder is this path (resolved), else None."""
        for m in self.list():
            if m.name == name_or_path:
                return m
        target = _resolved(name_or_path)
        return next((m for m in self.list() if m.path and _resolved(m.path) == target), None)

    def unique_name(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``, ``wanted-3``… when taken."""
        taken = {m.name for m in self.list()}
        wanted = wanted.strip() or "model"
        name, n = wanted, 2
        while name in taken:
            name, n = f"{wanted}-{n}", n + 1
        return name

    def set_trust_remote_code(self, model_id: int, allow: bool) -> ModelInfo:
        with self.db.session() as s:
            row = s.get(Model, model_id)
            if row is None:
                raise UserError(f"No model with id {model_id}.", code="model.not_found", params={"id": model_id})
            row.trust_remote_code = bool(allow)
            s.flush()
            return _info(row)

    def unregister(self, model_id: int) -> None:
        with self.db.session() as s:
            row = s.get(Model, model_id)
            if row is not None:
                s.delete(row)


# --- describing a model folder without torch -------------------------------------------------------

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
        cfg = read_json(p / "adapter_config.json")
        params, by_dtype = safetensors_params(p)
        info.update(format="adapter", params=params or None, base_model=cfg.get("base_model_name_or_path"),
                    lora_r=cfg.get("r"), dtype=_main_dtype(by_dtype), chat_template=has_chat_template(p))
        return info
    cfg = read_config(p)
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
    info["quant_bits"] = _quant_bits(qcfg) if isinstance(qcfg, dict) else None
    info["quant_scheme"] = _quant_scheme(qcfg) if isinstance(qcfg, dict) else None
    info.update(format="hf", architecture=(cfg.get("architectures") or [None])[0], model_type=cfg.get("model_type"),
                params=params or None,
                dtype=cfg.get("torch_dtype") or cfg.get("dtype") or _main_dtype(by_dtype),
                quantization=(qcfg.get("quant_method") or ("4bit" if qcfg.get("load_in_4bit") else None))
                if isinstance(qcfg, dict) else None,
                context_length=cfg.get("max_position_embeddings") or text_cfg.get("max_position_embeddings"),
                chat_template=has_chat_template(p))
    return info


def _quant_bits(qcfg: dict) -> int | None:
    """Bits per weight of a quantization_config: AWQ/GPTQ say ``bits`` (AWQ also ``w_bit``),
    bitsandbytes says load_in_4bit / load_in_8bit."""
    if qcfg.get("load_in_4bit"):
        return 4
    if qcfg.get("load_in_8bit"):
        return 8
    bits = qcfg.get("bits", qcfg.get("w_bit"))
    if bits is None:  # compressed-tensors: config_groups → group → weights.num_bits
        bits = (_first_group(qcfg).get("weights") or {}).get("num_bits")
    return int(bits) if isinstance(bits, (int, float)) else None


def _first_group(qcfg: dict) -> dict:
    groups = qcfg.get("config_groups")
    group = next(iter(groups.values()), None) if isinstance(groups, dict) and groups else None
    return group if isinstance(group, dict) else {}


def _quant_scheme(qcfg: dict) -> str | None:
    """A compressed-tensors folder's scheme as llm-compressor names it: W8A8, W4A16… (None otherwise)."""
    if qcfg.get("quant_method") != "compressed-tensors":
        return None
    group = _first_group(qcfg)
    w, a = group.get("weights") or {}, group.get("input_activations") or {}
    if not isinstance(w.get("num_bits"), int):
        return None
    return f"W{w['num_bits']}A{a['num_bits'] if isinstance(a.get('num_bits'), int) else 16}"


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
    dtype, quantization, quant_bits, context_length, chat_template, trust_remote_code (allowed for
    this model), remote_code (why it needs remote code, or None), refused (needs it and not
    allowed), gpu_bytes (estimated GPU memory to serve, see ``vram_planner.serving_estimate``);
    registered rows add id and source; adapters add run_id, run_name and base_model; the bundled
    row adds reason/fix when it is not ready.
    """
    from app.core import bundled

    rows: list[dict] = []
    status = bundled.default_model_status(root)
    d = _safe_describe(status["dir"]) if status["ready"] else {}
    rows.append({"name": status["name"], "kind": "bundled", "id": None, "path": status["dir"],
                 "ready": status["ready"], "reason": status["reason"], "fix": status["fix"], **_fields(d),
                 **_serve_fields(status["dir"] if status["ready"] else None, False)})
    if db is None:
        return rows
    for m in ModelRegistry(db).list():
        d = _safe_describe(m.path)
        kind = {"base": "local"}.get(m.kind, m.kind)
        row = {"name": m.name, "kind": kind, "id": m.id, "path": m.path,
               "ready": bool(m.path and Path(m.path).exists()), "source": m.source, **_fields(d),
               **_serve_fields(m.path, m.trust_remote_code)}
        row["params"] = row["params"] or m.params
        row["size_bytes"] = row["size_bytes"] or m.size_bytes
        rows.append(row)
    from app.core.runs import RunStore

    for run in RunStore(db).list():
        if not run.adapter_path or not Path(run.adapter_path).is_dir():
            continue
        d = _safe_describe(run.adapter_path)
        rows.append({"name": run.name, "kind": "adapter", "id": None, "path": run.adapter_path, "ready": True,
                     "run_id": run.id, "run_name": run.name, "base_model": run.base_model, "status": run.status,
                     **_fields(d), "trust_remote_code": False, "remote_code": None, "refused": False,
                     "gpu_bytes": None, "lora_r": d.get("lora_r")})
    return rows


def _serve_fields(path: str | None, allowed: bool) -> dict:
    reason = remote_code_reason(path) if path else None
    est = None
    if path and Path(path).is_dir():
        try:
            est = vram_planner.serving_estimate(path)["total_bytes"]
        except (OSError, ValueError, UserError):
            est = None
    return {"trust_remote_code": bool(allowed), "remote_code": reason, "refused": bool(reason) and not allowed,
            "gpu_bytes": est}


def _fields(d: dict) -> dict:
    return {k: d.get(k) for k in ("architecture", "params", "size_bytes", "dtype", "quantization", "quant_bits",
                                  "quant_scheme", "context_length", "chat_template")}


# --- checking a folder before it is registered -----------------------------------------------------

WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin", "model*.bin")


def _resolved(path: str | Path) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return Path(path)


def validate_hf_folder(path: str | Path) -> Path:
    """The folder, resolved, when it is a Hugging Face model folder (config.json + weights);
    a ``UserError`` naming the folder and what is missing otherwise."""
    folder = _resolved(path)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder. Choose the folder that holds config.json and the weights.",
                        code="model.not_folder", params={"path": str(folder)})
    if (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file():
        raise UserError(f"{folder} is a LoRA adapter, not a model. Adapters are listed with the training run "
                        "that made them; to serve one, start its base model with the adapter.",
                        code="model.is_adapter", params={"path": str(folder)})
    if not (folder / "config.json").is_file():
        raise UserError(f"{folder} is not a Hugging Face model folder: it has no config.json. Choose the folder "
                        "that holds config.json, the tokenizer files and the *.safetensors weights (for a single "
                        ".gguf file use Import GGUF).", code="model.no_config", params={"path": str(folder)})
    if not read_config(folder):
        raise UserError(f"{folder / 'config.json'} is not valid JSON. The download may be incomplete: fetch the "
                        "model again.", code="model.bad_config", params={"path": str(folder)})
    if not any(any(folder.glob(p)) for p in WEIGHT_PATTERNS):
        raise UserError(f"{folder} has a config.json but no weights (*.safetensors or pytorch_model*.bin). "
                        "The download may be incomplete: fetch the weight files too.",
                        code="model.no_weights", params={"path": str(folder)})
    pickles = pickle_only_weights(folder)
    if pickles:
        names = ", ".join(pickles[:3]) + (f" and {len(pickles) - 3} more" if len(pickles) > 3 else "")
        raise UserError(
            f"{folder} holds its weights only as pickle files ({names}). Loading a pickle file can run any code "
            "hidden in it, so the app loads only safetensors weights. Get the model's *.safetensors files (most "
            "models on the Hugging Face hub have them) into this folder, or use a safetensors version of the "
            "model, and import it again.",
            code="model.pickle_weights", params={"path": str(folder), "files": names})
    return folder


def pickle_only_weights(folder: str | Path) -> list[str]:
    """The pickle weight files (pytorch_model*.bin, model*.bin, *.pt, *.pth, *.ckpt) of a folder that
    has no *.safetensors weights; [] when it has safetensors (transformers then loads only those)."""
    folder = Path(folder)
    if any(folder.glob("*.safetensors")):
        return []
    found = {f.name for pattern in (*WEIGHT_PATTERNS[1:], "*.pt", "*.pth", "*.ckpt") for f in folder.glob(pattern)
             if f.is_file()}
    return sorted(found)


_KNOWN_TYPES: frozenset[str] | None = None
_KNOWN_TYPES_READ = False


def known_model_types() -> frozenset[str] | None:
    """The ``model_type`` values the installed transformers knows, read from its source files
    (transformers/models/auto/*.py and the model folder names) without importing it: importing
    transformers in the GUI would take seconds and pull in torch. None when it cannot tell."""
    global _KNOWN_TYPES, _KNOWN_TYPES_READ
    if _KNOWN_TYPES_READ:
        return _KNOWN_TYPES
    _KNOWN_TYPES_READ = True
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("transformers")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return None
    models = Path(spec.origin).parent / "models"
    found: set[str] = set()
    for f in ("auto/auto_mappings.py", "auto/configuration_auto.py"):
        try:
            text = (models / f).read_text(encoding="utf-8")
        except OSError:
            continue
        found.update(re.findall(r'\(\s*"([\w.-]+)",\s*"\w+Config"\s*\)', text))
        found.update(re.findall(r'"([\w.-]+)":\s*"\w+Config"', text))
    if len(found) < 50:  # the layout changed: better not to refuse models on a guess
        return None
    if models.is_dir():
        found.update(p.name for p in models.iterdir() if p.is_dir() and not p.name.startswith("_"))
    _KNOWN_TYPES = frozenset(found)
    return _KNOWN_TYPES


def remote_code_reason(path: str | Path) -> str | None:
    """Why loading this model folder would need trust_remote_code, or None when it does not."""
    cfg = read_config(path)
    if not cfg:
        return None
    if cfg.get("auto_map"):
        return ("Its config.json has auto_map: loading it runs Python code that came with the model, with "
                "your permissions.")
    model_type = cfg.get("model_type")
    known = known_model_types()
    if isinstance(model_type, str) and known is not None and model_type not in known:
        return (f'Its model type "{model_type}" is unknown to the installed transformers: it would only load '
                "with code that came with the model (or with a newer transformers).")
    return None


# --- importing and deleting ---------------------------------------------------------------------------

def inside_data_folder(path: str | Path, root: Path | None = None) -> bool:
    """Whether ``path`` lies inside the data folder (only such files are ours to delete).
    The path is normalised but not resolved: a symlink in models/ is ours, its target is not."""
    import os

    from app.core import paths

    home = Path(root or paths.home()).expanduser()
    target = Path(os.path.normpath(Path(path).expanduser().absolute()))
    for base in {Path(os.path.normpath(home.absolute())), _resolved(home)}:
        if target != base and target.is_relative_to(base):
            return True
    return False


def import_folder(db, path: str | Path, name: str | None = None) -> ModelInfo:
    """Register a Hugging Face folder where it is (nothing is copied). Raises UserError for a folder
    that is not a model. A model that needs remote code is registered but refused until allowed."""
    folder = validate_hf_folder(path)
    reg = ModelRegistry(db)
    existing = reg.find(str(folder))
    if existing is not None:
        raise UserError(f'{folder} is already in the list as "{existing.name}".', code="model.already_registered",
                        params={"path": str(folder), "name": existing.name})
    d = _safe_describe(str(folder))
    return reg.register_folder(reg.unique_name(name or folder.name), folder, "base", source=str(folder),
                               params=d.get("params"), size_bytes=d.get("size_bytes"))


def register_converted(db, folder: str | Path, kind: str, source: str, name: str) -> ModelInfo:
    """Register a folder the app made under models/ (a converted GGUF or a hub download)."""
    reg = ModelRegistry(db)
    existing = reg.find(str(folder))
    if existing is not None:
        return existing
    d = _safe_describe(str(folder))
    return reg.register_folder(reg.unique_name(name), Path(folder), kind, source=source, params=d.get("params"),
                               size_bytes=d.get("size_bytes"))


def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._").lower()
    return slug[:80] or "model"


def gguf_target(gguf: str | Path, root: Path | None = None) -> Path:
    """Where a GGUF file is converted to: models/gguf-<file stem>."""
    from app.core import paths

    return paths.models_dir(root) / f"gguf-{_slug(Path(gguf).stem)}"


def validate_gguf(path: str | Path) -> Path:
    f = _resolved(path)
    if not f.is_file():
        raise UserError(f"{f} is not a file.", code="model.gguf_missing", params={"path": str(f)})
    try:
        with open(f, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise UserError(f"Cannot read {f}: {exc}", code="model.gguf_unreadable",
                        params={"path": str(f), "reason": str(exc)}) from None
    if magic != b"GGUF":
        raise UserError(f"{f} is not a GGUF file (it does not start with the GGUF signature).",
                        code="model.not_gguf", params={"path": str(f)})
    from app.core.gguf_file import gguf_problem

    problem = gguf_problem(f)  # a file cut short: say so now, not "cannot reshape array" minutes later
    if problem is not None:
        raise problem
    return f


def hub_target(repo_id: str, root: Path | None = None) -> Path:
    from app.core import paths

    return paths.models_dir(root) / "hub" / _slug(repo_id.replace("/", "--"))


def validate_repo_id(repo_id: str) -> str:
    import re

    repo_id = (repo_id or "").strip()
    if repo_id.startswith("https://huggingface.co/"):
        repo_id = repo_id[len("https://huggingface.co/"):].strip("/")
    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", repo_id):
        raise UserError(f'"{repo_id}" is not a Hugging Face model id. Write it as owner/name, for example '
                        "Qwen/Qwen2.5-0.5B-Instruct.", code="model.bad_repo_id", params={"repo_id": repo_id})
    return repo_id


def delete_model(db, model_id: int, delete_files: bool = False, root: Path | None = None) -> bool:
    """Unregister a model. Its files go too when they are inside the data folder, or when
    ``delete_files`` (the user ticked it). Returns whether files were deleted."""
    import shutil

    m = ModelRegistry(db).get(model_id)
    remove = bool(m.path) and (inside_data_folder(m.path, root) or delete_files)
    if remove and m.path:
        p = Path(m.path)
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        elif p.is_dir():
            shutil.rmtree(p)
    ModelRegistry(db).unregister(model_id)
    return remove


def bundled_delete_error() -> UserError:
    return UserError("The bundled default model cannot be deleted: the app needs it to work offline.",
                     code="model.bundled_delete")
