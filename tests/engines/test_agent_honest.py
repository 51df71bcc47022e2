"""An agent turn says why it used no tool. Offline with the scripted model (the real graph), then for
real: `ai-platform agent --json` on the bundled SmolLM2-135M, whose chat template has no tool calling."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import tool_support
from tests.engines.test_agent_graph import ToolsRefused, turn
from tests.helpers.engines import REPO, engine_env_for
from tests.helpers.scripted_chat_model import call

NO_TOOLS = tool_support.ToolSupport("no", "tools.template_none", "M cannot call tools: its chat template has no "
                                    "tool-calling format.", {"model": "M", "engine": "transformers"})


def test_a_model_that_cannot_call_tools_gets_the_text_protocol_and_the_turn_says_so():
    result, _events, model = turn(["Plain answer."], tool_support=NO_TOOLS.to_dict())
    assert model.calls[0]["tools"] == []  # decided before sending: nothing native offered
    assert "Action Input" in model.calls[0]["messages"][0].content  # the tools, as text
    assert result["answer"] == "Plain answer." and result["steps"] == [] and result["tool_protocol"] == "react"
    [warning] = result["warnings"]
    assert warning["code"] == "agent.react" and warning["params"]["model"] == "M"
    assert warning["params"]["cause"] == "tools.template_none" and "text protocol" in warning["message"]


def test_with_native_only_a_model_that_cannot_call_tools_gets_none_and_the_turn_says_why():
    result, _events, model = turn(["Plain answer."], tool_support=NO_TOOLS.to_dict(), tool_protocol="native")
    assert model.calls[0]["tools"] == [] and result["steps"] == [] and result["tool_protocol"] == "none"
    [warning] = result["warnings"]
    assert warning["code"] == "tools.template_none" and warning["params"]["model"] == "M"
    assert "without tools" in warning["message"]


def test_a_server_that_refuses_tools_is_a_warning():
    result, _events, _model = turn([ToolsRefused(), "Plain answer."])
    assert [w["code"] for w in result["warnings"]] == ["agent.tools_refused"]


def test_unknown_support_and_no_tool_used_is_said_but_a_used_tool_is_not():
    unknown = tool_support.unknown("remote-model").to_dict()
    result, _, _ = turn(["Plain answer."], tool_support=unknown)
    assert [w["code"] for w in result["warnings"]] == ["agent.tools_unknown"]
    result, _, _ = turn([call("calculator", {"expression": "12*7"}), "84."], tool_support=unknown)
    assert result["steps"] and result["warnings"] == []
    yes = tool_support.ToolSupport("yes", "tools.ok", "", {}).to_dict()
    result, _, _ = turn(["Hello!"], tool_support=yes)  # a capable model may answer without a tool
    assert result["warnings"] == []


def test_a_bad_tool_support_field_is_named():
    from app.core.errors import UserError

    with pytest.raises(UserError) as err:
        turn(["x"], tool_support={"status": "perhaps"})
    assert err.value.params["field"] == "tool_support"


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_cli_agent_json_on_the_bundled_model_says_it_uses_the_text_protocol(tmp_path, converted_model_dir):
    env = engine_env_for(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "What is 12 times 7? Use the calculator.", "--json",
                           "--model", str(converted_model_dir), "--max-tokens", "24"],
                          env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])  # the contract: the last line is the object
    assert {"answer", "steps", "citations", "warnings"} <= set(out)
    assert out["answer"] and out["status"] == "completed" and out["tool_protocol"] == "react"
    [warning] = out["warnings"]
    assert warning["code"] == "agent.react"
    assert warning["params"] == {"model": converted_model_dir.name, "engine": "transformers",
                                 "cause": "tools.template_none"}
    assert "cannot call tools natively" in warning["message"]

    # Without --json the note is printed after the answer.
    proc = subprocess.run([sys.executable, "-m", "app", "agent", "Say hi.", "--model", str(converted_model_dir),
                           "--max-tokens", "8"], env=env, cwd=str(REPO), capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "note: " in proc.stdout and "text protocol" in proc.stdout
