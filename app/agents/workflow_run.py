"""A checked workflow (workflow.py) compiled to a LangGraph ``StateGraph`` and run with a SQLite
checkpointer, so a killed run resumes where it stopped.

Every node is one graph node; branching nodes write their choice into ``branch`` and a conditional
edge reads it. The state is ``input``, ``vars`` (the values templates and expressions read),
``citations``, ``loops`` (passes per loop node), ``trace`` (one entry per node run: ``node``,
``type``, ``input``, ``output``, ``started``, ``seconds``) and ``last`` (the last value written).
Checkpoints are written before the next node starts (``durability="sync"``): a node that finished is
never run again on resume; the node that was running when the process died runs again.

An approval node calls LangGraph's ``interrupt``: the run stops with status ``waiting`` and is
resumed with ``Command(resume=True|False)``.
"""

from __future__ import annotations

import operator
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypedDict

from app.agents import workflow_expr
from app.agents.workflow import END, Workflow, output_key, render
from app.core.errors import UserError

RECURSION_LIMIT = 100_000  # every cycle passes a loop with a limit (workflow._check_cycles)
TRACE_CHARS = 4000  # a value shown in the trace; the state keeps all of it


def _merge(a: dict | None, b: dict | None) -> dict:
    return {**(a or {}), **(b or {})}


class WFState(TypedDict, total=False):
    input: str
    vars: Annotated[dict, _merge]
    citations: Annotated[list, operator.add]
    loops: Annotated[dict, _merge]
    branch: Annotated[dict, _merge]
    trace: Annotated[list, operator.add]
    last: str


@dataclass
class Services:
    """What nodes need from outside: the model, knowledge bases, folders, the approval answer."""

    chat_model: Callable[[dict], Any] | None = None  # node → a LangChain chat model (llm nodes)
    agent: Callable[[dict, str, list[str]], dict] | None = None  # (node, prompt, kbs) → agent result
    kbs: list[str] = field(default_factory=list)  # for kb_search / agent nodes without their own "kb"
    folders: list[str] = field(default_factory=list)  # granted (and approved) for file tools


def _shown(value):
    if isinstance(value, str) and len(value) > TRACE_CHARS:
        return value[:TRACE_CHARS] + "…"
    return value


