"""Several processes / GPUs: the ``distributed`` config field, the per-GPU planner for each strategy,
and the launch pieces of app/training/distributed.py (torchrun argv, the configs written into the
run folder, the messages when a strategy's library is missing)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from app.core import vram_planner as vp
from app.core.errors import UserError
from app.core.train_config import TrainConfig
from app.training import distributed as dd
from app.views import error_texts

S = vp.REFERENCE_SHAPES


def _cfg(**dist):
    return TrainConfig.from_dict({"dataset_path": "d.jsonl", "distributed": dist})


# === config ======================================================================================

def test_distributed_is_completed_with_defaults_and_gives_the_world_size():
    cfg = _cfg(processes=2)
    assert cfg.distributed == {"strategy": "ddp", "processes": 2, "cpu_offload": False,
                               "nnodes": 1, "node_rank": 0, "rdzv": ""}
    assert cfg.world_size == 2
    assert TrainConfig(dataset_path="d.jsonl").world_size == 1
    many = _cfg(strategy="zero3", processes=8, nnodes=2, node_rank=1, rdzv="10.0.0.1:29500")
    assert many.world_size == 16
    # round trip through config.json
    assert TrainConfig.from_json(many.to_json()).distributed == many.distributed


@pytest.mark.parametrize("dist, field, rule", [
    ({"strategy": "zero4"}, "distributed.strategy", "choice"),
    ({"processes": 0}, "distributed.processes", "range_from_to"),
    ({"processes": "2"}, "distributed.processes", "whole"),
    ({"gpus": 2}, "distributed.gpus", "unknown"),
    ({"nnodes": 2}, "distributed.rdzv", "rdzv_needed"),
    ({"nnodes": 2, "node_rank": 2, "rdzv": "h:1"}, "distributed.node_rank", "range_from_to"),
    ({"rdzv": "no port"}, "distributed.rdzv", "host_port"),
    ({"cpu_offload": "yes"}, "distributed.cpu_offload", "bool"),
])
def test_bad_distributed_settings_name_the_field_in_both_languages(dist, field, rule):
    with pytest.raises(UserError) as e:
        _cfg(**dist)
    assert e.value.code == "train_config.invalid"
    assert e.value.params["field"] == field and e.value.params["rule"] == rule
    assert rule in error_texts.PROBLEMS
    hint_code = e.value.params["hint_code"]
    assert not hint_code or hint_code in error_texts.HINTS
    with pytest.raises(UserError):
        TrainConfig.from_dict({"dataset_path": "d.jsonl", "distributed": [2]})


# === launch ======================================================================================

def test_torchrun_argv_one_machine_and_a_rendezvous(tmp_path):
    one = _cfg(processes=2).distributed
    argv = dd.torchrun_argv(tmp_path, one, resume="latest", python="py")
    assert argv[:3] == ["py", "-m", "torch.distributed.run"]
    assert "--nproc-per-node=2" in argv and "--standalone" in argv
    assert argv[-5:] == ["-m", "app.engines.train", str(tmp_path), "--resume", "latest"]
    lab = _cfg(processes=4, nnodes=3, node_rank=2, rdzv="head.lab:29400").distributed
    argv = dd.torchrun_argv(tmp_path, lab, python="py")
    assert {"--nnodes=3", "--node-rank=2", "--rdzv-backend=c10d", "--rdzv-endpoint=head.lab:29400",
            f"--rdzv-id={tmp_path.name}"} <= set(argv)
    assert "--standalone" not in argv


def test_launch_config_is_written_into_the_run_folder(tmp_path):
    path = dd.write_launch_config(tmp_path, _cfg(processes=2).distributed, "cpu")
    info = json.loads(path.read_text())
    assert info["world_size"] == 2 and info["backend"] == "gloo" and info["launcher"] == "torchrun"
    dd.write_launch_config(tmp_path, _cfg(strategy="zero3", processes=2, cpu_offload=True).distributed, "cuda")
    ds = json.loads((tmp_path / dd.DEEPSPEED_FILE).read_text())
    assert ds["zero_optimization"]["stage"] == 3
    assert ds["zero_optimization"]["offload_param"]["device"] == "cpu"
    assert json.loads((tmp_path / dd.LAUNCH_FILE).read_text())["backend"] == "nccl"


@pytest.mark.skipif(importlib.util.find_spec("deepspeed") is not None, reason="deepspeed is installed")
@pytest.mark.parametrize("strategy", ["zero2", "zero3"])
def test_zero_without_deepspeed_says_what_to_install(strategy):
    with pytest.raises(UserError) as e:
        dd.check_strategy(_cfg(strategy=strategy, processes=2).distributed)
    assert e.value.code == "train.distributed.no_deepspeed"
    assert "pip install deepspeed" in str(e.value)
    assert e.value.code in error_texts.MESSAGES


def test_ddp_and_fsdp_are_available_here():
    for strategy in ("ddp", "fsdp"):
        dd.check_strategy(_cfg(strategy=strategy, processes=2).distributed)


# === planner =====================================================================================

def test_sharding_lowers_the_per_gpu_figure_in_strategy_order():
    inp = vp.PlanInput(shape=S["llama-3-8b"], quantization="none", optimizer="adamw_torch",
                       gpu_total_gb=24.0)
    per = {s: vp.plan_distributed(inp, 4, s)["per_gpu_gb"] for s in vp.STRATEGY_ORDER}
    assert per["ddp"] > per["zero2"] > per["zero3"]
    assert per["fsdp"] == pytest.approx(per["zero3"])
    # one GPU with ddp is the single-GPU plan
    assert vp.plan_distributed(inp, 1, "ddp")["per_gpu_gb"] == pytest.approx(vp.plan(inp).total_gb)
    # zero3 shards the 16 GB of bf16 weights: on 8 GPUs each holds about 1/8 (+ two gathered layers)
    w8 = vp.plan_distributed(inp, 8, "zero3")["weights_gb"]
    full = vp.plan(inp).weights_gb
    assert full / 8 < w8 < full / 8 + full * 2 / 32 + 0.01


def test_suggest_strategy_picks_the_cheapest_that_fits():
    bf16_8b = vp.PlanInput(shape=S["llama-3-8b"], quantization="none", optimizer="adamw_torch",
                           seq_len=1024, gpu_total_gb=16.0)
    best, plans = vp.suggest_strategy(bf16_8b, 4)
    assert not vp.plan_distributed(bf16_8b, 4, "ddp")["fits"]  # 15 GiB of bf16 weights + activations
    assert not vp.plan_distributed(bf16_8b, 4, "zero2")["fits"]
    assert best == "fsdp" and [p["strategy"] for p in plans] == list(vp.STRATEGY_ORDER)
    small = vp.PlanInput(shape=S["llama-3-8b"], quantization="4bit", seq_len=512, gpu_total_gb=24.0)
    assert vp.suggest_strategy(small, 2)[0] == "ddp"
    tiny_card = bf16_8b.with_(gpu_total_gb=2.0)
    assert vp.suggest_strategy(tiny_card, 2)[0] is None
    assert vp.suggest_strategy(bf16_8b, 4, available=("ddp", "zero3"))[0] == "zero3"
    with pytest.raises(UserError):
        vp.plan_distributed(bf16_8b, 0, "ddp")


def test_processes_on_the_command_line_reach_the_run_folder(ai_home, tmp_path):
    import io

    from app.commands import train_launch

    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "Hi"},
                                             {"role": "assistant", "content": "Hello"}]}) + "\n", encoding="utf-8")
    launch = train_launch.prepare(preset="cpu-demo", dataset=data, run_dir=tmp_path / "run", processes=2,
                                  out=io.StringIO())
    saved = json.loads((launch.run_dir / "config.json").read_text(encoding="utf-8"))
    assert saved["distributed"]["processes"] == 2 and saved["distributed"]["strategy"] == "ddp"
    one = train_launch.prepare(preset="cpu-demo", dataset=data, run_dir=tmp_path / "one", out=io.StringIO())
    assert json.loads((one.run_dir / "config.json").read_text(encoding="utf-8"))["distributed"] is None
    with pytest.raises(UserError) as bad:  # 0 processes: named like any bad setting
        train_launch.prepare(preset="cpu-demo", dataset=data, run_dir=tmp_path / "zero", processes=0,
                             out=io.StringIO())
    assert bad.value.params["field"] == "distributed.processes"
    with pytest.raises(UserError) as resumed:
        train_launch.prepare(run_dir=launch.run_dir, resume="latest", processes=4)
    assert resumed.value.code == "train.resume_with_processes"
    assert error_texts.user_error_text(resumed.value).startswith("--processes sets up a new run")


def test_a_strategy_that_shards_is_refused_on_cpu_processes():
    from app.training.ranks import device_for

    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA GPUs")
    assert device_for({"strategy": "ddp", "processes": 2}) == "cpu"
    for strategy in ("fsdp", "zero2", "zero3"):
        with pytest.raises(UserError) as info:
            device_for({"strategy": strategy, "processes": 2})
        assert info.value.code == "train.distributed.needs_gpu" and "Choose DDP" in str(info.value)


def test_torchrun_failure_summary_names_the_rank_and_signal():
    from app.training.ranks import _RankLog

    log = _RankLog(iter(()), None)
    log.summary = ["torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n",
                   "Failures:\n", "[1]:\n", "  rank      : 0 (local_rank: 0)\n", "  exitcode  : -15 (pid: 11)\n",
                   "Root Cause (first observed failure):\n", "[0]:\n", "  rank      : 1 (local_rank: 1)\n",
                   "  exitcode  : -9 (pid: 12)  (SIGKILL)\n"]
    assert log.root_cause() == {"rank": 1, "exit_code": -9, "signal": "SIGKILL"}
    log.summary = ["Root Cause:\n", "  rank      : 0 (local_rank: 0)\n", "  exitcode  : 1 (pid: 3)\n"]
    assert log.root_cause() == {"rank": 0, "exit_code": 1, "signal": ""}
    log.summary = []
    assert log.root_cause() == {}
