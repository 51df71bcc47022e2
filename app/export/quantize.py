"""One quantization for serving with llm-compressor, start to end: load (and merge an adapter), calibrate
on the user's texts, quantize, save as compressed-tensors under a temp name, then rename into place.
A failure or a stop removes the temp folder; the target folder is written whole or not at all.

Runs in the quantization runtime (``app.core.quantize_runtime``: llm-compressor pins its own
transformers), started as ``python -m app.engines.quantize``. Schemes:

    w8a8   SmoothQuant, then INT8 weights (per channel) and INT8 activations (dynamic, per token)
    w4a16  4-bit weights (GPTQ, groups of 128, or 64/32 where the widths need it), 16-bit activations

``lm_head`` stays unquantized (as llm-compressor's examples do: it is tied to the embeddings here).
The perplexity on the calibration texts, before and after, is measured in the same process: the
quantized modules compute with the rounded weights once ``oneshot`` returns.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core import bundled, paths, quantize_plan
from app.core.errors import UserError

TOTAL_STEPS = 5
MAX_SEQ_LEN = 512
DEFAULT_SAMPLES = 64
PPL_TEXTS = 8  # calibration texts whose perplexity is compared before/after
BUILTIN_TEXTS = (
    "The quick brown fox jumps over the lazy dog. A language model predicts the next word of a sentence from "
    "the words before it, and it learns to do so from large amounts of text.",
    "Water boils at 100 degrees Celsius at sea level. At higher altitudes the air pressure is lower, so water "
    "boils at a lower temperature and food takes longer to cook.",
    "To make a cup of tea, boil fresh water, pour it over the tea leaves and let them steep for three to five "
    "minutes before removing them.",
    "Paris is the capital of France. It is known for the Eiffel Tower, the Louvre museum and its cafés.",
    "A CPU executes the instructions of a program: it fetches them from memory, decodes them and carries them out.",
    "Apples, bananas and oranges are fruits. They contain vitamins, fibre and water.",
    "机器学习是人工智能的一个分支，它让计算机从数据中学习规律，而不是依靠人工编写的规则。",
    "12 plus 7 is 19. Adding numbers is one of the first things children learn in mathematics.",
)


@dataclass
class QuantizeRequest:
    model_dir: Path
    out_dir: Path
    scheme: str
    adapter_dir: Path | None = None
    calib_path: Path | None = None
    samples: int = DEFAULT_SAMPLES


def calibration_texts(path: Path | None, tokenizer, limit: int) -> list[str]:
    """Texts from a JSONL file (chat records rendered with the model's template, or ``text`` /
    ``prompt``+``completion`` fields), at most ``limit``; the built-in texts without a file.
    ``UserError`` when the file holds none."""
    if path is None:
        return list(BUILTIN_TEXTS[:limit])
    texts: list[str] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                text = _record_text(rec, tokenizer) if isinstance(rec, dict) else None
                if text and text.strip():
                    texts.append(text)
                if len(texts) >= limit:
                    break
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the calibration file {path}: {exc}.", code="quantize.calib_unreadable",
                        params={"path": str(path), "error": str(exc)}) from None
    if not texts:
        raise UserError(f"{path} holds no calibration texts: each line should be a JSON object with \"messages\" "
                        "(chat), \"text\", or \"prompt\" and \"completion\".", code="quantize.calib_empty",
                        params={"path": str(path)})
    return texts


def _record_text(rec: dict, tokenizer) -> str | None:
    msgs = rec.get("messages")
    if isinstance(msgs, list) and msgs and all(isinstance(m, dict) and isinstance(m.get("content"), str)
                                               for m in msgs):
        try:
            return tokenizer.apply_chat_template(msgs, tokenize=False)
        except Exception:  # noqa: BLE001 - a template that cannot render this record: the plain turns
            return "\n".join(m["content"] for m in msgs)
    if isinstance(rec.get("text"), str):
        return rec["text"]
    parts = [rec.get(k) for k in ("prompt", "instruction", "input", "completion", "output", "response")]
    parts = [p for p in parts if isinstance(p, str) and p]
    return "\n".join(parts) or None


def recipe_for(scheme: str, group_size: int | None = 128):
    """w8a8: SmoothQuant (moves the activations' outliers into the weights, from the calibration texts),
    then INT8 rounding per channel; w4a16: GPTQ, which needs the calibration texts' Hessians to keep 4-bit
    weights usable. GPTQ for W8A8 was tried on the bundled model: 333 s of oneshot against 43 s for this
    (8 texts, a loaded 2-core machine) and a slightly worse perplexity (+6.4 % against +5.7 %)."""
    from llmcompressor.modifiers.quantization import GPTQModifier, QuantizationModifier

    if scheme == "w8a8":
        from llmcompressor.modifiers.transform.smoothquant import SmoothQuantModifier

        return [SmoothQuantModifier(smoothing_strength=0.8),
                QuantizationModifier(targets="Linear", scheme="W8A8", ignore=["lm_head"])]
    return [GPTQModifier(config_groups={"group_0": _w4a16_scheme(group_size)}, ignore=["lm_head"])]


def group_size_for(model) -> int | None:
    """The largest of 128/64/32 that divides every quantized Linear's input width (SmolLM2-135M's 576 is
    not a multiple of 128, which llm-compressor refuses), None for per-channel scales."""
    import torch

    widths = {m.in_features for name, m in model.named_modules()
              if isinstance(m, torch.nn.Linear) and not name.endswith("lm_head")}
    return next((g for g in (128, 64, 32) if widths and all(w % g == 0 for w in widths)), None)


def _w4a16_scheme(group_size: int | None):
    from compressed_tensors.quantization import QuantizationArgs, QuantizationScheme

    weights = (QuantizationArgs(num_bits=4, type="int", symmetric=True, strategy="group", group_size=group_size)
               if group_size else QuantizationArgs(num_bits=4, type="int", symmetric=True, strategy="channel"))
    return QuantizationScheme(targets=["Linear"], weights=weights)


def perplexity(model, tokenizer, texts: list[str]) -> float | None:
    """Token-weighted perplexity of ``texts`` (None without any token to predict)."""
    import torch

    total, count = 0.0, 0
    with torch.no_grad():
        for text in texts:
            ids = tokenizer(text, return_tensors="pt", truncation=True, max_length=MAX_SEQ_LEN).input_ids
            if ids.shape[1] < 2:
                continue
            out = model(ids, labels=ids)
            n = ids.shape[1] - 1
            total += float(out.loss) * n
            count += n
    return math.exp(total / count) if count else None


def _cleanup_stale(parent: Path) -> None:
    """Remove temp folders of quantizations that were killed (their process is gone)."""
    import psutil

    for p in parent.glob(".quantize-*.tmp-*"):
        try:
            pid = int(p.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not psutil.pid_exists(pid):
            shutil.rmtree(p, ignore_errors=True)


def run_quantize(req: QuantizeRequest, *, progress: Callable[..., None], info: Callable[[str], None],
                 stop_requested: Callable[[], bool] = lambda: False) -> dict | None:
    """The result (path, scheme, format, sizes, perplexity, seconds); None when stopped. Raises UserError
    for what a person can fix."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.monotonic()
    scheme = quantize_plan.check_scheme(req.scheme)
    quantize_plan.check_model(req.model_dir)
    out = Path(req.out_dir).expanduser().resolve()
    quantize_plan.check_not_there(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    quantize_plan.check_free_space(out.parent, quantize_plan.estimate_bytes(req.model_dir))
    _cleanup_stale(out.parent)

    progress(1, TOTAL_STEPS, "loading the model", "quantize.load")
    model = AutoModelForCausalLM.from_pretrained(req.model_dir, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(req.model_dir)
    if req.adapter_dir is not None:
        from peft import PeftModel

        info(f"merging the adapter {req.adapter_dir}")
        model = PeftModel.from_pretrained(model, req.adapter_dir).merge_and_unload()
    model.eval()
    if stop_requested():
        return None

    progress(2, TOTAL_STEPS, "reading the calibration data", "quantize.calibration")
    texts = calibration_texts(req.calib_path, tokenizer, max(1, req.samples))
    ppl_source = perplexity(model, tokenizer, texts[:PPL_TEXTS])
    from datasets import Dataset

    def tokenize(sample):
        return tokenizer(sample["text"], truncation=True, max_length=MAX_SEQ_LEN, add_special_tokens=False)

    ds = Dataset.from_dict({"text": texts}).map(tokenize, remove_columns=["text"])
    if stop_requested():
        return None

    progress(3, TOTAL_STEPS, f"quantizing ({quantize_plan.SCHEME_NAMES[scheme]}, {len(texts)} calibration texts)",
             "quantize.oneshot", eta_s=None)
    from llmcompressor import oneshot

    t_q = time.monotonic()
    recipe = recipe_for(scheme, group_size_for(model))
    model = oneshot(model=model, dataset=ds, recipe=recipe, max_seq_length=MAX_SEQ_LEN,
                    num_calibration_samples=len(texts), shuffle_calibration_samples=False)
    quantize_seconds = time.monotonic() - t_q
    ppl_quantized = perplexity(model, tokenizer, texts[:PPL_TEXTS])
    if stop_requested():
        return None

    progress(4, TOTAL_STEPS, "saving (compressed-tensors)", "quantize.save")
    tmp = out.parent / f".quantize-{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp, save_compressed=True)
        tokenizer.save_pretrained(tmp)
        meta = {"quantized_from": str(req.model_dir), "adapter": str(req.adapter_dir) if req.adapter_dir else None,
                "scheme": scheme, "format": quantize_plan.FORMAT,
                "calibration": str(req.calib_path) if req.calib_path else "built-in", "samples": len(texts)}
        (tmp / bundled.COMPLETE_MARKER).write_text(json.dumps(meta), encoding="utf-8")
        paths.fsync_tree(tmp)
        progress(5, TOTAL_STEPS, "renaming into place", "quantize.install", eta_s=0)
        paths.install_dir(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        from app.core import diskspace

        diskspace.reraise_if_full(exc, out.parent)
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    change = (round((ppl_quantized / ppl_source - 1) * 100, 2)
              if ppl_source and ppl_quantized else None)
    return {"path": str(out), "scheme": scheme, "scheme_name": quantize_plan.SCHEME_NAMES[scheme],
            "format": quantize_plan.FORMAT, "size_bytes": size, "calibration_samples": len(texts),
            "perplexity": {"source": round(ppl_source, 3) if ppl_source else None,
                           "quantized": round(ppl_quantized, 3) if ppl_quantized else None, "change_pct": change},
            "quantize_seconds": round(quantize_seconds, 2), "seconds": round(time.monotonic() - t0, 2)}
