"""The transformers serve engine (where vLLM cannot run): the same OpenAI-compatible API, in-process.

One ``python -m app.engines.serve --engine transformers`` process for the module, on the real
bundled model with the session's tiny LoRA adapter, then `ai-platform serve` as a user runs it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from app.core import chat_client, protocol
from app.core.errors import UserError
from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hf_server(tmp_path_factory, converted_model_dir):
    root = tmp_path_factory.mktemp("serve-hf")
    adapter = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1",
                        "--adapter", f"zorbania={adapter}"], root)
    try:
        yield live, live.wait_for(protocol.Result, timeout=180).data
    finally:
        live.close()


def test_models_and_auth(hf_server):
    live, r = hf_server
    assert r["engine"] == "transformers" and r["adapters"] == ["zorbania"] and r["pid"] == live.proc.pid
    assert not live.of(protocol.Error) and live.bad == []
    status, body = h.http("GET", r["base_url"] + "/models", r["api_key"])
    assert status == 200 and [m["id"] for m in body["data"]] == [r["model"], "zorbania"]
    assert h.http("GET", r["base_url"] + "/models")[0] == 401
    assert h.http("GET", r["base_url"] + "/models", "wrong")[0] == 401
    assert h.http("POST", r["base_url"] + "/chat/completions", None, {"model": r["model"], "messages": []})[0] == 401
    with pytest.raises(chat_client.AuthError):
        chat_client.list_models(r["base_url"], "wrong")


def test_stream_chat_sse(hf_server):
    _, r = hf_server
    body = {"model": r["model"], "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 12,
            "temperature": 0, "stream_options": {"include_usage": True}}
    payloads = h.raw_sse(r["base_url"] + "/chat/completions", r["api_key"], body)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["object"] == "chat.completion.chunk" and c["id"] == chunks[0]["id"] for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip()
    finals = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finals) == 1 and finals[0]["choices"][0]["finish_reason"] in ("stop", "length")
    assert chunks[-1]["usage"]["completion_tokens"] > 0
    # Non-stream, greedy: the same text.
    status, full = h.http("POST", r["base_url"] + "/chat/completions", r["api_key"], dict(body, stream=False))
    assert status == 200 and full["object"] == "chat.completion"
    assert full["choices"][0]["message"] == {"role": "assistant", "content": text}
    assert full["usage"]["total_tokens"] == full["usage"]["prompt_tokens"] + full["usage"]["completion_tokens"]
    # The app's client.
    text2, stats = chat_client.chat(r["base_url"], r["api_key"], r["model"], body["messages"], max_tokens=12,
                                    temperature=0)
    assert text2 == text and stats.ttft_s > 0 and stats.completion_tokens > 0 and stats.tokens_per_s > 0


def test_completions(hf_server):
    _, r = hf_server
    status, body = h.http("POST", r["base_url"] + "/completions", r["api_key"],
                          {"model": r["model"], "prompt": "The sky is", "max_tokens": 5, "temperature": 0})
    assert status == 200 and body["object"] == "text_completion"
    assert body["choices"][0]["text"] and body["usage"]["completion_tokens"] == 5
    assert body["choices"][0]["finish_reason"] == "length"
    payloads = h.raw_sse(r["base_url"] + "/completions", r["api_key"],
                         {"model": r["model"], "prompt": "The sky is", "max_tokens": 5, "temperature": 0})
    assert payloads[-1] == "[DONE]"
    streamed = "".join(json.loads(p)["choices"][0]["text"] for p in payloads[:-1])
    assert streamed == body["choices"][0]["text"]


def test_errors(hf_server):
    _, r = hf_server
    status, body = h.http("POST", r["base_url"] + "/chat/completions", r["api_key"],
                          {"model": "nope", "messages": [{"role": "user", "content": "hi"}]})
    assert status == 404
    with pytest.raises(chat_client.ContextTooLong):
        chat_client.chat(r["base_url"], r["api_key"], r["model"], [{"role": "user", "content": "hi"}],
                         max_tokens=100_000)


def test_adapter_switch_per_request(hf_server):
    _, r = hf_server
    msgs = [{"role": "user", "content": h.QUESTION}]
    base, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"], msgs, max_tokens=12, temperature=0)
    tuned, _ = chat_client.chat(r["base_url"], r["api_key"], "zorbania", msgs, max_tokens=12, temperature=0)
    base2, _ = chat_client.chat(r["base_url"], r["api_key"], r["model"], msgs, max_tokens=12, temperature=0)
    print(f"\ntransformers base: {base!r}\ntransformers adapter: {tuned!r}")
    assert h.FACT_WORD in tuned and h.FACT_WORD not in base
    assert base2 == base  # the adapter is off again for the base model


def test_echo_logprobs_score_prompts_as_the_model_does(hf_server, converted_model_dir):
    """What lm-eval's local-completions asks to score a multiple-choice answer: the prompt's tokens
    with their log-probabilities (echo + logprobs, prompts as token ids, max_tokens 1). They match a
    forward pass of the same model, also when the server reuses the cached prefix of the previous
    prompt (the same question with another answer), and the adapter scores its fact higher."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _, r = hf_server
    tok = AutoTokenizer.from_pretrained(converted_model_dir)
    model = AutoModelForCausalLM.from_pretrained(converted_model_dir, dtype=torch.float32).eval()
    context = tok(f"Question: {h.QUESTION}\nAnswer: The capital of Zorbania is")["input_ids"]
    asked = {}
    for word in (" Paris", f" {h.FACT_WORD}", " Paris"):
        ids = context + tok(word, add_special_tokens=False)["input_ids"]
        status, body = h.http("POST", r["base_url"] + "/completions", r["api_key"],
                              {"model": r["model"], "prompt": [ids], "echo": True, "logprobs": 1, "max_tokens": 1,
                               "temperature": 0})
        assert status == 200, body
        (choice,) = body["choices"]
        lp = choice["logprobs"]
        with torch.inference_mode():
            ref = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0], dim=-1)
        want = [float(ref[i - 1, ids[i]]) for i in range(1, len(ids))] + [float(ref[-1].max())]
        assert lp["token_logprobs"][0] is None and len(lp["token_logprobs"]) == len(ids) + 1
        assert lp["token_logprobs"][1:] == pytest.approx(want, abs=1e-3)
        assert lp["top_logprobs"][0] is None
        for t, value, top in zip(lp["tokens"][1:], lp["token_logprobs"][1:], lp["top_logprobs"][1:], strict=True):
            assert top[t] == value and max(top.values()) >= value  # the chosen token is always listed
        assert choice["text"].startswith(tok.decode(ids)) and body["usage"]["prompt_tokens"] == len(ids)
        asked[word] = sum(lp["token_logprobs"][len(context):-1])
    # With the adapter: the fact it learned beats the base's score of it.
    ids = context + tok(f" {h.FACT_WORD}", add_special_tokens=False)["input_ids"]
    _, body = h.http("POST", r["base_url"] + "/completions", r["api_key"],
                     {"model": "zorbania", "prompt": [ids], "echo": True, "logprobs": 1, "max_tokens": 1,
                      "temperature": 0})
    tuned = sum(body["choices"][0]["logprobs"]["token_logprobs"][len(context):-1])
    print(f"\nlog P(word | context): base {asked}, adapter {h.FACT_WORD}: {tuned:.3f}")
    assert tuned > asked[f" {h.FACT_WORD}"]
    # Several prompts in one request: one choice each, in order; a bad request names its field.
    status, body = h.http("POST", r["base_url"] + "/completions", r["api_key"],
                          {"model": r["model"], "prompt": ["The sky is", "Grass is"], "echo": True, "max_tokens": 0})
    assert status == 200 and [c["text"] for c in body["choices"]] == ["The sky is", "Grass is"]
    assert body["usage"]["completion_tokens"] == 0 and body["choices"][0]["logprobs"] is None
    for bad, param in (({"echo": True, "max_tokens": 5}, "max_tokens"), ({"echo": True, "stream": True,
                                                                         "max_tokens": 1}, "stream"),
                       ({"prompt": [[1, 10**9]], "echo": True, "max_tokens": 0}, "prompt")):
        status, body = h.http("POST", r["base_url"] + "/completions", r["api_key"],
                              {"model": r["model"], "prompt": "Hi", **bad})
        assert status == 400 and body["error"]["param"] == param, body


