"""`ai-platform quantize MODEL_OR_RUN --scheme w4a16|w8a8 [--calib DATASET] [--json]`

Quantizes with llm-compressor (in its own runtime, ``app.core.quantize_runtime``) to a compressed-tensors
folder in <data folder>/models/, registers it in Models and prints its folder (``--json``: one JSON
object on stdout). MODEL_OR_RUN: ``default`` (the bundled model), a registered model's name or id, a
model folder, or a run's id or folder (its adapter is merged into its base first). ``--calib``: a
dataset's name or id, or a JSONL file; by default the run's training data, else built-in texts.
Exit status 0 = quantized and registered, 1 = the quantization failed (nothing kept), 2 = a problem
with the request (what to do is printed).
"""

from __future__ import annotations

import json
import sys

# Codes that mean "change the request" (exit status 2), not "the quantization failed".
_REQUEST_CODES = {"quantize.exists", "quantize.no_space", "quantize.bad_scheme", "quantize.already_quantized",
                  "quantize.no_weights", "quantize.calib_empty", "quantize.calib_unreadable", "disk.full"}


def register(subparsers) -> None:
    from app.core.quantize_plan import SCHEMES

    p = subparsers.add_parser("quantize", help="quantize a model or a run (W8A8 / W4A16, compressed-tensors) for vLLM")
    p.add_argument("source", metavar="MODEL_OR_RUN",
                   help='"default", a registered model (name or id), a model folder, or a run (id or folder)')
    # Checked by quantize_plan.check_scheme (not argparse choices) so a wrong one gets the app's message.
    p.add_argument("--scheme", required=True, help=" | ".join(SCHEMES))
    p.add_argument("--calib", default=None, metavar="DATASET",
                   help="calibration data: a dataset (name or id) or a JSONL file (default: the run's data)")
    p.add_argument("--name", default=None, help="the model's name in Models (default: <source>-<scheme>)")
    p.add_argument("--samples", type=int, default=None, help="calibration texts used (default: 64)")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def _fail(args, code: str, params: dict, message: str, status: int) -> int:
    if args.json:
        print(json.dumps({"ok": False, "code": code, "params": params, "error": message}, ensure_ascii=False))
    print(f"error: {message}", file=sys.stderr)
    return status


def run(args) -> int:
    import subprocess

    from app.core import protocol, quantize_plan
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            plan = quantize_plan.prepare(args.source, args.scheme, db, calib=args.calib, name=args.name)
    except UserError as err:
        return _fail(args, err.code, dict(err.params), str(err), 2)

    print(f"quantizing {plan.source.name} ({plan.scheme}, calibration: {plan.calib.label}) with llmcompressor "
          f"{plan.version}", file=sys.stderr)
    cmd = [plan.python, "-m", "app.engines.quantize", *plan.engine_args(args.samples, args.threads)]
    result: dict | None = None
    error = None
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        event = protocol.decode_or_none(line)
        if isinstance(event, protocol.Progress):
            print(f"[{event.step}/{event.total}] {event.message}", file=sys.stderr)
        elif isinstance(event, protocol.Result):
            result = event.data
        elif isinstance(event, protocol.Error):
            error = event
    code = proc.wait()
    if result is None or code != 0:
        extra = (error.extra or {}) if error is not None else {}
        message = error.message if error is not None else f"the quantize engine exited with status {code}"
        return _fail(args, extra.get("code", ""), extra.get("params", {}), message,
                     2 if extra.get("code") in _REQUEST_CODES else 1)
    try:
        with open_database() as db:
            model = quantize_plan.register(plan, result, db)
    except UserError as err:
        return _fail(args, err.code, dict(err.params), str(err), 2)
    if args.json:
        print(json.dumps({"ok": True, "id": model.id, "name": model.name, "calibration": plan.calib.label, **result},
                         ensure_ascii=False, default=str))
    else:
        ppl = result.get("perplexity") or {}
        print(result["path"])
        print(f"  {model.name}: {result['format']} {result['scheme_name']}, {result['size_bytes'] / 1e6:.1f} MB, "
              f"perplexity {ppl.get('source')} → {ppl.get('quantized')} on {result['calibration_samples']} "
              "calibration texts; serve it: ai-platform serve --engine vllm --model " + model.name, file=sys.stderr)
    return 0
