"""DPO and continued pretraining on the real bundled SmolLM2-135M (converted once per session).

DPO goes through the command line exactly as a person types it (``ai-platform train --preset
cpu-demo --method dpo``); the test then loads the saved adapter and measures, on the training
pairs, the log-probability of the chosen and the rejected answers under the base and the adapter.
Both runs stop at a step limit and are continued from their checkpoint (`--resume latest`).
CPT trains on a folder holding a Markdown file (and an empty one, left out).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import protocol
from app.core.train_config import TrainConfig, write_config
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow

PAIRS = [
    ("What color is the sky on a clear day?", "Blue.", "Green."), ("What is 2 + 2?", "4.", "5."),
    ("Which animal barks?", "A dog.", "A cat."), ("What is the capital of France?", "Paris.", "Berlin."),
    ("How many legs does a spider have?", "Eight.", "Six."), ("What do bees make?", "Honey.", "Milk."),
    ("Which planet do we live on?", "Earth.", "Mars."), ("What is frozen water called?", "Ice.", "Steam."),
    ("How many days are in a week?", "Seven.", "Ten."), ("What gas do plants take in?", "Carbon dioxide.", "Helium."),
    ("Which is the largest ocean?", "The Pacific.", "The Arctic."), ("What is the opposite of hot?", "Cold.", "Loud."),
]


def write_pairs(path: Path) -> Path:
    """A dozen pairs, half as strings and half in the conversational form (no separate prompt)."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, (q, good, bad) in enumerate(PAIRS):
            if i % 2:
                record = {"prompt": q, "chosen": good, "rejected": bad}
            else:
                record = {"chosen": [{"role": "user", "content": q}, {"role": "assistant", "content": good}],
                          "rejected": [{"role": "user", "content": q}, {"role": "assistant", "content": bad}]}
            fh.write(json.dumps(record) + "\n")
    return path


def decode(stdout: str) -> list[protocol.Event]:
    return [protocol.decode(line) for line in stdout.splitlines() if line.strip()]


