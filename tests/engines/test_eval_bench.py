"""`ai-platform eval bench`: lm-evaluation-harness end to end on a local 20-question multiple-choice file,
against the app's transformers server on the real bundled SmolLM2 with the session's fact adapter
(base and adapter side by side); and the task file's and the hub's refusals, which come before any
model starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

# Short questions: each choice is one forward pass of the served model (the prompt shared by a
# question's four choices is computed once, the server keeps its KV cache).
QUESTIONS = [
    ("2 + 2 =", ["3", "4", "5", "22"], "B"),
    ("The sky on a clear day is", ["green", "red", "blue", "black"], "C"),
    ("A cat says", ["meow", "woof", "moo", "quack"], "A"),
    ("The capital of France is", ["Berlin", "Madrid", "Rome", "Paris"], "D"),
    ("Days in a week:", ["five", "seven", "ten", "three"], "B"),
    ("Water freezes at", ["0 °C", "50 °C", "100 °C", "200 °C"], "A"),
    ("The opposite of hot is", ["warm", "big", "cold", "fast"], "C"),
    ("10 - 3 =", ["6", "13", "30", "7"], "D"),
    ("Bees make", ["milk", "honey", "silk", "wool"], "B"),
    ("The sun rises in the", ["east", "west", "north", "south"], "A"),
    ("中国的首都是", ["上海", "广州", "北京", "深圳"], "C"),
    ("3 × 3 =", ["6", "9", "33", "12"], "B"),
    ("Fish live in", ["trees", "sand", "clouds", "water"], "D"),
    ("Ice is", ["cold", "hot", "loud", "sweet"], "A"),
    ("A triangle has sides:", ["two", "four", "three", "five"], "C"),
    ("Grass is", ["purple", "green", "orange", "white"], "B"),
    ("1 + 1 =", ["2", "11", "3", "0"], "A"),
    ("Snow is", ["black", "red", "blue", "white"], "D"),
    ("Birds can", ["fly", "read", "drive", "cook"], "A"),
    ("一年有几个月?", ["十", "十二", "七", "三十"], "B"),
]


def write_task(path, broken: dict[int, str] | None = None):
    lines = [json.dumps({"id": i, "question": q, "A": c[0], "B": c[1], "C": c[2], "D": c[3], "answer": a},
                        ensure_ascii=False) for i, (q, c, a) in enumerate(QUESTIONS)]
    for lineno, text in (broken or {}).items():
        lines[lineno - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench(args, home, timeout=600, **env):
    return subprocess.run([sys.executable, "-m", "app", "eval", "bench", *args, "--json"],
                          env=engine_env_for(home, **env), cwd=str(REPO), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def last_json(proc) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_run_is_benchmarked_base_and_adapter_side_by_side(converted_model_dir, tmp_path_factory):
    from tests.helpers.eval_runs import evaluable_run

    root = tmp_path_factory.mktemp("bench")
    home = root / "home"
    run_dir = evaluable_run(converted_model_dir, root, home / "runs" / "20261202-060000-zorbania")
    task = write_task(root / "basics.jsonl")
    proc = bench(["--tasks", str(task), "--model", run_dir.name, "--threads", "1"], home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = last_json(proc)
    print(f"\nbase {out['base']}\nadapter {out['adapter']} ({out['seconds']} s)")
    assert out["tasks"] == [{"name": "local_basics", "source": "file", "path": str(task.resolve()), "questions": 20}]
    for side in ("base", "adapter"):
        row = out[side]["local_basics"]
        assert row["questions"] == 20 and 0.0 <= row["acc"] <= 1.0 and row["acc_stderr"] > 0
    assert out["run"] == run_dir.name and "model" not in out
    # Kept in the run folder beside (not over) the run's own evaluation, and in the database.
    saved = json.loads((run_dir / "eval" / "bench-latest.json").read_text(encoding="utf-8"))
    assert saved["base"] == out["base"] and saved["adapter"] == out["adapter"]
    assert len(list((run_dir / "eval").glob("bench-2*.json"))) == 1 and not (run_dir / "eval" / "latest.json").exists()
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore

    with open_database(home / "ai-platform.sqlite3") as db:
        rows = EvaluationStore(db).list("bench")
    assert len(rows) == 1 and rows[0].run_id == run_dir.name and rows[0].n_samples == 20


def test_a_broken_line_is_named_before_any_model_starts(tmp_path, ai_home):
    task = write_task(tmp_path / "mc.jsonl", {3: '{"question": "no choices", "answer": "A"}', 7: "not json",
                                              12: json.dumps({"question": "q", "A": "x", "B": "y", "answer": "E"})})
    proc = bench(["--tasks", str(task), "--model", "default"], ai_home, timeout=120)
    assert proc.returncode == 2
    err = last_json(proc)["error"]
    assert err["code"] == "bench.task_broken" and err["params"]["count"] == 3
    assert "line 3: no choices" in err["message"] and "line 7: not JSON" in err["message"]
    assert "line 12: \"answer\" must be one of A, B, not 'E'" in err["message"]
    assert "line 3" in proc.stderr and "Starting" not in proc.stderr


def test_a_hub_task_offline_and_an_empty_file_are_refused_clearly(tmp_path, ai_home):
    proc = bench(["--tasks", "mmlu", "--url", "http://127.0.0.1:9/v1"], ai_home, timeout=120, HF_HUB_OFFLINE="1")
    assert proc.returncode == 2
    err = last_json(proc)["error"]
    assert err["code"] == "bench.offline" and err["params"]["tasks"] == "mmlu" and "HF_HUB_OFFLINE" in err["message"]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    proc = bench(["--tasks", str(empty), "--model", "default"], ai_home, timeout=120)
    assert proc.returncode == 2 and last_json(proc)["error"]["code"] == "bench.task_empty"
    proc = bench(["--tasks", str(tmp_path / "missing.jsonl"), "--model", "default"], ai_home, timeout=120)
    assert proc.returncode == 2 and last_json(proc)["error"]["code"] == "bench.task_missing"
