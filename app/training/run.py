"""One LoRA / QLoRA training run, start to end: ``train(rt, resume)`` reads the run folder's
config.json, trains with the transformers Trainer and a peft adapter, and returns the status and
the fields of the ``done`` event (``DONE_FIELDS`` are the ones every ``done`` carries).

The config and its files are checked before torch is imported, so a mistake fails in a second.
A stop (``rt.stop_requested``) ends at a step boundary with a checkpoint and an adapter.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from app.core import settings
from app.core.checkpoints import (
    CHECKPOINTS, checkpoint_problem, checkpoint_step, complete_checkpoints, latest_checkpoint,
    remove_incomplete_checkpoints,
)
from app.core.datasets import validate_dataset_file
from app.core.engine_runtime import EngineRuntime
from app.core.errors import UserError
from app.core.train_config import (
    CONFIG_FILE, PREFERENCE_METHODS, SFT_METHODS, check_dataset_shape, logging_interval, read_config, split_hint,
)
from app.training import distributed
from app.training.memory import write_memory
from app.training.model import ADAPTER, attention_targets, prepare_quantized, save_adapter
from app.training.oom import oom_details, oom_error
from app.training.trainer import atomic_checkpoint_trainer

# What every ``done`` of a training run says, also when it failed before training began.
DONE_FIELDS = {"adapter": None, "final_loss": None, "best_loss": None, "steps": 0, "world_size": 1}
_BASE_WORDS = {"none": "", "4bit": " on a 4-bit base", "8bit": " on an 8-bit base"}

log = logging.getLogger("engine.train")


def quiet_libraries() -> None:
    """transformers logs through our handlers (stderr + train.log), warnings and up; no bars."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    hf_logging.disable_progress_bar()
    for name in ("accelerate", "peft", "bitsandbytes", "torch.distributed"):
        logging.getLogger(name).setLevel(logging.WARNING)


def check_datasets(cfg) -> None:
    """Every dataset file of the run checked as `ai-platform train --dataset` and the Datasets panel
    check it (app.core.datasets, streamed), before torch or a model is loaded: a file that cannot be
    read (a GBK file, a broken JSON document) or holds no valid record fails here, in a second."""
    for value in (cfg.dataset_path, cfg.val_path):
        if not value:
            continue
        path = Path(value).expanduser()
        report = validate_dataset_file(path)
        if not report.n_valid:
            problems = "; ".join(report.first_errors(3))
            raise UserError(f"{path} has no valid record: {problems}.", code="train.dataset_empty",
                            params={"path": str(path), "problems": problems,
                                    "hint": "Check the file with: ai-platform datasets validate FILE"})
        check_dataset_shape(cfg.method, report.shape, str(path))


def checked_config(rt: EngineRuntime, run_dir: Path):
    """The run's config, checked with its files and datasets before any heavy import; None after
    an ``error`` event when a person must fix something."""
    try:
        cfg = read_config(run_dir / CONFIG_FILE)
        cfg.validate(check_files=True)
        check_datasets(cfg)
    except UserError as exc:
        message, hint = split_hint(exc)
        hint_code = exc.params.get("hint_code") or "train.fix_config"
        params = dict(exc.params)
        if exc.code.startswith("dataset.") or exc.code in ("train.dataset_empty", "train.dataset_wrong_shape"):
            hint = hint or "Check the dataset in the Datasets panel, or convert it to chat messages JSONL."
            hint_code = exc.params.get("hint_code") or "train.check_dataset"
        if exc.code == "train_config.missing":
            hint = f"Write the run's settings to {run_dir / CONFIG_FILE} (ai-platform train CONFIG does this)."
            hint_code, params["config_path"] = "train.write_config", str(run_dir / CONFIG_FILE)
        rt.error(message, hint=hint or "Fix the training config and start again.",
                 extra={"code": exc.code, "params": params, "hint_code": hint_code})
        return None
    return cfg


def resume_point(rt: EngineRuntime, resume: str | None, checkpoints_dir: Path) -> tuple[bool, Path | None]:
    """``(ok, checkpoint)`` for ``--resume`` ("latest", a folder or None); ok is False after an
    ``error`` event (a named checkpoint that is not complete)."""
    if not resume:
        if complete_checkpoints(checkpoints_dir):
            rt.info(f"{checkpoints_dir} already holds checkpoints; training from the beginning "
                    "(use --resume latest to continue instead)", level="WARNING")
        return True, None
    if resume == "latest":
        removed = remove_incomplete_checkpoints(checkpoints_dir)
        if removed:
            rt.info(f"Removed incomplete checkpoint folder(s) left by an interrupted save: {', '.join(removed)}",
                    level="WARNING")
        found = latest_checkpoint(checkpoints_dir)
        if found is None:
            rt.info(f"No complete checkpoint in {checkpoints_dir}; training from the beginning", level="WARNING")
        else:
            rt.info(f"Resuming from {found} (step {checkpoint_step(found)})")
        return True, found
    found = Path(resume).expanduser().resolve()
    problem = checkpoint_problem(found)
    if problem:
        rt.error(f"Cannot resume from {found}: {problem}.",
                 hint="Use --resume latest to pick the newest complete checkpoint.",
                 extra={"code": "train.bad_checkpoint", "params": {"path": str(found), "reason": problem}})
        return False, None
    rt.info(f"Resuming from {found} (step {checkpoint_step(found)})")
    return True, found


