"""The model registry beyond listing: importing folders, remote code, deleting, the GPU estimate,
and the download engine's offline message."""

from __future__ import annotations

import json
import socket

import pytest

from app.core import models_registry as mr
from app.core import paths, protocol, serve_config, vram_planner
from app.core.db.database import open_database
from app.core.errors import UserError
from tests.helpers.engines import engine_env_for, run_engine
from tests.unit.test_models_cli import fake_model, write_safetensors


@pytest.fixture
def db(ai_home):
    d = open_database()
    yield d
    d.close()


def test_validate_names_the_folder_and_what_is_missing(tmp_path):
    empty = tmp_path / "holiday photos"
    empty.mkdir()
    with pytest.raises(UserError) as err:
        mr.validate_hf_folder(empty)
    assert err.value.code == "model.no_config" and str(empty) in str(err.value) and "config.json" in str(err.value)
    (empty / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(UserError) as err:
        mr.validate_hf_folder(empty)
    assert err.value.code == "model.no_weights" and str(empty) in str(err.value)
    with pytest.raises(UserError) as err:
        mr.validate_hf_folder(tmp_path / "missing")
    assert err.value.code == "model.not_folder"
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    with pytest.raises(UserError) as err:
        mr.validate_hf_folder(adapter)
    assert err.value.code == "model.is_adapter"
    assert mr.validate_hf_folder(fake_model(tmp_path / "ok")) == (tmp_path / "ok").resolve()


def test_import_registers_once_with_a_unique_name(db, tmp_path):
    a = mr.import_folder(db, fake_model(tmp_path / "a" / "tiny"))
    b = mr.import_folder(db, fake_model(tmp_path / "b" / "tiny"))
    assert (a.name, b.name, a.kind) == ("tiny", "tiny-2", "base")
    with pytest.raises(UserError) as err:
        mr.import_folder(db, tmp_path / "a" / "tiny")
    assert err.value.code == "model.already_registered" and '"tiny"' in str(err.value)
    rows = {r["name"]: r for r in mr.list_all_models(db)}
    assert rows["tiny"]["kind"] == "local" and rows["tiny"]["id"] == a.id and rows["tiny"]["refused"] is False
    assert rows["tiny"]["params"] == 234 and rows["tiny"]["context_length"] == 4096


def test_known_model_types_match_transformers_without_importing_it():
    known = mr.known_model_types()  # read from the source files
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    assert known is not None and set(CONFIG_MAPPING_NAMES) <= known
    assert {"llama", "qwen2", "mistral"} <= known and "zorblax-9000" not in known


def test_auto_map_and_unknown_type_are_refused_until_allowed_for_that_model(db, tmp_path):
    remote = mr.import_folder(db, fake_model(tmp_path / "remote", auto_map={"AutoModelForCausalLM": "m.X"}))
    mr.import_folder(db, fake_model(tmp_path / "odd", model_type="zorblax-9000"))
    plain = mr.import_folder(db, fake_model(tmp_path / "plain"))
    rows = {r["name"]: r for r in mr.list_all_models(db)}
    assert "auto_map" in rows["remote"]["remote_code"] and rows["remote"]["refused"] is True
    assert "zorblax-9000" in rows["odd"]["remote_code"] and rows["odd"]["refused"] is True
    assert rows["plain"]["remote_code"] is None and rows["plain"]["refused"] is False
    with pytest.raises(UserError) as err:  # the serve engine refuses it too
        serve_config.resolve_model("remote")
    assert err.value.code == "serve.remote_code"

    mr.ModelRegistry(db).set_trust_remote_code(remote.id, True)
    rows = {r["name"]: r for r in mr.list_all_models(db)}
    assert rows["remote"]["refused"] is False and rows["remote"]["trust_remote_code"] is True
    assert rows["odd"]["refused"] is True and plain.trust_remote_code is False  # only that model
    assert serve_config.resolve_model("remote")[1] == (tmp_path / "remote").resolve()
    assert serve_config.registered_trusts_remote_code(str(tmp_path / "remote")) is True
    cfg = serve_config.ServeConfig("remote", tmp_path / "remote", port=1, trust_remote_code=True)
    assert "--trust-remote-code" in serve_config.vllm_command("python", cfg, cuda=False)
    cfg.trust_remote_code = False
    assert "--trust-remote-code" not in serve_config.vllm_command("python", cfg, cuda=False)


def test_delete_removes_files_only_inside_the_data_folder(db, tmp_path):
    inside = fake_model(paths.models_dir() / "mine")
    outside = fake_model(tmp_path / "elsewhere")
    keep = fake_model(tmp_path / "keep")
    ids = {m.name: m.id for m in (mr.import_folder(db, p) for p in (inside, outside, keep))}
    assert mr.inside_data_folder(inside) and not mr.inside_data_folder(outside)
    assert mr.inside_data_folder(paths.home() / ".." / "x") is False

    assert mr.delete_model(db, ids["mine"]) is True and not inside.exists()
    assert mr.delete_model(db, ids["elsewhere"]) is False and (outside / "config.json").is_file()
    assert mr.delete_model(db, ids["keep"], delete_files=True) is True and not keep.exists()
    assert [r["kind"] for r in mr.list_all_models(db)] == ["bundled"]


def test_quantization_and_gpu_estimate(tmp_path):
    shape = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 100, "max_position_embeddings": 1024}
    awq = fake_model(tmp_path / "awq", quantization_config={"quant_method": "awq", "bits": 4}, **shape)
    d = mr.describe_model_dir(awq)
    assert (d["quantization"], d["quant_bits"]) == ("awq", 4)
    bnb = fake_model(tmp_path / "bnb", quantization_config={"quant_method": "bitsandbytes", "load_in_8bit": True})
    assert mr.describe_model_dir(bnb)["quant_bits"] == 8
    # llm-compressor's compressed-tensors config (as `ai-platform quantize` writes it): the scheme is shown.
    for name, w, a in (("w8a8", 8, {"num_bits": 8, "type": "int", "dynamic": True, "strategy": "token"}),
                       ("w4a16", 4, None)):
        qcfg = {"quant_method": "compressed-tensors", "format": "int-quantized" if a else "pack-quantized",
                "config_groups": {"group_0": {"targets": ["Linear"], "input_activations": a,
                                              "weights": {"num_bits": w, "type": "int", "strategy": "group"}}}}
        d = mr.describe_model_dir(fake_model(tmp_path / name, quantization_config=qcfg))
        assert (d["quantization"], d["quant_bits"], d["quant_scheme"]) == ("compressed-tensors", w, name.upper())
    assert mr.describe_model_dir(awq)["quant_scheme"] is None
    # vLLM's CPU build starts a compressed-tensors model without LoRA (its LoRA layers fail on it).
    assert serve_config.lora_supported(tmp_path / "w8a8", cuda=False) is False
    assert serve_config.lora_supported(tmp_path / "w8a8", cuda=True) is True
    assert serve_config.lora_supported(awq, cuda=False) is True
    cfg = serve_config.ServeConfig(model_name="q", model_dir=tmp_path / "w8a8", port=1)
    assert "--enable-lora" not in serve_config.vllm_command("python", cfg, cuda=False)
    cfg.adapters = {"a": tmp_path / "adapter"}
    with pytest.raises(UserError) as err:
        serve_config.vllm_command("python", cfg, cuda=False)
    assert err.value.code == "serve.quantized_no_lora"

    f32 = fake_model(tmp_path / "f32", **shape)
    for f in f32.glob("*.safetensors"):
        f.unlink()
    write_safetensors(f32 / "model.safetensors", {"w": ("F32", [1000])})
    est = vram_planner.serving_estimate(f32)
    # weights: float32 served in 16-bit; KV: 2 x layers x kv_heads x head_dim x tokens x 2 bytes
    assert est["weights_bytes"] == 1000 * 2
    assert est["max_model_len"] == 1024
    assert est["kv_cache_bytes"] == 2 * 2 * (2 * 16) * 1024 * 2
    assert est["total_bytes"] == est["weights_bytes"] + est["kv_cache_bytes"] + est["overhead_bytes"]
    assert vram_planner.serving_estimate(f32, max_model_len=100)["kv_cache_bytes"] == 2 * 2 * 32 * 100 * 2
    # Across GPUs (vLLM): weights divide by tensor × pipeline; the KV cache by the pipeline and by the
    # tensor size up to the 2 KV heads (4-way tensor parallel keeps one head per GPU); each GPU its context.
    tp2 = vram_planner.serving_estimate(f32, max_model_len=100, tensor_parallel=2)
    assert tp2["gpus"] == 2 and tp2["weights_bytes"] == 1000 and tp2["kv_cache_bytes"] == 2 * 2 * 32 * 100 * 2 / 2
    tp4 = vram_planner.serving_estimate(f32, max_model_len=100, tensor_parallel=4)
    assert tp4["weights_bytes"] == 500 and tp4["kv_cache_bytes"] == tp2["kv_cache_bytes"]
    pp2 = vram_planner.serving_estimate(f32, max_model_len=100, tensor_parallel=2, pipeline_parallel=2)
    assert pp2["gpus"] == 4 and pp2["kv_cache_bytes"] == tp2["kv_cache_bytes"] / 2
    assert pp2["total_bytes"] < tp2["total_bytes"] < est["total_bytes"]


