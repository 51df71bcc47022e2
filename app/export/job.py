"""One export, start to end: load (and merge), write the GGUF under a temp name, verify it, write the
Modelfile and the report, then rename everything into place. Nothing is left half-written: a failure
or a failed verification removes the temp folder and the target folder is as it was.

The engine (``app.engines.export``) runs it; ``emit`` callbacks carry progress out.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core import export_plan, model_formats, paths
from app.export import verify as verify_mod

VERIFY_FILE = "verify.json"  # the names export_plan.export_files gives
MODELFILE = "Modelfile"


class VerificationFailed(Exception):
    def __init__(self, report: dict):
        super().__init__("; ".join(report.get("problems") or ["verification failed"]))
        self.report = report


@dataclass
class ExportRequest:
    model_dir: Path
    out_dir: Path
    quant: str
    name: str
    adapter_dir: Path | None = None
    run_dir: Path | None = None
    force: bool = False
    prompts: int = 5
    max_new_tokens: int = 24


def _records(path: Path, limit: int) -> list[list[dict]]:
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                msgs = rec.get("messages") if isinstance(rec, dict) else None
                if isinstance(msgs, list) and all(isinstance(m, dict) and isinstance(m.get("content"), str)
                                                  for m in msgs):
                    out.append(msgs)
                if len(out) >= limit:
                    break
    except OSError:
        return []
    return out


def verification_data(run_dir: Path | None, tokenizer, n_prompts: int) -> tuple[list[str], list[str], str]:
    """(prompts, texts, where they came from): a run's validation split (else its training data) —
    its user turns as prompts, whole conversations as texts — or the built-in samples."""
    if run_dir is not None:
        cfg = json.loads((Path(run_dir) / "config.json").read_text(encoding="utf-8"))
        for key in ("val_path", "dataset_path"):
            value = cfg.get(key)
            if not value:
                continue
            recs = _records(Path(value), 64)
            prompts = list(dict.fromkeys(next((m["content"] for m in r if m.get("role") == "user"), "")
                                         for r in recs))
            prompts = [p for p in prompts if p][:n_prompts]
            texts = []
            for r in recs[:8]:
                try:
                    texts.append(tokenizer.apply_chat_template(r, tokenize=False))
                except Exception:  # noqa: BLE001 - a template that cannot render this record: plain text
                    texts.append("\n".join(m["content"] for m in r))
            if prompts and texts:
                return prompts, texts, f"{'validation' if key == 'val_path' else 'training'} data of the run"
    return list(verify_mod.DEFAULT_PROMPTS[:n_prompts]), list(verify_mod.DEFAULT_TEXTS), "built-in samples"


def _cleanup_stale(out_dir: Path) -> None:
    """Remove the temp folders of exports that were killed (their process is gone)."""
    import psutil

    for p in out_dir.glob(".export-*.tmp-*"):
        try:
            pid = int(p.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not psutil.pid_exists(pid):
            shutil.rmtree(p, ignore_errors=True)


def run_export(req: ExportRequest, *, progress: Callable[..., None], info: Callable[[str], None],
               stop_requested: Callable[[], bool] = lambda: False) -> dict:
    """Returns the result (paths, sizes, the verification). Raises UserError (a person can fix it),
    VerificationFailed (the file was not kept), or returns None when stopped."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.export import gguf as gguf_mod
    from app.export import modelfile

    t0 = time.monotonic()
    quant = export_plan.check_quant(req.quant)
    export_plan.check_supported(req.model_dir)
    out_dir = Path(req.out_dir).expanduser().resolve()
    stem = f"{export_plan._slug(req.name)}-{quant}"
    dest = export_plan.export_files(out_dir, req.name, quant)
    if not req.force:
        export_plan.check_not_exported(out_dir, req.name, quant)
    export_plan.check_free_space(out_dir, export_plan.estimate_bytes(req.model_dir, quant))
    gguf_mod.check_writable(quant)  # before the model is loaded

    total = 5
    progress(1, total, "Loading the model" + (" and merging the adapter" if req.adapter_dir else ""), "export.load")
    model = AutoModelForCausalLM.from_pretrained(str(req.model_dir), dtype=torch.float32)
    tok_dir = req.model_dir
    if req.adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(req.adapter_dir)).merge_and_unload()
        if (req.adapter_dir / "tokenizer.json").is_file():
            tok_dir = req.adapter_dir
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tok_dir))
    if stop_requested():
        return None

    out_dir.mkdir(parents=True, exist_ok=True)
    _cleanup_stale(out_dir)
    tmp = out_dir / f".export-{stem}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        t_write = time.monotonic()

        def tensor_done(done: int, count: int, _name: str) -> None:
            if done % 16 == 0 or done == count:
                elapsed = time.monotonic() - t_write
                eta = elapsed / done * (count - done) if done else None
                progress(2, total, f"Writing tensors {done}/{count}", "export.write", eta_s=eta,
                         done=done, count=count)

        def space(needed: int) -> None:
            export_plan.check_free_space(out_dir, needed)

        progress(2, total, "Writing the GGUF", "export.write", done=0, count=0)
        gguf_tmp = tmp / dest["gguf"].name
        written = gguf_mod.write_gguf(model, tokenizer, tok_dir, gguf_tmp, quant, name=req.name,
                                      progress=tensor_done, before_write=space)
        for note in written.notes:
            info(note)
        if stop_requested():
            return None

        prompts, texts, data_from = verification_data(req.run_dir, tokenizer, req.prompts)
        progress(3, total, f"Verifying: loading the file back and comparing on {len(prompts)} prompts "
                           f"({data_from})", "export.verify", prompts=len(prompts))
        report = verify_mod.verify(model, tokenizer, gguf_tmp, quant, prompts, texts,
                                   max_new_tokens=req.max_new_tokens, step=info)
        report["data"] = data_from
        report["quant"] = quant
        report["file"] = dest["gguf"].name
        # what it was exported from: the Models panel lists the file among that model's forms
        report["source"] = str(req.model_dir)
        report["adapter"] = str(req.adapter_dir) if req.adapter_dir else None
        report["name"] = req.name

        progress(4, total, "Writing the Modelfile", "export.modelfile")
        gen = model.generation_config.to_dict() if getattr(model, "generation_config", None) else {}
        eos = tokenizer.eos_token if isinstance(tokenizer.eos_token, str) else None
        text, mf = modelfile.build(tokenizer, dest["gguf"].name,
                                   context_length=getattr(model.config, "max_position_embeddings", None),
                                   eos_token=eos, generation=gen if gen.get("do_sample") else None)
        report["modelfile"] = mf
        if mf.get("template_matches") is False:
            report["problems"].append("the Modelfile's template does not render like the model's chat template")
            report["passed"] = False
        if not report["passed"]:
            raise VerificationFailed(report)
        (tmp / MODELFILE).write_text(text, encoding="utf-8")
        (tmp / VERIFY_FILE).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if stop_requested():
            return None

        progress(5, total, "Moving the files into place", "export.install")
        paths.fsync_tree(tmp)
        os.replace(gguf_tmp, dest["gguf"])  # the GGUF first: the report and Modelfile describe it
        os.replace(tmp / VERIFY_FILE, dest["verify"])
        os.replace(tmp / MODELFILE, dest["modelfile"])
        model_formats.record_export(dest["gguf"])  # listed among the source's forms in Models
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"path": str(dest["gguf"]), "modelfile": str(dest["modelfile"]), "verify_path": str(dest["verify"]),
            "size_bytes": dest["gguf"].stat().st_size, "quant": quant, "arch": written.arch,
            "tensor_types": written.tensor_types, "pre_tokenizer": written.pre_tokenizer,
            "special_ids": written.special_ids, "name": req.name, "source": str(req.model_dir),
            "adapter": str(req.adapter_dir) if req.adapter_dir else None, "verification": report,
            "seconds": round(time.monotonic() - t0, 2)}
