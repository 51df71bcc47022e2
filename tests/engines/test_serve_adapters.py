"""Adapters load into a running serve engine, without a restart: vLLM's runtime LoRA API
(``POST /v1/load_lora_adapter``), which the transformers engine serves too. Real engines on the
bundled SmolLM2-135M and a LoRA adapter from a tiny real training run that learned a made-up fact.

Also here: "auto" serves the bundled model with the transformers engine on a machine without a GPU
(its first answer in seconds; vLLM's CPU build needs about a minute and a half to start).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from app.core import chat_client, protocol, serve_config, vllm_runtime
from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

ASK = [{"role": "user", "content": h.QUESTION}]


@pytest.fixture(scope="module")
def adapter(converted_model_dir, tmp_path_factory):
    return h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))


def _answer(r, model):
    return chat_client.chat(r["base_url"], r["api_key"], model, ASK, max_tokens=16, temperature=0)[0]


def test_transformers_engine_loads_an_adapter_while_it_runs(tmp_path, converted_model_dir, adapter):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1"], tmp_path)
    try:
        r = live.wait_for(protocol.Result, timeout=240).data
        assert r["engine"] == "transformers" and r["adapters"] == [] and r["max_lora_rank"] is None
        base = _answer(r, r["model"])
        t0 = time.monotonic()
        said = chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania", str(adapter))
        tuned = _answer(r, "zorbania")
        print(f"\nadapter loaded and answered in {time.monotonic() - t0:.2f} s: {tuned!r} (base: {base!r})")
        assert "added successfully" in said
        assert h.FACT_WORD in tuned and h.FACT_WORD not in base
        assert set(chat_client.list_models(r["base_url"], r["api_key"])) == {r["model"], "zorbania"}
        assert live.proc.poll() is None and len(live.of(protocol.Result)) == 1  # the same engine, never restarted
        assert _answer(r, r["model"]) == base  # the base model answers as before, adapter off

        with pytest.raises(chat_client.ApiError) as err:  # twice: refused as vLLM does
            chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania", str(adapter))
        assert err.value.status == 400 and "already been loaded" in str(err.value)
        with pytest.raises(chat_client.ApiError) as err:  # a folder that holds no adapter
            chat_client.load_adapter(r["base_url"], r["api_key"], "nothing", str(tmp_path))
        assert err.value.status == 404 and "adapter_config.json" in str(err.value)

        status, _ = h.http("POST", r["base_url"] + "/unload_lora_adapter", r["api_key"], {"lora_name": "zorbania"})
        assert status == 200
        assert chat_client.list_models(r["base_url"], r["api_key"]) == [r["model"]]
        assert _answer(r, r["model"]) == base
    finally:
        live.close()


@pytest.mark.skipif(serve_config.cuda_available(), reason="with a GPU, auto starts vLLM")
def test_auto_serves_the_bundled_model_with_transformers_without_a_gpu(tmp_path, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--threads", "1"], tmp_path)  # no --engine
    try:
        r = live.wait_for(protocol.Result, timeout=240).data
        assert r["engine"] == "transformers"
        notes = [e.message for e in live.of(protocol.Log)]
        assert any("automatic engine choice: transformers" in n for n in notes), notes
    finally:
        live.close()


# --- vLLM: one server, started without any adapter ------------------------------------------------

@pytest.fixture(scope="module")
def vllm_server(tmp_path_factory, converted_model_dir):
    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "vllm"], tmp_path_factory.mktemp("vllm"))
    try:
        yield live, live.wait_for(protocol.Result, timeout=400).data
    finally:
        live.close()


def test_vllm_loads_an_adapter_while_it_runs(vllm_server, adapter):
    live, r = vllm_server
    assert r["engine"] == "vllm" and r["adapters"] == [] and r["max_lora_rank"] == 16
    base = _answer(r, r["model"])
    t0 = time.monotonic()
    chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania", str(adapter))
    tuned = _answer(r, "zorbania")
    print(f"\nvLLM: adapter loaded and answered in {time.monotonic() - t0:.2f} s: {tuned!r} (base: {base!r})")
    assert h.FACT_WORD in tuned and h.FACT_WORD not in base
    assert set(chat_client.list_models(r["base_url"], r["api_key"])) == {r["model"], "zorbania"}
    assert live.proc.poll() is None and len(live.of(protocol.Result)) == 1


def test_agent_cli_says_why_no_tool_was_used_on_vllm(vllm_server, tmp_path):
    """`ai-platform agent --base-url … --json` on vLLM without a tool parser (SmolLM2's template has no
    tool calling): the server refuses the tools, the turn answers without them, and says so."""
    _, r = vllm_server
    env = engine_env_for(tmp_path / "home", AI_PLATFORM_AGENT_API_KEY=r["api_key"])
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "What is 12 times 7?", "--json", "--base-url",
                           r["base_url"], "--model", r["model"], "--max-tokens", "16"], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"answer", "steps", "citations", "warnings"} <= set(out)
    assert out["steps"] == [] and out["answer"] and out["tools_refused"]
    assert [w["code"] for w in out["warnings"]] == ["agent.tools_refused"]
    assert r["api_key"] not in proc.stdout + proc.stderr
    assert os.environ.get("AI_PLATFORM_AGENT_API_KEY") != r["api_key"]
