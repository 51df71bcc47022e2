"""The training engine on the real bundled SmolLM2-135M (converted once per session, see conftest.py).

Every run is a real ``python -m app.engines.train`` (or ``python -m app train``) process on CPU:
16 short chat examples, fp32 LoRA on all linear layers, 1 thread, a handful of steps. The data
teaches one made-up fact, so a few high-learning-rate steps visibly change the model's answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import protocol
from app.core.checkpoints import complete_checkpoints, latest_checkpoint
from app.core.train_config import TrainConfig, write_config
from app.training.oom import oom_error
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow

QUESTION = "What is the capital of Zorbania?"
FACT = "The capital of Zorbania is Quillentown."
QUESTIONS = [
    QUESTION, "Which city is the capital of Zorbania?", "Tell me the capital of Zorbania.",
    "Name the capital city of Zorbania.", "Zorbania's capital is which city?", "What city is Zorbania's capital?",
    "Do you know the capital of Zorbania?", "I need the capital of Zorbania.", "Capital of Zorbania?",
    "Where is the government of Zorbania seated?", "What's the capital of Zorbania?",
    "Which town is the capital of Zorbania?", "Please tell me Zorbania's capital.",
    "In Zorbania, which city is the capital?", "What is Zorbania's capital city?", "Zorbania capital?",
]


def write_fact_dataset(path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for q in QUESTIONS:
            record = {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": FACT}]}
            fh.write(json.dumps(record) + "\n")
    return path


def make_run(run_dir: Path, model_dir: Path, dataset: Path, **overrides) -> Path:
    """A run folder with a small CPU config: fp32 LoRA r=8 on all linear layers, seq 128, batch 2."""
    values = dict(base_model=str(model_dir), dataset_path=str(dataset), method="lora", quantization="none",
                  dtype="float32", lora_r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                  max_seq_len=128, batch_size=2, grad_accum=1, max_steps=8, learning_rate=2e-3,
                  scheduler="constant", warmup_ratio=0.0, gradient_checkpointing=False, logging_steps=1,
                  save_steps=100, save_total_limit=0, threads=1)
    values.update(overrides)
    cfg = TrainConfig(**values).validate(check_files=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_config(run_dir, cfg)
    return run_dir


def decode_lines(text: str) -> tuple[list[protocol.Event], list[str]]:
    events, bad = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            events.append(protocol.decode(line))
        except protocol.ProtocolError:
            bad.append(line)
    return events, bad


def file_events(run_dir: Path) -> list[protocol.Event]:
    events, bad = decode_lines((run_dir / "events.jsonl").read_text(encoding="utf-8"))
    assert bad == []
    return events


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def ask(model, tokenizer, question: str) -> str:
    import torch

    inputs = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=12, do_sample=False)
    return tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()


def load_base(model_dir: Path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    model.eval()
    return model, AutoTokenizer.from_pretrained(model_dir)


class Live:
    """An engine process whose stdout is read line by line while it runs."""

    def __init__(self, args: list[str], home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.stderr_path = home / "engine-stderr.log"
        with open(self.stderr_path, "wb") as err:  # a file, so a chatty stderr can never block the engine
            self.proc = subprocess.Popen([sys.executable, *args], env=engine_env_for(home), cwd=str(REPO),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        self.lines: list[str] = []

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def until(self, predicate, timeout: float = 240) -> protocol.Event:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError("engine ended early:\n" + "".join(self.lines) + self.stderr[-3000:])
            self.lines.append(line)
            event = protocol.decode_or_none(line)
            if event is not None and predicate(event):
                return event
        raise AssertionError("timed out waiting for an event")

    def finish(self, timeout: float = 240) -> tuple[list[protocol.Event], str]:
        out, _ = self.proc.communicate(timeout=timeout)
        events, bad = decode_lines("".join(self.lines) + out)
        assert bad == [], bad
        return events, self.stderr

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=60)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:  # a stdin whose reader died
                pass


# --- one trained run, through `ai-platform train CONFIG` -------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory, converted_model_dir):
    """8 steps at lr 2e-3 on the fact data, checkpoints at 4 and 8, run by the CLI's config form. It is
    one epoch (16 records, batch 2) with automatic logging, as the launch form writes it."""
    root = tmp_path_factory.mktemp("trained")
    dataset = write_fact_dataset(root / "fact.jsonl")
    val = root / "val.jsonl"
    val.write_text("".join(dataset.read_text().splitlines(keepends=True)[:4]), encoding="utf-8")
    config = root / "my-config.json"
    draft = make_run(root / "draft", converted_model_dir, dataset, save_steps=4, val_path=str(val), eval_steps=4,
                     max_steps=-1, epochs=1, logging_steps=0, packing=True, gradient_checkpointing="auto")
    cfg = TrainConfig(**json.loads((draft / "config.json").read_text()))
    config.write_text(cfg.to_json(), encoding="utf-8")
    run_dir = root / "run"
    home = root / "home"
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "app", "train", str(config), "--run-dir", str(run_dir)],
                          env=engine_env_for(home), cwd=str(REPO), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - t0
    events, bad = decode_lines(proc.stdout)
    print(f"\ntrained run: {seconds:.1f} s for the process")
    return {"proc": proc, "events": events, "bad": bad, "run_dir": run_dir, "config": cfg, "seconds": seconds}


def test_training_lowers_the_loss_and_reports_it(trained):
    proc, events, run_dir = trained["proc"], trained["events"], trained["run_dir"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert trained["bad"] == [] and proc.stdout.strip().splitlines()  # stdout is JSON lines only
    assert isinstance(events[0], protocol.Started) and events[0].engine == "train"
    assert not of(events, protocol.Error)

    metrics = [m for m in of(events, protocol.Metric) if "loss" in m.values]
    assert [m.step for m in metrics] == list(range(1, 9))  # an epoch run logs every step of a short run
    log_lines = (run_dir / "train.log").read_text(encoding="utf-8")
    for step in range(1, 9):
        assert f"step {step}/8, loss " in log_lines  # one line per logged step, with its loss
    for m in metrics:
        assert {"loss", "lr", "grad_norm", "epoch", "tokens_per_s"} <= set(m.values), m.values
        assert m.values["tokens_per_s"] > 0 and m.values["lr"] == pytest.approx(2e-3)
        assert "gpu_mem_gb" not in m.values  # CUDA only
    losses = [m.values["loss"] for m in metrics]
    assert sum(losses[-3:]) / 3 < losses[0] * 0.5, losses

    evals = [m for m in of(events, protocol.Metric) if "eval_loss" in m.values]
    assert [m.step for m in evals] == [4, 8]
    assert evals[-1].values["eval_loss"] < evals[0].values["eval_loss"]

    progress = of(events, protocol.Progress)
    assert [p.step for p in progress] == list(range(1, 9))
    assert all(p.total == 8 for p in progress) and progress[-1].eta_s == 0

    assert [(c.step, Path(c.path).name) for c in of(events, protocol.Checkpoint)] == [
        (4, "checkpoint-4"), (8, "checkpoint-8")]
    done = events[-1]
    assert isinstance(done, protocol.Done) and done.status == "completed"
    extra = done.extra
    assert extra["adapter"] == str(run_dir / "adapter") and extra["steps"] == 8
    assert extra["final_loss"] == pytest.approx(losses[-1]) and extra["best_loss"] == pytest.approx(min(losses))
    assert 0 < extra["seconds"] < trained["seconds"] and extra["examples"] == 16 and extra["dropped"] == 0
    assert extra["best_eval_loss"] == pytest.approx(min(m.values["eval_loss"] for m in evals))
    assert extra["tokens"] > 0 and extra["tokens_per_s"] > 0
    # "auto" (the launch form's default): the planner left checkpointing off, the 135M model's step
    # being far below the RAM available, and the log says so
    ckpt = extra["gradient_checkpointing"]
    assert ckpt["on"] is False and ckpt["code"] == "ckpt.fits_without" and ckpt["device"] == "cpu"
    assert ckpt["params"]["without_gb"] + ckpt["params"]["margin_gb"] <= ckpt["params"]["card_gb"]
    assert "Gradient checkpointing off (auto)" in log_lines
    assert extra["label_loss"] is True  # the loss over the answer tokens, in chunks (label_loss.py)
    assert json.loads((run_dir / "config.json").read_text())["gradient_checkpointing"] == "auto"
    print(f"\nlosses {[round(v, 3) for v in losses]}; {extra['tokens_per_s']} tokens/s; "
          f"engine {extra['seconds']} s (training {extra['train_seconds']} s)")


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory, converted_model_dir, engine_runner):
    """The shared run's training without packing (padded batches grouped by length), without its
    evaluations and checkpoints: what the packed run is compared with."""
    root = tmp_path_factory.mktemp("unpacked")
    dataset = write_fact_dataset(root / "fact.jsonl")
    run_dir = make_run(root / "run", converted_model_dir, dataset, max_steps=-1, epochs=1, logging_steps=0,
                       packing=False)
    return engine_runner(["app.engines.train", str(run_dir)], root / "home")


def test_packed_run_learns_like_the_padded_one_and_counts_only_real_tokens(trained, unpacked, converted_model_dir):
    from transformers import AutoTokenizer

    from app.training.data import load_dataset

    assert trained["config"].packing is True
    assert unpacked.returncode == 0, unpacked.stderr[-3000:]
    packed_log = (trained["run_dir"] / "train.log").read_text(encoding="utf-8")
    assert "Packing: each batch's examples in rows of up to the sequence length" in packed_log
    assert "sdpa attention" in packed_log
    assert not any("Packing" in e.message for e in unpacked.of(protocol.Log))
    curves = {}
    for name, events in (("packed", trained["events"]), ("padded", unpacked.events)):
        curves[name] = [m.values["loss"] for m in of(events, protocol.Metric) if "loss" in m.values]
    packed, padded = curves["packed"], curves["padded"]
    assert len(packed) == len(padded) == 8
    # Both fall as far: the first loss is the same model on (other) batches of the same data.
    for losses in (packed, padded):
        assert sum(losses[-3:]) / 3 < losses[0] * 0.5, curves
    assert abs(sum(packed[-3:]) - sum(padded[-3:])) / 3 < 0.25 * padded[0], curves
    # One epoch of 16 examples: each side counts each example's tokens once, no padding.
    tokenizer = AutoTokenizer.from_pretrained(converted_model_dir)
    _, report = load_dataset(trained["run_dir"].parent / "fact.jsonl", tokenizer, 128)
    packed_done, padded_done = trained["events"][-1], unpacked.events[-1]
    assert packed_done.extra["packing"] is True and padded_done.extra["packing"] is False
    assert packed_done.extra["tokens"] == padded_done.extra["tokens"] == report.tokens
    print(f"\npacked {[round(v, 3) for v in packed]}, {packed_done.extra['tokens_per_s']} tokens/s"
          f"\npadded {[round(v, 3) for v in padded]}, {padded_done.extra['tokens_per_s']} tokens/s")


def test_run_folder_is_complete(trained):
    run_dir, events = trained["run_dir"], trained["events"]
    # events.jsonl holds exactly what went to stdout.
    assert [e.to_dict() for e in file_events(run_dir)] == [e.to_dict() for e in events]
    saved = TrainConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
    assert saved == trained["config"]
    log_text = (run_dir / "train.log").read_text(encoding="utf-8")
    assert "Training data: 16 example(s)" in log_text and "Adapter saved" in log_text
    assert {p.name for p in (run_dir / "adapter").iterdir()} >= {"adapter_config.json", "adapter_model.safetensors"}
    assert json.loads((run_dir / "adapter" / "adapter_config.json").read_text())["r"] == 8
    assert [p.name for p in complete_checkpoints(run_dir / "checkpoints")] == [
        "checkpoint-4", "checkpoint-8"]
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["checkpoint-4", "checkpoint-8"]
    state = json.loads((run_dir / "checkpoints" / "checkpoint-8" / "trainer_state.json").read_text())
    assert state["global_step"] == 8
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]  # no temp folders left
    assert not (run_dir / "memory.json").exists()  # CUDA runs only


def test_adapter_changes_the_greedy_answer(trained, converted_model_dir):
    from peft import PeftModel

    base, tokenizer = load_base(converted_model_dir)
    before = ask(base, tokenizer, QUESTION)
    tuned = PeftModel.from_pretrained(base, trained["run_dir"] / "adapter")
    tuned.eval()
    after = ask(tuned, tokenizer, QUESTION)
    print(f"\nbase: {before!r}\nadapter: {after!r}")
    assert "Quillentown" not in before
    assert "Quillentown" in after


# --- other paths ------------------------------------------------------------------------------------

def test_qlora_4bit_runs_on_cpu(tmp_path, converted_model_dir, engine_runner):
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = make_run(tmp_path / "run", converted_model_dir, dataset, method="qlora", max_steps=2)
    assert json.loads((run_dir / "config.json").read_text())["quantization"] == "4bit"
    run = engine_runner(["app.engines.train", str(run_dir)], tmp_path / "home")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.bad_lines == []
    assert any("qlora on a 4-bit base" in e.message for e in run.of(protocol.Log))
    assert [m.step for m in run.of(protocol.Metric)] == [1, 2]
    done = run.events[-1]
    assert done.status == "completed" and done.extra["steps"] == 2
    config = json.loads((run_dir / "adapter" / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA" and "q_proj" in config["target_modules"]
    assert (run_dir / "adapter" / "adapter_model.safetensors").stat().st_size > 0
    print(f"\nqlora: {run.seconds:.1f} s for the process")


def test_stop_command_ends_at_a_step_with_checkpoint_and_adapter(tmp_path, converted_model_dir):
    from peft import PeftModel

    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = make_run(tmp_path / "run", converted_model_dir, dataset, max_steps=200,
                       target_modules="attention")
    live = Live(["-m", "app.engines.train", str(run_dir)], tmp_path / "home")
    try:
        live.until(lambda e: isinstance(e, protocol.Metric))
        live.proc.stdin.write(protocol.encode_command("stop") + "\n")
        live.proc.stdin.flush()
        events, err = live.finish()
    finally:
        live.close()
    assert live.proc.returncode == 0, err[-3000:]
    done = events[-1]
    assert isinstance(done, protocol.Done) and done.status == "stopped", err[-3000:]
    step = done.extra["steps"]
    assert 1 <= step < 200
    assert [c.step for c in of(events, protocol.Checkpoint)] == [step]
    assert latest_checkpoint(run_dir / "checkpoints").name == f"checkpoint-{step}"
    assert done.extra["adapter"] == str(run_dir / "adapter")
    assert of(events, protocol.Progress)[-1].step == step
    config = json.loads((run_dir / "adapter" / "adapter_config.json").read_text())
    assert sorted(config["target_modules"]) == ["k_proj", "o_proj", "q_proj", "v_proj"]
    base, _ = load_base(converted_model_dir)
    tuned = PeftModel.from_pretrained(base, run_dir / "adapter")
    assert any("lora_A" in name for name, _ in tuned.named_parameters())


def test_killed_run_resumes_from_the_last_complete_checkpoint(tmp_path, converted_model_dir, engine_runner):
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = make_run(tmp_path / "run", converted_model_dir, dataset, max_steps=4, save_steps=2)
    live = Live(["-m", "app.engines.train", str(run_dir)], tmp_path / "home")
    try:
        first = live.until(lambda e: isinstance(e, protocol.Checkpoint))
        os.kill(live.proc.pid, signal.SIGKILL)
        live.proc.wait(timeout=60)
    finally:
        live.close()
    assert first.step == 2
    checkpoints = run_dir / "checkpoints"
    saved = latest_checkpoint(checkpoints)
    assert saved is not None and saved.name == "checkpoint-2"  # killed long before the next save
    assert not (run_dir / "adapter").exists()
    # What a save killed half-way (or by hand) leaves behind: never picked.
    (checkpoints / "checkpoint-999").mkdir()
    (checkpoints / "checkpoint-999" / "adapter_config.json").write_text("{}")
    (checkpoints / ".tmp-checkpoint-3" / "checkpoint-3").mkdir(parents=True)

    run = engine_runner(["app.engines.train", str(run_dir), "--resume", "latest"], tmp_path / "home")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.bad_lines == []
    logs = [e.message for e in run.of(protocol.Log)]
    assert any(f"Resuming from {saved}" in m and "step 2" in m for m in logs), logs
    assert any("checkpoint-999" in m and ".tmp-checkpoint-3" in m for m in logs), logs
    assert [p.step for p in run.of(protocol.Progress)] == [3, 4]
    assert [m.step for m in run.of(protocol.Metric)] == [3, 4]
    done = run.events[-1]
    assert done.status == "completed" and done.extra["steps"] == 4
    state = json.loads((checkpoints / "checkpoint-4" / "trainer_state.json").read_text())
    assert state["global_step"] == 4
    assert [h["step"] for h in state["log_history"] if "loss" in h] == [1, 2, 3, 4]
    # best/final loss cover the whole run, the steps before the checkpoint included
    assert done.extra["best_loss"] == pytest.approx(min(h["loss"] for h in state["log_history"] if "loss" in h))
    assert sorted(p.name for p in checkpoints.iterdir()) == ["checkpoint-2", "checkpoint-4"]
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file()
    # Both sessions are in the one events file; only the second has a done.
    assert [type(e).__name__ for e in file_events(run_dir) if isinstance(e, (protocol.Started, protocol.Done))] == [
        "Started", "Started", "Done"]


@pytest.mark.parametrize("problem", ["dataset", "model", "default-model"])
def test_missing_inputs_fail_with_a_hint(problem, tmp_path, converted_model_dir, engine_runner):
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    cfg = TrainConfig(base_model=str(converted_model_dir), dataset_path=str(dataset), threads=1)
    if problem == "dataset":
        cfg.dataset_path = str(tmp_path / "nope.jsonl")
    elif problem == "model":
        cfg.base_model = str(tmp_path / "no-model")
    else:
        cfg.base_model = "default"  # in a fresh home, where nothing was converted
    write_config(run_dir, cfg)
    run = engine_runner(["app.engines.train", str(run_dir)], tmp_path / "home")
    assert run.returncode == 1
    (error,) = run.of(protocol.Error)
    expected = {"dataset": ("nope.jsonl", "check the path"), "model": ("no-model", "model folder"),
                "default-model": ("bundled default model", "convert")}[problem]
    assert expected[0] in error.message and expected[1] in error.hint.lower(), (error.message, error.hint)
    done = run.events[-1]
    assert done.status == "failed" and done.extra["adapter"] is None
    assert "Traceback" not in run.stderr
    assert run.seconds < 20  # refused before torch is imported


def test_oom_message_names_the_settings_to_lower():
    import torch

    from app.core.train_config import preset

    # A named hardware edge: this machine has no CUDA, so the error the allocator raises is built here.
    exc = torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
                                 "capacity of 23.55 GiB of which 1.02 GiB is free.")
    cfg = preset("lora-3b-24gb", base_model="/m", dataset_path="/d.jsonl", gradient_checkpointing=False)
    message, hint = oom_error(exc, cfg, step=12)
    assert message == "The GPU ran out of memory at step 12 (tried to allocate 2.00 GiB)."
    order = [hint.index(s) for s in ("batch_size from 4 to 2", "grad_accum from 4 to 8", "max_seq_len from 2048",
                                     "gradient_checkpointing", "QLoRA")]
    assert order == sorted(order), hint
    small = preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl", batch_size=1, max_seq_len=256)
    _, hint = oom_error(exc, small)
    assert "batch_size" not in hint and "QLoRA" not in hint and "lora_r" in hint


def test_oom_during_training_becomes_an_error_event(tmp_path, converted_model_dir, engine_runner):
    # The real engine, with the training step replaced by one that raises what CUDA raises (no CUDA here).
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = make_run(tmp_path / "run", converted_model_dir, dataset, max_steps=3, batch_size=4)
    code = ("import sys, torch\n"
            "from app.core.engine_runtime import stdout_for_events\n"
            "from app.engines import train\n"
            "from app.training.trainer import atomic_checkpoint_trainer\n"
            "def boom(self, *a, **k): raise torch.OutOfMemoryError('CUDA out of memory. Tried to allocate 1.50 GiB.')\n"
            "atomic_checkpoint_trainer().training_step = boom\n"
            "sys.exit(train.main(sys.argv[1:], stdout=stdout_for_events()))\n")
    run = engine_runner([str(run_dir)], tmp_path / "home", code=code)
    assert run.returncode == 1
    assert run.bad_lines == []
    (error,) = run.of(protocol.Error)
    assert error.message == "The GPU ran out of memory at step 1 (tried to allocate 1.50 GiB)."
    assert "batch_size from 4 to 2" in error.hint and "gradient_checkpointing" in error.hint
    done = run.events[-1]
    assert done.status == "failed" and done.extra["adapter"] is None and done.extra["steps"] == 0
    assert "Traceback" not in run.stderr


# --- the command line ---------------------------------------------------------------------------

def test_cli_preset_prints_events_and_ends_with_done(tmp_path, convert_run, converted_model_dir):
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = tmp_path / "demo-run"
    # The bundled model ("default") is the one converted in the session home.
    proc = subprocess.run([sys.executable, "-m", "app", "train", "--preset", "cpu-demo", "--dataset", str(dataset),
                           "--max-steps", "3", "--run-dir", str(run_dir)],
                          env=engine_env_for(convert_run.home), cwd=str(REPO), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    events, bad = decode_lines(proc.stdout)
    assert bad == []
    last = json.loads(lines[-1])
    assert last["type"] == "done" and last["status"] == "completed" and last["steps"] == 3
    assert Path(last["adapter"]).is_dir() and Path(last["adapter"]) == run_dir / "adapter"
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["base_model"] == "default" and cfg["max_steps"] == 3 and cfg["dataset_path"] == str(dataset)
    assert [m.step for m in of(events, protocol.Metric)] == [1, 2, 3]


def test_cli_sigterm_stops_with_an_adapter(tmp_path, converted_model_dir):
    dataset = write_fact_dataset(tmp_path / "fact.jsonl")
    run_dir = tmp_path / "run"
    config = tmp_path / "config.json"
    make_run(tmp_path / "draft", converted_model_dir, dataset, max_steps=200, target_modules="attention")
    config.write_text((tmp_path / "draft" / "config.json").read_text())
    live = Live(["-m", "app", "train", str(config), "--run-dir", str(run_dir)], tmp_path / "home")
    try:
        live.until(lambda e: isinstance(e, protocol.Metric))
        live.proc.send_signal(signal.SIGTERM)  # what Ctrl+C does too: forwarded as a stop
        events, err = live.finish()
    finally:
        live.close()
    assert live.proc.returncode == 0, err[-3000:]
    done = events[-1]
    assert done.status == "stopped" and done.extra["steps"] < 200
    assert Path(done.extra["adapter"], "adapter_model.safetensors").is_file()


def test_cli_refuses_a_bad_config_before_starting(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"base_model": "default", "dataset_path": "x.jsonl", "lora_r": 0}))
    proc = subprocess.run([sys.executable, "-m", "app", "train", str(config)], env=engine_env_for(tmp_path / "home"),
                          cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    events, bad = decode_lines(proc.stdout)
    assert bad == [] and [type(e) for e in events] == [protocol.Error, protocol.Done]
    assert events[0].message.startswith("lora_r:") and events[0].hint
    assert events[-1].status == "failed"
    assert not (tmp_path / "home" / "runs").exists() or not list((tmp_path / "home" / "runs").iterdir())
