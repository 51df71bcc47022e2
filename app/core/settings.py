"""Typed user settings with a schema version, stored as JSON in the home folder.

All defaults live here, free of Qt (see STYLE.md). Older files are migrated on load; a file that
cannot be read is kept aside as ``settings.json.bad`` and defaults are used, so nothing is lost.
"""

from __future__ import annotations

import json
import locale
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from app.core import paths

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
FILE_MODE = 0o600  # settings.json: this user only
LANGUAGES = ("en", "zh_CN")
THEMES = ("light", "dark")
CHAT_ENGINES = ("auto", "vllm", "transformers")
# When the chat engine starts ahead of the first message: when the Chat panel opens, when the app
# starts (after the first paint), or only when a message is sent.
CHAT_PRELOADS = ("chat_opens", "app_start", "send")
MAX_PARALLEL = 64  # vLLM tensor / pipeline parallel size, each


def system_language() -> str:
    """zh_CN when the system locale is Chinese, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "zh_CN" if loc.lower().startswith("zh") else "en"


def default_threads() -> int:
    # One thread was the stable choice on 2 shared cores (ENVIRONMENT.md); leave one core to the GUI.
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    language: str = field(default_factory=system_language)
    theme: str = "light"
    cpu_threads: int = field(default_factory=default_threads)
    # Empty = the vLLM runtime made by the installer; else the python of an existing vLLM install.
    vllm_python: str = ""
    # "keyring" or "session" (session = kept in memory only, chosen when no keyring backend exists).
    secret_storage: str = "keyring"
    first_run_done: bool = False
    # Seconds between two GPU monitor samples (NVML + CPU/RAM).
    gpu_sample_s: float = 1.0
    # Which engine serves chat models: "auto" (the transformers engine for a small model on a machine
    # without a GPU, else vLLM when its runtime is found; serve_config.auto_engine), "vllm", "transformers".
    chat_engine: str = "auto"
    # When the chat engine starts (CHAT_PRELOADS): "chat_opens", "app_start" or "send".
    chat_preload: str = "chat_opens"
    # vLLM on a GPU: share of GPU memory it may take, and the context length; 0 = the defaults
    # (serve_config.GPU_MEMORY_UTILIZATION, the model's own length capped at GPU_MAX_MODEL_LEN_CAP).
    gpu_memory_utilization: float = 0.0
    max_model_len: int = 0
    # vLLM across GPUs (at most MAX_PARALLEL each): tensor-parallel (each layer split) and pipeline-parallel (layers split) sizes.
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    # Per model (its folder, absolute): {"tp": N, "pp": N}, in place of the sizes above for it
    # (the Models panel's "GPUs…"); parallel_for() reads them.
    model_parallel: dict = field(default_factory=dict)
    # Memory the chat engines may hold together, GB (app/core/serve_memory.py); 0 = automatic (the
    # GPU's memory, or 70 % of the RAM without one). A new engine stops the least recently used ones.
    chat_memory_gb: float = 0.0
    sidebar_collapsed: bool = False
    # Evaluate a run against its base when it completes with a validation split (app/workers/eval_jobs.py).
    evaluate_after_training: bool = True
    # What generates an evaluation's answers: "auto" (vLLM's batching on a GPU when installed), "vllm",
    # "transformers" (app/evaluation/generate_served.py).
    eval_generation: str = "auto"
    # Remote OpenAI-compatible endpoints: [{"name", "base_url", "model"}]; each key is in the keyring
    # under remote_key_name(name), never here.
    remote_endpoints: list = field(default_factory=list)
    # What was chosen last in the panels, for the next start: {"knowledge.kb": 3, "training.dataset": 5, …}.
    selections: dict = field(default_factory=dict)

    def parallel_for(self, folder) -> tuple[int, int]:
        """vLLM's (tensor, pipeline) parallel sizes for the model in ``folder``: its own, else the global ones."""
        own = self.model_parallel.get(str(folder)) if folder else None
        if own:
            return int(own["tp"]), int(own["pp"])
        return int(self.tensor_parallel_size or 1), int(self.pipeline_parallel_size or 1)

    def validated(self) -> "Settings":
        if self.language not in LANGUAGES:
            self.language = "en"
        if self.theme not in THEMES:
            self.theme = "light"
        try:
            self.cpu_threads = max(1, min(int(self.cpu_threads), 256))
        except (TypeError, ValueError):
            self.cpu_threads = default_threads()
        try:
            self.gpu_sample_s = max(0.2, min(float(self.gpu_sample_s), 60.0))
        except (TypeError, ValueError):
            self.gpu_sample_s = 1.0
        if self.secret_storage not in ("keyring", "session"):
            self.secret_storage = "keyring"
        if self.chat_engine not in CHAT_ENGINES:
            self.chat_engine = "auto"
        if self.chat_preload not in CHAT_PRELOADS:
            self.chat_preload = "chat_opens"
        try:
            self.gpu_memory_utilization = min(0.98, max(0.0, float(self.gpu_memory_utilization)))
            self.max_model_len = min(1_048_576, max(0, int(self.max_model_len)))
        except (TypeError, ValueError):
            self.gpu_memory_utilization, self.max_model_len = 0.0, 0
        try:
            self.tensor_parallel_size = min(MAX_PARALLEL, max(1, int(self.tensor_parallel_size)))
            self.pipeline_parallel_size = min(MAX_PARALLEL, max(1, int(self.pipeline_parallel_size)))
        except (TypeError, ValueError):
            self.tensor_parallel_size = self.pipeline_parallel_size = 1
        try:
            self.chat_memory_gb = min(4096.0, max(0.0, float(self.chat_memory_gb)))
        except (TypeError, ValueError):
            self.chat_memory_gb = 0.0
        if not isinstance(self.remote_endpoints, list):
            self.remote_endpoints = []
        self.remote_endpoints = [e for e in self.remote_endpoints
                                 if isinstance(e, dict) and e.get("name") and e.get("base_url")]
        if not isinstance(self.evaluate_after_training, bool):
            self.evaluate_after_training = True
        if self.eval_generation not in CHAT_ENGINES:
            self.eval_generation = "auto"
        if not isinstance(self.model_parallel, dict):
            self.model_parallel = {}
        clean = {}
        for folder, sizes in self.model_parallel.items():
            try:
                tp = min(MAX_PARALLEL, max(1, int(sizes.get("tp", 1))))
                pp = min(MAX_PARALLEL, max(1, int(sizes.get("pp", 1))))
            except (AttributeError, TypeError, ValueError):
                continue
            clean[str(folder)] = {"tp": tp, "pp": pp}
        self.model_parallel = clean
        if not isinstance(self.selections, dict):
            self.selections = {}
        return self


