"""Measure a real QLoRA step on an NVIDIA GPU against the VRAM planner's prediction.

    python benchmarks/gpu_qlora.py                      # Llama-3-8B shape, seq 2048, batch 1, 5 steps
    python benchmarks/gpu_qlora.py --layers 4 --steps 3 # a quick check (4 of the 32 layers)
    python benchmarks/gpu_qlora.py --smoke-cpu          # the same code path on CPU, 2 tiny layers

Needs only torch, transformers, peft, accelerate and bitsandbytes (and optionally nvidia-ml-py);
no network and no download: the model is a Llama-3-8B-shaped LlamaConfig built in code, with random
weights.

How the 4-bit model is built, and why: the benchmark must measure what the train engine runs, and
the engine loads a Hugging Face folder with ``from_pretrained(quantization_config=BitsAndBytesConfig(
nf4, double quant))`` and then calls peft's ``prepare_model_for_kbit_training``. So this script
writes a random-weight bf16 checkpoint to a temporary folder, one safetensors shard per decoder layer
(random tensors are made on the GPU, a layer at a time: host memory stays at one layer, ~0.45 GB for
the 8B shape), and loads it exactly like the engine. The alternatives were rejected: instantiating
in bf16 on the GPU and quantizing in place needs the whole 15 GiB bf16 model on the card and a
hand-made quantizer; building bnb Linear4bit modules by hand skips transformers' quantizer, so the
model lacks the flags peft and prepare_model_for_kbit_training look at. The checkpoint costs ~16 GB
of disk and a minute or two for the full 8B shape; ``--layers`` shrinks it.

The training loop mirrors the engine (HF Trainer with bf16=True): autocast bf16, non-reentrant
gradient checkpointing, LoRA r=16 on all linear layers, bitsandbytes' PagedAdamW8bit. Memory is
capped with ``torch.cuda.set_per_process_memory_fraction(cap / total)`` so that a bigger card
behaves like a 24 GiB one (the caching allocator raises OOM past the cap).

Prints one JSON object on stdout: measured torch peaks (allocated, reserved), NVML's view of the
process and device when pynvml is available, the planner's prediction for the same settings and the
errors. Note: paged optimizer states live in CUDA unified memory (cudaMallocManaged), outside
torch's allocator: they are in NVML's figure but not in torch.cuda.max_memory_allocated, so they are
subtracted from the prediction compared with torch's counters.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.core import train_config  # noqa: E402
from app.core import vram_planner as vp  # noqa: E402  (pure Python: no torch)

GIB = 1024 ** 3

LLAMA_3_8B = dict(vp.REFERENCE_CONFIGS["llama-3-8b"], rope_theta=500000.0, rms_norm_eps=1e-5,
                  bos_token_id=128000, eos_token_id=128001)
TINY = dict(model_type="llama", hidden_size=256, intermediate_size=688, num_hidden_layers=2,
            num_attention_heads=8, num_key_value_heads=2, vocab_size=4096,
            max_position_embeddings=2048, tie_word_embeddings=False)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=5, help="optimizer steps (the first is warm-up)")
    ap.add_argument("--seq-len", type=int, default=2048)
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--layers", type=int, default=None, help="decoder layers (default: the shape's 32)")
    ap.add_argument("--cap-gb", type=float, default=24.0, help="memory cap in GiB (a 24 GB card)")
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-dropout", type=float, default=0.05)
    ap.add_argument("--no-prepare-kbit", action="store_true",
                    help="skip peft.prepare_model_for_kbit_training (keep embeddings/lm_head in bf16)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where to write the random checkpoint (default: a temp folder, deleted after)")
    ap.add_argument("--smoke-cpu", action="store_true",
                    help="run the same code path on CPU with a 2-layer tiny shape")
    args = ap.parse_args(argv)
    if args.smoke_cpu:
        args.seq_len = min(args.seq_len, 128)
        args.steps = min(args.steps, 3)
    return args


# --- the random checkpoint -----------------------------------------------------------------------

def write_random_checkpoint(folder: Path, config_dict: dict, device, dtype) -> dict:
    """A bf16 Llama checkpoint with random weights, one shard per decoder layer (+ one for the rest).
    Returns {"bytes": total, "seconds": elapsed}."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM

    t0 = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    config = AutoConfig.for_model(**config_dict)
    config.save_pretrained(folder)
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(config, dtype=dtype)
    groups: dict[str, dict[str, tuple]] = {}
    for key, tensor in skeleton.state_dict().items():
        if config.tie_word_embeddings and key == "lm_head.weight":
            continue
        parts = key.split(".")
        group = f"layer-{int(parts[2]):03d}" if parts[:2] == ["model", "layers"] else "other"
        groups.setdefault(group, {})[key] = (tuple(tensor.shape), tensor.dtype)
    gen = torch.Generator(device=device).manual_seed(0)
    weight_map, total = {}, 0
    for n, (group, tensors) in enumerate(sorted(groups.items())):
        filename = f"model-{n + 1:05d}-of-{len(groups):05d}.safetensors"
        shard = {}
        for key, (shape, tdtype) in tensors.items():
            if key.endswith("norm.weight"):
                t = torch.ones(shape, dtype=tdtype, device=device)
            elif key.endswith(".bias"):
                t = torch.zeros(shape, dtype=tdtype, device=device)
            else:  # the usual init scale keeps activations and the loss finite
                t = torch.randn(shape, generator=gen, dtype=torch.float32, device=device).mul_(0.02).to(tdtype)
            shard[key] = t.cpu().contiguous()
            weight_map[key] = filename
            total += t.numel() * t.element_size()
            del t
        save_file(shard, str(folder / filename), metadata={"format": "pt"})
        del shard
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {"total_size": total}, "weight_map": weight_map}, indent=1))
    return {"bytes": total, "seconds": round(time.monotonic() - t0, 1)}


