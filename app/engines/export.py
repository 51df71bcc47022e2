"""Export a model (or an adapter merged into its base) to GGUF, verified by loading it back.

    python -m app.engines.export --model DIR [--adapter DIR] [--run DIR] --quant f16|q8_0|q4_0|q4_k_m
                                 --out DIR [--name NAME] [--force] [--threads N]

Writes ``DIR/<name>-<quant>.gguf``, ``DIR/Modelfile`` (Ollama) and ``DIR/verify.json`` (the check of
the file against the source model), all or nothing. The work is in ``app/export/job.py``;
``ai-platform export`` resolves MODEL_OR_RUN and starts this engine.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.core import export_plan, settings
from app.core.engine_runtime import run_main
from app.core.errors import UserError


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.export", description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="the Hugging Face model folder (the base, with --adapter)")
    ap.add_argument("--adapter", type=Path, default=None, help="a LoRA adapter folder, merged before export")
    ap.add_argument("--run", type=Path, default=None, help="the run folder the adapter came from (its data verifies)")
    ap.add_argument("--format", choices=export_plan.FORMATS, default="gguf")
    ap.add_argument("--quant", default=export_plan.DEFAULT_QUANT, help=", ".join(export_plan.QUANTS))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--name", default=None, help="names the files (default: the model folder's name)")
    ap.add_argument("--force", action="store_true", help="replace an export already in --out")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    ap.add_argument("--prompts", type=int, default=5, help="prompts compared greedily")
    ap.add_argument("--max-new-tokens", type=int, default=24)
    return ap.parse_args(argv)


def export(rt, args) -> str:
    from app.export.job import ExportRequest, VerificationFailed, run_export

    threads = args.threads or settings.load().cpu_threads
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    req = ExportRequest(model_dir=args.model.expanduser().resolve(), out_dir=args.out, quant=args.quant,
                        name=args.name or args.model.name,
                        adapter_dir=args.adapter.expanduser().resolve() if args.adapter else None,
                        run_dir=args.run.expanduser().resolve() if args.run else None, force=args.force,
                        prompts=args.prompts, max_new_tokens=args.max_new_tokens)
    try:
        export_plan.check_quant(req.quant)
        export_plan.check_supported(req.model_dir)
        import torch

        torch.set_num_threads(threads)
        result = run_export(
            req,
            progress=lambda step, total, message, stage, eta_s=None, **kw: rt.progress(
                step, total, eta_s=eta_s, message=message, stage=stage, **kw),
            info=rt.info, stop_requested=lambda: rt.stop_requested)
    except UserError as err:
        rt.user_error(err)
        return "failed"
    except VerificationFailed as failed:
        rt.result(verification=failed.report, kept=False)
        rt.error(f"The written GGUF does not match the source model, so it was not kept: {failed}",
                 hint="Try f16 or q8_0; report it with the engine log if f16 fails too.",
                 extra={"code": "export.verify_failed", "params": {"problems": str(failed)},
                        "hint_code": "export.verify_failed_hint"})
        return "failed"
    if result is None:
        rt.info("Stopped; nothing was written")
        return "stopped"
    rt.progress(5, 5, eta_s=0, message="Done", stage="export.done")
    rt.result(**result, kept=True)
    return "completed"


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    return run_main("export", lambda rt: export(rt, args), protect_stdout=True)


if __name__ == "__main__":
    sys.exit(main())