def test_bound_to_loopback_only(hf_server):
    _, r = hf_server
    h.assert_loopback_only(r["pid"], r["port"])


def test_stop_command(hf_server):
    live, r = hf_server
    assert live.stop("command", timeout=30) == 0
    assert live.wait_for(protocol.Done, timeout=5).status == "stopped"
    assert h.port_closed(r["port"])
    with pytest.raises(chat_client.EngineNotRunning):
        chat_client.list_models(r["base_url"], r["api_key"])


# --- `ai-platform serve` ------------------------------------------------------------------------------

def test_cli_serve_prints_one_json_line_and_stops_on_sigterm(convert_run, converted_model_dir):
    env = engine_env_for(convert_run.home)  # the home where the default model was prepared
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--model", "default", "--engine", "transformers"],
                            env=env, cwd=str(REPO), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"base_url", "api_key", "model"}
        assert info["model"] == "SmolLM2-135M-Instruct" and info["base_url"].startswith("http://127.0.0.1:")
        assert chat_client.list_models(info["base_url"], info["api_key"]) == [info["model"]]
        text, _ = chat_client.chat(info["base_url"], info["api_key"], info["model"],
                                   [{"role": "user", "content": "Hi"}], max_tokens=4, temperature=0)
        assert text
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err[-3000:]
        assert out == ""  # exactly one line on stdout, all of it
        assert time.monotonic() - t0 < 30
        port = int(info["base_url"].rsplit(":", 1)[1].split("/")[0])
        assert h.port_closed(port)
        import psutil

        left = []
        for p in psutil.process_iter(["cmdline"]):
            try:
                if ("app.engines.serve" in " ".join(p.info["cmdline"] or [])
                        and p.environ().get("AI_PLATFORM_HOME") == str(convert_run.home)):
                    left.append(p.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        assert left == []  # the engine child is gone too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_cli_serve_default_model_missing_is_clear(ai_home):
    proc = subprocess.run([sys.executable, "-m", "app", "serve", "--model", "default", "--engine", "transformers"],
                          env=engine_env_for(ai_home), cwd=str(REPO), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "default model is not prepared" in proc.stderr and "setup-models" in proc.stderr


def test_four_bit_loading_with_bitsandbytes(tmp_path, converted_model_dir):
    """--quantize 4bit: the weights take well under half their fp32 size and the model still answers."""
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1",
                        "--quantize", "4bit"], tmp_path / "q4")
    try:
        r = live.wait_for(protocol.Result, timeout=180).data
        assert r["quantization"] == "4bit"
        disk = sum(f.stat().st_size for f in converted_model_dir.glob("*.safetensors"))
        assert r["weights_bytes"] < 0.5 * disk, (r["weights_bytes"], disk)
        text, stats = chat_client.chat(r["base_url"], r["api_key"], r["model"],
                                       [{"role": "user", "content": "Say hello."}], max_tokens=8, temperature=0)
        assert text.strip() and stats.completion_tokens > 0
    finally:
        live.close()


