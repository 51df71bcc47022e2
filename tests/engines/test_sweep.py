"""`ai-platform sweep`: Optuna over the real training engine (bundled SmolLM2, 2-step trials on the
fact data), killed with SIGKILL mid-sweep and resumed without repeating a finished trial."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.engines.test_train import write_fact_dataset
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow


def fact_and_val(folder):
    """The fact dataset and a validation split of its first two records."""
    data = write_fact_dataset(folder / "fact.jsonl")
    val = folder / "val.jsonl"
    val.write_text("".join(data.read_text().splitlines(keepends=True)[:2]), encoding="utf-8")
    return data, val


def tiny_base(model_dir, data, val, **overrides) -> dict:
    """A sweep's "base": fp32 LoRA on the bundled model, short sequences, an eval every step."""
    base = {"base_model": str(model_dir), "dataset_path": str(data), "val_path": str(val), "method": "lora",
            "quantization": "none", "dtype": "float32", "target_modules": "all-linear", "lora_r": 4,
            "lora_alpha": 8, "lora_dropout": 0.0, "max_seq_len": 64, "batch_size": 2, "grad_accum": 1,
            "max_steps": 2, "eval_steps": 1, "save_steps": 100, "logging_steps": 1, "scheduler": "constant",
            "warmup_ratio": 0.0, "gradient_checkpointing": False, "threads": 1}
    base.update(overrides)
    return base


def test_sweep_survives_sigkill_and_resumes(tmp_path, converted_model_dir):
    home = tmp_path / "home"
    data, val = fact_and_val(tmp_path)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({
        "name": "zorbania",
        "base": tiny_base(converted_model_dir, data, val),
        "params": {"learning_rate": {"choices": [2e-3, 1e-6]}}}), encoding="utf-8")
    cmd = [sys.executable, "-m", "app", "sweep", str(space), "--trials", "3", "--json"]
    env = engine_env_for(home)

    # First run: killed (with its training engine: the whole process group) once trial 1 started.
    err_path = tmp_path / "first.err"
    with open(err_path, "wb") as err:
        first = subprocess.Popen(cmd, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 400
        while "trial 1:" not in err_path.read_text(errors="replace"):
            assert first.poll() is None, err_path.read_text()
            assert time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.5)
        time.sleep(3)  # trial 1's engine is loading or training
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    first_log = err_path.read_text()
    assert "trial 0: eval loss" in first_log, first_log

    second = subprocess.run(cmd, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    out = json.loads(second.stdout.strip().splitlines()[-1])
    print(f"\n{first_log}\n{second.stderr}\n{out}")
    states = {t["number"]: t["state"] for t in out["trials"]}
    assert states[0] == "complete" and states[1] == "fail"  # killed mid-trial: failed, never repeated
    assert "trial 1: marked failed" in second.stderr and "trial 0: " not in second.stderr
    assert out["finished"] == 3 and sum(s in ("complete", "pruned") for s in states.values()) == 3
    assert all(t["intermediate"] for t in out["trials"] if t["state"] in ("complete", "pruned"))  # eval losses reported
    assert out["best"]["value"] == min(t["value"] for t in out["trials"] if t["state"] == "complete")
    runs = sorted(p.name for p in (home / "runs").iterdir())
    assert sum("-t0-" in r or r.startswith("zorbania-t0") for r in runs) == 1  # trial 0 trained once
    assert (home / "sweeps" / "zorbania.sqlite3").is_file()


def test_sweep_maximises_an_eval_metric(tmp_path, converted_model_dir, monkeypatch):
    """Objective ROUGE-L: each trial's run is measured by the evaluation engine after training and the
    study maximises it. Seed 0 draws the learning rates 1e-6, 2e-3, 1e-6, 1e-6: the trial that learns the
    fact comes second with a lower loss and the loss pruner lets it finish, the two later ones that
    cannot learn are pruned on their held-out loss (a plain median pruner on a maximised study would do
    both the other way round), and the best is the highest ROUGE-L, not the lowest."""
    home = tmp_path / "home"
    data, val = fact_and_val(tmp_path)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({
        "name": "zorbania-rouge", "objective": "rouge_l",
        "base": tiny_base(converted_model_dir, data, val, lora_r=8, lora_alpha=16, max_steps=8, eval_steps=4),
        "params": {"learning_rate": {"choices": [2e-3, 1e-6]}}}), encoding="utf-8")
    env = engine_env_for(home, AI_PLATFORM_EVAL_GENERATION="transformers")
    cmd = [sys.executable, "-m", "app", "sweep", str(space), "--trials", "4", "--json", "--seed", "0"]
    proc = subprocess.run(cmd, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n{proc.stderr}\n{out}")
    assert out["objective"] == "rouge_l" and out["direction"] == "maximize"
    trials = out["trials"]
    assert [t["params"]["learning_rate"] for t in trials] == [1e-6, 2e-3, 1e-6, 1e-6], trials
    assert [t["state"] for t in trials] == ["complete", "complete", "pruned", "pruned"]
    assert out["finished"] == 4 and "trial 2: evaluating" not in proc.stderr
    assert trials[2]["value"] is None and trials[2]["intermediate"]  # no ROUGE-L measured, its losses kept
    assert trials[1]["intermediate"] and min(trials[1]["intermediate"].values()) < min(trials[0]["intermediate"].values())
    assert trials[1]["value"] > trials[0]["value"] and out["best"]["number"] == 1
    assert "trial 1: evaluating rouge_l" in proc.stderr
    for t in trials[:2]:  # the value is the adapter's ROUGE-L in the run's own evaluation, base beside it
        saved = json.loads((home / "runs" / t["run"] / "eval" / "latest.json").read_text(encoding="utf-8"))
        assert saved["adapter"]["rouge_l"] == pytest.approx(t["value"]) and "rouge_l" in saved["base"]

    from app.core import paths, sweeps

    monkeypatch.setenv(paths.ENV_HOME, str(home))
    study = sweeps.read_study("zorbania-rouge")
    assert study.objective == "rouge_l" and study.best.number == 1

    # The same name with another objective: refused before anything is written.
    spec = json.loads(space.read_text(encoding="utf-8"))
    spec["objective"] = "eval_loss"
    space.write_text(json.dumps(spec), encoding="utf-8")
    again = subprocess.run(cmd, env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=300)
    assert again.returncode != 0 and "optimises rouge_l, not eval_loss" in again.stderr
    assert "Traceback" not in again.stderr
    assert json.loads((home / "sweeps" / "zorbania-rouge.space.json").read_text())["objective"] == "rouge_l"
