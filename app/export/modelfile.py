"""The Ollama ``Modelfile`` written beside a GGUF: ``FROM``, the prompt ``TEMPLATE`` (Ollama's Go
template syntax), the default ``SYSTEM`` prompt, the stop tokens and parameters.

Ollama cannot run the Jinja chat template that travels in the GGUF, so the template is chosen by
family (ChatML, Llama 3) from the markers the Jinja template writes, and checked: the Go template's
rendering of one conversation (``render``, the same text Ollama builds) must equal the Jinja template's
rendering with transformers. An unknown family gets no TEMPLATE line (Ollama then guesses from the
GGUF's own template) and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    marker: str
    template: str
    stops: tuple[str, ...]
    system_re: str

    def render(self, system: str | None, messages: list[dict]) -> str:
        """What Ollama's Go template makes of a conversation (then the assistant's turn starts)."""
        if self.name == "chatml":
            out = f"<|im_start|>system\n{system}<|im_end|>\n" if system else ""
            out += "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
            return out + "<|im_start|>assistant\n"
        out = f"<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>" if system else ""
        out += "".join(f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>" for m in messages)
        return out + "<|start_header_id|>assistant<|end_header_id|>\n\n"


FAMILIES = (
    Family("chatml", "<|im_start|>",
           "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
           "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
           "<|im_start|>assistant\n",
           ("<|im_start|>", "<|im_end|>"), r"<\|im_start\|>system\n(.*?)<\|im_end\|>"),
    Family("llama3", "<|start_header_id|>",
           "{{- if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}"
           "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>"
           "{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n",
           ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
           r"<\|start_header_id\|>system<\|end_header_id\|>\n\n(.*?)<\|eot_id\|>"),
)

_PROBE = [{"role": "user", "content": "Hello there"}]


def _render_hf(tokenizer, messages) -> str:
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    bos, bos_id = getattr(tokenizer, "bos_token", None), getattr(tokenizer, "bos_token_id", None)
    adds_bos = bos_id is not None and tokenizer("a").input_ids[:1] == [bos_id]
    if adds_bos and bos and text.startswith(bos):  # llama.cpp adds it itself (add_bos_token in the GGUF)
        text = text[len(bos):]
    return text


def build(tokenizer, gguf_name: str, *, context_length: int | None, eos_token: str | None,
          generation: dict | None = None) -> tuple[str, dict]:
    """(Modelfile text, report: family, template_matches, system, stops)."""
    template = getattr(tokenizer, "chat_template", None) or ""
    family = next((f for f in FAMILIES if f.marker in template), None)
    lines = [f"FROM ./{gguf_name}", ""]
    report: dict = {"family": family.name if family else None, "template_matches": None, "system": None}
    stops: list[str] = []
    if family is not None:
        hf = _render_hf(tokenizer, _PROBE)
        m = re.search(family.system_re, hf, re.S)
        system = m.group(1) if m and m.start() == 0 else None
        matches = family.render(system, _PROBE) == hf
        sys_probe = [{"role": "system", "content": "Be brief."}, *_PROBE]
        matches = matches and family.render("Be brief.", _PROBE) == _render_hf(tokenizer, sys_probe)
        report.update(template_matches=matches, system=system)
        lines += [f'TEMPLATE """{family.template}"""']
        if system:
            lines += [f'SYSTEM """{system}"""']
        stops += family.stops
    if eos_token and eos_token not in stops:
        stops.append(eos_token)
    lines.append("")
    for s in stops:
        lines.append(f'PARAMETER stop "{s}"')
    if context_length:
        lines.append(f"PARAMETER num_ctx {min(int(context_length), 4096)}")
    for key, name in (("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k"),
                      ("repetition_penalty", "repeat_penalty")):
        value = (generation or {}).get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lines.append(f"PARAMETER {name} {value:g}")
    report["stops"] = stops
    return "\n".join(lines) + "\n", report
