"""The Workflows panel on real runs: `ai-platform workflow run … --json` in a child process, read
line by line into the trace table. The workflows need no model (set, condition, loop, tool and
approval nodes are deterministic), so the order of the trace is exactly known."""

from __future__ import annotations

import json

import pytest

from app.views.workflows import WorkflowsPanel
from app.workers import workflow_jobs

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

# A loop of 3 passes; pass 2 goes through the calculator; then an approval.
COUNTER = {
    "version": 1, "name": "counter", "state": {"n": 0, "log": ""}, "output": "log",
    "nodes": [
        {"id": "passes", "type": "loop", "limit": 3, "while": "n < 10", "label": "Three passes"},
        {"id": "inc", "type": "set", "values": {"n": "n + 1"}},
        {"id": "is_two", "type": "condition", "expr": "n == 2"},
        {"id": "calc", "type": "tool", "tool": "calculator", "args": {"expression": "{n} * 1000 + 7"}, "output": "big"},
        {"id": "log_big", "type": "set", "values": {"log": "log + big + ' '"}},
        {"id": "log_n", "type": "set", "values": {"log": "log + str(n) + ' '"}},
        {"id": "ok", "type": "approval", "message": "Keep {log}?"},
        {"id": "kept", "type": "set", "values": {"log": "log + 'kept'"}},
        {"id": "dropped", "type": "set", "values": {"log": "'dropped'"}},
    ],
    "edges": [
        {"from": "passes", "to": "inc", "branch": "body"}, {"from": "passes", "to": "ok", "branch": "done"},
        {"from": "inc", "to": "is_two"},
        {"from": "is_two", "to": "calc", "branch": "true"}, {"from": "is_two", "to": "log_n", "branch": "false"},
        {"from": "calc", "to": "log_big"}, {"from": "log_big", "to": "passes"}, {"from": "log_n", "to": "passes"},
        {"from": "ok", "to": "kept", "branch": "approved"}, {"from": "ok", "to": "dropped", "branch": "rejected"},
    ],
}
LOOP_PATH = ["passes", "inc", "is_two", "log_n", "passes", "inc", "is_two", "calc", "log_big",
             "passes", "inc", "is_two", "log_n", "passes"]
RUN_S = 60_000  # a child process that imports langgraph, on a busy 2-core machine


@pytest.fixture
def panel(main_window, qtbot):
    workflow_jobs.save("counter", COUNTER)
    main_window.show_panel("workflows")
    panel = main_window.panel("workflows")
    assert isinstance(panel, WorkflowsPanel)
    qtbot.waitUntil(lambda: len(panel.templates) == 3, timeout=RUN_S)
    return panel


def test_lists_templates_and_saved_and_draws_the_graph(panel):
    assert panel.sources() == ["template:plan-and-execute", "template:rag-then-answer",
                               "template:supervisor-two-workers", "saved:counter"]
    assert panel.list.item(1).text() == "Template: RAG then answer"
    panel.select("saved:counter")
    graph = panel.graph
    assert set(graph.items_by_id) == {n["id"] for n in COUNTER["nodes"]}
    assert sorted(graph.edges(), key=str) == sorted(((e["from"], e["to"], e.get("branch")) for e in COUNTER["edges"]),
                                                    key=str)
    assert graph.items_by_id["passes"].title.text() == "Three passes"
    # A template with saved positions is drawn where it says.
    panel.select("template:rag-then-answer")
    assert graph.items_by_id["found"].pos().x() == 220


