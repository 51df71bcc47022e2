"""Padding-free batches for SFT: the examples of a batch laid end to end in one row.

``PackedCollator`` turns a batch of ``{"input_ids", "labels"}`` examples into a single row of their
summed length, with ``position_ids`` restarting at 0 for every example and no ``attention_mask``.
transformers (≥ 4.44; 5.x in ``masking_utils.find_packed_sequence_indices``) reads the restarts in
``position_ids`` and builds a block-diagonal causal mask (sdpa / eager) or varlen boundaries
(flash-attention) when no cache is passed (``use_cache=False``, as app.training.run sets), so a token never attends to another example; tests/unit/test_packing.py checks it
by comparing the packed row's logits with each example alone. The first label of every example is
-100: in a row, the token before it belongs to the previous example, which must not learn to predict
the next example's first token. Every other label is the example's own (assistant tokens only, as
app.training.data builds them), so the step's loss (a mean over the learned tokens of the batch) and
its gradients are those of the padded batch, with no padding computed.
"""

from __future__ import annotations

from typing import Any

from app.training.data import IGNORE_INDEX


class PackedCollator:
    """A batch of examples → one row: input_ids, labels, position_ids (shape ``[1, total]``)."""

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        ids: list[int] = []
        labels: list[int] = []
        positions: list[int] = []
        for item in batch:
            n = len(item["input_ids"])
            ids.extend(item["input_ids"])
            labels.append(IGNORE_INDEX)
            labels.extend(item["labels"][1:n])
            positions.extend(range(n))
        as_row = lambda values: torch.tensor([values], dtype=torch.long)  # noqa: E731
        return {"input_ids": as_row(ids), "labels": as_row(labels), "position_ids": as_row(positions)}


def padded_tokens(lengths: list[int], batch_size: int) -> int:
    """Tokens a padded run computes for batches of ``lengths`` in order (for benchmarks and logs)."""
    return sum(max(lengths[i:i + batch_size]) * len(lengths[i:i + batch_size])
               for i in range(0, len(lengths), batch_size))


__all__ = ["PackedCollator", "padded_tokens"]
