"""Check a written GGUF against the model it came from, by loading it back the way the app imports a
GGUF (transformers' GGUF loader, de-quantized: ``app.engines.convert`` does the same).

What is compared, and how it is judged (``CRITERIA``, also written into the report):

* the tokenizer read back from the file encodes every prompt and text to the same ids, and the chat
  template and the BOS/EOS/PAD ids are the same — always required;
* greedy answers: the source model answers each prompt greedily; the GGUF model then reads prompt +
  answer in one pass, and its answer is the same exactly when its top token at every answer
  position is the source's next token (that is what greedy decoding would pick). Where it is not,
  the GGUF model's own greedy answer is generated and reported;
* perplexity on the validation texts, GGUF vs source.

f16 and q8_0 must give the same greedy answers, except where the source model itself was at a
near-tie (``NEAR_TIE``), and stay within 1 % / 15 % perplexity; 4-bit answers may differ word for
word, so q4 is judged on perplexity alone (within 40 %). These are measured, not hoped for: on the
bundled 135M model and a tiny adapter's run, healthy q8_0 files moved perplexity by -2.4 … +5.9 %
(a few short texts, a small model; the +5.9 % came from a 10-step adapter whose greedy answers were
all identical, so it is noise of the measurement, not a bad file) and q4_0 by up to +29 %, while a
wrong tensor layout (Llama's q/k rows left in Hugging Face's order, tried on purpose) nearly doubled
it (+91 %). The tolerances catch a broken file; they are not a quality grade.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

# A greedy answer that leaves the source's at a token the source model itself barely preferred (its
# logit over the GGUF model's choice at most this much) is a near-tie that any rounding can flip.
NEAR_TIE = 0.5
# quant → (greedy answers that may differ beyond near-ties, allowed relative perplexity increase)
CRITERIA = {
    "f16": {"greedy_may_differ": 0, "max_ppl_increase": 0.01},
    "q8_0": {"greedy_may_differ": 0, "max_ppl_increase": 0.15},
    "q4_0": {"greedy_may_differ": None, "max_ppl_increase": 0.40},
    "q4_k_m": {"greedy_may_differ": None, "max_ppl_increase": 0.40},
}

DEFAULT_PROMPTS = (
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Explain what a CPU does in one sentence.",
    "List three fruits.",
    "What is 12 plus 7?",
)
DEFAULT_TEXTS = (
    "The quick brown fox jumps over the lazy dog. A language model predicts the next word of a sentence from "
    "the words before it, and it learns to do so from large amounts of text.",
    "Water boils at 100 degrees Celsius at sea level. At higher altitudes the air pressure is lower, so water "
    "boils at a lower temperature and food takes longer to cook.",
    "To make a cup of tea, boil fresh water, pour it over the tea leaves and let them steep for three to five "
    "minutes before removing them.",
)


def criteria_text(quant: str) -> str:
    c = CRITERIA.get(quant, CRITERIA["q4_0"])
    parts = ["tokenizer, chat template and BOS/EOS/PAD ids identical"]
    if c["greedy_may_differ"] is not None:
        parts.append("greedy answers identical, except where the source model was at a near-tie "
                     f"(its top two logits within {NEAR_TIE})")
    else:
        parts.append("greedy answers reported, not required to match (4-bit)")
    parts.append(f"perplexity at most {c['max_ppl_increase'] * 100:g} % above the source model's")
    return "; ".join(parts)


def load_gguf(path: Path, threads: int | None = None):
    """(model, tokenizer) from a GGUF file, as the app's import loads it (float32, de-quantized)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        from transformers import GgufConfig
    except ImportError:  # older transformers always de-quantize
        GgufConfig = None
    path = Path(path)
    kwargs = {"quantization_config": GgufConfig(gguf_file=str(path), dequantize=True)} if GgufConfig else {}
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32, **kwargs)
    model.eval()
    return model, tok


def _prompt_ids(tok, prompt: str) -> list[int]:
    if getattr(tok, "chat_template", None):
        out = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True,
                                      tokenize=True, return_dict=True)
        return list(out["input_ids"])
    return list(tok(prompt).input_ids)


def _nll(model, ids: list[int]) -> tuple[float, int]:
    import torch

    t = torch.tensor([ids])
    with torch.inference_mode():
        logits = model(input_ids=t).logits[0, :-1].float()
    loss = torch.nn.functional.cross_entropy(logits, t[0, 1:], reduction="sum")
    return float(loss), len(ids) - 1


def perplexity(model, tok, texts: list[str], max_tokens: int = 256) -> float:
    total, count = 0.0, 0
    for text in texts:
        ids = list(tok(text).input_ids)[:max_tokens]
        if len(ids) < 2:
            continue
        nll, n = _nll(model, ids)
        total, count = total + nll, count + n
    return math.exp(total / count) if count else float("nan")


def greedy(model, ids: list[int], max_new_tokens: int, eos: set[int]) -> list[int]:
    import torch

    with torch.inference_mode():
        out = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=sorted(eos) or None,
                             pad_token_id=next(iter(eos), 0))
    new = out[0, len(ids):].tolist()
    for i, t in enumerate(new):
        if t in eos:
            return new[: i + 1]
    return new


