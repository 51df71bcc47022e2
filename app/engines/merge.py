"""Merge a trained LoRA adapter into its base model and save a full Hugging Face model folder.

    python -m app.engines.merge --adapter DIR --out DIR [--base DIR] [--dtype float32|bfloat16]

The base defaults to what the adapter was trained on (its run's config.json, else the adapter's
adapter_config.json). The model is written to a temp folder beside the target, reloaded and checked
(a 1-token forward matches the merged model's), marked ``.complete``, then renamed into place.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from app.core import bundled, paths, settings
from app.core.engine_runtime import run_main

TOTAL_STEPS = 4


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.merge", description=__doc__.split("\n")[0])
    ap.add_argument("--adapter", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, default=None)
    ap.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    return ap.parse_args(argv)


def resolve_base(adapter: Path, base: Path | None) -> Path:
    if base is not None:
        return base
    run_cfg = adapter.parent / "config.json"
    value = ""
    if run_cfg.exists():
        value = json.loads(run_cfg.read_text(encoding="utf-8")).get("base_model", "")
    if not value:
        value = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8")).get(
            "base_model_name_or_path", "")
    if value in ("", "default"):
        return bundled.default_model_dir()
    return Path(value)


def merge(rt, args) -> str:
    t0 = time.monotonic()
    adapter, out = args.adapter.resolve(), args.out.resolve()
    if not (adapter / "adapter_config.json").exists():
        rt.error(f"No adapter in {adapter}.", hint="Pick the adapter folder of a finished or stopped run.",
                 extra={"code": "merge.no_adapter", "params": {"path": str(adapter)}})
        return "failed"
    base = resolve_base(adapter, args.base)
    if not (base / "config.json").exists():
        rt.error(f"The base model folder {base} is missing.",
                 hint="Prepare the bundled model (Dashboard) or choose the base model's folder.",
                 extra={"code": "merge.no_base", "params": {"path": str(base)}})
        return "failed"
    if out.exists():
        rt.error(f"{out} already exists.", hint="Choose a new name for the merged model.",
                 extra={"code": "merge.exists", "params": {"path": str(out)}})
        return "failed"

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(settings.load().cpu_threads)
    dtype = getattr(torch, args.dtype)
    rt.progress(1, TOTAL_STEPS, message="loading the base model and the adapter", stage="merge.load")
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    model = PeftModel.from_pretrained(model, adapter)
    tokenizer = AutoTokenizer.from_pretrained(base)
    if rt.stop_requested:
        return "stopped"
    rt.progress(2, TOTAL_STEPS, message="merging", stage="merge.merge")
    merged = model.merge_and_unload()
    merged.eval()
    ids = tokenizer("Hello", return_tensors="pt").input_ids
    with torch.no_grad():
        expected = merged(ids).logits[0, -1]
    rt.progress(3, TOTAL_STEPS, message="saving", stage="merge.save")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    merged.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    del merged, model
    rt.progress(4, TOTAL_STEPS, message="verifying", stage="merge.verify")
    check = AutoModelForCausalLM.from_pretrained(tmp, dtype=dtype)
    with torch.no_grad():
        got = check(ids).logits[0, -1]
    if not torch.allclose(got, expected, atol=1e-3, rtol=1e-3):
        shutil.rmtree(tmp, ignore_errors=True)
        rt.error("The saved model does not reproduce the merged model's output.", hint="Try again; report it if it repeats.",
                 extra={"code": "merge.mismatch", "params": {}})
        return "failed"
    n_params = sum(p.numel() for p in check.parameters())
    (tmp / bundled.COMPLETE_MARKER).write_text(json.dumps({"merged_from": str(adapter), "base": str(base)}))
    paths.fsync_tree(tmp)
    paths.install_dir(tmp, out)
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    rt.result(path=str(out), base=str(base), adapter=str(adapter), params=n_params, dtype=args.dtype,
              size_bytes=size, seconds=round(time.monotonic() - t0, 2))
    return "completed"


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    return run_main("merge", lambda rt: merge(rt, args))


if __name__ == "__main__":
    raise SystemExit(main())
