"""Measure the forms of a model (its 16-bit folder, quantized folders, GGUF files) the same way, so
their numbers compare: perplexity on the assistant tokens of the bundled bilingual sample set
(``loss.held_out_loss``, exactly as a run's evaluation computes it) and tokens/s of a short greedy
generation.

``measure(rep, load, texts_id, samples)`` measures one loaded form; the evaluate engine picks the
loader (a folder through ``generate.load``, a GGUF through the export's loader) and stores each
result with ``app.core.model_formats.save_measurement``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from app.evaluation.generate import Models, _eos_ids
from app.evaluation.loss import encode, held_out_loss

SAMPLES = 8         # conversations of the sample set whose assistant tokens are scored (about 300 tokens)
MAX_SEQ_LEN = 512
GEN_TOKENS = 24     # tokens generated (at least: EOS is not allowed to end it early) to time decoding
GEN_PROMPTS = 1


def texts_id(name: str, n: int) -> str:
    """Names the texts a perplexity was measured on: only equal ids compare."""
    return f"{name}[:{n}]"


def tokens_per_second(models: Models, samples, *, new_tokens: int = GEN_TOKENS, prompts: int = GEN_PROMPTS) -> float:
    """Greedy decoding speed: new tokens over wall time, prompts one by one (batch 1, as a chat)."""
    import torch

    tok = models.tokenizer
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    total_tokens, total_s = 0, 0.0
    with models.side("base") as model:
        eos = _eos_ids(tok, model)
        chosen = list(samples[:prompts])
        for i, s in enumerate([chosen[0], *chosen]):  # the first run warms up (allocations, kernels)
            ids = tok.apply_chat_template(s.prompt, add_generation_prompt=True, tokenize=True,
                                          return_dict=True)["input_ids"]
            x = torch.tensor([ids], device=models.device)
            n = 2 if i == 0 else new_tokens
            if models.device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            with torch.inference_mode():
                out = model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                                     min_new_tokens=n, do_sample=False, num_beams=1, eos_token_id=eos or None,
                                     pad_token_id=pad, temperature=None, top_p=None, top_k=None)
            if models.device == "cuda":
                torch.cuda.synchronize()
            if i:
                total_s += time.perf_counter() - t0
                total_tokens += int(out.shape[1] - x.shape[1])
    return total_tokens / total_s if total_s > 0 else 0.0


def measure(load: Callable[[], Models], samples, texts: str, *,
            should_stop: Callable[[], bool] | None = None) -> dict[str, Any]:
    """``{"perplexity", "loss", "tokens", "tokens_per_s", "device", "texts", "seconds"}`` of one form."""
    import torch

    t0 = time.monotonic()
    models = load()
    items = encode(models.tokenizer, samples, MAX_SEQ_LEN)
    loss = held_out_loss(models, "base", items, should_stop=should_stop)
    speed = tokens_per_second(models, samples)
    dtype = str(next(models.model.parameters()).dtype).replace("torch.", "")
    out = {"perplexity": loss["perplexity"], "loss": loss["loss"], "tokens": loss["tokens"],
           "tokens_per_s": round(speed, 2), "new_tokens": GEN_TOKENS, "device": models.device, "dtype": dtype,
           "threads": torch.get_num_threads() if models.device == "cpu" else None, "texts": texts,
           "seconds": round(time.monotonic() - t0, 2)}
    del models
    return out
