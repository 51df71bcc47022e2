"""Can this model, on this engine, call tools? Decided from the model folder's chat template before
anything is sent (no torch, no server): what agent mode says in the chat and what the agent does.

    support = tool_support.for_folder(folder, "transformers", model="SmolLM2-135M-Instruct")
    support.status      "yes" | "no" | "unknown"
    support.code        why, a stable code the GUI words in its language:
                        tools.ok             the template writes tool calls the engine reads back
                        tools.template_none  the chat template has no tool calling at all (SmolLM2)
                        tools.engine_format  it has, in a format this engine cannot read back
                        tools.remote_unknown a remote endpoint: nobody can tell before asking
    support.message     the same in English (CLI, logs)

The rules follow the engines: vLLM refuses every request with ``tools`` unless it was started with a
tool-call parser, and the serve engine starts it with one only when the template matches one
(``model_folder.tool_call_parser``); the transformers engine reads back ``<tool_call>`` blocks only
(Hermes style, ``transformers_server.parse_tool_calls``) and renders a template without tool support
without the tools. A "no" means no tool goes into the request: the agent turn offers them through a text protocol
(ReAct, app/agents/react.py) unless asked for native calls only, and says which in its ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.core import model_folder

YES, NO, UNKNOWN = "yes", "no", "unknown"


@dataclass(frozen=True)
class ToolSupport:
    status: str
    code: str
    message: str
    params: dict = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """Worth offering tools: yes, or unknown (then the turn reports what happened)."""
        return self.status != NO

    def to_dict(self) -> dict:
        return {"status": self.status, "code": self.code, "message": self.message, "params": dict(self.params)}

    def warning(self) -> dict:
        """The agent result's warning for a turn that ran without tools because of this."""
        return {"code": self.code, "message": self.message + " This answer was written without tools.",
                "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "ToolSupport | None":
        if not isinstance(data, dict) or data.get("status") not in (YES, NO, UNKNOWN):
            return None
        return cls(status=data["status"], code=str(data.get("code") or ""), message=str(data.get("message") or ""),
                   params=dict(data.get("params") or {}))


def for_folder(folder: str | Path, engine: str, model: str = "", adapter: str | Path | None = None) -> ToolSupport:
    """Tool calling for the model in ``folder`` served by ``engine`` ("vllm" or "transformers");
    ``adapter``: a LoRA folder served with it that brings its own chat template (the bundled model's
    tool adapter, ``app.core.tool_adapter``), which both engines then render with."""
    name = model or Path(folder).name
    params = {"model": name, "engine": engine}
    if adapter is not None and (Path(adapter) / "chat_template.jinja").is_file():
        folder = adapter
    template = model_folder.chat_template_text(folder)
    if "tools" not in template:
        return ToolSupport(NO, "tools.template_none",
                           f"{name} cannot call tools: its chat template has no tool-calling format.", params)
    if engine == "vllm":
        parser = model_folder.tool_call_parser(folder)
        if parser:
            return ToolSupport(YES, "tools.ok", f"{name} calls tools through vLLM's {parser} parser.",
                               dict(params, parser=parser))
    elif engine == "transformers":
        if "<tool_call>" in template:
            return ToolSupport(YES, "tools.ok", f"{name} calls tools with <tool_call> blocks.", params)
    else:
        return unknown(name)
    return ToolSupport(NO, "tools.engine_format",
                       f"{name} writes tool calls in a format the {engine} engine cannot read back.", params)


def unknown(model: str = "") -> ToolSupport:
    """A remote endpoint (or a server we did not start): only asking tells."""
    return ToolSupport(UNKNOWN, "tools.remote_unknown",
                       "Whether this endpoint's model can call tools is unknown until it is asked.",
                       {"model": model})


__all__ = ["ToolSupport", "for_folder", "unknown", "YES", "NO", "UNKNOWN"]