def remote_key_name(endpoint_name: str) -> str:
    """The keyring entry that holds a remote endpoint's API key."""
    return f"remote-endpoint:{endpoint_name}"


def _migrate(raw: dict) -> dict:
    version = int(raw.get("schema_version", 1))
    if version < 2:
        # v1 stored the language as "zh"/"en" and threads as "threads".
        if raw.get("language") == "zh":
            raw["language"] = "zh_CN"
        if "threads" in raw:
            raw["cpu_threads"] = raw.pop("threads")
    raw["schema_version"] = SCHEMA_VERSION
    return raw


def load(path: Path | None = None) -> Settings:
    path = path or paths.settings_file()
    protect(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("settings file is not a JSON object")
    except FileNotFoundError:
        return Settings().validated()
    except (OSError, ValueError) as exc:
        bad = path.with_name(path.name + ".bad")
        log.warning("Could not read %s (%s); keeping it as %s and using defaults", path, exc, bad.name)
        try:
            os.replace(path, bad)
        except OSError:
            pass
        return Settings().validated()
    if int(raw.get("schema_version", 1)) > SCHEMA_VERSION:
        log.warning("%s was written by a newer version; unknown keys are ignored", path)
    raw = _migrate(raw)
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in raw.items() if k in known}).validated()


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or paths.settings_file()
    settings.schema_version = SCHEMA_VERSION
    # 0600: only this user reads it (it names the remote endpoints; their keys are in the keyring)
    paths.atomic_write_text(path, json.dumps(asdict(settings), indent=2, ensure_ascii=False) + "\n", mode=FILE_MODE)


def protect(path: Path | None = None) -> None:
    """Make a settings file saved by an older version (0644) readable by this user only."""
    path = path or paths.settings_file()
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            os.chmod(path, FILE_MODE)
    except OSError:
        pass
