"""The app's real training engine on a GPU: one LoRA and one QLoRA run on a tiny random Llama.

    python benchmarks/gpu_train_engine.py --out result.json [--steps 6]
    python benchmarks/gpu_train_engine.py --out result.json --cpu   # the same path on CPU (fp32)

Offline and self-contained: a byte-level BPE tokenizer is trained in code on the sample dataset
(resources/samples/sample_sft_en_zh.jsonl) and given a ChatML chat template; a 4-layer Llama with
random weights is built from a LlamaConfig and saved beside it. Each run is a real
``python -m app.engines.train RUN_DIR`` process with a config.json written by
``app.core.train_config``, exactly as the app starts it. The JSON written to --out holds, per run,
the engine's events.jsonl (decoded), its memory.json, the planner's prediction for the same
settings, the exit code and the end of train.log.

Without CUDA (and without --cpu) it writes {"skipped": ...} and exits 2: the GPU runs need a GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.core import vram_planner as vp
from app.core.train_config import TrainConfig, write_config

DATASET = REPO / "resources" / "samples" / "sample_sft_en_zh.jsonl"
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
TINY_LLAMA = {"model_type": "llama", "hidden_size": 256, "intermediate_size": 704, "num_hidden_layers": 4,
              "num_attention_heads": 8, "num_key_value_heads": 2, "max_position_embeddings": 1024,
              "tie_word_embeddings": False, "rms_norm_eps": 1e-5}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_model(folder: Path) -> dict:
    """Tokenizer (BPE trained on the dataset) + random-weight Llama, saved as a Hugging Face folder."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedTokenizerFast

    texts = []
    for line in DATASET.read_text(encoding="utf-8").splitlines():
        if line.strip():
            texts += [m["content"] for m in json.loads(line)["messages"]]
    specials = ["<|pad|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(
        vocab_size=2048, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<|pad|>", eos_token="<|im_end|>",
                                   bos_token=None, unk_token=None)
    fast.chat_template = CHATML
    folder.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(str(folder))
    vocab = (len(fast) + 63) // 64 * 64
    config = AutoConfig.for_model(**TINY_LLAMA, vocab_size=vocab, pad_token_id=fast.pad_token_id,
                                  eos_token_id=fast.eos_token_id, bos_token_id=None)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    model.save_pretrained(str(folder), safe_serialization=True)
    return {"vocab": vocab, "params": sum(p.numel() for p in model.parameters()),
            "config": dict(TINY_LLAMA)}


def planned_peak(model_dir: Path, cfg: TrainConfig, cuda: bool, total_gb: float) -> dict:
    shape = vp.ModelShape.from_model_dir(model_dir)
    p = vp.plan(vp.plan_input(cfg, shape, total_gb, device="cuda" if cuda else "cpu"))
    return {k: round(v, 4) for k, v in p.breakdown().items()} | {"allocated": round(p.allocated_gb, 4)}


