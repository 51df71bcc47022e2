"""vLLM's OpenAI-compatible server, run and watched: ``serve_vllm(rt, cfg, python, threads)``.

The server runs under the vLLM runtime's python (app/core/vllm_runtime.py), in its own process
group, and dies with this process (PR_SET_PDEATHSIG). Each line it logs becomes a ``log`` event
(and a line of ``<home>/logs/serve-<port>.log``); known lines move the loading ``progress`` on
(``_VLLM_STAGES``). Once ``GET /v1/models`` answers, one ``result`` says where it listens; a stop
sends SIGTERM to its group, then SIGKILL after a grace period.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.core import paths, processes, protocol, serve_config
from app.core.engine_runtime import EngineRuntime
from app.serving.ready import models_ready

READY_TIMEOUT_S = 600.0
STOP_GRACE_S = 15.0

# vLLM log line fragments → what the loading stage is called (in order of appearance).
_VLLM_STAGES = (  # (what vLLM logs, what the stage is called, its code for the GUI)
    ("vLLM API server version", "Starting the vLLM server", "serve.vllm_server"),
    ("Resolved architecture", "Reading the model configuration", "serve.vllm_config"),
    ("Initializing a V1 LLM engine", "Initializing the engine", "serve.vllm_init"),
    ("Starting to load model", "Loading the weights", "serve.vllm_weights"),
    ("Loading weights took", "Weights loaded", "serve.vllm_weights_loaded"),
    ("Model loading took", "Weights loaded", "serve.vllm_weights_loaded"),
    ("KV cache", "Allocating the KV cache", "serve.vllm_kv"),
    ("init engine", "Warming up", "serve.vllm_warmup"),
    ("Starting vLLM API server", "Starting the HTTP server", "serve.http"),
    ("Application startup complete", "HTTP server up", "serve.http_up"),
)


class VllmServer:
    def __init__(self, rt: EngineRuntime, cfg: serve_config.ServeConfig, python: str, threads: int | None):
        self.rt, self.cfg = rt, cfg
        self.cuda = serve_config.cuda_available()
        self.cmd = serve_config.vllm_command(python, cfg, cuda=self.cuda)
        self.env = serve_config.vllm_env(os.environ, paths.home(), cuda=self.cuda, threads=threads,
                                         api_key=cfg.api_key)
        # A long data-folder path: vLLM's sockets go to a short folder of this launch, removed at the end.
        rpc = self.env.get("VLLM_RPC_BASE_PATH")
        self.rpc_dir = Path(rpc) / str(cfg.port) if rpc else None
        if self.rpc_dir is not None:
            self.env["VLLM_RPC_BASE_PATH"] = str(self.rpc_dir)
        log_dir = paths.logs_dir()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"serve-{cfg.port}.log"
        self.tail: collections.deque[str] = collections.deque(maxlen=40)
        self.stage = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.rt.info("starting: " + " ".join(self.cmd))  # the key is in the environment, not here
        if self.rpc_dir is not None:
            self.rpc_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
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
            for i, (needle, message, stage) in enumerate(_VLLM_STAGES):
                if i >= self.stage and needle in line:
                    self.stage = i + 1
                    self.rt.progress(self.stage, len(_VLLM_STAGES) + 1, message=message, stage=stage)
                    break

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def failure(self, serving: bool = False) -> tuple[str, str, dict]:
        """(message, hint, extra) for the error event: the English text, and the same as a code
        with params (``serve.vllm_exited``) and a hint code for the GUI to word."""
        self._reader.join(timeout=5)
        tail = "\n".join(list(self.tail)[-20:])
        text = tail.lower()
        hint = f"The full log is in {self.log_path}."
        hint_code = "serve.hint.vllm_log"
        if "out of memory" in text or "cuda out of memory" in text:
            hint = "Not enough GPU memory: lower --gpu-memory-utilization or --max-model-len, or close other GPU programs. " + hint
            hint_code = "serve.hint.vllm_oom"
        elif "address already in use" in text:
            hint = "The port is taken: pick another with --port, or leave it out for a free one. " + hint
            hint_code = "serve.hint.vllm_port"
        elif "max_model_len" in text or "max model len" in text:
            hint = "Lower --max-model-len. " + hint
            hint_code = "serve.hint.vllm_max_len"
        elif "no module named" in text:
            hint = "The vLLM runtime is incomplete: run the installer again. " + hint
            hint_code = "serve.hint.vllm_incomplete"
        when = "while serving" if serving else "before serving"
        extra = {"code": "serve.vllm_exited_serving" if serving else "serve.vllm_exited",
                 "params": {"exit_code": self.proc.returncode, "log": str(self.log_path), "tail": tail},
                 "hint_code": hint_code}
        return (f"The vLLM server exited with code {self.proc.returncode} {when}.\n{tail}", hint, extra)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            processes.signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.rt.info("the vLLM server did not stop in time: killing it", level="WARNING")
                processes.signal_group(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        # Whatever it left behind in its group (engine core workers) goes too.
        processes.signal_group(self.proc.pid, signal.SIGKILL)
        self._reader.join(timeout=5)
        if self.rpc_dir is not None:  # its socket files (vLLM leaves them when killed)
            import shutil

            shutil.rmtree(self.rpc_dir, ignore_errors=True)
            try:
                self.rpc_dir.parent.rmdir()  # the per-data-folder parent, when no other launch uses it
            except OSError:
                pass
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


def serve_vllm(rt: EngineRuntime, cfg: serve_config.ServeConfig, python: str, threads: int | None,
               front=None) -> str:
    """``front``: the authenticating proxy (auth_proxy.AuthProxy) that listens for it beyond this
    machine; its address is the one reported, and it stops with the server."""
    server = VllmServer(rt, cfg, python, threads)
    rt.progress(0, len(_VLLM_STAGES) + 1, message="Starting the vLLM runtime", stage="serve.vllm_start")
    server.start()
    try:
        t0 = time.monotonic()
        while True:
            if rt.stop_requested:
                return "stopped"
            if not server.alive():
                rt.error(*server.failure())
                return "failed"
            ids = models_ready(cfg.base_url, cfg.api_key)
            if ids is not None:
                break
            if time.monotonic() - t0 > READY_TIMEOUT_S:
                rt.error(f"The vLLM server did not answer within {READY_TIMEOUT_S:.0f} s.",
                         hint=f"See {server.log_path}.",
                         extra={"code": "serve.vllm_timeout", "hint_code": "serve.hint.vllm_log",
                                "params": {"seconds": round(READY_TIMEOUT_S), "log": str(server.log_path)}})
                return "failed"
            rt.wait_stop(0.5)
        rt.progress(len(_VLLM_STAGES) + 1, len(_VLLM_STAGES) + 1, message="Ready", stage="serve.ready")
        host, port = (front.host, front.port) if front is not None else (cfg.host, cfg.port)
        base_url = cfg.base_url if front is None else \
            f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/v1"
        rt.result(base_url=base_url, api_key=cfg.api_key, model=cfg.model_name, listen=f"{host}:{port}",
                  exposed=front is not None or cfg.exposed, guarded_by_proxy=front is not None,
                  adapters=sorted(cfg.adapters), engine="vllm", pid=server.proc.pid, port=port,
                  models=ids, log_path=str(server.log_path), load_s=round(time.monotonic() - t0, 2),
                  max_lora_rank=serve_config.max_lora_rank(cfg) if serve_config.lora_supported(cfg.model_dir, server.cuda)
                  else 0)  # 0: this server loads no adapter
        while not rt.stop_requested:
            if not server.alive():
                rt.error(*server.failure(serving=True))
                return "failed"
            rt.wait_stop(0.5)
        rt.info("stopping the vLLM server")
        return "stopped"
    finally:
        if front is not None:
            front.stop()
        server.stop()
