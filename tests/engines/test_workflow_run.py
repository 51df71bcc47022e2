"""Workflows run for real: LangGraph with its SQLite checkpointer in the data folder, through
`ai-platform workflow run`. No model is needed: set, condition, loop, tool and approval nodes are
deterministic, so what ran, in which order and how often is exactly known.

The kill test runs the command in a child process, SIGKILLs it while a node is running, and resumes
the run from its checkpoint: the nodes that had finished are not run again (their side effects, lines
in a notes file, appear once), the killed node runs again, and the trace is the whole run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from app.cli import main
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

# A loop of 3 passes; a condition sends pass 2 through a calculator tool; an approval at the end.
COUNTER = {
    "version": 1, "name": "counter", "state": {"n": 0, "log": ""}, "output": "log",
    "nodes": [
        {"id": "passes", "type": "loop", "limit": 3, "while": "n < 10"},
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


def lines_of(out: str) -> list[dict]:
    return [json.loads(line) for line in out.strip().splitlines()]


def test_condition_loop_and_approval_run_and_resume(tmp_path, capsys):
    path = tmp_path / "counter.json"
    path.write_text(json.dumps(COUNTER), encoding="utf-8")
    assert main(["workflow", "run", str(path), "--input", "go", "--json"]) == 0
    lines = lines_of(capsys.readouterr().out)
    first, nodes, result = lines[0], lines[1:-1], lines[-1]
    assert first["type"] == "run" and first["run_id"] == result["run_id"]
    # The loop ran its 3 passes and ended by its limit; the condition took each branch.
    assert [n["node"] for n in nodes] == LOOP_PATH
    assert nodes[-1]["input"]["ended_by"] == "limit" and nodes[-1]["output"] == "done"
    assert [n["output"] for n in nodes if n["node"] == "is_two"] == ["false", "true", "false"]
    calc = next(n for n in nodes if n["node"] == "calc")
    assert calc["input"] == {"expression": "2 * 1000 + 7"} and calc["output"] == "2007"
    assert all(isinstance(n["seconds"], float) and n["started"] > 0 for n in nodes)
    # It waits at the approval, resumable; the trace so far is in the result.
    assert result["status"] == "waiting" and result["waiting"] == {"node": "ok", "message": "Keep 1 2007 3 ?"}
    assert [t["node"] for t in result["trace"]] == LOOP_PATH and result["output"] == "1 2007 3 "

    assert main(["workflow", "run", str(path), "--resume", result["run_id"], "--reject", "--json"]) == 0
    lines = lines_of(capsys.readouterr().out)
    resumed = lines[-1]
    assert [n["node"] for n in lines[1:-1]] == ["ok", "dropped"]  # nothing before the approval again
    assert resumed["status"] == "completed" and resumed["output"] == "dropped" and resumed["resumed"] is True
    assert [t["node"] for t in resumed["trace"]] == LOOP_PATH + ["ok", "dropped"]

    # A finished run is not run again; --approve on the first run answers the approval itself.
    assert main(["workflow", "run", str(path), "--resume", result["run_id"], "--json"]) == 2
    assert lines_of(capsys.readouterr().out)[-1]["error"]["code"] == "workflow.run_finished"
    assert main(["workflow", "run", str(path), "--input", "go", "--approve"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1 2007 3 kept"


def test_a_failing_node_stops_the_run_naming_the_node_and_resumable_there(tmp_path, capsys):
    data = {"name": "divide", "state": {"d": "0"},
            "nodes": [{"id": "divide", "type": "tool", "tool": "calculator", "args": {"expression": "1 / {d}"}}]}
    path = tmp_path / "divide.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["workflow", "run", str(path), "--input", "x", "--json"]) == 2
    result = lines_of(capsys.readouterr().out)[-1]
    assert result["status"] == "failed" and result["next"] == ["divide"]
    assert result["error"]["code"] == "workflow.node_failed" and result["error"]["params"]["node"] == "divide"
    assert "division by zero" in result["error"]["message"]

    # A value the graph writes only later: the node that reads it too early is named.
    data = {"name": "early", "nodes": [
        {"id": "use", "type": "tool", "tool": "calculator", "args": {"expression": "{later} + 1"}},
        {"id": "write", "type": "set", "values": {"later": "1"}}], "edges": [{"from": "use", "to": "write"}]}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["workflow", "run", str(path), "--input", "x", "--json"]) == 2
    error = lines_of(capsys.readouterr().out)[-1]["error"]
    assert error["code"] == "workflow.value_missing" and error["params"] == {"node": "use", "placeholder": "{later}"}


KILLED = {
    "version": 1, "name": "killed", "state": {"n": 0},
    "nodes": [
        {"id": "first", "type": "tool", "tool": "note", "args": {"text": "first"}},
        {"id": "passes", "type": "loop", "limit": 3},
        {"id": "inc", "type": "set", "values": {"n": "n + 1"}},
        {"id": "mark", "type": "tool", "tool": "note", "args": {"text": "pass {n}"}},
        {"id": "is_two", "type": "condition", "expr": "n == 2"},
        {"id": "hold", "type": "tool", "tool": "wait_for_file", "args": {"seconds": 120}},
        {"id": "last", "type": "tool", "tool": "note", "args": {"text": "last"}},
    ],
    "edges": [
        {"from": "first", "to": "passes"},
        {"from": "passes", "to": "inc", "branch": "body"}, {"from": "passes", "to": "last", "branch": "done"},
        {"from": "inc", "to": "mark"}, {"from": "mark", "to": "is_two"},
        {"from": "is_two", "to": "hold", "branch": "true"}, {"from": "is_two", "to": "passes", "branch": "false"},
        {"from": "hold", "to": "passes"},
    ],
}


def _start(cli: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cli, env=env, cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _when_waiting(proc: subprocess.Popen, notes, count: int) -> None:
    """Return once the "hold" node has started ``count`` times in all (it notes "waiting")."""
    deadline = time.monotonic() + 120
    while (notes.read_text() if notes.exists() else "").count("waiting") < count:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()[-3000:]
        time.sleep(0.05)


def test_a_killed_run_resumes_from_its_checkpoint_without_repeating_finished_nodes(tmp_path):
    wf, notes, go = tmp_path / "killed.json", tmp_path / "notes.txt", tmp_path / "go"
    wf.write_text(json.dumps(KILLED), encoding="utf-8")
    env = engine_env_for(tmp_path / "home", WF_NOTES=str(notes), WF_GO=str(go), OMP_NUM_THREADS="1")
    cli = [sys.executable, "-m", "tests.helpers.workflow_cli", "workflow", "run", str(wf)]

    # SIGTERM (how a window stops it): a clean stop, status "stopped", resumable at the running node.
    proc = _start(cli + ["--input", "go", "--json"], env)
    with proc:
        run_id = json.loads(proc.stdout.readline())["run_id"]
        _when_waiting(proc, notes, 1)
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-3000:]
    stopped = lines_of(out)[-1]
    assert stopped["status"] == "stopped" and stopped["next"] == ["hold"] and stopped["run_id"] == run_id

    # SIGKILL: no chance to clean up; the checkpoint written before "hold" started is what is left.
    proc = _start(cli + ["--resume", run_id, "--json"], env)
    with proc:
        _when_waiting(proc, notes, 2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert notes.read_text().splitlines() == ["first", "pass 1", "pass 2", "waiting", "waiting"]

    go.touch()
    done = subprocess.run(cli + ["--resume", run_id, "--json"], env=env, cwd=str(REPO), capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = lines_of(done.stdout)
    result = lines[-1]
    # Only the interrupted node ran again, each time; then the run went on to its end.
    assert notes.read_text().splitlines() == ["first", "pass 1", "pass 2", "waiting", "waiting", "waiting",
                                              "pass 3", "last"]
    assert [n["node"] for n in lines[1:-1]] == ["hold", "passes", "inc", "mark", "is_two", "passes", "last"]
    assert result["status"] == "completed" and result["run_id"] == run_id and result["output"] == "noted last"
    assert [t["node"] for t in result["trace"]] == [
        "first", "passes", "inc", "mark", "is_two", "passes", "inc", "mark", "is_two", "hold",
        "passes", "inc", "mark", "is_two", "passes", "last"]
    assert (tmp_path / "home" / "workflows" / "checkpoints.sqlite3").is_file()


def test_resuming_a_failed_run_retries_the_failed_node_only(tmp_path, capsys):
    """A node that failed for a reason outside the workflow (a file not there yet) is retried by
    --resume once the cause is fixed; the nodes before it are not run again."""
    box = tmp_path / "box"
    box.mkdir()
    data = {"name": "read", "nodes": [
        {"id": "count", "type": "set", "values": {"tries": "1"}},
        {"id": "read", "type": "tool", "tool": "read_file", "args": {"path": "{input}"}, "output": "text"}],
        "edges": [{"from": "count", "to": "read"}]}
    path = tmp_path / "read.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    target = box / "later.txt"
    assert main(["workflow", "run", str(path), "--input", str(target), "--allow-folder", str(box), "--json"]) == 2
    failed = lines_of(capsys.readouterr().out)[-1]
    assert failed["status"] == "failed" and failed["error"]["params"]["node"] == "read"
    assert "does not exist" in failed["error"]["message"]
    target.write_text("arrived", encoding="utf-8")
    assert main(["workflow", "run", str(path), "--resume", failed["run_id"], "--json"]) == 0
    lines = lines_of(capsys.readouterr().out)
    assert [n["node"] for n in lines[1:-1]] == ["read"]  # the folder grant came from the run's record
    assert lines[-1]["status"] == "completed" and lines[-1]["output"] == "arrived"
    assert [t["node"] for t in lines[-1]["trace"]] == ["count", "read"]


def test_supervisor_template_routes_to_the_math_worker_whose_agent_loop_uses_the_calculator(tmp_path):
    """The supervisor-two-workers template with a scripted chat model (tests/helpers): the
    supervisor's word picks the router's branch, the math worker is the real agent loop (turn.py,
    graph.py) and its calculator result reaches the review prompt and the answer."""
    from app.agents import workflow_store
    from app.agents.turn import run_request
    from app.agents.workflow import validate
    from app.agents.workflow_run import Services, WorkflowRunner
    from tests.helpers.scripted_chat_model import ScriptedChatModel, call, tool_results

    seen = {}

    def review(messages):
        seen["review"] = messages[-1].content
        return "1234 × 5678 = 7006652."

    supervisor = ScriptedChatModel(["math", review])
    worker = ScriptedChatModel([call("calculator", {"expression": "1234 * 5678"}),
                                lambda msgs: f"The product is {tool_results(msgs)[-1].content}."])

    def agent(node, prompt, kbs):
        req = {"base_url": "http://127.0.0.1:9/v1", "model": "scripted", "system": node.get("system"),
               "messages": [{"role": "user", "content": prompt}], "kbs": kbs, "tools": node.get("tools"),
               "max_steps": node.get("max_steps")}
        return run_request(req, lambda e: None, None, model=worker)

    wf = validate(workflow_store.resolve("supervisor-two-workers")[0])
    services = Services(chat_model=lambda node: supervisor, agent=agent)
    with WorkflowRunner(wf, services, tmp_path / "cp.sqlite3") as runner:
        result = runner.start("r1", "What is 1234 times 5678?")
    assert result["status"] == "completed"
    assert [t["node"] for t in result["trace"]] == ["supervisor", "route", "math_worker", "review"]
    route, worker_entry = result["trace"][1], result["trace"][2]
    assert route["output"] == "math_worker"
    assert worker_entry["output"]["steps"] == [{"name": "calculator", "args": {"expression": "1234 * 5678"},
                                                "ok": True, "result": "7006652"}]
    assert worker.calls[0]["tools"] == ["calculator", "datetime"]  # the node's tools, nothing else
    assert "The product is 7006652." in seen["review"]
    assert result["output"] == "1234 × 5678 = 7006652." and result["state"]["report"] == "The product is 7006652."
