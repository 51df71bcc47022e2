"""Will this fine-tune fit on the card? A pure-Python VRAM planner for LoRA / QLoRA training.

It reads a model's ``config.json`` as JSON (never torch or transformers: app/core must stay light)
and predicts the peak GPU memory of one training step of the train engine's stack: transformers +
peft (LoRA) + bitsandbytes (4-bit NF4 / 8-bit base weights), SDPA attention, non-reentrant
gradient checkpointing, HF's causal-LM cross-entropy loss.

    shape = ModelShape.from_model_dir(folder)          # or REFERENCE_SHAPES["llama-3-8b"]
    p = plan(PlanInput(shape, quantization="4bit", seq_len=2048, batch_size=1))
    p.total_gb, p.fits, p.warnings
    largest_fitting(inp, vary="batch_size")
    plan(plan_input(train_config, shape, gpu_total_gb=24))   # the run a TrainConfig launches

Units: every ``*_gb`` value is GiB (2**30 bytes), the unit nvidia-smi, NVML and torch report (a
"24 GB" RTX 3090/4090 shows 24564 MiB = 23.99 GiB).

Where the numbers come from (see each formula's comment for the reason):

* weights, LoRA, optimizer: exact byte counts of the tensors bitsandbytes/peft create. The unit
  tests rebuild tiny and real-shaped models with torch/peft/bitsandbytes and compare tensor by tensor.
* activations: the tensors autograd saves for backward were enumerated on real HF Llama layers
  (CPU, torch 2.13, transformers 5.19, peft 0.21) and the per-token formula below reproduces them to
  the byte; the unit tests check that against ``saved_tensors_hooks``. Transient peaks (backward
  workspace, the cross-entropy's fp32 buffers, bitsandbytes' dequantized weight) are modelled from
  the kernels' allocation pattern and checked on CPU with a live-tensor tracker
  (``benchmarks/planner_accuracy.py``); on a GPU ``benchmarks/gpu_qlora.py`` measures the whole peak.
* overhead: CUDA context and allocator fragmentation are not visible to torch's counters; they are
  rule-of-thumb constants (see ``CUDA_CONTEXT_GIB``, ``FRAGMENTATION``) until measured on a GPU.

Public figures the planner agrees with:
* QLoRA paper (Dettmers et al. 2023): a 7B model finetunes in 4-bit in well under 10 GB at small
  batch (LLaMA-7B, seq 512, batch 1: 5.6 GiB here).
* Llama-3-8B QLoRA, r=16, seq 2048, batch 1, gradient checkpointing is reported at 9-12 GB in
  practice (TRL-style, embeddings and lm_head left in bf16): 10.9 GiB here, 9.4 of it allocated by
  torch. After peft's prepare_model_for_kbit_training (fp32 embeddings/lm_head; the train engine
  skips that upcast, see ``plan_input``) it is 14.6 GiB: +2 GiB of fp32 weights, +1 GiB for the bf16
  copy of lm_head autocast makes every step, fp32 residual stream.
* bf16 Llama-3-8B weights alone are 16.1 GB (15.0 GiB): bf16 LoRA of an 8B model needs a 24 GB card.
* Unsloth's README table (Llama-3.1-8B, QLoRA r=32 all-linear, batch 1, "Hugging Face + FA2",
  older transformers): max context 932 / 2551 / 5789 / 12264 tokens on 12 / 16 / 24 / 40 GB.
  This planner (with the kbit upcast) gives 13.3 / 16.7 / 23.5 / 37.2 GiB for those contexts:
  within +10% / -7%; the older transformers' loss kept one more fp32 copy of the logits, which is
  their slightly steeper ~2.5 MB per token.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from app.core import model_folder, train_config
from app.core.errors import UserError
from app.core.train_config import TrainConfig

GIB = 1024 ** 3

QUANTIZATIONS = ("none", "8bit", "4bit")
PREFERENCE_METHODS = train_config.PREFERENCE_METHODS  # two sequences (chosen, rejected) per example
COMPUTE_DTYPES = ("float32", "bfloat16", "float16")
TARGETS = ("attention", "all-linear")
OPTIMIZERS = ("adamw_torch", "paged_adamw_8bit")
DEVICES = ("cuda", "cpu")

_DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}

# --- overhead constants (not visible to torch.cuda.max_memory_allocated) -------------------------
# CUDA context + the kernels loaded lazily by torch, cuBLAS, SDPA and bitsandbytes. A bare
# `torch.zeros(1, device="cuda")` costs ~0.3-0.5 GiB with CUDA's lazy module loading; after the
# first training step (cuBLAS handle and workspace, flash-attention and bitsandbytes kernels) it is
# typically 0.5-1 GiB. 0.75 is the middle, on the side of caution for 24 GiB cards.
CUDA_CONTEXT_GIB = 0.75
# The caching allocator reserves more than it hands out: blocks split by the varying sizes of a
# training step (the huge logits buffers, per-layer activations) cannot all be reused. Reserved is
# commonly 5-15% above allocated for HF training loops; 8% of the allocated peak.
FRAGMENTATION = 0.08
# The engine's label-only loss (app/training/label_loss.py reads these): rows per chunk, and the
# architectures whose forward is exactly decoder → lm_head → cross-entropy.
LABEL_LOSS_CHUNK = 1024
LABEL_LOSS_ARCHITECTURES = ("llama", "mistral", "qwen2", "qwen3", "phi3")
# Below this much free memory a run is "tight": a desktop session (Xorg/Wayland, a browser) on the
# same card easily takes 0.3-1 GiB that the planner cannot see.
TIGHT_HEADROOM_GIB = 1.0

# bitsandbytes 4-bit (Params4bit defaults, also what transformers' BitsAndBytesConfig uses):
# blocksize 64 for the weights; with double quantization (bnb_4bit_use_double_quant=True, the
# QLoRA recipe) the per-block fp32 absmax is itself quantized to uint8 in blocks of 256, leaving
# one fp32 absmax per 256 blocks, a 256-entry fp32 code book and a scalar offset per weight.
BNB4_BLOCKSIZE = 64
BNB4_NESTED_BLOCKSIZE = 256
# bitsandbytes' 8-bit optimizers keep two uint8 states quantized blockwise (256 elements per block,
# one fp32 absmax per block and state), but only for tensors with at least `min_8bit_size` = 4096
# elements; smaller ones keep fp32 states (bitsandbytes/optim/optimizer.py, init_state).
BNB_OPT_BLOCKSIZE = 256
BNB_OPT_MIN_8BIT_SIZE = 4096

# Architectures whose layer layout the parameter count and activation formulas were checked on.
_KNOWN_ARCHITECTURES = {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text"}
# Keys whose presence means a mixture-of-experts model: different MLP, not modelled here.
_MOE_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_intermediate_size")
# transformers' defaults for keys a config.json may omit (configuration_<arch>.py, v5.19).
_DEFAULT_MAX_POSITIONS = {"llama": 2048, "mistral": 131072, "qwen2": 32768, "qwen3": 32768,
                          "gemma": 8192, "gemma2": 8192, "gemma3_text": 131072}


def _gib(n_bytes: float) -> float:
    return n_bytes / GIB


# === model shape =================================================================================

@dataclass(frozen=True)
class ModelShape:
    """The numbers of a decoder-only causal LM that memory depends on.

    ``n_params`` is computed from the shape by ``from_config_dict``; the planner itself works from
    the shape fields (it needs to know which parameters bitsandbytes quantizes), so a hand-made
    shape only needs a consistent ``n_params`` for display.
    """

    n_params: int
    n_layers: int
    hidden_size: int
    intermediate_size: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    tie_embeddings: bool
    max_position_embeddings: int
    architecture: str = "llama"
    head_dim: int = 0  # 0: hidden_size // n_heads (Gemma and Qwen3 set it explicitly)
    qkv_bias: bool = False  # Qwen2: q/k/v have biases
    o_bias: bool = False  # Llama/Qwen3/Gemma with attention_bias=True
    mlp_bias: bool = False  # Llama with mlp_bias=True
    norms_per_layer: int = 2  # Gemma2/3 add pre/post feed-forward norms: 4
    qk_norm: bool = False  # Qwen3/Gemma3 RMS-normalize q and k per head

    @property
    def head_size(self) -> int:
        return self.head_dim or self.hidden_size // self.n_heads

    @property
    def q_dim(self) -> int:
        return self.n_heads * self.head_size

    @property
    def kv_dim(self) -> int:
        return self.n_kv_heads * self.head_size

    def linear_shapes(self) -> list[tuple[str, int, int, bool]]:
        """One decoder layer's nn.Linear modules: (name, in_features, out_features, has_bias)."""
        h, i = self.hidden_size, self.intermediate_size
        return [
            ("q_proj", h, self.q_dim, self.qkv_bias),
            ("k_proj", h, self.kv_dim, self.qkv_bias),
            ("v_proj", h, self.kv_dim, self.qkv_bias),
            ("o_proj", self.q_dim, h, self.o_bias),
            ("gate_proj", h, i, self.mlp_bias),
            ("up_proj", h, i, self.mlp_bias),
            ("down_proj", i, h, self.mlp_bias),
        ]

    def param_breakdown(self) -> dict[str, int]:
        """Parameter counts by kind (what bitsandbytes quantizes vs. leaves alone)."""
        linear_weights = sum(din * dout for _, din, dout, _ in self.linear_shapes())
        biases = sum(dout for _, _, dout, bias in self.linear_shapes() if bias)
        norms = self.norms_per_layer * self.hidden_size
        if self.qk_norm:
            norms += 2 * self.head_size
        embed = self.vocab_size * self.hidden_size
        return {
            "embed": embed,
            "lm_head": 0 if self.tie_embeddings else embed,
            "linear": self.n_layers * linear_weights,  # quantized by bitsandbytes
            "bias": self.n_layers * biases,
            "norm": self.n_layers * norms + self.hidden_size,  # + the final norm
        }

    def count_params(self) -> int:
        return sum(self.param_breakdown().values())

    @classmethod
    def from_config_dict(cls, d: Mapping[str, Any]) -> ModelShape:
        """A shape from a Hugging Face ``config.json`` (Llama/Mistral/Qwen2/Qwen3/Gemma style)."""
        if not isinstance(d, Mapping):
            raise UserError("config.json does not hold a JSON object", code="vram.bad_config")
        if isinstance(d.get("text_config"), Mapping) and "hidden_size" not in d:
            # Multimodal checkpoints (Gemma 3, Qwen-VL...) nest the language model's config; we plan
            # the text decoder only (the vision tower is frozen and small next to it).
            d = d["text_config"]
        arch = str(d.get("model_type") or "llama")
        moe = [k for k in _MOE_KEYS if d.get(k)]
        if moe:
            raise UserError(
                f"{arch} is a mixture-of-experts model ({moe[0]}={d.get(moe[0])}); the VRAM planner "
                "only models dense decoder models", code="vram.unsupported_architecture",
                params={"architecture": arch, "field": moe[0], "value": d.get(moe[0])})
        required = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                    "vocab_size")
        missing = [k for k in required if not isinstance(d.get(k), int) or d.get(k) <= 0]
        if missing:
            raise UserError(
                f"config.json lacks {', '.join(missing)}: not a decoder model the planner knows",
                code="vram.bad_config", params={"missing": ", ".join(missing)})
        gemma = arch.startswith("gemma")
        heads = int(d["num_attention_heads"])
        head_dim = d.get("head_dim") or (256 if gemma else 0)
        attention_bias = bool(d.get("attention_bias", False))
        tie = d.get("tie_word_embeddings")
        if tie is None:
            tie = gemma  # transformers' per-architecture default
        shape = cls(
            n_params=0,
            n_layers=int(d["num_hidden_layers"]),
            hidden_size=int(d["hidden_size"]),
            intermediate_size=int(d["intermediate_size"]),
            n_heads=heads,
            n_kv_heads=int(d.get("num_key_value_heads") or heads),
            vocab_size=int(d["vocab_size"]),
            tie_embeddings=bool(tie),
            max_position_embeddings=int(d.get("max_position_embeddings")
                                        or _DEFAULT_MAX_POSITIONS.get(arch, 2048)),
            architecture=arch,
            head_dim=int(head_dim) if head_dim and int(head_dim) != int(d["hidden_size"]) // heads else 0,
            # Qwen2 hard-codes bias=True on q/k/v (and none on o_proj) whatever the config says.
            qkv_bias=arch == "qwen2" or attention_bias,
            o_bias=attention_bias and arch != "qwen2",
            mlp_bias=bool(d.get("mlp_bias", False)),
            norms_per_layer=4 if arch in ("gemma2", "gemma3_text", "gemma3") else 2,
            qk_norm=arch in ("qwen3", "gemma3_text", "gemma3"),
        )
        return replace(shape, n_params=shape.count_params())

    @classmethod
    def from_model_dir(cls, path: str | Path) -> ModelShape:
        """Read ``<path>/config.json`` (or ``path`` itself when it is the JSON file)."""
        p = Path(path)
        cfg = p / "config.json" if p.is_dir() else p
        try:
            data = model_folder.load_json(cfg)
        except FileNotFoundError:
            raise UserError(f"{cfg} not found: a model folder needs its config.json",
                            code="vram.no_config", params={"path": str(cfg)}) from None
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read {cfg}: {exc}", code="vram.bad_config",
                            params={"path": str(cfg), "reason": str(exc)}) from None
        return cls.from_config_dict(data)


