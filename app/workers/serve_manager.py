"""The chat engines the window runs: one serve engine per base model, plus remote endpoints.

``ServeManager.ensure(model_ref, adapter)`` returns the key of an engine that serves that model
(and that adapter), starting one when needed. An engine already running the base model loads the
adapter while it runs (``POST /v1/load_lora_adapter``: vLLM is started with ``--enable-lora``, the
transformers engine loads PEFT adapters in place), off the GUI thread; until it is loaded ``find``
does not name the engine for that adapter, and ``changed`` says when it is. Only an adapter whose
rank is above a vLLM engine's ``--max-lora-rank`` restarts the engine (with a higher maximum, and
``EngineInfo.notice`` says why). Several engines may run side by side, each on its own port (two
base models compared, say).

``planned_engine(model_ref)`` says which engine a launch would use (the setting, or "auto":
``serve_config.planned_engine``), and ``preload(model_ref)`` starts the engine ahead of the first
message (Settings → Chat engines → "Start the chat engine"), unless the model is not there or the
app crashed while loading a model last time.

The engines are the window's children: they get ``--exit-with-parent`` so a killed window never
leaves a server holding memory, and ``shutdown()`` stops them when the window closes. While an
engine loads, ``app.core.safe_start`` holds a marker naming the model, so a crash during loading
keeps the next start from loading it again automatically.

Remote endpoints (any OpenAI-compatible URL, key in the keyring) are listed like engines, always
"ready"; the key is read from the keyring when a chat needs it and never stored in the object.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.core import protocol
from app.workers.engine_process import EngineProcess

log = logging.getLogger(__name__)

ENGINE = "app.engines.serve"
MEMORY_POLL_MS = 5000
REMOTE_PREFIX = "remote:"


@dataclass(frozen=True)
class EngineInfo:
    key: str
    label: str
    model_ref: str
    adapters: dict[str, str] = field(default_factory=dict)
    engine: str = ""  # "vllm" | "transformers" | "remote" ("" until the engine says which)
    state: str = "loading"  # "loading" | "ready" | "failed" | "stopped"
    base_url: str | None = None
    model: str | None = None  # the id to send as "model" for the base model
    pid: int | None = None
    port: int | None = None
    message: str = ""  # the loading stage, or the error (English, as the engine wrote it)
    progress: tuple[int, int] | None = None  # (step, total) while loading
    stage: str = ""  # the loading stage's code, and its params, for the GUI to word
    stage_params: dict = field(default_factory=dict)
    failure: object | None = None  # why it failed: the engine's error event, else its Outcome
    memory_bytes: int | None = None  # resident memory of the engine and its children
    gpu_memory_bytes: int | None = None  # what NVML attributes to them (None: no GPU sampled)
    load_s: float | None = None
    loading_adapters: tuple[str, ...] = ()  # asked for: loading into the running engine (or once it is up)
    adapter_errors: dict[str, str] = field(default_factory=dict)  # adapter name → why it did not load
    max_lora_rank: int | None = None  # vLLM's --max-lora-rank (None: any rank, or not known yet)
    notice: str = ""  # why this engine (re)started, kept while it loads ("" none)
    notice_params: dict = field(default_factory=dict)  # its values (adapter, rank, max_rank), for a translation

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def process_tree_rss(pid: int) -> int | None:
    """Resident memory of a process and its descendants (the vLLM server is a grandchild)."""
    try:
        import psutil

        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total
    except Exception:  # noqa: BLE001 - psutil missing or the process gone: no figure
        return None


class _Engine:
    """One serve engine process and what it has said so far (GUI thread only)."""

    def __init__(self, info: EngineInfo, proc: EngineProcess | None):
        self.info = info
        self.proc = proc
        self.api_key: str | None = None
        self.pending: dict[str, str] = {}  # adapters to load once the engine is ready: name → path
        self.loading: dict[str, str] = {}  # adapters being loaded now: name → path


class _AdapterLoads(QObject):
    """POST /v1/load_lora_adapter on a thread; ``done`` comes back on the GUI thread."""

    done = Signal(str, object, str, bool, str, float)  # key, process, name, ok, message, seconds

    def load(self, key: str, proc, base_url: str, api_key: str | None, name: str, path: str) -> None:
        def run() -> None:
            from app.core import chat_client
            from app.core.errors import UserError

            t0 = time.monotonic()
            try:
                chat_client.load_adapter(base_url, api_key, name, path)
                ok, message = True, ""
            except UserError as err:
                ok, message = False, str(err)
            except Exception as exc:  # noqa: BLE001 - reported on the engine, never a dead thread
                ok, message = False, f"{type(exc).__name__}: {exc}"
            self.done.emit(key, proc, name, ok, message, time.monotonic() - t0)

        threading.Thread(target=run, name=f"load-adapter-{name}", daemon=True).start()


class ServeManager(QObject):
    changed = Signal()
    ready = Signal(str)  # key
    failed = Signal(str, str)  # key, message
    adapter_failed = Signal(str, str, str)  # key, adapter name, message

    def __init__(self, settings, parent: QObject | None = None, *, engine_choice: str | None = None):
        super().__init__(parent)
        self.settings = settings
        self._engine_choice = engine_choice  # tests force "transformers"
        self._engines: dict[str, _Engine] = {}
        self._loads = _AdapterLoads(self)
        self._loads.done.connect(self._adapter_loaded)
        self._machine: tuple[bool, bool] | None = None  # (NVIDIA GPU, vLLM runtime present), read once
        self._stopping: list[EngineProcess] = []  # stopped but maybe not exited yet
        self._closed = False
        self._gpu_total_bytes: int | None = None  # GPU 0's memory, from the monitor
        self._last_used: dict[str, float] = {}  # key → when a chat last asked for it (monotonic)
        self._estimates: dict[str, int] = {}  # key → what it was expected to take when started
        self._room_notice: tuple[str, int | None] | None = None  # engines stopped for the next start
        self.in_use = lambda: set()  # keys answering now (the answer pipeline sets this): never stopped
        self._mem_timer = QTimer(self)
        self._mem_timer.setInterval(MEMORY_POLL_MS)
        self._mem_timer.timeout.connect(self._poll_memory)

    # --- queries --------------------------------------------------------------------------------
    def engines(self) -> list[EngineInfo]:
        local = [e.info for e in self._engines.values()]
        return local + self.remote_endpoints()

    def get(self, key: str) -> EngineInfo | None:
        if key.startswith(REMOTE_PREFIX):
            return next((e for e in self.remote_endpoints() if e.key == key), None)
        e = self._engines.get(key)
        return e.info if e else None

    def connection(self, key: str) -> tuple[str, str | None]:
        """(base_url, api_key) for a ready engine or remote endpoint; raises UserError otherwise."""
        from app.core.errors import UserError

        if key.startswith(REMOTE_PREFIX):
            info = self.get(key)
            if info is None:
                raise UserError("That remote endpoint was removed in Settings.", code="chat.remote_missing")
            from app.core import secrets
            from app.core.settings import remote_key_name

            return info.base_url or "", secrets.get_secret(remote_key_name(info.label))
        e = self._engines.get(key)
        if e is None or not e.info.ready:
            raise UserError("The model is not loaded.", code="chat.not_loaded")
        return e.info.base_url or "", e.api_key

    def key_for(self, model_ref: str) -> str:
        return model_ref

    def find(self, model_ref: str, adapter: str | None = None) -> EngineInfo | None:
        """A running or loading engine for this model that serves ``adapter`` (if given)."""
        if model_ref.startswith(REMOTE_PREFIX):
            return self.get(model_ref)
        e = self._engines.get(self.key_for(model_ref))
        if e is None or e.info.state in ("failed", "stopped"):
            return None
        if adapter and adapter not in e.info.adapters:
            return None  # not loaded (yet): ensure() loads it into the running engine
        return e.info

    def remote_endpoints(self) -> list[EngineInfo]:
        out = []
        for ep in getattr(self.settings, "remote_endpoints", []) or []:
            name = ep.get("name", "")
            out.append(EngineInfo(key=REMOTE_PREFIX + name, label=name, model_ref=REMOTE_PREFIX + name,
                                  engine="remote", state="ready", base_url=ep.get("base_url"),
                                  model=ep.get("model") or None))
        return out

    # --- starting and stopping -----------------------------------------------------------------
    def ensure(self, model_ref: str, adapter: tuple[str, str] | None = None, *, label: str = "") -> str:
        """The key of an engine for ``model_ref`` (+ ``adapter`` = (name, path)), started if needed.
        A running (or loading) engine loads the adapter while it runs; see the module doc."""
        if model_ref.startswith(REMOTE_PREFIX):
            return model_ref
        key = self.key_for(model_ref)
        self._last_used[key] = time.monotonic()
        current = self._engines.get(key)
        if current is not None and current.info.state in ("loading", "ready"):
            if adapter is not None and adapter[0] not in current.info.adapters:
                self._add_adapter(current, adapter[0], str(adapter[1]))
            return key
        adapters: dict[str, str] = {}
        if current is not None:  # a failed/stopped engine: retry with what it had
            adapters = {**current.info.adapters, **current.pending}
        if adapter is not None:
            adapters[adapter[0]] = str(adapter[1])
        return self.start(model_ref, adapters, label=label or (current.info.label if current else ""))

    def _add_adapter(self, e: _Engine, name: str, path: str) -> None:
        if name in e.pending or name in e.info.loading_adapters:
            return
        errors = {k: v for k, v in e.info.adapter_errors.items() if k != name}  # asked again: try again
        e.pending[name] = path
        e.info = replace(e.info, adapter_errors=errors, loading_adapters=tuple({**e.loading, **e.pending}))
        if e.info.state == "ready":
            self._load_pending(e)
        else:
            self.changed.emit()

    def _load_pending(self, e: _Engine) -> None:
        """Load the adapters asked for while the engine is ready; restart only for a rank above the maximum."""
        if not e.pending or e.info.state != "ready":
            return
        from app.core import serve_config

        max_rank = e.info.max_lora_rank
        ranks = {name: serve_config.adapter_rank(Path(path)) for name, path in e.pending.items()}
        too_big = {n: r for n, r in ranks.items() if max_rank is not None and r > max_rank}
        if too_big:
            name, rank = max(too_big.items(), key=lambda kv: kv[1])
            adapters = {**e.info.adapters, **e.pending}
            new_max = serve_config.lora_rank_bucket(max(ranks.values()))
            notice = (f"Restarting {e.info.label} to load {name}: its LoRA rank {rank} is above this engine's "
                      f"maximum {max_rank} (restarted with {new_max}).")
            log.info(notice)
            self.start(e.info.model_ref, adapters, label=e.info.label, max_lora_rank=new_max,
                       notice=notice, notice_params={"adapter": name, "rank": rank, "max_rank": max_rank})
            return
        for name, path in e.pending.items():
            e.loading[name] = path
            self._loads.load(e.info.key, e.proc, e.info.base_url or "", e.api_key, name, path)
        e.pending.clear()
        e.info = replace(e.info, loading_adapters=tuple(e.loading))
        self.changed.emit()

    def _adapter_loaded(self, key: str, proc, name: str, ok: bool, message: str, seconds: float) -> None:
        e = self._engines.get(key)
        if e is None or e.proc is not proc:
            return  # the engine was stopped or replaced meanwhile
        path = e.loading.pop(name, "")
        loading = tuple(e.loading)
        if ok:
            log.info("adapter %s loaded into the running %s engine in %.2f s", name, e.info.engine, seconds)
            e.info = replace(e.info, loading_adapters=loading, adapters={**e.info.adapters, name: path})
        else:
            log.warning("adapter %s could not be loaded: %s", name, message)
            e.info = replace(e.info, loading_adapters=loading, adapter_errors={**e.info.adapter_errors, name: message})
            self.adapter_failed.emit(key, name, message)
        self.changed.emit()

    def planned_engine(self, model_ref: str) -> str:
        """The engine that serves ``model_ref``: the running one's, else what a launch would pick."""
        if model_ref.startswith(REMOTE_PREFIX):
            return "remote"
        e = self._engines.get(self.key_for(model_ref))
        if e is not None and e.info.engine and e.info.state in ("loading", "ready"):
            return e.info.engine
        from app.core import chat_targets, serve_config

        choice = self._engine_choice or getattr(self.settings, "chat_engine", "auto")
        if choice in serve_config.ENGINES:
            return choice
        cuda, vllm_found = self._machine_facts()
        return serve_config.planned_engine(choice, chat_targets.model_dir(model_ref), cuda, vllm_found)

    def _machine_facts(self) -> tuple[bool, bool]:
        if self._machine is None:
            from app.core import serve_config, vllm_runtime

            try:
                python = vllm_runtime.locate(self.settings)[0]
                present = python.is_file()  # the serve engine checks it properly when it starts
            except Exception:  # noqa: BLE001
                present = False
            self._machine = (serve_config.cuda_available(), present)
        return self._machine

    def preload(self, model_ref: str, adapter: tuple[str, str] | None = None, *, label: str = "") -> str | None:
        """Start the engine for a chat ahead of its first message; None when it is not started (remote,
        already there, the model not prepared, or the app crashed while loading a model last time)."""
        from app.core import chat_targets, safe_start

        if model_ref.startswith(REMOTE_PREFIX) or self._closed:
            return None
        if self.find(model_ref, adapter[0] if adapter else None) is not None:
            return None
        if safe_start.crashed_while_loading() or not chat_targets.model_ready(model_ref):
            return None
        log.info("starting the chat engine for %s ahead of the first message (%s)", label or model_ref,
                 getattr(self.settings, "chat_preload", ""))
        return self.ensure(model_ref, adapter, label=label)

    def start(self, model_ref: str, adapters: dict[str, str] | None = None, engine: str | None = None,
              *, label: str = "", max_lora_rank: int | None = None, notice: str = "",
              notice_params: dict | None = None) -> str:
        key = self.key_for(model_ref)
        old = self._engines.get(key)
        if old is not None and old.proc is not None and old.proc.is_running():
            self._stop_process(old)
        room = self._make_room(key, model_ref, label or model_ref)
        if room is not None:  # it does not fit in what the user allows: said, nothing started
            return room
        adapters = dict(adapters or {})
        argv = ["--model", model_ref, "--exit-with-parent"]
        for name, path in adapters.items():
            argv += ["--adapter", f"{name}={path}"]
        if getattr(self.settings, "gpu_memory_utilization", 0):
            argv += ["--gpu-memory-utilization", str(self.settings.gpu_memory_utilization)]
        if getattr(self.settings, "max_model_len", 0):
            argv += ["--max-model-len", str(self.settings.max_model_len)]
        from app.core import chat_targets

        folder = chat_targets.model_dir(model_ref)
        # this model's own sizes (the Models panel's GPUs…), else Settings'
        tp, pp = self.settings.parallel_for(str(folder.resolve()) if folder is not None else None)
        for flag, size in (("--tensor-parallel-size", tp), ("--pipeline-parallel-size", pp)):
            if size > 1:
                argv += [flag, str(size)]
        if max_lora_rank:
            argv += ["--max-lora-rank", str(max_lora_rank)]
        choice = engine or self._engine_choice or getattr(self.settings, "chat_engine", "auto")
        if choice in ("vllm", "transformers"):
            argv += ["--engine", choice]
        proc = EngineProcess(ENGINE, argv, parent=self)
        room, self._room_notice = self._room_notice, None
        if room is not None and not notice:
            notice, notice_params = "made_room", {"stopped": room[0],
                                                  "budget_gb": f"{(room[1] or 0) / 2**30:.1f}"}
        info = EngineInfo(key=key, label=label or model_ref, model_ref=model_ref, adapters=adapters,
                          state="loading", message="", notice=notice, notice_params=dict(notice_params or {}))
        entry = _Engine(info, proc)
        self._engines[key] = entry
        proc.event.connect(lambda ev, k=key, p=proc: self._on_event(k, p, ev))
        proc.finished.connect(lambda outcome, k=key, p=proc: self._on_finished(k, p, outcome))
        self._mark_loading()
        proc.start()
        self.changed.emit()
        if not self._mem_timer.isActive():
            self._mem_timer.start()
        return key

    # --- memory: several engines within what the user allows ----------------------------------
    def memory_budget(self) -> tuple[int | None, bool]:
        """(bytes the chat engines may hold together, whether the user set it), serve_memory.budget_bytes."""
        from app.core import serve_memory

        return serve_memory.budget_bytes(float(getattr(self.settings, "chat_memory_gb", 0) or 0),
                                          self._machine_facts()[0], self._gpu_total_bytes)

    def engine_cost(self, key: str) -> int:
        """What a running engine holds: measured (GPU memory on a GPU, else resident memory), or
        the estimate it was started with until it was measured."""
        e = self._engines.get(key)
        if e is None:
            return 0
        on_gpu = self._machine_facts()[0]
        measured = e.info.gpu_memory_bytes if on_gpu else e.info.memory_bytes
        return max(int(measured or 0), self._estimates.get(key, 0))

    def _make_room(self, key: str, model_ref: str, label: str) -> str | None:
        """Stop least recently used engines so ``model_ref``'s fits the budget; the key of a failed
        entry (serve.memory_budget) when it cannot fit what the user set, else None."""
        from app.core import chat_targets, serve_memory

        on_gpu = self._machine_facts()[0]
        folder = chat_targets.model_dir(model_ref)
        need = serve_memory.engine_bytes(folder, on_gpu) if folder is not None else 0
        self._estimates[key] = need
        budget, explicit = self.memory_budget()
        in_use = set(self.in_use() or ())
        running = [serve_memory.Running(k, self.engine_cost(k), self._last_used.get(k, 0.0), k in in_use)
                   for k, e in self._engines.items()
                   if k != key and e.info.state in ("loading", "ready") and e.info.engine != "remote"]
        stop, fits = serve_memory.make_room(running, need, budget)
        if not fits and explicit:
            gb = lambda b: f"{b / serve_memory.GIB:.1f}"  # noqa: E731
            busy = [self._engines[r.key].info.label for r in running if r.in_use]
            message = (f"{label} needs about {gb(need)} GB to serve, and the chat engines may use {gb(budget)} GB "
                       f"together (Settings → Chat engines)" + (f"; answering now: {', '.join(busy)}" if busy else "")
                       + ". Raise the limit, or stop another model.")
            failure = protocol.Error(message=message, extra={"code": "serve.memory_budget", "params": {
                "model": label, "need_gb": gb(need), "budget_gb": gb(budget), "busy": ", ".join(busy)}})
            self._engines[key] = _Engine(EngineInfo(key=key, label=label, model_ref=model_ref, state="failed",
                                                    message=message, failure=failure), None)
            QTimer.singleShot(0, lambda: (self.failed.emit(key, message), self.changed.emit()))
            return key
        if not fits:  # automatic limit: make what room there is and try
            stop = [r.key for r in running if not r.in_use]
        stopped = []
        for k in stop:
            stopped.append(self._engines[k].info.label)
            log.info("stopping the chat engine of %s to make room for %s", stopped[-1], label)
            self.stop(k)
        if stopped:
            self._room_notice = (", ".join(stopped), budget)
        return None

    def stop(self, key: str) -> None:
        e = self._engines.get(key)
        if e is None:
            return
        self._stop_process(e)
        self._engines.pop(key, None)
        self._mark_loading()
        self.changed.emit()

    def shutdown(self) -> None:
        """The window closes: stop every engine (they serve only this window)."""
        self._closed = True
        self._mem_timer.stop()
        for e in list(self._engines.values()):
            self._stop_process(e)
        for proc in self._stopping:
            if proc.is_running() and not proc.wait(8000):
                proc.kill()
                proc.wait(2000)
        self._stopping.clear()
        self._engines.clear()
        self._mark_loading()

    # --- internals ------------------------------------------------------------------------------
    def _stop_process(self, e: _Engine) -> None:
        if e.proc is not None and e.proc.is_running():
            e.proc.stop(grace_s=5, term_grace_s=5)
            self._stopping = [p for p in self._stopping if p.is_running()] + [e.proc]
            e.proc = None  # its finished signal now names a process we no longer follow (ignored)
        e.info = replace(e.info, state="stopped")

    def _update(self, key: str, proc: EngineProcess, **changes) -> _Engine | None:
        e = self._engines.get(key)
        if e is None or e.proc is not proc:
            return None  # an event from an engine we replaced
        e.info = replace(e.info, **changes)
        return e

    def _on_event(self, key: str, proc: EngineProcess, ev) -> None:
        if isinstance(ev, protocol.Started):
            self._update(key, proc, pid=ev.pid)
        elif isinstance(ev, protocol.Progress):
            extra = ev.extra or {}
            self._update(key, proc, message=ev.message, progress=(ev.step, ev.total or 0),
                         stage=str(extra.get("stage") or ""), stage_params=dict(extra.get("stage_params") or {}))
        elif isinstance(ev, protocol.Error):
            self._update(key, proc, message=ev.message + (f" — {ev.hint}" if ev.hint else ""), failure=ev)
        elif isinstance(ev, protocol.Result):
            d = ev.data
            e = self._update(key, proc, state="ready", engine=d.get("engine", ""), base_url=d.get("base_url"),
                             model=d.get("model"), port=d.get("port"), message="", progress=None,
                             load_s=d.get("load_s"), max_lora_rank=d.get("max_lora_rank"), notice="",
                             notice_params={})
            if e is None:
                return
            e.api_key = d.get("api_key")
            self._mark_loading()
            self.ready.emit(key)
            self._load_pending(e)  # adapters asked for while it loaded
        else:
            return
        self.changed.emit()

    def _on_finished(self, key: str, proc: EngineProcess, outcome) -> None:
        e = self._engines.get(key)
        if e is None or e.proc is not proc:
            return
        if outcome.status == "stopped":
            e.info = replace(e.info, state="stopped")
        else:
            message = e.info.message if e.info.state == "loading" and e.info.message else ""
            message = outcome.last_error or message or outcome.status
            failure = e.info.failure or outcome.last_error_event or outcome
            e.info = replace(e.info, state="failed", message=message, progress=None, failure=failure)
            self.failed.emit(key, message)
        self._mark_loading()
        self.changed.emit()

    def _mark_loading(self) -> None:
        """Keep the safe-start marker while any engine is loading, naming it."""
        try:
            from app.core import safe_start
        except ImportError:  # pragma: no cover - the module ships with the app
            return
        loading = [e.info.label for e in self._engines.values() if e.info.state == "loading"]
        try:
            if loading and not self._closed:
                safe_start.mark_loading(", ".join(loading))
            else:
                safe_start.clear_loading()
        except OSError as exc:
            log.warning("safe-start marker: %s", exc)

    def gpu_owner_labels(self) -> dict[int, str]:
        """{engine pid: label} for the GPU monitor, which then names their GPU processes (vLLM's
        worker is a grandchild) as owned by that engine."""
        return {e.info.pid: self._gpu_label(e.info) for e in self._engines.values()
                if e.info.pid and e.info.state in ("loading", "ready")}

    @staticmethod
    def _gpu_label(info: EngineInfo) -> str:
        return f"chat engine: {info.label}"

    def apply_gpu_reading(self, reading: dict) -> None:
        """Sum the GPU memory of each engine's processes from a GPU monitor reading."""
        if not reading.get("available"):
            return
        gpus = reading.get("gpus") or []
        if gpus and gpus[0].get("memory_total_gb"):
            self._gpu_total_bytes = int(float(gpus[0]["memory_total_gb"]) * 2**30)
        used: dict[str, float] = {}
        for gpu in reading.get("gpus") or []:
            for proc in gpu.get("processes") or []:
                owner = proc.get("owner") or {}
                if owner.get("kind") == "engine" and proc.get("memory_gb"):
                    used[owner.get("label", "")] = used.get(owner.get("label", ""), 0.0) + float(proc["memory_gb"])
        changed = False
        for e in self._engines.values():
            gb = used.get(self._gpu_label(e.info))
            value = int(gb * 2**30) if gb is not None else None
            if value != e.info.gpu_memory_bytes:
                e.info = replace(e.info, gpu_memory_bytes=value)
                changed = True
        if changed:
            self.changed.emit()

    def _poll_memory(self) -> None:
        changed = False
        for e in self._engines.values():
            if e.info.pid and e.info.state in ("loading", "ready"):
                rss = process_tree_rss(e.info.pid)
                if rss != e.info.memory_bytes:
                    e.info = replace(e.info, memory_bytes=rss)
                    changed = True
        if changed:
            self.changed.emit()


__all__ = ["ServeManager", "EngineInfo", "process_tree_rss", "REMOTE_PREFIX"]
