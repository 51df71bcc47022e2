"""`ai-platform serve`: start the chat engine and print where it listens, as one JSON line.

stdout gets exactly one line, ``{"base_url": …, "api_key": …, "model": …}``, once the API answers;
progress and errors go to stderr. The command stays up until Ctrl+C or SIGTERM, then stops the
engine (and, through it, the vLLM server) and exits 0. Exit 1 when the engine failed.
"""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="serve a model on an OpenAI-compatible API, on 127.0.0.1 unless --host says otherwise (prints base_url + key)",
        description="Start the serve engine (vLLM when its runtime is found, else transformers). "
                    "Prints one JSON line {base_url, api_key, model} when ready; Ctrl+C stops it.")
    p.add_argument("--model", default="default", help="'default' (bundled), a registered model's name, or a folder")
    p.add_argument("--adapter", action="append", default=[], metavar="NAME=PATH",
                   help="a LoRA adapter served as model NAME (repeatable)")
    p.add_argument("--engine", choices=("vllm", "transformers"), default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--tensor-parallel-size", type=int, default=None, metavar="N",
                   help="vLLM: split each layer across N GPUs")
    p.add_argument("--pipeline-parallel-size", type=int, default=None, metavar="N",
                   help="vLLM: split the layers into N stages, one GPU each")
    p.add_argument("--host", default=None, metavar="ADDRESS",
                   help="listen on this address instead of 127.0.0.1 (0.0.0.0: every interface); the API "
                        "then answers other machines, always only with the printed key")
    p.add_argument("--max-model-len", type=int, default=None)
    p.add_argument("--gpu-memory-utilization", type=float, default=None)
    p.add_argument("--quantize", choices=("4bit", "8bit"), default=None,
                   help="transformers engine: load the weights in 4-bit (NF4) or 8-bit with bitsandbytes")
    p.add_argument("--verbose", action="store_true", help="also copy the server's log lines to stderr")
    p.set_defaults(func=run)


def engine_argv(args) -> list[str]:
    argv = ["--model", args.model]
    for spec in args.adapter:
        argv += ["--adapter", spec]
    if args.engine:
        argv += ["--engine", args.engine]
    if args.port:
        argv += ["--port", str(args.port)]
    if getattr(args, "host", None):
        argv += ["--host", args.host]
    for flag in ("tensor_parallel_size", "pipeline_parallel_size"):
        if getattr(args, flag, None):
            argv += ["--" + flag.replace("_", "-"), str(getattr(args, flag))]
    if args.max_model_len:
        argv += ["--max-model-len", str(args.max_model_len)]
    if args.gpu_memory_utilization:
        argv += ["--gpu-memory-utilization", str(args.gpu_memory_utilization)]
    if getattr(args, "quantize", None):
        argv += ["--quantize", args.quantize]
    return argv


def run(args) -> int:
    import json
    import os
    import signal
    import subprocess
    import threading

    from app.core import protocol

    if args.engine is None:
        from app.core import vllm_runtime

        info = vllm_runtime.runtime_info()
        if info["found"]:
            args.engine = "vllm"
        else:
            args.engine = "transformers"
            print(f"vLLM runtime not found ({info['reason']}); serving with the transformers engine.",
                  file=sys.stderr, flush=True)

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.serve", *engine_argv(args)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
                            errors="replace", bufsize=1, start_new_session=True)
    stopping = threading.Event()

    def stop(*_):
        if stopping.is_set():
            return
        stopping.set()
        try:
            proc.stdin.write(protocol.encode_command("stop") + "\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            pass

    old_int = signal.signal(signal.SIGINT, stop)
    old_term = signal.signal(signal.SIGTERM, stop)
    status = None
    try:
        for line in proc.stdout:
            event = protocol.decode_or_none(line, source="serve")
            if event is None:
                continue
            if isinstance(event, protocol.Result):
                d = event.data
                print(json.dumps({"base_url": d["base_url"], "api_key": d["api_key"], "model": d["model"]}),
                      flush=True)
                extra = f" (adapters: {', '.join(d['adapters'])})" if d.get("adapters") else ""
                print(f"Serving {d['model']}{extra} with {d['engine']} at {d['base_url']}. Ctrl+C stops it.",
                      file=sys.stderr, flush=True)
                if d.get("exposed"):
                    print(f"Listening on {d['listen']}: other machines can reach it; every request needs the "
                          "api_key above.", file=sys.stderr, flush=True)
                    urls = reachable_urls(d["listen"], d.get("port"))
                    if urls:
                        print("From another machine: " + ", ".join(urls), file=sys.stderr, flush=True)
            elif isinstance(event, protocol.Progress) and event.message:
                print(f"[serve] {event.message}", file=sys.stderr, flush=True)
            elif isinstance(event, protocol.Error):
                print(f"error: {event.message}" + (f"\nhint: {event.hint}" if event.hint else ""),
                      file=sys.stderr, flush=True)
            elif isinstance(event, protocol.Log) and (args.verbose or event.level == "ERROR"):
                print(event.message, file=sys.stderr, flush=True)
            elif isinstance(event, protocol.Done):
                status = event.status
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    if status == "stopped" or (stopping.is_set() and proc.returncode == 0):
        return 0
    return 0 if status == "completed" else 1


def reachable_urls(listen: str, port: int | None) -> list[str]:
    """The base URLs other machines would use: the address itself, or for 0.0.0.0 every IPv4
    address of this machine's interfaces (loopback left out)."""
    host = listen.rsplit(":", 1)[0] if ":" in listen else listen
    port = port or (int(listen.rsplit(":", 1)[1]) if ":" in listen and listen.rsplit(":", 1)[1].isdigit() else None)
    if port is None:
        return []
    hosts = [host]
    if host == "0.0.0.0":
        import socket

        import psutil

        hosts = sorted({a.address for addrs in psutil.net_if_addrs().values() for a in addrs
                        if a.family == socket.AF_INET and not a.address.startswith("127.")})
    return [f"http://{h}:{port}/v1" for h in hosts]
