"""Where the bundled model's tool adapter is: a LoRA that teaches SmolLM2-135M-Instruct the Hermes
``<tool_call>`` format of ``app.agents.tool_template`` (trained by ``app.agents.tool_adapter``).

It ships inside the package (``app/adapters/smollm2-tools``: bf16 safetensors, a few MB); a copy
trained on this machine by ``scripts/train_tool_adapter.py`` or ``ai-platform setup-models --tool-adapter
train`` goes to the data folder (``models/smollm2-tools``) and is preferred when complete. The folder
holds its own ``chat_template.jinja``: the serve engine renders requests for the adapter with it.

    find(root=None)     the adapter folder to use, or None
    for_model(name, folder)   the adapter for this model: the bundled one's, else None
    problem(folder)     why a folder is not a usable tool adapter, or None
"""

from __future__ import annotations

from pathlib import Path

from app.core import bundled, paths

NAME = "smollm2-tools"  # the served model name of the bundled model with its tool adapter
SHIPPED = Path(__file__).resolve().parents[1] / "adapters" / NAME
FILES = ("adapter_config.json", "adapter_model.safetensors", "chat_template.jinja")


def trained_dir(root: Path | None = None) -> Path:
    return paths.models_dir(root) / NAME


def problem(folder: str | Path) -> str | None:
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} does not exist"
    missing = [f for f in FILES if not (folder / f).is_file()]
    return f"{folder} lacks {', '.join(missing)}" if missing else None


def find(root: Path | None = None) -> Path | None:
    """The data folder's trained adapter when complete, else the shipped one, else None."""
    for folder in (trained_dir(root), SHIPPED):
        if problem(folder) is None:
            return folder
    return None


def is_bundled(name: str, folder: str | Path) -> bool:
    """The bundled SmolLM2 (by name, or a folder converted from its GGUF)."""
    if name == bundled.DEFAULT_CHAT_MODEL:
        return True
    source = str(bundled.read_marker(Path(folder)).get("source") or "")
    return Path(source).name == bundled.BUNDLED_GGUF_NAME


def for_model(name: str, folder: str | Path, root: Path | None = None) -> Path | None:
    """The tool adapter served with this model in agent mode: the bundled model's, when found."""
    return find(root) if is_bundled(name, folder) else None


__all__ = ["NAME", "SHIPPED", "FILES", "trained_dir", "problem", "find", "is_bundled", "for_model"]
