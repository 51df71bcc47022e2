"""Benchmarks through lm-evaluation-harness: local multiple-choice task files offline, hub tasks online.

``run_bench(rep, tasks, model=… | url=…, limit=…)`` measures each task with lm-eval's
``local-completions`` model against an OpenAI-compatible server: the app's own (``--model``: the
serve engine is started on a free port for the benchmark, with the transformers engine, and stopped
after) or any endpoint (``--url``). A run is measured side by side: the server loads the base with
the run's adapter, and the same questions go to ``model=<base>`` (adapter off) and
``model=adapter``, so both numbers come from the very same weights, as in ``eval run``.

Why the server and not lm-eval's ``hf`` model on the folder (which would be simpler and as offline):
the numbers are those of the model as the app serves it (its adapter switching, its quantisation
when asked), and one code path measures a local model, a run and a remote endpoint (vLLM and other
servers answer the same requests). A multiple-choice answer is scored by the log-likelihood of each
choice's tokens, which ``local-completions`` asks with ``echo`` + ``logprobs`` on ``/v1/completions``
(the transformers engine answers that with one forward pass per request). Prompts go as token ids
made with the model's own tokenizer: the server's ``/v1/models`` names its folder (``root``).

A ``--tasks`` value that is a file is a local task (``app.evaluation.mctask``); anything else is a
hub task name, which lm-eval downloads: it needs the hub, so offline it is refused with
``bench.offline`` before anything starts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.evaluation.mctask import LocalTask, read_task_file, task_config

API_KEY_ENV = "AI_PLATFORM_BENCH_API_KEY"  # the key of a --url endpoint (never on the command line)
REQUEST_TIMEOUT_S = 600


def _is_file_spec(spec: str) -> bool:
    p = Path(spec).expanduser()
    return p.is_file() or p.suffix.lower() in (".jsonl", ".json") or os.sep in spec or "/" in spec


def resolve_tasks(specs: Sequence[str]) -> tuple[list[LocalTask], list[str]]:
    """(local tasks read from their files, hub task names). Broken files and unknown or unreachable hub
    tasks raise UserError before any model is started."""
    if not specs:
        raise UserError("Name at least one task: --tasks FILE.jsonl or a task name of lm-evaluation-harness.",
                        code="bench.no_tasks")
    local: list[LocalTask] = []
    hub: list[str] = []
    for spec in specs:
        spec = spec.strip()
        if _is_file_spec(spec):
            task = read_task_file(spec)
            names = {t.name for t in local}
            if task.name in names:  # two files with one stem: keep both, apart
                task = LocalTask(f"{task.name}_{len(local) + 1}", task.path, task.questions)
            local.append(task)
        elif spec:
            hub.append(spec)
    if hub:
        _check_hub_tasks(hub)
    return local, hub


_MANAGERS: dict[bool, Any] = {}


def _task_manager(hub: bool):
    """lm-eval's TaskManager; with ``hub`` its index of every task it ships (building it reads some
    15,000 YAML files, over a minute on two cores), else an empty one for the in-memory local tasks."""
    if hub not in _MANAGERS:
        from lm_eval.tasks import TaskManager

        _MANAGERS[hub] = TaskManager(include_defaults=hub)
    return _MANAGERS[hub]


def _check_hub_tasks(names: list[str]) -> None:
    """Offline first (in seconds, before lm-eval's index of its tasks, which takes over a minute), then
    whether lm-eval knows each name."""
    from app.core.hub import hub_reachable, offline_env

    shown = ", ".join(names)
    why = f"offline mode is on ({offline_env()}=1)" if offline_env() else hub_reachable()
    if why:
        raise UserError(f"The task {shown} would come from the Hugging Face hub, which cannot be reached ({why}). "
                        "Run it when online, or use a local task file (JSONL: question, A-D, answer).",
                        code="bench.offline", params={"tasks": shown, "reason": why})
    known = set(_task_manager(True).all_tasks)
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = ", ".join(unknown)
        raise UserError(f"Unknown task {shown}: give a task file (JSONL, one multiple-choice question a line) or a "
                        "task name of lm-evaluation-harness (lm-eval ls tasks lists them).",
                        code="bench.task_unknown", params={"tasks": shown})


# --- the model measured ---------------------------------------------------------------------------

class Endpoint:
    """An OpenAI-compatible server and the models to measure on it: ``sides`` {side: served model name}."""

    def __init__(self, base_url: str, api_key: str | None, sides: dict[str, str], label: str, served=None):
        self.base_url, self.api_key, self.sides, self.label = base_url.rstrip("/"), api_key, sides, label
        self._served = served
        self.tokenizer: str | None = None
        self.max_len: int | None = None

    def close(self) -> None:
        if self._served is not None:
            self._served.close()
            self._served = None


def _model_target(ref: str) -> tuple[str, Path | None, Path | None]:
    """(the serve engine's --model, the adapter folder or None, the run folder or None) for ``ref``:
    ``default``, a model folder, a registered model's name, or a run (id or folder)."""
    from app.evaluation.run import resolve_run

    ref = ref.strip() or "default"
    folder = Path(ref).expanduser()
    if ref == "default" or ((folder / "config.json").is_file() and not (folder / "adapter").is_dir()):
        return (ref if ref == "default" else str(folder.resolve())), None, None
    try:
        run_dir = resolve_run(ref)
    except UserError:
        return ref, None, None  # a registered model's name: the serve engine resolves it or says why not
    from app.core.train_config import CONFIG_FILE, read_config

    adapter = run_dir / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"The run {run_dir.name} has no adapter to evaluate yet (it is saved when the run "
                        "finishes or is stopped).", code="eval.no_adapter", params={"run": run_dir.name})
    base_dir = read_config(run_dir / CONFIG_FILE).model_dir()
    if not base_dir.is_dir():
        raise UserError(f"The run's base model {base_dir} is gone; put it back or import it again.",
                        code="eval.base_missing", params={"path": str(base_dir)})
    return str(base_dir), adapter, run_dir


def open_local(rep, ref: str, threads: int | None = None) -> tuple[Endpoint, Path | None]:
    """The serve engine (transformers) on ``ref``, with the run's adapter when ``ref`` is a run."""
    from app.core import settings
    from app.evaluation import served

    model_arg, adapter, run_dir = _model_target(ref)
    args = ["--engine", "transformers", "--threads", str(threads or settings.load().cpu_threads or 1)]
    if adapter is not None:
        args += ["--adapter", f"adapter={adapter}"]
    rep.progress(0, None, message=f"Starting {ref} on the transformers engine", stage="bench.serve", model=ref)
    try:
        s = served.start(model_arg, args)
    except served.StartFailed as exc:
        raise UserError(f"Cannot start the model {ref!r}: {exc}", code="bench.model_start",
                        params={"model": ref, "reason": str(exc)}) from None
    sides = {"base": s.model, "adapter": "adapter"} if adapter is not None else {"model": s.model}
    ep = Endpoint(s.base_url, s.api_key, sides, label=ref, served=s)
    try:
        _describe(ep)
    except BaseException:
        ep.close()
        raise
    return ep, run_dir


def open_url(url: str) -> Endpoint:
    """A running endpoint ``URL[#MODEL]`` (key from ``AI_PLATFORM_BENCH_API_KEY``); its first model by default."""
    from app.core.remote_endpoints import normalize_url

    base, _, model = url.partition("#")
    ep = Endpoint(normalize_url(base), os.environ.get(API_KEY_ENV) or None, {}, label=url)
    entries = _describe(ep, model or None)
    ep.sides = {"model": model or entries[0]["id"]}
    ep.label = f"{ep.sides['model']} @ {ep.base_url}"
    return ep


def _describe(ep: Endpoint, model: str | None = None) -> list[dict]:
    """Reads ``/v1/models``: the tokenizer folder (``root``) and the context length of the model measured."""
    from app.core import chat_client

    try:
        entries = chat_client.model_entries(ep.base_url, ep.api_key)
    except chat_client.ChatClientError as exc:
        raise UserError(f"The endpoint {ep.base_url} does not answer: {exc}", code="bench.endpoint",
                        params={"url": ep.base_url, "reason": str(exc)}) from None
    if not entries:
        raise UserError(f"The endpoint {ep.base_url} serves no model.", code="bench.no_model",
                        params={"url": ep.base_url})
    name = model or next(iter(ep.sides.values()), None) or entries[0]["id"]
    entry = next((e for e in entries if e["id"] == name), None)
    if entry is None:
        raise UserError(f"The endpoint {ep.base_url} does not serve {name!r} (it serves "
                        f"{', '.join(e['id'] for e in entries)}).", code="bench.no_model",
                        params={"url": ep.base_url})
    root = entry.get("root")
    if entry.get("parent"):  # an adapter: its tokenizer is the base's
        root = next((e.get("root") for e in entries if e["id"] == entry["parent"]), root)
    if isinstance(root, str) and Path(root).is_dir() and any(
            (Path(root) / f).is_file() for f in ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")):
        ep.tokenizer = root
    if isinstance(entry.get("max_model_len"), int):
        ep.max_len = entry["max_model_len"]
    return entries


# --- the measurement ------------------------------------------------------------------------------

def _import_lm_eval() -> None:
    try:
        import lm_eval  # noqa: F401
        import lm_eval.models.openai_completions  # noqa: F401
    except ImportError:
        pass  # said where it is used


def _lm_eval_quiet() -> None:
    for name in ("lm_eval", "lm-eval", "datasets", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _model_args(ep: Endpoint, model: str) -> dict[str, Any]:
    args: dict[str, Any] = {"base_url": ep.base_url + "/completions", "model": model, "num_concurrent": 1,
                            "max_retries": 1, "timeout": REQUEST_TIMEOUT_S, "batch_size": 1,
                            "header": {"Authorization": f"Bearer {ep.api_key or ''}"}}
    if ep.tokenizer:
        args.update(tokenizer=ep.tokenizer, tokenizer_backend="huggingface")
    if ep.max_len:
        args["max_length"] = ep.max_len
    return args


def metrics_of(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """lm-eval's results as ``{task: {"acc": …, "acc_stderr": …, "questions": N}}`` (the ``,none`` filter
    suffix dropped; a metric lm-eval could not compute, such as a stderr of one question, left out)."""
    out: dict[str, dict[str, Any]] = {}
    samples = raw.get("n-samples") or {}
    for task, values in (raw.get("results") or {}).items():
        row: dict[str, Any] = {}
        for key, value in values.items():
            if key in ("alias", "sample_len") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            metric, _, filt = key.partition(",")
            row[metric if filt in ("", "none") else key] = value
        n = (samples.get(task) or {}).get("effective")
        if isinstance(n, int):
            row["questions"] = n
        out[task] = row
    return out


def _evaluate(ep: Endpoint, model: str, tasks: list, limit: int | None, hub: bool) -> dict[str, dict[str, Any]]:
    try:
        import lm_eval
    except ImportError as exc:
        raise UserError(f"lm-evaluation-harness is not installed ({exc}): install the app's eval extra "
                        "(pip install 'ai-platform[eval]').", code="bench.not_installed",
                        params={"reason": str(exc)}) from None

    try:
        raw = lm_eval.simple_evaluate(model="local-completions", model_args=_model_args(ep, model), tasks=tasks,
                                      limit=limit, log_samples=False, bootstrap_iters=1000,
                                      task_manager=_task_manager(hub))
    except Exception as exc:  # noqa: BLE001 - a refused or failed request, said with the endpoint's reason
        import requests
        import tenacity

        if isinstance(exc, (requests.RequestException, tenacity.RetryError)):
            raise UserError(f"The endpoint {ep.base_url} failed a benchmark request: {exc}", code="bench.request",
                            params={"url": ep.base_url, "reason": str(exc)[:300]}) from None
        raise
    return metrics_of(raw or {})


def run_bench(rep, task_specs: Sequence[str], *, model: str | None = None, url: str | None = None,
              limit: int | None = None, threads: int | None = None) -> dict[str, Any]:
    """Each task on the model (or both sides of a run); the result dict of ``eval bench``."""
    if (model is None) == (url is None):
        raise UserError("Give either --model (a model or a run) or --url (a running endpoint).",
                        code="bench.no_target")
    if limit is not None and limit < 1:
        raise UserError(f"--limit must be at least 1, not {limit}.", code="bench.limit", params={"limit": limit})
    t0 = time.monotonic()
    local, hub = resolve_tasks(task_specs)
    _lm_eval_quiet()
    run_dir = None
    if model is not None:
        # lm-eval's import (seconds: datasets, evaluate, scikit-learn) overlaps the model's loading
        warm = threading.Thread(target=_import_lm_eval, name="import-lm-eval", daemon=True)
        warm.start()
        ep, run_dir = open_local(rep, model, threads)
        warm.join()
    else:
        ep = open_url(url)
    try:
        if not ep.tokenizer:
            raise UserError(f"The endpoint {ep.base_url} does not say where its model's tokenizer is (no local "
                            "folder in /v1/models): benchmarks need it to score answers.",
                            code="bench.no_tokenizer", params={"url": ep.base_url})
        out: dict[str, Any] = {
            "kind": "bench", "target": ep.label, "endpoint": ep.base_url, "limit": limit,
            "tasks": [{"name": t.name, "source": "file", "path": str(t.path), "questions": len(t.questions)}
                      for t in local] + [{"name": n, "source": "hub"} for n in hub]}
        for i, (side, served_name) in enumerate(ep.sides.items()):
            rep.progress(i, len(ep.sides), message=f"Benchmark of the {side} ({served_name}) on "
                         f"{', '.join([t.name for t in local] + hub)}", stage="bench.side", side=side)
            tasks = [task_config(t) for t in local] + list(hub)
            out[side] = _evaluate(ep, served_name, tasks, limit, hub=bool(hub))
    finally:
        ep.close()
    if run_dir is not None:
        out.update(run=run_dir.name, run_dir=str(run_dir))
    out["set"] = ", ".join(str(t.path) for t in local) + (", " if local and hub else "") + ", ".join(hub)
    out["n_samples"] = sum(len(t.questions) if limit is None else min(limit, len(t.questions)) for t in local)
    out["seconds"] = round(time.monotonic() - t0, 2)
    return out


def save_bench_result(result: dict[str, Any]) -> Path | None:
    """A run's benchmark into ``RUN/eval/bench-<time>.json`` and the database; others are not kept."""
    if not result.get("run_dir"):
        return None
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore, write_result
    from app.core.runs import RunStore

    run_dir = Path(result["run_dir"])
    path = write_result(run_dir, result, prefix="bench")
    with open_database() as db:
        runs = RunStore(db)
        try:
            runs.get(result["run"])
        except UserError:
            runs.index_folder(run_dir)
        EvaluationStore(db).add(result, path)
    result["saved"] = str(path)
    return path
