"""What a training run is asked to do: one typed, versioned config, stored as ``config.json``.

No torch here (the GUI imports this module). ``TrainConfig.from_dict`` → ``validate()`` turns JSON
into a checked config; every problem is a :class:`~app.core.errors.UserError` whose message names
the field and says what to do, with a stable ``code`` and ``params`` (``field``, ``value``, ``hint``)
for a translated message. ``preset(name)`` gives tested starting points, ``new_run_dir(name)`` a
fresh run folder under ``runs/``, ``write_config`` writes ``config.json`` atomically.

The dataset is JSONL of OpenAI-style chat records, one per line::

    {"messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}

except for the methods ``dpo`` / ``orpo`` (preference pairs: ``{"prompt", "chosen", "rejected"}``,
strings or messages) and ``cpt`` (raw text: a .txt / .md file, a folder of them, or ``{"text"}``
JSONL); ``check_dataset_shape`` says which data a method needs.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from app.core import bundled, paths
from app.core.errors import UserError

SCHEMA_VERSION = 1
CONFIG_FILE = "config.json"
DEFAULT_MODEL = "default"  # base_model value meaning "the bundled SmolLM2, converted"

METHODS = ("lora", "qlora", "dpo", "orpo", "cpt")
# dpo / orpo: preference tuning (TRL) on prompt/chosen/rejected pairs; cpt: continued pretraining
# on raw text (packed blocks of max_seq_len tokens, loss on every token). All train a LoRA adapter,
# on the base that ``quantization`` says.
PREFERENCE_METHODS = ("dpo", "orpo")
SFT_METHODS = ("lora", "qlora")  # chat fine-tuning: the methods ``packing`` applies to
METHOD_SHAPES = {"dpo": ("preference",), "orpo": ("preference",), "cpt": ("text",)}
CHAT_SHAPES = ("alpaca", "sharegpt", "openai")  # what lora / qlora train on (as chat messages)
QUANTIZATIONS = ("none", "4bit", "8bit")
DTYPES = ("float32", "bfloat16", "float16")
TARGETS = ("attention", "all-linear")
SCHEDULERS = ("cosine", "linear", "constant")
OPTIMIZERS = ("adamw_torch", "paged_adamw_8bit")
PRESETS = ("cpu-demo", "qlora-8b-24gb", "lora-3b-24gb")
# ``distributed``: several processes (GPUs, or CPU processes on gloo) through torchrun. ddp: each
# process holds the whole model; fsdp / zero3 shard parameters, gradients and optimizer states;
# zero2 shards gradients and optimizer states (DeepSpeed). nnodes / node_rank / rdzv: a torchrun
# rendezvous ("host:port") joining several machines.
STRATEGIES = ("ddp", "fsdp", "zero2", "zero3")
STRATEGY_NAMES = {"ddp": "DDP", "fsdp": "FSDP", "zero2": "ZeRO-2", "zero3": "ZeRO-3"}  # as people write them
MAX_PROCESSES = 64
DISTRIBUTED_DEFAULTS = {"strategy": "ddp", "processes": 1, "cpu_offload": False,
                        "nnodes": 1, "node_rank": 0, "rdzv": ""}
_RDZV = re.compile(r"^[A-Za-z0-9.\-]+:[0-9]{1,5}$")

MAX_THREADS = 256


@dataclass
class TrainConfig:
    """One training run. Defaults are the plain-LoRA values a 24 GB card handles for small models."""

    schema_version: int = SCHEMA_VERSION
    name: str = ""  # what people call the run (the folder name is its id)
    # What to train on.
    base_model: str = DEFAULT_MODEL  # a Hugging Face folder, or "default" (the bundled model)
    dataset_path: str = ""  # JSONL of {"messages": [...]} records
    val_path: str | None = None  # same format; evaluated every eval_steps when given
    # How.
    method: str = "lora"  # lora | qlora (a 4-bit NF4 base with double quantization) | dpo | orpo | cpt
    quantization: str = "none"  # none | 4bit | 8bit (of the frozen base weights)
    dtype: str = "bfloat16"  # float32 | bfloat16 | float16: base weights and mixed precision
    lora_r: int = 16
    lora_alpha: float = 32
    lora_dropout: float = 0.05
    target_modules: str = "all-linear"  # attention (q,k,v,o projections) | all-linear
    max_seq_len: int = 2048
    batch_size: int = 2  # per device
    grad_accum: int = 8
    epochs: float = 2.0
    max_steps: int = -1  # -1 = as many as `epochs` needs
    learning_rate: float = 2e-4
    scheduler: str = "cosine"  # cosine | linear | constant
    warmup_ratio: float = 0.03  # share of the steps spent warming the learning rate up, in [0, 1)
    weight_decay: float = 0.0
    # true | false | "auto": the VRAM planner decides at launch, on the card the run gets: off when the
    # step fits with a margin (about 30 % faster), on when it does not (vram_planner.decide_checkpointing)
    gradient_checkpointing: bool | str = "auto"
    # SFT (lora / qlora): a batch's examples laid end to end in rows of up to max_seq_len, attention
    # kept within each example; the same loss and gradients as padding, less computed. Off: padded
    # batches of similar lengths. The other methods never pack (app.training.packing). Off by default:
    # measured on the CPU demo config (benchmarks/packing_speed.py), examples of 40-140 tokens under a
    # 128 cap rarely share a row, and length-grouped padding trained 1.1x more real tokens per second.
    packing: bool = False
    optimizer: str = "adamw_torch"  # adamw_torch | paged_adamw_8bit (CUDA only; CPU falls back)
    beta: float = 0.1  # dpo: how far from the reference the policy may go; orpo: the odds-ratio weight
    # Bookkeeping.
    logging_steps: int = 0  # 0 = auto: every step for runs of up to 200 steps, else about 200 points
    eval_steps: int = 100
    save_steps: int = 100
    save_total_limit: int = 2  # checkpoints kept; 0 = keep all
    seed: int = 42
    threads: int | None = None  # CPU threads; None = Settings.cpu_threads
    # Several processes / GPUs / machines (see STRATEGIES); None = one process.
    distributed: dict[str, Any] | None = None
    # What the VRAM planner predicted (GiB); memory.json puts the measured peak beside it.
    predicted_peak_gb: float | None = None

    def __post_init__(self) -> None:
        # QLoRA means a 4-bit base: asking for it with the default "none" gets 4-bit, not an error.
        if self.method == "qlora" and self.quantization == "none":
            self.quantization = "4bit"

    # --- JSON ---------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, raw: Any) -> "TrainConfig":
        """A validated config from a JSON object. Unknown keys are refused (a typo must not be
        silently ignored); ``method: "qlora"`` with ``quantization`` "none" or absent means 4-bit."""
        if not isinstance(raw, dict):
            raise UserError("The training config must be a JSON object.", code="train_config.not_object")
        raw = dict(raw)
        version = raw.get("schema_version", SCHEMA_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            _fail("schema_version", version, "must be a positive whole number",
                  f"Use schema_version {SCHEMA_VERSION}.", rule="positive_whole",
                  hint_code="train_config.hint.schema_version", expected=SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            _fail("schema_version", version, "comes from a newer version of AI Platform",
                  "Update AI Platform, or write the config again with this version.",
                  code="train_config.newer_version", rule="newer", hint_code="train_config.hint.newer_version")
        known = {f.name for f in fields(cls)}
        unknown = sorted(k for k in raw if k not in known)
        if unknown:
            raise UserError(
                f"Unknown training setting(s): {', '.join(unknown)}. "
                "Check the spelling; the known settings are listed in app/core/train_config.py.",
                code="train_config.unknown_field",
                params={"field": unknown[0], "fields": ", ".join(unknown),
                        "hint": "Remove or correct the unknown setting(s).",
                        "hint_code": "train_config.hint.unknown_field"})
        raw["schema_version"] = SCHEMA_VERSION
        cfg = cls(**raw)
        cfg.validate()
        return cfg

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "TrainConfig":
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise UserError(f"The training config is not valid JSON: {exc}.", code="train_config.bad_json",
                            params={"reason": str(exc), "hint_code": "train_config.hint.bad_json",
                                    "hint": "Fix the JSON syntax (an editor with JSON checking helps)."}) from None
        return cls.from_dict(raw)

    # --- checks -------------------------------------------------------------------------------
    def validate(self, check_files: bool = False) -> "TrainConfig":
        """Raise UserError naming the first bad field. With ``check_files`` the model folder and
        dataset files must exist too (the engine checks this; an editor may save a draft first)."""
        _str(self, "base_model", nonempty=True)
        _str(self, "dataset_path", nonempty=True)
        if self.val_path is not None:
            _str(self, "val_path")
            if not self.val_path.strip():
                self.val_path = None
        _choice(self, "method", METHODS)
        _choice(self, "quantization", QUANTIZATIONS)
        _choice(self, "dtype", DTYPES)
        if self.method == "qlora" and self.quantization != "4bit":
            _fail("quantization", self.quantization, "must be \"4bit\" when method is \"qlora\"",
                  "Set quantization to \"4bit\", or method to \"lora\".", rule="qlora_4bit",
                  hint_code="train_config.hint.qlora_4bit")
        _int(self, "lora_r", 1, 4096)
        _num(self, "lora_alpha", 0, 1e6, low_open=True)
        _num(self, "lora_dropout", 0, 1, high_open=True)
        _choice(self, "target_modules", TARGETS)
        _int(self, "max_seq_len", 16, 1 << 20)
        _int(self, "batch_size", 1, 1 << 16)
        _int(self, "grad_accum", 1, 1 << 16)
        _num(self, "epochs", 0, 1e6, low_open=True)
        _int(self, "max_steps", -1, 1 << 40)
        if self.max_steps == 0:
            _fail("max_steps", 0, "cannot be 0", FIELD_HINTS["max_steps"], rule="not_zero",
                  hint_code="train_config.hint.max_steps")
        _num(self, "learning_rate", 0, 1, low_open=True)
        _choice(self, "scheduler", SCHEDULERS)
        _num(self, "warmup_ratio", 0, 1, high_open=True)
        _num(self, "weight_decay", 0, 10)
        _num(self, "beta", 0, 100, low_open=True)
        if self.gradient_checkpointing != "auto" and not isinstance(self.gradient_checkpointing, bool):
            hint, hint_code = _field_hint("gradient_checkpointing")
            _fail("gradient_checkpointing", self.gradient_checkpointing, 'must be true, false or "auto"', hint,
                  rule="bool_or_auto", hint_code=hint_code)
        _bool(self, "packing")
        _choice(self, "optimizer", OPTIMIZERS)
        _int(self, "logging_steps", 0, 1 << 40)
        _int(self, "eval_steps", 1, 1 << 40)
        _int(self, "save_steps", 1, 1 << 40)
        _int(self, "save_total_limit", 0, 1 << 20)
        _int(self, "seed", 0, 2**32 - 1)
        if self.threads is not None:
            _int(self, "threads", 1, MAX_THREADS)
        if self.predicted_peak_gb is not None:
            _num(self, "predicted_peak_gb", 0, 1e6)
        if self.distributed is not None:
            self.distributed = _distributed(self.distributed)
        if check_files:
            self.check_files()
        return self

    def check_files(self) -> None:
        """The model folder and the dataset files exist (UserError naming which one does not)."""
        model_dir = resolve_base_model(self.base_model)
        if self.base_model == DEFAULT_MODEL:
            status = bundled.default_model_status()
            if not status["ready"]:
                raise UserError(f"The bundled default model is not ready: {status['reason']}.",
                                code="train_config.default_model_missing",
                                params={"field": "base_model", "value": self.base_model, "reason": status["reason"],
                                        "hint": status["fix"] or "Run: ai-platform setup-models",
                                        "hint_code": "train_config.hint.default_model_missing"})
        elif not model_dir.is_dir() or not (model_dir / "config.json").is_file():
            raise UserError(f"base_model: {model_dir} is not a Hugging Face model folder "
                            "(it needs config.json, the weights and the tokenizer).",
                            code="train_config.model_missing",
                            params={"field": "base_model", "value": self.base_model, "path": str(model_dir),
                                    "hint": "Choose a downloaded or converted model folder, or \"default\" "
                                            "for the bundled SmolLM2 model.",
                                    "hint_code": "train_config.hint.model_missing"})
        for name in ("dataset_path", "val_path"):
            value = getattr(self, name)
            if value is None:
                continue
            p = Path(value).expanduser()
            if not p.is_file() and not (self.method == "cpt" and p.is_dir()):
                raise UserError(f"{name}: the dataset file {p} does not exist.",
                                code="train_config.dataset_missing",
                                params={"field": name, "value": value,
                                        "hint": "Check the path, or import the dataset again in the Datasets panel.",
                                        "hint_code": "train_config.hint.dataset_missing"})

    # --- derived ------------------------------------------------------------------------------
    @property
    def world_size(self) -> int:
        """Processes over all machines (1 without ``distributed``)."""
        d = self.distributed or DISTRIBUTED_DEFAULTS
        return int(d["processes"]) * int(d["nnodes"])

    @property
    def effective_batch(self) -> int:
        return self.batch_size * self.grad_accum

    def model_dir(self) -> Path:
        return resolve_base_model(self.base_model)


def check_dataset_shape(method: str, shape: str | None, path: str) -> None:
    """A UserError unless a dataset of ``shape`` is what ``method`` trains on (pairs for DPO / ORPO,
    raw text for CPT, chat records otherwise)."""
    wanted = METHOD_SHAPES.get(method, CHAT_SHAPES)
    if shape in wanted:
        return
    if method in PREFERENCE_METHODS:
        what, hint_code = "preference pairs (prompt, chosen, rejected)", "train.hint.need_pairs"
        hint = 'Use a JSONL file of records with "prompt", "chosen" and "rejected".'
    elif method == "cpt":
        what, hint_code = "raw text", "train.hint.need_text"
        hint = "Use a .txt or .md file, a folder of them, or JSONL of records with \"text\"."
    else:
        what, hint_code = "chat records", "train.hint.need_chat"
        hint = "Use the method dpo or orpo for preference pairs and cpt for raw text; lora and qlora train on chat records."
    raise UserError(f"{path} holds {shape or 'unknown'} records, but method {method} trains on {what}.",
                    code="train.dataset_wrong_shape",
                    params={"path": str(path), "shape": str(shape or "unknown"), "method": method,
                            "hint": hint, "hint_code": hint_code})


def split_hint(err: UserError) -> tuple[str, str]:
    """(message, hint) of a config UserError, the hint not repeated in the message (error events)."""
    message, hint = str(err), str(err.params.get("hint") or "")
    if hint and message.endswith(hint):
        message = message[: -len(hint)].rstrip()
    return message, hint


def resolve_base_model(value: str) -> Path:
    """The model folder a ``base_model`` value means ("default" → the converted bundled model)."""
    if value == DEFAULT_MODEL:
        return bundled.default_model_dir()
    return Path(value).expanduser()


# --- field checks -----------------------------------------------------------------------------

# What to do about a bad value of each checked field, in English (the GUI words each one itself
# from ``params["hint_code"]`` = "train_config.hint.<field>"; a test keeps the two in step).
FIELD_HINTS = {
    "base_model": "Choose a model folder, or \"default\" for the bundled model.",
    "dataset_path": "Choose a dataset file (JSONL of chat messages).",
    "val_path": "Use a file path.",
    "lora_r": "Typical ranks are 8 to 64.",
    "lora_alpha": "Typically twice lora_r.",
    "lora_dropout": "Use a value from 0 to 0.5 (0.05 is common).",
    "max_seq_len": "Use at least 16 tokens (512 to 4096 is common).",
    "batch_size": "Use 1 or more; lower it when memory runs out.",
    "grad_accum": "Use 1 or more.",
    "epochs": "Use a positive number of passes over the data, e.g. 1 to 3.",
    "max_steps": "Use -1 to train by epochs, or a positive number of steps.",
    "learning_rate": "LoRA usually trains with 1e-4 to 3e-4.",
    "warmup_ratio": "Use a share of the steps from 0 to below 1, e.g. 0.03.",
    "weight_decay": "Use 0 to 0.1.",
    "beta": "Use a small positive number; 0.1 is common for DPO.",
    "logging_steps": "Log every 1 or more steps, or 0 for automatic.",
    "eval_steps": "Evaluate every 1 or more steps.",
    "save_steps": "Save a checkpoint every 1 or more steps.",
    "save_total_limit": "Keep 1 or more checkpoints, or 0 to keep all.",
    "seed": "Use a whole number from 0 to 4294967295.",
    "threads": "Use 1 or more, or leave it empty to use the Settings value.",
    "predicted_peak_gb": "A predicted peak in GiB, or empty.",
    "gradient_checkpointing": 'Use true, false, or "auto" to let the VRAM planner decide for the card.',
    "distributed": "An object with strategy (ddp, fsdp, zero2 or zero3) and processes (how many), e.g. strategy ddp, processes 2.",
    "distributed.processes": "Processes on this machine (one per GPU, or CPU processes): 1 to 64.",
    "distributed.nnodes": "Machines in the rendezvous: 1 for this machine only.",
    "distributed.node_rank": "This machine's number in the rendezvous: 0 to nnodes - 1 (0 on the machine at rdzv).",
    "distributed.rdzv": "The rendezvous address as host:port, e.g. 10.0.0.1:29500 (needed when nnodes > 1).",
}


def _fail(name: str, value: Any, problem: str, hint: str, code: str = "train_config.invalid", *,
          rule: str, hint_code: str = "", **more: Any) -> None:
    """``problem`` and ``hint`` in English; ``rule`` (+ ``more``) and ``hint_code`` the same as data."""
    raise UserError(f"{name}: {problem} (got {value!r}). {hint}", code=code,
                    params={"field": name, "value": value, "problem": problem, "hint": hint, "rule": rule,
                            "hint_code": hint_code, **more})


def _field_hint(name: str) -> tuple[str, str]:
    return FIELD_HINTS[name], f"train_config.hint.{name}"


def _str(cfg: TrainConfig, name: str, nonempty: bool = False) -> None:
    value = getattr(cfg, name)
    hint, hint_code = _field_hint(name)
    if not isinstance(value, str):
        _fail(name, value, "must be text", hint, rule="text", hint_code=hint_code)
    if nonempty and not value.strip():
        _fail(name, value, "is empty", hint, rule="empty", hint_code=hint_code)


def _choice(cfg: TrainConfig, name: str, choices: tuple[str, ...]) -> None:
    value = getattr(cfg, name)
    if value not in choices:
        quoted = ", ".join(f'"{c}"' for c in choices)
        _fail(name, value, f"must be one of {quoted}", f"Choose one of: {', '.join(choices)}.", rule="choice",
              choices=quoted)


def _bool(cfg: TrainConfig, name: str) -> None:
    value = getattr(cfg, name)
    if not isinstance(value, bool):
        _fail(name, value, "must be true or false", "Use true or false.", rule="bool")


def _int(cfg: TrainConfig, name: str, low: int, high: int) -> None:
    value = getattr(cfg, name)
    hint, hint_code = _field_hint(name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 8.0 from a JSON editor is 8
        setattr(cfg, name, value)
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(name, value, "must be a whole number", hint, rule="whole", hint_code=hint_code)
    if not low <= value <= high:
        _fail(name, value, f"must be from {low} to {high}", hint, rule="range_from_to", hint_code=hint_code,
              low=low, high=high)


def _num(cfg: TrainConfig, name: str, low: float, high: float,
         low_open: bool = False, high_open: bool = False) -> None:
    value = getattr(cfg, name)
    hint, hint_code = _field_hint(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        _fail(name, value, "must be a number", hint, rule="number", hint_code=hint_code)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        lo = "above" if low_open else "from"
        hi = "below" if high_open else "to"
        _fail(name, value, f"must be {lo} {low:g} {hi} {high:g}", hint,
              rule=("range_above_below" if low_open and high_open else "range_above_to" if low_open
                    else "range_from_below" if high_open else "range_from_to"),
              hint_code=hint_code, low=f"{low:g}", high=f"{high:g}")


def _distributed(raw: Any) -> dict[str, Any]:
    """``distributed`` checked and completed with DISTRIBUTED_DEFAULTS (a new dict)."""
    hint, hint_code = _field_hint("distributed")
    if not isinstance(raw, dict):
        _fail("distributed", raw, "must be an object", hint, rule="object", hint_code=hint_code)
    unknown = sorted(k for k in raw if k not in DISTRIBUTED_DEFAULTS)
    if unknown:
        _fail(f"distributed.{unknown[0]}", raw[unknown[0]], "is not a known setting", hint, rule="unknown",
              hint_code=hint_code)
    d = TrainConfig.__new__(TrainConfig)  # a bare holder so the field checks below can be reused
    merged = {**DISTRIBUTED_DEFAULTS, **raw}
    for key, value in merged.items():
        setattr(d, f"distributed.{key}", value)
    _choice(d, "distributed.strategy", STRATEGIES)
    _int(d, "distributed.processes", 1, MAX_PROCESSES)
    _bool(d, "distributed.cpu_offload")
    _int(d, "distributed.nnodes", 1, 1024)
    nnodes = getattr(d, "distributed.nnodes")
    _int(d, "distributed.node_rank", 0, nnodes - 1)
    _str(d, "distributed.rdzv")
    rdzv = getattr(d, "distributed.rdzv").strip()
    h, h_code = _field_hint("distributed.rdzv")
    if rdzv and not _RDZV.match(rdzv):
        _fail("distributed.rdzv", rdzv, "must be host:port", h, rule="host_port", hint_code=h_code)
    if nnodes > 1 and not rdzv:
        _fail("distributed.rdzv", rdzv, "is needed when nnodes is more than 1", h, rule="rdzv_needed",
              hint_code=h_code)
    setattr(d, "distributed.rdzv", rdzv)
    return {key: getattr(d, f"distributed.{key}") for key in DISTRIBUTED_DEFAULTS}


# --- presets ----------------------------------------------------------------------------------

def preset(name: str, **overrides: Any) -> TrainConfig:
    """A starting config. ``overrides`` (e.g. ``dataset_path=…``) are applied, not validated:
    call ``validate()`` once the paths are filled in.

    - ``cpu-demo``: the bundled SmolLM2-135M on CPU, fp32 LoRA on all linear layers; a handful of
      steps on ~16 short examples visibly lowers the loss (a first-minute demo, and the tests).
    - ``qlora-8b-24gb``: an 8B model as a 4-bit NF4 base on a 24 GB card (≈ 11–15 GB at 2048 tokens).
    - ``lora-3b-24gb``: a 3B model in bfloat16 with plain LoRA on a 24 GB card.
    """
    if name == "cpu-demo":
        cfg = TrainConfig(
            base_model=DEFAULT_MODEL, method="lora", quantization="none", dtype="float32",
            lora_r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
            max_seq_len=256, batch_size=2, grad_accum=1, epochs=3.0, max_steps=-1,
            learning_rate=1e-3, scheduler="constant", warmup_ratio=0.0, weight_decay=0.0,
            gradient_checkpointing=False, optimizer="adamw_torch",
            logging_steps=1, eval_steps=10, save_steps=10, save_total_limit=2)
    elif name == "qlora-8b-24gb":
        cfg = TrainConfig(
            base_model="", method="qlora", quantization="4bit", dtype="bfloat16",
            lora_r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear",
            max_seq_len=2048, batch_size=2, grad_accum=8, epochs=2.0, max_steps=-1,
            learning_rate=2e-4, scheduler="cosine", warmup_ratio=0.03, weight_decay=0.0,
            gradient_checkpointing="auto", optimizer="paged_adamw_8bit",
            logging_steps=0, eval_steps=100, save_steps=100, save_total_limit=2)
    elif name == "lora-3b-24gb":
        cfg = TrainConfig(
            base_model="", method="lora", quantization="none", dtype="bfloat16",
            lora_r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear",
            max_seq_len=2048, batch_size=4, grad_accum=4, epochs=2.0, max_steps=-1,
            learning_rate=2e-4, scheduler="cosine", warmup_ratio=0.03, weight_decay=0.0,
            gradient_checkpointing="auto", optimizer="adamw_torch",
            logging_steps=0, eval_steps=100, save_steps=100, save_total_limit=2)
    else:
        raise UserError(f"Unknown training preset {name!r}. Choose one of: {', '.join(PRESETS)}.",
                        code="train_config.unknown_preset",
                        params={"field": "preset", "value": name, "choices": ", ".join(PRESETS)})
    known = {f.name for f in fields(TrainConfig)}
    for key, value in overrides.items():
        if key not in known:
            raise UserError(f"Unknown training setting {key!r}.", code="train_config.unknown_field",
                            params={"field": key})
        setattr(cfg, key, value)
    return cfg


# --- run folders ------------------------------------------------------------------------------

def slugify(name: str, max_len: int = 40) -> str:
    """ASCII letters, digits and dashes (a run id travels into vLLM arguments and file names)."""
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")
    return slug[:max_len].strip("-") or "run"


def new_run_id(name: str = "", now: float | None = None) -> str:
    """``YYYYmmdd-HHMMSS-<slug>-<4 hex>``: sorts by start time, unique even within one second."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else time.time()))
    return f"{stamp}-{slugify(name)}-{secrets.token_hex(2)}"


