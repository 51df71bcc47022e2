"""Out of memory during training, said so a person can act on it: what to lower, in which order."""

from __future__ import annotations

import re

from app.core.train_config import TrainConfig


def oom_details(exc: BaseException, cfg: TrainConfig | None, step: int | None = None) -> dict:
    """What an out-of-memory error needs said, as data (the GUI words it in the user's language):
    ``{"code": "train.oom", "step", "alloc", "first_line", "fixes": [...]}``. The fixes, in order: a
    smaller batch with more gradient accumulation (same effective batch), a shorter max_seq_len,
    gradient checkpointing, QLoRA; else a smaller rank or model."""
    text = str(exc).strip()
    m = re.search(r"Tried to allocate ([\d.]+ [KMGT]?i?B)", text)
    fixes: list[dict] = []
    if cfg is None:
        fixes = [{"fix": "batch"}, {"fix": "seq"}, {"fix": "checkpointing"}, {"fix": "qlora"}]
    else:
        if cfg.batch_size > 1:
            new_bs = max(1, cfg.batch_size // 2)
            fixes.append({"fix": "batch", "from": cfg.batch_size, "to": new_bs, "ga_from": cfg.grad_accum,
                          "ga_to": cfg.grad_accum * cfg.batch_size // new_bs})
        if cfg.max_seq_len > 256:
            fixes.append({"fix": "seq", "from": cfg.max_seq_len, "to": max(256, cfg.max_seq_len // 2)})
        if not cfg.gradient_checkpointing:
            fixes.append({"fix": "checkpointing"})
        if cfg.method != "qlora":
            fixes.append({"fix": "qlora"})
        if not fixes:
            fixes.append({"fix": "smaller"})
    return {"code": "train.oom", "step": step, "alloc": m.group(1) if m else None,
            "first_line": text.splitlines()[0][:200] if text else "", "fixes": fixes}


def _fix_text(f: dict) -> str:
    kind = f["fix"]
    if kind == "batch":
        if "from" in f:
            return (f"lower batch_size from {f['from']} to {f['to']} and raise grad_accum from "
                    f"{f['ga_from']} to {f['ga_to']} (same effective batch)")
        return "lower batch_size (raise grad_accum to keep the effective batch)"
    if kind == "seq":
        return f"lower max_seq_len from {f['from']} to {f['to']}" if "from" in f else "lower max_seq_len"
    if kind == "checkpointing":
        return "enable gradient_checkpointing"
    if kind == "qlora":
        return "use QLoRA (method \"qlora\", a 4-bit base)"
    return "lower lora_r, or choose a smaller base model"


def oom_error(exc: BaseException, cfg: TrainConfig | None, step: int | None = None) -> tuple[str, str]:
    """(message, hint) in English for the log and the CLI; ``oom_details`` is the same as data."""
    d = oom_details(exc, cfg, step)
    message = "The GPU ran out of memory" + (f" at step {step}" if step else "")
    if d["alloc"]:
        message += f" (tried to allocate {d['alloc']})"
    message += "."
    if d["first_line"] and not d["alloc"]:
        message += f" {d['first_line']}"
    hint = "Try, in this order: " + "; ".join(_fix_text(f) for f in d["fixes"]) + "."
    return message, hint