def test_run_fills_the_trace_in_order_then_reject_resumes(panel, qtbot):
    panel.select("saved:counter")
    panel.input.setText("go")
    panel.run_btn.click()
    assert panel.stop_btn.isVisibleTo(panel) and not panel.run_btn.isEnabled()
    qtbot.waitUntil(lambda: panel.run_state == "waiting", timeout=RUN_S)
    # Every node in the order it ran, with its input and output, and the approval waiting.
    assert panel.trace_nodes() == LOOP_PATH
    calc_row = LOOP_PATH.index("calc")
    assert json.loads(panel.table.item(calc_row, 1).text()) == {"expression": "2 * 1000 + 7"}
    assert panel.table.item(calc_row, 2).text() == "2007"
    assert all(float(panel.table.item(r, 3).text()) >= 0 for r in range(panel.table.rowCount()))
    assert panel.graph.highlighted() == {"ok": "waiting"}
    assert panel.approve_btn.isVisibleTo(panel) and panel.reject_btn.isVisibleTo(panel)
    assert "Keep 1 2007 3 ?" in panel.status.text()

    panel.reject_btn.click()
    qtbot.waitUntil(lambda: panel.run_state == "completed", timeout=RUN_S)
    assert panel.trace_nodes() == LOOP_PATH + ["ok", "dropped"]
    assert "dropped" in panel.status.text()
    assert not panel.approve_btn.isVisibleTo(panel) and not panel.reject_btn.isVisibleTo(panel)
    assert panel.graph.highlighted() == {}


def test_edit_connect_save_validated(panel, qtbot):
    panel.select("saved:counter")
    # Add a node, connect the (rejected) dropped node to it, save under a new name.
    panel.kind.setCurrentIndex(panel.kind.findData("set"))
    panel.add_btn.click()
    assert "set1" in panel.graph.items_by_id
    assert panel.graph.connect_nodes("dropped", "set1") == {"from": "dropped", "to": "set1"}
    assert ("dropped", "set1", None) in panel.graph.edges()
    panel.name.setText("counter2")
    panel.save_btn.click()
    qtbot.waitUntil(lambda: "saved:counter2" in panel.sources(), timeout=RUN_S)
    saved = workflow_jobs.read(workflow_jobs.folder() / "counter2.json")
    assert saved["nodes"][-1]["id"] == "set1" and {"from": "dropped", "to": "set1"} in saved["edges"]
    assert saved["nodes"][-1]["position"] == panel.graph.node_data("set1")["position"]
    # A broken field is refused, named, and nothing is written.
    panel.select_node("passes")
    panel.editors["limit"].setText("0")
    panel.apply_btn.click()
    panel.name.setText("broken")
    panel.save_btn.click()
    qtbot.waitUntil(lambda: panel.check is None, timeout=RUN_S)
    assert '"passes"' in panel.status.text() and '"limit"' in panel.status.text()
    assert not (workflow_jobs.folder() / "broken.json").exists()


BROKEN = {"version": 1, "name": "broken", "state": {"x": 1},
          "nodes": [{"id": "first", "type": "set", "values": {"x": "x + 1"}},
                    {"id": "check", "type": "condition", "expr": "x / 0 > 1"},
                    {"id": "yes", "type": "set", "values": {"x": "1"}}, {"id": "no", "type": "set", "values": {"x": "0"}}],
          "edges": [{"from": "first", "to": "check"}, {"from": "check", "to": "yes", "branch": "true"},
                    {"from": "check", "to": "no", "branch": "false"}]}


def test_a_failed_node_is_named_highlighted_and_retried_alone(panel, qtbot):
    workflow_jobs.save("broken", BROKEN)
    panel.refresh()
    panel.select("saved:broken")
    panel.run_btn.click()
    qtbot.waitUntil(lambda: panel.run_state == "failed", timeout=RUN_S)
    assert panel.trace_nodes() == ["first"]
    assert panel.graph.highlighted() == {"check": "failed"}
    assert "check" in panel.status.text() and panel.retry_btn.isVisibleTo(panel)
    run_id = panel.run_id
    panel.retry_btn.click()  # the cause is still there: it fails again, at the same node, same run
    qtbot.waitUntil(lambda: panel.job is None and panel.run_state == "failed", timeout=RUN_S)
    assert panel.run_id == run_id and panel.trace_nodes() == ["first"]
