"""`ai-platform export`: requests that cannot work are refused before any model is loaded, with a
message that says what to do, and nothing is written (no model needed: folders made by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import export_plan
from app.core.errors import UserError
from tests.helpers.engines import REPO, engine_env_for
from tests.unit.test_models_cli import fake_model


def export_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "export", *args, "--json"], env=engine_env_for(home),
                          cwd=str(REPO), capture_output=True, text=True, timeout=120)


def refused(proc: subprocess.CompletedProcess, code: str) -> dict:
    assert proc.returncode == 2, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["ok"] is False and out["code"] == code, out
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    return out


def test_refusals_name_the_problem_and_write_nothing(ai_home, tmp_path):
    out = tmp_path / "out"
    # a run that has no adapter yet (it never finished)
    run = ai_home / "runs" / "run-1"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"base_model": "default", "dataset_path": "d.jsonl"}))
    msg = refused(export_cli(ai_home, "run-1", "--out", str(out)), "export.no_adapter")
    assert "no adapter" in msg["error"] and msg["params"] == {"run": "run-1"}

    # an architecture the GGUF writer does not know
    gpt2 = fake_model(tmp_path / "gpt2", architectures=["GPT2LMHeadModel"], model_type="gpt2")
    msg = refused(export_cli(ai_home, str(gpt2), "--out", str(out)), "export.unsupported_arch")
    assert "GPT2LMHeadModel" in msg["error"] and "LlamaForCausalLM" in msg["error"]

    # a name that is nothing the app knows
    refused(export_cli(ai_home, "no-such-model", "--out", str(out)), "export.unknown_source")
    assert not out.exists()
    with pytest.raises(UserError) as err:
        export_plan.check_quant("q3_k")
    assert err.value.code == "export.bad_quant" and "q4_k_m" in str(err.value)


def test_not_enough_disk_is_refused_before_writing(tmp_path):
    import shutil

    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(UserError) as err:
        export_plan.check_free_space(tmp_path / "not-yet", free + 10**9)
    assert err.value.code == "export.no_space" and "Not enough disk space" in str(err.value)
    assert set(err.value.params) == {"path", "needed_gb", "free_gb"}
    export_plan.check_free_space(tmp_path / "not-yet", 1)  # a small file fits
    assert not (tmp_path / "not-yet").exists()


def test_sources_resolve_from_runs_adapters_and_folders(ai_home, tmp_path):
    base = fake_model(tmp_path / "base")
    run = ai_home / "runs" / "run-2"
    (run / "adapter").mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"base_model": str(base), "dataset_path": "d.jsonl"}))
    (run / "adapter" / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "elsewhere"}))
    by_id = export_plan.resolve_source("run-2")
    assert (by_id.kind, by_id.model_dir, by_id.adapter_dir, by_id.run_dir) == ("run", base, run / "adapter", run)
    assert export_plan.resolve_source(str(run)).adapter_dir == run / "adapter"
    adapter = export_plan.resolve_source(str(run / "adapter"))  # the run's config names the base
    assert adapter.kind == "adapter" and adapter.model_dir == base
    model = export_plan.resolve_source(str(base))
    assert (model.kind, model.adapter_dir) == ("model", None)
    with pytest.raises(UserError) as err:
        export_plan.resolve_source("default")  # not converted in this home
    assert err.value.code == "export.default_not_ready"
    assert export_plan.check_supported(base) == "llama"
