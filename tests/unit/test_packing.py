"""Padding-free packing: packed rows give the padded batch's loss and gradients, and no token of one
example attends to another (a tiny Llama built from a config, sdpa and eager; one row, and rows capped
at a length so that two of them are needed and one is padded)."""

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from app.training.data import ChatCollator  # noqa: E402
from app.training.packing import PackedCollator, pack_rows, packing_isolates, real_tokens  # noqa: E402

LENGTHS = (7, 12, 5)


def _examples():
    g = torch.Generator().manual_seed(1)
    out = []
    for n in LENGTHS:
        ids = torch.randint(0, 128, (n,), generator=g).tolist()
        out.append({"input_ids": ids, "labels": [-100] * 3 + ids[3:]})
    return out


def _model(attn):
    cfg = transformers.LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                   use_cache=False)
    cfg._attn_implementation = attn
    torch.manual_seed(0)
    return transformers.LlamaForCausalLM(cfg).float()


def test_rows_are_filled_longest_first_within_the_cap():
    assert pack_rows([7, 12, 5], None) == [[0, 1, 2]]
    assert pack_rows([7, 12, 5], 13) == [[1], [0, 2]]
    assert pack_rows([20, 3], 13) == [[0], [1]]  # an example longer than the cap has a row of its own
    assert pack_rows([], 8) == []


@pytest.mark.parametrize("max_len", [None, 13])
@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_packed_equals_padded(attn, max_len):
    model = _model(attn)
    examples = _examples()
    packed, padded = PackedCollator(0, max_len=max_len)(examples), ChatCollator(0)(examples)
    assert packed["input_ids"].shape == ((1, 24) if max_len is None else (2, 12))
    assert real_tokens(packed) == real_tokens(padded) == sum(LENGTHS)  # padding is not counted
    grads = []
    for batch in (packed, padded):
        model.zero_grad()
        loss = model(**batch).loss
        loss.backward()
        grads.append((loss.item(), [p.grad.clone() for p in model.parameters()]))
    assert abs(grads[0][0] - grads[1][0]) < 1e-4
    assert max((a - b).abs().max().item() for a, b in zip(grads[0][1], grads[1][1])) < 1e-4
    with torch.no_grad():
        rows = model(input_ids=packed["input_ids"], position_ids=packed["position_ids"]).logits
        for r, members in enumerate(pack_rows(list(LENGTHS), max_len)):
            start = 0
            for i in members:
                item = examples[i]
                n = len(item["input_ids"])
                alone = model(input_ids=torch.tensor([item["input_ids"]])).logits[0]
                assert (rows[r, start:start + n] - alone).abs().max().item() < 1e-4
                start += n


def test_the_run_check_tells_isolating_attention_from_crossing():
    model = _model("sdpa")
    holds, worst = packing_isolates(model, 128, 1e-3)
    assert holds and worst < 1e-4
    # An attention that ignores the restarts (the mask of one long sequence) lets examples mix.
    crossing = _model("sdpa")
    forward = crossing.forward
    crossing.forward = lambda input_ids, position_ids=None, **kw: forward(input_ids=input_ids, **kw)
    holds, worst = packing_isolates(crossing, 128, 1e-3)
    assert not holds and worst > 1e-2
