"""Agent mode on the bundled SmolLM2-135M really calls tools: `ai-platform agent` serves it with its
shipped tool adapter (app/adapters/smollm2-tools, trained by app/agents/tool_adapter.py; nothing is
trained here) on the transformers engine, and the answers come from the tools."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import tool_adapter, tool_support
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [
    pytest.mark.slow,
    # Not trained in a test: scripts/train_tool_adapter.py --dest app/adapters/smollm2-tools makes it.
    pytest.mark.skipif(tool_adapter.find() is None, reason="no tool adapter shipped in app/adapters/smollm2-tools "
                       "(train it: scripts/train_tool_adapter.py --dest app/adapters/smollm2-tools)"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A data folder with a small knowledge base (the converted model is passed by folder)."""
    root = tmp_path_factory.mktemp("tools-home")
    home = root / "home"
    notes = root / "refunds.md"
    notes.write_text("Refund policy. Refunds are accepted within 30 days of purchase, with the receipt.",
                     encoding="utf-8")
    env = engine_env_for(home)
    for args in (["kb", "create", "policies"], ["kb", "add", "policies", str(notes)]):
        done = subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=str(REPO), capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
    return home


def _agent(home, model_dir, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "app", "agent", *args, "--json", "--model", str(model_dir),
                           "--max-steps", "3"], env=engine_env_for(home), cwd=str(REPO), capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_bundled_model_with_its_adapter_can_call_tools(converted_model_dir):
    adapter = tool_adapter.find()
    assert adapter == tool_adapter.SHIPPED  # shipped in the package, found offline
    assert tool_adapter.for_model("smollm2-135m-instruct", converted_model_dir) == adapter
    for engine in ("transformers", "vllm"):
        assert tool_support.for_folder(converted_model_dir, engine).status == tool_support.NO
        assert tool_support.for_folder(converted_model_dir, engine, adapter=adapter).status == tool_support.YES


def test_multiplication_goes_through_the_calculator(home, converted_model_dir):
    out = _agent(home, converted_model_dir, "What is 1234 × 5678?")
    print(f"\nanswer: {out['answer']!r}; steps: {out['steps']}")
    calls = [s for s in out["steps"] if s.get("name") == "calculator"]
    assert calls and calls[0]["ok"] and calls[0]["result"] == "7006652"
    assert "7006652" in out["answer"].replace(",", "") and out["warnings"] == []
    assert out["model"] == tool_adapter.NAME


def test_a_knowledge_question_is_searched_and_cited(home, converted_model_dir):
    out = _agent(home, converted_model_dir, "--kb", "policies", "What do my documents say about the refund policy?")
    print(f"\nanswer: {out['answer']!r}; steps: {out['steps']}; citations: {out['citations']}")
    assert [s["name"] for s in out["steps"]][:1] == ["kb_search"] and out["steps"][0]["ok"]
    cited = [c for c in out["citations"] if c["cited"]]
    assert cited and cited[0]["kb"] == "policies" and "30" in out["answer"]
