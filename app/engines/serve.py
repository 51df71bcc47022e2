"""The serve engine: an OpenAI-compatible chat API on 127.0.0.1, behind a random per-launch key.

    python -m app.engines.serve --model NAME_OR_PATH [--adapter NAME=PATH ...] [--engine vllm|transformers]
                                [--port N] [--max-model-len N] [--gpu-memory-utilization F]

``--model default`` is the bundled model's converted folder. ``--engine vllm`` (the default when the
vLLM runtime is found) runs vLLM's api_server under the vLLM runtime's python, in its own process
group; ``--engine transformers`` serves the same API in this process (transformers + peft).

Events (JSON lines on stdout): ``started``; ``progress`` while loading (``message`` says what);
``log`` for each line the vLLM server writes (also appended to ``<home>/logs/serve-<port>.log``);
once the API answers, ``result`` with ``{base_url, api_key, model, adapters, engine, pid, port}``;
it then serves until ``{"cmd":"stop"}`` or SIGTERM, stops the server (SIGTERM to the vLLM process
group, SIGKILL after a grace period) and ends with ``done: stopped``. If the server dies on its own:
``error`` (the tail of its log + a hint) and ``done: failed``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from app.core import paths, protocol, serve_config
from app.core.errors import UserError
from app.core.engine_runtime import EngineRuntime, run_main

READY_TIMEOUT_S = 600.0
STOP_GRACE_S = 15.0

# vLLM log line fragments → what the loading stage is called (in order of appearance).
_VLLM_STAGES = (
    ("vLLM API server version", "Starting the vLLM server"),
    ("Resolved architecture", "Reading the model configuration"),
    ("Initializing a V1 LLM engine", "Initializing the engine"),
    ("Starting to load model", "Loading the weights"),
    ("Loading weights took", "Weights loaded"),
    ("Model loading took", "Weights loaded"),
    ("KV cache", "Allocating the KV cache"),
    ("init engine", "Warming up"),
    ("Starting vLLM API server", "Starting the HTTP server"),
    ("Application startup complete", "HTTP server up"),
)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app.engines.serve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="default", help="'default' (bundled), a registered model's name, or a folder")
    ap.add_argument("--adapter", action="append", default=[], metavar="NAME=PATH",
                    help="a LoRA adapter to serve as model NAME (repeatable)")
    ap.add_argument("--engine", choices=serve_config.ENGINES, default=None,
                    help="vllm (default when the vLLM runtime is found) or transformers")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    ap.add_argument("--max-model-len", type=int, default=None)
    ap.add_argument("--gpu-memory-utilization", type=float, default=None)
    ap.add_argument("--vllm-python", default=None, help="the vLLM runtime's python (default: located)")
    ap.add_argument("--threads", type=int, default=None, help="CPU threads (default: settings)")
    ap.add_argument("--trust-remote-code", action="store_true", help="allow a model whose config has auto_map")
    ap.add_argument("--quantize", choices=("4bit", "8bit"), default=None,
                    help="transformers engine: load the weights in 4-bit (NF4) or 8-bit with bitsandbytes "
                         "(vLLM serves AWQ/GPTQ folders as they are)")
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
    return serve_config.ServeConfig(model_name=name, model_dir=folder, engine=args.engine or "vllm",
                                    port=args.port or serve_config.free_port(), adapters=adapters,
                                    max_model_len=args.max_model_len,
                                    gpu_memory_utilization=args.gpu_memory_utilization,
                                    quantize=getattr(args, "quantize", None),
                                    trust_remote_code=trust)


def models_ready(base_url: str, api_key: str, timeout: float = 2.0) -> list[str] | None:
    """The served model ids when ``GET /v1/models`` answers with the key, else None."""
    req = urllib.request.Request(base_url + "/models", headers={"Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        return [m["id"] for m in data.get("data", [])]
    except (OSError, ValueError, KeyError, urllib.error.URLError):
        return None


def _settings_threads() -> int | None:
    try:
        from app.core import settings

        return settings.load().cpu_threads or None
    except Exception:  # noqa: BLE001
        return None


# --- vLLM --------------------------------------------------------------------------------------

class VllmServer:
    def __init__(self, rt: EngineRuntime, cfg: serve_config.ServeConfig, python: str, threads: int | None):
        self.rt, self.cfg = rt, cfg
        self.cuda = serve_config.cuda_available()
        self.cmd = serve_config.vllm_command(python, cfg, cuda=self.cuda)
        self.env = serve_config.vllm_env(os.environ, paths.home(), cuda=self.cuda, threads=threads,
                                         api_key=cfg.api_key)
        log_dir = paths.logs_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"serve-{cfg.port}.log"
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self.stage = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.rt.info("starting: " + " ".join(self.cmd))  # the key is in the environment, not here
        self._log_fh = open(self.log_path, "a", encoding="utf-8")
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True, text=True,
                                     encoding="utf-8", errors="replace", bufsize=1,
                                     preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self._reader = threading.Thread(target=self._relay, name="vllm-log", daemon=True)
        self._reader.start()

    def _relay(self) -> None:
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            line = line.replace(self.cfg.api_key, "***")
            self.tail.append(line)
            try:
                self._log_fh.write(line + "\n")
                self._log_fh.flush()
            except (OSError, ValueError):
                pass
            level = "ERROR" if ("ERROR" in line or "Traceback" in line) else (
                "WARNING" if "WARNING" in line else "INFO")
            self.rt.emit(_log_event(level, line))
            for i, (needle, message) in enumerate(_VLLM_STAGES):
                if i >= self.stage and needle in line:
                    self.stage = i + 1
                    self.rt.progress(self.stage, len(_VLLM_STAGES) + 1, message=message)
                    break

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def failure(self) -> tuple[str, str]:
        self._reader.join(timeout=5)
        tail = "\n".join(list(self.tail)[-20:])
        text = tail.lower()
        hint = f"The full log is in {self.log_path}."
        if "out of memory" in text or "cuda out of memory" in text:
            hint = "Not enough GPU memory: lower --gpu-memory-utilization or --max-model-len, or close other GPU programs. " + hint
        elif "address already in use" in text:
            hint = "The port is taken: pick another with --port, or leave it out for a free one. " + hint
        elif "max_model_len" in text or "max model len" in text:
            hint = "Lower --max-model-len. " + hint
        elif "no module named" in text:
            hint = "The vLLM runtime is incomplete: run the installer again. " + hint
        return (f"The vLLM server exited with code {self.proc.returncode} before serving.\n{tail}", hint)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.rt.info("the vLLM server did not stop in time: killing it", level="WARNING")
                _signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        # Whatever it left behind in its group (engine core workers) goes too.
        _signal_group(self.proc.pid, signal.SIGKILL)
        self._reader.join(timeout=5)
        try:
            self._log_fh.close()
        except OSError:
            pass


def _log_event(level: str, message: str):
    return protocol.Log(level=level, message=message)


def _die_with_parent() -> None:
    """In the vLLM child, before exec: SIGKILL it if this engine dies (even by SIGKILL), so a killed
    engine never leaves a server holding the port and GBs of memory (it is in its own process group)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def serve_vllm(rt: EngineRuntime, cfg: serve_config.ServeConfig, python: str, threads: int | None) -> str:
    server = VllmServer(rt, cfg, python, threads)
    rt.progress(0, len(_VLLM_STAGES) + 1, message="Starting the vLLM runtime")
    server.start()
    try:
        t0 = time.monotonic()
        while True:
            if rt.stop_requested:
                return "stopped"
            if not server.alive():
                message, hint = server.failure()
                rt.error(message, hint=hint)
                return "failed"
            ids = models_ready(cfg.base_url, cfg.api_key)
            if ids is not None:
                break
            if time.monotonic() - t0 > READY_TIMEOUT_S:
                rt.error(f"The vLLM server did not answer within {READY_TIMEOUT_S:.0f} s.",
                         hint=f"See {server.log_path}.")
                return "failed"
            rt.wait_stop(0.5)
        rt.progress(len(_VLLM_STAGES) + 1, len(_VLLM_STAGES) + 1, message="Ready")
        rt.result(base_url=cfg.base_url, api_key=cfg.api_key, model=cfg.model_name,
                  adapters=sorted(cfg.adapters), engine="vllm", pid=server.proc.pid, port=cfg.port,
                  models=ids, log_path=str(server.log_path), load_s=round(time.monotonic() - t0, 2))
        while not rt.stop_requested:
            if not server.alive():
                message, hint = server.failure()
                rt.error(message.replace("before serving", "while serving"), hint=hint)
                return "failed"
            rt.wait_stop(0.5)
        rt.info("stopping the vLLM server")
        return "stopped"
    finally:
        server.stop()


