"""What an engine is doing, in the user's language: engines send a stage code with each progress
event (``rt.progress(…, stage="serve.vllm_weights")``), the English ``message`` beside it for logs and
the command line. A stage this table does not know is shown as the engine wrote it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "Progress"

STAGES = {
    "serve.vllm_start": QT_TRANSLATE_NOOP("Progress", "Starting the vLLM runtime"),
    "serve.vllm_server": QT_TRANSLATE_NOOP("Progress", "Starting the vLLM server"),
    "serve.vllm_config": QT_TRANSLATE_NOOP("Progress", "Reading the model configuration"),
    "serve.vllm_init": QT_TRANSLATE_NOOP("Progress", "Initializing the engine"),
    "serve.vllm_weights": QT_TRANSLATE_NOOP("Progress", "Loading the weights"),
    "serve.vllm_weights_loaded": QT_TRANSLATE_NOOP("Progress", "Weights loaded"),
    "serve.vllm_kv": QT_TRANSLATE_NOOP("Progress", "Allocating the KV cache"),
    "serve.vllm_warmup": QT_TRANSLATE_NOOP("Progress", "Warming up"),
    "serve.hf_load": QT_TRANSLATE_NOOP("Progress", "Loading the model (Transformers)"),
    "serve.http": QT_TRANSLATE_NOOP("Progress", "Starting the HTTP server"),
    "serve.http_up": QT_TRANSLATE_NOOP("Progress", "HTTP server up"),
    "serve.ready": QT_TRANSLATE_NOOP("Progress", "Ready"),
    "convert.tokenizer": QT_TRANSLATE_NOOP("Progress", "Reading the tokenizer"),
    "convert.weights": QT_TRANSLATE_NOOP("Progress", "Loading and de-quantizing the weights"),
    "convert.save": QT_TRANSLATE_NOOP("Progress", "Saving the Hugging Face folder"),
    "convert.verify": QT_TRANSLATE_NOOP("Progress", "Verifying the converted model"),
    "convert.done": QT_TRANSLATE_NOOP("Progress", "Done in {seconds} s"),
    "download.ask": QT_TRANSLATE_NOOP("Progress", "Asking the hub about {repo}"),
    "download.file": QT_TRANSLATE_NOOP("Progress", "{file} ({i}/{n})"),
    "download.done": QT_TRANSLATE_NOOP("Progress", "Done"),
    "quantize.load": QT_TRANSLATE_NOOP("Progress", "Loading the model"),
    "quantize.calibration": QT_TRANSLATE_NOOP("Progress", "Reading the calibration data"),
    "quantize.oneshot": QT_TRANSLATE_NOOP("Progress", "Quantizing (this is the long step)"),
    "quantize.save": QT_TRANSLATE_NOOP("Progress", "Saving (compressed-tensors)"),
    "quantize.install": QT_TRANSLATE_NOOP("Progress", "Moving the model into place"),
    "merge.load": QT_TRANSLATE_NOOP("Progress", "Loading the base model and the adapter"),
    "merge.merge": QT_TRANSLATE_NOOP("Progress", "Merging"),
    "merge.save": QT_TRANSLATE_NOOP("Progress", "Saving"),
    "merge.verify": QT_TRANSLATE_NOOP("Progress", "Verifying"),
    "stats.read": QT_TRANSLATE_NOOP("Progress", "Reading the dataset"),
    "stats.count": QT_TRANSLATE_NOOP("Progress", "{done}/{n} records"),
    # evaluation (app/evaluation)
    "eval.load": QT_TRANSLATE_NOOP("Progress", "Loading {model} with the adapter"),
    "eval.loss_base": QT_TRANSLATE_NOOP("Progress", "Held-out loss of the base model on {n} samples"),
    "eval.loss_adapter": QT_TRANSLATE_NOOP("Progress", "Held-out loss of the adapter on {n} samples"),
    "eval.vllm_start": QT_TRANSLATE_NOOP("Progress", "Starting vLLM on {model} to generate {n} answers"),
    "eval.generate_base": QT_TRANSLATE_NOOP("Progress", "Generating with the base model: {done}/{n}"),
    "eval.generate_adapter": QT_TRANSLATE_NOOP("Progress", "Generating with the adapter: {done}/{n}"),
    "eval.judge_start": QT_TRANSLATE_NOOP("Progress", "Starting the judge {judge}"),
    "eval.judge": QT_TRANSLATE_NOOP("Progress", "Judging {done}/{n}"),
    "eval.question": QT_TRANSLATE_NOOP("Progress", "Question {done}/{n}"),
    "formats.measure": QT_TRANSLATE_NOOP("Progress", "Measuring {name}: perplexity and tokens/s"),
    "export.load": QT_TRANSLATE_NOOP("Progress", "Loading the model"),
    "export.write": QT_TRANSLATE_NOOP("Progress", "Writing the GGUF ({done}/{count} tensors)"),
    "export.verify": QT_TRANSLATE_NOOP("Progress", "Verifying: loading the file back and comparing {prompts} answers"),
    "export.modelfile": QT_TRANSLATE_NOOP("Progress", "Writing the Modelfile"),
    "export.install": QT_TRANSLATE_NOOP("Progress", "Moving the files into place"),
    "export.done": QT_TRANSLATE_NOOP("Progress", "Done"),
}


def progress_text(stage: str | None, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The stage in the user's language, or ``fallback`` (the engine's English) for an unknown one."""
    source = STAGES.get(stage or "")
    if source is None:
        return fallback
    try:
        return QCoreApplication.translate(CONTEXT, source).format(**dict(params or {}))
    except (KeyError, IndexError, ValueError):
        return fallback


def event_progress_text(event) -> str:
    """A ``progress`` event's text."""
    extra = getattr(event, "extra", None) or {}
    return progress_text(extra.get("stage"), extra.get("stage_params"), getattr(event, "message", ""))




def engine_detail_text(info) -> str:
    """A chat engine's stage while it loads, or why it failed, in the user's language
    (``info``: app.workers.serve_manager.EngineInfo)."""
    if info.state == "failed":
        from app.views.error_texts import failure_text

        return failure_text(info.failure, info.message)
    return progress_text(info.stage, info.stage_params, info.message)


__all__ = ["STAGES", "progress_text", "event_progress_text", "engine_detail_text"]
