"""Padding-free batches for SFT: the examples of a batch laid end to end in rows of up to max_seq_len.

``PackedCollator`` turns a batch of ``{"input_ids", "labels"}`` examples into as few rows of at most
``max_len`` tokens as first-fit-decreasing finds (one row when ``max_len`` is None), with
``position_ids`` restarting at 0 for every example and no ``attention_mask``. transformers (5.x:
``masking_utils.find_packed_sequence_indices``) reads the restarts in ``position_ids`` and builds a
block-diagonal causal mask (sdpa / eager / flex) or varlen boundaries (flash-attention) when no cache
is passed (``use_cache=False``, as app.training.run sets), so a token never attends to another
example; tests/unit/test_packing.py checks it by comparing the packed rows' logits with each example
alone, and ``packing_isolates`` checks it on the run's own model before training (a model whose
attention ignores the restarts falls back to padded batches).

Rows are capped at ``max_len`` so the attention of one row never grows past what the padded batch
would compute (sdpa without flash-attention computes the whole row × row product): the step holds at
most ``batch_size`` rows of ``max_seq_len`` tokens, the padded batch's worst case, so the VRAM planner's
figure holds for both. The rows are padded on the right to the longest row; a pad token is its own
one-token sequence (position 0, label -100), so a real token never attends to it.

The first label of every example is -100: in a row, the token before it belongs to the previous
example, which must not learn to predict the next example's first token (a padded batch never
predicts a row's first token either). Every other label is the example's own, so the step's loss (a
mean over the learned tokens of the batch) and its gradients are those of the padded batch on the
same examples, with (almost) no padding computed.
"""

from __future__ import annotations

from typing import Any

from app.training.data import IGNORE_INDEX


def pack_rows(lengths: list[int], max_len: int | None) -> list[list[int]]:
    """Indices of ``lengths`` grouped into rows of at most ``max_len`` tokens (first fit, longest
    first); an item longer than ``max_len`` gets a row of its own. ``None``: one row."""
    if max_len is None:
        return [list(range(len(lengths)))] if lengths else []
    rows: list[list[int]] = []
    room: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: -lengths[k]):
        for r, left in enumerate(room):
            if lengths[i] <= left:
                rows[r].append(i)
                room[r] -= lengths[i]
                break
        else:
            rows.append([i])
            room.append(max_len - lengths[i])
    return rows


class PackedCollator:
    """A batch of examples → rows of input_ids, labels, position_ids (shape ``[rows, longest]``)."""

    def __init__(self, pad_token_id: int = 0, max_len: int | None = None):
        self.pad_token_id = pad_token_id
        self.max_len = max_len

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        rows = []
        for members in pack_rows([len(item["input_ids"]) for item in batch], self.max_len):
            ids: list[int] = []
            labels: list[int] = []
            positions: list[int] = []
            for i in members:
                item = batch[i]
                n = len(item["input_ids"])
                ids.extend(item["input_ids"])
                labels.append(IGNORE_INDEX)
                labels.extend(item["labels"][1:n])
                positions.extend(range(n))
            rows.append((ids, labels, positions))
        longest = max(len(ids) for ids, _, _ in rows)
        input_ids = torch.full((len(rows), longest), self.pad_token_id, dtype=torch.long)
        labels_t = torch.full((len(rows), longest), IGNORE_INDEX, dtype=torch.long)
        position_ids = torch.zeros((len(rows), longest), dtype=torch.long)
        for r, (ids, labels, positions) in enumerate(rows):
            n = len(ids)
            input_ids[r, :n] = torch.tensor(ids, dtype=torch.long)
            labels_t[r, :n] = torch.tensor(labels, dtype=torch.long)
            position_ids[r, :n] = torch.tensor(positions, dtype=torch.long)
        return {"input_ids": input_ids, "labels": labels_t, "position_ids": position_ids}


def real_tokens(batch: dict[str, Any]) -> int:
    """Tokens of a batch that are not padding: the attention mask's ones, or for packed rows every
    token but the trailing run of position-0 pads (a real example of two or more tokens ends on a
    position above 0; a one-token example, which teaches nothing, may be counted as padding)."""
    mask = batch.get("attention_mask")
    if mask is not None:
        return int(mask.sum().item())
    import torch

    positions = batch["position_ids"]
    # per row, 1 + the index of its last non-zero position: where its padding begins
    ends = (positions != 0).long() * torch.arange(1, positions.shape[-1] + 1, device=positions.device)
    return int(ends.max(-1).values.sum().item())


def packing_isolates(model, vocab_size: int, tolerance: float) -> tuple[bool, float]:
    """Whether ``model`` keeps two packed examples apart: the logits of a row holding two short
    sequences against each sequence alone. Returns (holds, the largest difference relative to the
    logits' scale). Runs in eval mode without gradients (a few tokens: milliseconds)."""
    import torch

    g = torch.Generator().manual_seed(0)
    high = max(2, min(vocab_size, 1000))
    first, second = (torch.randint(1, high, (n,), generator=g).tolist() for n in (6, 9))
    device = next(model.parameters()).device
    row = torch.tensor([first + second], device=device)
    positions = torch.tensor([list(range(len(first))) + list(range(len(second)))], device=device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            packed = model(input_ids=row, position_ids=positions, use_cache=False).logits[0].float()
            alone = torch.cat([model(input_ids=torch.tensor([seq], device=device), use_cache=False).logits[0].float()
                               for seq in (first, second)])
    finally:
        model.train(was_training)
    scale = alone.abs().max().clamp(min=1e-6)
    worst = ((packed - alone).abs().max() / scale).item()
    return worst <= tolerance, worst


def padded_tokens(lengths: list[int], batch_size: int) -> int:
    """Tokens a padded run computes for batches of ``lengths`` in order (for benchmarks and logs)."""
    return sum(max(lengths[i:i + batch_size]) * len(lengths[i:i + batch_size])
               for i in range(0, len(lengths), batch_size))


__all__ = ["PackedCollator", "pack_rows", "packing_isolates", "padded_tokens", "real_tokens"]
