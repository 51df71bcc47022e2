"""Write a Hugging Face causal LM (already loaded, merged) as a GGUF file with the ``gguf`` package.

The layout follows llama.cpp's ``convert_hf_to_gguf.py``, the reference (and the inverse of what
transformers' GGUF loader reads, which the app's import uses): tensor names from ``gguf``'s own
name map, Llama's q/k projections permuted into GGML's rotary order, 1-D tensors (norms, biases)
in F32, the rest in the chosen type. The metadata holds the hyper-parameters and the whole
tokenizer: ``tokenizer.ggml.*`` (model ``gpt2``, pre-tokenizer, tokens, token types, merges,
BOS/EOS/PAD/UNK ids, add_bos) and ``tokenizer.chat_template``. Quantization is ``gguf.quants``'
numpy reference code (Q8_0, Q4_0), the same functions llama.cpp's converter uses for them.

q4_k_m follows llama.cpp's recipe (Q4_K, Q6_K for the output head and some attn_v / ffn_down layers,
Q5_0 / Q8_0 where a row does not split into 256-blocks) with the K-quant packers of kquants.py
(``gguf`` 0.19 only de-quantizes K-quants). q4_0 keeps the token embedding (tied to the output head
in small models) in Q8_0, as llama.cpp keeps the output head above 4 bits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.export import kquants

# The quantization types written for 2-D weights, and llama.cpp's file type for each.
QUANT_TYPES = {"f16": "F16", "q8_0": "Q8_0", "q4_0": "Q4_0", "q4_k_m": "Q4_K"}
FILE_TYPES = {"f16": "MOSTLY_F16", "q8_0": "MOSTLY_Q8_0", "q4_0": "MOSTLY_Q4_0", "q4_k_m": "MOSTLY_Q4_K_M"}
# The token embedding's type when the weights go below 8 bits (it is also the output head when tied).
EMBEDDING_FLOOR = {"q4_0": "Q8_0"}

# llama.cpp recognises a byte-level BPE pre-tokenizer by the hash of the token ids of one fixed
# text (convert_hf_to_gguf.py, get_vocab_base_pre). These are the values it lists for the families
# the writer supports; another tokenizer gets "default" and a warning in the export's report.
_PRE_CHECK_TEXT = (
    "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n🚀 (normal) 😶\u200d🌫️ (multiple emojis concatenated) "
    "✅ 🦙🦙 3 33 333 3333 33333 333333 3333333 33333333 3.3 3..3 3...3 កាន់តែពិសេសអាច😁 ?我想在apple工作"
    "1314151天～ ------======= нещо на Български ''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's "
    "there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea? We'Ve a'lL")
_PRE_TOKENIZERS = {
    "855059429035d75a914d1eda9f10a876752e281a054a7a3d421ef0533e5b6249": "smollm",
    "0ef9807a4087ebef797fc749390439009c3b9eda9ad1a097abbe738f486c01e5": "llama-bpe",
    "e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea": "qwen2",
    "63b97e4253352e6f357cc59ea5b583e3a680eaeaf2632188c2b952de2588485e": "tekken",
    "3ce83efda5659b07b1ad37ca97ca5797ea4285d9b9ab0dc679e4a720c9da7454": "gpt-2",
}


@dataclass
class WriteReport:
    path: str
    arch: str
    quant: str
    size_bytes: int
    tensors: int
    tensor_types: dict[str, int]
    pre_tokenizer: str
    chat_template: bool
    special_ids: dict[str, int]
    seconds: float
    notes: list[str] = field(default_factory=list)


def check_writable(quant: str) -> None:
    """``UserError`` for a quantization this writer cannot produce (export_plan.check_quant)."""
    from app.core.export_plan import check_quant

    check_quant(quant)


def pre_tokenizer_name(tokenizer) -> str | None:
    ids = tokenizer.encode(_PRE_CHECK_TEXT)
    return _PRE_TOKENIZERS.get(sha256(str(ids).encode()).hexdigest())


def _rope_theta(cfg) -> float:
    params = getattr(cfg, "rope_parameters", None) or getattr(cfg, "rope_scaling", None) or {}
    kind = params.get("rope_type") or params.get("type") or "default"
    if kind not in ("default", None):
        raise UserError(f"Models with {kind} rotary scaling cannot be exported to GGUF here yet.",
                        code="export.unsupported_rope", params={"rope": str(kind)})
    theta = params.get("rope_theta") or getattr(cfg, "rope_theta", None) or 10000.0
    return float(theta)


def _permute(w, n_head: int):
    """Llama's q/k rows from Hugging Face's rotary halves into GGML's interleaved pairs."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def _vocab(tokenizer, vocab_size: int) -> tuple[list[str], list[int]]:
    import gguf

    reverse = {i: t for t, i in tokenizer.get_vocab().items()}
    added = tokenizer.get_added_vocab()
    decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    tokens, types = [], []
    for i in range(vocab_size):
        tok = reverse.get(i)
        if tok is None:
            tokens.append(f"[PAD{i}]")
            types.append(int(gguf.TokenType.UNUSED))
        elif tok in added:
            special = getattr(decoder.get(i), "special", True)
            tokens.append(tok)
            types.append(int(gguf.TokenType.CONTROL if special else gguf.TokenType.USER_DEFINED))
        else:
            tokens.append(tok)
            types.append(int(gguf.TokenType.NORMAL))
    return tokens, types


