"""A scripted chat model for agent tests: langchain-core's ``GenericFakeChatModel``, extended to
``bind_tools`` and to stream tool calls the way ChatOpenAI does (``tool_call_chunks`` whose JSON
arguments arrive in pieces), so the graph under test runs exactly its real code path.

Each script item answers one model call: a string (plain answer), an ``AIMessage`` (with
``tool_calls`` or ``invalid_tool_calls``), an exception (raised: a server error), or a callable ``f(messages) -> str | AIMessage`` that
can read what the model was sent (tool results) before answering. Every call is recorded in
``calls`` as ``{"tools": [bound tool names], "messages": [...], "stop": stop sequences or None}``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

_ids = itertools.count(1)


def call(name: str, args: dict | str, call_id: str | None = None, text: str = "") -> AIMessage:
    """A scripted reply asking for one tool (``args`` as a str: raw, possibly invalid, JSON)."""
    call_id = call_id or f"call_{next(_ids)}"
    if isinstance(args, str):
        return AIMessage(content=text, invalid_tool_calls=[
            {"type": "invalid_tool_call", "name": name, "args": args, "id": call_id, "error": None}])
    return AIMessage(content=text, tool_calls=[{"type": "tool_call", "name": name, "args": args, "id": call_id}])


def tool_results(messages: list[BaseMessage]) -> list[ToolMessage]:
    return [m for m in messages if isinstance(m, ToolMessage)]


class ScriptedChatModel(GenericFakeChatModel):
    calls: list = Field(default_factory=list)
    bound_tools: list = Field(default_factory=list)

    def __init__(self, script: list, **kw: Any):
        super().__init__(messages=iter(script), calls=[], **kw)

    def bind_tools(self, tools, **kwargs):
        names = [t["function"]["name"] if isinstance(t, dict) else getattr(t, "name", str(t)) for t in tools]
        # A shallow copy shares the script iterator and the ``calls`` list with the unbound model.
        return self.model_copy(update={"bound_tools": names})

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.calls.append({"tools": list(self.bound_tools), "messages": list(messages), "stop": stop})
        try:
            item = next(self.messages)
        except StopIteration:
            raise AssertionError(f"the script ran out at model call {len(self.calls)}") from None
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            item = item(list(messages))
        message = AIMessage(content=item) if isinstance(item, str) else item
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs) -> Iterator[ChatGenerationChunk]:
        message = self._generate(messages, stop=stop, run_manager=run_manager, **kwargs).generations[0].message
        content = message.content if isinstance(message.content, str) else ""
        for token in [t for t in re.split(r"(\s)", content) if t]:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=token, id=message.id))
            if run_manager:
                run_manager.on_llm_new_token(token, chunk=chunk)
            yield chunk
        pending = [(tc["id"], tc["name"], json.dumps(tc["args"])) for tc in message.tool_calls]
        pending += [(tc["id"], tc["name"], tc["args"] or "") for tc in message.invalid_tool_calls]
        for index, (call_id, name, args) in enumerate(pending):
            # The name and id first, then the arguments in pieces, as OpenAI-compatible servers stream.
            pieces = [args[i:i + 7] for i in range(0, len(args), 7)] or [""]
            for k, piece in enumerate(pieces):
                yield ChatGenerationChunk(message=AIMessageChunk(content="", id=message.id, tool_call_chunks=[
                    {"type": "tool_call_chunk", "index": index, "id": call_id if k == 0 else None,
                     "name": name if k == 0 else None, "args": piece}]))

    @property
    def _llm_type(self) -> str:
        return "scripted-chat-model"
