"""The agent loop offline: the real LangGraph graph, real tools, a real knowledge base, and a scripted
chat model (langchain-core's GenericFakeChatModel, taught bind_tools and streamed tool calls) in the
model's seat. Tests go through ``run_request``, the function the engine process and the CLI run."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from app.agents import safe_math
from app.agents.graph import FORCE_ANSWER
from app.agents.turn import run_request
from app.core import protocol
from tests.helpers.scripted_chat_model import ScriptedChatModel, call, tool_results

NO_SERVER = "http://127.0.0.1:9/v1"  # never contacted: the scripted model stands in


def turn(script, question="Question?", *, events=None, **req):
    """(result, events, model) of one turn with a scripted model."""
    model = ScriptedChatModel(script)
    events = [] if events is None else events
    ask = req.pop("ask", None)
    on_runner = req.pop("on_runner", None)
    request = {"base_url": NO_SERVER, "model": "scripted", "messages": [{"role": "user", "content": question}],
               **req}
    result = run_request(request, events.append, None, ask=ask, model=model, on_runner=on_runner)
    return result, events, model


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


# --- knowledge base search ----------------------------------------------------------------------

@pytest.fixture
def tiny_kb(tmp_path):
    """A real knowledge base "field-notes" (bundled embedding model, faiss) of two small files."""
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    docs = tmp_path / "notes"
    docs.mkdir()
    (docs / "lighthouse.md").write_text(
        "# Tarsk lighthouse\n\nThe Tarsk lighthouse keepers signal passing ships with coloured lanterns "
        "instead of radio.\n", encoding="utf-8")
    (docs / "tea.txt").write_text("Ironleaf tea grows above two thousand metres and is picked at dawn.",
                                  encoding="utf-8")
    with open_database() as db:
        store = KnowledgeStore(db)
        summary = Knowledge(store.create("field-notes"), store).add([str(docs)])
    assert summary["counts"] == {"indexed": 2}
    return docs


def _answer_citing_lanterns(messages):
    """Answer from the tool result, citing the passage about lanterns by the number it was given."""
    text = tool_results(messages)[-1].content
    n = re.search(r"^\[(\d+)\] lighthouse\.md", text, re.MULTILINE).group(1)
    return f"They signal with coloured lanterns [{n}]."


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_kb_search_then_answer_with_citation(tiny_kb):
    result, events, model = turn(
        [call("kb_search", {"query": "How do the Tarsk lighthouse keepers signal ships?"}), _answer_citing_lanterns],
        "How do the Tarsk keepers signal ships?", kbs=["field-notes"])
    assert "kb_search" in model.calls[0]["tools"]
    assert result["status"] == "completed"
    assert result["answer"] == "They signal with coloured lanterns [1]."  # the best passage is [1]
    [tool_call] = of(events, protocol.ToolCall)
    [tool_result] = of(events, protocol.ToolResult)
    assert tool_call.name == "kb_search" and tool_call.step == 1 and tool_result.id == tool_call.id
    assert tool_result.ok and tool_result.text.startswith("[1] lighthouse.md")
    cited = [c for c in result["citations"] if c["cited"]]
    assert len(cited) == 1 and cited[0]["n"] == 1 and cited[0]["kb"] == "field-notes"
    assert Path(cited[0]["file"]).name == "lighthouse.md" and "lanterns" in cited[0]["text"]
    assert cited[0]["score"] is not None and "page" in cited[0]
    assert result["steps"] == [{"step": 1, "id": tool_call.id, "type": "tool", "name": "kb_search",
                                "tool": "kb_search", "args": tool_call.args,
                                "ok": True, "result": tool_result.text, "truncated": False}]
    # The answer streamed as deltas of step 2, and they add up to it.
    assert "".join(e.text for e in of(events, protocol.Delta) if e.step == 2) == result["answer"]
    json.dumps(result)  # the result is plain JSON


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_the_same_chunk_found_twice_keeps_its_number(tiny_kb):
    search = {"query": "lighthouse lanterns", "top_k": 2}
    result, events, _ = turn([call("kb_search", search), call("kb_search", dict(search, kb="field-notes")),
                              call("kb_search", dict(search, kb="other")), "See [1] and [2]."], kbs=["field-notes"])
    first, second, third = of(events, protocol.ToolResult)
    assert first.text == second.text and first.text.startswith("[1] lighthouse.md") and "\n\n[2] tea.txt" in first.text
    assert not third.ok and "no attached knowledge base named 'other'" in third.text
    assert [(c["n"], c["cited"]) for c in result["citations"]] == [(1, True), (2, True)]


def test_unknown_knowledge_base_is_a_clear_error():
    from app.core.errors import UserError

    with pytest.raises(UserError, match='No knowledge base named "nope"'):
        turn(["unused"], kbs=["nope"])


# --- calculator ---------------------------------------------------------------------------------

def test_calculator_step_and_answer():
    result, events, model = turn(
        [call("calculator", {"expression": "(17 + 3) * 2 ** 5"}),
         lambda msgs: f"It is {tool_results(msgs)[-1].content}."], "What is (17+3)*2^5?")
    assert "calculator" in model.calls[0]["tools"] and "kb_search" not in model.calls[0]["tools"]
    assert "read_file" not in model.calls[0]["tools"]  # no folder granted: no file tools offered
    [res] = of(events, protocol.ToolResult)
    assert res.ok and res.text == "640" and result["answer"] == "It is 640."
    assert [e.type for e in events if e.type != "delta"] == ["tool_call", "tool_result"]


@pytest.mark.parametrize("expr, value", [
    ("1 + 2 * 3", "7"), ("-(4 - 10) // 4", "1"), ("7 % 3", "1"), ("2 ** 0.5 * 2 ** 0.5", "2.0000000000000004"),
    ("sqrt(16) + abs(-2)", "6"), ("round(pi, 3)", "3.142"), ("10 / 4", "2.5"), ("3 × 4 ÷ 2", "6"),
])
def test_calculator_values(expr, value):
    assert safe_math.format_number(safe_math.evaluate(expr)) == value


@pytest.mark.parametrize("expr, why", [
    ("__import__('os').system('true')", "unknown function"), ("().__class__", "not allowed"),
    ("9 ** 9 ** 9", "exponent"), ("(10 ** 5000) ** 30", "too large"), ("1 / 0", "division by zero"),
    ("x + 1", "unknown name"), ("2 ^ 3", "use ** for powers"), ("'a' * 3", "only numbers"),
    ("[1, 2]", "not allowed"), ("lambda: 1", "not allowed"), ("1 +", "not an arithmetic expression"),
    ("True + 1", "only numbers"), ("exp(10000)", "too large"), ("sqrt(-1)", "math error"),
])
def test_calculator_refuses(expr, why):
    with pytest.raises(safe_math.CalcError, match=why.replace("*", r"\*")):
        safe_math.evaluate(expr)


# --- files: grants, approval, escapes -----------------------------------------------------------

@pytest.fixture
def folders(tmp_path):
    granted = tmp_path / "granted"
    (granted / "sub").mkdir(parents=True)
    (granted / "notes.txt").write_text("Granted note: the boat leaves at nine.", encoding="utf-8")
    (granted / "sub" / "deep.md").write_text("Deep note.", encoding="utf-8")
    (granted / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD", encoding="utf-8")
    os.symlink(secret, granted / "link.txt")
    os.symlink(tmp_path, granted / "up")
    return granted, secret


def test_read_file_in_granted_folder_and_escapes_refused(folders):
    granted, secret = folders
    attempts = [str(granted / "notes.txt"), "sub/deep.md", str(secret), "../secret.txt", "link.txt",
                "up/secret.txt", str(granted / "sub" / ".." / ".." / "secret.txt"), "/etc/passwd"]
    many = call("read_file", {"path": attempts[0]})
    many.tool_calls = [dict(many.tool_calls[0], id=f"c{i}", args={"path": p}) for i, p in enumerate(attempts)]
    result, events, model = turn([many, "Done."], folders=[str(granted)], approved_folders=[str(granted)])
    assert {"read_file", "list_folder"} <= set(model.calls[0]["tools"])
    res = of(events, protocol.ToolResult)
    assert [r.ok for r in res] == [True, True] + [False] * 6
    assert res[0].text == "Granted note: the boat leaves at nine." and res[1].text == "Deep note."
    for r in res[2:]:
        assert r.text.startswith("error: ") and "outside the folders the user granted" in r.text, r.text
    # Nothing from outside reached the model, the events or the saved steps.
    sent = " ".join(str(m.content) for m in model.calls[1]["messages"])
    assert "TOP-SECRET" not in sent and "TOP-SECRET" not in json.dumps([e.to_dict() for e in events])
    assert "TOP-SECRET" not in json.dumps(result)
    assert result["answer"] == "Done." and len(result["steps"]) == 8


def test_read_file_refuses_binary_missing_and_folders(folders):
    granted, _ = folders
    script = [call("read_file", {"path": "blob.bin"}), call("read_file", {"path": "missing.txt"}),
              call("read_file", {"path": "sub"}), call("list_folder", {}), "ok"]
    _, events, _ = turn(script, folders=[str(granted)], approved_folders=[str(granted)])
    res = of(events, protocol.ToolResult)
    assert "not a text file" in res[0].text and "does not exist" in res[1].text and "is a folder" in res[2].text
    assert res[3].ok and "notes.txt" in res[3].text and "sub/" in res[3].text


def test_approval_asked_once_per_folder(folders):
    granted, _ = folders
    asked = []

    def ask(tool, folder, path):
        asked.append((tool, folder, path))
        return True

    script = [call("read_file", {"path": "notes.txt"}), call("read_file", {"path": "sub/deep.md"}), "ok"]
    _, events, _ = turn(script, folders=[str(granted)], ask=ask)
    assert asked == [("read_file", os.path.realpath(granted), os.path.realpath(granted / "notes.txt"))]
    assert [r.ok for r in of(events, protocol.ToolResult)] == [True, True]


def test_approval_denied_is_an_error_the_model_reads(folders):
    granted, _ = folders
    asked = []
    script = [call("read_file", {"path": "notes.txt"}), call("list_folder", {}),
              lambda msgs: "I may not read it: " + tool_results(msgs)[-1].content]
    result, events, _ = turn(script, folders=[str(granted)], ask=lambda *a: asked.append(a) or False)
    assert len(asked) == 1  # no second question for the same folder
    res = of(events, protocol.ToolResult)
    assert not res[0].ok and not res[1].ok and "did not allow" in res[0].text
    assert "Granted note" not in json.dumps(result) and result["answer"].startswith("I may not read it: error:")


# --- errors, limits, cancel ---------------------------------------------------------------------

def test_tool_errors_are_recovered(tmp_path):
    from app.agents import tools

    @tools.tool("explode", "A tool that breaks.", {"x": {"type": "integer"}})
    def explode(ctx, x=0):
        raise RuntimeError("disk on fire")

    try:
        script = [call("calculator", {"expression": "1/0"}),
                  call("no_such_tool", {"a": 1}),
                  call("calculator", "expression=1+1"),
                  call("calculator", {"expr": "1"}),
                  call("explode", {"x": 1}),
                  call("datetime", {"timezone": "Mars/Olympus"}),
                  lambda msgs: (call("calculator", {"expression": "1/2"})
                                if all(t.content.startswith("error:") for t in tool_results(msgs)) else "bad"),
                  lambda msgs: f"Recovered: {tool_results(msgs)[-1].content}"]
        result, events, model = turn(script, max_steps=10)
    finally:
        tools.REGISTRY.pop("explode")
    res = of(events, protocol.ToolResult)
    assert [r.ok for r in res] == [False] * 6 + [True]
    assert "division by zero" in res[0].text
    assert "no tool named 'no_such_tool'" in res[1].text
    assert "not a valid JSON object" in res[2].text
    assert "unknown argument(s) expr" in res[3].text and "missing argument(s) expression" in res[3].text
    assert "RuntimeError: disk on fire" in res[4].text
    assert "unknown time zone" in res[5].text
    assert result["status"] == "completed" and result["answer"] == "Recovered: 0.5"
    # The model saw each error as a tool message answering its call.
    ids = [m.tool_call_id for m in tool_results(model.calls[-1]["messages"])]
    assert ids == [e.id for e in of(events, protocol.ToolCall)]


def test_datetime_tool_uses_the_timezone():
    script = [call("datetime", {"timezone": "Asia/Shanghai"}), call("datetime", {}), "ok"]
    _, events, _ = turn(script)
    res = of(events, protocol.ToolResult)
    assert res[0].ok and "+08:00" in res[0].text and "CST" in res[0].text
    assert res[1].ok and res[1].text[:4].isdigit()


def test_step_limit_forces_an_answer():
    calc = call("calculator", {"expression": "1+1"})
    result, _, model = turn([calc, calc, "Two, finally."], max_steps=2)
    assert all("calculator" in c["tools"] for c in model.calls[:2]) and model.calls[2]["tools"] == []
    assert model.calls[2]["messages"][-1].content == FORCE_ANSWER.format(n=2)
    assert result["answer"] == "Two, finally." and not result["limit_reached"]
    assert len(result["steps"]) == 2 and result["model_calls"] == 3


def test_step_limit_stops_a_model_that_never_answers():
    calcs = [call("calculator", {"expression": f"{n}+1"}) for n in range(4)]  # different: no loop guard
    result, events, model = turn(calcs, max_steps=3)
    assert len(model.calls) == 4 and len(of(events, protocol.ToolCall)) == 3  # the 4th call ran no tool
    assert result["limit_reached"] and result["status"] == "completed"
    assert result["message"] == "Stopped after 4 steps: the model kept asking for tools instead of answering."


def test_the_same_tool_call_three_times_in_a_row_ends_the_turn():
    calc = call("calculator", {"expression": "1+1"})
    other = call("calculator", {"expression": "2+2"})
    result, events, model = turn([calc, other, other, other, "never asked"], max_steps=6)
    assert len(model.calls) == 4 and len(of(events, protocol.ToolCall)) == 3  # the 3rd "2+2" was not run
    assert result["loop_stopped"] and not result["limit_reached"] and result["status"] == "completed"
    assert result["message"] == ("Stopped: the model asked for the same tool call (calculator) 3 times in a row "
                                 "with the same arguments, so it was not run again.")
    [warning] = result["warnings"]
    assert warning["code"] == "agent.tool_loop" and warning["params"]["tool"] == "calculator"


class ToolsRefused(Exception):
    """What openai raises for vLLM started without --enable-auto-tool-choice (a 400 about tools)."""

    status_code = 400

    def __init__(self):
        super().__init__('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set')


def test_a_server_that_refuses_tools_still_answers():
    result, events, model = turn([ToolsRefused(), "Plain answer."])
    assert "calculator" in model.calls[0]["tools"] and model.calls[1]["tools"] == []
    assert result["answer"] == "Plain answer." and result["tools_refused"] and result["status"] == "completed"
    [warning] = of(events, protocol.Log)
    assert warning.level == "WARNING" and "--enable-auto-tool-choice" in warning.message
    with pytest.raises(RuntimeError, match="boom"):  # any other failure is not swallowed
        turn([RuntimeError("boom")])


def test_stop_while_streaming_keeps_what_was_said():
    events = []
    holder = []

    def emit(e):
        events.append(e)
        if isinstance(e, protocol.Delta) and e.text == "two":
            holder[0].stop()

    model = ScriptedChatModel(["one two three four five"])
    result = run_request({"base_url": NO_SERVER, "model": "m", "messages": [{"role": "user", "content": "count"}]},
                         emit, None, model=model, on_runner=holder.append)
    assert result["status"] == "stopped" and result["answer"] == "one two"
    assert "three" not in "".join(e.text for e in of(events, protocol.Delta))


def test_stop_while_waiting_for_approval(folders):
    granted, _ = folders
    holder = []

    def ask(tool, folder, path):
        holder[0].stop()  # the user pressed Stop instead of answering
        return True

    result, events, model = turn([call("read_file", {"path": "notes.txt"}), "never"], folders=[str(granted)],
                                 ask=ask, on_runner=holder.append)
    assert result["status"] == "stopped" and len(model.calls) == 1
    assert of(events, protocol.ToolResult) == [] and result["steps"] == []


def test_engine_commands_approve_and_stop(monkeypatch, folders):
    """The engine's stdin side: an approve line answers the waiting tool, EOF denies the rest."""
    import io

    from app.engines.agent import Commands
    from app.core.engine_runtime import EngineRuntime

    granted, _ = folders
    out = io.StringIO()
    rt = EngineRuntime("agent", stdout=out, listen_stdin=False)
    folder = os.path.realpath(granted)
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "not json\n" + protocol.encode_command("approve", folder=folder, allow=True) + "\n"))
    commands = Commands(rt)
    commands.listen()
    assert commands.ask("read_file", folder, folder + "/notes.txt") is True
    assert commands.ask("read_file", "/elsewhere", "/elsewhere/x") is False  # stdin closed: nobody to say yes
    [line1, line2] = out.getvalue().splitlines()
    assert json.loads(line2)["folder"] == "/elsewhere"
    assert protocol.decode(line1) == protocol.Approval(tool="read_file", folder=folder, path=folder + "/notes.txt",
                                                       ts=json.loads(line1)["ts"])
    rt.request_stop("test")
    from app.agents.tools import TurnCancelled

    with pytest.raises(TurnCancelled):
        commands.ask("read_file", "/x", "/x/y")


