"""Facts about a model folder, read from its files: no torch, no transformers (the GUI calls this).

One place for what the registry, the serve config and the planner read from a Hugging Face folder:

    read_config(folder)          config.json as a dict ({} when missing or unreadable)
    safetensors_params(folder)   (parameter count, {safetensors dtype: element count})
    model_max_len(folder)        the context length config.json declares, or None
    capped_max_len(folder, cap)  that length, capped (what the serve engine launches with)
    chat_template_text(folder)   the chat template (chat_template.jinja or tokenizer_config.json)
    has_chat_template(folder)    whether it has one
    tool_call_parser(folder)     the vLLM tool-call parser the template's tool calls need, or None
    folder_size(path)            bytes on disk

JSON is read by ``load_json`` (raises: for callers that report what is wrong with the file) and
``read_json`` (lenient: {} for a missing, unreadable or non-object file).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The longest context the serve engine gives a model on a GPU unless told otherwise (the model's
# own length when shorter): long contexts reserve KV cache that a 24 GB card needs for the weights.
GPU_MAX_MODEL_LEN_CAP = 8192

# Bytes per element of each safetensors dtype.
SAFETENSORS_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
                           "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "U16": 2, "U32": 4, "U64": 8}
_MAX_HEADER_BYTES = 100 * 1024 * 1024

# config.json keys that name the context length, in the order they are trusted.
_MAX_LEN_KEYS = ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length")

# How a chat template writes tool calls → the vLLM tool-call parser that reads them back. vLLM
# refuses any request with tools unless started with a parser, so agent mode needs the right one.
TOOL_PARSERS = (("<tool_call>", "hermes"),          # Qwen2.5/Qwen3, Hermes, many fine-tunes
                ("[TOOL_CALLS]", "mistral"),
                ("<|python_tag|>", "llama3_json"),  # Llama 3.1+
                ("ipython", "llama3_json"))


# --- JSON -------------------------------------------------------------------------------------------

def load_json(path: str | Path) -> Any:
    """The JSON value in ``path``. Raises FileNotFoundError, OSError (unreadable) or ValueError
    (not JSON, not UTF-8): for callers that tell the user what is wrong with the file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_json(path: str | Path) -> dict[str, Any]:
    """The JSON object in ``path``, or {} when the file is missing, unreadable, not JSON or not an object."""
    try:
        data = load_json(path)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_config(folder: str | Path) -> dict[str, Any]:
    """``<folder>/config.json`` as a dict ({} when there is none or it is broken)."""
    return read_json(Path(folder) / "config.json")


# --- safetensors --------------------------------------------------------------------------------------

def safetensors_header(path: str | Path) -> dict:
    """The JSON header of a .safetensors file (8-byte little-endian length, then JSON)."""
    with open(path, "rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        if length > _MAX_HEADER_BYTES:
            raise ValueError(f"{path}: implausible safetensors header length {length}")
        return json.loads(fh.read(length))


def safetensors_tensors(folder: str | Path) -> Iterator[tuple[str, int]]:
    """(safetensors dtype, element count) for every tensor in the folder's *.safetensors headers;
    a file whose header cannot be read is skipped."""
    for f in sorted(Path(folder).glob("*.safetensors")):
        try:
            header = safetensors_header(f)
        except (OSError, ValueError, struct.error):
            continue
        for name, meta in header.items():
            if name == "__metadata__" or not isinstance(meta, dict):
                continue
            n = 1
            for d in meta.get("shape", []):
                n *= int(d)
            yield meta.get("dtype", "?"), n


def safetensors_params(folder: str | Path) -> tuple[int, dict[str, int]]:
    """(parameter count, {safetensors dtype: element count}) summed over every *.safetensors header."""
    total, by_dtype = 0, {}
    for dtype, n in safetensors_tensors(folder):
        total += n
        by_dtype[dtype] = by_dtype.get(dtype, 0) + n
    return total, by_dtype


# --- context length -----------------------------------------------------------------------------------

def model_max_len(folder: str | Path) -> int | None:
    """The context length config.json declares (max_position_embeddings or its older names), or None."""
    cfg = read_config(folder)
    for key in _MAX_LEN_KEYS:
        if isinstance(cfg.get(key), int):
            return cfg[key]
    return None


def capped_max_len(folder: str | Path, cap: int = GPU_MAX_MODEL_LEN_CAP) -> int:
    """The model's context length, at most ``cap`` (``cap`` when the model does not say)."""
    return min(model_max_len(folder) or cap, cap)


# --- chat template --------------------------------------------------------------------------------------

def chat_template_text(folder: str | Path) -> str:
    """The chat template: chat_template.jinja, else tokenizer_config.json's chat_template (named
    templates joined), else ""."""
    folder = Path(folder)
    try:
        return (folder / "chat_template.jinja").read_text(encoding="utf-8")
    except OSError:
        pass
    tpl = read_json(folder / "tokenizer_config.json").get("chat_template") or ""
    if isinstance(tpl, list):  # named templates: [{"name": …, "template": …}]
        tpl = " ".join(str(t.get("template", "")) for t in tpl if isinstance(t, dict))
    return str(tpl)


def has_chat_template(folder: str | Path) -> bool:
    folder = Path(folder)
    if (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file():
        return True
    return bool(read_json(folder / "tokenizer_config.json").get("chat_template"))


def tool_call_parser(folder: str | Path) -> str | None:
    """The vLLM tool-call parser for this model's chat template, or None (no tool calling)."""
    text = chat_template_text(folder)
    if "tools" not in text:
        return None
    return next((parser for needle, parser in TOOL_PARSERS if needle in text), None)


# --- disk -----------------------------------------------------------------------------------------------

def folder_size(path: str | Path) -> int:
    """Bytes on disk of a file, or of every file under a folder."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


__all__ = ["GPU_MAX_MODEL_LEN_CAP", "SAFETENSORS_DTYPE_BYTES", "TOOL_PARSERS", "load_json", "read_json",
           "read_config", "safetensors_header", "safetensors_tensors", "safetensors_params", "model_max_len",
           "capped_max_len", "chat_template_text", "has_chat_template", "tool_call_parser", "folder_size"]
