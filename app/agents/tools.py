"""The agent's tools: a registry, and the built-in ones.

Adding a tool is one function and one decorator::

    @tool("word_count", "Count the words of a text.",
          {"text": {"type": "string", "description": "the text"}}, required=["text"])
    def word_count(ctx: ToolContext, text: str) -> str:
        return str(len(text.split()))

A tool returns text for the model. It raises ``ToolError`` (or any exception) for a failure: the
loop turns it into a tool message ``"error: …"`` so the model can try again, never a crash.
``available(ctx)`` hides a tool the turn cannot use (no knowledge base attached, no folder granted,
long-term memory off).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.agents import safe_math
from app.agents.folders import AccessDenied, FolderAccess
from app.knowledge.readers import ReadError, decode_text

MAX_RESULT_CHARS = 12_000  # what the model gets from one tool call
MAX_FILE_BYTES = 2_000_000  # read_file refuses bigger files
MAX_LIST_ENTRIES = 200


class ToolError(Exception):
    """A failure the model should read and recover from."""


class TurnCancelled(Exception):
    """The user stopped the turn (raised through tools and nodes alike)."""


@dataclass
class ToolContext:
    """What tools may use in one turn."""

    kb: Any = None  # app.agents.kb_search.KBSearcher, or None: no knowledge base attached
    folders: FolderAccess | None = None
    citations: list[dict] = field(default_factory=list)  # kb chunks returned, numbered from 1
    now: Callable[[], _dt.datetime] = lambda: _dt.datetime.now().astimezone()
    # Tools of this turn only (MCP servers, app/agents/mcp_client.py), next to the registry's.
    extra_tools: list = field(default_factory=list)
    # approve(tool, args) -> bool for tools with ``needs_approval`` (None: they are all allowed).
    approve: Callable[[str, dict], bool] | None = None
    # app.core.memory_store.MemoryStore: remember / recall (None: long-term memory is off this turn)
    memory: Any = None

    def cite(self, chunk: dict) -> int:
        """The citation number of ``chunk``: the same chunk found twice keeps its first number."""
        key = (chunk.get("kb"), chunk.get("file"), chunk.get("chunk"))
        for c in self.citations:
            if (c.get("kb"), c.get("file"), c.get("chunk")) == key:
                return c["n"]
        n = len(self.citations) + 1
        self.citations.append({"n": n, "kb": chunk.get("kb"), "file": chunk.get("file"),
                               "page": chunk.get("page"), "chunk": chunk.get("chunk"),
                               "score": chunk.get("score"), "text": chunk.get("text", "")})
        return n


@dataclass
class Tool:
    name: str
    description: str
    parameters: dict  # JSON schema of the arguments object
    func: Callable[..., str]
    available: Callable[[ToolContext], bool] = lambda ctx: True
    needs_approval: bool = False  # ask ctx.approve before each call
    source: str = ""  # where it comes from ("" built in; an MCP server's command or URL)

    def schema(self) -> dict:
        """The OpenAI tool definition (what ``bind_tools`` and the chat API take)."""
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.parameters}}


REGISTRY: dict[str, Tool] = {}


def tool(name: str, description: str, properties: dict, required: list[str] = (),
         available: Callable[[ToolContext], bool] | None = None):
    """Register ``func(ctx, **args) -> str`` as a tool the model can call."""

    def deco(func):
        params = {"type": "object", "properties": properties, "required": list(required)}
        REGISTRY[name] = Tool(name, description, params, func, available or (lambda ctx: True))
        return func

    return deco


def tools_for(ctx: ToolContext, names: list[str] | None = None) -> list[Tool]:
    """The tools this turn can use (``names``: only these)."""
    every = dict(REGISTRY)
    every.update({t.name: t for t in ctx.extra_tools})
    return [t for t in every.values() if t.available(ctx) and (names is None or t.name in names)]


DENIED = "the user denied this call"


def run_tool(ctx: ToolContext, name: str, args: Any) -> tuple[bool, str]:
    """(ok, text for the model). Every failure becomes ``(False, "error: …")``; only a cancel escapes."""
    ok, text, _ = run_tool_coded(ctx, name, args)
    return ok, text


def run_tool_coded(ctx: ToolContext, name: str, args: Any) -> tuple[bool, str, dict]:
    """``run_tool`` plus ``{"code", "params"}`` of a refusal worded for the interface (else {})."""
    try:
        return (*_run_tool(ctx, name, args), {})
    except AccessDenied as exc:
        detail = {"code": exc.code, "params": exc.params} if exc.code else {}
        return False, f"error: {exc}", detail


def _run_tool(ctx: ToolContext, name: str, args: Any) -> tuple[bool, str]:
    t = next((x for x in ctx.extra_tools if x.name == name), None) or REGISTRY.get(name)
    if t is None or not t.available(ctx):
        known = ", ".join(x.name for x in tools_for(ctx)) or "none"
        return False, f"error: there is no tool named {name!r}; available tools: {known}"
    if not isinstance(args, dict):
        return False, f"error: the arguments of {name} must be a JSON object"
    allowed = set(t.parameters["properties"])
    unknown = sorted(set(args) - allowed)
    missing = [k for k in t.parameters["required"] if k not in args]
    if unknown or missing:
        parts = [f"unknown argument(s) {', '.join(unknown)}" if unknown else "",
                 f"missing argument(s) {', '.join(missing)}" if missing else ""]
        return False, f"error: {name}: {'; '.join(p for p in parts if p)}; expected {sorted(allowed)}"
    if t.needs_approval and ctx.approve is not None and not ctx.approve(name, args):
        return False, f"error: {DENIED}"
    try:
        text = t.func(ctx, **args)
    except TurnCancelled:
        raise
    except AccessDenied:
        raise  # run_tool_coded: its code goes with it
    except (ToolError, safe_math.CalcError) as exc:
        return False, f"error: {exc}"
    except Exception as exc:  # noqa: BLE001 - a broken tool must not end the turn
        return False, f"error: {name} failed: {type(exc).__name__}: {exc}"
    text = str(text)
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + f"\n… (cut at {MAX_RESULT_CHARS} characters)"
    return True, text


# --- built-in tools -------------------------------------------------------------------------------

@tool("kb_search",
      "Search the user's knowledge bases for passages about a question. Returns numbered passages; "
      "cite the ones you use in your answer by number, like [1].",
      {"query": {"type": "string", "description": "what to look for, in the user's words"},
       "kb": {"type": "string", "description": "only this knowledge base (default: all attached)"},
       "top_k": {"type": "integer", "description": "how many passages (1-10, default 4)"}},
      required=["query"], available=lambda ctx: ctx.kb is not None)
def kb_search(ctx: ToolContext, query: str, kb: str | None = None, top_k: int = 4) -> str:
    if not str(query).strip():
        raise ToolError("the query is empty")
    from app.core.errors import UserError

    try:
        chunks = ctx.kb.search(str(query), kb=kb or None, top_k=int(top_k))
    except UserError as exc:
        raise ToolError(str(exc)) from None
    if not chunks:
        return f"No passages found in {', '.join(ctx.kb.names)}."
    blocks = []
    for c in chunks:
        n = ctx.cite(c)
        where = os.path.basename(c.get("file") or "") + (f", page {c['page']}" if c.get("page") else "")
        blocks.append(f"[{n}] {where} (knowledge base {c['kb']}, score {float(c['score']):.3f})\n{c['text']}")
    return "\n\n".join(blocks)


@tool("calculator",
      "Evaluate an arithmetic expression exactly: numbers, + - * / // % ** and parentheses, "
      f"functions {', '.join(sorted(safe_math.FUNCTIONS))}, constants pi and e.",
      {"expression": {"type": "string", "description": "for example (17 + 3) * 2 ** 5"}},
      required=["expression"])
def calculator(ctx: ToolContext, expression: str) -> str:
    return safe_math.format_number(safe_math.evaluate(expression))


@tool("datetime",
      "The current date, time and weekday, optionally in a time zone.",
      {"timezone": {"type": "string", "description": "an IANA time zone such as Asia/Shanghai (default: local)"}})
def current_datetime(ctx: ToolContext, timezone: str | None = None) -> str:
    now = ctx.now()
    if timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            now = now.astimezone(ZoneInfo(str(timezone)))
        except (ZoneInfoNotFoundError, ValueError):
            raise ToolError(f"unknown time zone {timezone!r}; use an IANA name like Europe/Paris") from None
    return f"{now.isoformat(timespec='seconds')} ({now.strftime('%A')}, {now.tzname() or 'local time'})"


def _has_folders(ctx: ToolContext) -> bool:
    return bool(ctx.folders)


@tool("read_file",
      "Read a text file from a folder the user granted. Give an absolute path, or one relative to "
      "a granted folder.",
      {"path": {"type": "string", "description": "the file to read"}},
      required=["path"], available=_has_folders)
def read_file(ctx: ToolContext, path: str) -> str:
    real = ctx.folders.check("read_file", path)
    if os.path.isdir(real):
        raise ToolError(f"{path} is a folder; use list_folder to see its files")
    if not os.path.isfile(real):
        raise ToolError(f"{path} does not exist")
    size = os.path.getsize(real)
    if size > MAX_FILE_BYTES:
        raise ToolError(f"{path} is {size:,} bytes; files over {MAX_FILE_BYTES:,} bytes are not read")
    with open(real, "rb") as fh:
        data = fh.read()
    if b"\x00" in data[:8192]:
        raise ToolError(f"{path} is not a text file")
    try:
        return decode_text(data)
    except ReadError as exc:
        raise ToolError(f"{path}: {exc}") from None


@tool("list_folder",
      "List the files and subfolders of a folder the user granted.",
      {"path": {"type": "string", "description": "the folder (default: the first granted folder)"}},
      available=_has_folders)
def list_folder(ctx: ToolContext, path: str | None = None) -> str:
    real = ctx.folders.check("list_folder", path or ctx.folders.granted[0])
    if not os.path.isdir(real):
        raise ToolError(f"{path} is not a folder")
    names = sorted(os.listdir(real))
    lines = [n + ("/" if os.path.isdir(os.path.join(real, n)) else "") for n in names[:MAX_LIST_ENTRIES]]
    if len(names) > MAX_LIST_ENTRIES:
        lines.append(f"… and {len(names) - MAX_LIST_ENTRIES} more")
    return f"{real}:\n" + ("\n".join(lines) if lines else "(empty)")


def _has_memory(ctx: ToolContext) -> bool:
    return ctx.memory is not None


@tool("remember",
      "Save one short fact to long-term memory so later chats can recall it: something the user said "
      "about themselves, their work or their preferences. One fact per call.",
      {"fact": {"type": "string", "description": "the fact, as one self-contained sentence"}},
      required=["fact"], available=_has_memory)
def remember(ctx: ToolContext, fact: str) -> str:
    from app.core.errors import UserError

    try:
        entry = ctx.memory.put(str(fact), source="agent")
    except UserError as exc:
        raise ToolError(str(exc)) from None
    return f"saved as memory #{entry.id}: {entry.text}"


@tool("recall",
      "Look up facts saved in long-term memory (from earlier chats) about a subject.",
      {"query": {"type": "string", "description": "what to look for; empty gives the newest facts"}},
      available=_has_memory)
def recall(ctx: ToolContext, query: str = "") -> str:
    found = ctx.memory.search(str(query or ""), limit=8)
    if not found:
        return "No saved memory matches." if str(query or "").strip() else "Long-term memory is empty."
    return "\n".join(f"#{e.id} {e.text}" for e in found)
