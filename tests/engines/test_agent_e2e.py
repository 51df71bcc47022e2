"""The agent against the real local server: the transformers serve engine on the bundled SmolLM2-135M.

The tiny model rarely (if ever) calls a tool; what must hold is that the loop runs, streams, and ends
cleanly with a result either way, through the engine process and through `ai-platform agent`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import protocol
from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for, run_engine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]

CALC_TOOL = {"type": "function", "function": {
    "name": "calculator", "description": "Evaluate arithmetic.",
    "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}}}


@pytest.fixture(scope="module")
def server(tmp_path_factory, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1"],
                       tmp_path_factory.mktemp("agent-serve"))
    try:
        yield live.wait_for(protocol.Result, timeout=180).data
    finally:
        live.close()


def test_engine_turn_ends_cleanly(server, tmp_path):
    req = tmp_path / "req.json"
    req.write_text(json.dumps({
        "base_url": server["base_url"], "system": "You are a terse assistant.",
        "messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi!"},
                     {"role": "user", "content": "What is 12 times 7? Use the calculator."}],
        "max_steps": 2, "temperature": 0, "max_tokens": 24}), encoding="utf-8")
    env = engine_env_for(tmp_path / "home", AI_PLATFORM_AGENT_API_KEY=server["api_key"])
    run = run_engine(["app.engines.agent", str(req)], env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.bad_lines == [] and not run.of(protocol.Error)
    assert run.events[0].type == "started" and run.events[-1] == protocol.Done(status="completed",
                                                                              ts=run.events[-1].ts)
    data = run.result
    print(f"\nagent answer: {data['answer']!r}; steps: {data['steps']}")
    assert data["status"] == "completed" and data["model"] == server["model"]
    assert 1 <= data["model_calls"] <= 3 and isinstance(data["steps"], list) and data["citations"] == []
    # Whatever the model did, every tool call got its result, and the last call's text is the answer.
    calls, results = run.of(protocol.ToolCall), run.of(protocol.ToolResult)
    assert [c.id for c in calls] == [r.id for r in results] == [s["id"] for s in data["steps"]]
    last = data["model_calls"]
    streamed = "".join(d.text for d in run.of(protocol.Delta) if d.step == last)
    assert data["answer"] and streamed.strip() == data["answer"]
    assert server["api_key"] not in run.stderr + json.dumps([e.to_dict() for e in run.events])


def test_serve_hf_accepts_tools_and_tool_turns(server):
    url, key = server["base_url"] + "/chat/completions", server["api_key"]
    body = {"model": server["model"], "max_tokens": 8, "temperature": 0, "tools": [CALC_TOOL],
            "messages": [{"role": "user", "content": "What is 2+2?"}]}
    status, plain = h.http("POST", url, key, body)
    assert status == 200 and isinstance(plain["choices"][0]["message"]["content"], str)
    # A turn that called a tool: assistant content null, then the tool's answer.
    body["messages"] += [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression":"2+2"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "4"}]
    status, full = h.http("POST", url, key, body)
    assert status == 200 and full["choices"][0]["finish_reason"] in ("stop", "length"), full
    payloads = h.raw_sse(url, key, body)
    assert payloads[-1] == "[DONE]" and json.loads(payloads[0])["choices"][0]["delta"]["role"] == "assistant"
    status, err = h.http("POST", url, key, dict(body, tools="calculator"))
    assert status == 400 and "tools must be a list" in err["error"]["message"]


def _serve_pids(model_dir) -> set[int]:
    """Live serve engines on ``model_dir`` (this session's copy: other people's tests use their own)."""
    import psutil

    found = set()
    for p in psutil.process_iter(["cmdline", "status"]):
        cmd = p.info["cmdline"] or []
        if "app.engines.serve" in cmd and str(model_dir) in cmd and p.info["status"] != psutil.STATUS_ZOMBIE:
            found.add(p.pid)
    return found


def test_cli_agent_json_serves_the_model_itself(tmp_path, converted_model_dir):
    """`ai-platform agent --kb NAME "question" --json`, with no --base-url: it starts the transformers
    engine on --model, runs the turn, prints one JSON object and stops the engine."""
    home = tmp_path / "home"
    env = engine_env_for(home)
    notes = tmp_path / "notes.md"
    notes.write_text("The Tarsk lighthouse keepers signal ships with coloured lanterns.", encoding="utf-8")
    for args in (["kb", "create", "notes"], ["kb", "add", "notes", str(notes)]):
        done = subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=str(REPO), capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    before = _serve_pids(converted_model_dir)
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "--kb", "notes", "How do the Tarsk keepers signal?",
                           "--json", "--model", str(converted_model_dir), "--max-steps", "2", "--max-tokens", "24"],
                          env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert {"answer", "steps", "citations"} <= set(out) and out["status"] == "completed"
    assert out["answer"] and all(s["tool"] in ("kb_search", "calculator", "datetime") for s in out["steps"])
    assert _serve_pids(converted_model_dir) - before == set()  # the engine it started is gone

    # A knowledge base that does not exist: a clear error, exit 2, before any server starts.
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "--kb", "nope", "hi", "--json",
                           "--base-url", "http://127.0.0.1:1/v1"], env=env, cwd=str(REPO), capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"]["code"] == "kb.not_found"
