"""The forms a model has on this computer — its own folder, the GGUF files exported from it, the
quantized folders made from it — what format each is, and what each measured (no torch, no Qt).

The format is read from what a form holds, not from how the app made it, so a folder quantized by
any tool is named the same way: a ``quantization_config`` in config.json ("compressed-tensors W8A8",
"AWQ 4-bit", "bitsandbytes 4-bit"), a GGUF's own type from its header ("GGUF Q8_0"), otherwise the
safetensors weights' dtype ("safetensors bf16").

Measurements (tokens/s, perplexity, the change against the 16-bit model) are written by the evaluate
engine (``python -m app.engines.evaluate formats``) into ``<data folder>/measurements/``, one JSON per
form, keyed by the form's path, with a fingerprint of its weight files: a re-exported or re-quantized
file shows "not measured" again instead of an old number. They live in the data folder, not beside
the model, because an imported folder belongs to the user (and may be read-only), and a JSON file
needs no database migration. A GGUF export's perplexity change comes from its verification report
(``verify.json`` beside the file), written when it was exported.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from app.core import gguf_file, paths
from app.core.model_folder import folder_size, read_config, read_json, safetensors_params

MEASURE_DIR = "measurements"
EXPORTS_DIR = "exports"
VERIFY_FILE = "verify.json"
RECORDED_FILE = "recorded.json"  # exports written elsewhere (--out), listed here
_WEIGHTS = ("*.safetensors", "*.gguf", "*.bin")
_DTYPES = {"F32": "f32", "F16": "f16", "BF16": "bf16", "F64": "f64"}


# --- what a form is -----------------------------------------------------------------------------

def _compressed_tensors_scheme(qcfg: dict) -> str:
    """W8A8 / W4A16 / FP8 … from compressed-tensors' config_groups (weights' and inputs' bits)."""
    groups = qcfg.get("config_groups") or {}
    for group in groups.values() if isinstance(groups, dict) else []:
        if not isinstance(group, dict):
            continue
        w = group.get("weights") or {}
        a = group.get("input_activations") or {}
        if not isinstance(w, dict) or not w.get("num_bits"):
            continue
        prefix = "FP" if str(w.get("type")) == "float" else "W"
        if prefix == "FP":
            return f"FP{w['num_bits']}" + ("" if a else " (weights only)")
        return f"W{w['num_bits']}A{a.get('num_bits', 16) if isinstance(a, dict) and a else 16}"
    return str(qcfg.get("format") or "").strip()


def quantization_format(qcfg: dict) -> str | None:
    """A quantization_config in a person's words: "compressed-tensors W8A8", "AWQ 4-bit", …"""
    if not isinstance(qcfg, dict) or not qcfg:
        return None
    method = str(qcfg.get("quant_method") or "")
    if method == "compressed-tensors":
        scheme = _compressed_tensors_scheme(qcfg)
        return f"compressed-tensors {scheme}".strip()
    if method == "bitsandbytes" or qcfg.get("load_in_4bit") or qcfg.get("load_in_8bit"):
        return "bitsandbytes 8-bit" if qcfg.get("load_in_8bit") else "bitsandbytes 4-bit"
    bits = qcfg.get("bits", qcfg.get("w_bit"))
    name = {"awq": "AWQ", "gptq": "GPTQ", "fp8": "FP8", "hqq": "HQQ", "eetq": "EETQ"}.get(method, method or "quantized")
    return f"{name} {int(bits)}-bit" if isinstance(bits, (int, float)) else name


