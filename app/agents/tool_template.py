"""The ChatML/Hermes tool chat template for models whose own template has no tools (the bundled
SmolLM2-135M-Instruct): tools listed in the system turn inside ``<tools></tools>`` (name and
argument names, one a line), the assistant's
calls as ``<tool_call>{"name": …, "arguments": {…}}</tool_call>``, tool results as a user turn of
``<tool_response>…</tool_response>`` blocks (Qwen2.5/Hermes layout). vLLM's ``hermes`` parser and the
transformers engine (``transformers_server.parse_tool_calls``) both read these calls back, and
``tool_support.for_folder`` says "yes" for a folder that carries it.

    install(folder)                 write chat_template.jinja into a model or adapter folder
    system_text(tools, system="")   the system turn the template writes for these tools (the
                                    training data generator writes the same text, so the model is
                                    trained on exactly what it is served)
"""

from __future__ import annotations

import json
from pathlib import Path

DEFAULT_SYSTEM = "You are a helpful AI assistant."
TOOLS_INTRO = ("You may call one or more functions to assist with the user query.\n\n"
               "You are provided with function signatures within <tools></tools> XML tags:\n<tools>")
TOOLS_OUTRO = ("\n</tools>\n\nFor each function call, return a json object with function name and arguments "
               "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
               '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>')

# Jinja mirror of system_text() and of the message rendering below; tests check they agree.
TEMPLATE = (
    "{%- if tools %}"
    "{{- '<|im_start|>system\\n' }}"
    "{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}"
    "{%- else %}{{- '" + DEFAULT_SYSTEM + "' }}{%- endif %}"
    "{{- '\\n\\n' + " + json.dumps(TOOLS_INTRO) + " }}"
    "{%- for tool in tools %}{%- set fn = tool['function'] if tool['function'] is defined else tool %}"
    "{{- '\\n{\"name\": ' + (fn['name'] | tojson) + ', \"arguments\": ' }}"
    "{{- ((fn['parameters'] or {}).get('properties') or {}) | list | tojson }}{{- '}' }}{%- endfor %}"
    "{{- " + json.dumps(TOOLS_OUTRO) + " + '<|im_end|>\\n' }}"
    "{%- elif messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}{{- '<|im_start|>system\\n" + DEFAULT_SYSTEM + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'system' %}"
    "{%- elif message['role'] == 'user' or (message['role'] == 'assistant' and not message.get('tool_calls')) %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + (message['content'] or '') + '<|im_end|>\\n' }}"
    "{%- elif message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant' }}"
    "{%- if message['content'] %}{{- '\\n' + message['content'] }}{%- endif %}"
    "{%- for tc in message['tool_calls'] %}"
    "{%- if tc['function'] is defined %}{%- set tc = tc['function'] %}{%- endif %}"
    "{{- '\\n<tool_call>\\n{\"name\": \"' + tc['name'] + '\", \"arguments\": ' }}"
    "{%- if tc['arguments'] is string %}{{- tc['arguments'] }}{%- else %}{{- tc['arguments'] | tojson }}{%- endif %}"
    "{{- '}\\n</tool_call>' }}"
    "{%- endfor %}"
    "{{- '<|im_end|>\\n' }}"
    "{%- elif message['role'] == 'tool' %}"
    "{%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}"
    "{{- '\\n<tool_response>\\n' + message['content'] + '\\n</tool_response>' }}"
    "{%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def _tojson(obj) -> str:
    """Jinja's ``tojson`` as transformers sets it up (json.dumps, non-ASCII kept)."""
    return json.dumps(obj, ensure_ascii=False)


def tool_line(tool: dict) -> str:
    """One tool as the template lists it: its name and argument names. Short on purpose: a 135M
    model does not use the descriptions, and the full schemas tripled every prompt (training time
    and answer latency on a CPU grow with it)."""
    fn = tool.get("function", tool)
    props = list(((fn.get("parameters") or {}).get("properties") or {}))
    return '{"name": ' + _tojson(fn["name"]) + ', "arguments": ' + _tojson(props) + "}"


def system_text(tools: list[dict], system: str = "") -> str:
    """The content of the system turn the template writes for ``tools`` (OpenAI tool schemas)."""
    return ((system or DEFAULT_SYSTEM) + "\n\n" + TOOLS_INTRO
            + "".join("\n" + tool_line(t) for t in tools) + TOOLS_OUTRO)


def call_text(name: str, arguments: dict) -> str:
    """One tool call as the assistant writes it (what the template renders for ``tool_calls``)."""
    return '<tool_call>\n{"name": "' + name + '", "arguments": ' + _tojson(arguments) + "}\n</tool_call>"


def install(folder: str | Path) -> Path:
    """Write the template as ``chat_template.jinja`` into ``folder``; returns the file."""
    path = Path(folder) / "chat_template.jinja"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


__all__ = ["TEMPLATE", "DEFAULT_SYSTEM", "system_text", "tool_line", "call_text", "install"]
