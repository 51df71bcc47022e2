"""Workflows: a graph of nodes saved as JSON, checked here, compiled and run by workflow_run.py.

The file (``version`` 1)::

    {"name": "rag-then-answer", "description": "…" | {"en": "…", "zh": "…"}, "version": 1,
     "start": "search",                     # optional: the first node of "nodes" by default
     "state": {"step": 1, "notes": ""},     # optional: state values before the first node
     "output": "answer",                    # optional: the state value printed as the result
                                            #   (default: what the last writing node wrote)
     "nodes": [{"id": "search", "type": "kb_search", "query": "{input}"}, …],
     "edges": [{"from": "search", "to": "answer"}, {"from": "check", "to": "end", "branch": "false"}, …]}

Node ids are names (letters, digits, ``_``; not ``end``, ``input``, ``citations``); every node may
also carry ``label`` (a title for the editor) and ``position`` (``{"x", "y"}``). ``output`` names the
state value a node writes (default: its id). Templates put state values into text: ``{input}`` (the
run's input), ``{NAME}`` (a state value), ``{{`` / ``}}`` for literal braces. Expressions are the
small safe language of workflow_expr.py over the same names plus ``citations`` (a list).

    type        fields (* required)                               branches of its edges
    llm         prompt*, system, output, max_tokens, temperature   -
    tool        tool* (a built-in agent tool), args (templates)    -
    kb_search   query*, kb (names; default: --kb), top_k, output   -
    agent       prompt*, system, tools, max_steps, kb, output,     -
                max_tokens, temperature (the agent loop, graph.py)
    set         values* {NAME: expression}                         -
    condition   expr*                                              true, false
    router      (edges carry "when": expression; one edge without  first true "when", else the default
                 it is the default)
    loop        limit* (1…1000 passes), while (expression)         body (back to the loop), done
    approval    message (template)                                 approved, rejected

A node without branches has at most one outgoing edge; no outgoing edge, or ``"to": "end"``, ends
the run. A loop node sends the run to ``body`` while its ``while`` holds and it has run fewer than
``limit`` passes, then to ``done`` (and counts from zero again when it is re-entered later). Every
cycle must pass through a loop node, so a run always ends. ``approval`` pauses the run (a LangGraph
interrupt) until it is resumed with an answer.

``validate(data)`` returns a ``Workflow`` or raises a ``UserError`` naming the node or edge at fault.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.agents import workflow_expr
from app.core.errors import UserError

VERSION = 1
END = "end"
RESERVED = {END, "start", "input", "citations"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
MAX_LOOP = 1000
MAX_NODES = 200

_COMMON = {"id", "type", "label", "position"}
# type: (required fields, optional fields, branches or None)
SPECS: dict[str, tuple[set, set, tuple | None]] = {
    "llm": ({"prompt"}, {"system", "output", "max_tokens", "temperature"}, None),
    "tool": ({"tool"}, {"args", "output"}, None),
    "kb_search": ({"query"}, {"kb", "top_k", "output"}, None),
    "agent": ({"prompt"}, {"system", "tools", "max_steps", "kb", "output", "max_tokens", "temperature"}, None),
    "set": ({"values"}, set(), None),
    "condition": ({"expr"}, set(), ("true", "false")),
    "router": (set(), set(), ()),  # its branches come from its edges
    "loop": ({"limit"}, {"while"}, ("body", "done")),
    "approval": (set(), {"message"}, ("approved", "rejected")),
}
TYPES = tuple(SPECS)
WRITES = {"llm", "tool", "kb_search", "agent"}  # nodes that write their ``output``
_TEXT_FIELDS = {"prompt", "system", "query", "message"}
_EXPR_FIELDS = {"expr", "while"}


@dataclass
class Workflow:
    name: str
    data: dict  # the JSON as given (what is saved and stored with each run)
    nodes: dict[str, dict]  # id → node, in file order
    start: str
    edges: dict[str, list[dict]] = field(default_factory=dict)  # from → its edges, in file order
    state: dict = field(default_factory=dict)
    output: str | None = None

    def next_of(self, node_id: str) -> str:
        """Where a node without branches goes (``END`` when it has no edge)."""
        out = self.edges.get(node_id) or []
        return out[0]["to"] if out else END

    def branches(self, node_id: str) -> dict[str, str]:
        """branch → target of a branching node; a router's are ``when0``, ``when1``… and ``default``."""
        node = self.nodes[node_id]
        if node["type"] == "router":
            return {_router_branch(i, e): e["to"] for i, e in enumerate(self.edges.get(node_id, []))}
        return {e["branch"]: e["to"] for e in self.edges.get(node_id, [])}

    def router_routes(self, node_id: str) -> list[tuple[str | None, str]]:
        """(expression or None for the default, branch name) of a router, in edge order."""
        return [(e.get("when"), _router_branch(i, e)) for i, e in enumerate(self.edges.get(node_id, []))]