# --- NVML ---------------------------------------------------------------------------------------

def nvml_view() -> dict | None:
    """This process's and the device's used memory as NVML sees them (what nvidia-smi shows)."""
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        import torch

        index = torch.cuda.current_device()
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
        mine = None
        for proc in pynvml.nvmlDeviceGetComputeRunningProcesses(handle):
            if proc.pid == os.getpid() and proc.usedGpuMemory is not None:
                mine = proc.usedGpuMemory / GIB
        return {"process_used_gb": None if mine is None else round(mine, 3),
                "device_used_gb": round(mem.used / GIB, 3), "device_total_gb": round(mem.total / GIB, 3)}
    except Exception as exc:  # NVML missing in a container, no permission...
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass


# --- the run --------------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> dict:
    import torch

    cuda = torch.cuda.is_available() and not args.smoke_cpu
    if not cuda and not args.smoke_cpu:
        raise SystemExit("gpu_qlora.py needs an NVIDIA GPU with CUDA, and torch.cuda.is_available() is "
                         "False here. Run it on the GPU machine, or use --smoke-cpu to check the script "
                         "on CPU with a tiny model.")
    import bitsandbytes as bnb
    import peft
    import transformers
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    device = torch.device("cuda", torch.cuda.current_device()) if cuda else torch.device("cpu")
    dtype = torch.bfloat16
    config_dict = dict(TINY if args.smoke_cpu else LLAMA_3_8B)
    if args.layers:
        config_dict["num_hidden_layers"] = args.layers
    prepare_kbit = not args.no_prepare_kbit
    shape = vp.ModelShape.from_config_dict(config_dict)
    # The engine's QLoRA run (the 8B preset: 4-bit NF4, bf16, all linear layers, checkpointing, paged
    # AdamW 8-bit) at this script's rank, dropout, length and batch...
    cfg = train_config.preset("qlora-8b-24gb", lora_r=args.lora_r, lora_dropout=args.lora_dropout,
                              max_seq_len=args.seq_len, batch_size=args.batch_size)
    inp = vp.plan_input(cfg, shape, args.cap_gb, device="cuda" if cuda else "cpu")
    if prepare_kbit:  # ...plus peft's fp32 upcast of the frozen 16-bit weights, which the engine skips
        inp = inp.with_(upcast_frozen_fp32=True)
    prediction = vp.plan(inp)
    full_layers = (TINY if args.smoke_cpu else LLAMA_3_8B)["num_hidden_layers"]
    full_prediction = None
    if shape.n_layers != full_layers:  # a cut-down run: say what the whole model would need
        full_shape = vp.ModelShape.from_config_dict(dict(config_dict, num_hidden_layers=full_layers))
        full_prediction = vp.plan(replace(inp, shape=full_shape))
    result: dict = {
        "device": torch.cuda.get_device_name(device) if cuda else "cpu (smoke test)",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "peft": peft.__version__, "bitsandbytes": bnb.__version__},
        "settings": {"layers": shape.n_layers, "seq_len": args.seq_len, "batch_size": args.batch_size,
                     "lora_r": args.lora_r, "lora_dropout": args.lora_dropout, "steps": args.steps,
                     "cap_gb": args.cap_gb, "prepare_model_for_kbit_training": prepare_kbit},
        "shape": {"n_params": shape.n_params, "hidden": shape.hidden_size, "vocab": shape.vocab_size},
        "predicted": {k: round(v, 3) for k, v in prediction.breakdown().items()}
                     | {"allocated": round(prediction.allocated_gb, 3), "fits": prediction.fits},
    }
    if full_prediction is not None:
        result["predicted_full_model"] = (
            {"layers": full_layers} | {k: round(v, 3) for k, v in full_prediction.breakdown().items()}
            | {"allocated": round(full_prediction.allocated_gb, 3), "fits": full_prediction.fits})
    if cuda:
        total = torch.cuda.get_device_properties(device).total_memory
        fraction = min(1.0, args.cap_gb * GIB / total)
        torch.cuda.set_per_process_memory_fraction(fraction, device)
        result["cap"] = {"gpu_total_gb": round(total / GIB, 3), "fraction": round(fraction, 4)}

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gpu-qlora-"))
    ckpt = workdir / "random-llama"
    try:
        log(f"writing a random {shape.n_params / 1e9:.2f}B-parameter bf16 checkpoint to {ckpt} ...")
        log(f"planner: {json.dumps(result['predicted'])}"
            + (f"; full model: {json.dumps(result['predicted_full_model'])}" if full_prediction else ""))
        result["checkpoint"] = write_random_checkpoint(ckpt, config_dict, device, dtype)
        log(f"checkpoint written: {result['checkpoint']}")
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)

        log("loading it in 4-bit NF4 (double quantization), as the train engine does ...")
        t0 = time.monotonic()
        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=dtype)
        model = AutoModelForCausalLM.from_pretrained(
            str(ckpt), dtype=dtype, quantization_config=quant, attn_implementation="sdpa",
            device_map={"": device.index if cuda else "cpu"})
        model.config.use_cache = False
        gc_kwargs = {"use_reentrant": False}
        if prepare_kbit:
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True,
                                                    gradient_checkpointing_kwargs=gc_kwargs)
        model = get_peft_model(model, LoraConfig(
            r=args.lora_r, lora_alpha=2 * args.lora_r, lora_dropout=args.lora_dropout,
            target_modules="all-linear", bias="none", task_type="CAUSAL_LM"))
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        # PagedAdamW8bit pages through CUDA unified memory; on CPU bitsandbytes would warn and fall
        # back to the unpaged optimizer, which is this one.
        opt_cls = bnb.optim.PagedAdamW8bit if cuda else bnb.optim.AdamW8bit
        opt = opt_cls(params, lr=2e-4, weight_decay=0.0)
        result["load_seconds"] = round(time.monotonic() - t0, 1)
        log(f"loaded in {result['load_seconds']} s")
        result["trainable_params"] = sum(p.numel() for p in params)
        result["predicted_lora_params"] = vp.lora_param_count(shape, args.lora_r, "all-linear")
        if cuda:
            torch.cuda.synchronize(device)
            result["after_load_allocated_gb"] = round(torch.cuda.memory_allocated(device) / GIB, 3)
            result["predicted_weights_plus_lora_gb"] = round(
                prediction.weights_gb + (prediction.details["lora_bytes"]["params"]) / GIB, 3)
            torch.cuda.reset_peak_memory_stats(device)

        log(f"training {args.steps} steps at batch {args.batch_size} x seq {args.seq_len} ...")
        gen = torch.Generator(device=device).manual_seed(1)
        losses, times = [], []
        oom = None
        for step in range(args.steps):
            ids = torch.randint(0, shape.vocab_size, (args.batch_size, args.seq_len), device=device,
                                generator=gen)
            t = time.monotonic()
            try:
                with torch.autocast(device.type, dtype=dtype):
                    loss = model(input_ids=ids, labels=ids).loss
                loss.backward()
                opt.step()
                opt.zero_grad(set_to_none=True)
            except torch.OutOfMemoryError as exc:
                oom = str(exc).splitlines()[0][:300]
                log(f"out of memory at step {step + 1}: {oom}")
                break
            if cuda:
                torch.cuda.synchronize(device)
            times.append(time.monotonic() - t)
            losses.append(round(float(loss.detach()), 4))
            peaks = (f", peak allocated {torch.cuda.max_memory_allocated(device) / GIB:.3f} GiB, reserved "
                     f"{torch.cuda.max_memory_reserved(device) / GIB:.3f} GiB" if cuda else "")
            log(f"step {step + 1}: loss {losses[-1]} in {times[-1]:.2f} s{peaks}")
            del loss, ids
        result["losses"] = losses
        result["oom"] = oom
        timed = times[1:] or times
        if timed:
            result["tokens_per_s"] = round(args.batch_size * args.seq_len * len(timed) / sum(timed), 1)
            result["step_seconds"] = round(sum(timed) / len(timed), 3)
        if cuda:
            alloc = torch.cuda.max_memory_allocated(device) / GIB
            reserved = torch.cuda.max_memory_reserved(device) / GIB
            # Paged optimizer states are outside torch's allocator (see the module docstring).
            paged = prediction.details["lora_bytes"]["optimizer_states"] / GIB
            pred_alloc = prediction.allocated_gb - paged
            pred_reserved = pred_alloc * (1 + vp.FRAGMENTATION)
            measured = {"max_allocated_gb": round(alloc, 3), "max_reserved_gb": round(reserved, 3),
                        "fragmentation": round(reserved / alloc - 1, 4) if alloc else None}
            result["measured"] = measured
            result["nvml"] = nvml_view()
            errors = {"allocated_pct": round(100 * (pred_alloc - alloc) / alloc, 1) if alloc else None,
                      "reserved_pct": round(100 * (pred_reserved - reserved) / reserved, 1) if reserved else None}
            nv = result["nvml"] or {}
            if nv.get("process_used_gb"):
                errors["total_vs_nvml_process_pct"] = round(
                    100 * (prediction.total_gb - nv["process_used_gb"]) / nv["process_used_gb"], 1)
                result["measured_context_and_paged_gb"] = round(nv["process_used_gb"] - reserved, 3)
            result["predicted_for_torch_counters"] = {"allocated_gb": round(pred_alloc, 3),
                                                      "reserved_gb": round(pred_reserved, 3)}
            result["error"] = errors
        return result
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        log("gpu_qlora.py needs torch, transformers, peft, accelerate and bitsandbytes installed.")
        return 2
    try:
        result = run(args)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            log(exc.code)
            print(json.dumps({"error": "cuda_unavailable", "message": exc.code}))
            return 2
        raise
    print(json.dumps(result, indent=2))
    return 0 if not result.get("oom") else 1


if __name__ == "__main__":
    sys.exit(main())