def run_configs(cuda: bool, steps: int) -> dict[str, dict]:
    common = {"dataset_path": str(DATASET), "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05,
              "target_modules": "all-linear", "max_seq_len": 256, "batch_size": 4, "grad_accum": 1,
              "max_steps": steps, "learning_rate": 1e-3, "scheduler": "constant", "warmup_ratio": 0.0,
              "logging_steps": 1, "save_steps": max(1, steps // 2), "save_total_limit": 1, "threads": 8}
    if not cuda:  # the local check: fp32, fewer threads (the engine swaps the paged optimizer for AdamW)
        return {"lora": dict(common, method="lora", quantization="none", dtype="float32",
                             gradient_checkpointing=False, optimizer="adamw_torch", threads=2),
                "qlora": dict(common, method="qlora", quantization="4bit", dtype="float32",
                              gradient_checkpointing=True, optimizer="paged_adamw_8bit", threads=2)}
    return {
        "lora": dict(common, method="lora", quantization="none", dtype="bfloat16",
                     gradient_checkpointing=False, optimizer="adamw_torch"),
        "qlora": dict(common, method="qlora", quantization="4bit", dtype="bfloat16",
                      gradient_checkpointing=True, optimizer="paged_adamw_8bit"),
    }


def summarize(run_dir: Path, proc: subprocess.CompletedProcess | None, seconds: float, error: str | None) -> dict:
    events = []
    path = run_dir / "events.jsonl"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                events.append({"undecodable": line[:300]})
    metrics = [e for e in events if e.get("type") == "metric"]
    done = next((e for e in reversed(events) if e.get("type") == "done"), None)
    memory = None
    if (run_dir / "memory.json").is_file():
        memory = json.loads((run_dir / "memory.json").read_text(encoding="utf-8"))
    log_tail = ""
    if (run_dir / "train.log").is_file():
        log_tail = (run_dir / "train.log").read_text(encoding="utf-8", errors="replace")[-4000:]
    return {
        "exit_code": proc.returncode if proc else None, "wall_seconds": round(seconds, 1), "error": error,
        "done": done, "memory": memory, "n_events": len(events), "metric_events": metrics,
        "errors": [e for e in events if e.get("type") == "error"],
        "adapter_files": sorted(p.name for p in (run_dir / "adapter").glob("*")) if (run_dir / "adapter").is_dir() else [],
        "checkpoints": sorted(p.name for p in (run_dir / "checkpoints").glob("*")) if (run_dir / "checkpoints").is_dir() else [],
        "stderr_tail": (proc.stderr[-3000:] if proc and proc.stderr else ""),
        "train_log_tail": log_tail,
        "all_events": events,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=150, help="seconds per engine run")
    ap.add_argument("--cpu", action="store_true", help="run both cases on CPU in float32 (a local check)")
    args = ap.parse_args(argv)

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.cpu:
        msg = "No CUDA device (torch.cuda.is_available() is False): the GPU training runs were skipped."
        log(msg)
        args.out.write_text(json.dumps({"skipped": msg}, indent=2))
        return 2
    total_gb = torch.cuda.get_device_properties(0).total_memory / 1024 ** 3 if cuda else 16.0
    work = Path(tempfile.mkdtemp(prefix="gpu-train-engine-"))
    home = work / "home"
    home.mkdir()
    result: dict = {"device": torch.cuda.get_device_name(0) if cuda else "cpu", "runs": {}}
    try:
        t0 = time.monotonic()
        model_dir = work / "tiny-llama"
        result["model"] = build_model(model_dir)
        result["model"]["build_seconds"] = round(time.monotonic() - t0, 1)
        env = dict(os.environ, AI_PLATFORM_HOME=str(home), PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
        for name, values in run_configs(cuda, args.steps).items():
            cfg = TrainConfig(base_model=str(model_dir), name=f"gpu-check-{name}", **values)
            planned = planned_peak(model_dir, cfg, cuda, total_gb)
            cfg.predicted_peak_gb = planned["total"]
            cfg.validate(check_files=True)
            run_dir = work / f"run-{name}"
            run_dir.mkdir()
            write_config(run_dir, cfg)
            log(f"--- engine run {name}: {cfg.method}, quantization {cfg.quantization}, {cfg.dtype}, "
                f"{cfg.max_steps} steps")
            t = time.monotonic()
            proc, error = None, None
            try:
                proc = subprocess.run([sys.executable, "-m", "app.engines.train", str(run_dir)], check=False,
                                      cwd=str(REPO), env=env, capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                error = f"the engine did not finish in {args.timeout:.0f} s"
            summary = summarize(run_dir, proc, time.monotonic() - t, error)
            summary["planned_gb"] = planned
            result["runs"][name] = summary
            done = summary["done"] or {}
            log(f"    exit {summary['exit_code']}, done: {done.get('status')}, final_loss "
                f"{done.get('final_loss')}, memory.json: {summary['memory']}, errors: {summary['errors']}")
            args.out.write_text(json.dumps(result, indent=1, default=str))
    finally:
        args.out.write_text(json.dumps(result, indent=1, default=str))
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    ok = all((r.get("done") or {}).get("status") == "completed" for r in result["runs"].values())
    return 0 if ok and result["runs"] else 1


if __name__ == "__main__":
    sys.exit(main())
