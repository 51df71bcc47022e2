"""The chat fine-tuning loss over the answer tokens only, in chunks: no full logits.

A causal LM's forward computes ``lm_head`` (hidden → vocabulary) for every position, and its loss
upcasts all of them to float32 (12 bytes per vocabulary entry per token at the loss's peak, the
VRAM planner's ``logits`` term). In chat fine-tuning most positions are the prompt, whose labels
are -100: their logits are computed and thrown away. Here the decoder runs alone, the hidden states
of the positions that predict a label are picked, and ``lm_head`` + cross-entropy run over them in
chunks of ``CHUNK`` rows, each recomputed in the backward pass (``torch.utils.checkpoint``), so the
logits alive at any moment are one chunk's. The loss and the gradients are those of the model's
own loss (``ForCausalLMLoss``: shifted labels, sum over the batch's label tokens divided by
``num_items_in_batch`` when the Trainer passes it, else their mean); tests/unit/test_label_loss.py
checks both against it.

Used for the architectures whose ``forward`` is exactly decoder → lm_head → that loss
(``SUPPORTED``, and no logit soft-capping or scaling in their config); anything else, and runs of
several processes (DDP must see the forward through its wrapper), keep the model's own loss.
AI_PLATFORM_TRAIN_FULL_LOGITS=1 turns it off (benchmarks compare the two).
"""

from __future__ import annotations

import os

from app.core.vram_planner import LABEL_LOSS_ARCHITECTURES, LABEL_LOSS_CHUNK

CHUNK = LABEL_LOSS_CHUNK  # label rows per lm_head + cross-entropy chunk (the planner plans one chunk)
SUPPORTED = LABEL_LOSS_ARCHITECTURES
_SCALING = ("final_logit_softcapping", "logit_scale", "logits_scaling", "attn_logit_softcapping")


def parts(model):
    """``(decoder, lm_head)`` of ``model`` (a peft model or a plain causal LM) when the label-only
    loss equals its own; None when it may not."""
    if os.environ.get("AI_PLATFORM_TRAIN_FULL_LOGITS") == "1":
        return None
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    config = getattr(base, "config", None)
    if config is None or getattr(config, "model_type", None) not in SUPPORTED:
        return None
    if any(getattr(config, name, None) not in (None, 1, 1.0) for name in _SCALING):
        return None
    decoder = getattr(base, "model", None)
    head = base.get_output_embeddings() if hasattr(base, "get_output_embeddings") else None
    if decoder is None or head is None:
        return None
    return decoder, head


def loss(decoder, head, inputs: dict, num_items_in_batch=None):
    """The loss of ``inputs`` (``input_ids``, ``labels`` and the masks or position ids the
    collator made) over its label tokens."""
    import torch
    import torch.nn.functional as F
    from torch.utils.checkpoint import checkpoint

    labels = inputs["labels"]
    forward = {k: v for k, v in inputs.items() if k != "labels"}
    hidden = decoder(**forward, use_cache=False)[0]
    targets = labels[:, 1:]
    picked = targets != -100
    rows = hidden[:, :-1][picked]
    wanted = targets[picked]

    def chunk_loss(h, y):
        return F.cross_entropy(head(h).float(), y, reduction="sum")

    if rows.shape[0] == 0:  # no label in the batch: a zero that still has a graph
        return hidden.float().sum() * 0.0
    total = hidden.new_zeros((), dtype=torch.float32)
    for start in range(0, rows.shape[0], CHUNK):
        total = total + checkpoint(chunk_loss, rows[start:start + CHUNK], wanted[start:start + CHUNK],
                                   use_reentrant=False)
    if num_items_in_batch is not None:
        count = num_items_in_batch
        if torch.is_tensor(count):
            count = count.to(total.device)
        return total / count
    return total / picked.sum().clamp(min=1)


__all__ = ["CHUNK", "SUPPORTED", "loss", "parts"]
