"""How close is the VRAM planner? Predicted vs measured, part by part.

    python benchmarks/planner_accuracy.py            # CPU checks (and GPU ones when CUDA is there)
    python benchmarks/planner_accuracy.py --json     # one JSON object instead of the table
    python benchmarks/planner_accuracy.py --no-gpu   # CPU checks only

On CPU (no GPU needed), for SmolLM2-135M (the bundled model's shape, random weights) and a tiny
random Llama:
  * weights: the bytes of every tensor the loaded model holds (parameters, bitsandbytes' packed
    weights, absmax, nested absmax, code books, 8-bit row scales), for none / 4-bit / 8-bit bases,
    with and without peft's prepare_model_for_kbit_training;
  * LoRA + optimizer: adapter weights + grads + optimizer states after one step (torch AdamW and
    bitsandbytes' 8-bit AdamW, the unpaged twin of paged_adamw_8bit);
  * activations, per layer: the storages autograd saves for backward (saved_tensors_hooks), a
    2-layer minus a 1-layer model;
  * one whole training step: the peak of live tensors created during forward + backward, tracked
    with a dispatch mode (the CPU stand-in for torch.cuda.max_memory_allocated), against the
    planner's activations + LoRA grads + autocast copies.
peft's bitsandbytes layers take their CUDA-autocast branch when ``torch.is_autocast_enabled()``
says so; for the CPU checks that call is made to report CPU autocast, so the CPU run follows the
path a GPU run follows (see tests/unit/test_vram_planner.py).

With a CUDA GPU: small real training steps (the engine's loading and training path: bf16 or 4-bit
NF4 + prepare_model_for_kbit_training, LoRA on all linear layers, autocast, non-reentrant
checkpointing) comparing torch.cuda.max_memory_allocated with the planner's allocated total
(weights + LoRA/optimizer + activations; the CUDA context and fragmentation are not in torch's
counter). benchmarks/gpu_qlora.py does the full 8B QLoRA run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import warnings
import weakref
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for p in (str(REPO), str(REPO / "benchmarks")):
    if p not in sys.path:
        sys.path.insert(0, p)

from app.core import vram_planner as vp  # noqa: E402
from app.core.train_config import TrainConfig  # noqa: E402

TINY = dict(model_type="llama", hidden_size=256, intermediate_size=688, num_hidden_layers=4,
            num_attention_heads=8, num_key_value_heads=2, vocab_size=8000, max_position_embeddings=4096,
            tie_word_embeddings=False)
SMOL = vp.REFERENCE_CONFIGS["smollm2-135m"]


@contextlib.contextmanager
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def err_pct(predicted: float, measured: float) -> float:
    return round(100.0 * (predicted - measured) / measured, 2) if measured else float("nan")


# --- building models -----------------------------------------------------------------------------

def load_model(cfg: dict, quantization: str, dtype: str, folder: Path, device: str = "cpu",
               upcast: bool = False, init: bool = True):
    """A random-weight model loaded like the train engine loads one (from_pretrained with a
    BitsAndBytesConfig for quantized bases, then prepare_model_for_kbit_training)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, BitsAndBytesConfig

    torch_dtype = getattr(torch, dtype)
    config = AutoConfig.for_model(**cfg)
    with quiet():
        torch.manual_seed(0)
        if init:
            model = AutoModelForCausalLM.from_config(config, dtype=torch_dtype, attn_implementation="sdpa")
        else:  # sizes only: skip the (slow) random initialisation
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(config, dtype=torch_dtype, attn_implementation="sdpa")
            model = model.to_empty(device="cpu")
            model.tie_weights()  # to_empty gives tied parameters separate storage
        if quantization == "none" and device == "cpu":
            return model
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder)
        kwargs = {"dtype": torch_dtype, "attn_implementation": "sdpa", "device_map": {"": device}}
        if quantization == "4bit":
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=torch_dtype)
        elif quantization == "8bit":
            kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
        model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
        if upcast and quantization != "none":
            from peft import prepare_model_for_kbit_training
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def add_lora(model, target: str, r: int, dropout: float = 0.0):
    from peft import LoraConfig, get_peft_model

    targets = ["q_proj", "k_proj", "v_proj", "o_proj"] if target == "attention" else "all-linear"
    with quiet():
        model = get_peft_model(model, LoraConfig(r=r, lora_alpha=2 * r, lora_dropout=dropout,
                                                 target_modules=targets, task_type="CAUSAL_LM"))
        model.enable_input_require_grads()
    model.train()
    return model


