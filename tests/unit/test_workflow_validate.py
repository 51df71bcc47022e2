"""Workflows are checked before they run: each broken file gets one message naming the node or edge
and what to fix, worded by a code (error_texts) for the interface; conditions are a small safe
language, not Python's eval; the shipped templates are listed and valid."""

from __future__ import annotations

import copy
import json

import pytest

from app.agents import workflow_expr
from app.agents.workflow import validate
from app.agents.workflow_store import template_names, templates
from app.cli import main
from app.core.errors import UserError

BASE = {
    "version": 1, "name": "t", "state": {"n": 0},
    "nodes": [
        {"id": "loop", "type": "loop", "limit": 3},
        {"id": "inc", "type": "set", "values": {"n": "n + 1"}},
        {"id": "check", "type": "condition", "expr": "n > 1"},
        {"id": "calc", "type": "tool", "tool": "calculator", "args": {"expression": "{n} * 2"}},
    ],
    "edges": [
        {"from": "loop", "to": "inc", "branch": "body"}, {"from": "loop", "to": "end", "branch": "done"},
        {"from": "inc", "to": "check"},
        {"from": "check", "to": "calc", "branch": "true"}, {"from": "check", "to": "loop", "branch": "false"},
        {"from": "calc", "to": "loop"},
    ],
}


def broken(change) -> dict:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def node(data, node_id):
    return next(n for n in data["nodes"] if n["id"] == node_id)


def test_the_base_workflow_is_valid():
    wf = validate(BASE)
    assert wf.start == "loop" and wf.branches("check") == {"true": "calc", "false": "loop"}


CASES = [
    ("unknown type", lambda d: node(d, "inc").update(type="sleep"), "workflow.node_type", "inc"),
    ("missing field", lambda d: node(d, "check").pop("expr"), "workflow.node_field_missing", "check"),
    ("unknown field", lambda d: node(d, "calc").update(colour="red"), "workflow.node_field_unknown", "calc"),
    ("unknown tool", lambda d: node(d, "calc").update(tool="rm_rf"), "workflow.unknown_tool", "calc"),
    ("eval attempt", lambda d: node(d, "check").update(expr="__import__('os').system('true')"),
     "workflow.bad_expression", "check"),
    ("attribute", lambda d: node(d, "check").update(expr="n.__class__"), "workflow.bad_expression", "check"),
    ("unknown name", lambda d: node(d, "check").update(expr="m > 1"), "workflow.unknown_name", "check"),
    ("placeholder", lambda d: node(d, "calc")["args"].update(expression="{total}"),
     "workflow.unknown_placeholder", "calc"),
    ("no limit", lambda d: node(d, "loop").update(limit=0), "workflow.loop_limit", "loop"),
    ("duplicate id", lambda d: d["nodes"].append({"id": "inc", "type": "set", "values": {"n": "1"}}),
     "workflow.duplicate_node", "inc"),
    ("edge to nowhere", lambda d: d["edges"].__setitem__(5, {"from": "calc", "to": "ghost"}),
     "workflow.edge_unknown_node", "ghost"),
    ("missing branch", lambda d: d["edges"].pop(4), "workflow.branch_missing", "check"),
    ("wrong branch", lambda d: d["edges"][4].update(branch="maybe"), "workflow.edge_branch", "check"),
    ("two next nodes", lambda d: d["edges"].append({"from": "inc", "to": "calc"}), "workflow.too_many_edges", "inc"),
    ("unreachable", lambda d: d["nodes"].append({"id": "lonely", "type": "set", "values": {"n": "2"}}),
     "workflow.unreachable", "lonely"),
    ("cycle without a loop", lambda d: d["edges"].__setitem__(5, {"from": "calc", "to": "inc"}),
     "workflow.cycle", "inc"),
    ("loop body that never returns", lambda d: d["edges"].__setitem__(4, {"from": "check", "to": "end",
                                                                          "branch": "false"})
     or d["edges"].__setitem__(5, {"from": "calc", "to": "end"}), "workflow.loop_body", "loop"),
]


@pytest.mark.parametrize("what,change,code,named", CASES, ids=[c[0] for c in CASES])
def test_a_broken_workflow_is_refused_naming_the_node(what, change, code, named):
    with pytest.raises(UserError) as exc:
        validate(broken(change))
    assert exc.value.code == code
    assert named in str(exc.value) and named in json.dumps(exc.value.params)


def test_router_needs_one_default_edge():
    data = {"nodes": [{"id": "r", "type": "router"}, {"id": "a", "type": "set", "values": {"x": "1"}}],
            "edges": [{"from": "r", "to": "a", "when": "input == 'a'"}]}
    with pytest.raises(UserError) as exc:
        validate(data)
    assert exc.value.code == "workflow.router_default" and exc.value.params["node"] == "r"


def test_expressions_are_a_small_safe_language():
    values = {"n": 3, "text": "Hello World", "items": [1, 2]}
    assert workflow_expr.evaluate("n * 2 + 1 > 6 and contains(text, 'world')", values) is True
    assert workflow_expr.evaluate("items[1] if len(items) > 1 else 0", values) == 2
    assert workflow_expr.evaluate("not (n in items)", values) is True
    for bad in ("(lambda: 1)()", "open('x')", "[x for x in items]", "n ** 99999999", "text.upper()"):
        with pytest.raises(workflow_expr.ExprError):
            workflow_expr.evaluate(bad, values)
    with pytest.raises(workflow_expr.ExprError, match="longer"):
        workflow_expr.evaluate("'a' * 1000000000", values)


def test_templates_are_listed_as_json_and_each_is_valid(capsys):
    assert main(["workflow", "templates", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["templates"]
    names = [t["name"] for t in listed]
    assert names == template_names() == ["plan-and-execute", "rag-then-answer", "supervisor-two-workers"]
    for item in templates():
        wf = validate(item["workflow"])
        assert item["title"]["zh"] and item["description"]["en"] and wf.nodes
    kinds = {t["name"]: set(t["node_types"]) for t in listed}
    assert {"kb_search", "condition", "llm"} <= kinds["rag-then-answer"]
    assert {"loop", "agent"} <= kinds["plan-and-execute"]
    assert {"router", "agent"} <= kinds["supervisor-two-workers"]


def test_validate_command_names_the_bad_node(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(broken(lambda d: node(d, "inc").update(type="sleep"))), encoding="utf-8")
    assert main(["workflow", "validate", str(path), "--json"]) == 2
    out = capsys.readouterr()
    err = json.loads(out.out.strip().splitlines()[-1])["error"]
    assert err["code"] == "workflow.node_type" and err["params"]["node"] == "inc"
    assert "inc" in out.err and "sleep" in out.err
    path.write_text("{\"nodes\": [", encoding="utf-8")
    assert main(["workflow", "validate", str(path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["workflow", "run", "no-such-template", "--input", "x"]) == 2
    assert "rag-then-answer" in capsys.readouterr().err  # the message lists the templates
