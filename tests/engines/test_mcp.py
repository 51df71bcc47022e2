"""MCP servers as agent tools: a real local server written with the ``mcp`` package (FastMCP over
stdio) is listed by ``ai-platform mcp tools`` and its tools run through the agent's tool node, with
approval asked per call and a denial respected."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest
from langchain_core.messages import AIMessage
from langchain_openai import ChatOpenAI

from app.agents.graph import AgentRunner
from app.agents.mcp_client import McpServer, as_tools
from app.agents.tools import DENIED, ToolContext
from tests.helpers.engines import engine_env_for

SERVER = '''
import sys
from mcp.server.fastmcp import FastMCP

NOTES = sys.argv[1]
mcp = FastMCP("test-server")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


@mcp.tool()
def secret_word() -> str:
    """The secret word of this server."""
    return "pineapple"


@mcp.tool()
def calculator(expression: str) -> str:
    """A server tool named like the app's own."""
    return "the server's calculator"


@mcp.tool()
def write_note(text: str) -> str:
    """Append a note to the notes file."""
    with open(NOTES, "a", encoding="utf-8") as fh:
        fh.write(text + "\\n")
    return "noted"


mcp.run()
'''


@pytest.fixture(scope="module")
def server_command(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mcp")
    script = folder / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    notes = folder / "notes.txt"
    return shlex.join([sys.executable, str(script), str(notes)]), notes


def _cli(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "app", "mcp", "tools", *args, "--json"], capture_output=True,
                          text=True, timeout=120, env=engine_env_for(tmp_path / "home"))


def test_cli_lists_the_servers_tools_and_says_why_a_command_is_not_one(server_command, tmp_path):
    command, _ = server_command
    done = _cli(tmp_path, "--stdio", command)
    assert done.returncode == 0, done.stderr
    tools = {t["name"]: t for t in json.loads(done.stdout.strip().splitlines()[-1])["tools"]}
    assert set(tools) == {"add", "secret_word", "write_note", "calculator"}
    assert tools["add"]["description"] == "Add two whole numbers."
    assert set(tools["add"]["input_schema"]["properties"]) == {"a", "b"}

    missing = _cli(tmp_path, "--stdio", str(tmp_path / "no-such-server"))
    assert missing.returncode == 2
    assert json.loads(missing.stdout.strip().splitlines()[-1])["error"]["code"] == "mcp.start_failed"
    assert "does not start" in missing.stderr

    echo = _cli(tmp_path, "--stdio", "echo hello", "--timeout", "10")
    assert echo.returncode == 2
    assert json.loads(echo.stdout.strip().splitlines()[-1])["error"]["code"] == "mcp.not_a_server"


def _runner(server, approve):
    # The model is never asked here: the test plays its part and drives the tool node directly.
    model = ChatOpenAI(base_url="http://127.0.0.1:9/v1", api_key="unused", model="unused")
    ctx = ToolContext(extra_tools=as_tools(server), approve=approve)
    return AgentRunner(model, ctx, lambda event: None)


def _ask_tools(runner, *calls):
    message = AIMessage(content="", tool_calls=[{"id": f"c{i}", "name": n, "args": a, "type": "tool_call"}
                                                for i, (n, a) in enumerate(calls)])
    return runner._tools({"messages": [message], "step": 1})["messages"]


def test_agent_calls_mcp_tools_with_approval_and_respects_a_denial(server_command):
    command, notes = server_command
    asked = []

    def approve(name, args):
        asked.append(name)
        return name != "write_note"  # the user says no to writing

    with McpServer(stdio=command) as server:
        runner = _runner(server, approve)
        names = [t.name for t in runner.tools]
        assert {"add", "secret_word", "write_note", "calculator", "mcp_calculator"} <= set(names)  # with the built-in ones
        # a server tool named like a built-in is offered beside it, never instead of it
        clash = _ask_tools(runner, ("calculator", {"expression": "1234 * 5678"}), ("mcp_calculator", {"expression": "1"}))
        assert clash[0].content == "7006652" and clash[1].content == "the server's calculator"
        asked.clear()
        out = _ask_tools(runner, ("add", {"a": 1234, "b": 5678}), ("secret_word", {}),
                         ("write_note", {"text": "should not be written"}))
    assert [m.content for m in out[:2]] == ["6912", "pineapple"]
    assert DENIED in out[2].content and out[2].status == "error"
    assert asked == ["add", "secret_word", "write_note"]
    assert not notes.exists()  # denied: the server never ran it
    steps = runner.steps[2:]  # after the two calculator calls
    assert [(s["type"], s["name"], s["ok"]) for s in steps] == [("tool", "add", True), ("tool", "secret_word", True),
                                                                  ("tool", "write_note", False)]
    assert steps[0]["args"] == {"a": 1234, "b": 5678} and steps[0]["result"] == "6912"
