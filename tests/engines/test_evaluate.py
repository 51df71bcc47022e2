"""The evaluation engine and `ai-platform eval` on the real bundled SmolLM2 and a real adapter (the
session's 10-step fact adapter, tests/helpers/serve.py): the numbers come from the engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from app.core import protocol
from tests.helpers.eval_runs import FACT, evaluable_run
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def cli(args, home, timeout=600, env=None):
    return subprocess.run([sys.executable, "-m", "app", "eval", *args], env={**engine_env_for(home), **(env or {})},
                          cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def run_dir(converted_model_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    return evaluable_run(converted_model_dir, root, root / "home" / "runs" / "20261202-050000-zorbania")


def test_adapter_beats_base_on_its_memorisation_set(run_dir):
    home = run_dir.parents[1]
    proc = cli(["run", "--run", run_dir.name, "--json"], home)  # by id, the validation split by default
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    base, adapter = out["base"], out["adapter"]
    print(f"\nbase {base}\nadapter {adapter}\nsample {out['samples'][0]}")
    for side in (base, adapter):
        assert {"loss", "perplexity", "exact_match", "rouge_l", "bleu", "chrf"} <= set(side)
    assert adapter["loss"] < base["loss"] and adapter["perplexity"] < base["perplexity"]
    assert adapter["exact_match"] > base["exact_match"] and adapter["rouge_l"] > base["rouge_l"]
    assert out["regression"] is False and out["n_samples"] == 4
    assert {"prompt", "base", "adapter", "reference"} <= set(out["samples"][0])
    assert out["samples"][0]["reference"] == FACT and "Quillentown" in out["samples"][0]["adapter"]
    assert "Loading" in proc.stderr  # progress on stderr, JSON only on stdout

    # Saved: the run folder's eval/ and the database (the run indexed on the way).
    saved = json.loads((run_dir / "eval" / "latest.json").read_text(encoding="utf-8"))
    assert saved["adapter"] == adapter and len(list((run_dir / "eval").glob("eval-*.json"))) == 1
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore

    with open_database(home / "ai-platform.sqlite3") as db:
        info = EvaluationStore(db).latest(run_dir.name)
    assert info is not None and info.adapter_loss == pytest.approx(adapter["loss"]) and not info.regression
    assert len(info.samples()) == 4


def test_engine_marks_a_regression_and_runs_the_judge(run_dir, converted_model_dir, tmp_path):
    """An adapter scaled far past what it was trained with (lora_alpha × 40) wrecks the model: its
    held-out loss is above the base's and the run is marked. The judge is the bundled model, served by
    the serve engine for the evaluation (plumbing: a 135M judge may answer nonsense, which is counted,
    never fatal)."""
    broken = tmp_path / "runs" / "overscaled"
    shutil.copytree(run_dir, broken, ignore=shutil.ignore_patterns("eval"))
    acfg = json.loads((broken / "adapter" / "adapter_config.json").read_text())
    acfg["lora_alpha"] = acfg["lora_alpha"] * 40
    (broken / "adapter" / "adapter_config.json").write_text(json.dumps(acfg))
    home = run_dir.parents[1]
    proc = subprocess.run([sys.executable, "-m", "app.engines.evaluate", "run", "--run", str(broken), "--limit", "1",
                           "--judge", str(converted_model_dir), "--max-new-tokens", "6"],
                          env=engine_env_for(home), cwd=str(REPO), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600)
    events = [protocol.decode(line) for line in proc.stdout.splitlines() if line.strip()]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert isinstance(events[0], protocol.Started) and events[-1].status == "completed"
    assert any(isinstance(e, protocol.Progress) and e.total for e in events)
    result = [e for e in events if isinstance(e, protocol.Result)][0].data
    print(f"\nbase {result['base']['loss']:.3f} adapter {result['adapter']['loss']:.3f} judge {result['judge']}")
    assert result["regression"] is True and result["adapter"]["loss"] > result["base"]["loss"]
    assert any(isinstance(e, protocol.Log) and "Regression" in e.message for e in events)
    judge = result["judge"]
    assert judge["mode"] == "pairwise" and judge["verdicts"] + judge["unparseable"] + judge["failed"] == 2
    assert (broken / "eval" / "latest.json").is_file()
    assert not (broken / "events.jsonl").exists()  # the run folder's events belong to training


def test_bad_input_is_named(run_dir, tmp_path):
    home = run_dir.parents[1]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"prompt": "Q", "reference": "R"}\nnot json\n{"q": 1}\n', encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "config.json").write_text((run_dir / "config.json").read_text(), encoding="utf-8")
    cases = [(["--run", str(run_dir), "--set", str(broken)], "eval.set_broken", "line 2"),
             (["--run", str(run_dir), "--set", str(empty)], "eval.set_empty", "empty"),
             (["--run", str(bare)], "eval.no_adapter", "no adapter"),
             (["--run", "no-such-run"], "eval.run_missing", "no-such-run")]
    for args, code, words in cases:
        proc = cli(["run", *args, "--json"], home, timeout=120)
        assert proc.returncode == 2, (args, proc.stderr)
        err = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
        assert err["code"] == code and words in err["message"], err
        assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert "line 3" in json.loads(cli(["run", "--run", str(run_dir), "--set", str(broken), "--json"], home)
                                  .stdout.splitlines()[-1])["error"]["message"]


def test_vllm_batches_the_generations(run_dir):
    """The same evaluation with vLLM's CPU build generating (base and adapter in one engine, every
    prompt in flight at once): the adapter still answers its fact and the result says who generated."""
    from app.core import vllm_runtime

    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    home = run_dir.parents[1]
    proc = cli(["run", "--run", run_dir.name, "--generate-with", "vllm", "--json"], home, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n{out['generation']} base {out['base']} adapter {out['adapter']}\nsample {out['samples'][0]}")
    assert out["generation"]["engine"] == "vllm" and "Starting vLLM" in proc.stderr
    assert "Quillentown" in out["samples"][0]["adapter"]
    assert out["adapter"]["exact_match"] > out["base"]["exact_match"]
    assert len(out["samples"]) == 4 and all(s["base"] for s in out["samples"])


def test_a_vllm_that_cannot_start_leaves_the_answers_to_transformers(run_dir):
    """vLLM's CPU build asked for a KV cache far beyond the machine's memory refuses to start: the
    evaluation says so and generates with transformers, and the result says who did."""
    from app.core import vllm_runtime

    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    home = run_dir.parents[1]
    proc = cli(["run", "--run", run_dir.name, "--generate-with", "vllm", "--limit", "2", "--json"], home,
               timeout=900, env={"VLLM_CPU_KVCACHE_SPACE": "100000"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["generation"]["engine"] == "transformers" and out["generation"]["why"].startswith("vLLM failed")
    assert "Starting vLLM" in proc.stderr and "generating with transformers instead" in proc.stderr
    assert len(out["samples"]) == 2 and "Quillentown" in out["samples"][0]["adapter"]


def test_limit_zero_measures_the_loss_alone(run_dir):
    """`--limit 0` (a perplexity sweep's evaluation): the held-out loss of both sides, no answers."""
    home = run_dir.parents[1]
    proc = cli(["run", "--run", run_dir.name, "--limit", "0", "--generate-with", "vllm", "--json"], home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["adapter"]["loss"] < out["base"]["loss"] and out["adapter"]["perplexity"] > 0
    assert out["samples"] == [] and out["adapter"]["exact_match"] is None
    assert "Starting vLLM" not in proc.stderr and "Generating" not in proc.stderr
