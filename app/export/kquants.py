"""Q4_K and Q6_K quantization in numpy, for q4_k_m exports (``gguf`` 0.19 only de-quantizes K-quants).

The byte layouts are the exact inverse of ``gguf.quants``' maintained de-quantizers (Q4_K.dequantize_blocks,
Q6_K.dequantize_blocks), and tests/unit/test_kquants.py checks every packing by de-quantizing with them.
The choice of scales is the simple one (min/max per sub-block, scales rounded to 6 or 8 bits), not
llama.cpp's iterative search: files are valid K-quant GGUFs, a little less accurate than
llama-quantize's. Each export is verified against its source anyway (app/export/verify.py).
"""

from __future__ import annotations

import numpy as np

QK_K = 256


def _f16(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float16).astype(np.float32)


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def quantize_q4_k(rows: np.ndarray) -> np.ndarray:
    """(r, c) float32 with c % 256 == 0 → (r, c // 256 * 144) uint8 of Q4_K blocks."""
    r, c = rows.shape
    x = rows.astype(np.float32).reshape(-1, 8, 32)
    n = x.shape[0]
    lo = np.minimum(x.min(axis=-1), 0.0)
    hi = x.max(axis=-1)
    scale = (hi - lo) / 15.0  # (n, 8)
    mins = -lo
    d = _f16(scale.max(axis=-1) / 63.0)  # (n,)
    dmin = _f16(mins.max(axis=-1) / 63.0)
    sc = np.clip(np.rint(_safe_div(scale, d[:, None])), 0, 63).astype(np.uint8)
    m = np.clip(np.rint(_safe_div(mins, dmin[:, None])), 0, 63).astype(np.uint8)
    eff_scale = (d[:, None] * sc)[..., None]
    eff_min = (dmin[:, None] * m)[..., None]
    q = np.clip(np.rint(_safe_div(x + eff_min, eff_scale)), 0, 15).astype(np.uint8)  # (n, 8, 32)

    scales = np.empty((n, 12), dtype=np.uint8)
    scales[:, 0:4] = sc[:, 0:4] | ((sc[:, 4:8] >> 4) << 6)
    scales[:, 4:8] = m[:, 0:4] | ((m[:, 4:8] >> 4) << 6)
    scales[:, 8:12] = (sc[:, 4:8] & 0x0F) | ((m[:, 4:8] & 0x0F) << 4)
    q = q.reshape(n, 4, 2, 32)
    qs = (q[:, :, 0, :] | (q[:, :, 1, :] << 4)).reshape(n, 128)
    blocks = np.concatenate([d.astype(np.float16).view(np.uint8).reshape(n, 2),
                             dmin.astype(np.float16).view(np.uint8).reshape(n, 2), scales, qs], axis=-1)
    return blocks.reshape(r, c // QK_K * 144)


def quantize_q6_k(rows: np.ndarray) -> np.ndarray:
    """(r, c) float32 with c % 256 == 0 → (r, c // 256 * 210) uint8 of Q6_K blocks."""
    r, c = rows.shape
    x = rows.astype(np.float32).reshape(-1, 16, 16)
    n = x.shape[0]
    scale = np.abs(x).max(axis=-1) / 31.0  # (n, 16), q in -31..31
    d = _f16(scale.max(axis=-1) / 127.0)
    sc = np.clip(np.rint(_safe_div(scale, d[:, None])), -128, 127).astype(np.int8)
    eff = (d[:, None] * sc.astype(np.float32))[..., None]
    q = np.clip(np.rint(_safe_div(x, eff)), -32, 31).astype(np.int16) + 32  # 0..63
    q = q.astype(np.uint8).reshape(n, 2, 128)
    low = (q & 0x0F).reshape(n, 2, 2, 64)
    ql = (low[:, :, 0, :] | (low[:, :, 1, :] << 4)).reshape(n, 128)
    high = (q >> 4).reshape(n, 2, 4, 32)
    qh = (high[:, :, 0, :] | (high[:, :, 1, :] << 2) | (high[:, :, 2, :] << 4) | (high[:, :, 3, :] << 6))
    blocks = np.concatenate([ql, qh.reshape(n, 64), sc.view(np.uint8), d.astype(np.float16).view(np.uint8).reshape(n, 2)],
                            axis=-1)
    return blocks.reshape(r, c // QK_K * 210)


def more_bits(layer: int, n_layers: int) -> bool:
    """The layers whose attn_v / ffn_down get Q6_K in q4_k_m (llama.cpp's use_more_bits)."""
    return layer < n_layers // 8 or layer >= 7 * n_layers // 8 or (layer - n_layers // 8) % 3 == 2


def q4_k_m_type(gguf_name: str, n_layers: int, cols: int, is_output: bool) -> str:
    """The GGML type of one 2-D tensor in a q4_k_m file; rows that do not split into 256-blocks fall
    back as llama.cpp does (Q4_K → Q5_0, Q6_K → Q8_0)."""
    kind = "Q4_K"
    if is_output:
        kind = "Q6_K"
    elif gguf_name.endswith(("attn_v.weight", "ffn_down.weight")):
        layer = int(gguf_name.split(".")[1])
        kind = "Q6_K" if more_bits(layer, n_layers) else "Q4_K"
    if cols % QK_K:
        kind = {"Q4_K": "Q5_0", "Q6_K": "Q8_0"}[kind]
    return kind