# Real config.json values (the fields that matter) of well-known checkpoints. Qwen2.5 Instruct
# configs say max_position_embeddings 32768 (their native context; the base configs say 131072,
# reached with YaRN).
REFERENCE_CONFIGS: dict[str, dict[str, Any]] = {
    "llama-3-8b": dict(model_type="llama", hidden_size=4096, intermediate_size=14336,
                       num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                       vocab_size=128256, max_position_embeddings=8192, tie_word_embeddings=False),
    "qwen2.5-7b": dict(model_type="qwen2", hidden_size=3584, intermediate_size=18944,
                       num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4,
                       vocab_size=152064, max_position_embeddings=32768, tie_word_embeddings=False),
    "llama-3.2-3b": dict(model_type="llama", hidden_size=3072, intermediate_size=8192,
                         num_hidden_layers=28, num_attention_heads=24, num_key_value_heads=8,
                         head_dim=128, vocab_size=128256, max_position_embeddings=131072,
                         tie_word_embeddings=True),
    "qwen2.5-1.5b": dict(model_type="qwen2", hidden_size=1536, intermediate_size=8960,
                         num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
                         vocab_size=151936, max_position_embeddings=32768, tie_word_embeddings=True),
    # The bundled default model (app/core/bundled.py), as its converted config.json says.
    "smollm2-135m": dict(model_type="llama", hidden_size=576, intermediate_size=1536,
                         num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                         head_dim=64, vocab_size=49152, max_position_embeddings=8192,
                         tie_word_embeddings=True),
}
REFERENCE_SHAPES: dict[str, ModelShape] = {
    name: ModelShape.from_config_dict(cfg) for name, cfg in REFERENCE_CONFIGS.items()}