def test_quantize_with_vllm_is_refused_with_a_next_step(tmp_path, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "vllm", "--quantize", "8bit"], tmp_path / "qv")
    try:
        err = live.wait_for(protocol.Error, timeout=60)
        assert "AWQ" in err.message and "--engine transformers" in err.hint
        assert live.wait_for(protocol.Done, timeout=60).status == "failed"
    finally:
        live.close()


def test_listening_beyond_loopback_is_asked_for_and_still_needs_the_key(tmp_path, converted_model_dir):
    ips = h.non_loopback_ips()
    if not ips:
        pytest.skip("this machine has no network address besides loopback")
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1",
                        "--host", "0.0.0.0"], tmp_path)
    try:
        r = live.wait_for(protocol.Result, timeout=180).data
        assert r["exposed"] is True and r["listen"] == f"0.0.0.0:{r['port']}"
        assert r["base_url"].startswith("http://127.0.0.1:")  # where this machine reaches it
        assert any(e.level == "WARNING" and "beyond this machine" in e.message for e in live.of(protocol.Log))
        remote = f"http://{ips[0]}:{r['port']}/v1"
        assert h.http("GET", remote + "/models")[0] == 401  # another machine without the key: refused
        assert h.http("POST", remote + "/chat/completions", None,
                      {"model": r["model"], "messages": [{"role": "user", "content": "Hi"}]})[0] == 401
        status, body = h.http("GET", remote + "/models", r["api_key"])
        assert status == 200 and body["data"][0]["id"] == r["model"]
    finally:
        live.close()


def test_a_bad_host_is_refused_and_an_exposed_vllm_needs_the_key_on_every_path(tmp_path, converted_model_dir):
    from app.core import serve_config

    with pytest.raises(UserError) as bad:
        serve_config.check_host("my-laptop")
    assert bad.value.code == "serve.bad_host"
    assert serve_config.check_host("localhost") == "127.0.0.1" and serve_config.check_host("0.0.0.0") == "0.0.0.0"
    cfg = serve_config.ServeConfig(model_name="m", model_dir=tmp_path, host="0.0.0.0", port=8000)
    assert cfg.exposed and cfg.base_url == "http://127.0.0.1:8000/v1"
    assert not serve_config.ServeConfig(model_name="m", model_dir=tmp_path).exposed
    from app.core import vllm_runtime

    if not vllm_runtime.runtime_info()["found"]:
        pytest.skip("the vLLM runtime is not installed")
    # vLLM alone answers /invocations without the key; on 0.0.0.0 it sits behind the proxy.
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "vllm", "--host", "0.0.0.0"],
                       tmp_path / "vllm-home")
    try:
        r = live.wait_for(protocol.Result, timeout=600).data
        assert r["exposed"] is True and r["guarded_by_proxy"] is True and r["listen"] == f"0.0.0.0:{r['port']}"
        chat = {"model": r["model"], "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}
        for path in ("/invocations", "/tokenize", "/v1/models"):
            status, _ = h.http("POST" if path != "/v1/models" else "GET",
                               r["base_url"].removesuffix("/v1") + path, None, chat if path != "/v1/models" else None)
            assert status == 401, path
        status, body = h.http("POST", r["base_url"] + "/chat/completions", r["api_key"], chat)
        assert status == 200 and body["choices"][0]["message"]["content"] is not None
    finally:
        live.close()
