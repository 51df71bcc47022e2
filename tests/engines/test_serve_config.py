"""Fast checks of the serve launch decisions and the chat client's errors (no model, no server)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import chat_client, serve_config
from app.core import model_folder as mf
from app.core.errors import UserError
from tests.helpers.engines import REPO


def model_folder(tmp_path, max_pos=32768):
    (tmp_path / "config.json").write_text(json.dumps({"max_position_embeddings": max_pos}))
    return tmp_path


def test_vllm_command_defaults_cpu_and_gpu(tmp_path):
    cfg = serve_config.ServeConfig(model_name="m", model_dir=model_folder(tmp_path), port=1234, api_key="k")
    cpu = serve_config.vllm_command("/py", cfg, cuda=False)
    assert cpu[:3] == ["/py", "-m", "vllm.entrypoints.openai.api_server"]
    assert "--enforce-eager" in cpu and cpu[cpu.index("--max-model-len") + 1] == "2048"
    assert cpu[cpu.index("--host") + 1] == "127.0.0.1"
    assert "--api-key" not in cpu and "k" not in cpu  # the key never shows in `ps`
    assert serve_config.vllm_env({}, tmp_path, cuda=False, api_key="k")["VLLM_API_KEY"] == "k"
    gpu = serve_config.vllm_command("/py", cfg, cuda=True)
    assert "--enforce-eager" not in gpu and gpu[gpu.index("--max-model-len") + 1] == "8192"
    assert gpu[gpu.index("--gpu-memory-utilization") + 1] == "0.9"
    env = serve_config.vllm_env({"PYTHONPATH": "x"}, tmp_path, cuda=False)
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "1" and env["TMPDIR"].startswith(str(tmp_path))
    assert env["VLLM_CACHE_ROOT"].startswith(str(tmp_path)) and "PYTHONPATH" not in env


def test_adapter_specs(tmp_path):
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": 12}))
    assert serve_config.parse_adapter(f"mine={tmp_path}") == ("mine", tmp_path)
    for bad in ("noequals", f"={tmp_path}", "x=/does/not/exist"):
        with pytest.raises(UserError):
            serve_config.parse_adapter(bad)
    (tmp_path / "model").mkdir()
    cfg = serve_config.ServeConfig(model_name="m", model_dir=model_folder(tmp_path / "model"), port=1, api_key="k",
                                   adapters={"mine": tmp_path})
    cmd = serve_config.vllm_command("/py", cfg, cuda=False)
    assert "--enable-lora" in cmd and cmd[cmd.index("--max-lora-rank") + 1] == "16"
    assert f"mine={tmp_path}" in cmd


def test_default_model_not_prepared_is_a_user_error(ai_home):
    with pytest.raises(UserError) as err:
        serve_config.resolve_model("default")
    assert err.value.code == "serve.default_not_ready"


def test_keys_are_random_and_ports_free():
    assert serve_config.new_api_key() != serve_config.new_api_key()
    assert len(serve_config.new_api_key()) >= 40
    assert not serve_config.port_open(serve_config.free_port())


def test_engine_not_running():
    port = serve_config.free_port()
    with pytest.raises(chat_client.EngineNotRunning) as err:
        list(chat_client.stream_chat(f"http://127.0.0.1:{port}/v1", "k", "m", [{"role": "user", "content": "hi"}]))
    assert err.value.code == "chat.not_running"


def test_core_and_commands_stay_light():
    code = ("import sys, app.core.serve_config, app.core.chat_client, app.core.models_registry, "
            "app.commands.serve, app.commands.models, app.engines.serve; "
            "print([m for m in ('torch', 'transformers', 'vllm', 'peft') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=str(REPO), capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


QWEN_LIKE = ("{%- if tools %}{{- '<tools>' }}{%- for tool in tools %}{{ tool | tojson }}{%- endfor %}"
             "{{- 'return <tool_call>{\"name\": …}</tool_call>' }}{%- endif %}")


@pytest.mark.parametrize("template, parser", [
    (QWEN_LIKE, "hermes"),
    ("{% if tools %}[AVAILABLE_TOOLS]{{ tools }}[/AVAILABLE_TOOLS]{% endif %}[TOOL_CALLS]", "mistral"),
    ("{%- if tools is not none %}Environment: ipython{% endif %}<|python_tag|>", "llama3_json"),
    ("{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}", None),  # SmolLM2: no tools
])
def test_tool_call_parser_follows_the_chat_template(tmp_path, template, parser):
    folder = model_folder(tmp_path)
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": template}))
    assert mf.tool_call_parser(folder) == parser
    cmd = serve_config.vllm_command("/py", serve_config.ServeConfig(model_name="m", model_dir=folder, port=1), cuda=False)
    if parser:  # vLLM refuses requests with tools unless it was started with a parser
        assert cmd[cmd.index("--tool-call-parser") + 1] == parser and "--enable-auto-tool-choice" in cmd
    else:
        assert "--tool-call-parser" not in cmd


def test_tool_call_parser_reads_chat_template_jinja(tmp_path):
    folder = model_folder(tmp_path)
    (folder / "chat_template.jinja").write_text(QWEN_LIKE, encoding="utf-8")
    assert mf.tool_call_parser(folder) == "hermes"


def test_a_tool_adapter_brings_its_template_and_parser_to_vllm(tmp_path):
    """The bundled model (no tools in its template) served with its tool adapter: vLLM renders with
    the adapter's template and reads the calls with the matching parser."""
    from app.agents import tool_template

    (tmp_path / "base").mkdir()
    folder = model_folder(tmp_path / "base")
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{% for m in messages %}{% endfor %}"}))
    adapter = tmp_path / "tools"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 8}))
    tool_template.install(adapter)
    cfg = serve_config.ServeConfig(model_name="m", model_dir=folder, port=1, adapters={"smollm2-tools": adapter})
    cmd = serve_config.vllm_command("/py", cfg, cuda=False)
    assert cmd[cmd.index("--chat-template") + 1] == str(adapter / "chat_template.jinja")
    assert cmd[cmd.index("--tool-call-parser") + 1] == "hermes" and "--enable-auto-tool-choice" in cmd
    plain = serve_config.vllm_command("/py", serve_config.ServeConfig(model_name="m", model_dir=folder, port=1),
                                      cuda=False)
    assert "--chat-template" not in plain and "--tool-call-parser" not in plain
