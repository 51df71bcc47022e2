"""What an export will read and write, decided before any model is loaded (no torch: the GUI and the
CLI call this to fail fast with a message a person can act on).

``resolve_source(text, db)`` turns ``MODEL_OR_RUN`` into an ``ExportSource``:

    default                   the bundled model (its converted folder)
    a registered model        by name or id (Models panel / ``ai-platform models list``)
    a model folder            config.json + weights
    a run                     by id (``runs/<id>``) or its folder: its ``adapter/`` is merged into
                              its base model on the fly (the run's own config names the base)
    an adapter folder         adapter_config.json: merged into the base it names

``check_supported(folder)`` refuses an architecture or tokenizer the GGUF writer cannot write;
``check_free_space(folder, needed)`` refuses to start a write that cannot finish.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core import bundled, paths
from app.core.errors import UserError
from app.core.model_folder import read_config, read_json, safetensors_params

FORMATS = ("gguf",)
QUANTS = ("f16", "q8_0", "q4_0", "q4_k_m")
DEFAULT_QUANT = "q8_0"
# What the writer produces (all of QUANTS: q4_k_m with app/export/kquants.py); a quantization listed in
# QUANTS but not here would be refused with export.quant_unavailable.
WRITABLE_QUANTS = ("f16", "q8_0", "q4_0", "q4_k_m")

# Hugging Face architecture → the GGUF architecture the writer produces (app/export/gguf.py).
SUPPORTED_ARCHITECTURES = {
    "LlamaForCausalLM": "llama",
    "MistralForCausalLM": "llama",
    "Qwen2ForCausalLM": "qwen2",
}

# Approximate bytes per weight of each quantization (GGML block sizes), for the disk-space check
# before the model is loaded; the writer checks again with the exact tensor sizes.
BYTES_PER_WEIGHT = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32, "q4_k_m": 0.6}
# Metadata (vocabulary, merges) and slack on top of the tensors.
SPACE_MARGIN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ExportSource:
    """What to export: ``model_dir`` (a Hugging Face folder), with ``adapter_dir`` merged into it when
    set. ``name`` names the output files; ``run_dir`` is the run it came from (its data verifies it)."""

    kind: str  # bundled | model | run | adapter
    name: str
    model_dir: Path
    adapter_dir: Path | None = None
    run_dir: Path | None = None


def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-._")
    return slug[:80] or "model"


def _is_run_folder(folder: Path) -> bool:
    cfg = read_config(folder)
    return bool(cfg) and "base_model" in cfg and "dataset_path" in cfg and "model_type" not in cfg


def _bundled() -> ExportSource:
    status = bundled.default_model_status()
    if not status["ready"]:
        raise UserError(f"The bundled model is not prepared yet: {status['reason']}. "
                        "Prepare it first: ai-platform setup-models (or Dashboard → Prepare the model).",
                        code="export.default_not_ready", params={"reason": status["reason"]})
    return ExportSource("bundled", bundled.DEFAULT_CHAT_MODEL, Path(status["dir"]))


def _base_of(value: str | None, db=None) -> Path:
    """The folder a run's ``base_model`` (or an adapter's base_model_name_or_path) names."""
    if value in (None, "", "default"):
        return _bundled().model_dir
    folder = Path(value).expanduser()
    if folder.is_dir():
        return folder
    if db is not None:
        from app.core.models_registry import ModelRegistry

        m = ModelRegistry(db).find(value)
        if m is not None and m.path:
            return Path(m.path)
    raise UserError(f"The base model {value} of this adapter is not here. Import it (Models panel) "
                    "or restore its folder, then export again.", code="export.no_base", params={"path": value})


def _run_source(run_dir: Path, name: str, db=None) -> ExportSource:
    adapter = run_dir / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"The run {name} has no adapter to export (it is saved when a run finishes or is "
                        "stopped). Export a finished run, or its base model.",
                        code="export.no_adapter", params={"run": name})
    base = _base_of(read_config(run_dir).get("base_model"), db)
    return ExportSource("run", name, base, adapter_dir=adapter, run_dir=run_dir)


def resolve_source(text: str, db=None) -> ExportSource:
    """``MODEL_OR_RUN`` → what to export. ``db`` (an open database, optional) looks up registered
    models and runs by name or id. Raises ``UserError`` naming what was not found."""
    text = (text or "").strip()
    if text in ("", "default", bundled.DEFAULT_CHAT_MODEL):
        return _bundled()
    folder = Path(text).expanduser()
    if folder.is_dir():
        folder = folder.resolve()
        if _is_run_folder(folder):
            return _run_source(folder, folder.name, db)
        if (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file():
            cfg = read_json(folder / "adapter_config.json")
            run_cfg = read_config(folder.parent) if folder.name == "adapter" else {}
            base = _base_of(run_cfg.get("base_model") or cfg.get("base_model_name_or_path"), db)
            return ExportSource("adapter", folder.parent.name if folder.name == "adapter" else folder.name,
                                base, adapter_dir=folder, run_dir=folder.parent if run_cfg else None)
        if (folder / "config.json").is_file():
            if folder == bundled.default_model_dir().resolve():
                return ExportSource("bundled", bundled.DEFAULT_CHAT_MODEL, folder)
            return ExportSource("model", folder.name, folder)
        raise UserError(f"{folder} is neither a model folder (config.json), an adapter nor a training run.",
                        code="export.not_model", params={"path": str(folder)})
    if Path(text).suffix.lower() == ".gguf" and Path(text).is_file():
        raise UserError(f"{text} is already a GGUF file. Import it first (ai-platform models import), "
                        "then export the imported model to another quantization.",
                        code="export.is_gguf", params={"path": text})
    run_dir = paths.runs_dir() / text
    if db is not None:
        from app.core.models_registry import ModelRegistry
        from app.core.runs import RunStore

        reg = ModelRegistry(db)
        m = reg.find(text)
        if m is None and text.isdigit():
            m = next((x for x in reg.list() if x.id == int(text)), None)
        if m is not None and m.path:
            return ExportSource("model", m.name, Path(m.path))
        for run in RunStore(db).list():
            if text in (run.id, run.name):
                return _run_source(Path(run.run_dir), run.name, db)
    if (run_dir / "config.json").is_file():
        return _run_source(run_dir, text, db)
    raise UserError(f'Nothing to export is called "{text}": give "default", a registered model\'s name or '
                    "id, a model folder, or a run's id or folder. See: ai-platform models list",
                    code="export.unknown_source", params={"name": text})


def check_supported(model_dir: Path) -> str:
    """The GGUF architecture for this model folder; ``UserError`` for one the writer cannot write."""
    cfg = read_config(model_dir)
    archs = cfg.get("architectures") or []
    arch = next((a for a in archs if a in SUPPORTED_ARCHITECTURES), None)
    if arch is None:
        name = archs[0] if archs else (cfg.get("model_type") or "unknown")
        raise UserError(f"Exporting {name} models to GGUF is not supported yet (supported: "
                        f"{', '.join(sorted(SUPPORTED_ARCHITECTURES))}). llama.cpp's convert_hf_to_gguf.py "
                        "may convert it.", code="export.unsupported_arch",
                        params={"arch": name, "supported": ", ".join(sorted(SUPPORTED_ARCHITECTURES))})
    if not (Path(model_dir) / "tokenizer.json").is_file():
        raise UserError(f"{model_dir} has no tokenizer.json (a fast byte-level BPE tokenizer): only such "
                        "tokenizers can be written into the GGUF here.",
                        code="export.unsupported_tokenizer", params={"path": str(model_dir)})
    return SUPPORTED_ARCHITECTURES[arch]


def check_quant(quant: str) -> str:
    """The quantization, lower-cased; ``UserError`` for an unknown one or one that cannot be written
    here (one listed in QUANTS but not in WRITABLE_QUANTS)."""
    quant = (quant or "").lower()
    if quant not in QUANTS:
        raise UserError(f"Unknown quantization {quant!r}: use one of {', '.join(QUANTS)}.",
                        code="export.bad_quant", params={"quant": quant, "choices": ", ".join(QUANTS)})
    if quant not in WRITABLE_QUANTS:
        raise UserError(f"{quant} needs llama.cpp's K-quant quantizer, which the gguf package here cannot write "
                        "(it only reads K-quants). Export q4_0 (4-bit) or q8_0, or quantize the f16 file with "
                        "llama.cpp's llama-quantize.", code="export.quant_unavailable", params={"quant": quant})
    return quant


def estimate_bytes(model_dir: Path, quant: str) -> int:
    """About how many bytes the GGUF of this model will take (from the safetensors headers)."""
    params, _ = safetensors_params(model_dir)
    return int(params * BYTES_PER_WEIGHT.get(quant, 2.0))


def check_free_space(folder: Path, needed: int) -> None:
    """``UserError`` when ``folder``'s disk has less than ``needed`` bytes (+ a margin) free."""
    folder = Path(folder)
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed + SPACE_MARGIN_BYTES:
        raise UserError(f"Not enough disk space in {folder}: the export needs about "
                        f"{(needed + SPACE_MARGIN_BYTES) / 1e9:.2f} GB and {free / 1e9:.2f} GB is free. "
                        "Free some space or choose another folder.", code="export.no_space",
                        params={"path": str(folder), "needed_gb": f"{(needed + SPACE_MARGIN_BYTES) / 1e9:.2f}",
                                "free_gb": f"{free / 1e9:.2f}"})




