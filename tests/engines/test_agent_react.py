"""Tools for a model that cannot call them natively: the text protocol (ReAct, app/agents/react.py).

The parser on replies small models really write, then whole turns through ``run_request`` (the
engine's and the CLI's path, the real LangGraph loop and tools) with a scripted chat model that
answers in text, as a model without tool calling does."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from app.agents import react
from app.agents.tools import REGISTRY
from app.core import tool_support
from tests.engines.test_agent_graph import ToolsRefused, turn

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

TOOLS = [REGISTRY["calculator"], REGISTRY["datetime"]]
NO_TOOLS = tool_support.ToolSupport("no", "tools.template_none", "M cannot call tools: its chat template has no "
                                    "tool-calling format.", {"model": "M", "engine": "vllm"}).to_dict()


@pytest.mark.parametrize("text, action, args", [
    ('Thought: I need to multiply.\nAction: calculator\nAction Input: {"expression": "1234 * 5678"}',
     "calculator", {"expression": "1234 * 5678"}),
    # what small models write: a bare value, a fenced block, markdown bold, a made-up observation after it
    ("Action: calculator\nAction Input: 1234 * 5678", "calculator", {"expression": "1234 * 5678"}),
    ('Action: `calculator`\nAction Input:\n```json\n{"expression": "2+2"}\n```', "calculator", {"expression": "2+2"}),
    ('**Action:** calculator\n**Action Input:** {"expression": "7*6"}\nObservation: 42\nFinal Answer: 42',
     "calculator", {"expression": "7*6"}),
    ("Action: datetime\nAction Input: {}", "datetime", {}),
    ("Action: datetime", "datetime", {}),  # no arguments needed, none given
])
def test_actions_are_read_from_what_models_write(text, action, args):
    reply = react.parse(text, TOOLS)
    assert (reply.action, reply.args, reply.error, reply.answer) == (action, args, None, None)


def test_final_answers_and_plain_text_are_answers():
    reply = react.parse("Thought: I know this.\nFinal Answer: Paris is the capital.", TOOLS)
    assert (reply.action, reply.answer, reply.thought) == (None, "Paris is the capital.", "I know this.")
    assert react.parse("Just a friendly hello!", TOOLS).answer == "Just a friendly hello!"
    # An action after the final answer is not run: the model had already answered.
    assert react.parse("Final Answer: 4\nAction: calculator", TOOLS).answer.startswith("4")


def test_unreadable_arguments_are_an_error_for_the_model():
    reply = react.parse('Action: calculator\nAction Input: {"expression": 2 +}', TOOLS)
    assert reply.action == "calculator" and reply.args is None and "not a valid JSON object" in reply.error
    reply = react.parse("Action: read_file_twice\nAction Input: a b", [*TOOLS, REGISTRY["kb_search"]])
    assert reply.action == "read_file_twice" and reply.error  # unknown tool, no JSON: said, not guessed


def test_the_history_is_plain_text_for_the_model():
    msgs = react.as_text_messages([SystemMessage(content="Be brief."), HumanMessage(content="6*7?"),
                                   AIMessage(content="", tool_calls=[{"name": "calculator", "args": {"expression": "6*7"},
                                                                      "id": "c1", "type": "tool_call"}]),
                                   ], TOOLS)
    assert msgs[0].content.startswith("Be brief.") and "Action Input:" in msgs[0].content
    assert "- calculator: Evaluate" in msgs[0].content
    assert msgs[2].content == 'Action: calculator\nAction Input: {"expression": "6*7"}' and not msgs[2].tool_calls


def test_a_model_without_tool_calling_uses_the_calculator_through_the_text_protocol():
    def answer_from_observation(messages):
        observation = messages[-1]
        assert isinstance(observation, HumanMessage) and observation.content == "Observation: 7006652"
        assert "Action: calculator" in messages[-2].content  # its own words, as it wrote them
        return "Thought: I have the product.\nFinal Answer: 1234 × 5678 = 7006652."

    result, events, model = turn(['Thought: multiply.\nAction: calculator\nAction Input: {"expression": "1234*5678"}',
                                  answer_from_observation], "What is 1234 × 5678?", tool_support=NO_TOOLS)
    assert model.calls[0]["tools"] == []  # nothing native goes into the request
    assert model.calls[0]["stop"] == react.STOP
    assert "Final Answer:" in model.calls[0]["messages"][0].content  # the protocol is in the system prompt
    assert result["answer"] == "1234 × 5678 = 7006652."
    assert [(s["tool"], s["args"], s["result"]) for s in result["steps"]] == [
        ("calculator", {"expression": "1234*5678"}, "7006652")]
    assert result["tool_protocol"] == "react"
    [warning] = result["warnings"]  # labelled, never silent
    assert warning["code"] == "agent.react" and warning["params"]["cause"] == "tools.template_none"
    assert "text protocol (ReAct)" in warning["message"]


def test_a_bad_action_is_told_to_the_model_which_tries_again():
    result, _, model = turn(["Action: calculator\nAction Input: {oops",
                             'Action: calculator\nAction Input: {"expression": "2**10"}',
                             "Final Answer: 1024"], "2 to the 10th?", tool_support=NO_TOOLS)
    assert [s["ok"] for s in result["steps"]] == [False, True] and result["answer"] == "1024"
    assert "not a valid JSON object" in model.calls[1]["messages"][-1].content


def test_the_loop_guard_and_the_step_limit_hold_in_the_text_protocol():
    same = 'Action: calculator\nAction Input: {"expression": "1+1"}'
    result, _, _ = turn([same, same, same], "1+1?", tool_support=NO_TOOLS)
    assert result["loop_stopped"] and len(result["steps"]) == 2
    assert [w["code"] for w in result["warnings"]] == ["agent.tool_loop"]
    result, _, _ = turn([f'Action: calculator\nAction Input: {{"expression": "{i}+1"}}' for i in range(3)],
                        "count", tool_support=NO_TOOLS, max_steps=2)
    assert result["limit_reached"] and len(result["steps"]) == 2


def test_native_keeps_a_model_that_cannot_call_tools_without_them():
    result, _, model = turn(["Plain answer."], tool_support=NO_TOOLS, tool_protocol="native")
    assert result["tool_protocol"] == "none" and [w["code"] for w in result["warnings"]] == ["tools.template_none"]
    assert "Action Input" not in model.calls[0]["messages"][0].content


def test_react_can_be_asked_for_and_a_refusing_server_switches_to_it():
    result, _, model = turn(["Final Answer: hi"], tool_protocol="react")
    assert result["tool_protocol"] == "react" and result["answer"] == "hi" and model.calls[0]["tools"] == []
    result, _, model = turn([ToolsRefused(), 'Action: calculator\nAction Input: {"expression": "3*3"}',
                             "Final Answer: 9"], "3*3?")
    assert result["tools_refused"] and result["answer"] == "9" and result["steps"][0]["result"] == "9"
    assert [w["code"] for w in result["warnings"]] == ["agent.tools_refused"]


def test_an_unknown_tool_protocol_is_named():
    from app.core.errors import UserError

    with pytest.raises(UserError) as err:
        turn(["x"], tool_protocol="smoke-signals")
    assert err.value.params == {"field": "tool_protocol"}
