"""The agent loop: a LangGraph ``StateGraph`` with an ``agent`` node (the chat model, streamed) and a
``tools`` node (runs the calls the model asked for), built by hand.

    START → agent ─(tool calls?)→ tools → agent → … → END

Step ``n`` is the model's n-th call. Calls 1…max_steps may use tools; if the model still wants tools
after that, one more call without tools (and a note asking for the answer) forces a final answer;
if even that asks for tools, the turn ends with ``limit_reached`` and a clear message. ``stop()``
cancels the turn at the next chunk, tool or node boundary.

A model that cannot call tools natively gets them through a text protocol (``text_protocol``,
app/agents/react.py): the same graph, the same tools node, with the model's plain-text replies
read into tool calls; a server that refuses tools mid-turn switches the turn to it.

Everything the loop does is reported through ``emit(event)`` with app/core/protocol.py events, so the
engine process and in-process tests see the same thing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

from app.agents import react
from app.agents.tools import ToolContext, TurnCancelled, run_tool_coded, tools_for
from app.core import protocol

DEFAULT_MAX_STEPS = 6
DISPLAY_CHARS = 2000  # a tool result in events and saved steps; the model gets more (tools.py)
DEFAULT_SYSTEM = "You are a helpful assistant."
FORCE_ANSWER = ("You have used all {n} tool steps of this turn. Answer the user's question now, from "
                "the tool results above, without calling any tool.")
LIMIT_MESSAGE = "Stopped after {n} steps: the model kept asking for tools instead of answering."
LOOP_REPEATS = 3  # the same call (tool + arguments) asked for this many times in a row ends the turn
LOOP_MESSAGE = ("Stopped: the model asked for the same tool call ({tool}) {n} times in a row with the same "
                "arguments, so it was not run again.")


TOOLS_UNSUPPORTED = ("The model server does not accept tools (for vLLM: --enable-auto-tool-choice and "
                     "--tool-call-parser); using them through a text protocol (ReAct) instead.")


def _tools_unsupported(exc: Exception) -> bool:
    """A 400 about tools before anything streamed: the server cannot do tool calling."""
    return getattr(exc, "status_code", None) == 400 and "tool" in str(exc).lower()


class AgentState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    step: int


def system_prompt(base: str | None, tool_names: list[str]) -> str:
    text = (base or "").strip() or DEFAULT_SYSTEM
    if tool_names:
        text += "\n\nYou can call these tools when they help: " + ", ".join(tool_names) + "."
        if "kb_search" in tool_names:
            text += (" Use kb_search for questions about the user's documents and cite the passages you "
                     "use by their numbers, like [1].")
        if "remember" in tool_names:
            text += (" Use remember to save a lasting fact the user tells you about themselves or their work, "
                     "and recall to look up what earlier chats saved.")
        text += " When you have what you need, answer directly."
    return text


def to_messages(history: list[dict], system: str) -> list[BaseMessage]:
    """Chat history (``{"role", "content"}`` dicts, OpenAI style) as LangChain messages."""
    out: list[BaseMessage] = [SystemMessage(content=system)]
    kinds = {"user": HumanMessage, "assistant": AIMessage, "system": SystemMessage}
    for m in history:
        kind = kinds.get(m.get("role"))
        if kind is None:
            raise ValueError(f"unknown message role {m.get('role')!r}: use user, assistant or system")
        out.append(kind(content=str(m.get("content") or "")))
    return out


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def _call_key(name: str, args) -> str:
    return json.dumps([name, args], sort_keys=True, default=str)


def _display(text: str) -> tuple[str, bool]:
    if len(text) <= DISPLAY_CHARS:
        return text, False
    return text[:DISPLAY_CHARS] + "…", True


class AgentRunner:
    """One turn of the agent. ``model`` is a LangChain chat model with ``bind_tools``."""

    def __init__(self, model, ctx: ToolContext, emit: Callable[[protocol.Event], None], *,
                 max_steps: int = DEFAULT_MAX_STEPS, tool_names: list[str] | None = None,
                 text_protocol: bool = False):
        self.ctx = ctx
        self.emit = emit
        self.max_steps = max(1, int(max_steps))
        self.tools = tools_for(ctx, tool_names)
        self.plain = model
        # text_protocol: tools described in the prompt and read from plain text (react.py), for a
        # model that cannot call them natively; never bound to the request.
        self.text_protocol = bool(text_protocol and self.tools)
        self.with_tools = (model.bind_tools([t.schema() for t in self.tools])
                           if self.tools and not self.text_protocol else model)
        self.steps: list[dict] = []
        self.limit_reached = False
        self.model_calls = 0
        self.tools_refused = False  # the server would not take tools: the turn went on without
        self.loop_tool: str | None = None  # the tool the loop guard stopped (see _repeats_itself)
        self._partial = ""  # the text streamed so far in the current call: the answer if stopped
        self._stop = threading.Event()
        self.graph = self._build()

    # --- control -----------------------------------------------------------------------------
    def stop(self) -> None:
        """Cancel the turn at the next chunk, tool or node boundary (any thread)."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def _check(self) -> None:
        if self._stop.is_set():
            raise TurnCancelled()

    # --- the graph ---------------------------------------------------------------------------
    def _build(self):
        g = StateGraph(AgentState)
        g.add_node("agent", self._agent)
        g.add_node("tools", self._tools)
        g.add_edge(START, "agent")
        g.add_conditional_edges("agent", self._route, {"tools": "tools", END: END})
        g.add_edge("tools", "agent")
        return g.compile()

    def _agent(self, state: AgentState) -> dict:
        self._check()
        step = state["step"] + 1
        forced = step > self.max_steps
        messages = list(state["messages"])
        if forced:
            messages.append(HumanMessage(content=FORCE_ANSWER.format(n=self.max_steps)))
        self.model_calls = step
        if self.text_protocol:
            return self._text_reply(messages, step, forced)
        try:
            acc = self._stream(self.plain if forced else self.with_tools, messages, step)
        except Exception as exc:
            if forced or self.with_tools is self.plain or not _tools_unsupported(exc):
                raise
            # vLLM started without --enable-auto-tool-choice refuses any request with tools: go on
            # with the text protocol rather than without tools.
            self.with_tools = self.plain
            self.tools_refused = True
            self.text_protocol = True
            self.emit(protocol.Log(level="WARNING", message=TOOLS_UNSUPPORTED, extra={"detail": str(exc)[:500]}))
            return self._text_reply(messages, step, forced)
        message = message_chunk_to_message(acc) if acc is not None else AIMessage(content="")
        return {"messages": [self._guarded(message, forced, _text(message))], "step": step}

    def _guarded(self, message: AIMessage, forced: bool, words: str) -> AIMessage:
        """``message``, or only its ``words`` when its call must not run: one asked for after the
        note forcing the answer (the step limit), or the same call a third time in a row (a loop)."""
        if forced and (message.tool_calls or message.invalid_tool_calls):
            self.limit_reached = True
            return AIMessage(content=words, id=message.id)
        if message.tool_calls and self._repeats_itself(message.tool_calls[0]):
            self.loop_tool = message.tool_calls[0]["name"]
            return AIMessage(content=words, id=message.id)
        return message

    def _text_reply(self, messages: list[BaseMessage], step: int, forced: bool) -> dict:
        """One model call in the text protocol: plain messages in, the reply read into a tool call
        (the tools node runs it as a native one) or the answer."""
        if forced:  # the note asking for the answer stays last
            note = messages.pop()
            messages = [*react.as_text_messages(messages, self.tools), note]
        else:
            messages = react.as_text_messages(messages, self.tools)
        acc = self._stream(self.plain.bind(stop=react.STOP), messages, step)
        text = _text(acc) if acc is not None else ""
        reply = react.parse(text, self.tools)
        message = react.as_message(text, reply, f"call_{step}_0")
        return {"messages": [self._guarded(message, forced, reply.thought)], "step": step}

    def _repeats_itself(self, call: dict) -> bool:
        """True when ``call`` is the same tool with the same arguments as the last LOOP_REPEATS - 1 steps:
        asking a third time would give the model the same result again (a loop)."""
        last = self.steps[-(LOOP_REPEATS - 1):]
        if len(last) < LOOP_REPEATS - 1:
            return False
        key = _call_key(call["name"], call["args"])
        return all(_call_key(s["tool"], s["args"]) == key for s in last)

    def _stream(self, model, messages: list[BaseMessage], step: int):
        """The model's reply as one merged chunk, its text streamed as deltas on the way."""
        self._partial = ""
        acc = None
        for chunk in model.stream(messages):
            self._check()
            text = _text(chunk)
            if text:
                self._partial += text
                self.emit(protocol.Delta(step=step, text=text))
            acc = chunk if acc is None else acc + chunk
        self._check()
        return acc

    @staticmethod
    def _route(state: AgentState) -> str:
        last = state["messages"][-1]
        if isinstance(last, AIMessage) and (last.tool_calls or last.invalid_tool_calls):
            return "tools"
        return END

    def _tools(self, state: AgentState) -> dict:
        last: AIMessage = state["messages"][-1]
        step = state["step"]
        out = []
        calls = [(c["id"], c["name"], c["args"], None) for c in last.tool_calls]
        for bad in last.invalid_tool_calls:  # arguments that are not JSON: tell the model
            error = (f"error: the arguments of {bad.get('name')} are not a valid JSON object: "
                     f"{bad.get('error') or bad.get('args')!r}")
            calls.append((bad.get("id"), bad.get("name") or "?", bad.get("args"), error))
        for call_id, name, args, error in calls:
            self._check()
            call_id = call_id or f"call_{step}_{len(out)}"
            shown_args = args if isinstance(args, dict) else {"raw": str(args)}
            self.emit(protocol.ToolCall(step=step, id=call_id, name=name, args=shown_args))
            ok, text, coded = (False, error, {}) if error else run_tool_coded(self.ctx, name, args)
            self._check()
            shown, cut = _display(text)
            self.emit(protocol.ToolResult(step=step, id=call_id, name=name, ok=ok, text=shown, truncated=cut,
                                          extra=coded))
            self.steps.append({"step": step, "id": call_id, "type": "tool", "name": name, "tool": name,
                               "args": shown_args, "ok": ok,
                               "result": shown, "truncated": cut})
            out.append(ToolMessage(content=text, tool_call_id=call_id, name=name,
                                   status="success" if ok else "error"))
        return {"messages": out}

    # --- a turn ------------------------------------------------------------------------------
    def run(self, messages: list[BaseMessage]) -> dict:
        """Run the turn; returns the Result data: answer, steps, citations, status (completed|stopped)."""
        state: dict[str, Any] = {"messages": messages, "step": 0}
        status = "completed"
        final: dict = {}
        try:
            # 2 supersteps per tool round, plus the forced answer and slack.
            final = self.graph.invoke(state, {"recursion_limit": 2 * self.max_steps + 6})
        except TurnCancelled:
            status = "stopped"
        msgs = final.get("messages") or []
        if msgs and isinstance(msgs[-1], AIMessage):
            answer = _text(msgs[-1]).strip()
        else:
            answer = self._partial.strip()  # stopped mid-answer: keep what the user saw
        result = {"answer": answer, "steps": self.steps, "citations": self._citations(answer),
                  "status": status, "limit_reached": self.limit_reached, "model_calls": self.model_calls,
                  "tools_refused": self.tools_refused, "warnings": [],
                  "tool_protocol": "react" if self.text_protocol else ("native" if self.tools else "none"),
                  "loop_stopped": self.loop_tool is not None}
        if self.limit_reached:
            result["message"] = LIMIT_MESSAGE.format(n=self.max_steps + 1)
        elif self.loop_tool is not None:
            result["message"] = LOOP_MESSAGE.format(tool=self.loop_tool, n=LOOP_REPEATS)
        return result

    def _citations(self, answer: str) -> list[dict]:
        """Every kb chunk the tools returned, ``cited`` when the answer mentions its number."""
        return [dict(c, cited=f"[{c['n']}]" in answer) for c in self.ctx.citations]