def _stamp(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _gguf_quant(path: str, _size: int, _mtime: int) -> str | None:
    """A GGUF's header walk (its whole vocabulary) once per file version, not on every selection."""
    return gguf_file.quant_type(path)


def describe_form(path: str | Path) -> dict[str, Any]:
    """``{"format", "quantized", "size_bytes"}`` of a model folder, an adapter folder or a .gguf file."""
    p = Path(path)
    size = folder_size(p) if p.exists() else None
    if p.suffix.lower() == ".gguf":
        q = _gguf_quant(str(p), *_stamp(p)) if p.is_file() else None
        return {"format": f"GGUF {q}" if q else "GGUF", "quantized": q not in ("F32", "F16", "BF16"),
                "size_bytes": size}
    if (p / "adapter_config.json").is_file() and not (p / "config.json").is_file():
        cfg = read_json(p / "adapter_config.json")
        return {"format": f"LoRA adapter r={cfg['r']}" if cfg.get("r") else "LoRA adapter", "quantized": False,
                "size_bytes": size}
    q = quantization_format(read_config(p).get("quantization_config") or {})
    if q:
        return {"format": q, "quantized": True, "size_bytes": size}
    _, by_dtype = safetensors_params(p)
    float_types = {k: v for k, v in by_dtype.items() if k in _DTYPES}
    main = max(float_types, key=float_types.get) if float_types else None
    return {"format": f"safetensors {_DTYPES[main]}" if main else "safetensors", "quantized": False,
            "size_bytes": size}


# --- which forms a model has --------------------------------------------------------------------

def _same(a: str | Path | None, b: str | Path | None) -> bool:
    if not a or not b:
        return False
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


def _slug(text: str) -> str:
    from app.core.export_plan import _slug as slug

    return slug(text)


def _recorded_file(root: Path | None = None) -> Path:
    return (root or paths.home()) / EXPORTS_DIR / RECORDED_FILE


def record_export(gguf: str | Path, root: Path | None = None) -> None:
    """Remember a GGUF exported outside <data folder>/exports/ (``--out`` elsewhere), so it is listed."""
    target = _recorded_file(root)
    known = [p for p in (read_json(target).get("files") or []) if isinstance(p, str) and Path(p).is_file()]
    path = str(Path(gguf).expanduser().resolve())
    if path not in known:
        known.append(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    paths.atomic_write_text(target, json.dumps({"files": known}, indent=1, ensure_ascii=False) + "\n")


def _exports(root: Path | None = None) -> list[tuple[Path, dict]]:
    """Every GGUF under <data folder>/exports/ or recorded there, with its verification report ({} when
    there is none)."""
    base = (root or paths.home()) / EXPORTS_DIR
    found = [p.resolve() for p in sorted(base.glob("*/*.gguf"))] if base.is_dir() else []
    recorded = [Path(p) for p in (read_json(_recorded_file(root)).get("files") or []) if isinstance(p, str)]
    out = []
    for gguf in dict.fromkeys([*found, *(p for p in recorded if p.is_file())]):
        report = read_json(gguf.parent / VERIFY_FILE)
        if report and report.get("file") not in (None, gguf.name):
            report = {}  # the report of another file in the same folder
        out.append((gguf, report))
    return out


def _export_belongs(row: dict, gguf: Path, report: dict) -> bool:
    if report.get("adapter"):
        return row.get("kind") == "adapter" and _same(report["adapter"], row.get("path"))
    if report.get("source"):
        return row.get("kind") != "adapter" and _same(report["source"], row.get("path"))
    # a report from before exports named their source: the file is named <slug(name)>-<quant>.gguf
    quant = report.get("quant") or gguf.stem.rsplit("-", 1)[-1]
    return gguf.stem == f"{_slug(row.get('name') or '')}-{quant}"


def _made_from(candidate: dict, row: dict) -> bool:
    """A registered quantized folder made from ``row``: its source (the registry's, or the
    ``_name_or_path`` its config kept) is the row's folder or name."""
    if candidate is row or not candidate.get("path") or candidate.get("kind") == "adapter":
        return False
    if not describe_form(candidate["path"]).get("quantized"):
        return False
    source = str(candidate.get("source") or "")
    if source.startswith("quantize:"):  # `ai-platform quantize` records "quantize:SCHEME:SOURCE NAME"
        source = source.split(":", 2)[-1]
    sources = (source, read_config(candidate["path"]).get("_name_or_path"))
    return any(s and (_same(s, row.get("path")) or s == row.get("name")) for s in sources)


def forms_of(row: dict, rows: list[dict] | None = None, root: Path | None = None) -> list[dict[str, Any]]:
    """The forms of the model in ``row`` (a row of ``models_registry.list_all_models``), the row's own
    folder first. Each: role (model|gguf|quantized), name, path, format, size_bytes, report (a GGUF
    export's verification, else None), measured (``read_measurement``, else None)."""
    forms: list[dict[str, Any]] = []

    def add(role: str, name: str, path: Path | str, report: dict | None = None) -> None:
        d = describe_form(path)
        forms.append({"role": role, "name": name, "path": str(path), "format": d["format"],
                      "size_bytes": d["size_bytes"], "quantized": d["quantized"], "report": report or None,
                      "measured": read_measurement(path, root)})

    if not row.get("path") or not Path(row["path"]).exists():
        return forms
    add("model", row["name"], row["path"])
    for other in rows or []:
        if _made_from(other, row):
            add("quantized", other["name"], other["path"])
    if row.get("kind") == "bundled":
        from app.core import bundled

        shipped = bundled.bundled_gguf()
        if shipped is not None and shipped.is_file():
            add("gguf", shipped.name, shipped)  # the file the bundled folder was converted from
    for gguf, report in _exports(root):
        if _export_belongs(row, gguf, report):
            add("gguf", gguf.name, gguf, report)
    return forms


def reference_of(forms: list[dict]) -> dict | None:
    """The unquantized form the others are compared with (the model's own folder when it is one)."""
    return next((f for f in forms if f["role"] == "model" and not f["quantized"]
                 and not f["format"].startswith("LoRA")), None)


def measurable(form: dict) -> bool:
    """Whether the evaluate engine can load this form (an adapter alone is not a model)."""
    return not form["format"].startswith("LoRA")


# --- what a form measured -----------------------------------------------------------------------

def fingerprint(path: str | Path) -> str:
    """Sizes and modification times of the weight files: changes when the form is written again."""
    p = Path(path)
    files = [p] if p.is_file() else sorted(f for pat in _WEIGHTS for f in p.glob(pat))
    parts = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        parts.append(f"{f.name}:{st.st_size}:{int(st.st_mtime)}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def measurement_file(path: str | Path, root: Path | None = None) -> Path:
    key = hashlib.sha1(str(Path(path).expanduser().resolve()).encode()).hexdigest()[:20]
    return (root or paths.home()) / MEASURE_DIR / f"{key}.json"


def read_measurement(path: str | Path, root: Path | None = None) -> dict | None:
    """What the evaluate engine measured for this form, or None (never measured, or the file changed)."""
    data = read_json(measurement_file(path, root))
    if not data or data.get("fingerprint") != fingerprint(path):
        return None
    return data


def save_measurement(path: str | Path, data: dict, root: Path | None = None) -> dict:
    """Store one form's measurement (temp + rename); returns what was stored."""
    stored = {**data, "path": str(Path(path).expanduser().resolve()), "fingerprint": fingerprint(path),
              "measured_at": time.time()}
    target = measurement_file(path, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    paths.atomic_write_text(target, json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    return stored


def perplexity_change(form: dict, reference: dict | None) -> tuple[float | None, str | None]:
    """(change in %, where it came from: "measured" | "export") of a form against the 16-bit model.

    Both measured by the engine on the same texts (the same set and count), else a GGUF export's own
    verification; None when neither says."""
    m, ref = form.get("measured"), (reference or {}).get("measured")
    if form is reference:
        return (0.0, "measured") if m and m.get("perplexity") else (None, None)
    if m and ref and m.get("perplexity") and ref.get("perplexity") and m.get("texts") == ref.get("texts"):
        return (m["perplexity"] / ref["perplexity"] - 1) * 100, "measured"
    ppl = (form.get("report") or {}).get("perplexity") or {}
    if isinstance(ppl.get("change_pct"), (int, float)):
        return float(ppl["change_pct"]), "export"
    return None, None
