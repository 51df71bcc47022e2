"""Several chat engines within the memory the user allows: what an engine takes, the budget, and
which engines a new one stops (least recently used first, never one that is answering)."""

from __future__ import annotations

import json

import psutil
import pytest

from app.core import serve_memory as sm
from app.core.serve_memory import GIB, Running


def test_nothing_is_stopped_when_it_fits():
    running = [Running("a", 2 * GIB, 1.0, False)]
    assert sm.make_room(running, 3 * GIB, 8 * GIB) == ([], True)


def test_the_least_recently_used_idle_engines_go_first_and_only_as_many_as_needed():
    running = [Running("old", 3 * GIB, 1.0, False), Running("newer", 3 * GIB, 5.0, False),
               Running("newest", 1 * GIB, 9.0, False)]
    assert sm.make_room(running, 3 * GIB, 8 * GIB) == (["old"], True)
    assert sm.make_room(running, 6 * GIB, 8 * GIB) == (["old", "newer"], True)


def test_an_engine_that_is_answering_is_never_stopped():
    running = [Running("answering", 5 * GIB, 0.0, True), Running("idle", 2 * GIB, 3.0, False)]
    assert sm.make_room(running, 3 * GIB, 8 * GIB) == (["idle"], True)
    # Even with every idle one stopped it would not fit: nothing is stopped, and it does not fit.
    assert sm.make_room(running, 4 * GIB, 8 * GIB) == ([], False)


def test_no_known_budget_means_no_limit():
    assert sm.make_room([Running("a", 100 * GIB, 0.0, False)], 100 * GIB, None) == ([], True)


def test_budget_setting_gpu_and_cpu():
    assert sm.budget_bytes(12, on_gpu=False) == (12 * GIB, True)
    assert sm.budget_bytes(0, on_gpu=True, gpu_total_bytes=24 * GIB) == (24 * GIB, False)
    assert sm.budget_bytes(0, on_gpu=True) == (None, False)  # the monitor has not read the card yet
    auto, explicit = sm.budget_bytes(0, on_gpu=False)
    assert not explicit and auto == pytest.approx(psutil.virtual_memory().total * sm.AUTO_RAM_SHARE, rel=1e-6)


def test_engine_bytes_from_the_weights(tmp_path):
    import numpy as np
    from safetensors.numpy import save_file

    (tmp_path / "config.json").write_text(json.dumps({
        "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 4, "intermediate_size": 128, "vocab_size": 1000, "max_position_embeddings": 512,
        "torch_dtype": "float32"}))
    save_file({"w": np.zeros((1000, 1000), np.float32)}, str(tmp_path / "model.safetensors"))
    cpu = sm.engine_bytes(tmp_path, on_gpu=False)
    assert cpu == int(1_000_000 * 4 * sm.CPU_WEIGHT_FACTOR + sm.CPU_RUNTIME_BYTES)
    gpu = sm.engine_bytes(tmp_path, on_gpu=True)
    assert gpu > 2_000_000  # 16-bit weights, KV cache and the CUDA context
    assert sm.engine_bytes(tmp_path / "missing", on_gpu=False) == 0
