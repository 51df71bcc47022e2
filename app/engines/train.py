"""Fine-tune a chat model with LoRA or QLoRA: the training engine.

    python -m app.engines.train RUN_DIR [--resume latest|CHECKPOINT_DIR]

Reads ``RUN_DIR/config.json`` (:class:`app.core.train_config.TrainConfig`) and trains with the
transformers Trainer and a peft LoRA adapter: plain LoRA on a float32 / bfloat16 / float16 base, on
an 8-bit base, or QLoRA on a 4-bit NF4 base with double quantization. Events go to stdout and
``RUN_DIR/events.jsonl`` (see app/core/engine_runtime.py); the human log goes to stderr and, unless
stderr already is that file, to ``RUN_DIR/train.log``.

The run folder when it ends::

    config.json  events.jsonl  train.log  engine.json
    checkpoints/checkpoint-N/   complete checkpoints only (written as .tmp-checkpoint-N, renamed)
    adapter/                    the final PEFT adapter (adapter_config.json + adapter_model.safetensors)
    memory.json                 CUDA runs: measured peak GPU memory beside the planner's prediction

``{"cmd":"stop"}`` on stdin, SIGTERM or Ctrl+C stop at the next step boundary with a checkpoint
and an adapter (``done: stopped``); ``--resume latest`` continues from the newest complete checkpoint.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from app.core import paths, settings
from app.core.checkpoints import (  # noqa: F401 - re-exported: the engine's own vocabulary
    ADAPTER_FILES, CHECKPOINT_PREFIX, CHECKPOINTS, TMP_CHECKPOINT_PREFIX, TRAINER_STATE, checkpoint_problem,
    checkpoint_step, complete_checkpoints, latest_checkpoint, remove_incomplete_checkpoints,
)
from app.core.errors import UserError
from app.core.paths import atomic_write_text
from app.core.train_config import CONFIG_FILE, TrainConfig, read_config, split_hint
from app.core.engine_runtime import EngineRuntime

ENGINE = "train"
LOG_FILE = "train.log"
MEMORY_FILE = "memory.json"
ADAPTER = "adapter"
_BASE_WORDS = {"none": "", "4bit": " on a 4-bit base", "8bit": " on an 8-bit base"}
# Attention projections by name, for a model whose attention modules are not named "attn"/"attention".
_ATTENTION_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj")

log = logging.getLogger("engine.train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.train", description=__doc__.split("\n")[0])
    ap.add_argument("run_dir", type=Path, help="the run folder; it holds config.json")
    ap.add_argument("--resume", default=None, metavar="latest|CHECKPOINT_DIR",
                    help="continue from the newest complete checkpoint, or from the one given")
    return ap.parse_args(argv)


# --- errors a person can act on ---------------------------------------------------------------

def prepare_quantized(model, gradient_checkpointing: bool, gc_kwargs: dict) -> None:
    """What peft's ``prepare_model_for_kbit_training`` does for a 4/8-bit base, minus its upcast of
    every 16-bit frozen weight (embeddings, lm_head, norms) to fp32: freeze the base, let inputs carry
    gradients through checkpointed blocks. The upcast cost 3.4 GiB allocated (4.7 GiB reserved) on
    an 8B QLoRA step, with the same losses (docs/gpu-results.md); LoRA weights are still fp32 (peft
    autocasts adapters), so training stays numerically as before."""
    for param in model.parameters():
        param.requires_grad = False
    if gradient_checkpointing:
        model.enable_input_require_grads()
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)


def oom_details(exc: BaseException, cfg: TrainConfig | None, step: int | None = None) -> dict:
    """What an out-of-memory error needs said, as data (the GUI words it in the user's language):
    ``{"code": "train.oom", "step", "alloc", "first_line", "fixes": [...]}``. The fixes, in order: a
    smaller batch with more gradient accumulation (same effective batch), a shorter max_seq_len,
    gradient checkpointing, QLoRA; else a smaller rank or model."""
    text = str(exc).strip()
    m = re.search(r"Tried to allocate ([\d.]+ [KMGT]?i?B)", text)
    fixes: list[dict] = []
    if cfg is None:
        fixes = [{"fix": "batch"}, {"fix": "seq"}, {"fix": "checkpointing"}, {"fix": "qlora"}]
    else:
        if cfg.batch_size > 1:
            new_bs = max(1, cfg.batch_size // 2)
            fixes.append({"fix": "batch", "from": cfg.batch_size, "to": new_bs, "ga_from": cfg.grad_accum,
                          "ga_to": cfg.grad_accum * cfg.batch_size // new_bs})
        if cfg.max_seq_len > 256:
            fixes.append({"fix": "seq", "from": cfg.max_seq_len, "to": max(256, cfg.max_seq_len // 2)})
        if not cfg.gradient_checkpointing:
            fixes.append({"fix": "checkpointing"})
        if cfg.method != "qlora":
            fixes.append({"fix": "qlora"})
        if not fixes:
            fixes.append({"fix": "smaller"})
    return {"code": "train.oom", "step": step, "alloc": m.group(1) if m else None,
            "first_line": text.splitlines()[0][:200] if text else "", "fixes": fixes}


def _fix_text(f: dict) -> str:
    kind = f["fix"]
    if kind == "batch":
        if "from" in f:
            return (f"lower batch_size from {f['from']} to {f['to']} and raise grad_accum from "
                    f"{f['ga_from']} to {f['ga_to']} (same effective batch)")
        return "lower batch_size (raise grad_accum to keep the effective batch)"
    if kind == "seq":
        return f"lower max_seq_len from {f['from']} to {f['to']}" if "from" in f else "lower max_seq_len"
    if kind == "checkpointing":
        return "enable gradient_checkpointing"
    if kind == "qlora":
        return "use QLoRA (method \"qlora\", a 4-bit base)"
    return "lower lora_r, or choose a smaller base model"


def oom_error(exc: BaseException, cfg: TrainConfig | None, step: int | None = None) -> tuple[str, str]:
    """(message, hint) in English for the log and the CLI; ``oom_details`` is the same as data."""
    d = oom_details(exc, cfg, step)
    message = "The GPU ran out of memory" + (f" at step {step}" if step else "")
    if d["alloc"]:
        message += f" (tried to allocate {d['alloc']})"
    message += "."
    if d["first_line"] and not d["alloc"]:
        message += f" {d['first_line']}"
    hint = "Try, in this order: " + "; ".join(_fix_text(f) for f in d["fixes"]) + "."
    return message, hint


# --- logging ----------------------------------------------------------------------------------

def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def setup_logging(run_dir: Path | None) -> None:
    """Human log to stderr (the runtime set that up) and to RUN_DIR/train.log, unless stderr is
    already that file (the GUI redirects it there): then a second handler would double each line."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if run_dir is not None:
        path = run_dir / LOG_FILE
        if not _same_file(2, path):
            fh = logging.FileHandler(path, encoding="utf-8")
            fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            root.addHandler(fh)
    logging.captureWarnings(True)


def _quiet_libraries() -> None:
    """transformers logs through our handlers (stderr + train.log), warnings and up; no bars."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    hf_logging.disable_progress_bar()
    for name in ("accelerate", "peft", "bitsandbytes", "torch.distributed"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _protect_stdout() -> TextIO:
    """The events' own stream; file descriptor 1 then points at stderr, so a stray print (a
    library, a C extension) can never break the JSON lines on stdout."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", encoding="utf-8", buffering=1)