def _names(state: WFState) -> dict:
    return {**(state.get("vars") or {}), "input": state.get("input", ""), "citations": state.get("citations") or []}


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class WorkflowRunner:
    def __init__(self, wf: Workflow, services: Services, checkpoints: Path,
                 emit: Callable[[dict], None] = lambda entry: None):
        from langgraph.checkpoint.sqlite import SqliteSaver

        self.wf = wf
        self.services = services
        self.emit = emit
        checkpoints.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(checkpoints), check_same_thread=False)
        self.saver = SqliteSaver(self._conn)
        self.graph = self._build().compile(checkpointer=self.saver)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the graph -----------------------------------------------------------------------------
    def _build(self):
        from langgraph.graph import END as LG_END
        from langgraph.graph import START, StateGraph

        g = StateGraph(WFState)
        for node_id, node in self.wf.nodes.items():
            g.add_node(node_id, self._node(node))

        def target(name: str):
            return LG_END if name == END else name

        g.add_edge(START, self.wf.start)
        for node_id, node in self.wf.nodes.items():
            if node["type"] in ("condition", "router", "loop", "approval"):
                mapping = {b: target(t) for b, t in self.wf.branches(node_id).items()}
                g.add_conditional_edges(node_id, lambda s, n=node_id: s["branch"][n], mapping)
            else:
                g.add_edge(node_id, target(self.wf.next_of(node_id)))
        return g

    def _node(self, node: dict):
        handler = getattr(self, "_" + node["type"])

        def run(state: WFState) -> dict:
            started = time.time()
            t0 = time.perf_counter()
            shown_in, update, out = handler(node, state)
            entry = {"node": node["id"], "type": node["type"], "input": _shown(shown_in), "output": _shown(out),
                     "started": round(started, 3), "seconds": round(time.perf_counter() - t0, 4)}
            update = dict(update)
            update["trace"] = [entry]
            self.emit(entry)
            return update

        return run

    def _fail(self, node: dict, reason: str) -> UserError:
        return UserError(f"Node {node['id']!r} ({node['type']}) failed: {reason}", code="workflow.node_failed",
                         params={"node": node["id"], "type": node["type"], "reason": reason})

    def _expr(self, node: dict, expr: str, state: WFState):
        try:
            return workflow_expr.evaluate(expr, _names(state))
        except workflow_expr.ExprError as exc:
            raise UserError(f"Node {node['id']!r}: the expression {expr!r} failed: {exc}.",
                            code="workflow.expr_failed",
                            params={"node": node["id"], "expr": expr, "reason": str(exc)}) from None

    def _render(self, node: dict, template: str, values: dict) -> str:
        try:
            return render(template, values)
        except KeyError as exc:  # a value written later in the graph, or on a branch not taken
            name = exc.args[0]
            raise UserError(f"Node {node['id']!r} uses {{{name}}}, which has no value yet at this point of the run; "
                            "declare it in the workflow's \"state\" or write it on every path to this node.",
                            code="workflow.value_missing",
                            params={"node": node["id"], "placeholder": "{" + name + "}"}) from None

    @staticmethod
    def _wrote(node: dict, value) -> dict:
        key = output_key(node)
        return {"vars": {key: value}, "last": key}

    # --- node kinds: each returns (what it read, the state update, what it produced) -------------
    def _llm(self, node: dict, state: WFState):
        if self.services.chat_model is None:
            raise UserError(f"Node {node['id']!r} needs a language model, and this run has none.",
                            code="workflow.no_model", params={"node": node["id"]})
        from langchain_core.messages import HumanMessage, SystemMessage

        values = _names(state)
        prompt = self._render(node, node["prompt"], values)
        messages = [HumanMessage(content=prompt)]
        if node.get("system"):
            messages.insert(0, SystemMessage(content=self._render(node, node["system"], values)))
        model = self.services.chat_model(node)
        try:
            reply = model.invoke(messages)
        except Exception as exc:
            from app.agents.turn import _api_error

            err = _api_error(exc, {"base_url": getattr(model, "openai_api_base", "") or "",
                                   "model": getattr(model, "model_name", None)})
            if err is None:
                raise
            raise err from None
        text = reply.content if isinstance(reply.content, str) else "".join(
            p.get("text", "") if isinstance(p, dict) else str(p) for p in reply.content)
        return prompt, self._wrote(node, text.strip()), text.strip()

    def _tool_context(self, kbs: list[str], state: WFState):
        from app.agents.folders import FolderAccess
        from app.agents.tools import ToolContext

        searcher = None
        if kbs:
            from app.agents.kb_search import KBSearcher

            searcher = KBSearcher(kbs)
        folders = list(self.services.folders)
        ctx = ToolContext(kb=searcher, folders=FolderAccess(folders, folders, None),
                          citations=[dict(c) for c in state.get("citations") or []])
        return ctx, searcher

    def _call_tool(self, node: dict, name: str, args: dict, kbs: list[str], state: WFState):
        from app.agents.tools import run_tool

        ctx, searcher = self._tool_context(kbs, state)
        try:
            before = len(ctx.citations)
            ok, text = run_tool(ctx, name, args)
        finally:
            if searcher is not None:
                searcher.close()
        if not ok:
            raise self._fail(node, text.removeprefix("error: "))
        return text, ctx.citations[before:]

    def _tool(self, node: dict, state: WFState):
        values = _names(state)
        args = {k: self._render(node, v, values) if isinstance(v, str) else v
                for k, v in (node.get("args") or {}).items()}
        text, cites = self._call_tool(node, node["tool"], args, self.services.kbs, state)
        return args, dict(self._wrote(node, text), citations=cites), text

    def _kb_search(self, node: dict, state: WFState):
        kbs = _as_list(node.get("kb")) or list(self.services.kbs)
        if not kbs:
            raise UserError(f"Node {node['id']!r} searches knowledge, but no knowledge base is given: add \"kb\" to "
                            "the node or run it with --kb NAME.", code="workflow.kb_missing", params={"node": node["id"]})
        query = self._render(node, node["query"], _names(state))
        args = {"query": query, "top_k": int(node.get("top_k", 4))}
        text, cites = self._call_tool(node, "kb_search", args, kbs, state)
        return {"query": query, "kb": kbs}, dict(self._wrote(node, text), citations=cites), text

    def _agent(self, node: dict, state: WFState):
        if self.services.agent is None:
            raise UserError(f"Node {node['id']!r} needs a language model, and this run has none.",
                            code="workflow.no_model", params={"node": node["id"]})
        prompt = self._render(node, node["prompt"], _names(state))
        kbs = _as_list(node.get("kb")) or list(self.services.kbs)
        result = self.services.agent(node, prompt, kbs)
        answer = str(result.get("answer") or "").strip()
        shown_out = {"answer": answer, "steps": [{k: s.get(k) for k in ("name", "args", "ok", "result")}
                                                 for s in result.get("steps") or []]}
        n0 = len(state.get("citations") or [])
        cites = [dict(c, n=n0 + i + 1) for i, c in enumerate(result.get("citations") or [])]
        return prompt, dict(self._wrote(node, answer), citations=cites), shown_out

    def _set(self, node: dict, state: WFState):
        names = _names(state)
        out = {}
        for key, expr in node["values"].items():
            out[key] = self._expr(node, expr, {**state, "vars": {**names, **out}})
        return dict(node["values"]), {"vars": out}, out

    def _condition(self, node: dict, state: WFState):
        value = bool(self._expr(node, node["expr"], state))
        branch = "true" if value else "false"
        return node["expr"], {"branch": {node["id"]: branch}}, branch

    def _router(self, node: dict, state: WFState):
        chosen = "default"
        for expr, branch in self.wf.router_routes(node["id"]):
            if expr is not None and self._expr(node, expr, state):
                chosen = branch
                break
        to = self.wf.branches(node["id"])[chosen]
        return [e for e, _ in self.wf.router_routes(node["id"]) if e], {"branch": {node["id"]: chosen}}, to

    def _loop(self, node: dict, state: WFState):
        passes = (state.get("loops") or {}).get(node["id"], 0)
        limit = node["limit"]
        holds = bool(self._expr(node, node["while"], state)) if node.get("while") else True
        if holds and passes < limit:
            return ({"pass": passes + 1, "limit": limit},
                    {"branch": {node["id"]: "body"}, "loops": {node["id"]: passes + 1}}, "body")
        why = "limit" if passes >= limit else "condition"
        return ({"passes": passes, "limit": limit, "ended_by": why},
                {"branch": {node["id"]: "done"}, "loops": {node["id"]: 0}}, "done")

    def _approval(self, node: dict, state: WFState):
        from langgraph.types import interrupt

        message = self._render(node, node.get("message") or "Continue?", _names(state))
        answer = bool(interrupt({"node": node["id"], "message": message}))
        branch = "approved" if answer else "rejected"
        return message, {"branch": {node["id"]: branch}}, branch

    # --- running --------------------------------------------------------------------------------
    def _config(self, run_id: str) -> dict:
        return {"configurable": {"thread_id": run_id}, "recursion_limit": RECURSION_LIMIT}

    def has_checkpoint(self, run_id: str) -> bool:
        return self.saver.get_tuple({"configurable": {"thread_id": run_id}}) is not None

    def start(self, run_id: str, text: str, approve: bool | None = None) -> dict:
        first = {"input": str(text), "vars": dict(self.wf.state), "citations": [], "loops": {}, "branch": {},
                 "trace": [], "last": ""}
        return self._drive(run_id, first, approve)

    def resume(self, run_id: str, approve: bool | None = None) -> dict:
        """Go on from the run's last checkpoint (a pending approval takes ``approve``)."""
        waiting = self.waiting(run_id)
        if waiting and approve is None:
            return self.result(run_id)
        return self._drive(run_id, None, approve)

    def _drive(self, run_id: str, first, approve: bool | None) -> dict:
        from langgraph.types import Command

        config = self._config(run_id)
        pending = first
        if first is None and self.waiting(run_id):
            pending = Command(resume=approve)
        while True:
            for _ in self.graph.stream(pending, config, stream_mode="updates", durability="sync"):
                pass
            if self.waiting(run_id) and approve is not None:
                pending = Command(resume=approve)
                continue
            return self.result(run_id)

    def waiting(self, run_id: str) -> dict | None:
        """The pending approval's ``{"node", "message"}``, or None."""
        snap = self.graph.get_state(self._config(run_id))
        for task in snap.tasks:
            for intr in task.interrupts:
                return dict(intr.value)
        return None

    def result(self, run_id: str) -> dict:
        snap = self.graph.get_state(self._config(run_id))
        values = snap.values or {}
        variables = values.get("vars") or {}
        waiting = self.waiting(run_id)
        if waiting:
            status = "waiting"
        elif snap.next:
            status = "interrupted"  # killed or failed mid-way: resumable
        else:
            status = "completed"
        key = self.wf.output or values.get("last") or ""
        out = {"status": status, "output": variables.get(key, "") if key else "", "output_key": key,
               "state": variables, "citations": values.get("citations") or [], "trace": values.get("trace") or [],
               "next": list(snap.next)}
        if waiting:
            out["waiting"] = waiting
        return out
