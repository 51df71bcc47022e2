"""The model side of a LoRA run: a quantized base made trainable, the attention layers to adapt, and
the adapter written atomically (torch and peft are imported by the callers, or inside functions)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from app.core import paths
from app.core.checkpoints import ADAPTER_FILES

ADAPTER = "adapter"
# Attention projections by name, for a model whose attention modules are not named "attn"/"attention".
_ATTENTION_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj")


def prepare_quantized(model, gradient_checkpointing: bool, gc_kwargs: dict) -> None:
    """What peft's ``prepare_model_for_kbit_training`` does for a 4/8-bit base, minus its upcast of
    every 16-bit frozen weight (embeddings, lm_head, norms) to fp32: freeze the base, let inputs carry
    gradients through checkpointed blocks. The upcast cost 3.4 GiB allocated (4.7 GiB reserved) on
    an 8B QLoRA step, with the same losses (docs/gpu-results.md); LoRA weights are still fp32 (peft
    autocasts adapters), so training stays numerically as before."""
    for param in model.parameters():
        param.requires_grad = False
    if gradient_checkpointing:
        model.enable_input_require_grads()
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)


def attention_targets(model) -> list[str]:
    """Leaf names of the Linear layers inside attention blocks (q/k/v/o projections)."""
    import torch

    names: set[str] = set()
    for full, module in model.named_modules():
        leaf = full.rsplit(".", 1)[-1]
        parent = full.rsplit(".", 1)[0].lower() if "." in full else ""
        linear = isinstance(module, torch.nn.Linear) or type(module).__name__ in ("Linear4bit", "Linear8bitLt")
        if linear and ("attn" in parent or "attention" in parent) and "lm_head" not in full:
            names.add(leaf)
    if not names:
        present = {full.rsplit(".", 1)[-1] for full, _ in model.named_modules()}
        names = {n for n in _ATTENTION_NAMES if n in present}
    return sorted(names)


def save_adapter(model, run_dir: Path) -> Path:
    """The PEFT adapter (adapter_config.json + adapter_model.safetensors) into RUN_DIR/adapter,
    through a temp folder and a rename: the folder is either the old adapter or the new one."""
    target = run_dir / ADAPTER
    tmp = run_dir / f".{ADAPTER}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(str(tmp), safe_serialization=True)
        missing = [name for name in ADAPTER_FILES if not (tmp / name).is_file()]
        if missing:
            raise RuntimeError(f"the saved adapter lacks {', '.join(missing)}")
        paths.fsync_tree(tmp)
        paths.install_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
