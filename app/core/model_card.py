"""The model card (README.md) for a model, an adapter or a GGUF file pushed to the Hugging Face hub.

Written from what the app knows: the run's config (base, data, settings) and its latest evaluation
(``eval/latest.json``) when there is one. It is always kept beside the model, so a push that cannot
reach the hub (offline) still leaves the card where the user can read and upload it later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core import paths
from app.core.evaluations import EVAL_DIR, LATEST, read_result
from app.core.runs import ADAPTER_DIR, read_config

MARKER = "<!-- written by ai-platform -->"
CARD_FILE = "README.md"
SETTINGS = ("method", "quantization", "dtype", "lora_r", "lora_alpha", "lora_dropout", "target_modules",
            "max_seq_len", "batch_size", "grad_accum", "epochs", "max_steps", "learning_rate", "scheduler",
            "warmup_ratio", "seed")


def _run_dir_of(path: Path) -> Path | None:
    """The run folder that ``path`` (a run folder or its adapter/) belongs to, None for a plain model."""
    for cand in (path, path.parent):
        if (cand / "config.json").is_file() and (cand / ADAPTER_DIR).exists() and read_config(cand).get("base_model"):
            return cand
    return None


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def card_text(target: str | Path, repo_id: str, kind: str) -> str:
    """Markdown with a YAML header (library, base model, tags) for ``target`` (folder or .gguf file)."""
    target = Path(target)
    run_dir = _run_dir_of(target if target.is_dir() else target.parent)
    config = read_config(run_dir) if run_dir else {}
    base = config.get("base_model") or ""
    base_id = base if base and "/" in base and not Path(base).exists() else ""
    tags = ["ai-platform", kind] + (["gguf"] if target.suffix == ".gguf" else []) + (["lora"] if kind == "adapter" else [])
    head = ["---", "tags:"] + [f"- {t}" for t in tags]
    if kind == "adapter":
        head.append("library_name: peft")
    if base_id:
        head.append(f"base_model: {base_id}")
    head.append("---")
    name = repo_id.split("/")[-1]
    lines = head + [MARKER, "", f"# {name}", ""]
    what = {"adapter": "A LoRA adapter", "gguf": "A GGUF file", "model": "A model"}.get(kind, "A model")
    lines.append(f"{what} made with AI Platform" + (f" from the training run `{run_dir.name}`." if run_dir else "."))
    lines.append("")
    if config:
        lines += ["## Training", "", f"- Base model: `{base or 'unknown'}`"]
        data = config.get("dataset_path")
        if data:
            lines.append(f"- Training data: `{Path(data).name}`")
        if config.get("val_path"):
            lines.append(f"- Validation data: `{Path(config['val_path']).name}`")
        lines += ["", "| Setting | Value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(config[k])} |" for k in SETTINGS if k in config]
        lines.append("")
    result = read_result(run_dir / EVAL_DIR / LATEST) if run_dir else {}
    if result:
        lines += ["## Evaluation", ""]
        if result.get("set"):
            lines.append(f"Held-out set: `{Path(str(result['set'])).name}`"
                         + (f", {result['n_samples']} samples" if result.get("n_samples") else ""))
            lines.append("")
        sides = [s for s in ("base", "adapter") if isinstance(result.get(s), dict)]
        metrics = sorted({k for s in sides for k, v in result[s].items() if isinstance(v, (int, float))})
        if metrics:
            lines += ["| Metric | " + " | ".join(sides) + " |", "|---|" + "---|" * len(sides)]
            lines += [f"| {m} | " + " | ".join(_fmt(result[s].get(m, "-")) for s in sides) + " |" for m in metrics]
            lines.append("")
    if target.is_file() and target.suffix == ".gguf":
        lines += ["## Use", "", f"`llama-cli -m {target.name}` or `ollama` with a Modelfile.", ""]
    return "\n".join(lines)


def _peft_template(text: str) -> bool:
    """peft's save_pretrained writes an unfilled card ("Model Card for Model ID", the base model's local
    path): ours replaces it; a card a person wrote does not look like that."""
    return "library_name: peft" in text and "# Model Card for Model ID" in text


def write_card(target: str | Path, repo_id: str, kind: str) -> Path:
    """README.md beside the model (in the folder, or beside the .gguf file); temp + rename.

    A README.md the user wrote (without our marker) is left as it is and returned unchanged.
    """
    target = Path(target)
    folder = target if target.is_dir() else target.parent
    card = folder / CARD_FILE
    if card.is_file():
        old = card.read_text(encoding="utf-8", errors="replace")
        if MARKER not in old and not _peft_template(old):
            return card
    paths.atomic_write_text(card, card_text(target, repo_id, kind))
    return card


def card_sections(card: str | Path) -> dict[str, Any]:
    """Small summary for --json output: which sections the card has."""
    text = Path(card).read_text(encoding="utf-8", errors="replace")
    return {"path": str(card), "sections": [ln[3:] for ln in text.splitlines() if ln.startswith("## ")],
            "bytes": len(text.encode())}


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
