"""The serve engine: an OpenAI-compatible chat API on 127.0.0.1, behind a random per-launch key.

    python -m app.engines.serve --model NAME_OR_PATH [--adapter NAME=PATH ...] [--engine vllm|transformers]
                                [--port N] [--max-model-len N] [--gpu-memory-utilization F]
                                [--max-lora-rank R]

``--model default`` is the bundled model's converted folder. ``--engine vllm`` runs vLLM's
api_server under the vLLM runtime's python, in its own process group; ``--engine transformers``
serves the same API in this process (transformers + peft). Without ``--engine``: the transformers
engine for a small model on a machine without a GPU (its first answer comes in seconds, vLLM's CPU
build takes about 95 s to start), else vLLM when its runtime is found (``serve_config.auto_engine``).

Both engines load LoRA adapters while they run: ``POST /v1/load_lora_adapter`` with
``{"lora_name", "lora_path"}`` (and ``/v1/unload_lora_adapter``), vLLM's own API; vLLM is started
with ``--enable-lora --max-lora-rank R`` for that (R: ``--max-lora-rank``, at least 16), the
transformers engine takes any rank.

Events (JSON lines on stdout): ``started``; ``progress`` while loading (``message`` says what);
``log`` for each line the vLLM server writes (also appended to ``<home>/logs/serve-<port>.log``);
once the API answers, ``result`` with ``{base_url, api_key, model, adapters, engine, pid, port,
max_lora_rank}`` (``max_lora_rank`` null: any rank);
it then serves until ``{"cmd":"stop"}`` or SIGTERM, stops the server (SIGTERM to the vLLM process
group, SIGKILL after a grace period) and ends with ``done: stopped``. If the server dies on its own:
``error`` (the tail of its log + a hint) and ``done: failed``.

This module is the command line and the choice of engine; the servers are in app/serving/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core import protocol, serve_config
from app.core.engine_runtime import EngineRuntime, run_main
from app.core.errors import UserError
from app.serving.transformers_server import serve_transformers
from app.serving.vllm import serve_vllm


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.serve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="default", help="'default' (bundled), a registered model's name, or a folder")
    ap.add_argument("--adapter", action="append", default=[], metavar="NAME=PATH",
                    help="a LoRA adapter to serve as model NAME (repeatable)")
    ap.add_argument("--engine", choices=serve_config.ENGINES, default=None,
                    help="vllm (default when the vLLM runtime is found) or transformers")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    ap.add_argument("--host", default=serve_config.HOST,
                    help="the address to listen on (default 127.0.0.1, this machine only); another address "
                         "or 0.0.0.0 opens the API to the network, always behind the per-launch key")
    ap.add_argument("--max-model-len", type=int, default=None)
    ap.add_argument("--gpu-memory-utilization", type=float, default=None)
    ap.add_argument("--max-lora-rank", type=int, default=None,
                    help="vLLM: the largest adapter rank that can be loaded while it runs (default 16)")
    ap.add_argument("--tensor-parallel-size", type=int, default=1, metavar="N",
                    help="vLLM: split each layer across N GPUs")
    ap.add_argument("--pipeline-parallel-size", type=int, default=1, metavar="N",
                    help="vLLM: split the layers into N stages, one GPU each")
    ap.add_argument("--vllm-python", default=None, help="the vLLM runtime's python (default: located)")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    ap.add_argument("--trust-remote-code", action="store_true", help="allow a model whose config has auto_map")
    ap.add_argument("--quantize", choices=("4bit", "8bit"), default=None,
                    help="transformers engine: load the weights in 4-bit (NF4) or 8-bit with bitsandbytes "
                         "(vLLM serves AWQ/GPTQ folders as they are)")
    ap.add_argument("--busy-timeout", type=float, default=None, metavar="S",
                    help="transformers engine: seconds a request waits for the answer being written before it "
                         "gets 503 busy (default 60)")
    ap.add_argument("--exit-with-parent", action="store_true",
                    help="stop when stdin closes (the app that started this engine died)")
    return ap.parse_args(argv)


def build_config(args: argparse.Namespace) -> serve_config.ServeConfig:
    trust = args.trust_remote_code or serve_config.registered_trusts_remote_code(args.model)
    name, folder = serve_config.resolve_model(args.model, allow_remote_code=trust)
    adapters: dict[str, Path] = {}
    for spec in args.adapter:
        a_name, a_path = serve_config.parse_adapter(spec)
        adapters[a_name] = a_path
    host = serve_config.check_host(getattr(args, "host", serve_config.HOST))
    return serve_config.ServeConfig(model_name=name, model_dir=folder, engine=args.engine or "vllm", host=host,
                                    port=args.port or serve_config.free_port(host), adapters=adapters,
                                    max_model_len=args.max_model_len,
                                    gpu_memory_utilization=args.gpu_memory_utilization,
                                    quantize=getattr(args, "quantize", None),
                                    max_lora_rank=getattr(args, "max_lora_rank", None),
                                    busy_timeout_s=getattr(args, "busy_timeout", None),
                                    tensor_parallel=getattr(args, "tensor_parallel_size", 1),
                                    pipeline_parallel=getattr(args, "pipeline_parallel_size", 1),
                                    trust_remote_code=trust)


def _settings_threads() -> int | None:
    try:
        from app.core import settings

        return settings.load().cpu_threads or None
    except Exception:  # noqa: BLE001
        return None


def choose_engine(requested: str | None, vllm_python: str | None,
                  model_dir: Path | None = None) -> tuple[str, str | None, str]:
    """(engine, vllm python or None, note). No engine asked for: ``serve_config.auto_engine`` (a small
    model on a machine without a GPU: transformers), else vLLM when found, else transformers."""
    from app.core import vllm_runtime

    if requested == "transformers":
        return "transformers", None, ""
    if requested is None:
        engine, why = serve_config.auto_engine(model_dir, serve_config.cuda_available())
        if engine:
            return engine, None, f"automatic engine choice: {engine} ({why})"
    info = vllm_runtime.runtime_info(vllm_python)
    if info["found"]:
        return "vllm", info["python"], f"vLLM runtime: {info['package']} {info['version']} at {info['python']}"
    if requested == "vllm":
        raise UserError(f"The vLLM runtime is not available: {info['reason']}", code="serve.no_vllm",
                        params={"reason": info["reason"]})
    return "transformers", None, f"vLLM runtime not found ({info['reason']}); using the transformers engine"


def body(rt: EngineRuntime, args: argparse.Namespace) -> str:
    try:
        cfg = build_config(args)
        if cfg.quantize and args.engine == "vllm":
            rt.emit(protocol.Error(message="--quantize loads a model with bitsandbytes in the transformers engine; "
                                           "vLLM serves AWQ and GPTQ folders as they are.",
                                   hint="Use --engine transformers, or serve a pre-quantized (AWQ/GPTQ) folder "
                                        "with vLLM.", extra={"code": "serve.quantize_engine"}))
            return "failed"
        # bitsandbytes loading is the transformers engine's: --quantize alone picks it
        engine, python, note = choose_engine("transformers" if cfg.quantize else args.engine, args.vllm_python,
                                             cfg.model_dir)
        if engine == "transformers":
            serve_config.check_transformers_loads(cfg.model_dir)
    except UserError as err:
        rt.emit(protocol.Error(message=str(err), hint="", extra=err.data()))
        return "failed"
    cfg.engine = engine
    if engine != "vllm" and cfg.tensor_parallel * cfg.pipeline_parallel > 1 and args.engine != "transformers":
        # chosen for the user (auto: a small model on a CPU): vLLM's sizes do not apply, said once
        rt.info(f"Tensor/pipeline parallel sizes ({cfg.tensor_parallel}/{cfg.pipeline_parallel}) are vLLM's; "
                "the transformers engine serves on one device", level="WARNING")
        cfg.tensor_parallel = cfg.pipeline_parallel = 1
    try:
        serve_config.check_parallel(cfg.tensor_parallel, cfg.pipeline_parallel, engine,
                                    serve_config.gpu_count() or None)
    except UserError as err:
        rt.emit(protocol.Error(message=str(err), hint="", extra=err.data()))
        return "failed"
    try:  # the key must never reach a log line (the result event is the only place it goes)
        from app.core import logging_setup

        logging_setup.register_secret(cfg.api_key)
    except ImportError:
        pass
    if note:
        rt.info(note)
    if cfg.exposed:
        rt.info(f"Listening on {cfg.host}:{cfg.port}, beyond this machine: anyone who can reach it and has "
                "the API key can use the model", level="WARNING")
    threads = args.threads or _settings_threads()
    if engine == "vllm":
        front = None
        if cfg.exposed:
            # vLLM checks the key only under /v1 (and a few other prefixes): /invocations answers
            # chat without it. So it stays on 127.0.0.1 and an authenticating proxy listens on the
            # asked address, letting nothing through without the key (app/serving/auth_proxy.py).
            from dataclasses import replace

            from app.serving.auth_proxy import AuthProxy

            inner = serve_config.free_port()
            try:
                front = AuthProxy(cfg.host, cfg.port, "127.0.0.1", inner, cfg.api_key)
            except OSError as exc:
                rt.emit(protocol.Error(message=f"Cannot listen on {cfg.host}:{cfg.port}: {exc}.", hint="",
                                       extra={"code": "serve.listen_failed",
                                              "params": {"host": cfg.host, "port": cfg.port, "reason": str(exc)}}))
                return "failed"
            front.start()
            cfg = replace(cfg, host="127.0.0.1", port=inner)
        try:
            return serve_vllm(rt, cfg, python, threads, front=front)
        except UserError as err:  # a launch vLLM cannot do (a LoRA adapter on a quantized model on CPU)
            rt.emit(protocol.Error(message=str(err), hint="", extra=err.data()))
            return "failed"
    return serve_transformers(rt, cfg, threads)


def main(argv=None) -> int:
    args = parse_args(argv)
    return run_main("serve", lambda rt: body(rt, args), stop_on_eof=args.exit_with_parent)


if __name__ == "__main__":
    sys.exit(main())