def model_storages(model) -> dict[int, int]:
    out: dict[int, int] = {}

    def add(t):
        if t is not None and hasattr(t, "untyped_storage"):
            st = t.untyped_storage()
            out[st.data_ptr()] = st.nbytes()

    for p in model.parameters():
        add(p)
    for mod in model.modules():
        w = getattr(mod, "weight", None)
        qs = getattr(w, "quant_state", None)
        if qs is not None:
            for t in (qs.absmax, qs.code, qs.offset):
                add(t)
            if qs.state2 is not None:
                add(qs.state2.absmax)
                add(qs.state2.code)
        add(getattr(w, "SCB", None))
    return out


@contextlib.contextmanager
def cuda_autocast_check():
    import torch

    real = torch.is_autocast_enabled
    torch.is_autocast_enabled = lambda *a: real(*a) if a else real("cpu")
    try:
        yield
    finally:
        torch.is_autocast_enabled = real


class LiveBytes:
    """Peak bytes of the storages created while active (the model's own tensors excluded)."""

    def __init__(self, exclude):
        import torch
        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils._pytree import tree_flatten

        tracker = self

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                for t in tree_flatten(out)[0]:
                    if isinstance(t, torch.Tensor) and t.device.type != "meta":
                        tracker.add(t.untyped_storage())
                return out

        self.mode, self.exclude, self.live, self.current, self.peak = Mode(), set(exclude), set(), 0, 0

    def add(self, storage):
        key = id(storage)
        if key in self.live or storage.data_ptr() in self.exclude:
            return
        n = storage.nbytes()
        self.live.add(key)
        self.current += n
        self.peak = max(self.peak, self.current)
        weakref.finalize(storage, self.free, key, n)

    def free(self, key, n):
        self.live.discard(key)
        self.current -= n


# --- CPU checks ------------------------------------------------------------------------------------

def check_weights(rows: list, tmp: Path) -> None:
    for name, cfg in (("smollm2-135m", SMOL), ("tiny-llama", TINY)):
        shape = vp.ModelShape.from_config_dict(cfg)
        for quant, upcast in (("none", False), ("4bit", False), ("4bit", True), ("8bit", True)):
            model = load_model(cfg, quant, "bfloat16", tmp / f"w-{name}-{quant}-{upcast}", upcast=upcast,
                               init=False)
            measured = sum(model_storages(model).values())
            w = vp.weights_bytes(shape, quant, "bfloat16", upcast)
            rows.append(dict(part="weights", model=name, case=f"{quant}{' +kbit-upcast' if upcast else ''}",
                             predicted=w["quantized"] + w["other"], measured=measured))
            del model


def check_lora_optimizer(rows: list) -> None:
    import bitsandbytes as bnb
    import torch

    for name, cfg in (("smollm2-135m", SMOL), ("tiny-llama", TINY)):
        shape = vp.ModelShape.from_config_dict(cfg)
        for target, r, optimizer in (("all-linear", 16, "adamw_torch"), ("all-linear", 16, "paged_adamw_8bit"),
                                     ("attention", 8, "adamw_torch")):
            model = add_lora(load_model(cfg, "none", "bfloat16", Path("."), init=False), target, r)
            params = [p for p in model.parameters() if p.requires_grad]
            for p in params:
                p.grad = torch.zeros_like(p)
            opt = (torch.optim.AdamW(params, foreach=False) if optimizer == "adamw_torch"
                   else bnb.optim.AdamW8bit(params))
            with quiet():
                opt.step()
            seen: dict[int, int] = {}
            for p in params:
                for t in [p, p.grad] + [v for k, v in opt.state[p].items()
                                        if torch.is_tensor(v) and not k.startswith("qmap") and k != "step"]:
                    seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
            lo = vp.lora_and_optimizer_bytes(vp.PlanInput(shape=shape, quantization="none", lora_r=r,
                                                          target_modules=target, optimizer=optimizer))
            rows.append(dict(part="lora+optimizer", model=name, case=f"r{r} {target} {optimizer}",
                             predicted=lo["params"] + lo["grads"] + lo["optimizer_states"],
                             measured=sum(seen.values())))
            del model, opt


ACT_MODES = {
    # label: quantization, dtype, autocast, upcast
    "bf16 autocast (LoRA)": ("none", "bfloat16", True, False),
    "4bit +kbit-upcast autocast (engine QLoRA)": ("4bit", "bfloat16", True, True),
    "4bit bf16 autocast (TRL-style QLoRA)": ("4bit", "bfloat16", True, False),
    "fp32 (CPU demo)": ("none", "float32", False, False),
}


