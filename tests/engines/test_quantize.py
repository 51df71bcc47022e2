"""`ai-platform quantize` for real: the bundled SmolLM2 quantized to W8A8 (compressed-tensors) with
llm-compressor in its own runtime, registered in Models, then served by vLLM's CPU build and asked a
question. ONE quantization and ONE vLLM server for the module. Bad requests are refused before the
engine starts, and nothing is left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import bundled, chat_client, protocol, quantize_plan, quantize_runtime, vllm_runtime
from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow


def cli(home: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], env=engine_env_for(home), cwd=str(REPO),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def home(tmp_path_factory, converted_model_dir) -> Path:
    """A data folder whose bundled model is the session's converted one (linked, read-only)."""
    home = tmp_path_factory.mktemp("quantize-home")
    target = bundled.default_model_dir(home)
    target.parent.mkdir(parents=True)
    target.symlink_to(converted_model_dir, target_is_directory=True)
    return home


@pytest.fixture(scope="module")
def w8a8(home) -> dict:
    info = quantize_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no quantization runtime: {info['reason']}")
    proc = cli(home, "quantize", "default", "--scheme", "w8a8", "--samples", "8", "--threads", "1", "--json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)
    print(f"\nW8A8: {result['seconds']} s (oneshot {result['quantize_seconds']} s), "
          f"{result['size_bytes'] / 1e6:.1f} MB, perplexity {result['perplexity']}")
    return result


def models(home: Path) -> list[dict]:
    proc = cli(home, "models", "list", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_w8a8_is_written_whole_and_registered(home, w8a8):
    folder = Path(w8a8["path"])
    assert w8a8["ok"] and w8a8["name"] == f"{bundled.DEFAULT_CHAT_MODEL}-w8a8"
    assert folder.parent == home / "models" and folder.name == quantize_plan.slug(w8a8["name"])
    qcfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))["quantization_config"]
    assert qcfg["quant_method"] == "compressed-tensors"
    weights = next(iter(qcfg["config_groups"].values()))["weights"]
    assert weights["num_bits"] == 8 and weights["type"] == "int"
    assert (folder / ".complete").is_file() and (folder / "tokenizer.json").is_file()
    assert not list(folder.parent.glob(".quantize-*"))  # no temp folder left
    # Calibrated on the built-in texts (no run, no --calib); the model did not fall apart.
    assert w8a8["calibration"] == "built-in texts" and w8a8["calibration_samples"] == 8
    ppl = w8a8["perplexity"]
    assert ppl["quantized"] < ppl["source"] * 1.5
    # Smaller than the float32 source: INT8 Linear weights.
    src_size = sum(f.stat().st_size for f in bundled.default_model_dir(home).resolve().rglob("*") if f.is_file())
    assert w8a8["size_bytes"] < src_size * 0.6
    row = next(m for m in models(home) if m["name"] == w8a8["name"])
    assert row["kind"] == "quantized" and row["path"] == str(folder) and row["ready"]
    assert row["quantization"] == "compressed-tensors" and row["quant_scheme"] == "W8A8" and row["quant_bits"] == 8


def test_w8a8_served_by_vllm_answers(home, w8a8, tmp_path_factory):
    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    # By its name in Models, as a person would pick it.
    live = h.LiveServe(["--model", w8a8["name"], "--engine", "vllm"], tmp_path_factory.mktemp("serve-w8a8"),
                       data_home=home)
    try:
        r = live.wait_for(protocol.Result, timeout=400).data
        assert r["engine"] == "vllm" and r["max_lora_rank"] == 0  # served without LoRA (see serve_config)
        text, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"],
                                   [{"role": "user", "content": "What is the capital of France?"}],
                                   max_tokens=24, temperature=0)
        print(f"\nW8A8 on vLLM: {text!r}")
        assert "paris" in text.lower()
    finally:
        live.close()


def test_w4a16_of_a_run_served_by_vllm_cpu(home, converted_model_dir, tmp_path_factory):
    """A run's adapter merged and quantized to 4-bit weights (GPTQ), calibrated on the run's own data, then
    served by vLLM's CPU build: the fact the adapter learned survives the 4 bits."""
    if not quantize_runtime.runtime_info()["found"] or not vllm_runtime.runtime_info()["found"]:
        pytest.skip("needs the quantization and the vLLM runtimes")
    run = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("w4a16-adapter")).parent
    proc = cli(home, "quantize", str(run), "--scheme", "w4a16", "--samples", "8", "--threads", "1",
               "--name", "zorbania-w4a16", "--json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)
    assert result["calibration"] == "the run's training data" and result["scheme_name"] == "W4A16"
    qcfg = json.loads((Path(result["path"]) / "config.json").read_text(encoding="utf-8"))["quantization_config"]
    assert next(iter(qcfg["config_groups"].values()))["weights"]["num_bits"] == 4
    live = h.LiveServe(["--model", "zorbania-w4a16", "--engine", "vllm"], tmp_path_factory.mktemp("serve-w4a16"),
                       data_home=home)
    try:
        r = live.wait_for(protocol.Result, timeout=400).data
        text, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"],
                                   [{"role": "user", "content": h.QUESTION}], max_tokens=16, temperature=0)
        print(f"\nW4A16 of the fact run on vLLM CPU: {text!r} (perplexity {result['perplexity']})")
        assert h.FACT_WORD in text
    finally:
        live.close()


def test_bad_requests_are_refused_and_nothing_is_written(home, tmp_path):
    before = sorted(p.name for p in (home / "models").iterdir())

    proc = cli(home, "quantize", "no-such-model", "--scheme", "w8a8", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 2 and out["code"] == "quantize.unknown_source" and "no-such-model" in out["error"]

    proc = cli(home, "quantize", "default", "--scheme", "w3a3", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 2 and out["code"] == "quantize.bad_scheme" and "w8a8" in out["error"]

    run = home / "runs" / "run-without-adapter"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"base_model": "default", "dataset_path": str(tmp_path / "d.jsonl")}),
                                     encoding="utf-8")
    proc = cli(home, "quantize", "run-without-adapter", "--scheme", "w4a16", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 2 and out["code"] == "quantize.no_adapter" and "run-without-adapter" in out["error"]

    proc = cli(home, "quantize", "default", "--scheme", "w8a8", "--calib", "no-such-dataset", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 2 and out["code"] == "quantize.unknown_calib"

    assert sorted(p.name for p in (home / "models").iterdir()) == before
