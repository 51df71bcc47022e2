"""Quantize a model (or an adapter merged into its base) with llm-compressor to compressed-tensors.

    python -m app.engines.quantize --model DIR [--adapter DIR] --scheme w8a8|w4a16 --out DIR
                                   [--calib FILE.jsonl] [--samples N] [--threads N]

Runs under the quantization runtime's python (``app.core.quantize_runtime``), not the app's: llm-compressor
pins its own transformers. Writes ``--out`` whole or not at all; the work is in ``app/export/quantize.py``;
``ai-platform quantize`` resolves MODEL_OR_RUN, starts this engine and registers the result in Models.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.core import quantize_plan, settings
from app.core.engine_runtime import run_main
from app.core.errors import UserError


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.quantize", description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="the Hugging Face model folder (the base, with --adapter)")
    ap.add_argument("--adapter", type=Path, default=None, help="a LoRA adapter folder, merged before quantizing")
    ap.add_argument("--scheme", required=True, help=", ".join(quantize_plan.SCHEMES))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--calib", type=Path, default=None, help="JSONL calibration texts (default: built-in texts)")
    ap.add_argument("--samples", type=int, default=None, help="calibration texts used (default: 64)")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    return ap.parse_args(argv)


def quantize(rt, args) -> str:
    from app.export.quantize import DEFAULT_SAMPLES, QuantizeRequest, run_quantize

    threads = args.threads or settings.load().cpu_threads
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    req = QuantizeRequest(model_dir=args.model.expanduser().resolve(), out_dir=args.out, scheme=args.scheme,
                          adapter_dir=args.adapter.expanduser().resolve() if args.adapter else None,
                          calib_path=args.calib.expanduser().resolve() if args.calib else None,
                          samples=args.samples or DEFAULT_SAMPLES)
    try:
        quantize_plan.check_scheme(req.scheme)
        import torch

        torch.set_num_threads(threads)
        result = run_quantize(
            req,
            progress=lambda step, total, message, stage, eta_s=None: rt.progress(
                step, total, eta_s=eta_s, message=message, stage=stage),
            info=rt.info, stop_requested=lambda: rt.stop_requested)
    except UserError as err:
        rt.user_error(err)
        return "failed"
    if result is None:
        rt.info("Stopped; nothing was written")
        return "stopped"
    rt.result(**result)
    return "completed"


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    return run_main("quantize", lambda rt: quantize(rt, args), protect_stdout=True)


if __name__ == "__main__":
    sys.exit(main())