def check_saved_per_layer(rows: list, tmp: Path) -> None:
    import torch

    batch, seq, r = 2, 128, 16
    for name, cfg in (("smollm2-135m", SMOL), ("tiny-llama", TINY)):
        ids = torch.randint(0, cfg["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(0))
        for label, (quant, dtype, autocast, upcast) in ACT_MODES.items():
            per = []
            for layers in (1, 2):
                model = add_lora(load_model(dict(cfg, num_hidden_layers=layers), quant, dtype,
                                            tmp / f"a-{name}-{label[:4]}-{layers}", upcast=upcast), "all-linear", r)
                own = set(model_storages(model)) | {b.untyped_storage().data_ptr() for b in model.buffers()}
                saved: dict[int, int] = {}

                def pack(t, own=own, saved=saved):
                    st = t.untyped_storage()
                    if st.data_ptr() not in own:
                        saved[st.data_ptr()] = st.nbytes()
                    return t

                ctx = torch.autocast("cpu", dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
                with quiet(), cuda_autocast_check(), ctx, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                    model(input_ids=ids, labels=ids)
                per.append(sum(saved.values()))
            shape = vp.ModelShape.from_config_dict(dict(cfg, num_hidden_layers=2))
            inp = vp.PlanInput(shape=shape, quantization=quant, compute_dtype=dtype, lora_r=r, seq_len=seq,
                               batch_size=batch, autocast=autocast, upcast_frozen_fp32=upcast)
            t = vp.activation_terms(inp)
            predicted = (t["layer_saved"] * batch * seq + t["layer_constant"]
                         + vp.lora_and_optimizer_bytes(inp)["autocast_copies"] / 2)
            rows.append(dict(part="activations/layer (saved)", model=name, case=label,
                             predicted=predicted, measured=per[1] - per[0]))


def check_whole_step(rows: list, tmp: Path) -> None:
    import torch

    cases = [
        ("tiny-llama", TINY, "4bit +kbit-upcast autocast, checkpointing", "4bit", "bfloat16", True, True, True, 2, 256),
        ("tiny-llama", TINY, "4bit +kbit-upcast autocast, no checkpointing", "4bit", "bfloat16",
         True, True, False, 2, 256),
        ("tiny-llama", TINY, "bf16 autocast, checkpointing", "none", "bfloat16", True, False, True, 2, 256),
        ("smollm2-135m", SMOL, "fp32, no checkpointing (cpu-demo)", "none", "float32", False, False, False, 2, 256),
        ("smollm2-135m", SMOL, "4bit +kbit-upcast autocast, checkpointing", "4bit", "bfloat16",
         True, True, True, 2, 512),
        ("smollm2-135m", SMOL, "bf16 autocast, checkpointing", "none", "bfloat16", True, False, True, 2, 512),
    ]
    r = 16
    for name, cfg, label, quant, dtype, autocast, upcast, ckpt, batch, seq in cases:
        model = add_lora(load_model(cfg, quant, dtype, tmp / f"s-{name}-{len(rows)}", upcast=upcast), "all-linear", r)
        if ckpt:
            with quiet():
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        ids = torch.randint(0, cfg["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(0))
        tracker = LiveBytes(set(model_storages(model)) | {b.untyped_storage().data_ptr() for b in model.buffers()})
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
        with quiet(), cuda_autocast_check(), tracker.mode:
            with ctx:
                loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
        inp = vp.PlanInput(shape=vp.ModelShape.from_config_dict(cfg), quantization=quant, compute_dtype=dtype,
                           lora_r=r, seq_len=seq, batch_size=batch, gradient_checkpointing=ckpt,
                           optimizer="adamw_torch", autocast=autocast, upcast_frozen_fp32=upcast)
        lo = vp.lora_and_optimizer_bytes(inp)
        act = vp.activations_bytes(inp)
        predicted = (lo["grads"] + lo["autocast_copies"] + act["stored"] + act["moving"]
                     + act["dequant_workspace"] + act["lm_head_cast"])
        rows.append(dict(part="whole step peak (CPU)", model=name, case=f"{label}, b{batch}x{seq}",
                         predicted=predicted, measured=tracker.peak))
        del model, loss


# --- GPU checks ------------------------------------------------------------------------------------

def check_gpu(rows: list, tmp: Path) -> None:
    import torch
    from gpu_qlora import write_random_checkpoint
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    dev = torch.device("cuda", torch.cuda.current_device())
    cases = [
        # label, config, quantization, upcast, checkpointing, batch, seq
        ("smollm2-135m bf16 LoRA, ckpt", SMOL, "none", False, True, 4, 1024),
        ("smollm2-135m bf16 LoRA, no ckpt", SMOL, "none", False, False, 2, 512),
        ("smollm2-135m 4bit QLoRA (engine), ckpt", SMOL, "4bit", True, True, 4, 1024),
        ("llama-3-8b shape, 2 layers, 4bit QLoRA (engine), ckpt",
         dict(vp.REFERENCE_CONFIGS["llama-3-8b"], num_hidden_layers=2), "4bit", True, True, 1, 2048),
        ("qwen2.5-1.5b shape, 4 layers, bf16 LoRA, ckpt", dict(vp.REFERENCE_CONFIGS["qwen2.5-1.5b"],
                                                               num_hidden_layers=4), "none", False, True, 2, 2048),
    ]
    for label, cfg, quant, upcast, ckpt, batch, seq in cases:
        folder = tmp / f"g-{len(rows)}"
        write_random_checkpoint(folder, cfg, dev, torch.bfloat16)
        torch.cuda.empty_cache()
        kwargs = {"dtype": torch.bfloat16, "attn_implementation": "sdpa", "device_map": {"": dev.index}}
        if quant == "4bit":
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=torch.bfloat16)
        model = AutoModelForCausalLM.from_pretrained(str(folder), **kwargs)
        model.config.use_cache = False
        gc_kwargs = {"use_reentrant": False}
        if upcast:
            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=ckpt,
                                                    gradient_checkpointing_kwargs=gc_kwargs)
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear",
                                                 task_type="CAUSAL_LM"))
        if ckpt:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=gc_kwargs)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=1e-4, fused=True)  # the engine's adamw_torch_fused
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats(dev)
        for _ in range(2):
            ids = torch.randint(0, cfg["vocab_size"], (batch, seq), device=dev)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        measured = torch.cuda.max_memory_allocated(dev)
        reserved = torch.cuda.max_memory_reserved(dev)
        # The run as the engine would plan it (bf16 autocast, no dropout), plus the fp32 upcast of
        # peft's prepare_model_for_kbit_training where this loop applies it.
        run = TrainConfig(quantization=quant, dtype="bfloat16", lora_r=16, lora_dropout=0.0, max_seq_len=seq,
                          batch_size=batch, gradient_checkpointing=ckpt, optimizer="adamw_torch")
        inp = vp.plan_input(run, vp.ModelShape.from_config_dict(cfg), 24.0).with_(upcast_frozen_fp32=upcast)
        p = vp.plan(inp)
        rows.append(dict(part="whole step peak (CUDA allocated)", model=label, case=f"b{batch}x{seq}",
                         predicted=p.allocated_gb * vp.GIB, measured=measured,
                         reserved=reserved))
        del model, opt, loss
        torch.cuda.empty_cache()


