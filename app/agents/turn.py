"""One agent turn, as a library: check the request, build the chat model, run the loop (graph.py).

The agent engine (``python -m app.engines.agent``, whose module doc describes the request and the
events) and the ``ai-platform agent`` command both run a turn through ``run_request``. LangGraph and
langchain are imported when a turn runs, not with this module.

The request may say whether the model can call tools on its server (``tool_support``, from
``app.core.tool_support``, decided by the caller from the model folder and the engine). "no": no
tool goes into the request (vLLM would refuse it, the transformers engine would drop them); with
``tool_protocol`` "auto" (the default) the turn uses the tools through a text protocol (ReAct,
app/agents/react.py) instead of native calls; with "native" it runs without tools.
The result's ``warnings`` (a list of ``{"code", "message", "params"}``) say how tools were used when
not natively: through the text protocol (``agent.react``, ``params.cause`` the reason), not at all
because the model cannot call them (``tools.template_none`` / ``tools.engine_format``, with
"native"), the server refused native calls (``agent.tools_refused``: the turn went on in the text
protocol), or, on a server nobody could vouch for, none was called (``agent.tools_unknown``).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from app.agents.folders import FolderAccess
from app.agents.tools import ToolContext
from app.core import protocol, tool_support
from app.core.errors import UserError

DEFAULT_KEY_ENV = "AI_PLATFORM_AGENT_API_KEY"
# auto: native tool calls where the model can make them, the text protocol (ReAct) where it cannot;
# native: never the text protocol (a model that cannot call tools gets none); react: always it.
TOOL_PROTOCOLS = ("auto", "native", "react")


def _list_of_str(req: dict, key: str) -> list[str]:
    value = req.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise UserError(f"The agent request's {key!r} must be a list of strings.", code="agent.request",
                        params={"field": key})
    return [str(v) for v in value]


def _kb_filter(value):
    """The request's ``kb_filter`` as a ``kb.DocFilter`` (None: every document); a bad tag or date
    is the filter's own UserError, which names it."""
    from app.core.kb import DocFilter

    if value is None:
        return None
    if not isinstance(value, dict):
        raise UserError("The agent request's 'kb_filter' must be an object with tags, source, after, before.",
                        code="agent.request", params={"field": "kb_filter"})
    return DocFilter.make(value.get("tags"), value.get("source"), value.get("after"), value.get("before"))


def check_request(req: dict) -> dict:
    """The request with defaults filled in, or a UserError naming the field to fix."""
    from app.agents.graph import DEFAULT_MAX_STEPS  # langgraph

    def bad(field: str, what: str):
        return UserError(f"The agent request's {field!r} {what}.", code="agent.request", params={"field": field})

    if not isinstance(req, dict):
        raise UserError("The agent request must be a JSON object.", code="agent.request")
    out = dict(req)
    if not isinstance(req.get("base_url"), str) or not req["base_url"].startswith(("http://", "https://")):
        raise bad("base_url", "must be the server's http(s) address, like http://127.0.0.1:8000/v1")
    msgs = req.get("messages")
    if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) for m in msgs):
        raise bad("messages", "must be a non-empty list of {role, content} objects")
    if msgs[-1].get("role") != "user":
        raise bad("messages", "must end with the user's question")
    for m in msgs:
        if m.get("role") not in ("user", "assistant", "system"):
            raise bad("messages", f"has an unknown role {m.get('role')!r} (use user, assistant or system)")
    out["kbs"] = _list_of_str(req, "kbs")
    out["kb_filter"] = _kb_filter(req.get("kb_filter"))
    out["folders"] = _list_of_str(req, "folders")
    out["approved_folders"] = _list_of_str(req, "approved_folders")
    for folder in out["folders"]:
        if not os.path.isdir(folder):
            raise UserError(f"The granted folder {folder} does not exist.", code="agent.folder_missing",
                            params={"folder": folder})
    if req.get("tools") is not None:
        out["tools"] = _list_of_str(req, "tools")
    if not isinstance(req.get("memory", False), bool):
        raise bad("memory", "must be true or false")
    out["memory"] = bool(req.get("memory", False))
    out["tool_protocol"] = req.get("tool_protocol") or "auto"
    if out["tool_protocol"] not in TOOL_PROTOCOLS:
        raise bad("tool_protocol", f"must be one of {', '.join(TOOL_PROTOCOLS)}")
    if req.get("tool_support") is not None and tool_support.ToolSupport.from_dict(req["tool_support"]) is None:
        raise bad("tool_support", 'must be {"status": "yes" | "no" | "unknown", "code", "message"}')
    try:
        steps = req.get("max_steps")
        out["max_steps"] = DEFAULT_MAX_STEPS if steps is None else int(steps)
    except (TypeError, ValueError):
        raise bad("max_steps", "must be a whole number") from None
    if not 1 <= out["max_steps"] <= 50:
        raise bad("max_steps", "must be between 1 and 50")
    for key in ("temperature", "max_tokens"):
        if req.get(key) is not None and not isinstance(req[key], (int, float)):
            raise bad(key, "must be a number")
    return out


def build_model(req: dict, api_key: str | None):
    from langchain_openai import ChatOpenAI

    kw = {}
    if req.get("temperature") is not None:
        kw["temperature"] = float(req["temperature"])
    if req.get("max_tokens"):
        kw["max_tokens"] = int(req["max_tokens"])
    # max_retries=0: a dead server is reported at once, not after minutes of back-off.
    return ChatOpenAI(model=req["model"], base_url=req["base_url"], api_key=api_key or "none",
                      streaming=True, max_retries=0, timeout=600, **kw)