def new_run_dir(name: str = "", root: Path | None = None) -> Path:
    """A new, empty run folder under ``runs/`` (created; never an existing one)."""
    base = paths.runs_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        run_dir = base / new_run_id(name)
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        return run_dir
    raise OSError(f"could not create a unique run folder under {base}")


def write_config(run_dir: Path, cfg: TrainConfig) -> Path:
    """Write ``run_dir/config.json`` atomically (exactly what is launched)."""
    path = Path(run_dir) / CONFIG_FILE
    paths.atomic_write_text(path, cfg.to_json())
    return path


def read_config(path: Path) -> TrainConfig:
    """Load and validate a config file (``config.json`` or any JSON file); UserError if unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"The training config {path} does not exist.", code="train_config.missing",
                        params={"field": "config", "value": str(path),
                                "hint": "Check the path of the config file."}) from None
    except OSError as exc:
        raise UserError(f"The training config {path} cannot be read: {exc}.", code="train_config.unreadable",
                        params={"field": "config", "value": str(path), "reason": str(exc)}) from None
    return TrainConfig.from_json(text)


AUTO_LOG_POINTS = 200  # an automatic logging interval aims at about this many chart points


def logging_interval(logging_steps: int, total_steps: int) -> int:
    """Steps between two logged losses: ``logging_steps`` when set, else every step for a run of
    up to AUTO_LOG_POINTS steps and about AUTO_LOG_POINTS points for a longer one."""
    if logging_steps > 0:
        return logging_steps
    return max(1, -(-max(total_steps, 1) // AUTO_LOG_POINTS))


__all__ = [
    "AUTO_LOG_POINTS", "logging_interval",
    "SCHEMA_VERSION", "CONFIG_FILE", "DEFAULT_MODEL", "METHODS", "QUANTIZATIONS", "DTYPES", "TARGETS",
    "SCHEDULERS", "OPTIMIZERS", "PREFERENCE_METHODS", "SFT_METHODS", "METHOD_SHAPES", "CHAT_SHAPES", "check_dataset_shape", "PRESETS", "FIELD_HINTS", "TrainConfig", "resolve_base_model", "split_hint", "preset", "slugify",
    "new_run_id", "new_run_dir", "write_config", "read_config",
]
