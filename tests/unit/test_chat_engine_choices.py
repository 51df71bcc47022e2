"""What a newcomer's chat depends on, decided without a model or a server: whether the model can call
tools on its engine (app/core/tool_support.py), which engine "auto" starts, that vLLM always starts
ready to load adapters while it runs, and when the chat engine starts (settings)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from app.core import serve_config, settings as settings_mod, tool_support
from app.core.serve_config import ServeConfig

SMOLLM2 = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
           "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
QWEN_LIKE = ("{%- if tools %}{{- '<tools>' }}{%- for tool in tools %}{{ tool | tojson }}{%- endfor %}"
             "{{- 'return <tool_call>{\"name\": …}</tool_call>' }}{%- endif %}")
MISTRAL_LIKE = "{% if tools %}[AVAILABLE_TOOLS]{{ tools }}[/AVAILABLE_TOOLS]{% endif %}[TOOL_CALLS]"
ODD_TOOLS = "{% if tools %}<functions>{{ tools }}</functions>{% endif %}"


def model_folder(path, template: str | None = None, params: int = 134_515_008):
    """A model folder as the app reads it: config.json, a chat template, a safetensors header of
    ``params`` float32 parameters (the header only: nothing here loads weights)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps({"max_position_embeddings": 8192}))
    if template is not None:
        (path / "chat_template.jinja").write_text(template, encoding="utf-8")
    header = json.dumps({"w": {"dtype": "F32", "shape": [params], "data_offsets": [0, 4 * params]}}).encode()
    (path / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header)
    return path


@pytest.mark.parametrize("template, engine, status, code", [
    (SMOLLM2, "vllm", "no", "tools.template_none"),          # vLLM would answer 400 to any request with tools
    (SMOLLM2, "transformers", "no", "tools.template_none"),  # the server would drop the tools silently
    (QWEN_LIKE, "vllm", "yes", "tools.ok"),                  # started with --tool-call-parser hermes
    (QWEN_LIKE, "transformers", "yes", "tools.ok"),          # <tool_call> blocks are read back
    (MISTRAL_LIKE, "vllm", "yes", "tools.ok"),
    (MISTRAL_LIKE, "transformers", "no", "tools.engine_format"),  # it reads <tool_call> blocks only
    (ODD_TOOLS, "vllm", "no", "tools.engine_format"),        # no vLLM parser for this format
])
def test_tool_support_follows_the_template_and_the_engine(tmp_path, template, engine, status, code):
    support = tool_support.for_folder(model_folder(tmp_path / "m", template), engine, model="M")
    assert (support.status, support.code) == (status, code)
    assert support.params["model"] == "M" and support.params["engine"] == engine
    if status == "no":
        assert "M" in support.message and not support.usable
        warning = support.warning()
        assert warning["code"] == code and "without tools" in warning["message"]
    round_trip = tool_support.ToolSupport.from_dict(support.to_dict())
    assert round_trip == support


def test_tool_support_of_a_remote_endpoint_is_unknown():
    support = tool_support.unknown("gpt-x")
    assert support.status == "unknown" and support.code == "tools.remote_unknown" and support.usable
    assert tool_support.ToolSupport.from_dict({"status": "maybe"}) is None
    assert tool_support.ToolSupport.from_dict(None) is None


def test_auto_serves_a_small_model_without_a_gpu_with_transformers(tmp_path):
    small = model_folder(tmp_path / "small", SMOLLM2)  # the bundled SmolLM2-135M's size
    big = model_folder(tmp_path / "big", SMOLLM2, params=7_000_000_000)
    assert serve_config.auto_engine(small, cuda=False)[0] == "transformers"
    assert serve_config.auto_engine(small, cuda=True)[0] is None  # a GPU: vLLM when installed
    assert serve_config.auto_engine(big, cuda=False)[0] is None
    assert serve_config.planned_engine("auto", small, cuda=False, vllm_found=True) == "transformers"
    assert serve_config.planned_engine("auto", big, cuda=False, vllm_found=True) == "vllm"
    assert serve_config.planned_engine("auto", big, cuda=False, vllm_found=False) == "transformers"
    assert serve_config.planned_engine("auto", small, cuda=True, vllm_found=True) == "vllm"
    assert serve_config.planned_engine("vllm", small, cuda=False, vllm_found=True) == "vllm"  # asked for