def engine_args(source: ExportSource, quant: str, out, name: str | None = None, force: bool = False,
                threads: int | None = None) -> list[str]:
    """The arguments of ``python -m app.engines.export`` for a resolved source (CLI and GUI)."""
    args = ["--model", str(source.model_dir), "--quant", quant, "--out", str(out), "--name", name or source.name]
    if source.adapter_dir is not None:
        args += ["--adapter", str(source.adapter_dir)]
    if source.run_dir is not None:
        args += ["--run", str(source.run_dir)]
    if force:
        args.append("--force")
    if threads:
        args += ["--threads", str(threads)]
    return args


def out_dir_for(source: ExportSource, quant: str, name: str | None = None) -> Path:
    """The default output folder: <data folder>/exports/<name>-<quant>."""
    return paths.home() / "exports" / f"{_slug(name or source.name)}-{quant}"


def export_files(out_dir: Path, name: str, quant: str) -> dict[str, Path]:
    """The files an export writes into ``out_dir``: the GGUF, the Ollama Modelfile, the report."""
    out_dir = Path(out_dir)
    return {"gguf": out_dir / f"{_slug(name)}-{quant}.gguf", "modelfile": out_dir / "Modelfile",
            "verify": out_dir / "verify.json"}


def check_not_exported(out_dir: Path, name: str, quant: str) -> None:
    """``UserError`` when ``out_dir`` already holds an export's files (replace them with --force)."""
    existing = [p for p in export_files(out_dir, name, quant).values() if p.exists()]
    if existing:
        raise UserError(f"{existing[0]} already exists. Choose another folder, or replace it (--force).",
                        code="export.exists", params={"path": str(existing[0])})
