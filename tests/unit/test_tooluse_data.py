"""The tool-use training data and the Hermes template it is rendered with (the tool adapter's inputs)."""

from __future__ import annotations

import json
import re

from app.agents import tool_template, tooluse_data
from app.agents.tools import REGISTRY


def test_records_are_seeded_bilingual_and_their_calls_match_the_agents_tools():
    rows = tooluse_data.records(200, seed=1)
    assert rows == tooluse_data.records(200, seed=1)  # same seed, same data
    users = [next(m["content"] for m in r["messages"] if m["role"] == "user") for r in rows]
    assert any(re.search(r"[\u4e00-\u9fff]", u) for u in users) and any(re.fullmatch(r"[ -~]+", u) for u in users)
    names = {c["name"] for r in rows for c in r["expect"]["calls"]}
    assert names <= set(REGISTRY) and {"calculator", "kb_search"} <= names
    assert any(not r["expect"]["calls"] for r in rows)  # some questions need no tool
    for r in rows:
        for c in r["expect"]["calls"]:
            params = REGISTRY[c["name"]].parameters
            assert set(params.get("required", [])) <= set(c["arguments"]) <= set(params["properties"])


def test_heldout_prompts_are_not_training_prompts():
    train = {json.dumps(r["messages"][1:2], ensure_ascii=False) for r in tooluse_data.records(300, seed=0)}
    held = [json.dumps(r["messages"][1:2], ensure_ascii=False) for r in tooluse_data.records(100, seed=7, split="heldout")]
    assert sum(h in train for h in held) == 0


def test_template_renders_tools_calls_and_results_in_hermes_form(tmp_path):
    from transformers.utils.chat_template_utils import render_jinja_template

    tools = [REGISTRY["calculator"].schema()]
    conv = [{"role": "user", "content": "What is 1234 * 5678?"},
            {"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": "calculator", "arguments": {"expression": "1234 * 5678"}}}]},
            {"role": "tool", "content": "7006652"},
            {"role": "assistant", "content": "1234 × 5678 = 7006652."}]
    rendered, _ = render_jinja_template(conversations=[conv], tools=tools, chat_template=tool_template.TEMPLATE)
    text = rendered[0]
    assert "<tool_call>" in text and '"name": "calculator"' in text and "<tool_response>\n7006652" in text
    assert text.count("<|im_start|>assistant") == 2 and text.rstrip().endswith("<|im_end|>")
    assert tool_template.install(tmp_path).read_text(encoding="utf-8") == tool_template.TEMPLATE


def test_prompts_are_what_agent_mode_sends():
    """Each record's system turn is the agent's system prompt for the tools a turn would offer in some
    context (kb_search only with a knowledge base, read_file with a folder), in the agent's order."""
    from app.agents.graph import system_prompt

    for r in tooluse_data.records(120, seed=3):
        system = r["messages"][0]["content"]
        listed = re.findall(r'^\{"name": "(\w+)"', system, re.M)
        assert listed == [n for n in REGISTRY if n in listed]  # tools_for order
        assert {"calculator", "datetime"} <= set(listed)
        assert {c["name"] for c in r["expect"]["calls"]} <= set(listed)
        head = system.split("\n\n" + tool_template.TOOLS_INTRO)[0]
        assert head.endswith(system_prompt(None, listed).split("\n\n", 1)[1])
        if r["expect"].get("cite"):  # a knowledge answer cites the passage that holds the fact
            passages = r["messages"][3]["content"]
            block = passages.split(r["expect"]["cite"] + " ", 1)[1].split("\n\n[")[0]
            assert r["expect"]["answer"] in block and r["expect"]["cite"] in r["messages"][-1]["content"]


def test_template_lists_tools_as_system_text_writes_them():
    """What the model is trained on (system_text in the data) is what the template serves (tools=…)."""
    from transformers.utils.chat_template_utils import render_jinja_template

    tools = [REGISTRY[n].schema() for n in ("kb_search", "calculator")]
    question = {"role": "user", "content": "hi"}
    served, _ = render_jinja_template(conversations=[[{"role": "system", "content": "Be brief."}, question]],
                                      tools=tools, chat_template=tool_template.TEMPLATE)
    trained, _ = render_jinja_template(
        conversations=[[{"role": "system", "content": tool_template.system_text(tools, "Be brief.")}, question]],
        chat_template=tool_template.TEMPLATE)
    assert served == trained and '{"name": "calculator", "arguments": ["expression"]}' in served[0]
