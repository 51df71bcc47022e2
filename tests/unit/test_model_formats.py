"""The forms of a model and their formats, read from the files (no torch): quantization_config,
a GGUF header written by the gguf package, safetensors dtypes; exports matched to their source by
the verification report; measurements that go stale when the file is written again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from app.core import model_formats as mf


def weights(folder: Path, dtype: str = "bfloat16", config: dict | None = None) -> Path:
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file({"w": torch.zeros(4, 4, dtype=getattr(torch, dtype)), "norm": torch.ones(4)},
              str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], **(config or {})}))
    return folder


def gguf_file(path: Path, qtype: str | None, file_type: int | None = None) -> Path:
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(str(path), "llama")
    if file_type is not None:
        w.add_file_type(file_type)
    data = np.random.default_rng(0).standard_normal((8, 64)).astype(np.float32)
    if qtype == "Q8_0":
        q = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
        w.add_tensor("blk.0.w", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    else:
        w.add_tensor("blk.0.w", data.astype(np.float16))
    w.add_tensor("norm", np.ones(64, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


COMPRESSED_W8A8 = {"quant_method": "compressed-tensors", "format": "int-quantized", "config_groups": {
    "group_0": {"targets": ["Linear"], "weights": {"num_bits": 8, "type": "int", "symmetric": True},
                "input_activations": {"num_bits": 8, "type": "int", "dynamic": True}}}}
COMPRESSED_W4A16 = {"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {
    "group_0": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "group_size": 128},
                "input_activations": None}}}


@pytest.mark.parametrize("qcfg, name", [
    (COMPRESSED_W8A8, "compressed-tensors W8A8"),
    (COMPRESSED_W4A16, "compressed-tensors W4A16"),
    ({"quant_method": "compressed-tensors", "config_groups": {"g": {"weights": {"num_bits": 8, "type": "float"},
                                                                    "input_activations": {"num_bits": 8}}}},
     "compressed-tensors FP8"),
    ({"quant_method": "awq", "bits": 4}, "AWQ 4-bit"),
    ({"quant_method": "gptq", "bits": 8}, "GPTQ 8-bit"),
    ({"quant_method": "bitsandbytes", "load_in_4bit": True}, "bitsandbytes 4-bit"),
    ({"load_in_8bit": True}, "bitsandbytes 8-bit"),
])
def test_quantization_config_names_the_format(qcfg, name):
    assert mf.quantization_format(qcfg) == name


def test_formats_read_from_the_files(tmp_path):
    assert mf.describe_form(weights(tmp_path / "bf16"))["format"] == "safetensors bf16"
    assert mf.describe_form(weights(tmp_path / "f16", "float16"))["format"] == "safetensors f16"
    q = mf.describe_form(weights(tmp_path / "w8a8", config={"quantization_config": COMPRESSED_W8A8}))
    assert q["format"] == "compressed-tensors W8A8" and q["quantized"] and q["size_bytes"] > 0
    g = gguf_file(tmp_path / "a" / "m-q8_0.gguf", "Q8_0", file_type=7)
    assert mf.describe_form(g) == {"format": "GGUF Q8_0", "quantized": True, "size_bytes": g.stat().st_size}
    # without general.file_type: the type holding most weights
    assert mf.describe_form(gguf_file(tmp_path / "b" / "m.gguf", None))["format"] == "GGUF F16"
    assert mf.describe_form(gguf_file(tmp_path / "c" / "m.gguf", "Q8_0"))["format"] == "GGUF Q8_0"


def test_forms_of_a_model_exports_and_quantized_folders(tmp_path, ai_home):
    model = weights(tmp_path / "my-model")
    row = {"name": "my-model", "kind": "local", "path": str(model)}
    mine = ai_home / "exports" / "my-model-q8_0"
    gguf_file(mine / "my-model-q8_0.gguf", "Q8_0", file_type=7)
    (mine / "verify.json").write_text(json.dumps({"file": "my-model-q8_0.gguf", "quant": "q8_0", "source": str(model),
                                                  "adapter": None, "perplexity": {"gguf": 11.0, "change_pct": 2.5}}))
    other = ai_home / "exports" / "other-q8_0"  # exported from another folder: not a form of this one
    gguf_file(other / "other-q8_0.gguf", "Q8_0", file_type=7)
    (other / "verify.json").write_text(json.dumps({"file": "other-q8_0.gguf", "source": str(tmp_path / "x")}))
    quant = weights(tmp_path / "my-model-w8a8", config={"quantization_config": COMPRESSED_W8A8})
    # as `ai-platform quantize` registers it: "quantize:SCHEME:SOURCE NAME", config naming a temp folder
    quant4 = weights(tmp_path / "my-model-w4a16", config={"quantization_config": COMPRESSED_W4A16,
                                                         "_name_or_path": str(tmp_path / "merged.tmp")})
    rows = [row, {"name": "my-model-w8a8", "kind": "local", "path": str(quant), "source": str(model)},
            {"name": "my-model-w4a16", "kind": "quantized", "path": str(quant4), "source": "quantize:w4a16:my-model"},
            {"name": "unrelated", "kind": "local", "path": str(weights(tmp_path / "u")), "source": "elsewhere"}]
    forms = mf.forms_of(row, rows)
    assert [(f["role"], f["format"]) for f in forms] == [
        ("model", "safetensors bf16"), ("quantized", "compressed-tensors W8A8"),
        ("quantized", "compressed-tensors W4A16"), ("gguf", "GGUF Q8_0")]
    assert all(f["measured"] is None for f in forms)
    ref = mf.reference_of(forms)
    assert ref is forms[0]
    assert mf.perplexity_change(forms[3], ref) == (2.5, "export")  # the export's own verification
    assert mf.perplexity_change(forms[1], ref) == (None, None)


def test_measurements_go_stale_when_the_file_changes(tmp_path, ai_home):
    model = weights(tmp_path / "m")
    quant = weights(tmp_path / "q", config={"quantization_config": COMPRESSED_W4A16})
    mf.save_measurement(model, {"perplexity": 10.0, "tokens_per_s": 50.0, "texts": "s[:16]"})
    mf.save_measurement(quant, {"perplexity": 11.0, "tokens_per_s": 70.0, "texts": "s[:16]"})
    assert mf.measurement_file(model).parent == ai_home / "measurements"
    forms = mf.forms_of({"name": "m", "kind": "local", "path": str(model)},
                        [{"name": "q", "kind": "local", "path": str(quant), "source": str(model)}])
    change, source = mf.perplexity_change(forms[1], forms[0])
    assert source == "measured" and change == pytest.approx(10.0)
    # measured on other texts: no comparison
    mf.save_measurement(quant, {"perplexity": 11.0, "texts": "other[:3]"})
    forms = mf.forms_of({"name": "m", "kind": "local", "path": str(model)},
                        [{"name": "q", "kind": "local", "path": str(quant), "source": str(model)}])
    assert mf.perplexity_change(forms[1], forms[0]) == (None, None)
    # written again: the old number is not shown
    st = (model / "model.safetensors").stat()
    os.utime(model / "model.safetensors", (st.st_atime, st.st_mtime + 10))
    assert mf.read_measurement(model) is None


def test_an_export_written_elsewhere_is_listed_once_recorded(tmp_path, ai_home):
    model = weights(tmp_path / "m")
    row = {"name": "m", "kind": "local", "path": str(model)}
    elsewhere = gguf_file(tmp_path / "out" / "m-f16.gguf", None, file_type=1)
    (elsewhere.parent / "verify.json").write_text(json.dumps({"file": "m-f16.gguf", "source": str(model)}))
    assert [f["role"] for f in mf.forms_of(row)] == ["model"]
    mf.record_export(elsewhere)
    mf.record_export(elsewhere)  # twice: listed once
    assert [(f["role"], f["format"]) for f in mf.forms_of(row)] == [("model", "safetensors bf16"), ("gguf", "GGUF F16")]
    elsewhere.unlink()  # deleted by the user: gone from the list
    assert [f["role"] for f in mf.forms_of(row)] == ["model"]
