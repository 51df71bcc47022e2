"""The base model and its adapter, loaded once: greedy answers from either (transformers + peft).

``load(base_dir, adapter_dir)`` loads the base once and wraps it with the adapter; ``models.base()``
is a context in which the adapter is switched off (peft's ``disable_adapter``), so the base and the
tuned model are measured on the very same weights. Generation is greedy (deterministic), batched
with left padding, and stops at the chat template's end of turn.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.evaluation.evalset import Sample


@dataclass
class Models:
    model: Any  # a PeftModel (or the plain base when there is no adapter)
    tokenizer: Any
    device: str
    has_adapter: bool

    @contextlib.contextmanager
    def base(self) -> Iterator[Any]:
        """The base model: the adapter switched off for the block."""
        if self.has_adapter:
            with self.model.disable_adapter():
                yield self.model
        else:
            yield self.model

    @contextlib.contextmanager
    def adapter(self) -> Iterator[Any]:
        yield self.model

    def side(self, name: str):
        return self.base() if name == "base" else self.adapter()



def clean_answer(text: str) -> str:
    """An answer as a person reads it: an answer cut at the token limit inside a multi-byte character
    ends in U+FFFD (half a Chinese character); that fragment is dropped."""
    return text.strip().rstrip("\ufffd").rstrip()

def load(base_dir: str | Path, adapter_dir: str | Path | None, threads: int | None = None) -> Models:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    if threads:
        torch.set_num_threads(threads)
    cuda = torch.cuda.is_available()
    dtype = torch.bfloat16 if cuda and torch.cuda.is_bf16_supported() else torch.float32
    device = "cuda" if cuda else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    model = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=dtype).to(device)
    has_adapter = adapter_dir is not None
    if has_adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    return Models(model=model, tokenizer=tokenizer, device=device, has_adapter=has_adapter)


def _eos_ids(tokenizer, model) -> list[int]:
    ids = set()
    gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (gen_eos, tokenizer.eos_token_id):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, (list, tuple)):
            ids.update(v for v in value if isinstance(v, int))
    end = tokenizer.convert_tokens_to_ids("<|im_end|>") if "<|im_end|>" in tokenizer.get_vocab() else None
    if isinstance(end, int):
        ids.add(end)
    return sorted(ids)


def default_max_new_tokens(tokenizer, samples: Sequence[Sample], cap: int = 256) -> int:
    """Twice the longest reference in tokens (at least 16, at most ``cap``)."""
    longest = max((len(tokenizer(s.reference, add_special_tokens=False)["input_ids"]) for s in samples), default=8)
    return max(16, min(cap, 2 * longest + 4))


def generate(models: Models, side: str, samples: Sequence[Sample], *, max_new_tokens: int, batch_size: int = 8,
             on_batch: Callable[[int], None] | None = None, should_stop: Callable[[], bool] | None = None) -> list[str]:
    """Greedy answers of ``side`` ("base" or "adapter") to each sample's prompt."""
    import torch

    tok = models.tokenizer
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    answers: list[str] = []
    with models.side(side) as model:
        eos = _eos_ids(tok, model)
        for start in range(0, len(samples), batch_size):
            if should_stop and should_stop():
                break
            batch = samples[start:start + batch_size]
            rows = [tok.apply_chat_template(s.prompt, add_generation_prompt=True, tokenize=True, return_dict=True)
                    ["input_ids"] for s in batch]
            longest = max(len(r) for r in rows)
            ids = torch.full((len(rows), longest), pad_id, dtype=torch.long)
            mask = torch.zeros((len(rows), longest), dtype=torch.long)
            for i, r in enumerate(rows):  # left padding: every prompt ends where generation starts
                ids[i, longest - len(r):] = torch.tensor(r, dtype=torch.long)
                mask[i, longest - len(r):] = 1
            with torch.inference_mode():
                out = model.generate(input_ids=ids.to(models.device), attention_mask=mask.to(models.device),
                                     max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
                                     eos_token_id=eos or None, pad_token_id=pad_id,
                                     temperature=None, top_p=None, top_k=None)
            for row in out[:, longest:]:
                answers.append(clean_answer(tok.decode(row, skip_special_tokens=True)))
            if on_batch:
                on_batch(len(answers))
    return answers
