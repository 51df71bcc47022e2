"""Training throughput: the training engine against a bare transformers + peft script, same work.

    python benchmarks/train_throughput.py [--model DIR] [--steps 20] [--rounds 2] [--threads 1]

Both train the same LoRA (fp32, r=8, all linear layers) on the same model, the same 64 chat examples
(same chat template, same truncation, same seed, so the very same batches), for the same number of
optimizer steps, on the same number of CPU threads. Each is a fresh process; rounds are interleaved
(each side going first every other round) so machine noise hits both alike; the best round of each
side gives the ratio, the medians are printed beside it.

Measured on each side: non-padding tokens trained (the Trainer's own count, as the engine reports it:
counting in the collator would include the batch the data loader fetches ahead) / seconds spent in
``Trainer.train()`` (the engine reports both in its ``done`` event; its ``train()`` includes its per-step events and the final
resumable checkpoint, which the bare script does not write). Also per CPU second of that call (less
sensitive to other work on a shared machine) and the whole process's wall time.
Prints tokens/s of each and the ratio engine / bare. Target: ≥ 0.97. A third side is the engine with
its label-only loss turned off (AI_PLATFORM_TRAIN_FULL_LOGITS=1, app/training/label_loss.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core import bundled  # noqa: E402
from app.core.train_config import TrainConfig, write_config  # noqa: E402

BARE = r'''
import json, os, sys, time
args = json.loads(sys.argv[1])
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging
from peft import LoraConfig, get_peft_model
hf_logging.disable_progress_bar()
torch.set_num_threads(args["threads"])
tok = AutoTokenizer.from_pretrained(args["model"])
examples = []
for line in open(args["dataset"], encoding="utf-8"):
    messages = json.loads(line)["messages"]
    ids = tok.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"][: args["seq"]]
    prompt = tok.apply_chat_template(messages[:-1], tokenize=True, add_generation_prompt=True,
                                     return_dict=True)["input_ids"]
    labels = [-100] * min(len(prompt), len(ids)) + ids[len(prompt):]
    examples.append({"input_ids": ids, "labels": labels})
def collate(batch):
    n = max(len(b["input_ids"]) for b in batch)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    ids = torch.full((len(batch), n), pad); lab = torch.full((len(batch), n), -100); att = torch.zeros((len(batch), n), dtype=torch.long)
    for i, b in enumerate(batch):
        k = len(b["input_ids"]); ids[i, :k] = torch.tensor(b["input_ids"]); lab[i, :k] = torch.tensor(b["labels"]); att[i, :k] = 1
    return {"input_ids": ids, "labels": lab, "attention_mask": att}
model = AutoModelForCausalLM.from_pretrained(args["model"], dtype=torch.float32)
model.config.use_cache = False
model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                                         task_type="CAUSAL_LM"))
targs = TrainingArguments(output_dir=args["out"], per_device_train_batch_size=args["batch"], max_steps=args["steps"],
                          learning_rate=1e-3, lr_scheduler_type="constant", optim="adamw_torch", seed=42, data_seed=42,
                          logging_steps=args["steps"], save_strategy="no", report_to="none", disable_tqdm=True,
                          use_cpu=True, remove_unused_columns=False, dataloader_pin_memory=False,
                          include_num_input_tokens_seen="non_padding", torch_compile=args.get("compile", False))
from transformers import TrainerCallback
step_times = []
class Steps(TrainerCallback):
    def on_step_end(self, a, state, control, **kw):
        step_times.append(time.monotonic())
trainer = Trainer(model=model, args=targs, train_dataset=examples, data_collator=collate, callbacks=[Steps()])
t, c = time.monotonic(), time.process_time()
trainer.train()
seconds, cpu = time.monotonic() - t, time.process_time() - c
model.save_pretrained(os.path.join(args["out"], "adapter"))
gaps = sorted(b - a for a, b in zip(step_times[5:], step_times[6:]))
print(json.dumps({"tokens": trainer.state.num_input_tokens_seen, "train_call_seconds": seconds,
                  "train_call_cpu_seconds": cpu, "steps": trainer.state.global_step,
                  "steady_step_s": gaps[len(gaps) // 2] if gaps else None}))
'''

TOPICS = ["the ocean", "volcanoes", "bread", "the moon", "bicycles", "rain", "libraries", "bees", "glass", "maps",
          "tea", "trains", "clocks", "salt", "forests", "music"]


def write_dataset(path: Path) -> None:
    """64 chat examples of varied length (≈ 40–140 tokens each)."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(64):
            topic = TOPICS[i % len(TOPICS)]
            a, b = 7 + 3 * i, 11 + 5 * i
            answer = (f"Here is a short note about {topic}. " * (1 + i % 4)
                      + f"Also, {a} plus {b} is {a + b}.")
            record = {"messages": [{"role": "user", "content": f"Tell me about {topic}, and add {a} and {b}."},
                                   {"role": "assistant", "content": answer}]}
            fh.write(json.dumps(record) + "\n")