def decide_checkpointing(cfg, model_dir: Path, cuda: bool) -> dict:
    """``gradient_checkpointing: "auto"`` decided by the VRAM planner on the memory this run has
    now: the GPU's free memory, or the RAM available on the CPU (app.core.vram_planner)."""
    import torch

    from app.core import vram_planner

    try:
        shape = vram_planner.ModelShape.from_model_dir(model_dir)
    except (OSError, ValueError, UserError):
        return {"on": True, "code": "ckpt.unknown_shape", "params": {}}  # cannot plan: the safe side
    if cuda:
        free, _total = torch.cuda.mem_get_info()
        memory_gb, device = free / 2 ** 30, "cuda"
    else:
        import psutil

        memory_gb, device = psutil.virtual_memory().available / 2 ** 30, "cpu"
    inp = vram_planner.plan_input(cfg, shape, memory_gb, device=device)
    return dict(vram_planner.decide_checkpointing(inp), device=device)


def checkpointing_line(d: dict) -> str:
    """The log line that says what "auto" decided and why (the window words it from the code)."""
    memory = "of GPU memory free" if d.get("device") == "cuda" else "of RAM available"
    p = d["params"]
    if d["code"] == "ckpt.fits_without":
        return (f"Gradient checkpointing off (auto): the planner expects {p['without_gb']:.1f} GB without it, "
                f"with {p['card_gb']:.1f} GB {memory} (about 30% faster)")
    if d["code"] == "ckpt.needed":
        return (f"Gradient checkpointing on (auto): without it the planner expects {p['without_gb']:.1f} GB, "
                f"more than the {p['card_gb']:.1f} GB {memory} less a {p['margin_gb']:.1f} GB margin; "
                f"with it {p['with_gb']:.1f} GB")
    return "Gradient checkpointing on: the model's shape could not be read to plan without it"


