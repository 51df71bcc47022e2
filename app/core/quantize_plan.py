"""What a quantization will read and write, decided before any model is loaded (no torch), so the CLI
and the GUI refuse early what cannot work.

    source      MODEL_OR_RUN as ``export_plan.resolve_source`` reads it (``default``, a registered
                model, a model folder, a run or an adapter: merged into its base first)
    scheme      w8a8 (INT8 weights and activations) | w4a16 (4-bit weights, GPTQ)
    calibration ``--calib``: a registered dataset (name or id) or a JSONL file; by default the run's
                training data, else built-in texts
    output      <data folder>/models/<name> (default name: <source>-<scheme>), written as a temp folder beside it and renamed
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.core import export_plan, paths
from app.core.errors import UserError
from app.core.model_folder import read_config, safetensors_params

SCHEMES = ("w8a8", "w4a16")
# What llm-compressor calls each scheme, and the label the Models panel shows.
SCHEME_NAMES = {"w8a8": "W8A8", "w4a16": "W4A16"}
FORMAT = "compressed-tensors"
# The output holds 8-bit (or packed 4-bit) Linear weights plus the 16/32-bit embeddings and norms; the
# model is also held in memory while it is written. Counting 2 bytes per weight is a safe ceiling.
BYTES_PER_WEIGHT = 2.0
SPACE_MARGIN_BYTES = 64 * 1024 * 1024
# Codes of export_plan's source errors, said with the quantizer's words.
_SOURCE_CODES = {"export.unknown_source": "quantize.unknown_source", "export.no_adapter": "quantize.no_adapter",
                 "export.not_model": "quantize.not_model", "export.is_gguf": "quantize.is_gguf",
                 "export.no_base": "quantize.no_base"}


@dataclass(frozen=True)
class Calibration:
    """Where the calibration texts come from: ``path`` (JSONL) or None for the built-in texts."""

    path: Path | None
    label: str


def check_scheme(scheme: str) -> str:
    scheme = (scheme or "").strip().lower()
    if scheme not in SCHEMES:
        raise UserError(f"Unknown quantization scheme {scheme!r}: use one of {', '.join(SCHEMES)}.",
                        code="quantize.bad_scheme", params={"scheme": scheme, "choices": ", ".join(SCHEMES)})
    return scheme


def resolve_source(text: str, db=None) -> export_plan.ExportSource:
    """``MODEL_OR_RUN`` → the model folder (and the adapter to merge); the quantizer's own messages."""
    try:
        return export_plan.resolve_source(text, db)
    except UserError as err:
        code = _SOURCE_CODES.get(err.code)
        if code is None:
            raise
        p = dict(err.params)
        raise UserError(_MESSAGES[code].format(**p), code=code, params=p) from None


_MESSAGES = {
    "quantize.unknown_source": 'Nothing to quantize is called "{name}": give "default", a registered model\'s '
                               "name or id, a model folder, or a run's id or folder. See: ai-platform models list",
    "quantize.no_adapter": "The run {run} has no adapter to quantize (it is saved when a run finishes or is "
                           "stopped). Quantize a finished run, or its base model.",
    "quantize.not_model": "{path} is neither a model folder (config.json), an adapter nor a training run.",
    "quantize.is_gguf": "{path} is a GGUF file, which llm-compressor cannot read. Quantize the Hugging Face "
                        "model folder it came from.",
    "quantize.no_base": "The base model {path} of this adapter is not here. Import it (Models panel) or restore "
                        "its folder, then quantize again.",
}


def check_model(model_dir: Path) -> None:
    """``UserError`` for a folder that is already quantized or has no safetensors weights."""
    cfg = read_config(model_dir)
    q = cfg.get("quantization_config")
    if isinstance(q, dict) and q:
        method = q.get("quant_method") or "bitsandbytes"
        raise UserError(f"{model_dir} is already quantized ({method}). Quantize the 16-bit model it came from.",
                        code="quantize.already_quantized", params={"path": str(model_dir), "method": str(method)})
    if not any(Path(model_dir).glob("*.safetensors")):
        raise UserError(f"{model_dir} has no *.safetensors weights to quantize.",
                        code="quantize.no_weights", params={"path": str(model_dir)})


