"""The dataset_stats engine: token lengths under the real SmolLM2 chat template."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import protocol
from app.engines.dataset_stats import histogram, percentile
from tests.helpers.engines import engine_env_for

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "sample_sft_en_zh.jsonl"


def test_histogram_and_percentiles():
    h = histogram([1, 2, 2, 3, 10], bins=3)
    assert h["edges"] == [1.0, 4.0, 7.0, 10.0] and h["counts"] == [4, 0, 1]
    assert histogram([5, 5, 5], bins=4)["counts"] == [3, 0, 0, 0]  # one value: still sums to n
    assert sum(histogram(list(range(1000)), 30)["counts"]) == 1000
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([7], 95) == 7.0
    assert percentile(list(range(101)), 95) == 95.0


@pytest.mark.slow
def test_lengths_histogram_and_over_max_len(engine_runner, converted_model_dir, tmp_path):
    max_len = 80
    run = engine_runner(["app.engines.dataset_stats", "--dataset", str(SAMPLE), "--model",
                         str(converted_model_dir), "--max-len", str(max_len), "--bins", "12"], tmp_path / "home")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.bad_lines == [] and not run.of(protocol.Error)
    assert isinstance(run.events[0], protocol.Started) and run.events[0].engine == "dataset_stats"
    assert isinstance(run.events[-1], protocol.Done) and run.events[-1].status == "completed"
    progress = [p for p in run.of(protocol.Progress) if p.total]
    assert progress and progress[-1].step == progress[-1].total == 40

    r = run.result
    lengths = r["lengths"]
    assert r["n"] == len(lengths) == 40 and r["max_len"] == max_len
    assert sum(r["histogram"]["counts"]) == r["n"]
    assert len(r["histogram"]["counts"]) == 12 and len(r["histogram"]["edges"]) == 13
    assert r["histogram"]["edges"][0] == min(lengths) and r["histogram"]["edges"][-1] == max(lengths)
    over = sum(1 for n in lengths if n > max_len)
    assert 0 < over < 40  # the max-len picked cuts some records of the sample, not all
    assert r["over_max_len"] == over and r["over_share"] == pytest.approx(over / 40)
    assert r["max"] == max(lengths) and r["mean"] == pytest.approx(sum(lengths) / 40, abs=0.01)
    assert min(lengths) <= r["p50"] <= r["p95"] <= r["max"]

    # Cross-check against the tokenizer's own chat-template tokenization (no double BOS/special
    # tokens from tokenizing the rendered text again).
    code = (
        "import json, sys\n"
        "from transformers import AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained(sys.argv[1], local_files_only=True)\n"
        "recs = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8') if l.strip()]\n"
        "print(json.dumps([len(tok.apply_chat_template(r['messages'], tokenize=True, return_dict=True)['input_ids'])"
        " for r in recs]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(converted_model_dir), str(SAMPLE)],
                         env=engine_env_for(tmp_path / "home2", HF_HUB_OFFLINE="1"), capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == lengths


@pytest.mark.slow
def test_tokenizer_without_chat_template_is_a_clear_error(engine_runner, converted_model_dir, tmp_path):
    bare = tmp_path / "bare-model"
    bare.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(converted_model_dir / name, bare / name)
    cfg = json.loads((bare / "tokenizer_config.json").read_text(encoding="utf-8"))
    cfg.pop("chat_template", None)
    (bare / "tokenizer_config.json").write_text(json.dumps(cfg), encoding="utf-8")
    run = engine_runner(["app.engines.dataset_stats", "--dataset", str(SAMPLE), "--model", str(bare)],
                        tmp_path / "home")
    assert run.returncode == 1
    errors = run.of(protocol.Error)
    assert len(errors) == 1 and "no chat template" in errors[0].message and errors[0].hint
    assert run.events[-1].status == "failed" and "Traceback" not in run.stderr


def test_missing_model_and_dataset_are_clear_errors(engine_runner, tmp_path):
    run = engine_runner(["app.engines.dataset_stats", "--dataset", str(SAMPLE), "--model",
                         str(tmp_path / "no-model")], tmp_path / "home")
    assert run.returncode == 1
    (err,) = run.of(protocol.Error)
    assert err.message == f"Model folder not found: {tmp_path / 'no-model'}" and err.hint
    assert run.events[-1].status == "failed"

    model = tmp_path / "some-model"
    model.mkdir()
    run = engine_runner(["app.engines.dataset_stats", "--dataset", str(tmp_path / "none.jsonl"), "--model",
                         str(model)], tmp_path / "home")
    assert run.returncode == 1
    (err,) = run.of(protocol.Error)
    assert "File not found" in err.message and "none.jsonl" in err.message