def test_a_compressed_tensors_model_goes_to_vllm(tmp_path):
    """What `ai-platform quantize` writes: "auto" picks vLLM even for a small model on CPU, and the
    transformers engine refuses it up front (its package lives in the quantization runtime only)."""
    import importlib.util

    from app.core.errors import UserError

    small = model_folder(tmp_path / "q")
    cfg = json.loads((small / "config.json").read_text())
    cfg["quantization_config"] = {"quant_method": "compressed-tensors", "format": "pack-quantized"}
    (small / "config.json").write_text(json.dumps(cfg))
    assert serve_config.is_compressed_tensors(small)
    assert serve_config.auto_engine(small, cuda=False)[0] is None
    assert serve_config.planned_engine("auto", small, cuda=False, vllm_found=True) == "vllm"
    if importlib.util.find_spec("compressed_tensors") is None:
        with pytest.raises(UserError) as err:
            serve_config.check_transformers_loads(small)
        assert err.value.code == "serve.compressed_needs_vllm" and "vLLM" in str(err.value)
    serve_config.check_transformers_loads(model_folder(tmp_path / "plain"))  # a 16-bit model: no objection


def test_vllm_on_cpu_keeps_its_last_lora_slot_empty(tmp_path):
    """vLLM's CPU LoRA ops read "no adapter" (-1) as the last slot: spare slots keep it empty."""
    m = model_folder(tmp_path / "m", SMOLLM2)
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 8, "peft_type": "LORA"}))
    cfg = ServeConfig(model_name="m", model_dir=m, port=1, adapters={"a": str(adapter)})
    cmd = serve_config.vllm_command("/py", cfg, cuda=False)
    assert cmd[cmd.index("--max-loras") + 1] == str(1 + serve_config.CPU_SPARE_LORA_SLOTS + 1)
    assert "--max-loras" not in serve_config.vllm_command("/py", cfg, cuda=True)  # the GPU kernels skip -1


def test_vllm_always_starts_ready_for_adapters_at_runtime(tmp_path):
    folder = model_folder(tmp_path / "m", SMOLLM2)
    cmd = serve_config.vllm_command("/py", ServeConfig(model_name="m", model_dir=folder, port=1), cuda=False)
    assert "--enable-lora" in cmd and cmd[cmd.index("--max-lora-rank") + 1] == "16"
    assert "--lora-modules" not in cmd  # none at launch: they load into the running server
    env = serve_config.vllm_env({}, tmp_path, cuda=False)
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "True"
    wide = ServeConfig(model_name="m", model_dir=folder, port=1, max_lora_rank=40)
    cmd = serve_config.vllm_command("/py", wide, cuda=False)
    assert cmd[cmd.index("--max-lora-rank") + 1] == "64"  # vLLM's sizes: the next one up
    assert [serve_config.lora_rank_bucket(r) for r in (1, 8, 9, 64, 65, 600)] == [8, 8, 16, 64, 128, 600]


def test_the_chat_engine_starts_when_chat_opens_unless_told(ai_home):
    s = settings_mod.load()
    assert s.chat_preload == "chat_opens"
    assert settings_mod.CHAT_PRELOADS == ("chat_opens", "app_start", "send")
    s.chat_preload = "app_start"
    settings_mod.save(s)
    assert settings_mod.load().chat_preload == "app_start"
    s.chat_preload = "sometimes"
    assert s.validated().chat_preload == "chat_opens"


def test_vllm_sockets_stay_short_enough_with_a_long_data_folder(tmp_path):
    """vLLM puts ZeroMQ IPC sockets (a 36-character name each) in VLLM_RPC_BASE_PATH, the temp folder by
    default; a data folder with a long path made it die at start."""
    long_home = tmp_path / ("a-long-data-folder-name-" * 4)
    env = serve_config.vllm_env({}, long_home, cuda=False)
    assert len(env["VLLM_RPC_BASE_PATH"]) + 37 <= 107
    assert env["TMPDIR"].startswith(str(long_home)) and env["VLLM_CACHE_ROOT"].startswith(str(long_home))
    short = Path("/d/cache/vllm/tmp")
    assert serve_config.vllm_rpc_dir(short) == short  # a short data folder keeps everything inside it
