"""TrainConfig: JSON round trip, validation naming the field, presets, run folders; no torch."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from app.core import bundled, paths, train_config
from app.core.errors import UserError
from app.core.train_config import TrainConfig, preset


def good(**overrides) -> dict:
    raw = {"base_model": "/models/m", "dataset_path": "/data/train.jsonl"}
    raw.update(overrides)
    return raw


def test_defaults_round_trip_through_json():
    cfg = TrainConfig.from_dict(good())
    assert cfg.schema_version == train_config.SCHEMA_VERSION
    again = TrainConfig.from_json(cfg.to_json())
    assert again == cfg
    assert json.loads(cfg.to_json())["lora_r"] == 16


@pytest.mark.parametrize("field, value, words", [
    ("method", "full", 'one of "lora", "qlora"'),
    ("quantization", "2bit", "one of"),
    ("dtype", "fp8", "one of"),
    ("target_modules", "mlp", "one of"),
    ("scheduler", "step", "one of"),
    ("optimizer", "sgd", "one of"),
    ("lora_r", 0, "from 1"),
    ("lora_r", 8.5, "whole number"),
    ("lora_r", True, "whole number"),
    ("lora_alpha", 0, "above 0"),
    ("lora_dropout", 1.0, "below 1"),
    ("max_seq_len", 8, "from 16"),
    ("batch_size", 0, "from 1"),
    ("grad_accum", "4", "whole number"),
    ("epochs", 0, "above 0"),
    ("max_steps", 0, "cannot be 0"),
    ("max_steps", -2, "from -1"),
    ("learning_rate", 0, "above 0"),
    ("learning_rate", float("nan"), "a number"),
    ("warmup_ratio", 1.0, "below 1"),
    ("weight_decay", -0.1, "from 0"),
    ("gradient_checkpointing", "yes", "true, false or \"auto\""),
    ("packing", "on", "true or false"),
    ("logging_steps", -1, "from 0"),  # 0 is automatic
    ("eval_steps", 0, "from 1"),
    ("save_steps", 0, "from 1"),
    ("save_total_limit", -1, "from 0"),
    ("seed", -1, "from 0"),
    ("threads", 0, "from 1"),
    ("base_model", "", "is empty"),
    ("dataset_path", "  ", "is empty"),
    ("dataset_path", 3, "must be text"),
    ("val_path", 3, "must be text"),
    ("predicted_peak_gb", -1, "from 0"),
])
def test_each_bad_field_is_named(field, value, words):
    with pytest.raises(UserError) as info:
        TrainConfig.from_dict(good(**{field: value}))
    err = info.value
    assert str(err).startswith(f"{field}: ")
    assert words in str(err)
    assert err.code == "train_config.invalid"
    assert err.params["field"] == field and err.params["hint"]
    message, hint = train_config.split_hint(err)
    assert hint and hint not in message and message.startswith(field)


def test_whole_floats_are_whole_numbers():
    cfg = TrainConfig.from_dict(good(lora_r=8.0, threads=2.0))
    assert cfg.lora_r == 8 and isinstance(cfg.lora_r, int) and cfg.threads == 2


def test_qlora_means_a_4bit_base():
    assert TrainConfig.from_dict(good(method="qlora")).quantization == "4bit"
    assert TrainConfig(method="qlora").quantization == "4bit"
    with pytest.raises(UserError, match=r'^quantization: must be "4bit" when method is "qlora"'):
        TrainConfig.from_dict(good(method="qlora", quantization="8bit"))
    assert TrainConfig.from_dict(good(method="lora", quantization="8bit")).quantization == "8bit"


def test_unknown_keys_and_other_versions_are_refused():
    with pytest.raises(UserError) as info:
        TrainConfig.from_dict(good(learning_rat=1e-4))
    assert info.value.code == "train_config.unknown_field" and "learning_rat" in str(info.value)
    with pytest.raises(UserError) as info:
        TrainConfig.from_dict(good(schema_version=train_config.SCHEMA_VERSION + 1))
    assert info.value.code == "train_config.newer_version" and str(info.value).startswith("schema_version:")
    with pytest.raises(UserError, match="JSON object"):
        TrainConfig.from_dict([1, 2])
    with pytest.raises(UserError) as info:
        TrainConfig.from_json("{not json")
    assert info.value.code == "train_config.bad_json"


def test_packing_is_off_unless_a_config_turns_it_on():
    old = good()
    old.pop("packing", None)  # a config written before the setting existed
    assert TrainConfig.from_dict(old).packing is False
    assert TrainConfig.from_dict(good(packing=True)).packing is True


def test_empty_val_path_means_none():
    assert TrainConfig.from_dict(good(val_path="")).val_path is None


def test_check_files_names_what_is_missing(tmp_path, ai_home):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    data = tmp_path / "train.jsonl"
    data.write_text("")
    TrainConfig.from_dict(good(base_model=str(model), dataset_path=str(data))).check_files()

    cases = [
        (good(base_model=str(tmp_path / "none"), dataset_path=str(data)), "train_config.model_missing", "base_model"),
        (good(base_model=str(model), dataset_path=str(tmp_path / "x.jsonl")), "train_config.dataset_missing",
         "dataset_path"),
        (good(base_model=str(model), dataset_path=str(data), val_path=str(tmp_path / "v.jsonl")),
         "train_config.dataset_missing", "val_path"),
        (good(base_model="default", dataset_path=str(data)), "train_config.default_model_missing", "base_model"),
    ]
    for raw, code, field in cases:
        with pytest.raises(UserError) as info:
            TrainConfig.from_dict(raw).validate(check_files=True)
        assert info.value.code == code and info.value.params["field"] == field and info.value.params["hint"]


def test_default_model_resolves_to_the_converted_bundled_model(ai_home):
    cfg = TrainConfig.from_dict(good(base_model="default"))
    assert cfg.model_dir() == bundled.default_model_dir() == paths.models_dir() / bundled.DEFAULT_MODEL_FOLDER


@pytest.mark.parametrize("name", train_config.PRESETS)
def test_presets_are_valid_once_paths_are_given(name):
    cfg = preset(name, dataset_path="/d.jsonl")
    if not cfg.base_model:
        cfg.base_model = "/models/m"
    cfg.validate()
    assert TrainConfig.from_json(cfg.to_json()) == cfg


def test_preset_values():
    demo = preset("cpu-demo")
    assert (demo.base_model, demo.method, demo.dtype, demo.target_modules, demo.lora_r, demo.max_seq_len,
            demo.batch_size, demo.gradient_checkpointing) == ("default", "lora", "float32", "all-linear", 8, 256,
                                                              2, False)
    q = preset("qlora-8b-24gb")
    assert q.method == "qlora" and q.quantization == "4bit" and q.gradient_checkpointing == "auto"
    assert q.optimizer == "paged_adamw_8bit" and q.dtype == "bfloat16"
    assert preset("lora-3b-24gb").quantization == "none"
    assert preset("cpu-demo", max_steps=3).max_steps == 3
    with pytest.raises(UserError) as info:
        preset("gpu-monster")
    assert info.value.code == "train_config.unknown_preset"
    with pytest.raises(UserError):
        preset("cpu-demo", nonsense=1)


def test_new_run_dir_is_unique_sortable_and_under_runs(ai_home):
    a = train_config.new_run_dir("My first run: 中文!")
    b = train_config.new_run_dir("My first run: 中文!")
    assert a != b and a.parent == b.parent == paths.runs_dir()
    assert a.is_dir() and not list(a.iterdir())
    assert re.fullmatch(r"\d{8}-\d{6}-my-first-run-[0-9a-f]{4}", a.name), a.name
    assert train_config.new_run_id("", now=0).split("-")[2] == "run"
    assert train_config.new_run_id("x", now=100) < train_config.new_run_id("x", now=200)


def test_write_and_read_config(tmp_path):
    cfg = TrainConfig.from_dict(good(lora_r=4))
    path = train_config.write_config(tmp_path / "run", cfg)
    assert path == tmp_path / "run" / "config.json"
    assert train_config.read_config(path) == cfg
    assert [p.name for p in path.parent.iterdir()] == ["config.json"]  # no temp file left
    with pytest.raises(UserError) as info:
        train_config.read_config(tmp_path / "missing.json")
    assert info.value.code == "train_config.missing"


def test_no_heavy_imports(engine_env):
    code = ("import sys; import app.core.train_config, app.engines.train, app.commands.train_launch, app.cli; "
            "heavy = [m for m in ('torch', 'transformers', 'peft', 'bitsandbytes', 'accelerate') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_automatic_logging_gives_every_run_a_useful_curve():
    # Every step of a short run (a 42-step demo gets 42 points, not 5), about 200 points of a long one.
    assert train_config.logging_interval(0, 42) == 1
    assert train_config.logging_interval(0, 200) == 1
    assert train_config.logging_interval(0, 10_000) == 50
    assert train_config.logging_interval(7, 42) == 7  # a chosen interval stays
    assert TrainConfig().logging_steps == 0