def _answer_logits(model, prompt: list[int], answer: list[int]):
    import torch

    with torch.inference_mode():
        return model(input_ids=torch.tensor([prompt + answer[:-1]])).logits[0, len(prompt) - 1:].float()


def first_divergence(model, prompt: list[int], answer: list[int]) -> tuple[int, int] | None:
    """(position, the model's own top token there) at the first answer position where ``model``'s top
    token is not ``answer``'s, or None when greedy decoding would give ``answer`` exactly."""
    if not answer:
        return None
    top = _answer_logits(model, prompt, answer).argmax(-1).tolist()
    return next(((i, a) for i, (a, b) in enumerate(zip(top, answer)) if a != b), None)


def source_margin(model, prompt: list[int], answer: list[int], pos: int, other: int) -> float:
    """How much the source model preferred its token over ``other`` at ``pos`` (logits): near 0 is a
    near-tie, where any rounding may flip greedy decoding."""
    logits = _answer_logits(model, prompt, answer)[pos]
    return float(logits[answer[pos]] - logits[other])


def verify(source_model, source_tok, gguf_path: Path, quant: str, prompts: list[str], texts: list[str], *,
           max_new_tokens: int = 24, step: Callable[[str], None] | None = None) -> dict:
    """The verification report (a dict, saved as JSON beside the file); ``passed`` is the verdict."""
    t0 = time.monotonic()
    say = step or (lambda _m: None)
    say("loading the written file back")
    model, tok = load_gguf(gguf_path)
    problems: list[str] = []

    same_template = (getattr(tok, "chat_template", None) or None) == (getattr(source_tok, "chat_template", None) or None)
    if not same_template:
        problems.append("the chat template read back differs from the source model's")
    ids = {k: (getattr(source_tok, f"{k}_token_id", None), getattr(tok, f"{k}_token_id", None))
           for k in ("bos", "eos", "pad")}
    for k, (a, b) in ids.items():
        if a is not None and a != b:
            problems.append(f"{k.upper()} id {b} instead of {a}")

    token_mismatch = []
    for text in list(prompts) + list(texts):
        if _prompt_ids(tok, text) != _prompt_ids(source_tok, text) or tok(text).input_ids != source_tok(text).input_ids:
            token_mismatch.append(text[:60])
    if token_mismatch:
        problems.append(f"the tokenizer read back encodes {len(token_mismatch)} text(s) differently")

    eos = {i for i in (source_tok.eos_token_id, getattr(source_model.generation_config, "eos_token_id", None))
           if isinstance(i, int)}
    answers = []
    for n, prompt in enumerate(prompts, 1):
        say(f"greedy answer {n}/{len(prompts)}")
        p_ids = _prompt_ids(source_tok, prompt)
        ans = greedy(source_model, p_ids, max_new_tokens, eos)
        div = first_divergence(model, p_ids, ans)
        row = {"prompt": prompt, "source": source_tok.decode(ans, skip_special_tokens=True), "same": div is None}
        if div is None:
            row["gguf"] = row["source"]
        else:
            pos, other = div
            margin = source_margin(source_model, p_ids, ans, pos, other)
            row.update(differs_at_token=pos, source_margin=round(margin, 3), near_tie=margin <= NEAR_TIE,
                       gguf=tok.decode(greedy(model, p_ids, max_new_tokens, eos), skip_special_tokens=True))
        answers.append(row)
    differing = sum(not a["same"] for a in answers)
    real_diffs = sum(not a["same"] and not a.get("near_tie") for a in answers)

    say("perplexity on the validation texts")
    ppl_src = perplexity(source_model, source_tok, list(texts))
    ppl_gguf = perplexity(model, tok, list(texts))
    change = ppl_gguf / ppl_src - 1 if ppl_src and ppl_src == ppl_src else float("nan")

    crit = CRITERIA.get(quant, CRITERIA["q4_0"])
    if crit["greedy_may_differ"] is not None and real_diffs > crit["greedy_may_differ"]:
        problems.append(f"{real_diffs} of {len(answers)} greedy answers differ from the source model's "
                        "(not at a near-tie)")
    if not (change == change) or change > crit["max_ppl_increase"]:
        problems.append(f"perplexity {ppl_gguf:.3f} is {change * 100:+.2f} % against the source's {ppl_src:.3f} "
                        f"(allowed: +{crit['max_ppl_increase'] * 100:g} %)")
    del model
    return {
        "passed": not problems,
        "problems": problems,
        "criteria": criteria_text(quant),
        "loaded_with": "transformers GGUF loader (the app's GGUF import)",
        "llama_cpp": "not installed here: not checked",
        "chat_template_same": same_template,
        "special_ids": {k: {"source": a, "gguf": b} for k, (a, b) in ids.items()},
        "tokenizer_same": not token_mismatch,
        "greedy": {"same": len(answers) - differing, "near_ties": differing - real_diffs, "total": len(answers),
                   "max_new_tokens": max_new_tokens,
                   "answers": answers},
        "perplexity": {"source": round(ppl_src, 4), "gguf": round(ppl_gguf, 4),
                       "change_pct": round(change * 100, 3) if change == change else None, "texts": len(texts)},
        "seconds": round(time.monotonic() - t0, 2),
    }
