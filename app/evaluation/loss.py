"""Held-out loss and perplexity on the assistant's tokens only.

The samples are encoded exactly as the trainer encodes them (``app.training.data.encode_conversation``:
the model's chat template, labels on the assistant turns and their end-of-turn token, -100
elsewhere), so this loss is the trainer's ``eval_loss`` on the same data, averaged over tokens
(every learned token weighs the same, however the samples are batched).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from app.core.errors import UserError
from app.evaluation.evalset import Sample
from app.evaluation.generate import Models


def encode(tokenizer, samples: Sequence[Sample], max_seq_len: int) -> list[dict]:
    from app.training.data import IGNORE_INDEX, encode_conversation

    if not getattr(tokenizer, "chat_template", None):
        raise UserError("The model has no chat template, so the evaluation set cannot be rendered for it.",
                        code="eval.no_chat_template")
    items = []
    for s in samples:
        item = encode_conversation(tokenizer, s.conversation, max_seq_len)
        if item is not None and any(label != IGNORE_INDEX for label in item["labels"]):
            items.append(item)
    return items


def held_out_loss(models: Models, side: str, items: list[dict], *, batch_size: int = 4,
                  should_stop: Callable[[], bool] | None = None) -> dict[str, float | int | None]:
    """``{"loss", "perplexity", "tokens"}`` of ``side`` on the encoded ``items``."""
    import torch
    import torch.nn.functional as F

    from app.training.data import IGNORE_INDEX, ChatCollator

    tok = models.tokenizer
    collate = ChatCollator(tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id)
    total, count = 0.0, 0
    with models.side(side) as model, torch.inference_mode():
        for start in range(0, len(items), batch_size):
            if should_stop and should_stop():
                break
            batch = {k: v.to(models.device) for k, v in collate(items[start:start + batch_size]).items()}
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            shift_logits = logits[:, :-1, :].float()
            shift_labels = batch["labels"][:, 1:]
            nll = F.cross_entropy(shift_logits.reshape(-1, shift_logits.size(-1)), shift_labels.reshape(-1),
                                  ignore_index=IGNORE_INDEX, reduction="sum")
            total += float(nll)
            count += int((shift_labels != IGNORE_INDEX).sum())
    if count == 0:
        return {"loss": None, "perplexity": None, "tokens": 0}
    loss = total / count
    return {"loss": loss, "perplexity": math.exp(min(loss, 700.0)), "tokens": count}