def test_vllm_parallel_sizes_reach_its_command_and_are_checked(tmp_path):
    cfg = serve_config.ServeConfig(model_name="m", model_dir=fake_model(tmp_path / "m"), port=1,
                                   tensor_parallel=2, pipeline_parallel=3)
    cmd = serve_config.vllm_command("python", cfg, cuda=True)
    assert cmd[cmd.index("--tensor-parallel-size") + 1] == "2" and cmd[cmd.index("--pipeline-parallel-size") + 1] == "3"
    one = serve_config.vllm_command("python", serve_config.ServeConfig(model_name="m", model_dir=cfg.model_dir, port=1),
                                    cuda=True)
    assert "--tensor-parallel-size" not in one and "--pipeline-parallel-size" not in one
    serve_config.check_parallel(2, 2, "vllm", gpus=4)
    serve_config.check_parallel(1, 1, "transformers", gpus=None)
    for args, code in (((2, 1, "transformers", None), "serve.parallel_needs_vllm"),
                       ((4, 2, "vllm", 4), "serve.parallel_too_few_gpus"),
                       ((0, 1, "vllm", 4), "serve.bad_parallel")):
        with pytest.raises(UserError) as err:
            serve_config.check_parallel(*args)
        assert err.value.code == code


def test_gguf_and_repo_checks(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello")
    with pytest.raises(UserError) as err:
        mr.validate_gguf(bad)
    assert err.value.code == "model.not_gguf" and str(bad) in str(err.value)
    assert mr.gguf_target(tmp_path / "SmolLM2-135M.Q4_1.gguf").name == "gguf-smollm2-135m.q4_1"
    assert mr.validate_repo_id(" https://huggingface.co/Qwen/Qwen2.5-0.5B ") == "Qwen/Qwen2.5-0.5B"
    with pytest.raises(UserError):
        mr.validate_repo_id("not a repo")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("how", ["no-network", "offline-mode"])
def test_download_offline_says_so_and_what_to_do(ai_home, how):
    extra = {"HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"} if how == "no-network" else {"HF_HUB_OFFLINE": "1"}
    out = paths.models_dir(ai_home) / "hub" / "x"
    run = run_engine(["app.engines.download", "--repo", "owner/model", "--out", str(out)],
                     engine_env_for(ai_home, HF_TOKEN="", **extra), timeout=120)
    errors = run.of(protocol.Error)
    assert run.of(protocol.Done)[-1].status == "failed" and errors, run.stderr[-2000:]
    assert "offline" in errors[-1].message and "Import local folder" in errors[-1].hint
    assert not out.exists()


def test_cli_import_allow_and_delete(ai_home, tmp_path):
    from tests.unit.test_models_cli import run_cli

    folder = fake_model(tmp_path / "cli-model", auto_map={"AutoModelForCausalLM": "m.X"})
    out = run_cli(["models", "import", str(folder), "--name", "cli one"], ai_home)
    assert out.returncode == 0 and '"cli one"' in out.stdout and "allow-remote-code" in out.stderr
    bad = run_cli(["models", "import", str(tmp_path)], ai_home)
    assert bad.returncode == 2 and str(tmp_path) in bad.stderr and "config.json" in bad.stderr
    rows = {r["name"]: r for r in json.loads(run_cli(["models", "list", "--json"], ai_home).stdout)}
    assert rows["cli one"]["refused"] is True
    assert run_cli(["models", "allow-remote-code", "cli one"], ai_home).returncode == 0
    rows = {r["name"]: r for r in json.loads(run_cli(["models", "list", "--json"], ai_home).stdout)}
    assert rows["cli one"]["refused"] is False and rows["cli one"]["trust_remote_code"] is True
    assert run_cli(["models", "delete", "default"], ai_home).returncode == 2
    out = run_cli(["models", "delete", "cli one"], ai_home)
    assert out.returncode == 0 and "stay" in out.stdout and (folder / "config.json").is_file()
