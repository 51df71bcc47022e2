"""The Q4_K / Q6_K packers (app/export/kquants.py) against gguf's maintained de-quantizers: what they
write reads back as the numbers they were given, within each type's rounding."""

from __future__ import annotations

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from app.export import kquants  # noqa: E402


@pytest.mark.parametrize("kind, pack, worst", [("Q4_K", kquants.quantize_q4_k, 0.10),
                                               ("Q6_K", kquants.quantize_q6_k, 0.03)])
def test_k_quants_read_back_through_gguf(kind, pack, worst):
    rng = np.random.default_rng(0)
    rows = (rng.standard_normal((6, 512)) * 0.05).astype(np.float32)
    rows[0, :256] = 0.0  # an all-zero block stays zero
    rows[1] += 0.2  # a block with no negative values (the minimum is clamped to 0)
    qtype = getattr(gguf.GGMLQuantizationType, kind)
    packed = pack(rows)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    assert packed.shape == (6, 512 // block * size) and packed.dtype == np.uint8
    back = gguf.quants.dequantize(packed, qtype)
    assert back.shape == rows.shape
    assert np.all(back[0, :256] == 0)
    rel = np.abs(back - rows).mean() / np.abs(rows).mean()
    assert rel < worst, rel
    q4_0 = gguf.quants.dequantize(gguf.quants.quantize(rows, gguf.GGMLQuantizationType.Q4_0),
                                  gguf.GGMLQuantizationType.Q4_0)
    assert np.abs(back - rows).mean() < np.abs(q4_0 - rows).mean()  # at least as good as Q4_0


def test_q4_k_m_recipe_follows_llama_cpp():
    assert kquants.q4_k_m_type("blk.0.attn_q.weight", 30, 1536, False) == "Q4_K"
    assert kquants.q4_k_m_type("blk.0.ffn_down.weight", 30, 1536, False) == "Q6_K"  # first eighth
    assert kquants.q4_k_m_type("blk.4.ffn_down.weight", 30, 1536, False) == "Q4_K"
    assert kquants.q4_k_m_type("output.weight", 30, 1536, True) == "Q6_K"
    assert kquants.q4_k_m_type("blk.4.attn_q.weight", 30, 576, False) == "Q5_0"  # 576 is no multiple of 256
    assert kquants.q4_k_m_type("token_embd.weight", 30, 576, True) == "Q8_0"