def _merges(model_dir: Path) -> list[str]:
    data = json.loads((Path(model_dir) / "tokenizer.json").read_text(encoding="utf-8"))
    model = data.get("model") or {}
    if model.get("type") != "BPE":
        raise UserError(f"The tokenizer of {model_dir} is {model.get('type')}, not byte-level BPE: it cannot be "
                        "written into the GGUF here.", code="export.unsupported_tokenizer",
                        params={"path": str(model_dir)})
    return [" ".join(m) if isinstance(m, list) else str(m) for m in model.get("merges") or []]


def _special_ids(tokenizer, cfg, gen_cfg) -> dict[str, int]:
    ids: dict[str, int] = {}
    for kind in ("bos", "eos", "unk", "pad"):
        value = getattr(tokenizer, f"{kind}_token_id", None)
        if value is None:
            value = getattr(cfg, f"{kind}_token_id", None)
        if value is None and gen_cfg is not None:
            value = getattr(gen_cfg, f"{kind}_token_id", None)
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if isinstance(value, int):
            ids[kind] = value
    return ids


def _adds_bos(tokenizer) -> bool:
    bos = tokenizer.bos_token_id
    if bos is None:
        return False
    ids = tokenizer("a").input_ids
    return bool(ids) and ids[0] == bos


def tensor_plan(state: dict[str, Any], arch: str, n_layers: int, quant: str, tied: bool) -> list[tuple[str, str, str]]:
    """(hf name, gguf name, ggml type) for every tensor written, in file order."""
    import gguf

    name_map = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA if arch == "llama" else gguf.MODEL_ARCH.QWEN2,
                                        n_layers)
    plan = []
    block = gguf.GGML_QUANT_SIZES
    for key, tensor in state.items():
        if key.endswith("rotary_emb.inv_freq") or (tied and key == "lm_head.weight"):
            continue
        new = name_map.get_name(key, try_suffixes=(".weight", ".bias"))
        if new is None:
            raise UserError(f"The tensor {key} has no place in a {arch} GGUF: this model's layout is not "
                            "supported yet.", code="export.unknown_tensor", params={"tensor": key, "arch": arch})
        if tensor.dim() <= 1:
            kind = "F32"
        elif quant == "q4_k_m":
            kind = kquants.q4_k_m_type(new, n_layers, tensor.shape[-1],
                                       is_output=new == "output.weight" or (tied and new == "token_embd.weight"))
        else:
            kind = QUANT_TYPES[quant]
            if new == "token_embd.weight" and quant in EMBEDDING_FLOOR:
                kind = EMBEDDING_FLOOR[quant]
            if kind != "F16":
                bs = block[getattr(gguf.GGMLQuantizationType, kind)][0]
                if tensor.shape[-1] % bs:
                    kind = "F16"  # rows that do not split into blocks stay 16-bit
        plan.append((key, new, kind))
    return plan


def planned_bytes(state: dict[str, Any], plan: list[tuple[str, str, str]]) -> int:
    import gguf

    total = 0
    for key, _new, kind in plan:
        n = state[key].numel()
        if kind == "F32":
            total += 4 * n
        elif kind == "F16":
            total += 2 * n
        else:
            bs, ts = gguf.GGML_QUANT_SIZES[getattr(gguf.GGMLQuantizationType, kind)]
            total += n // bs * ts
    return total