def serve_transformers(rt: EngineRuntime, cfg: serve_config.ServeConfig, threads: int | None) -> str:
    from app.engines import serve_hf

    rt.progress(0, 3, message="Loading the model (transformers)")
    t0 = time.monotonic()
    server = serve_hf.build_server(cfg, threads=threads, log=rt.log)
    rt.progress(2, 3, message="Starting the HTTP server")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True)
    thread.start()
    try:
        ids = models_ready(cfg.base_url, cfg.api_key, timeout=10)
        if ids is None:
            rt.error("The transformers server did not answer on its own port.", hint="See the engine log.")
            return "failed"
        rt.progress(3, 3, message="Ready")
        rt.result(base_url=cfg.base_url, api_key=cfg.api_key, model=cfg.model_name,
                  adapters=sorted(cfg.adapters), engine="transformers", pid=os.getpid(), port=cfg.port,
                  models=ids, load_s=round(time.monotonic() - t0, 2), quantization=cfg.quantize,
                  weights_bytes=server.weights_bytes)
        while not rt.stop_requested:
            rt.wait_stop(0.5)
        rt.info("stopping the transformers server")
        return "stopped"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def choose_engine(requested: str | None, vllm_python: str | None) -> tuple[str, str | None, str]:
    """(engine, vllm python or None, note). No engine asked for: vLLM when found, else transformers."""
    from app.core import vllm_runtime

    if requested == "transformers":
        return "transformers", None, ""
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
        engine, python, note = choose_engine("transformers" if cfg.quantize else args.engine, args.vllm_python)
    except UserError as err:
        rt.emit(protocol.Error(message=str(err), hint="", extra={"code": err.code}))
        return "failed"
    cfg.engine = engine
    try:  # the key must never reach a log line (the result event is the only place it goes)
        from app.core import logging_setup

        logging_setup.register_secret(cfg.api_key)
    except ImportError:
        pass
    if note:
        rt.info(note)
    threads = args.threads or _settings_threads()
    if engine == "vllm":
        return serve_vllm(rt, cfg, python, threads)
    return serve_transformers(rt, cfg, threads)


def main(argv=None) -> int:
    args = parse_args(argv)
    return run_main("serve", lambda rt: body(rt, args), stop_on_eof=args.exit_with_parent)


if __name__ == "__main__":
    sys.exit(main())