def test_request_errors_name_the_field(tmp_path):
    from app.core.errors import UserError
    from app.agents.turn import check_request

    good = {"base_url": "http://127.0.0.1:1/v1", "messages": [{"role": "user", "content": "hi"}]}
    assert check_request(good)["max_steps"] == 6
    for bad, field in [({"base_url": "ftp://x"}, "base_url"), ({"messages": []}, "messages"),
                       ({"messages": [{"role": "assistant", "content": "x"}]}, "messages"),
                       ({"max_steps": 0}, "max_steps"), ({"kbs": "docs"}, "kbs"),
                       ({"folders": [str(tmp_path / "missing")]}, "folder")]:
        with pytest.raises(UserError, match=field):
            check_request(dict(good, **bad))


# --- the engine process -------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_engine_process_reports_a_dead_server_and_a_bad_request(tmp_path):
    from tests.helpers.engines import engine_env_for, run_engine

    req = tmp_path / "req.json"
    req.write_text(json.dumps({"base_url": f"http://127.0.0.1:{_free_port()}/v1", "model": "m",
                               "messages": [{"role": "user", "content": "hi"}]}), encoding="utf-8")
    env = engine_env_for(tmp_path / "home", AI_PLATFORM_AGENT_API_KEY="sk-test-secret-123")
    run = run_engine(["app.engines.agent", str(req)], env, timeout=120)
    assert run.returncode == 1 and run.bad_lines == []
    assert [e.type for e in run.events] == ["started", "error", "done"]
    assert run.events[1].message.startswith("Cannot reach the model server at http://127.0.0.1:")
    assert "ai-platform serve" in run.events[1].hint and run.events[-1].status == "failed"
    assert "sk-test-secret-123" not in run.stderr + json.dumps([e.to_dict() for e in run.events])

    req.write_text(json.dumps({"base_url": "http://127.0.0.1:1/v1", "messages": []}), encoding="utf-8")
    run = run_engine(["app.engines.agent", str(req)], env, timeout=120)
    assert run.returncode == 1 and "'messages' must be a non-empty list" in run.of(protocol.Error)[0].message


