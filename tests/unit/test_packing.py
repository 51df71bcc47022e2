"""Padding-free packing: a packed row gives the padded batch's loss and gradients, and no token of
one example attends to another (a tiny Llama built from a config, sdpa and eager)."""

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from app.training.data import ChatCollator  # noqa: E402
from app.training.packing import PackedCollator  # noqa: E402


def _examples():
    g = torch.Generator().manual_seed(1)
    out = []
    for n in (7, 12, 5):
        ids = torch.randint(0, 128, (n,), generator=g).tolist()
        out.append({"input_ids": ids, "labels": [-100] * 3 + ids[3:]})
    return out


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_packed_equals_padded(attn):
    cfg = transformers.LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                   use_cache=False)
    cfg._attn_implementation = attn
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(cfg).float()
    examples = _examples()
    packed, padded = PackedCollator()(examples), ChatCollator(0)(examples)
    assert packed["input_ids"].shape == (1, 24)
    grads = []
    for batch in (packed, padded):
        model.zero_grad()
        loss = model(**batch).loss
        loss.backward()
        grads.append((loss.item(), [p.grad.clone() for p in model.parameters()]))
    assert abs(grads[0][0] - grads[1][0]) < 1e-4
    assert max((a - b).abs().max().item() for a, b in zip(grads[0][1], grads[1][1])) < 1e-4
    with torch.no_grad():
        row = model(input_ids=packed["input_ids"], position_ids=packed["position_ids"]).logits[0]
        start = 0
        for item in examples:
            n = len(item["input_ids"])
            alone = model(input_ids=torch.tensor([item["input_ids"]])).logits[0]
            assert (row[start:start + n] - alone).abs().max().item() < 1e-4
            start += n