# --- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-gpu", action="store_true", help="skip the CUDA checks")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("planner_accuracy.py needs torch, transformers, peft and bitsandbytes.", file=sys.stderr)
        return 2
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="planner-accuracy-") as tmpdir:
        tmp = Path(tmpdir)
        check_weights(rows, tmp)
        check_lora_optimizer(rows)
        check_saved_per_layer(rows, tmp)
        check_whole_step(rows, tmp)
        gpu = torch.cuda.is_available() and not args.no_gpu
        if gpu:
            check_gpu(rows, tmp)
    for row in rows:
        row["error_pct"] = err_pct(row["predicted"], row["measured"])
    if args.json:
        print(json.dumps({"rows": rows, "gpu": gpu}, indent=1))
        return 0
    print(f"{'part':34s} {'model':52s} {'case':48s} {'predicted MiB':>14s} {'measured MiB':>13s} {'error':>8s}")
    for row in rows:
        print(f"{row['part']:34s} {row['model']:52s} {row['case']:48s} {row['predicted'] / 2**20:14.3f} "
              f"{row['measured'] / 2**20:13.3f} {row['error_pct']:7.2f}%")
    if not gpu:
        print("\n(no CUDA GPU here: whole-peak checks ran on CPU only; run on a GPU machine, and "
              "benchmarks/gpu_qlora.py, for the CUDA allocator's view)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
