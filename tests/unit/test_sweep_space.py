"""The sweep's SPACE.json is checked before anything trains: each mistake named with its code."""

from __future__ import annotations

import json

import pytest

from app.core.errors import UserError
from app.training.sweep import read_space


@pytest.mark.parametrize("space, code", [
    ("{not json", "sweep.space_bad"),
    ({"params": {"learning_rate": {"low": 1e-4, "high": 1e-3}}}, "sweep.space_shape"),
    ({"base": {}, "params": {"optimizer": {"choices": ["adamw_torch"]}}}, "sweep.param_unknown"),
    ({"base": {}, "params": {"lora_r": {"low": 4}}}, "sweep.param_range"),
    ({"base": {}, "params": {"lora_r": {"choices": [4, 8]}}}, "sweep.no_val"),
])
def test_bad_spaces_are_named(tmp_path, space, code):
    data = tmp_path / "d.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n')
    if isinstance(space, dict) and "base" in space:
        space["base"] = {"base_model": str(tmp_path), "dataset_path": str(data), **space["base"]}
    path = tmp_path / "space.json"
    path.write_text(space if isinstance(space, str) else json.dumps(space), encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_space(path)
    assert err.value.code == code, err.value
    with pytest.raises(UserError) as err:
        read_space(tmp_path / "missing.json")
    assert err.value.code == "sweep.space_missing"
