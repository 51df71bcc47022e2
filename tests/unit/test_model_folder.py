"""Facts about a model folder (app/core/model_folder.py), read from files alone, and the one-way imports
of the modules that use them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import model_folder as mf
from tests.unit.test_models_cli import fake_model, write_safetensors


def test_read_json_is_lenient_and_load_json_says_what_is_wrong(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"a": 1}), encoding="utf-8")
    assert mf.read_json(good) == {"a": 1} == mf.load_json(good)
    assert mf.read_json(tmp_path / "missing.json") == {}
    with pytest.raises(FileNotFoundError):
        mf.load_json(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert mf.read_json(broken) == {}
    with pytest.raises(ValueError):
        mf.load_json(broken)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    assert mf.read_json(listed) == {} and mf.load_json(listed) == [1, 2]
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    assert mf.read_config(tmp_path) == {"model_type": "llama"}
    assert mf.read_config(tmp_path / "nowhere") == {}


@pytest.mark.parametrize("config, expected", [
    ({"max_position_embeddings": 4096, "n_positions": 1024}, 4096),
    ({"n_positions": 1024}, 1024),
    ({"max_seq_len": 512}, 512),
    ({"seq_length": 2048}, 2048),
    ({"max_position_embeddings": "4096"}, None),  # not a number: unknown
    ({}, None),
])
def test_model_max_len_and_its_cap(tmp_path, config, expected):
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert mf.model_max_len(tmp_path) == expected
    assert mf.capped_max_len(tmp_path, cap=2048) == min(expected or 2048, 2048)
    assert mf.capped_max_len(tmp_path) == min(expected or mf.GPU_MAX_MODEL_LEN_CAP, mf.GPU_MAX_MODEL_LEN_CAP)


def test_chat_template_from_jinja_file_or_tokenizer_config(tmp_path):
    assert mf.chat_template_text(tmp_path) == "" and not mf.has_chat_template(tmp_path)
    named = [{"name": "default", "template": "A {{ tools }}"}, {"name": "rag", "template": "B"}, "junk"]
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": named}), encoding="utf-8")
    assert mf.chat_template_text(tmp_path) == "A {{ tools }} B" and mf.has_chat_template(tmp_path)
    assert mf.tool_call_parser(tmp_path) is None  # mentions tools, but no tool-call syntax vLLM reads
    (tmp_path / "chat_template.jinja").write_text("{% if tools %}<tool_call>{% endif %}", encoding="utf-8")
    assert mf.chat_template_text(tmp_path).startswith("{% if tools %}")  # the .jinja file wins
    assert mf.tool_call_parser(tmp_path) == "hermes"


def test_safetensors_listing_skips_unreadable_files_and_sizes_add_up(tmp_path):
    folder = fake_model(tmp_path / "m")
    assert mf.safetensors_params(folder) == (200 + 7 + 27, {"BF16": 234})
    (folder / "truncated.safetensors").write_bytes(b"\x01\x02")  # shorter than the length prefix
    (folder / "garbage.safetensors").write_bytes(b"\x05\0\0\0\0\0\0\0{nope")
    assert mf.safetensors_params(folder) == (234, {"BF16": 234})
    write_safetensors(folder / "extra.safetensors", {"d": ("F32", [4])})
    assert sorted(mf.safetensors_tensors(folder)) == sorted([("BF16", 200), ("BF16", 7), ("BF16", 27), ("F32", 4)])
    assert mf.folder_size(folder) == sum(p.stat().st_size for p in folder.iterdir())
    one = folder / "config.json"
    assert mf.folder_size(one) == one.stat().st_size


def test_imports_point_one_way(engine_env):
    """model_folder imports no other app module; the planner reads folders through it and knows neither
    the registry nor the serve config; the registry does not import the serve config."""
    code = ("import sys\n"
            "import app.core.model_folder\n"
            "print(sorted(m for m in sys.modules if m.startswith('app.core.')))\n"
            "import app.core.vram_planner\n"
            "print('app.core.models_registry' in sys.modules, 'app.core.serve_config' in sys.modules)\n"
            "import app.core.models_registry\n"
            "print('app.core.serve_config' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.splitlines() == ["['app.core.model_folder']", "False False", "False"], out.stderr