def train(rt: EngineRuntime, resume: str | None = None) -> tuple[str, dict[str, Any]]:
    """Train the run in ``rt.run_dir`` (its config.json); ``resume``: "latest", a checkpoint folder
    or None. Returns the status and the ``done`` event's fields; a failure a person can fix is an
    ``error`` event first. Under torchrun this is one rank of a distributed run (app/training/ranks.py
    started it): every rank trains, rank 0 alone saves and speaks."""
    t0 = time.monotonic()
    out: dict[str, Any] = {"world_size": distributed.world_size()}
    run_dir: Path = rt.run_dir

    # 1. the config and its files: checked before the heavy imports, so a mistake fails fast.
    cfg = checked_config(rt, run_dir)
    if cfg is None:
        return "failed", out
    model_dir = cfg.model_dir().resolve()
    checkpoints_dir = run_dir / CHECKPOINTS
    ranked = distributed.under_torchrun()
    if ranked:  # the launcher chose and announced the checkpoint
        resume_from = Path(resume) if resume else None
    else:
        ok, resume_from = resume_point(rt, resume, checkpoints_dir)
        if not ok:
            return "failed", out

    threads = cfg.threads or settings.load().cpu_threads
    if ranked:  # the CPU's threads shared between this machine's ranks (a GPU rank needs few)
        threads = max(1, threads // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))
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

    from app.training.callbacks import EventCallback
    from app.training.data import ChatCollator, DataError, load_dataset
    from app.training import methods
    from app.training.packing import PackedCollator, packing_isolates

    quiet_libraries()
    torch.set_num_threads(threads)
    cuda = torch.cuda.is_available()
    if cuda:
        if ranked:
            torch.cuda.set_device(distributed.local_rank())  # one GPU per rank of this machine
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
    if cfg.gradient_checkpointing == "auto":
        import dataclasses

        decision = decide_checkpointing(cfg, model_dir, cuda)
        cfg = dataclasses.replace(cfg, gradient_checkpointing=decision["on"])
        out["gradient_checkpointing"] = decision
        rt.info(checkpointing_line(decision))
    rt.info(f"Training {model_dir.name} with {cfg.method}"
            f"{_BASE_WORDS[cfg.quantization]}, {dtype_name}, "
            f"on {torch.cuda.get_device_name(0) if cuda else f'the CPU ({threads} thread(s))'}; "
            f"torch {torch.__version__}, transformers {transformers.__version__}")
    if rt.stop_requested:
        return "stopped", out

    # 3. data
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    preference = cfg.method in PREFERENCE_METHODS
    try:
        eval_set = None
        if preference:
            train_set, preport = methods.load_preference_set(Path(cfg.dataset_path).expanduser())
            rt.info(f"Training data: {len(train_set)} preference pair(s) from {cfg.dataset_path}"
                    + (f", {preport.n_invalid} invalid left out" if preport.n_invalid else ""))
            if cfg.val_path:
                eval_set, _ = methods.load_preference_set(Path(cfg.val_path).expanduser())
            out.update(examples=len(train_set), dropped=preport.n_invalid, malformed=preport.n_invalid)
        elif cfg.method == "cpt":
            train_set, counts = methods.load_text_blocks(Path(cfg.dataset_path).expanduser(), tokenizer,
                                                         cfg.max_seq_len)
            rt.info(f"Training data: {counts['texts']} text(s), {counts['tokens']:,} tokens in "
                    f"{counts['blocks']} block(s) of up to {cfg.max_seq_len} tokens from {cfg.dataset_path}")
            if cfg.val_path:
                eval_set, _ = methods.load_text_blocks(Path(cfg.val_path).expanduser(), tokenizer, cfg.max_seq_len)
            out.update(examples=counts["blocks"], texts=counts["texts"], dropped=counts["invalid"],
                       malformed=counts["invalid"])
        else:
            train_set, report = load_dataset(Path(cfg.dataset_path).expanduser(), tokenizer, cfg.max_seq_len)
            rt.info("Training data: " + report.summary(),
                    level="WARNING" if report.malformed or report.no_assistant else "INFO")
            for problem in report.first_problems:
                rt.info(f"Skipped {problem}", level="WARNING")
            if cfg.val_path:
                eval_set, vreport = load_dataset(Path(cfg.val_path).expanduser(), tokenizer, cfg.max_seq_len)
                rt.info("Validation data: " + vreport.summary())
            out.update(examples=report.records, dropped=report.no_assistant + report.malformed,
                       dropped_no_assistant=report.no_assistant, malformed=report.malformed)
    except DataError as exc:
        rt.user_error(exc, hint="Check the dataset in the Datasets panel, or convert it to chat messages JSONL.",
                      hint_code="train.check_dataset")
        return "failed", out
    if rt.stop_requested:
        return "stopped", out

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
        targets: Any = "all-linear" if cfg.target_modules == "all-linear" else attention_targets(model)
        lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=targets, bias="none", task_type="CAUSAL_LM")
        if not preference:  # TRL wraps the model itself (its reference = this base, adapter disabled)
            model = get_peft_model(model, lora)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total_params = sum(p.numel() for p in model.parameters())
        if preference:
            rt.info(f"Loaded in {time.monotonic() - t_load:.1f} s; {cfg.method.upper()} with beta {cfg.beta:g}, "
                    f"LoRA r={cfg.lora_r}; the reference model is the base with the adapter disabled")
        else:
            rt.info(f"Loaded in {time.monotonic() - t_load:.1f} s; LoRA r={cfg.lora_r} on "
                    f"{cfg.target_modules if isinstance(targets, str) else ', '.join(targets)}: "
                    f"{trainable:,} trainable of {total_params:,} parameters")
        packing = cfg.packing and cfg.method in SFT_METHODS
        if packing:
            packing = _packing_holds(rt, model, tokenizer, dtype_name, cfg.quantization, packing_isolates)
        out["packing"] = packing
        if rt.stop_requested:
            return "stopped", out

        # 5. trainer
        batches = -(-len(train_set) // cfg.batch_size)
        total_steps = cfg.max_steps if cfg.max_steps > 0 else max(1, int(-(-batches // cfg.grad_accum) * cfg.epochs))
        log_every = logging_interval(cfg.logging_steps, total_steps)  # every run gets a useful curve
        scheduler = cfg.scheduler
        if scheduler == "constant" and cfg.warmup_ratio > 0:
            scheduler = "constant_with_warmup"
        common = dict(
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
            logging_steps=log_every,
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
        common.update(distributed.trainer_arguments(cfg.distributed, run_dir, "cuda" if cuda else "cpu"))
        if cfg.method in SFT_METHODS and not packing and not ranked:
            # Padded batches of similar lengths (shuffled within groups) compute less padding. Not
            # across ranks: its shuffle draws from each process's global RNG, so the ranks' orders
            # can differ; the seeded sampler deals one order out to every rank.
            common["train_sampling_strategy"] = "group_by_length"
        events = EventCallback(rt, checkpoints_dir,
                               should_stop=distributed.stop_check(rt, run_dir, cuda) if ranked else None)
        if preference:
            trainer_class, config_class = methods.preference_trainer(cfg.method, None)
            trainer = atomic_checkpoint_trainer(trainer_class)(
                model=model, args=methods.preference_args(config_class, common, cfg), train_dataset=train_set,
                eval_dataset=eval_set, processing_class=tokenizer, peft_config=lora, callbacks=[events])
            trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
            rt.info(f"{trainable:,} trainable of {total_params:,} parameters")
        else:
            collator = (PackedCollator(pad_id, max_len=cfg.max_seq_len) if packing
                        else ChatCollator(pad_id, pad_to_multiple_of=8 if cuda else None))
            trainer = atomic_checkpoint_trainer()(
                model=model, args=TrainingArguments(**common), train_dataset=train_set, eval_dataset=eval_set,
                data_collator=collator, callbacks=[events])
            if not ranked:  # DDP must see the forward through its wrapper: several processes keep the model's loss
                from app.training import label_loss

                trainer.label_loss = label_loss.parts(model)
            out["label_loss"] = trainer.label_loss is not None
        # stdout is for events only: no printed logs, no progress bars.
        trainer.remove_callback(PrinterCallback)
        trainer.remove_callback(ProgressCallback)
        rt.info(f"{len(train_set)} example(s), batch {cfg.batch_size} × {cfg.grad_accum} accumulation, "
                f"{'max ' + str(cfg.max_steps) + ' steps' if cfg.max_steps > 0 else f'{cfg.epochs:g} epoch(s)'}")
        t_train, c_train = time.monotonic(), time.process_time()
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
        if ranked:
            rt.info(f"Trained on {distributed.world_size()} processes; the model was wrapped as "
                    f"{type(trainer.model_wrapped).__name__}")
        out["train_call_seconds"] = round(time.monotonic() - t_train, 3)
        out["train_call_cpu_seconds"] = round(time.process_time() - c_train, 3)
        step_now = trainer.state.global_step
    except torch.OutOfMemoryError as exc:
        step_now = trainer.state.global_step if trainer is not None else 0
        oom_step = step_now + 1 if trainer is not None else None
        message, hint = oom_error(exc, cfg, oom_step)
        log.error("CUDA out of memory: %s", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
        rt.error(message, hint=hint, extra=oom_details(exc, cfg, oom_step))
        _summarize(out, events, step_now, t0)
        write_memory(run_dir, cfg, "oom", step_now)
        return "failed", out

    # 6. the adapter
    stopped = events is not None and events.stopped_at is not None
    _summarize(out, events, step_now, t0)
    if not distributed.is_main():
        return ("stopped" if stopped else "completed"), out  # rank 0 saves the adapter
    if step_now > 0:
        adapter = save_adapter(trainer.model, run_dir)
        out["adapter"] = str(adapter)
        rt.info(f"Adapter saved to {adapter}")
    elif (run_dir / ADAPTER).is_dir():
        out["adapter"] = str(run_dir / ADAPTER)
    write_memory(run_dir, cfg, "stopped" if stopped else "completed", step_now)
    return ("stopped" if stopped else "completed"), out


def _packing_holds(rt: EngineRuntime, model, tokenizer, dtype_name: str, quantization: str, isolates) -> bool:
    """Whether this model keeps packed examples apart (its attention reads the restarting position
    ids); a log line says which batches the run uses and why."""
    attn = getattr(model.config, "_attn_implementation", None) or "default"
    exact = dtype_name == "float32" and quantization == "none"
    holds, worst = isolates(model, len(tokenizer), 1e-3 if exact else 3e-2)
    if holds:
        rt.info(f"Packing: each batch's examples in rows of up to the sequence length, no padding "
                f"between them; checked on this model ({attn} attention, largest difference {worst:.1e})")
    else:
        rt.info(f"Packing is off: this model's {attn} attention crosses packed examples (difference "
                f"{worst:.2g}); training on padded batches of similar lengths instead", level="WARNING")
    return holds


def _summarize(out: dict, events, step: int, t0: float) -> None:
    out["steps"] = step
    out["seconds"] = round(time.monotonic() - t0, 2)
    if events is not None:
        out.update(final_loss=events.final_loss, best_loss=events.best_loss,
                   train_seconds=round(events.train_seconds, 3), tokens=events.tokens_seen,
                   tokens_per_s=round(events.tokens_per_s, 2) if events.tokens_per_s else None)
        out.update(events.rewards)  # DPO / ORPO: the last reward accuracy, margin, chosen, rejected
        if events.eval_losses:
            out["best_eval_loss"] = events.best_eval_loss
            out["final_eval_loss"] = events.eval_losses[-1][1]
