"""Training errors worded in the user's language from the engine's data (the engine's own message
is English, for the log and the command line)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _fix(f: dict) -> str:
    kind = f.get("fix")
    if kind == "batch" and "from" in f:
        return QCoreApplication.translate("TrainTexts", "lower the batch size from {a} to {b} and raise gradient accumulation from {c} to {d} "
                               "(the same effective batch)").format(a=f["from"], b=f["to"], c=f["ga_from"], d=f["ga_to"])
    if kind == "batch":
        return QCoreApplication.translate("TrainTexts", "lower the batch size (raise gradient accumulation to keep the effective batch)")
    if kind == "seq" and "from" in f:
        return QCoreApplication.translate("TrainTexts", "lower the max sequence length from {a} to {b}").format(a=f["from"], b=f["to"])
    if kind == "seq":
        return QCoreApplication.translate("TrainTexts", "lower the max sequence length")
    if kind == "checkpointing":
        return QCoreApplication.translate("TrainTexts", "turn on gradient checkpointing")
    if kind == "qlora":
        return QCoreApplication.translate("TrainTexts", "use QLoRA (a 4-bit base model)")
    return QCoreApplication.translate("TrainTexts", "lower the LoRA rank, or choose a smaller base model")


def oom_text(data: dict) -> str:
    """``data``: the engine's ``oom_details`` (error event extra with code "train.oom")."""
    if data.get("step"):
        head = QCoreApplication.translate("TrainTexts", "The GPU ran out of memory at step {step}.").format(step=data["step"])
    else:
        head = QCoreApplication.translate("TrainTexts", "The GPU ran out of memory while loading or preparing the model.")
    if data.get("alloc"):
        head += " " + QCoreApplication.translate("TrainTexts", "It tried to allocate {size} more.").format(size=data["alloc"])
    fixes = "; ".join(_fix(f) for f in data.get("fixes") or [])
    hint = QCoreApplication.translate("TrainTexts", "Try, in this order: {fixes}. The estimate in the launch form shows what fits.").format(
        fixes=fixes)
    return head + "\n" + hint


def error_text(message: str, hint: str, extra: dict | None) -> str:
    extra = extra or {}
    if extra.get("code") == "train.oom":
        return oom_text(extra)
    return f"{message}\n{hint}".strip()
