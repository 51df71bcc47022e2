"""`ai-platform models list` and ``describe_model_dir``: folders read without torch."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import bundled
from app.core.errors import UserError
from app.core.model_folder import safetensors_params
from app.core.models_registry import describe_model_dir
from tests.helpers.engines import REPO


def write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> None:
    header, offset = {}, 0
    sizes = {"F32": 4, "BF16": 2, "F16": 2}
    for name, (dtype, shape) in tensors.items():
        n = sizes[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


def fake_model(folder: Path, **config) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "bfloat16",
           "max_position_embeddings": 4096, **config}
    (folder / "config.json").write_text(json.dumps(cfg))
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{{ messages }}"}))
    (folder / "tokenizer.json").write_text("{}")
    write_safetensors(folder / "model-00001-of-00002.safetensors", {"a": ("BF16", [10, 20]), "b": ("BF16", [7])})
    write_safetensors(folder / "model-00002-of-00002.safetensors", {"c": ("BF16", [3, 3, 3])})
    return folder


def test_describe_reads_headers_config_and_template(tmp_path):
    folder = fake_model(tmp_path / "m")
    assert safetensors_params(folder) == (200 + 7 + 27, {"BF16": 234})
    d = describe_model_dir(folder)
    assert d["format"] == "hf" and d["architecture"] == "LlamaForCausalLM" and d["params"] == 234
    assert d["dtype"] == "bfloat16" and d["context_length"] == 4096 and d["chat_template"] is True
    assert d["size_bytes"] > 468 and d["trust_remote_code"] is False


def test_remote_code_is_refused_unless_allowed(tmp_path):
    folder = fake_model(tmp_path / "m", auto_map={"AutoModelForCausalLM": "modeling_x.XForCausalLM"})
    with pytest.raises(UserError) as err:
        describe_model_dir(folder)
    assert err.value.code == "model.remote_code" and "trust_remote_code" in str(err.value)
    assert describe_model_dir(folder, allow_remote_code=True)["trust_remote_code"] is True


def run_cli(args, home):
    from tests.helpers.engines import engine_env_for

    return subprocess.run([sys.executable, "-m", "app", *args], env=engine_env_for(home), cwd=str(REPO),
                          capture_output=True, text=True, timeout=120)


def test_list_without_prepared_model_says_how(ai_home):
    out = run_cli(["models", "list", "--json"], ai_home)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows[0]["kind"] == "bundled" and rows[0]["ready"] is False and "setup-models" in rows[0]["fix"]


def test_list_shows_bundled_registered_merged_and_adapters(ai_home, tmp_path):
    # A "prepared" bundled folder (the marker makes it ready), a registered merged model, a run's adapter.
    default = fake_model(bundled.default_model_dir(ai_home), torch_dtype="float32")
    (default / bundled.COMPLETE_MARKER).write_text("{}")
    merged = fake_model(tmp_path / "merged")
    adapter = tmp_path / "run1" / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 8, "base_model_name_or_path": str(default)}))
    write_safetensors(adapter / "adapter_model.safetensors", {"lora_A": ("F32", [8, 16])})

    from app.core.db.database import open_database
    from app.core.db.models import Run
    from app.core.models_registry import ModelRegistry

    with open_database() as db:
        ModelRegistry(db).register_folder("my-merged", merged, "merged", source="run1", params=234)
        with db.session() as s:
            s.add(Run(id="run1", name="zorbania-lora", status="completed", method="lora", base_model=str(default),
                      run_dir=str(tmp_path / "run1"), adapter_path=str(adapter)))

    out = run_cli(["models", "list", "--json"], ai_home)
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows[bundled.DEFAULT_CHAT_MODEL]["kind"] == "bundled" and rows[bundled.DEFAULT_CHAT_MODEL]["ready"]
    assert rows[bundled.DEFAULT_CHAT_MODEL]["dtype"] == "float32"
    m = rows["my-merged"]
    assert (m["kind"], m["path"], m["params"], m["context_length"], m["chat_template"]) == (
        "merged", str(merged), 234, 4096, True)
    a = rows["zorbania-lora"]
    assert (a["kind"], a["run_id"], a["base_model"], a["path"], a["params"]) == (
        "adapter", "run1", str(default), str(adapter), 128)

    text = run_cli(["models", "list"], ai_home)
    assert text.returncode == 0 and "my-merged" in text.stdout and "adapter" in text.stdout