def write_gguf(model, tokenizer, model_dir: Path, path: Path, quant: str, *, name: str,
               progress: Callable[[int, int, str], None] | None = None,
               before_write: Callable[[int], None] | None = None) -> WriteReport:
    """Write ``model`` (a loaded, merged CausalLM in float32) and ``tokenizer`` to ``path``.

    ``progress(done, total, tensor)`` after each tensor; ``before_write(bytes)`` with the exact
    tensor bytes before the file is opened (the disk-space check)."""
    import gguf
    import numpy as np
    import torch

    from app.core.export_plan import SUPPORTED_ARCHITECTURES

    t0 = time.monotonic()
    check_writable(quant)
    cfg = model.config
    archs = list(getattr(cfg, "architectures", None) or [type(model).__name__])
    arch = next((SUPPORTED_ARCHITECTURES[a] for a in archs if a in SUPPORTED_ARCHITECTURES), None)
    if arch is None:
        raise UserError(f"Exporting {archs[0]} models to GGUF is not supported yet.", code="export.unsupported_arch",
                        params={"arch": archs[0], "supported": ", ".join(sorted(SUPPORTED_ARCHITECTURES))})
    n_layers = cfg.num_hidden_layers
    n_head = cfg.num_attention_heads
    n_kv = getattr(cfg, "num_key_value_heads", None) or n_head
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // n_head
    tied = bool(getattr(cfg, "tie_word_embeddings", False))
    theta = _rope_theta(cfg)
    notes: list[str] = []

    state = {k: v.detach() for k, v in model.state_dict().items()}
    plan = tensor_plan(state, arch, n_layers, quant, tied)
    if before_write is not None:
        before_write(planned_bytes(state, plan))

    w = gguf.GGUFWriter(str(path), arch)
    # general
    w.add_type("model")
    w.add_name(name)
    w.add_file_type(int(getattr(gguf.LlamaFileType, FILE_TYPES[quant])))
    if quant != "f16":
        w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    # hyper-parameters
    w.add_context_length(int(getattr(cfg, "max_position_embeddings", 2048)))
    w.add_embedding_length(int(cfg.hidden_size))
    w.add_block_count(int(n_layers))
    w.add_feed_forward_length(int(cfg.intermediate_size))
    w.add_head_count(int(n_head))
    w.add_head_count_kv(int(n_kv))
    w.add_layer_norm_rms_eps(float(cfg.rms_norm_eps))
    w.add_rope_freq_base(theta)
    w.add_rope_dimension_count(int(head_dim))
    if head_dim != cfg.hidden_size // n_head:
        w.add_key_length(int(head_dim))
        w.add_value_length(int(head_dim))
    w.add_vocab_size(int(cfg.vocab_size))
    # tokenizer
    tokens, types = _vocab(tokenizer, int(cfg.vocab_size))
    pre = pre_tokenizer_name(tokenizer)
    if pre is None:
        pre = "default"
        notes.append("llama.cpp may not know this tokenizer's pre-tokenizer: it is written as \"default\"")
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(_merges(model_dir))
    gen_cfg = getattr(model, "generation_config", None)
    special = _special_ids(tokenizer, cfg, gen_cfg)
    for kind, value in special.items():
        getattr(w, f"add_{kind}_token_id")(value)
    w.add_add_bos_token(_adds_bos(tokenizer))
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, str) and template:
        w.add_chat_template(template)
    else:
        notes.append("the model has no chat template: none was written")

    counts: dict[str, int] = {}
    for i, (key, new, kind) in enumerate(plan):
        data = state[key].to(torch.float32)
        if arch == "llama" and key.endswith("q_proj.weight"):
            data = _permute(data, n_head)
        elif arch == "llama" and key.endswith("k_proj.weight"):
            data = _permute(data, n_kv)
        arr = data.contiguous().numpy()
        if kind == "F32":
            w.add_tensor(new, arr.astype(np.float32))
        elif kind == "F16":
            w.add_tensor(new, arr.astype(np.float16))
        else:
            qtype = getattr(gguf.GGMLQuantizationType, kind)
            rows = arr.reshape(-1, arr.shape[-1])
            if kind == "Q4_K":
                packed = kquants.quantize_q4_k(rows).reshape(*arr.shape[:-1], -1)
            elif kind == "Q6_K":
                packed = kquants.quantize_q6_k(rows).reshape(*arr.shape[:-1], -1)
            else:
                packed = gguf.quants.quantize(arr, qtype)
            w.add_tensor(new, packed, raw_dtype=qtype)
        counts[kind] = counts.get(kind, 0) + 1
        if progress is not None:
            progress(i + 1, len(plan), new)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return WriteReport(path=str(path), arch=arch, quant=quant, size_bytes=Path(path).stat().st_size,
                       tensors=len(plan), tensor_types=counts, pre_tokenizer=pre,
                       chat_template=bool(template), special_ids=special,
                       seconds=round(time.monotonic() - t0, 2), notes=notes)
