"""`ai-platform export MODEL_OR_RUN --format gguf --quant f16|q8_0|q4_0|q4_k_m --out DIR [--json]`

MODEL_OR_RUN: ``default`` (the bundled model), a registered model's name or id, a model folder, or a
run's id or folder (its adapter is merged into its base on the fly). Writes ``DIR/<name>-<quant>.gguf``,
``DIR/Modelfile`` (Ollama) and ``DIR/verify.json``, then prints the verification (``--json``: one JSON
object on stdout). Exit status 0 = exported and verified, 1 = the export or its verification failed
(nothing kept), 2 = a problem with the request (what to do is printed).
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    from app.core.export_plan import DEFAULT_QUANT, FORMATS, QUANTS

    p = subparsers.add_parser("export", help="export a model or a run's adapter to GGUF (llama.cpp, Ollama, LM Studio)")
    p.add_argument("source", metavar="MODEL_OR_RUN",
                   help='"default", a registered model (name or id), a model folder, or a run (id or folder)')
    p.add_argument("--format", choices=FORMATS, default="gguf")
    p.add_argument("--quant", choices=QUANTS, default=DEFAULT_QUANT, help=f"default: {DEFAULT_QUANT}")
    p.add_argument("--out", default=None, help="output folder (default: <data folder>/exports/<name>-<quant>)")
    p.add_argument("--name", default=None, help="names the files (default: from the model or run)")
    p.add_argument("--force", action="store_true", help="replace an earlier export in the output folder")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    p.add_argument("--json", action="store_true", help="print the result and its verification as one JSON object")
    p.set_defaults(func=run)


def _summary(result: dict) -> str:
    v = result.get("verification") or {}
    g, ppl = v.get("greedy") or {}, v.get("perplexity") or {}
    lines = [f"verification: {'passed' if v.get('passed') else 'FAILED'} ({v.get('criteria', '')})",
             f"  greedy answers identical: {g.get('same')}/{g.get('total')}",
             f"  perplexity: source {ppl.get('source')}  gguf {ppl.get('gguf')}  ({ppl.get('change_pct'):+}%)"
             if ppl.get("change_pct") is not None else "  perplexity: -",
             f"  chat template kept: {v.get('chat_template_same')}; tokenizer identical: {v.get('tokenizer_same')}"]
    for problem in v.get("problems") or []:
        lines.append(f"  problem: {problem}")
    return "\n".join(lines)


def run(args) -> int:
    import subprocess
    from pathlib import Path

    from app.core import export_plan, protocol
    from app.core.db.database import open_database
    from app.core.errors import UserError

    try:
        with open_database() as db:
            source = export_plan.resolve_source(args.source, db)
        quant = export_plan.check_quant(args.quant)
        export_plan.check_supported(source.model_dir)
        name = args.name or source.name
        out = Path(args.out).expanduser() if args.out else export_plan.out_dir_for(source, quant, name)
        if not args.force:
            export_plan.check_not_exported(out, name, quant)
    except UserError as err:
        if args.json:
            print(json.dumps({"ok": False, "code": err.code, "params": err.params, "error": str(err)}, ensure_ascii=False))
        print(f"error: {err}", file=sys.stderr)
        return 2

    cmd = [sys.executable, "-m", "app.engines.export",
           *export_plan.engine_args(source, quant, out, name, args.force, args.threads)]
    result: dict | None = None
    failed: dict | None = None
    error = None
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        event = protocol.decode_or_none(line)
        if event is None:
            continue
        if isinstance(event, protocol.Progress):
            eta = f" (about {event.eta_s:.0f} s left)" if event.eta_s else ""
            print(f"[{event.step}/{event.total}] {event.message}{eta}", file=sys.stderr)
        elif isinstance(event, protocol.Result):
            if event.data.get("kept"):
                result = event.data
            else:
                failed = event.data
        elif isinstance(event, protocol.Error):
            error = event
    code = proc.wait()
    if result is not None and code == 0:
        if args.json:
            print(json.dumps({"ok": True, **result}, ensure_ascii=False, default=str))
        else:
            print(f"wrote {result['path']} ({result['size_bytes'] / 1e6:.1f} MB)\n"
                  f"      {result['modelfile']}  (ollama create NAME -f {result['modelfile']})\n"
                  f"      {result['verify_path']}\n{_summary(result)}")
        return 0
    extra = (error.extra or {}) if error is not None else {}
    message = error.message if error is not None else f"the export engine exited with status {code}"
    if args.json:
        print(json.dumps({"ok": False, "code": extra.get("code", ""), "params": extra.get("params", {}),
                          "error": message, "verification": (failed or {}).get("verification")},
                         ensure_ascii=False, default=str))
    elif failed is not None:
        print(_summary(failed), file=sys.stderr)
    print(f"error: {message}", file=sys.stderr)
    return 2 if extra.get("code") in _REQUEST_CODES else 1


# Codes that mean "change the request" (exit status 2), not "the export failed".
_REQUEST_CODES = {"export.exists", "export.no_space", "export.unsupported_arch", "export.unsupported_tokenizer",
                  "export.quant_unavailable", "export.bad_quant", "export.unsupported_rope", "export.unknown_tensor"}