def _router_branch(index: int, edge: dict) -> str:
    return "default" if edge.get("when") is None else f"when{index}"


def output_key(node: dict) -> str:
    return node.get("output") or node["id"]


def placeholders(text: str) -> list[str]:
    """The names a template reads (``{{`` and ``}}`` are literal braces)."""
    return [m.group(1) for m in PLACEHOLDER.finditer(str(text)) if m.group(1) is not None]


def render(template: str, values: dict) -> str:
    """``template`` with each ``{NAME}`` replaced by its value (text as is, anything else as JSON)."""

    def one(m: re.Match) -> str:
        if m.group(1) is None:
            return m.group(0)[0]
        value = values[m.group(1)]
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return PLACEHOLDER.sub(one, str(template))


def load_file(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the workflow {path}: {exc}.", code="workflow.unreadable",
                        params={"path": str(path), "reason": str(exc)}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise UserError(f"The workflow {path} is not valid JSON: {reason}.", code="workflow.bad_json",
                        params={"path": str(path), "reason": reason}) from None


# --- validation -----------------------------------------------------------------------------------

def validate(data, *, tool_names: set[str] | None = None) -> Workflow:
    """A checked ``Workflow``, or the first problem as a UserError naming the node or edge.
    ``tool_names``: the tools a ``tool`` node may call (default: the built-in registry)."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise UserError('A workflow must be a JSON object with a "nodes" list and an "edges" list.',
                        code="workflow.not_object")
    if data.get("version", VERSION) != VERSION:
        raise UserError(f"This workflow has version {data.get('version')!r}; this app reads version {VERSION}.",
                        code="workflow.version", params={"version": str(data.get("version")), "supported": VERSION})
    raw_nodes = data["nodes"]
    if not raw_nodes:
        raise UserError("The workflow has no nodes.", code="workflow.no_nodes")
    if len(raw_nodes) > MAX_NODES:
        raise UserError(f"The workflow has {len(raw_nodes)} nodes; at most {MAX_NODES} are allowed.",
                        code="workflow.too_many_nodes", params={"count": len(raw_nodes), "max": MAX_NODES})
    if tool_names is None:
        from app.agents.tools import REGISTRY

        tool_names = set(REGISTRY)
    nodes: dict[str, dict] = {}
    for index, node in enumerate(raw_nodes, start=1):
        _check_node(node, index, nodes, tool_names)
        nodes[node["id"]] = node
    state = data.get("state") or {}
    if not isinstance(state, dict) or not all(isinstance(k, str) and NAME.match(k) and k not in RESERVED
                                              for k in state):
        raise UserError('The workflow\'s "state" must be an object whose keys are names (letters, digits, _).',
                        code="workflow.bad_state")
    start = data.get("start") or raw_nodes[0]["id"]
    if start not in nodes:
        raise UserError(f"The start node {start!r} does not exist.", code="workflow.start_unknown",
                        params={"start": str(start)})
    edges = _check_edges(data.get("edges"), nodes)
    wf = Workflow(name=str(data.get("name") or "workflow"), data=data, nodes=nodes, start=start, edges=edges,
                  state=dict(state), output=data.get("output"))
    _check_branches(wf)
    _check_names(wf)
    _check_reachable(wf)
    _check_cycles(wf)
    return wf


def _field_error(node_id: str, kind: str, name: str, expected: str) -> UserError:
    return UserError(f"Node {node_id!r}: {name!r} must be {expected}.", code="workflow.node_field_type",
                     params={"node": node_id, "type": kind, "field": name, "expected": expected})


def _check_node(node, index: int, seen: dict, tool_names: set[str]) -> None:
    if not isinstance(node, dict):
        raise UserError(f"Node number {index} is not a JSON object.", code="workflow.node_not_object",
                        params={"index": index})
    node_id = node.get("id")
    if not isinstance(node_id, str) or not NAME.match(node_id) or node_id in RESERVED:
        raise UserError(f"Node number {index} needs an \"id\" made of letters, digits and _, not starting with a "
                        f"digit and not one of {', '.join(sorted(RESERVED))} (it has {node_id!r}).",
                        code="workflow.node_id", params={"index": index, "id": str(node_id),
                                                         "reserved": ", ".join(sorted(RESERVED))})
    if node_id in seen:
        raise UserError(f"Two nodes are named {node_id!r}; node ids must be unique.", code="workflow.duplicate_node",
                        params={"node": node_id})
    kind = node.get("type")
    if kind not in SPECS:
        raise UserError(f"Node {node_id!r} has the type {kind!r}; use one of: {', '.join(TYPES)}.",
                        code="workflow.node_type", params={"node": node_id, "type": str(kind), "types": ", ".join(TYPES)})
    required, optional, _ = SPECS[kind]
    missing = sorted(required - set(node))
    if missing:
        raise UserError(f"Node {node_id!r} ({kind}) needs the field {missing[0]!r}.", code="workflow.node_field_missing",
                        params={"node": node_id, "type": kind, "field": missing[0]})
    allowed = required | optional | _COMMON
    unknown = sorted(set(node) - allowed)
    if unknown:
        raise UserError(f"Node {node_id!r} ({kind}) has unknown field(s) {', '.join(unknown)}; it takes "
                        f"{', '.join(sorted(allowed))}.", code="workflow.node_field_unknown",
                        params={"node": node_id, "type": kind, "fields": ", ".join(unknown),
                                "allowed": ", ".join(sorted(allowed))})
    for name in _TEXT_FIELDS & set(node):
        if not isinstance(node[name], str) or (name != "system" and not node[name].strip()):
            raise _field_error(node_id, kind, name, "a non-empty text")
    for name in ("output",):
        if name in node and (not isinstance(node[name], str) or not NAME.match(node[name]) or node[name] in RESERVED):
            raise _field_error(node_id, kind, name, "a name (letters, digits, _)")
    for name in _EXPR_FIELDS & set(node):
        _check_expr(node_id, node[name])
    for name, lo, hi in (("max_tokens", 1, 32_768), ("top_k", 1, 10), ("max_steps", 1, 50)):
        if name in node and (not isinstance(node[name], int) or isinstance(node[name], bool)
                             or not lo <= node[name] <= hi):
            raise _field_error(node_id, kind, name, f"a whole number from {lo} to {hi}")
    if "temperature" in node and (not isinstance(node["temperature"], (int, float))
                                  or isinstance(node["temperature"], bool) or not 0 <= node["temperature"] <= 2):
        raise _field_error(node_id, kind, "temperature", "a number from 0 to 2")
    for name in ("kb", "tools"):
        value = node.get(name)
        if value is not None and not (isinstance(value, str) or (isinstance(value, list)
                                                                  and all(isinstance(v, str) for v in value))):
            raise _field_error(node_id, kind, name, "a name or a list of names")
    if kind == "loop":
        limit = node["limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LOOP:
            raise UserError(f"Loop node {node_id!r} needs a \"limit\" from 1 to {MAX_LOOP} (it has {limit!r}).",
                            code="workflow.loop_limit", params={"node": node_id, "max": MAX_LOOP})
    if kind == "set":
        values = node["values"]
        if not isinstance(values, dict) or not values:
            raise _field_error(node_id, kind, "values", "an object of NAME: expression")
        for key, expr in values.items():
            if not NAME.match(key) or key in RESERVED:
                raise _field_error(node_id, kind, "values", "an object whose keys are names (letters, digits, _)")
            _check_expr(node_id, expr)
    if kind == "tool":
        if node["tool"] not in tool_names:
            raise UserError(f"Node {node_id!r} calls the tool {node['tool']!r}, which does not exist; tools: "
                            f"{', '.join(sorted(tool_names))}.", code="workflow.unknown_tool",
                            params={"node": node_id, "tool": str(node["tool"]), "tools": ", ".join(sorted(tool_names))})
        args = node.get("args", {})
        if not isinstance(args, dict):
            raise _field_error(node_id, kind, "args", "an object of the tool's arguments")
    if kind == "agent" and node.get("tools") is not None:
        for name in [node["tools"]] if isinstance(node["tools"], str) else node["tools"]:
            if name not in tool_names:
                raise UserError(f"Node {node_id!r} calls the tool {name!r}, which does not exist; tools: "
                                f"{', '.join(sorted(tool_names))}.", code="workflow.unknown_tool",
                                params={"node": node_id, "tool": name, "tools": ", ".join(sorted(tool_names))})


def _check_expr(node_id: str, expr) -> None:
    try:
        workflow_expr.parse(expr if isinstance(expr, str) else "")
    except workflow_expr.ExprError as exc:
        raise UserError(f"Node {node_id!r}: the expression {expr!r} cannot be used: {exc}.",
                        code="workflow.bad_expression", params={"node": node_id, "expr": str(expr),
                                                                "reason": str(exc)}) from None


def _check_edges(raw, nodes: dict) -> dict[str, list[dict]]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise UserError('A workflow must be a JSON object with a "nodes" list and an "edges" list.',
                        code="workflow.not_object")
    out: dict[str, list[dict]] = {}
    for index, edge in enumerate(raw, start=1):
        if not isinstance(edge, dict) or not isinstance(edge.get("from"), str) or not isinstance(edge.get("to"), str):
            raise UserError(f'Edge number {index} is not a JSON object with "from" and "to" node ids.',
                            code="workflow.edge_not_object", params={"index": index})
        unknown = sorted(set(edge) - {"from", "to", "branch", "when", "label"})
        if unknown:
            raise UserError(f"Edge number {index} has unknown field(s) {', '.join(unknown)}; an edge takes from, to, "
                            "branch, when and label.", code="workflow.edge_field_unknown",
                            params={"index": index, "fields": ", ".join(unknown)})
        src, dst = edge["from"], edge["to"]
        for end_name, name in (("from", src), ("to", dst)):
            if name not in nodes and not (end_name == "to" and name == END):
                raise UserError(f"Edge number {index} ({src} → {dst}) names the node {name!r}, which does not exist.",
                                code="workflow.edge_unknown_node",
                                params={"index": index, "source": src, "target": dst, "node": name})
        kind = nodes[src]["type"]
        branches = SPECS[kind][2]
        if kind == "router":
            if "branch" in edge:
                raise UserError(f"Edge {src} → {dst}: a router's edges choose with \"when\", not \"branch\".",
                                code="workflow.router_branch", params={"source": src, "target": dst})
            if "when" in edge:
                _check_expr(src, edge["when"])
        else:
            if "when" in edge:
                raise UserError(f"Edge {src} → {dst}: only a router's edges take \"when\" (node {src!r} is a {kind}).",
                                code="workflow.edge_when", params={"source": src, "target": dst, "type": kind})
            branch = edge.get("branch")
            if branches is None and branch is not None or branches and branch not in branches:
                shown = ", ".join(branches) if branches else "none"
                raise UserError(f"Edge {src} → {dst}: node {src!r} ({kind}) has no branch {branch!r}; its branches: "
                                f"{shown}.", code="workflow.edge_branch",
                                params={"source": src, "target": dst, "type": kind, "branch": str(branch),
                                        "branches": shown})
        out.setdefault(src, []).append(dict(edge))
    return out


def _check_branches(wf: Workflow) -> None:
    for node_id, node in wf.nodes.items():
        kind = node["type"]
        edges = wf.edges.get(node_id, [])
        branches = SPECS[kind][2]
        if kind == "router":
            defaults = [e for e in edges if e.get("when") is None]
            if len(defaults) != 1:
                raise UserError(f"Router {node_id!r} needs exactly one edge without \"when\" (where the run goes when "
                                f"no condition holds); it has {len(defaults)}.", code="workflow.router_default",
                                params={"node": node_id, "count": len(defaults)})
        elif branches is None:
            if len(edges) > 1:
                raise UserError(f"Node {node_id!r} has {len(edges)} outgoing edges; a {kind} node has one next node "
                                "(use a condition or a router to branch).", code="workflow.too_many_edges",
                                params={"node": node_id, "count": len(edges), "type": kind})
        else:
            for branch in branches:
                count = sum(1 for e in edges if e["branch"] == branch)
                if count != 1:
                    code_problem = "needs an edge" if count == 0 else "has more than one edge"
                    raise UserError(f"Node {node_id!r} ({kind}) {code_problem} for its branch {branch!r}.",
                                    code="workflow.branch_missing" if count == 0 else "workflow.branch_duplicate",
                                    params={"node": node_id, "type": kind, "branch": branch})


def _check_names(wf: Workflow) -> None:
    """Every template placeholder and expression name is something the run can know."""
    known = {"input", "citations", *wf.state}
    for node in wf.nodes.values():
        if node["type"] in WRITES:
            known.add(output_key(node))
        if node["type"] == "set":
            known.update(node["values"])
    shown = ", ".join(sorted(known))
    for node_id, node in wf.nodes.items():
        texts = [node[f] for f in _TEXT_FIELDS if f in node]
        texts += [v for v in (node.get("args") or {}).values() if isinstance(v, str)]
        for text in texts:
            for name in placeholders(text):
                if name not in known:
                    raise UserError(f"Node {node_id!r} uses the placeholder {{{name}}}, which no node writes and the "
                                    f"state does not declare; known: {shown}.", code="workflow.unknown_placeholder",
                                    params={"node": node_id, "placeholder": "{" + name + "}", "known": shown})
        exprs = [node[f] for f in _EXPR_FIELDS if f in node] + list((node.get("values") or {}).values())
        exprs += [e["when"] for e in wf.edges.get(node_id, []) if e.get("when") is not None]
        for expr in exprs:
            for name in sorted(workflow_expr.names(expr) - known):
                raise UserError(f"Node {node_id!r}: the expression {expr!r} reads {name!r}, which no node writes and "
                                f"the state does not declare; known: {shown}.", code="workflow.unknown_name",
                                params={"node": node_id, "expr": expr, "name": name, "known": shown})
    if wf.output is not None and wf.output not in known:
        raise UserError(f"The workflow's output {wf.output!r} is not written by any node; known: {shown}.",
                        code="workflow.output_unknown", params={"output": str(wf.output), "known": shown})


def _targets(wf: Workflow, node_id: str, *, skip_body: bool = False) -> list[str]:
    return [e["to"] for e in wf.edges.get(node_id, [])
            if e["to"] != END and not (skip_body and e.get("branch") == "body")]


def _reach(wf: Workflow, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo += _targets(wf, n)
    return seen


def _check_reachable(wf: Workflow) -> None:
    reached = _reach(wf, wf.start)
    for node_id in wf.nodes:
        if node_id not in reached:
            raise UserError(f"Node {node_id!r} cannot be reached from the start node {wf.start!r}.",
                            code="workflow.unreachable", params={"node": node_id, "start": wf.start})
    for node_id, node in wf.nodes.items():
        if node["type"] == "loop":
            body = next(e["to"] for e in wf.edges[node_id] if e["branch"] == "body")
            if body == END or node_id not in _reach(wf, body):
                raise UserError(f"The body of loop {node_id!r} never comes back to it: add an edge from the body's "
                                f"last node to {node_id!r}.", code="workflow.loop_body", params={"node": node_id})


def _check_cycles(wf: Workflow) -> None:
    """With each loop's ``body`` edge removed the graph must be acyclic: every cycle has a limit."""
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        path.append(n)
        for t in _targets(wf, n, skip_body=True):
            if state.get(t) == 1:
                cycle = " → ".join(path[path.index(t):] + [t])
                raise UserError(f"The nodes {cycle} form a cycle without a loop node; send it through a loop node "
                                "with a limit.", code="workflow.cycle", params={"cycle": cycle})
            if t not in state:
                visit(t, path)
        path.pop()
        state[n] = 2

    for node_id in wf.nodes:
        if node_id not in state:
            visit(node_id, [])