# --- the run ----------------------------------------------------------------------------------

class Outcome:
    """What ``done`` carries."""

    def __init__(self) -> None:
        self.status = "failed"
        self.extra: dict[str, Any] = {"adapter": None, "final_loss": None, "best_loss": None, "steps": 0}


class _Interrupts:
    """Ctrl+C stops like SIGTERM (at a step boundary, with a checkpoint); a second one aborts."""

    def __init__(self) -> None:
        self.seen = False

    def install(self) -> None:
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._handler)

    def _handler(self, signum, frame) -> None:
        if self.seen:
            raise KeyboardInterrupt
        self.seen = True


def _attention_targets(model) -> list[str]:
    """Leaf names of the Linear layers inside attention blocks (q/k/v/o projections)."""
    import torch

    names: set[str] = set()
    for full, module in model.named_modules():
        leaf = full.rsplit(".", 1)[-1]
        parent = full.rsplit(".", 1)[0].lower() if "." in full else ""
        linear = isinstance(module, torch.nn.Linear) or type(module).__name__ in ("Linear4bit", "Linear8bitLt")
        if linear and ("attn" in parent or "attention" in parent) and "lm_head" not in full:
            names.add(leaf)
    if not names:
        present = {full.rsplit(".", 1)[-1] for full, _ in model.named_modules()}
        names = {n for n in _ATTENTION_NAMES if n in present}
    return sorted(names)