def answer_logps(model, tokenizer, pairs) -> list[tuple[float, float]]:
    """(chosen, rejected): the summed log-probabilities of each answer's tokens after the chat-templated
    question, all answers in one right-padded batch."""
    import torch

    rows, starts = [], []
    for question, *answers in pairs:
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                               add_generation_prompt=True)
        p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        for answer in answers:
            full = tokenizer.apply_chat_template([{"role": "user", "content": question},
                                                  {"role": "assistant", "content": answer}], tokenize=False)
            ids = tokenizer(full, add_special_tokens=False)["input_ids"]
            assert ids[:len(p_ids)] == p_ids
            rows.append(ids)
            starts.append(len(p_ids))
    width = max(map(len, rows))
    ids = torch.tensor([r + [0] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    logp = torch.log_softmax(logits, -1).gather(2, ids[:, 1:, None])[..., 0]
    sums = [float(logp[i, start - 1:len(r) - 1].sum()) for i, (r, start) in enumerate(zip(rows, starts))]
    return list(zip(sums[0::2], sums[1::2]))


def test_cli_dpo_prefers_the_chosen_answers_and_resumes(tmp_path, convert_run, converted_model_dir):
    pairs = write_pairs(tmp_path / "pairs.jsonl")
    run_dir = tmp_path / "dpo-run"
    env = engine_env_for(convert_run.home)

    def cli(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "app", "train", *args, "--run-dir", str(run_dir)], env=env,
                              cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        last = json.loads(proc.stdout.strip().splitlines()[-1])
        assert last["type"] == "done" and last["status"] == "completed"
        return proc

    first = cli("--preset", "cpu-demo", "--method", "dpo", "--dataset", str(pairs), "--max-steps", "2")
    assert json.loads((run_dir / "config.json").read_text())["method"] == "dpo"
    # The same run, two steps longer, continued from its checkpoint.
    config = json.loads((run_dir / "config.json").read_text())
    config["max_steps"] = 4
    (run_dir / "config.json").write_text(json.dumps(config))
    second = cli("--resume", "latest")
    assert json.loads(second.stdout.strip().splitlines()[-1])["steps"] == 4
    metrics = [e for proc in (first, second) for e in decode(proc.stdout) if isinstance(e, protocol.Metric)]
    assert [m.step for m in metrics] == [1, 2, 3, 4]
    for m in metrics:
        assert {"reward_accuracy", "reward_margin", "reward_chosen", "reward_rejected"} <= set(m.values)
    # The first step's adapter is zero: chosen and rejected get the same reward, no pair is "right".
    assert metrics[0].values["reward_accuracy"] == 0.0
    assert max(m.values["reward_accuracy"] for m in metrics[-2:]) > 0.0

    # On the training pairs: the adapter's reward (log-prob over the base's) is higher for the
    # chosen answer than for the rejected one, and its chosen-minus-rejected margin beats the base's.
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(2)  # the default (every core the machine reports) oversubscribes a shared CI box
    tok = AutoTokenizer.from_pretrained(str(converted_model_dir))
    base = AutoModelForCausalLM.from_pretrained(str(converted_model_dir), dtype=torch.float32).eval()
    base_lp = answer_logps(base, tok, PAIRS)
    tuned = PeftModel.from_pretrained(base, str(run_dir / "adapter")).eval()
    tuned_lp = answer_logps(tuned, tok, PAIRS)
    base_margin = sum(c - r for c, r in base_lp) / len(PAIRS)
    tuned_margin = sum(c - r for c, r in tuned_lp) / len(PAIRS)
    assert tuned_margin > base_margin + 0.1, (base_margin, tuned_margin)
    right = sum((tc - bc) > (tr - br) for (bc, br), (tc, tr) in zip(base_lp, tuned_lp))
    assert right >= 9, f"reward accuracy on the training pairs: {right}/12"


def test_cpt_loss_falls_and_a_stopped_run_resumes(tmp_path, convert_run, converted_model_dir):
    text = ("The glimmerfox of Zorbania lives in the blue hills above Quillentown. It eats moonberries, "
            "sleeps in hollow logs and sings a three-note song at dawn. ") * 6
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "glimmerfox.md").write_text("# The glimmerfox\n\n" + text, encoding="utf-8")
    (notes / "empty.txt").write_text("", encoding="utf-8")  # left out, named in the log
    run_dir = tmp_path / "cpt-run"
    cfg = TrainConfig(base_model=str(converted_model_dir), dataset_path=str(notes), method="cpt",
                      dtype="float32", lora_r=8, lora_alpha=16, lora_dropout=0.0, max_seq_len=64,
                      batch_size=2, grad_accum=1, max_steps=3, learning_rate=2e-3, scheduler="constant",
                      warmup_ratio=0.0, gradient_checkpointing=False, logging_steps=1, save_steps=100,
                      save_total_limit=0, threads=1).validate(check_files=True)
    run_dir.mkdir()
    write_config(run_dir, cfg)
    env = engine_env_for(convert_run.home)

    def engine(*extra: str) -> list[protocol.Event]:
        proc = subprocess.run([sys.executable, "-m", "app.engines.train", str(run_dir), *extra], env=env,
                              cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return decode(proc.stdout)

    first = engine()
    done = first[-1]
    assert isinstance(done, protocol.Done) and done.status == "completed" and done.extra["steps"] == 3
    assert done.extra["texts"] == 1 and done.extra["examples"] >= 2  # packed 64-token blocks of one text
    losses = [m.values["loss"] for m in first if isinstance(m, protocol.Metric)]
    assert len(losses) == 3 and losses[-1] < losses[0] * 0.9, losses
    assert (run_dir / "checkpoints" / "checkpoint-3").is_dir()

    # Continue the same run for two more steps from its checkpoint.
    config = json.loads((run_dir / "config.json").read_text())
    config["max_steps"] = 5  # the same run, two steps longer
    (run_dir / "config.json").write_text(json.dumps(config))
    second = engine("--resume", "latest")
    more = [m for m in second if isinstance(m, protocol.Metric)]
    assert [m.step for m in more] == [4, 5]
    assert more[-1].values["loss"] < losses[0]
    assert second[-1].status == "completed" and second[-1].extra["steps"] == 5
