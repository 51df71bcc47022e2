"""The GPU sampler: against the named fake NVML (2 GPUs; this machine has none) and against the real
library's no-GPU path; alerts; redaction of secrets in logs; the `ai-platform gpu --json` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import pytest

from app.core import gpu, paths
from tests.helpers.fake_nvml import GIB, FakeGpu, FakeNvml


def test_sample_two_gpus_with_processes_and_unsupported_fields():
    nvml = FakeNvml()
    reading = gpu.sample(nvml)
    assert reading["available"] is True and reading["reason"] is None
    g0, g1 = reading["gpus"]
    assert (g0["index"], g0["name"], g0["uuid"]) == (0, "NVIDIA GeForce RTX 4090", "GPU-4090-0000")
    assert g0["utilization"] == 40 and g0["memory_total_gb"] == pytest.approx(24.0)
    assert g0["memory_used_gb"] == pytest.approx(14.0) and g0["temperature_c"] == 55
    assert g0["slowdown_c"] == 87 and g0["power_w"] == pytest.approx(180.0) and g0["power_limit_w"] == 450.0
    assert (g0["sm_clock_mhz"], g0["mem_clock_mhz"], g0["fan_percent"]) == (2520, 10501, 35)
    # Compute and graphics processes, largest first, memory in GiB.
    assert [p["pid"] for p in g0["processes"]] == [4242, 4243, 1200]
    assert [p["memory_gb"] for p in g0["processes"]] == pytest.approx([9.0, 3.0, 0.5])
    # Fields the second GPU does not support read as None, never an error.
    assert g1["fan_percent"] is None and g1["slowdown_c"] is None and g1["processes"] == []
    assert g1["utilization"] == 3
    # CPU and RAM come from psutil, always.
    assert 0 <= reading["cpu"]["percent"] <= 100 * os.cpu_count()
    assert reading["ram"]["total_gb"] == pytest.approx(psutil.virtual_memory().total / GIB, rel=0.01)
    assert nvml.initialised == 0  # sample() shut NVML down again


def test_every_field_unsupported_is_none_not_a_crash():
    every = {n for n in dir(FakeNvml) if n.startswith("nvmlDeviceGet") and n not in
             ("nvmlDeviceGetCount", "nvmlDeviceGetHandleByIndex")}
    reading = gpu.sample(FakeNvml(gpus=[FakeGpu(unsupported=every)]))
    (g,) = reading["gpus"]
    assert reading["available"] and g["index"] == 0 and g["processes"] == []
    assert all(g[k] is None for k in ("name", "utilization", "memory_used_gb", "temperature_c", "power_w",
                                      "sm_clock_mhz", "fan_percent"))
    assert gpu.alerts(reading) == []


def test_process_owner_is_the_run_whose_engine_json_names_it(ai_home):
    me = psutil.Process()
    run_dir = paths.runs_dir() / "20261126-000000-demo-abcd"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"name": "demo run"}))
    (run_dir / "engine.json").write_text(json.dumps({"pid": me.pid, "create_time": me.create_time(),
                                                     "engine": "train"}))
    # A stale engine.json (pid reused: different create_time) owns nothing.
    stale = paths.runs_dir() / "old-run"
    stale.mkdir()
    (stale / "engine.json").write_text(json.dumps({"pid": os.getppid(), "create_time": 12345.0}))
    nvml = FakeNvml(gpus=[FakeGpu(compute=[(me.pid, 2 * GIB), (os.getppid(), GIB)], graphics=[(77777777, None)])])
    reading = gpu.sample(nvml, pids={4242: "serve engine"})
    procs = {p["pid"]: p for p in reading["gpus"][0]["processes"]}
    assert procs[me.pid]["owner"] == {"kind": "run", "run_id": run_dir.name, "label": "demo run", "engine": "train"}
    assert procs[me.pid]["name"] == me.name()
    assert procs[os.getppid()]["owner"] is None
    assert procs[77777777]["memory_gb"] is None and procs[77777777]["name"] is None  # no such process
    # A pid the caller passes (e.g. the serving engine) is owned by its label.
    nvml.gpus[0].compute.append((4242, GIB))
    reading = gpu.sample(nvml, pids={4242: "serve engine"})
    owner = {p["pid"]: p["owner"] for p in reading["gpus"][0]["processes"]}[4242]
    assert owner == {"kind": "engine", "label": "serve engine"}


@pytest.mark.parametrize("error, code", [("library_not_found", "no_driver"),
                                         ("driver_not_loaded", "driver_not_loaded"),
                                         ("no_permission", "no_permission")])
def test_no_driver_states_from_the_fake(error, code):
    reading = gpu.sample(FakeNvml(init_error=error))
    assert reading["available"] is False and reading["reason_code"] == code and reading["gpus"] == []
    assert reading["reason"] and "ram" in reading and "cpu" in reading


def test_zero_gpus_is_no_gpu():
    reading = gpu.sample(FakeNvml(gpus=[]))
    assert reading["available"] is False and reading["reason_code"] == "no_gpu"


def test_real_library_on_this_machine_reports_why_there_is_no_gpu():
    """This machine has no NVIDIA driver: the real pynvml must give the no-GPU state, not raise."""
    pynvml = pytest.importorskip("pynvml")
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        pass
    else:
        pynvml.nvmlShutdown()
        pytest.skip("this machine has an NVIDIA driver")
    reading = gpu.sample()
    assert reading["available"] is False
    assert reading["reason_code"] in ("no_driver", "driver_not_loaded", "nvml_error")
    assert "NVML" in reading["reason"]
    assert reading["ram"]["total_gb"] > 0 and reading["cpu"]["count"] == psutil.cpu_count()


def test_alerts_for_memory_and_temperature():
    nvml = FakeNvml()
    assert gpu.alerts(gpu.sample(nvml)) == []
    nvml.gpus[0].used_gb = 23.5          # 97.9 % of 24 GiB
    nvml.gpus[0].temperature = 87         # at the slowdown threshold
    nvml.gpus[1].temperature = 90         # threshold unknown: 90 C
    codes = [(c, i) for c, i, _ in gpu.alerts(gpu.sample(nvml))]
    assert codes == [("memory", 0), ("temperature", 0), ("temperature", 1)]
    nvml.gpus[0].used_gb = 22.5          # 94 % is not over
    nvml.gpus[0].temperature = 86
    nvml.gpus[1].temperature = 89
    assert gpu.alerts(gpu.sample(nvml)) == []


def test_sampler_keeps_nvml_open_between_samples_and_closes():
    nvml = FakeNvml()
    sampler = gpu.Sampler(nvml)
    for _ in range(3):
        assert sampler.sample()["available"]
    assert nvml.initialised == 1
    sampler.close()
    assert nvml.initialised == 0


def test_cli_gpu_json_on_this_machine(ai_home, engine_env):
    out = subprocess.run([sys.executable, "-m", "app.cli", "gpu", "--json"], check=False, capture_output=True, text=True,
                         env=engine_env, timeout=120)
    assert out.returncode == 0, out.stderr
    reading = json.loads(out.stdout)
    assert set(reading) >= {"available", "reason", "cpu", "ram", "gpus"}
    if not reading["available"]:
        assert reading["reason"] and reading["ram"]["total_gb"] > 0
    text = subprocess.run([sys.executable, "-m", "app.cli", "gpu"], check=False, capture_output=True, text=True,
                          env=engine_env, timeout=120)
    assert text.returncode == 0 and "RAM" in text.stdout


def test_cli_text_summary_of_two_gpus():
    from app.commands.gpu import format_text

    text = format_text(gpu.sample(FakeNvml()))
    assert "GPU 0: NVIDIA GeForce RTX 4090" in text and "GPU 1: NVIDIA RTX A5000" in text
    assert "fan n/a" in text and "pid    4242" in text