def resolve_calibration(calib: str | None, source: export_plan.ExportSource, db=None) -> Calibration:
    """``--calib`` (a registered dataset's name or id, or a JSONL file), else the run's training data,
    else the built-in texts."""
    if calib:
        path = Path(calib).expanduser()
        if path.is_file():
            return Calibration(path.resolve(), str(path))
        if db is not None:
            from app.core.datasets import DatasetStore

            for ds in DatasetStore(db).list():
                if calib in (ds.name, str(ds.id)):
                    return Calibration(Path(ds.train_path), f"dataset {ds.name}")
        raise UserError(f'No calibration data "{calib}": give a dataset\'s name or id (ai-platform datasets list) '
                        "or a JSONL file of chat records or texts.",
                        code="quantize.unknown_calib", params={"name": calib})
    if source.run_dir is not None:
        value = read_config(source.run_dir).get("dataset_path")
        if value and Path(value).is_file():
            return Calibration(Path(value), "the run's training data")
    return Calibration(None, "built-in texts")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-._")[:80] or "model"


def out_dir_for(name: str) -> Path:
    """<data folder>/models/<name>: where imported and converted models live too."""
    return paths.home() / "models" / slug(name)


def check_not_there(out: Path) -> None:
    if Path(out).exists():
        raise UserError(f"{out} already exists. Give another --name, or remove that folder first.",
                        code="quantize.exists", params={"path": str(out)})


def estimate_bytes(model_dir: Path) -> int:
    params, _ = safetensors_params(model_dir)
    return int(params * BYTES_PER_WEIGHT)


def check_free_space(folder: Path, needed: int) -> None:
    """``UserError`` (quantize.no_space) when ``folder``'s disk cannot hold ``needed`` bytes + a margin."""
    from app.core import diskspace

    free_mb = diskspace.free_mb(folder)
    need = needed + SPACE_MARGIN_BYTES
    if free_mb is not None and free_mb * 1e6 < need:
        raise UserError(f"Not enough disk space in {folder}: the quantized model needs about {need / 1e9:.2f} GB and "
                        f"{free_mb / 1e3:.2f} GB is free. Free some space and try again.", code="quantize.no_space",
                        params={"path": str(folder), "needed_gb": f"{need / 1e9:.2f}",
                                "free_gb": f"{free_mb / 1e3:.2f}"})


def engine_args(source: export_plan.ExportSource, scheme: str, out: Path, calib: Calibration,
                samples: int | None = None, threads: int | None = None) -> list[str]:
    """The arguments of ``python -m app.engines.quantize`` (CLI and GUI)."""
    args = ["--model", str(source.model_dir), "--scheme", scheme, "--out", str(out)]
    if source.adapter_dir is not None:
        args += ["--adapter", str(source.adapter_dir)]
    if calib.path is not None:
        args += ["--calib", str(calib.path)]
    if samples:
        args += ["--samples", str(samples)]
    if threads:
        args += ["--threads", str(threads)]
    return args


@dataclass(frozen=True)
class Plan:
    """A quantization checked and ready to run: what the engine is given and under which python."""

    source: export_plan.ExportSource
    scheme: str
    calib: Calibration
    name: str
    out: Path
    python: str      # the quantization runtime's interpreter
    version: str     # its llm-compressor

    def engine_args(self, samples: int | None = None, threads: int | None = None) -> list[str]:
        return engine_args(self.source, self.scheme, self.out, self.calib, samples, threads)


def prepare(source_ref: str, scheme: str, db, *, calib: str | None = None, name: str | None = None) -> Plan:
    """Every check before a model is loaded (the CLI and the window refuse the same things the same
    way): the scheme, the source, the calibration data, a free name and folder, disk space, the runtime."""
    from app.core import quantize_runtime
    from app.core.models_registry import ModelRegistry

    scheme = check_scheme(scheme)
    source = resolve_source(source_ref, db)
    check_model(source.model_dir)
    calibration = resolve_calibration(calib, source, db)
    name = (name or f"{source.name}-{scheme}").strip()
    if ModelRegistry(db).find(name) is not None:
        raise UserError(f'A model named "{name}" already exists. Give another --name.',
                        code="model.name_taken", params={"name": name})
    out = out_dir_for(name)
    check_not_there(out)
    check_free_space(out.parent, estimate_bytes(source.model_dir))
    info = quantize_runtime.runtime_info()
    if not info["found"]:
        raise UserError(f"The quantization runtime (llm-compressor) is not available: {info['reason']}",
                        code="quantize.no_runtime", params={"reason": info["reason"]})
    return Plan(source, scheme, calibration, name, out, str(info["python"]), str(info.get("version") or ""))


def register(plan: Plan, result: dict, db):
    """The engine's finished folder in Models, as a form of its source (``quantize:SCHEME:SOURCE``)."""
    from app.core.models_registry import ModelRegistry

    return ModelRegistry(db).register_folder(plan.name, Path(result["path"]), kind="quantized",
                                             source=f"quantize:{plan.scheme}:{plan.source.name}",
                                             size_bytes=result.get("size_bytes"))