def test_cli_printer_shows_steps_and_sources():
    import io

    from app.commands.agent import _Printer

    out = io.StringIO()
    printer = _Printer(out)
    for event in [protocol.Delta(step=1, text="Let me look."),
                  protocol.ToolCall(step=1, id="c1", name="kb_search", args={"query": "灯塔"}),
                  protocol.ToolResult(step=1, id="c1", name="kb_search", ok=True, text="[1] a.md\nlong text"),
                  protocol.ToolCall(step=1, id="c2", name="calculator", args={"expression": "1/0"}),
                  protocol.ToolResult(step=1, id="c2", name="calculator", ok=False, text="error: division by zero"),
                  protocol.Delta(step=2, text="Lanterns "), protocol.Delta(step=2, text="[1].")]:
        printer(event)
    printer.finish({"status": "completed", "citations": [
        {"n": 1, "file": "/d/a.md", "page": 2, "kb": "notes", "cited": True},
        {"n": 2, "file": "/d/b.md", "page": None, "kb": "notes", "cited": False}]})
    assert out.getvalue().splitlines() == [
        "Let me look.", '→ step 1: kb_search {"query": "灯塔"}', "← ok: [1] a.md …",
        '→ step 1: calculator {"expression": "1/0"}', "← failed: error: division by zero",
        "Lanterns [1].", "Sources:", "  [1] /d/a.md, page 2 (notes)"]