def _api_error(exc: Exception, req: dict) -> UserError | None:
    """openai's exceptions as messages a person can act on (None: not an API error)."""
    try:
        import openai
    except ImportError:
        return None
    url = req["base_url"]
    if isinstance(exc, openai.APIConnectionError):
        return UserError(f"Cannot reach the model server at {url}: start it (ai-platform serve) or check "
                         "the address.", code="agent.no_server", params={"base_url": url})
    if isinstance(exc, openai.AuthenticationError):
        return UserError(f"The model server at {url} refused the API key.", code="agent.auth",
                         params={"base_url": url})
    if isinstance(exc, openai.NotFoundError):
        return UserError(f"The model server at {url} has no model {req.get('model')!r}.",
                         code="agent.model_missing", params={"model": req.get("model")})
    if isinstance(exc, openai.APIStatusError):
        return UserError(f"The model server rejected the request: {exc.message}", code="agent.api_error",
                         params={"status": exc.status_code})
    return None


def run_request(req: dict, emit: Callable[[protocol.Event], None], api_key: str | None, *,
                ask: Callable[[str, str, str], bool] | None = None, model=None,
                on_runner: Callable | None = None, extra_tools: list | None = None,
                approve_tool: Callable[[str, dict], bool] | None = None) -> dict:
    """One turn: events through ``emit``; returns the Result data. ``ask(tool, folder, path)`` answers
    approval requests (None: unapproved folders are refused). ``model``: a chat model to use instead
    of ChatOpenAI (tests). ``on_runner(runner)`` gets the runner before it starts (to stop it).
    ``extra_tools``: more tools for this turn (MCP servers' ``Tool``s, app/agents/mcp_client.py), each
    call of one with ``needs_approval`` first asked of ``approve_tool(name, args)``."""
    from app.agents.graph import AgentRunner, system_prompt, to_messages  # langgraph

    req = check_request(req)
    searcher = memory_db = memory = None
    if req["kbs"]:
        from app.agents.kb_search import KBSearcher

        searcher = KBSearcher(req["kbs"], filters=req["kb_filter"])  # an unknown name fails here, before the model runs
    if req["memory"]:
        from app.core.db.database import open_database
        from app.core.memory_store import MemoryStore

        memory_db = open_database()
        memory = MemoryStore(memory_db)
    try:
        if model is None and not req.get("model"):
            from app.core import chat_client

            names = chat_client.list_models(req["base_url"], api_key)
            if not names:
                raise UserError(f"The model server at {req['base_url']} serves no model.", code="agent.no_model")
            req["model"] = names[0]
        ctx = ToolContext(kb=searcher, folders=FolderAccess(req["folders"], req["approved_folders"], ask),
                          extra_tools=list(extra_tools or []), approve=approve_tool, memory=memory)
        support = tool_support.ToolSupport.from_dict(req.get("tool_support"))
        cannot = support is not None and support.status == tool_support.NO
        text = req["tool_protocol"] == "react" or (cannot and req["tool_protocol"] == "auto")
        names = [] if cannot and not text else req.get("tools")
        runner = AgentRunner(model or build_model(req, api_key), ctx, emit, max_steps=req["max_steps"],
                             tool_names=names, text_protocol=text)
        if on_runner:
            on_runner(runner)
        messages = to_messages(req["messages"], system_prompt(req.get("system"), [t.name for t in runner.tools]))
        try:
            result = runner.run(messages)
        except Exception as exc:
            err = _api_error(exc, req)
            if err is None:
                raise
            raise err from None
        result["model"] = req.get("model")
        result["warnings"] = turn_warnings(support, runner, result, req.get("model") or "")
        return result
    finally:
        if searcher is not None:
            searcher.close()
        if memory_db is not None:
            memory_db.close()


TOOLS_REFUSED = ("The model server refused native tool calls, so the agent used the tools through a text protocol "
                 "(ReAct) instead.")
TEXT_PROTOCOL = ("{model} cannot call tools natively on this engine, so the agent used them through a text protocol "
                 "(ReAct); a small model may not follow it.")
NO_TOOL_UNKNOWN = ("No tool was used, and whether {model} on this server can call tools is unknown: the "
                   "answer may have been written without them.")


def turn_warnings(support: tool_support.ToolSupport | None, runner, result: dict, model: str) -> list[dict]:
    """Why this turn used no tool, when that was not the model's free choice (see the module doc), and
    why it ended early when the loop guard stopped it."""
    if result.get("loop_stopped"):
        return [{"code": "agent.tool_loop", "message": result.get("message", ""),
                 "params": {"model": model, "tool": runner.loop_tool}}]
    if support is not None and support.status == tool_support.NO:
        if runner.text_protocol:
            name = support.params.get("model") or model
            return [{"code": "agent.react", "message": TEXT_PROTOCOL.format(model=name or "the model"),
                     "params": dict(support.params, model=name, cause=support.code)}]
        return [support.warning()]
    if runner.tools_refused:
        return [{"code": "agent.tools_refused", "message": TOOLS_REFUSED, "params": {"model": model}}]
    if runner.tools and not result.get("steps") and (support is None or support.status == tool_support.UNKNOWN):
        return [{"code": "agent.tools_unknown", "message": NO_TOOL_UNKNOWN.format(model=model or "the model"),
                 "params": {"model": model}}]
    return []