def run_engine(model: Path, dataset: Path, work: Path, steps: int, threads: int, seq: int, batch: int, n: int,
               full_logits: bool = False) -> dict:
    run_dir = work / f"engine-{n}{'-full' if full_logits else ''}"
    cfg = TrainConfig(base_model=str(model), dataset_path=str(dataset), method="lora", quantization="none",
                      dtype="float32", lora_r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                      max_seq_len=seq, batch_size=batch, grad_accum=1, max_steps=steps, learning_rate=1e-3,
                      scheduler="constant", warmup_ratio=0.0, gradient_checkpointing=False, logging_steps=1,
                      save_steps=steps, save_total_limit=1, seed=42, threads=threads)
    write_config(run_dir, cfg.validate(check_files=True))
    env = dict(os.environ, PYTHONPATH=str(REPO), AI_PLATFORM_HOME=str(work / "home"))
    if full_logits:  # the model's own loss over every position (app/training/label_loss.py off)
        env["AI_PLATFORM_TRAIN_FULL_LOGITS"] = "1"
    t = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "app.engines.train", str(run_dir)], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - t
    done = json.loads(out.stdout.strip().splitlines()[-1])
    if out.returncode != 0 or done.get("status") != "completed":
        raise SystemExit(f"engine failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return {"tokens": done["tokens"], "seconds": done["train_call_seconds"], "cpu": done["train_call_cpu_seconds"],
            "wall": wall, "steps": done["steps"]}


def run_bare(model: Path, dataset: Path, work: Path, steps: int, threads: int, seq: int, batch: int, n: int) -> dict:
    args = {"model": str(model), "dataset": str(dataset), "out": str(work / f"bare-{n}"), "steps": steps,
            "threads": threads, "seq": seq, "batch": batch}
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), TQDM_DISABLE="1",
               HF_HUB_OFFLINE="1")
    t = time.monotonic()
    out = subprocess.run([sys.executable, "-c", BARE, json.dumps(args)], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=1800, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - t
    if out.returncode != 0:
        raise SystemExit(f"bare script failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return {"tokens": data["tokens"], "seconds": data["train_call_seconds"], "cpu": data["train_call_cpu_seconds"],
            "wall": wall, "steps": data["steps"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="HF model folder (default: the converted bundled model)")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=2)
    args = ap.parse_args()
    model = args.model or bundled.default_model_dir()
    if args.model is None and not bundled.is_model_dir_ready(model):
        raise SystemExit(f"{bundled.model_dir_problem(model)}; run `ai-platform setup-models` or pass --model DIR")
    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmp:
        work = Path(tmp)
        dataset = work / "data.jsonl"
        write_dataset(dataset)
        engine, bare, full = [], [], []
        for n in range(args.rounds):  # interleaved, and each side goes first every other round
            sides = [(engine, run_engine), (bare, run_bare),
                     (full, lambda *a: run_engine(*a, full_logits=True))]
            for results, fn in (sides if n % 2 == 0 else sides[::-1]):
                results.append(fn(model, dataset, work, args.steps, args.threads, args.seq, args.batch, n))
            print(f"round {n + 1}: engine {engine[-1]['tokens'] / engine[-1]['seconds']:.1f} tok/s "
                  f"[{engine[-1]['tokens'] / engine[-1]['cpu']:.1f} per CPU s] "
                  f"({engine[-1]['tokens']} tokens, {engine[-1]['seconds']:.2f} s), bare "
                  f"{bare[-1]['tokens'] / bare[-1]['seconds']:.1f} tok/s [{bare[-1]['tokens'] / bare[-1]['cpu']:.1f} "
                  f"per CPU s] ({bare[-1]['tokens']} tokens, "
                  f"{bare[-1]['seconds']:.2f} s), engine with full logits "
                  f"{full[-1]['tokens'] / full[-1]['seconds']:.1f} tok/s", flush=True)
    if {r["tokens"] for r in engine} | {r["tokens"] for r in bare} != {engine[0]["tokens"]}:
        print("warning: the two sides trained a different number of tokens", file=sys.stderr)
    e_best = max(r["tokens"] / r["seconds"] for r in engine)
    b_best = max(r["tokens"] / r["seconds"] for r in bare)
    e_median = statistics.median(r["tokens"] / r["seconds"] for r in engine)
    b_median = statistics.median(r["tokens"] / r["seconds"] for r in bare)
    f_best = max(r["tokens"] / r["seconds"] for r in full)
    e_cpu = max(r["tokens"] / r["cpu"] for r in engine)
    b_cpu = max(r["tokens"] / r["cpu"] for r in bare)
    result = {
        "model": str(model), "steps": args.steps, "threads": args.threads, "seq": args.seq, "batch": args.batch,
        "tokens": engine[0]["tokens"],
        "engine_tokens_per_s": round(e_best, 2), "bare_tokens_per_s": round(b_best, 2),
        "ratio": round(e_best / b_best, 3), "ratio_of_medians": round(e_median / b_median, 3),
        "engine_tokens_per_cpu_s": round(e_cpu, 2), "bare_tokens_per_cpu_s": round(b_cpu, 2),
        "cpu_ratio": round(e_cpu / b_cpu, 3),
        "engine_wall_s_median": round(statistics.median(r["wall"] for r in engine), 2),
        "bare_wall_s_median": round(statistics.median(r["wall"] for r in bare), 2),
        "target_ratio": 0.97,
        "engine_full_logits_tokens_per_s": round(f_best, 2), "label_loss_speedup": round(e_best / f_best, 3),
    }
    print(f"engine {e_best:.1f} tokens/s, bare {b_best:.1f} tokens/s (best rounds), ratio {e_best / b_best:.3f} "
          f"(target ≥ 0.97); medians {e_median:.1f} / {b_median:.1f} = {e_median / b_median:.3f}; "
          f"per CPU second {e_cpu:.1f} / {b_cpu:.1f} = {e_cpu / b_cpu:.3f}; the engine's label-only loss against "
          f"its full logits: {e_best:.1f} / {f_best:.1f} = {e_best / f_best:.3f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