# === inputs ======================================================================================

@dataclass(frozen=True)
class PlanInput:
    """One training configuration. ``gpu_total_gb`` is the card's memory in GiB (RAM for device cpu).

    Beyond the basic settings:
    ``lora_dropout``: peft applies its own dropout per adapted module; > 0 stores a mask and a
        dropped copy of every adapted module's input (peft's default is 0.0).
    ``autocast``: the forward runs under torch.autocast (HF Trainer / TRL with bf16=True or fp16=True,
        through accelerate). Changes which dtype peft casts adapter inputs to (see activations).
    ``upcast_frozen_fp32``: the engine calls peft's ``prepare_model_for_kbit_training``, which casts
        every non-quantized parameter (embeddings, lm_head, norms) to fp32.
    ``method``: "dpo" / "orpo" run each pair's chosen and rejected answers through the policy in one
        batch, so a step holds the activations of 2 x batch_size sequences (``sequences``). DPO's
        reference forward (the same base, adapter disabled, under no_grad) runs before the policy's
        and saves nothing for backward: it costs time (about 1.5x the step), not peak memory, beyond
        its own transient logits, which the policy's larger ones cover. An approximate factor: the
        prompts are shared, and TRL pads both answers to the longer one. "cpt" is planned as LoRA
        (blocks of seq_len tokens, no padding).
    """

    shape: ModelShape
    quantization: str = "4bit"
    compute_dtype: str = "bfloat16"
    lora_r: int = 16
    target_modules: str = "all-linear"
    seq_len: int = 2048
    batch_size: int = 1
    gradient_checkpointing: bool = True
    optimizer: str = "paged_adamw_8bit"
    gpu_total_gb: float = 24.0
    lora_dropout: float = 0.0
    autocast: bool = True
    upcast_frozen_fp32: bool = False
    device: str = "cuda"
    method: str = "lora"
    # The engine's loss over label tokens only, in chunks of LABEL_LOSS_CHUNK rows (app/training/
    # label_loss.py): the logits alive at the loss's peak are one chunk's, not every token's.
    label_loss: bool = False

    def __post_init__(self) -> None:
        for name, allowed in (("quantization", QUANTIZATIONS), ("compute_dtype", COMPUTE_DTYPES),
                              ("target_modules", TARGETS), ("optimizer", OPTIMIZERS),
                              ("device", DEVICES)):
            value = getattr(self, name)
            if value not in allowed:
                raise UserError(f"{name} must be one of {', '.join(allowed)}, not {value!r}",
                                code="vram.bad_setting", params={"setting": name, "value": value,
                                                                 "allowed": ", ".join(allowed)})
        for name in ("lora_r", "seq_len", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UserError(f"{name} must be a whole number ≥ 1, not {value!r}",
                                code="vram.bad_setting", params={"setting": name, "value": value})
        if not (self.gpu_total_gb > 0):
            raise UserError("gpu_total_gb must be > 0", code="vram.bad_setting",
                            params={"setting": "gpu_total_gb", "value": self.gpu_total_gb})
        if not (0.0 <= self.lora_dropout < 1.0):
            raise UserError("lora_dropout must be in [0, 1)", code="vram.bad_setting",
                            params={"setting": "lora_dropout", "value": self.lora_dropout})

    @property
    def sequences(self) -> int:
        """Sequences in one forward: a preference pair is two (chosen and rejected)."""
        return self.batch_size * (2 if self.method in PREFERENCE_METHODS else 1)

    @property
    def tokens(self) -> int:
        return self.sequences * self.seq_len

    def with_(self, **changes: Any) -> PlanInput:
        return replace(self, **changes)

    def settings(self) -> dict[str, Any]:
        """Everything but the shape, as plain JSON-able values."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "shape"}


# === the plan ====================================================================================

@dataclass
class Plan:
    """The predicted peak of one training step, in GiB, with the reasons behind it."""

    input: PlanInput
    weights_gb: float
    lora_and_optimizer_gb: float
    activations_gb: float
    overhead_gb: float
    total_gb: float
    fits: bool
    headroom_gb: float
    warnings: list[tuple[str, str]] = field(default_factory=list)
    # Sub-terms (bytes, counts) so a benchmark can compare each against a measurement.
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def allocated_gb(self) -> float:
        """What torch.cuda.max_memory_allocated should show: the total without the overhead."""
        return self.weights_gb + self.lora_and_optimizer_gb + self.activations_gb

    def breakdown(self) -> dict[str, float]:
        return {"weights": self.weights_gb, "lora_and_optimizer": self.lora_and_optimizer_gb,
                "activations": self.activations_gb, "overhead": self.overhead_gb,
                "total": self.total_gb}

    def to_dict(self) -> dict[str, Any]:
        return {"settings": self.input.settings(), "shape": asdict(self.input.shape),
                **{f"{k}_gb": round(v, 4) for k, v in self.breakdown().items()},
                "fits": self.fits, "headroom_gb": round(self.headroom_gb, 4),
                "warnings": [list(w) for w in self.warnings], "details": self.details}


# --- weights -------------------------------------------------------------------------------------

def _bnb4_bytes(n: int) -> float:
    """Bytes bitsandbytes keeps for one NF4 double-quantized weight of ``n`` elements."""
    blocks = math.ceil(n / BNB4_BLOCKSIZE)
    nested = math.ceil(blocks / BNB4_NESTED_BLOCKSIZE)
    # packed weight (2 per byte) + uint8 absmax per block + fp32 absmax per nested block
    # + the nested code book (256 fp32) + the NF4 code (16 fp32) + the fp32 offset.
    return math.ceil(n / 2) + blocks + 4 * nested + 4 * 256 + 4 * 16 + 4


def weights_bytes(shape: ModelShape, quantization: str, compute_dtype: str,
                  upcast_frozen_fp32: bool = False) -> dict[str, float]:
    """Base-model bytes: quantized decoder linears + what bitsandbytes leaves in ``compute_dtype``.

    transformers' bitsandbytes integration replaces every nn.Linear except the output embedding
    (lm_head, and whatever it is tied to); embeddings, norms and biases keep the load dtype, which
    the engine sets to the compute dtype (``dtype=`` in from_pretrained).
    """
    pb = shape.param_breakdown()
    p = _DTYPE_BYTES[compute_dtype]
    other = pb["embed"] + pb["lm_head"] + pb["norm"] + pb["bias"]
    if quantization == "none":
        return {"quantized": 0.0, "other": float((other + pb["linear"]) * p)}
    if upcast_frozen_fp32:
        p = 4  # prepare_model_for_kbit_training: every non-quantized fp16/bf16 param -> fp32
    if quantization == "4bit":
        per_layer = sum(_bnb4_bytes(din * dout) for _, din, dout, _ in shape.linear_shapes())
    else:
        # LLM.int8: int8 weight + one fp32 row scale (SCB) per output feature.
        per_layer = sum(din * dout + 4 * dout for _, din, dout, _ in shape.linear_shapes())
    return {"quantized": float(shape.n_layers * per_layer), "other": float(other * p)}


# --- LoRA and optimizer --------------------------------------------------------------------------

def lora_modules(shape: ModelShape, target_modules: str) -> list[tuple[str, int, int]]:
    """(name, in, out) of the adapted linears of one layer: peft's "all-linear" takes every linear
    of the decoder layers but not lm_head; "attention" is q/k/v/o (the original LoRA recipe)."""
    names = ({"q_proj", "k_proj", "v_proj", "o_proj"} if target_modules == "attention" else
             {n for n, *_ in shape.linear_shapes()})
    return [(n, din, dout) for n, din, dout, _ in shape.linear_shapes() if n in names]


def lora_param_count(shape: ModelShape, lora_r: int, target_modules: str) -> int:
    """Trainable parameters: A is r x in, B is out x r, for every adapted linear of every layer."""
    return shape.n_layers * sum(lora_r * (din + dout)
                                for _, din, dout in lora_modules(shape, target_modules))


def lora_and_optimizer_bytes(inp: PlanInput) -> dict[str, float]:
    shape = inp.shape
    n = lora_param_count(shape, inp.lora_r, inp.target_modules)
    # peft's get_peft_model(autocast_adapter_dtype=True, the default) keeps adapter weights in fp32
    # even on a bf16/fp16 base, for stable updates; their gradients are fp32 too.
    params = 4.0 * n
    grads = 4.0 * n
    if inp.optimizer == "adamw_torch":
        states = 8.0 * n  # exp_avg + exp_avg_sq, fp32
    else:
        # bitsandbytes 8-bit Adam: two uint8 states + blockwise fp32 absmax; tensors under 4096
        # elements (none of the LoRA matrices with r >= 1 on real models) stay fp32.
        states = 0.0
        for _, din, dout in lora_modules(shape, inp.target_modules):
            for numel in (inp.lora_r * din, inp.lora_r * dout):
                if numel >= BNB_OPT_MIN_8BIT_SIZE:
                    states += 2 * numel + 2 * 4 * math.ceil(numel / BNB_OPT_BLOCKSIZE)
                else:
                    states += 8 * numel
        states *= shape.n_layers
    # Under autocast the bf16/fp16 copy of each adapter weight made for its matmul is saved for
    # backward (measured on CPU: it is what torch's autocast cache hands to the saved tensors).
    autocast_copies = 2.0 * n if (inp.autocast and inp.compute_dtype != "float32") else 0.0
    return {"lora_params": float(n), "params": params, "grads": grads, "optimizer_states": states,
            "autocast_copies": autocast_copies}


# --- activations ---------------------------------------------------------------------------------

def _upcast(inp: PlanInput) -> bool:
    """prepare_model_for_kbit_training only runs (and only upcasts) on a quantized base."""
    return inp.upcast_frozen_fp32 and inp.quantization != "none"


def _lora_saved_input_bytes(inp: PlanInput) -> tuple[float, str]:
    """Bytes per token that peft's adapters save as lora_A's input, over one layer's adapters.

    peft casts ``x`` to lora_A's dtype (fp32) before the adapter, except in its bitsandbytes layers
    when ``torch.is_autocast_enabled()`` (CUDA autocast). What autograd then keeps (enumerated on
    real layers, see the module docstring):
      * fp32 compute: no cast; the adapters of q/k/v share the normed input, gate/up share theirs,
        o_proj shares the SDPA output (already saved by attention): "shared".
      * quantized base + CUDA autocast, bf16/fp16 frozen params: the same sharing in half precision.
      * the same after prepare_model_for_kbit_training (fp32 norms): each adapter's matmul casts its
        fp32 input to half under autocast, one copy *per module* (o_proj still shares SDPA's output).
      * plain nn.Linear base (or a CPU run) under autocast: each adapter casts x to fp32
        (transient) and autocast casts it back for the matmul: one half copy per adapted module.
      * half precision without autocast: one fp32 copy per adapted module.
      * lora_dropout > 0: every module keeps its dropout mask plus its own dropped copy in the
        adapter's compute dtype (the one autocast or peft's cast gives it). CUDA's fused
        native_dropout keeps a bool mask (1 byte); on CPU torch multiplies by a noise tensor of the
        input's dtype (fp32 there: peft cast x first) and keeps that.
    Returns (bytes, mode) where mode names the case for the details.
    """
    s = inp.shape
    h, i = s.hidden_size, s.intermediate_size
    modules = lora_modules(s, inp.target_modules)
    names = {n for n, *_ in modules}
    half = inp.compute_dtype != "float32"
    adapter_bytes = 2 if (inp.autocast and half) else 4
    if inp.lora_dropout > 0:
        mask = 1 if inp.device == "cuda" else 4
        return float(sum((adapter_bytes + mask) * din for _, din, _ in modules)), "dropout"
    cuda_bnb_autocast = inp.autocast and half and inp.quantization != "none" and inp.device == "cuda"
    if not half or (cuda_bnb_autocast and not _upcast(inp)):
        px = 4 if not half else 2
        total = 0
        if names & {"q_proj", "k_proj", "v_proj"}:
            total += px * h
        if names & {"gate_proj", "up_proj"}:
            total += px * h
        if "down_proj" in names:
            total += px * i
        return float(total), "shared"
    if cuda_bnb_autocast:  # upcast: fp32 inputs, one half copy each; o_proj shares SDPA's output
        return float(sum(2 * din for n, din, _ in modules if n != "o_proj")), "copy-upcast"
    return float(sum(adapter_bytes * din for _, din, _ in modules)), "copy"


def activation_terms(inp: PlanInput) -> dict[str, Any]:
    """Bytes per token of what a training step holds, per component.

    Saved-for-backward tensors of one decoder layer (HF Llama-style layer, SDPA, frozen base, LoRA),
    enumerated from autograd's saved tensors and matched to the byte on CPU:
      * every RMSNorm upcasts its input to fp32 and saves it (pow/mul backward): 4 bytes x hidden,
        plus the fp32 rsqrt per token (4 bytes). The norm's output is NOT saved by the norm (its
        frozen weight's multiply only saves the weight).
      * frozen base linears (nn.Linear, bnb Linear4bit/8bitLt) save no input: their weight does not
        need a gradient, and torch/bitsandbytes only save what the needed gradients use.
      * SDPA (flash / memory-efficient / CPU flash) saves q, k, v (k/v at the KV-head width: GQA is
        native when no padding mask is passed), its output and a fp32 logsumexp per head. Under
        autocast these are half-precision copies whatever the dtype of q/k/v. A padded batch passes
        a mask, and transformers then repeats k/v to the query width (repeat_kv): about +5% of a
        Llama-3-8B layer, which only matters without checkpointing; not modelled.
      * SwiGLU/GeGLU MLP: act(gate) saves gate; act*up saves both operands: 3 x intermediate, in the
        residual stream's dtype (fp32 after prepare_model_for_kbit_training, whose bitsandbytes
        layers return their input's dtype).
      * Qwen3/Gemma3 q/k norms save fp32 copies of q and k and a rsqrt per head.
      * LoRA: lora_A saves its input (see _lora_saved_input_bytes), lora_B saves lora_A's r-wide
        output.
    """
    s = inp.shape
    p = _DTYPE_BYTES[inp.compute_dtype]
    h, i = s.hidden_size, s.intermediate_size
    half = p == 2
    upcast = _upcast(inp)
    # The residual stream's dtype: the compute dtype, or fp32 when the embeddings were upcast.
    p_res = 4 if upcast else p
    norms = s.norms_per_layer * (4 * h + 4)
    attention = p * (2 * s.q_dim + 2 * s.kv_dim) + 4 * s.n_heads
    qk_norm = 4 * (s.q_dim + s.kv_dim) + 4 * (s.n_heads + s.n_kv_heads) if s.qk_norm else 0
    # bitsandbytes' 4-bit layers return their input's dtype (fp32 after the upcast), so the MLP runs
    # in fp32; its 8-bit layers return half precision (measured on CPU; 8-bit is the rarely used,
    # least checked path).
    p_mlp = 4 if (upcast and inp.quantization == "4bit") else p
    mlp = 3 * p_mlp * i
    lora_inputs, mode = _lora_saved_input_bytes(inp)
    modules = lora_modules(s, inp.target_modules)
    # lora_B saves lora_A's output: half under autocast, else fp32 (the adapter's dtype).
    p_mid = 2 if (inp.autocast and half) else 4
    lora_mid = len(modules) * inp.lora_r * p_mid
    layer_saved = norms + attention + qk_norm + mlp + lora_inputs + lora_mid
    # Gemma's RMSNorm multiplies by (1 + weight) in fp32: a fresh hidden-wide tensor per norm that
    # the multiply saves (bytes per layer, not per token).
    layer_constant = s.norms_per_layer * 4 * h if s.architecture.startswith("gemma") else 0

    # What a (non-reentrant) checkpoint keeps per layer: its input hidden states.
    checkpoint = p_res * h

    # Backward of one layer: besides its saved tensors (freed one by one as their nodes run), the
    # gradients in flight. The widest moment is the MLP's: two intermediate-wide grads live (of the
    # down_proj input, then of gate/up) while gate, up and act(gate) are still saved. Measured on
    # CPU with a live-tensor tracker (benchmarks/planner_accuracy.py) this is within a few percent,
    # and on the safe side by the down_proj input that is already freed at that moment.
    backward_ws = 2 * p_mlp * i

    # HF ForCausalLMLoss: logits come out of lm_head in the compute dtype, are upcast with
    # .float() (4 bytes/entry), log_softmax saves a fp32 result; in backward nll_loss makes a dense
    # fp32 grad and log_softmax's backward another: at that moment log-probs + two grads = 12 bytes
    # per vocabulary entry per token, the peak of the loss. (The forward holds half logits + fp32
    # copy + log-probs = 10.) This is why 128k-152k vocabularies dominate small-model plans.
    logits = 12 * s.vocab_size
    # The final norm saves its fp32 input; the grad flowing into the embeddings' output.
    tail = 4 * h + 4 + p_res * h
    return {"layer_saved": float(layer_saved), "layer_constant": float(layer_constant),
            "checkpoint": float(checkpoint),
            "backward_workspace": float(backward_ws), "logits": float(logits), "tail": float(tail),
            "lora_inputs": lora_inputs, "lora_input_mode": mode}


def activations_bytes(inp: PlanInput) -> dict[str, float]:
    """Peak activation bytes of one step.

    Without checkpointing every layer's saved tensors are alive when the loss starts its backward:
    L x layer + max(loss peak, one layer's backward workspace).
    With (non-reentrant) checkpointing only each layer's input is kept; the backward recomputes one
    layer at a time, so the peak is L x checkpoint + max(loss peak, one layer's saved + workspace).
    bitsandbytes dequantizes a whole weight to the compute dtype for each matmul (forward, and
    backward for the input grad): the largest linear's worth is live on top.
    """
    t = activation_terms(inp)
    s = inp.shape
    tokens = inp.tokens
    L = s.n_layers
    # With the label-only loss the logits are one chunk's (a constant), not per token.
    logits = 0.0 if inp.label_loss else t["logits"]
    if inp.gradient_checkpointing:
        stored = L * t["checkpoint"]
        moving = max(logits, t["layer_saved"] + t["backward_workspace"])
    else:
        stored = L * t["layer_saved"]
        moving = max(logits, t["backward_workspace"])
    # After prepare_model_for_kbit_training lm_head's weight is fp32 and frozen; autocast casts it
    # to half for the matmul on every forward (its cache only keeps casts of trainable leaves) and
    # the matmul saves that copy for the input gradient: vocab x hidden x 2 bytes until backward.
    lm_head_cast = 0.0
    if _upcast(inp) and inp.autocast and inp.compute_dtype != "float32":
        lm_head_cast = 2.0 * s.vocab_size * s.hidden_size
    dequant = 0.0
    if inp.quantization != "none":
        p = _DTYPE_BYTES[inp.compute_dtype]
        dequant = float(p * max(din * dout for _, din, dout, _ in s.linear_shapes()))
    per_token_stored = stored + t["tail"]
    constant = t["layer_constant"] * (1 if inp.gradient_checkpointing else L)
    moving_bytes = moving * tokens
    if inp.label_loss:  # one chunk's logits, or the layers' backward, whichever is larger
        moving_bytes = max(moving_bytes, t["logits"] * min(tokens, LABEL_LOSS_CHUNK))
    return {
        "stored": per_token_stored * tokens + constant,
        "moving": moving_bytes,
        "logits_peak": t["logits"] * (min(tokens, LABEL_LOSS_CHUNK) if inp.label_loss else tokens),
        "dequant_workspace": dequant,
        "lm_head_cast": lm_head_cast,
        "per_token": per_token_stored + moving,
        "terms": t,
    }


# --- plan ----------------------------------------------------------------------------------------

def plan(inp: PlanInput) -> Plan:
    """Predict the peak memory of one training step of ``inp``."""
    s = inp.shape
    w = weights_bytes(s, inp.quantization, inp.compute_dtype, inp.upcast_frozen_fp32)
    lo = lora_and_optimizer_bytes(inp)
    act = activations_bytes(inp)
    weights_gb = _gib(w["quantized"] + w["other"])
    lora_gb = _gib(lo["params"] + lo["grads"] + lo["optimizer_states"] + lo["autocast_copies"])
    act_gb = _gib(act["stored"] + act["moving"] + act["dequant_workspace"] + act["lm_head_cast"])
    allocated = weights_gb + lora_gb + act_gb
    if inp.device == "cuda":
        overhead_gb = CUDA_CONTEXT_GIB + FRAGMENTATION * allocated
    else:
        overhead_gb = 0.0  # RAM: no CUDA context; glibc's allocator returns big blocks to the OS
    total = allocated + overhead_gb
    headroom = inp.gpu_total_gb - total
    result = Plan(
        input=inp, weights_gb=weights_gb, lora_and_optimizer_gb=lora_gb, activations_gb=act_gb,
        overhead_gb=overhead_gb, total_gb=total, fits=total <= inp.gpu_total_gb,
        headroom_gb=headroom,
        details={
            "n_params": s.n_params, "lora_params": int(lo["lora_params"]),
            "weights_bytes": w, "lora_bytes": {k: v for k, v in lo.items() if k != "lora_params"},
            "activation_bytes": {k: v for k, v in act.items() if k != "terms"},
            "activation_terms_per_token": act["terms"], "tokens": inp.tokens,
            "allocated_gb": allocated,
        })
    result.warnings = _warnings(inp, result, act)
    return result


def _warnings(inp: PlanInput, p: Plan, act: Mapping[str, Any]) -> list[tuple[str, str]]:
    s = inp.shape
    out: list[tuple[str, str]] = []
    where = "the GPU" if inp.device == "cuda" else "the memory budget"
    if not p.fits:
        out.append(("exceeds_gpu",
                    f"Needs about {p.total_gb:.1f} GB but {where} has {inp.gpu_total_gb:g} GB: "
                    "lower the batch size or sequence length, enable gradient checkpointing, "
                    "or quantize the base model (4-bit)."))
    elif p.headroom_gb < TIGHT_HEADROOM_GIB:
        out.append(("tight_headroom",
                    f"Only {p.headroom_gb:.1f} GB would stay free; a desktop session or another "
                    "program on the same GPU can push this run out of memory."))
    if inp.method in PREFERENCE_METHODS:
        out.append(("preference_pairs",
                    f"{inp.method.upper()}: each pair is two sequences (chosen and rejected), so the "
                    "activations are those of twice the batch; the figure is approximate."))
    if inp.seq_len > s.max_position_embeddings:
        out.append(("seq_len_exceeds_model_max",
                    f"Sequence length {inp.seq_len} is longer than the model's "
                    f"{s.max_position_embeddings} positions; quality past that is not trained."))
    if inp.device == "cpu":
        if inp.optimizer == "paged_adamw_8bit":
            out.append(("paged_optimizer_on_cpu",
                        "Paged 8-bit optimizers page between GPU and CPU memory and need CUDA; "
                        "use adamw_torch on CPU."))
        if inp.quantization != "none":
            out.append(("quantization_on_cpu",
                        "bitsandbytes quantization on CPU is slow and saves little RAM; use "
                        "quantization 'none' for CPU training."))
        if inp.compute_dtype == "float16":
            out.append(("float16_on_cpu", "float16 training on CPU is slow and unsupported by "
                                          "many kernels; use float32 (or bfloat16)."))
    elif inp.compute_dtype == "float32" and inp.quantization == "none" and s.n_params > 1e9:
        out.append(("float32_large_model", "float32 weights double the memory of bf16 for no "
                                           "quality gain in LoRA training; use bfloat16."))
    logits_gb = _gib(act["logits_peak"])
    if logits_gb > 0.25 * max(p.activations_gb, 1e-9) and logits_gb > 1.0:
        out.append(("large_vocab_logits",
                    f"The loss over {s.vocab_size} vocabulary entries holds about {logits_gb:.1f} GB "
                    "of fp32 logits at its peak; it grows with batch x sequence length."))
    if not inp.gradient_checkpointing and not p.fits:
        with_ckpt = plan(inp.with_(gradient_checkpointing=True))
        if with_ckpt.fits:
            out.append(("enable_gradient_checkpointing",
                        f"With gradient checkpointing it would need about {with_ckpt.total_gb:.1f} GB "
                        "and fit (about 30% slower)."))
    if s.architecture not in _KNOWN_ARCHITECTURES:
        out.append(("unverified_architecture",
                    f"{s.architecture} was planned as a Llama-style decoder; the estimate is "
                    "unverified for it."))
    elif s.architecture in ("gemma2", "gemma3_text") :
        out.append(("unverified_architecture",
                    f"{s.architecture} uses logit soft-capping and sliding windows; training often "
                    "runs eager attention, which stores seq x seq scores not modelled here."))
    return out


# === searching =================================================================================

_BATCH_CANDIDATES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
SEQ_STEP = 256


def largest_fitting(inp: PlanInput, vary: str = "batch_size") -> int | None:
    """The largest batch size (1, 2, 3, 4, 6, 8, ... 64) or sequence length (multiples of 256 up to
    the model's max positions) at which ``inp`` fits the card; None when even the smallest does not.
    Memory grows monotonically with both, so the search stops at the first that does not fit."""
    if vary == "batch_size":
        candidates: list[int] = list(_BATCH_CANDIDATES)
    elif vary == "seq_len":
        top = max(inp.shape.max_position_embeddings, SEQ_STEP)
        candidates = list(range(SEQ_STEP, top + 1, SEQ_STEP))
    else:
        raise UserError(f"vary must be 'batch_size' or 'seq_len', not {vary!r}",
                        code="vram.bad_setting", params={"setting": "vary", "value": vary})
    # Binary search over the sorted candidates (128k contexts have 512 of them).
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if plan(replace(inp, **{vary: candidates[mid]})).fits:
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return best


# === gradient checkpointing decided by the plan ==================================================

AUTO = "auto"


def checkpointing_margin_gb(card_gb: float) -> float:
    """How much of the card must stay free for checkpointing to be left off: a tenth of it, at
    least TIGHT_HEADROOM_GIB (the planner's measured error is within ~10 %,
    benchmarks/planner_accuracy.py; a desktop session takes its share too)."""
    return max(TIGHT_HEADROOM_GIB, 0.1 * card_gb)


def decide_checkpointing(inp: PlanInput) -> dict:
    """Gradient checkpointing for ``inp`` (its own setting ignored): off when the step fits without
    it with ``checkpointing_margin_gb`` to spare (about 30 % faster), on when it does not.
    ``{"on", "code", "params": {"without_gb", "card_gb", "margin_gb", "with_gb" (when on)}}``; code
    ``ckpt.fits_without`` or ``ckpt.needed`` (worded by app/views/error_texts.py)."""
    without = plan(inp.with_(gradient_checkpointing=False))
    margin = checkpointing_margin_gb(inp.gpu_total_gb)
    without_gb, card_gb, margin_gb = round(without.total_gb, 3), round(inp.gpu_total_gb, 3), round(margin, 3)
    if without.total_gb + margin <= inp.gpu_total_gb:
        return {"on": False, "code": "ckpt.fits_without",
                "params": {"without_gb": without_gb, "card_gb": card_gb, "margin_gb": margin_gb}}
    with_gb = round(plan(inp.with_(gradient_checkpointing=True)).total_gb, 3)
    return {"on": True, "code": "ckpt.needed",
            "params": {"without_gb": without_gb, "card_gb": card_gb, "margin_gb": margin_gb, "with_gb": with_gb}}


# === from a training config =====================================================================

def plan_input(cfg: TrainConfig, shape: ModelShape, gpu_total_gb: float, device: str = "cuda") -> PlanInput:
    """The PlanInput of the run ``cfg`` launches, on a model of ``shape`` and a card of ``gpu_total_gb``
    GiB (RAM for device "cpu"): the one mapping from a TrainConfig to the planner, as the train engine
    (app/engines/train.py) runs it.

    * Frozen 16-bit weights stay 16-bit (``upcast_frozen_fp32=False``): the engine prepares a
      quantized base without peft's fp32 upcast of embeddings, lm_head and norms
      (app/engines/train.py: prepare_quantized).
    * Mixed precision is autocast whenever the dtype is half (the engine's bf16/fp16 flags).
    * ``packing`` does not change the figure: a packed step holds at most ``batch_size`` rows of
      ``max_seq_len`` tokens (app.training.packing), the padded step's worst case planned here.
    * ``gradient_checkpointing: "auto"`` is what ``decide_checkpointing`` decides on this card.
    """
    inp = PlanInput(
        shape=shape, quantization=cfg.quantization, compute_dtype=cfg.dtype, lora_r=cfg.lora_r,
        target_modules=cfg.target_modules, seq_len=cfg.max_seq_len, batch_size=cfg.batch_size,
        gradient_checkpointing=cfg.gradient_checkpointing is not False, optimizer=cfg.optimizer,
        gpu_total_gb=float(gpu_total_gb), lora_dropout=float(cfg.lora_dropout),
        autocast=cfg.dtype != "float32", upcast_frozen_fp32=False, device=device,
        method=cfg.method if cfg.method in PREFERENCE_METHODS else "lora",
        label_loss=(cfg.method not in PREFERENCE_METHODS and shape.architecture in LABEL_LOSS_ARCHITECTURES
                    and int((cfg.distributed or {}).get("processes", 1)) <= 1))
    if cfg.gradient_checkpointing == AUTO:
        inp = inp.with_(gradient_checkpointing=decide_checkpointing(inp)["on"])
    return inp


# === presets =====================================================================================

# What each training preset (app.core.train_config.preset) is planned on: a reference model and the
# machine it is meant for. Its settings are those of the TrainConfig the preset launches, through
# plan_input, so the planner's figure for a preset is the figure of the run the preset starts.
PRESETS: dict[str, dict[str, Any]] = {
    "qlora-8b-24gb": {"label": "QLoRA 7–8B on 24 GB", "shape": "llama-3-8b", "gpu_total_gb": 24.0,
                      "device": "cuda"},
    "lora-3b-24gb": {"label": "LoRA 1–3B on 24 GB", "shape": "llama-3.2-3b", "gpu_total_gb": 24.0,
                     "device": "cuda"},
    "cpu-demo": {"label": "CPU demo (bundled model)", "shape": "smollm2-135m", "gpu_total_gb": 8.0,
                 "device": "cpu"},
}


def preset_input(key: str, shape: ModelShape | None = None, **overrides: Any) -> PlanInput:
    """The PlanInput of a preset's run, on its reference shape or on ``shape`` (the user's model);
    ``overrides`` replace PlanInput fields (``gpu_total_gb=16``, ``device="cuda"``, ``seq_len=…``)."""
    if key not in PRESETS:
        raise UserError(f"unknown preset {key!r}; known: {', '.join(PRESETS)}",
                        code="vram.unknown_preset", params={"preset": key, "known": ", ".join(PRESETS)})
    where = PRESETS[key]
    inp = plan_input(train_config.preset(key), shape or REFERENCE_SHAPES[where["shape"]],
                     where["gpu_total_gb"], device=overrides.pop("device", where["device"]))
    return replace(inp, **overrides) if overrides else inp


# === serving =====================================================================================

# vLLM's dtype "auto" serves float32 checkpoints in 16-bit.
_SERVE_DTYPE_BYTES = dict(model_folder.SAFETENSORS_DTYPE_BYTES, F32=2, F64=2)


def serving_estimate(path: str | Path, max_model_len: int | None = None, tensor_parallel: int = 1,
                     pipeline_parallel: int = 1) -> dict[str, int]:
    """GPU memory a model folder needs to be served on one GPU, in bytes (a floor, not what vLLM
    reserves: vLLM pre-allocates ``gpu_memory_utilization`` × the card and fills the rest with KV cache).

        weights  = Σ safetensors tensor bytes, float32 counted as 16-bit (vLLM's dtype "auto"
                   serves float32 checkpoints in float16); AWQ/GPTQ weights count as stored
        kv_cache = 2 (K and V) × layers × kv_heads × head_dim × max_model_len × 2 bytes
                   (one full-length sequence in 16-bit)
        overhead = CUDA context (CUDA_CONTEXT_GIB) + 10 % of the weights for activations and the
                   allocator
        total    = weights + kv_cache + overhead

    ``max_model_len`` defaults to what the serve engine uses on a GPU: the model's context length,
    capped at model_folder.GPU_MAX_MODEL_LEN_CAP. Keys: weights_bytes, kv_cache_bytes,
    overhead_bytes, max_model_len, total_bytes (kv_cache_bytes is 0 for a shape the planner does
    not know, a mixture of experts for one), gpus.

    With vLLM's tensor parallelism (``tensor_parallel`` GPUs share each layer) and pipeline
    parallelism (``pipeline_parallel`` GPUs take a share of the layers each) every figure is per
    GPU: the weights divide by both; the KV cache divides by the pipeline and by the tensor size up
    to the number of KV heads (beyond it vLLM repeats a head on each GPU); every GPU has its own
    CUDA context.
    """
    tp, pp = max(1, int(tensor_parallel)), max(1, int(pipeline_parallel))
    folder = Path(path)
    cfg = model_folder.read_config(folder)
    weights = sum(n * _SERVE_DTYPE_BYTES.get(dtype, 2) for dtype, n in model_folder.safetensors_tensors(folder))
    if not weights:  # pytorch_model*.bin: the file sizes (float32 halved, as above)
        bins = sum(f.stat().st_size for f in folder.glob("*.bin"))
        dtype = str(cfg.get("torch_dtype") or "")
        weights = bins // 2 if dtype in ("float32", "") else bins
    length = max_model_len or model_folder.capped_max_len(folder)
    kv = 0
    try:
        shape = ModelShape.from_config_dict(cfg)
        kv_heads = max(1, shape.n_kv_heads)
        per_gpu_heads = max(1, kv_heads // tp)
        kv = 2 * shape.n_layers * shape.kv_dim * length * 2 * per_gpu_heads / kv_heads / pp
    except UserError:
        pass
    weights = weights / (tp * pp)
    overhead = int(CUDA_CONTEXT_GIB * GIB + 0.10 * weights)
    return {"weights_bytes": int(weights), "kv_cache_bytes": int(kv), "overhead_bytes": overhead,
            "max_model_len": length, "total_bytes": int(weights + kv + overhead), "gpus": tp * pp}


__all__ = [
    "GIB", "QUANTIZATIONS", "COMPUTE_DTYPES", "TARGETS", "OPTIMIZERS", "DEVICES",
    "CUDA_CONTEXT_GIB", "FRAGMENTATION", "ModelShape", "REFERENCE_CONFIGS", "REFERENCE_SHAPES", "PlanInput", "Plan",
    "plan", "largest_fitting", "plan_input", "PRESETS", "preset_input", "serving_estimate", "weights_bytes",
    "lora_param_count", "lora_modules", "lora_and_optimizer_bytes", "activation_terms", "activations_bytes",
]


# === several GPUs ===============================================================================

# Cheapest first: the less a strategy shards, the less it communicates per step.
STRATEGY_ORDER = ("ddp", "zero2", "fsdp", "zero3")


def plan_distributed(inp: PlanInput, n_gpus: int, strategy: str) -> dict[str, Any]:
    """Per-GPU peak (GiB) of ``inp`` (batch_size per GPU) trained on ``n_gpus`` with ``strategy``.

    * ddp: every GPU holds the whole model, its gradients and optimizer states, plus DDP's gradient
      buckets (one more copy of the trainable gradients, which the all-reduce works on).
    * zero2: gradients and optimizer states sharded 1/N (DeepSpeed ZeRO stage 2); the trainable
      parameters and the frozen base stay whole on every GPU.
    * fsdp / zero3: parameters (frozen base too), gradients and optimizer states sharded 1/N; while a
      layer runs its whole parameters are gathered: two layers' worth (the one computing and the one
      prefetched) are added back.
    Activations do not shard: each GPU runs its own batch_size sequences.
    """
    if strategy not in STRATEGY_ORDER:
        raise UserError(f"strategy must be one of {', '.join(STRATEGY_ORDER)}, not {strategy!r}",
                        code="vram.bad_setting", params={"setting": "strategy", "value": strategy,
                                                         "allowed": ", ".join(STRATEGY_ORDER)})
    if not isinstance(n_gpus, int) or isinstance(n_gpus, bool) or n_gpus < 1:
        raise UserError(f"n_gpus must be a whole number ≥ 1, not {n_gpus!r}", code="vram.bad_setting",
                        params={"setting": "n_gpus", "value": n_gpus})
    base = plan(inp)
    w = weights_bytes(inp.shape, inp.quantization, inp.compute_dtype, inp.upcast_frozen_fp32)
    lo = lora_and_optimizer_bytes(inp)
    act = activations_bytes(inp)
    n = n_gpus
    weights = w["quantized"] + w["other"]
    params, grads, states = lo["params"], lo["grads"], lo["optimizer_states"]
    buckets = 0.0
    if strategy == "ddp":
        buckets = grads if n > 1 else 0.0
    elif strategy == "zero2":
        grads, states = grads / n, states / n
    else:  # fsdp, zero3
        gathered = min(1.0, 2.0 / max(inp.shape.n_layers, 1))  # two layers' share of the weights
        weights = weights / n + (weights * gathered if n > 1 else 0.0)
        params, grads, states = params / n, grads / n, states / n
    allocated = _gib(weights + params + grads + states + lo["autocast_copies"] + buckets) + base.activations_gb
    overhead = (CUDA_CONTEXT_GIB + FRAGMENTATION * allocated) if inp.device == "cuda" else 0.0
    total = allocated + overhead
    return {"strategy": strategy, "n_gpus": n, "weights_gb": _gib(weights),
            "lora_and_optimizer_gb": _gib(params + grads + states + lo["autocast_copies"] + buckets),
            "activations_gb": base.activations_gb, "overhead_gb": overhead, "per_gpu_gb": total,
            "fits": total <= inp.gpu_total_gb, "headroom_gb": inp.gpu_total_gb - total,
            "activation_bytes": {k: v for k, v in act.items() if k != "terms"}}


def suggest_strategy(inp: PlanInput, n_gpus: int, available: tuple[str, ...] = STRATEGY_ORDER
                     ) -> tuple[str | None, list[dict[str, Any]]]:
    """The cheapest of ``available`` (in STRATEGY_ORDER) whose per-GPU peak fits ``inp.gpu_total_gb``,
    or None, with every strategy's plan (so a form can show each figure)."""
    plans = [plan_distributed(inp, n_gpus, s) for s in STRATEGY_ORDER if s in available]
    for p in plans:
        if p["fits"]:
            return p["strategy"], plans
    return None, plans
