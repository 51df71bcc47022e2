"""The transformers engine reads Hermes-style tool calls (Qwen and many fine-tunes write
``<tool_call>{…}</tool_call>``) back into OpenAI ``tool_calls``, and gives templates dict arguments."""

from __future__ import annotations

import json

from app.serving.transformers_server import _template_messages, parse_tool_calls


def test_tool_calls_are_read_out_of_the_text():
    text = ('Let me check.\n<tool_call>\n{"name": "calculator", "arguments": {"expression": "12*7"}}\n</tool_call>\n'
            '<tool_call>{"name": "datetime", "arguments": {}}</tool_call>')
    content, calls = parse_tool_calls(text)
    assert content == "Let me check."
    assert [c["function"]["name"] for c in calls] == ["calculator", "datetime"]
    assert json.loads(calls[0]["function"]["arguments"]) == {"expression": "12*7"}
    assert calls[0]["type"] == "function" and calls[0]["id"].startswith("call_") and calls[0]["id"] != calls[1]["id"]


def test_plain_or_malformed_text_stays_text():
    assert parse_tool_calls("The answer is 84.") == ("The answer is 84.", [])
    broken = "<tool_call>{not json}</tool_call>"
    assert parse_tool_calls(broken) == (broken, [])
    assert parse_tool_calls('<tool_call>{"arguments": {}}</tool_call>')[1] == []  # no name: not a call


def test_template_messages_give_dict_arguments_and_string_content():
    msgs = _template_messages([
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "c1", "type": "function",
                         "function": {"name": "calculator", "arguments": "{\"expression\": \"1+1\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": [{"type": "text", "text": "2"}]},
    ])
    assert msgs[0]["content"] == "" and msgs[0]["tool_calls"][0]["function"]["arguments"] == {"expression": "1+1"}
    assert msgs[1]["content"] == "2"