def _write_memory(run_dir: Path, cfg: TrainConfig | None, status: str, step: int) -> None:
    import torch

    if not torch.cuda.is_available():
        return
    from app.engines.train_callbacks import GIB

    props = torch.cuda.get_device_properties(torch.cuda.current_device())
    data = {
        "device": props.name,
        "total_gb": round(props.total_memory / GIB, 3),
        "peak_reserved_gb": round(torch.cuda.max_memory_reserved() / GIB, 3),
        "peak_allocated_gb": round(torch.cuda.max_memory_allocated() / GIB, 3),
        "predicted_peak_gb": cfg.predicted_peak_gb if cfg is not None else None,
        "status": status,
        "step": step,
        "measured_at": time.time(),
    }
    if cfg is not None:
        data["config"] = {k: getattr(cfg, k) for k in (
            "base_model", "method", "quantization", "dtype", "lora_r", "target_modules", "max_seq_len",
            "batch_size", "grad_accum", "gradient_checkpointing", "optimizer")}
    atomic_write_text(run_dir / MEMORY_FILE, json.dumps(data, indent=2) + "\n")


def train(rt: EngineRuntime, args: argparse.Namespace, interrupts: _Interrupts | None = None) -> Outcome:
    t0 = time.monotonic()
    out = Outcome()
    run_dir: Path = rt.run_dir
    interrupts = interrupts or _Interrupts()

    def stop_requested() -> bool:
        return rt.stop_requested or interrupts.seen

    # 1. the config and its files: checked before the heavy imports, so a mistake fails fast.
    try:
        cfg = read_config(run_dir / CONFIG_FILE)
        cfg.validate(check_files=True)
    except UserError as exc:
        message, hint = split_hint(exc)
        if exc.code == "train_config.missing":
            hint = f"Write the run's settings to {run_dir / CONFIG_FILE} (ai-platform train CONFIG does this)."
        rt.error(message, hint=hint or "Fix the training config and start again.")
        return out
    model_dir = cfg.model_dir().resolve()
    checkpoints_dir = run_dir / CHECKPOINTS

    resume_from: Path | None = None
    if args.resume:
        if args.resume == "latest":
            removed = remove_incomplete_checkpoints(checkpoints_dir)
            if removed:
                rt.info(f"Removed incomplete checkpoint folder(s) left by an interrupted save: {', '.join(removed)}",
                        level="WARNING")
            resume_from = latest_checkpoint(checkpoints_dir)
            if resume_from is None:
                rt.info(f"No complete checkpoint in {checkpoints_dir}; training from the beginning",
                        level="WARNING")
            else:
                rt.info(f"Resuming from {resume_from} (step {checkpoint_step(resume_from)})")
        else:
            resume_from = Path(args.resume).expanduser().resolve()
            problem = checkpoint_problem(resume_from)
            if problem:
                rt.error(f"Cannot resume from {resume_from}: {problem}.",
                         hint="Use --resume latest to pick the newest complete checkpoint.")
                return out
            rt.info(f"Resuming from {resume_from} (step {checkpoint_step(resume_from)})")
    elif complete_checkpoints(checkpoints_dir):
        rt.info(f"{checkpoints_dir} already holds checkpoints; training from the beginning "
                "(use --resume latest to continue instead)", level="WARNING")

    threads = cfg.threads or settings.load().cpu_threads
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    # 2. heavy imports
    import torch
    import transformers
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    from app.engines.train_callbacks import EventCallback
    from app.engines.train_data import ChatCollator, DataError, load_dataset

    _quiet_libraries()
    torch.set_num_threads(threads)
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    dtype_name = cfg.dtype
    if not cuda and dtype_name == "float16":
        rt.info("float16 training needs a CUDA GPU; using float32 on the CPU", level="WARNING")
        dtype_name = "float32"
    if cuda and dtype_name == "bfloat16" and not torch.cuda.is_bf16_supported():
        rt.info("This GPU has no bfloat16; using float16", level="WARNING")
        dtype_name = "float16"
    dtype = getattr(torch, dtype_name)
    optim = cfg.optimizer
    if optim == "paged_adamw_8bit" and not cuda:
        rt.info("paged_adamw_8bit needs a CUDA GPU; using adamw_torch on the CPU", level="WARNING")
        optim = "adamw_torch"
    elif optim == "adamw_torch" and cuda:
        optim = "adamw_torch_fused"  # the same AdamW, one fused kernel
    rt.info(f"Training {model_dir.name} with {cfg.method}"
            f"{_BASE_WORDS[cfg.quantization]}, {dtype_name}, "
            f"on {torch.cuda.get_device_name(0) if cuda else f'the CPU ({threads} thread(s))'}; "
            f"torch {torch.__version__}, transformers {transformers.__version__}")
    if stop_requested():
        out.status = "stopped"
        return out

    # 3. data
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    try:
        train_set, report = load_dataset(Path(cfg.dataset_path).expanduser(), tokenizer, cfg.max_seq_len)
        rt.info("Training data: " + report.summary(),
                level="WARNING" if report.malformed or report.no_assistant else "INFO")
        for problem in report.first_problems:
            rt.info(f"Skipped {problem}", level="WARNING")
        eval_set = None
        if cfg.val_path:
            eval_set, vreport = load_dataset(Path(cfg.val_path).expanduser(), tokenizer, cfg.max_seq_len)
            rt.info("Validation data: " + vreport.summary())
    except DataError as exc:
        rt.error(str(exc), hint="Check the dataset in the Datasets panel, or convert it to chat messages JSONL.")
        return out
    out.extra.update(examples=report.records, dropped=report.no_assistant + report.malformed,
                     dropped_no_assistant=report.no_assistant, malformed=report.malformed)
    if stop_requested():
        out.status = "stopped"
        return out

    # 4. model + adapter
    t_load = time.monotonic()
    load_kwargs: dict[str, Any] = {"dtype": dtype}
    if cfg.quantization != "none":
        from transformers import BitsAndBytesConfig

        if cfg.quantization == "4bit":
            load_kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=dtype)
        else:
            load_kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
    if cuda or cfg.quantization != "none":  # straight onto the GPU; bitsandbytes wants a device map
        load_kwargs["device_map"] = {"": torch.cuda.current_device() if cuda else "cpu"}
    step_now = 0
    trainer = None
    events: EventCallback | None = None
    try:
        model = AutoModelForCausalLM.from_pretrained(str(model_dir), **load_kwargs)
        model.config.use_cache = False
        gc_kwargs = {"use_reentrant": False}
        if cfg.quantization != "none":
            prepare_quantized(model, cfg.gradient_checkpointing, gc_kwargs)
        targets: Any = "all-linear" if cfg.target_modules == "all-linear" else _attention_targets(model)
        lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=targets, bias="none", task_type="CAUSAL_LM")
        model = get_peft_model(model, lora)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total_params = sum(p.numel() for p in model.parameters())
        rt.info(f"Loaded in {time.monotonic() - t_load:.1f} s; LoRA r={cfg.lora_r} on "
                f"{cfg.target_modules if isinstance(targets, str) else ', '.join(targets)}: "
                f"{trainable:,} trainable of {total_params:,} parameters")
        if stop_requested():
            out.status = "stopped"
            return out

        # 5. trainer
        scheduler = cfg.scheduler
        if scheduler == "constant" and cfg.warmup_ratio > 0:
            scheduler = "constant_with_warmup"
        targs = TrainingArguments(
            output_dir=str(checkpoints_dir),
            per_device_train_batch_size=cfg.batch_size,
            per_device_eval_batch_size=cfg.batch_size,
            gradient_accumulation_steps=cfg.grad_accum,
            num_train_epochs=float(cfg.epochs),
            max_steps=cfg.max_steps,
            learning_rate=cfg.learning_rate,
            lr_scheduler_type=scheduler,
            warmup_steps=float(cfg.warmup_ratio),
            weight_decay=cfg.weight_decay,
            optim=optim,
            logging_strategy="steps",
            logging_steps=cfg.logging_steps,
            logging_first_step=True,
            eval_strategy="steps" if eval_set is not None else "no",
            eval_steps=cfg.eval_steps,
            save_strategy="steps",
            save_steps=cfg.save_steps,
            save_total_limit=cfg.save_total_limit or None,
            seed=cfg.seed,
            data_seed=cfg.seed,
            bf16=dtype_name == "bfloat16",
            fp16=dtype_name == "float16",
            use_cpu=not cuda,
            gradient_checkpointing=cfg.gradient_checkpointing,
            gradient_checkpointing_kwargs=gc_kwargs,
            report_to="none",
            disable_tqdm=True,
            remove_unused_columns=False,
            label_names=["labels"],
            dataloader_num_workers=0,
            dataloader_pin_memory=cuda,
            include_num_input_tokens_seen="non_padding",
            log_level="warning",
        )
        events = EventCallback(rt, checkpoints_dir, should_stop=stop_requested)
        trainer = atomic_checkpoint_trainer()(
            model=model, args=targs, train_dataset=train_set, eval_dataset=eval_set,
            data_collator=ChatCollator(pad_id, pad_to_multiple_of=8 if cuda else None),
            callbacks=[events])
        # stdout is for events only: no printed logs, no progress bars.
        trainer.remove_callback(PrinterCallback)
        trainer.remove_callback(ProgressCallback)
        rt.info(f"{len(train_set)} example(s), batch {cfg.batch_size} × {cfg.grad_accum} accumulation, "
                f"{'max ' + str(cfg.max_steps) + ' steps' if cfg.max_steps > 0 else f'{cfg.epochs:g} epoch(s)'}")
        t_train, c_train = time.monotonic(), time.process_time()
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        out.extra["train_call_seconds"] = round(time.monotonic() - t_train, 3)
        out.extra["train_call_cpu_seconds"] = round(time.process_time() - c_train, 3)
        step_now = trainer.state.global_step
    except torch.OutOfMemoryError as exc:
        step_now = trainer.state.global_step if trainer is not None else 0
        oom_step = step_now + 1 if trainer is not None else None
        message, hint = oom_error(exc, cfg, oom_step)
        log.error("CUDA out of memory: %s", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
        rt.error(message, hint=hint, extra=oom_details(exc, cfg, oom_step))
        _summarize(out, events, step_now, t0)
        _write_memory(run_dir, cfg, "oom", step_now)
        return out

    # 6. the adapter
    stopped = events is not None and events.stopped_at is not None
    _summarize(out, events, step_now, t0)
    if step_now > 0:
        adapter = save_adapter(trainer.model, run_dir)
        out.extra["adapter"] = str(adapter)
        rt.info(f"Adapter saved to {adapter}")
    elif (run_dir / ADAPTER).is_dir():
        out.extra["adapter"] = str(run_dir / ADAPTER)
    _write_memory(run_dir, cfg, "stopped" if stopped else "completed", step_now)
    out.status = "stopped" if stopped else "completed"
    return out


def _summarize(out: Outcome, events, step: int, t0: float) -> None:
    out.extra["steps"] = step
    out.extra["seconds"] = round(time.monotonic() - t0, 2)
    if events is not None:
        out.extra.update(final_loss=events.final_loss, best_loss=events.best_loss,
                         train_seconds=round(events.train_seconds, 3), tokens=events.tokens_seen,
                         tokens_per_s=round(events.tokens_per_s, 2) if events.tokens_per_s else None)
        if events.eval_losses:
            out.extra["best_eval_loss"] = events.best_eval_loss
            out.extra["final_eval_loss"] = events.eval_losses[-1][1]


def save_adapter(model, run_dir: Path) -> Path:
    """The PEFT adapter (adapter_config.json + adapter_model.safetensors) into RUN_DIR/adapter,
    through a temp folder and a rename: the folder is either the old adapter or the new one."""
    target = run_dir / ADAPTER
    tmp = run_dir / f".{ADAPTER}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(str(tmp), safe_serialization=True)
        missing = [name for name in ADAPTER_FILES if not (tmp / name).is_file()]
        if missing:
            raise RuntimeError(f"the saved adapter lacks {', '.join(missing)}")
        paths.fsync_tree(tmp)
        paths.install_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


# --- the Trainer, with atomic checkpoints (transformers imported on first use) ----------------

_TRAINER_CLASS: list[type] = []


def atomic_checkpoint_trainer() -> type:
    """A Trainer subclass that writes each checkpoint as ``.tmp-checkpoint-N/checkpoint-N`` and
    renames it to ``checkpoints/checkpoint-N`` once complete (trainer_state.json is the Trainer's
    last file), so a kill mid-save never leaves a ``checkpoint-N`` that resume could pick."""
    if _TRAINER_CLASS:
        return _TRAINER_CLASS[0]
    from transformers import Trainer
    from transformers.trainer_utils import rotate_checkpoints

    class AtomicCheckpointTrainer(Trainer):
        _staging: str | None = None

        def _get_output_dir(self, trial):
            if self._staging is not None:
                return self._staging
            return super()._get_output_dir(trial)

        def _save_checkpoint(self, model, trial):
            root = Path(super()._get_output_dir(trial))
            step = self.state.global_step
            staging = root / f"{TMP_CHECKPOINT_PREFIX}{step}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            self._staging = str(staging)
            try:
                super()._save_checkpoint(model, trial)
            finally:
                self._staging = None
            src = staging / f"{CHECKPOINT_PREFIX}{step}"
            if not (src / TRAINER_STATE).is_file():
                raise RuntimeError(f"checkpoint {step} was not written completely")
            paths.fsync_tree(src)
            paths.install_dir(src, root / f"{CHECKPOINT_PREFIX}{step}")
            shutil.rmtree(staging, ignore_errors=True)
            if self.args.should_save:
                rotate_checkpoints(output_dir=str(root), save_total_limit=self.args.save_total_limit,
                                   best_model_checkpoint=self.state.best_model_checkpoint)

    _TRAINER_CLASS.append(AtomicCheckpointTrainer)
    return AtomicCheckpointTrainer


def main(argv: list[str] | None = None, stdout: TextIO | None = None) -> int:
    args = parse_args(argv)
    run_dir = args.run_dir.expanduser().resolve()
    interrupts = _Interrupts()
    t0 = time.monotonic()
    if not run_dir.is_dir():
        rt = EngineRuntime(ENGINE, run_dir=None, stdout=stdout)
        rt.started()
        rt.error(f"The run folder {run_dir} does not exist.",
                 hint="Create it with its config.json first (ai-platform train CONFIG does both).")
        rt.done("failed", adapter=None, steps=0)
        return 1
    rt = EngineRuntime(ENGINE, run_dir=run_dir, stdout=stdout)
    setup_logging(run_dir)
    interrupts.install()
    rt.started(run_dir=str(run_dir), resume=args.resume)
    try:
        out = train(rt, args, interrupts)
    except KeyboardInterrupt:
        rt.error("Interrupted twice; stopped without saving.", hint="Resume from the last checkpoint.")
        out = Outcome()
    except Exception as exc:  # noqa: BLE001 - the GUI must get an event, not a dead pipe
        rt.log.exception("training failed")
        rt.error(f"{type(exc).__name__}: {exc}", hint=f"See {run_dir / LOG_FILE} for the details.")
        out = Outcome()
    extra = dict(out.extra)
    extra.setdefault("seconds", round(time.monotonic() - t0, 2))
    rt.done(out.status, **extra)
    logging.shutdown()
    return 0 if out.status in ("completed", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main(stdout=_protect_stdout()))
