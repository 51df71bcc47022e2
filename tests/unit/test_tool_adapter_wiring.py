"""Where the bundled model's tool adapter is found, and what agent mode then does with the bundled
model: serve the adapter beside it, and say "yes" to tools (its folder brings the Hermes template)."""

from __future__ import annotations

import json

from app.agents import tool_template
from app.core import bundled, chat_targets, tool_adapter, tool_support


def _adapter(folder):
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text(json.dumps({"r": 8}), encoding="utf-8")
    (folder / "adapter_model.safetensors").write_bytes(b"")
    tool_template.install(folder)
    return folder


def _bundled_folder(root):
    folder = bundled.default_model_dir(root)
    folder.mkdir(parents=True)
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{% for m in messages %}{% endfor %}"}))
    (folder / bundled.COMPLETE_MARKER).write_text(json.dumps({"source": "/x/" + bundled.BUNDLED_GGUF_NAME}))
    return folder


def test_a_trained_adapter_in_the_data_folder_wins_over_the_shipped_one(ai_home):
    assert tool_adapter.problem(ai_home / "nowhere")
    assert tool_adapter.find() in (None, tool_adapter.SHIPPED)
    trained = _adapter(tool_adapter.trained_dir())
    assert tool_adapter.find() == trained
    (trained / "chat_template.jinja").unlink()  # incomplete: not used
    assert tool_adapter.find() != trained and "chat_template.jinja" in tool_adapter.problem(trained)


def test_the_bundled_model_calls_tools_through_its_adapter_only(ai_home, tmp_path):
    base = _bundled_folder(ai_home)
    adapter = _adapter(tool_adapter.trained_dir())
    assert tool_adapter.is_bundled("smollm2-135m-instruct", base)  # known by its conversion marker
    assert tool_adapter.for_model("some-model", tmp_path) is None
    for engine in ("transformers", "vllm"):
        assert tool_support.for_folder(base, engine).code == "tools.template_none"
        support = tool_support.for_folder(base, engine, model=bundled.DEFAULT_CHAT_MODEL, adapter=adapter)
        assert support.status == tool_support.YES, support
    target = chat_targets.ChatTarget(label="SmolLM2", model_ref="default", kind="bundled")
    agent = chat_targets.for_agent(target)
    assert agent.adapter == tool_adapter.NAME and agent.adapter_path == str(adapter)
    other = chat_targets.ChatTarget(label="m", model_ref=str(tmp_path), kind="model")
    assert chat_targets.for_agent(other) is other
