"""What a chat can talk to: the bundled model, registered models, adapters from training runs, and
remote endpoints — one flat list for the chat panel's model picker (Qt-free).

A target is stored on a chat session as ``model`` (the model ref the serve engine resolves:
"default", a registered model's name, or "remote:NAME") and ``adapter`` (the adapter's served name,
``run-<run id>``), plus ``params["adapter_path"]`` so the chat still knows where the adapter is if
the run is deleted from the list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.core import bundled
from app.core.train_config import DEFAULT_MODEL

REMOTE_PREFIX = "remote:"
DONE_RUN_STATES = ("completed", "stopped", "interrupted")


@dataclass(frozen=True)
class ChatTarget:
    label: str
    model_ref: str
    kind: str  # "bundled" | "model" | "adapter" | "remote"
    adapter: str | None = None  # served adapter name
    adapter_path: str | None = None
    run_id: str | None = None
    remote_model: str | None = None  # the model id a remote endpoint expects

    @property
    def key(self) -> str:
        return f"{self.model_ref}|{self.adapter or ''}"


def adapter_name(run_id: str) -> str:
    return f"run-{run_id}"


def base_ref(base_model: str) -> str:
    """A run's base_model as a serve model ref: the bundled folder is "default"."""
    if base_model in (DEFAULT_MODEL, "", None):
        return DEFAULT_MODEL
    try:
        if Path(base_model).resolve() == bundled.default_model_dir().resolve():
            return DEFAULT_MODEL
    except OSError:
        pass
    return base_model


def list_targets(db, settings=None) -> list[ChatTarget]:
    from app.core.models_registry import ModelRegistry
    from app.core.runs import RunStore

    out = [ChatTarget(label=f"{bundled.DEFAULT_CHAT_MODEL}", model_ref=DEFAULT_MODEL, kind="bundled")]
    for m in ModelRegistry(db).list():
        if m.path and m.kind not in ("adapter",):
            out.append(ChatTarget(label=m.name, model_ref=m.name, kind="model"))
    for run in RunStore(db).list():
        if not run.adapter_path or run.status not in DONE_RUN_STATES:
            continue
        if not (Path(run.adapter_path) / "adapter_config.json").is_file():
            continue
        out.append(ChatTarget(label=run.name, model_ref=base_ref(run.base_model), kind="adapter",
                              adapter=adapter_name(run.id), adapter_path=run.adapter_path, run_id=run.id))
    for ep in getattr(settings, "remote_endpoints", None) or []:
        out.append(ChatTarget(label=ep["name"], model_ref=REMOTE_PREFIX + ep["name"], kind="remote",
                              remote_model=ep.get("model") or None))
    return out


def find_target(targets: list[ChatTarget], model_ref: str | None, adapter: str | None) -> ChatTarget | None:
    for t in targets:
        if t.model_ref == (model_ref or DEFAULT_MODEL) and (t.adapter or None) == (adapter or None):
            return t
    return None


def model_dir(model_ref: str) -> Path | None:
    """The folder a local model ref names ("default", a folder, a registered name), or None (remote,
    unknown). The folder may not be complete: ``model_ready`` says whether it can be served."""
    from app.core import serve_config

    if not model_ref or model_ref.startswith(REMOTE_PREFIX):
        return None
    try:
        return (bundled.default_model_dir() if model_ref == DEFAULT_MODEL
                else Path(model_ref) if Path(model_ref).is_dir() else serve_config.registered_folder(model_ref))
    except Exception:  # noqa: BLE001 - an unknown name or no database: no folder
        return None


def for_agent(target: ChatTarget) -> ChatTarget:
    """What an agent turn talks to for ``target``: the bundled model with its tool adapter (so it can
    call tools), else ``target`` itself."""
    from app.core import tool_adapter

    if target.kind != "bundled" or target.adapter:
        return target
    folder = model_dir(target.model_ref)
    adapter = tool_adapter.for_model(bundled.DEFAULT_CHAT_MODEL, folder) if folder is not None else None
    return target if adapter is None else replace(target, adapter=tool_adapter.NAME, adapter_path=str(adapter))


def model_ready(model_ref: str) -> bool:
    """Whether a local model ref can be served now (the bundled model converted, the folder there)."""
    if model_ref == DEFAULT_MODEL:
        return bool(bundled.default_model_status()["ready"])
    folder = model_dir(model_ref)
    return folder is not None and (folder / "config.json").is_file()


def context_length(model_ref: str) -> int | None:
    """The model's context window from its config.json (no torch), or None if unknown (remote)."""
    from app.core import model_folder

    folder = model_dir(model_ref)
    if folder is None:  # unknown model: the RAG budget falls back to a default
        return None
    return model_folder.model_max_len(folder)


__all__ = ["ChatTarget", "list_targets", "find_target", "for_agent", "adapter_name", "base_ref", "context_length", "model_dir",
           "model_ready",
           "REMOTE_PREFIX"]
