"""A chat engine's GPU memory: the GPU monitor names the engine's GPU processes (a child of the
engine, like vLLM's worker) and the engine list shows their memory. NVML is the named fake (this
machine has no GPU); the engine and its child process are real."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.core import gpu as gpu_core
from tests.helpers.fake_nvml import GIB, FakeGpu, FakeNvml

pytestmark = pytest.mark.slow


def test_engine_gpu_memory_reaches_the_models_panel_and_chat(main_window, home_with_model, qtbot):
    ctx = main_window.ctx
    serve = ctx.serve
    key = serve.start("default", engine="transformers")
    try:
        qtbot.waitUntil(lambda: serve.get(key).state == "ready", timeout=180_000)
        info = serve.get(key)
        labels = serve.gpu_owner_labels()
        assert labels == {info.pid: f"chat engine: {info.label}"}
        # a grandchild-like process of ours stands for vLLM's GPU worker: attributed through its parent
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            nvml = FakeNvml([FakeGpu(compute=[(info.pid, 5 * GIB), (child.pid, GIB), (999_999, 7 * GIB)])])
            reading = gpu_core.Sampler(nvml).sample({**labels, child.pid: labels[info.pid]})
            serve.apply_gpu_reading(reading)
        finally:
            child.kill()
            child.wait()
        assert serve.get(key).gpu_memory_bytes == 6 * GIB  # the engine's two processes, not the stranger
        main_window.show_panel("models")
        models = main_window.panel("models")
        models.refresh_engines()
        assert "GPU" in models.engines_table.item(0, 4).text()
        main_window.show_panel("chat")
        assert "GPU 6.0 GiB" in main_window.panel("chat").engine_state.text()
    finally:
        serve.shutdown()
