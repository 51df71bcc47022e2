"""Tools for models without native tool calling: a text protocol (ReAct) the loop speaks instead.

The model is told the tools and a format in its system prompt, and answers in plain text::

    Thought: I need the product.
    Action: calculator
    Action Input: {"expression": "1234 * 5678"}

The loop stops the model at ``Observation:`` (a stop sequence, and the text is cut there too in
case the server ignores it), runs the tool, and sends its result back as ``Observation: …`` in a
user message; ``Final Answer: …`` ends the turn. ``parse`` reads one reply; ``as_text_messages``
turns the loop's native history (AI messages with tool calls, tool messages) into what a plain
chat template can render. The graph (app/agents/graph.py) chooses this when the model cannot call
tools on its engine, or when the server refused them, and the turn's warnings say so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

STOP = ["\nObservation:", "Observation:"]
RAW_KEY = "react_text"  # the reply as the model wrote it, kept on the AIMessage for the next call

_ACTION = re.compile(r"^[ \t*#>]*Action[ \t]*\d*[ \t]*:[ \t]*(.*)$", re.MULTILINE | re.IGNORECASE)
_INPUT = re.compile(r"^[ \t*#>]*Action[ \t]*Input[ \t]*\d*[ \t]*:[ \t]*", re.MULTILINE | re.IGNORECASE)
_FINAL = re.compile(r"^[ \t*#>]*Final[ \t]*Answer[ \t]*:[ \t]*", re.MULTILINE | re.IGNORECASE)
_THOUGHT = re.compile(r"^[ \t*#>]*Thought[ \t]*:[ \t]*", re.IGNORECASE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def instructions(tools) -> str:
    """The protocol and the tools, for the end of the system prompt."""
    lines = ["You have no built-in tool calling, so use tools by writing text in exactly this format.",
             "To use a tool, write these two lines and stop:",
             "Action: the tool name",
             'Action Input: the arguments as one JSON object, like {"expression": "2 * 3"}',
             "The tool's result comes back in a message starting with Observation:. Use one tool at a time, "
             "as many times as you need.",
             "When you can answer, write:",
             "Final Answer: your answer to the user",
             "", "Tools:"]
    for t in tools:
        props = t.parameters.get("properties") or {}
        required = set(t.parameters.get("required") or [])
        args = ", ".join(f'"{k}" ({v.get("type", "string")}{", required" if k in required else ""}): '
                         f'{v.get("description", "")}'.rstrip(": ") for k, v in props.items())
        lines.append(f"- {t.name}: {t.description}" + (f" Arguments: {args}." if args else " No arguments."))
    return "\n".join(lines)


@dataclass
class Reply:
    thought: str  # the words before the action or the final answer
    action: str | None = None  # a tool name: the model asked for it
    args: dict | None = None
    error: str | None = None  # the arguments could not be read (told to the model)
    answer: str | None = None  # no action: the answer to show


def _arguments(raw: str, tool) -> tuple[dict | None, str | None]:
    raw = _FENCE.sub("", raw.strip()).strip()
    start = raw.find("{")
    if start >= 0:
        try:
            value, _end = json.JSONDecoder().raw_decode(raw[start:])
        except ValueError as exc:
            return None, f"the Action Input is not a valid JSON object: {exc}"
        if isinstance(value, dict):
            return value, None
    props = list((tool.parameters.get("properties") or {}) if tool is not None else {})
    required = list(tool.parameters.get("required") or []) if tool is not None else []
    if not raw and not required:
        return {}, None
    # Small models often write the bare value ("Action Input: 1234 * 5678"): it is the one argument.
    wanted = required or props
    if raw and len(wanted) == 1:
        return {wanted[0]: raw.strip().strip('"').strip("'")}, None
    return None, 'the Action Input must be a JSON object, like {"name": "value"}'


def parse(text: str, tools) -> Reply:
    """One reply of the model in the text protocol."""
    cut = re.search(r"^\s*Observation\s*:", text, re.MULTILINE | re.IGNORECASE)
    if cut:  # the model went on to imagine the tool's result: that part is not its to write
        text = text[:cut.start()]
    action, final = _ACTION.search(text), _FINAL.search(text)
    if action and (final is None or action.start() < final.start()):
        name = action.group(1).strip().strip("`'\"*").strip()
        thought = _THOUGHT.sub("", text[:action.start()].strip()).strip()
        rest = text[action.end():]
        given = _INPUT.search(rest)
        raw = rest[given.end():] if given else ""
        tool = next((t for t in tools if t.name == name), None)
        args, error = _arguments(raw, tool)
        return Reply(thought=thought, action=name, args=args, error=error)
    if final:
        return Reply(thought=_THOUGHT.sub("", text[:final.start()].strip()).strip(),
                     answer=text[final.end():].strip())
    return Reply(thought="", answer=_THOUGHT.sub("", text.strip()).strip())


def as_message(text: str, reply: Reply, call_id: str) -> AIMessage:
    """The reply as the loop's AIMessage: a tool call the tools node runs, or the answer."""
    extra = {RAW_KEY: text}
    if reply.action is None:
        return AIMessage(content=reply.answer or "", additional_kwargs=extra)
    if reply.error is not None:
        return AIMessage(content=reply.thought, additional_kwargs=extra, invalid_tool_calls=[
            {"type": "invalid_tool_call", "name": reply.action, "args": None, "id": call_id, "error": reply.error}])
    return AIMessage(content=reply.thought, additional_kwargs=extra,
                     tool_calls=[{"type": "tool_call", "name": reply.action, "args": reply.args, "id": call_id}])


def as_text_messages(messages: list[BaseMessage], tools) -> list[BaseMessage]:
    """The history for a model that reads plain turns only: the protocol in the system prompt, tool
    calls as the text the model wrote, tool results as ``Observation:`` user messages."""
    out: list[BaseMessage] = []
    for m in messages:
        if isinstance(m, SystemMessage) and not out:
            out.append(SystemMessage(content=f"{m.content}\n\n{instructions(tools)}"))
        elif isinstance(m, ToolMessage):
            out.append(HumanMessage(content=f"Observation: {m.content}"))
        elif isinstance(m, AIMessage) and (m.tool_calls or m.invalid_tool_calls):
            text = m.additional_kwargs.get(RAW_KEY)
            if text is None:  # a native call (the server refused tools mid-turn): write it out
                c = (m.tool_calls or m.invalid_tool_calls)[0]
                text = f"Action: {c['name']}\nAction Input: {json.dumps(c.get('args') or {}, ensure_ascii=False)}"
            out.append(AIMessage(content=text.strip()))
        else:
            out.append(m)
    if not out or not isinstance(out[0], SystemMessage):
        out.insert(0, SystemMessage(content=instructions(tools)))
    return out
