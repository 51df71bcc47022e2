"""A distributed run's launcher: the training engine process starts every rank of this machine
through torchrun and speaks for them.

The engine (``python -m app.engines.train RUN_DIR``) stays the one process the GUI and the CLI know:
it owns ``events.jsonl`` and ``engine.json``, so stop, reattach and the run folder work as for one
process. torchrun runs in its own session (a Ctrl+C in a terminal or the GUI's signal reaches only
the engine) and dies with it (PR_SET_PDEATHSIG). Rank 0 writes its events on its stdout, which
comes here; the others write none. Here each event is passed on with ``world_size`` added to
metrics, rank 0's ``started`` and ``done`` are folded into the engine's own, and a rank that dies
(killed, out of memory) becomes one clear error instead of the other ranks' "connection closed".

A stop (stdin ``{"cmd":"stop"}``, SIGTERM, Ctrl+C) writes ``RUN_DIR/stop.request``; the ranks agree
on it at the next step boundary (distributed.stop_check), save a checkpoint and the adapter, and end.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from app.core import paths, protocol
from app.core.checkpoints import CHECKPOINTS
from app.core.engine_runtime import EngineRuntime
from app.core.errors import UserError
from app.training import distributed

_PR_SET_PDEATHSIG = 1
# A rank's own report of a lost peer: not the cause, which the launcher names instead.
_SECONDARY = ("engine.unexpected",)


def _die_with_parent() -> None:
    """In the torchrun child, before exec: SIGTERM when the engine process dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    os.setsid()


def device_for(dist: dict[str, Any]) -> str:
    """"cuda" when this machine has CUDA GPUs for every local rank, "cpu" without any; a UserError
    when it has GPUs, but fewer than ranks."""
    import torch

    if not torch.cuda.is_available():
        if dist["strategy"] != "ddp":
            # accelerate turns on FSDP and DeepSpeed only across GPUs; on CPU processes it would
            # quietly train with DDP instead, which is not what was asked for.
            from app.core.train_config import STRATEGY_NAMES

            shown = STRATEGY_NAMES.get(dist["strategy"], dist["strategy"])
            raise UserError(f"Strategy {shown} needs CUDA GPUs (the model is sharded across GPUs), "
                            "and this machine has none. Choose DDP to train on several CPU processes.",
                            code="train.distributed.needs_gpu", params={"strategy": shown})
        return "cpu"
    gpus, wanted = torch.cuda.device_count(), int(dist["processes"])
    if wanted > gpus:
        raise UserError(f"The run asks for {wanted} processes on this machine, but it has {gpus} GPU(s): one "
                        f"process per GPU. Set processes to {gpus} or fewer.", code="train.distributed.too_few_gpus",
                        params={"processes": wanted, "gpus": gpus})
    return "cuda"


def run_ranks(rt: EngineRuntime, cfg, resume: Path | None, log_file: str = "train.log",
              python: str | None = None) -> tuple[str, dict[str, Any]]:
    """Start the ranks, relay rank 0's events, return the engine's status and ``done`` fields;
    their human log goes to this process's stderr and ``RUN_DIR/log_file``."""
    from app.training.run import DONE_FIELDS

    run_dir: Path = rt.run_dir
    dist = cfg.distributed
    size = int(dist["processes"]) * int(dist["nnodes"])
    out: dict[str, Any] = dict(DONE_FIELDS, world_size=size)
    try:
        distributed.check_strategy(dist)
        device = device_for(dist)
    except UserError as exc:
        rt.user_error(exc, hint="Change the run's distributed settings and start again.",
                      hint_code="train.distributed.change")
        return "failed", out
    distributed.write_launch_config(run_dir, dist, device)
    stop_file = run_dir / distributed.STOP_FILE
    stop_file.unlink(missing_ok=True)  # a stop left by an earlier session is not this one's
    argv = distributed.torchrun_argv(run_dir, dist, str(resume) if resume else None, python=python)
    where = "" if int(dist["nnodes"]) == 1 else f", node {dist['node_rank']} of {dist['nnodes']} at {dist['rdzv']}"
    rt.info(f"Starting {dist['processes']} training process(es) ({dist['strategy']}, "
            f"{distributed.backend(device)}{where}); rank 0 reports for all {size}")
    # Each rank sets its own thread count (train(): the CPU's threads over the local ranks); set
    # here only so torchrun does not override it with its own default and a banner on stderr.
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True, encoding="utf-8", errors="replace", bufsize=1,
                            preexec_fn=_die_with_parent)
    finished = threading.Event()
    report = _RankLog(proc.stderr, run_dir / log_file)
    report.start()

    def forward_stop() -> None:
        while not finished.is_set():
            if rt.stop_requested and not stop_file.exists():
                stop_file.write_text("stop\n", encoding="utf-8")
                rt.log.info("stop asked: the ranks stop together at the next step boundary")
            finished.wait(0.5)

    threading.Thread(target=forward_stop, name="train-ranks-stop", daemon=True).start()
    done: protocol.Done | None = None
    held: list[protocol.Error] = []
    spoke = False  # an error with its own cause reached the user
    try:
        for line in proc.stdout:
            event = protocol.decode_or_none(line, source="rank 0")
            if event is None or isinstance(event, protocol.Started):
                continue
            if isinstance(event, protocol.Done):
                done = event
                continue
            if isinstance(event, protocol.Error):
                if event.extra.get("code") in _SECONDARY:
                    held.append(event)
                    continue
                spoke = True
            if isinstance(event, protocol.Metric):
                event.extra["world_size"] = size
            rt.emit(event)
        rc = proc.wait()
        report.join(10)
    finally:
        finished.set()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stop_file.unlink(missing_ok=True)
    if done is not None:
        out.update({k: v for k, v in done.extra.items() if k not in ("run_dir", "seconds")}, world_size=size)
    status = done.status if done is not None else "failed"
    if rc != 0 and status != "failed":
        status = "failed"  # rank 0 finished, another rank did not
    if status == "failed" and not spoke:
        cause = report.root_cause()
        params = {"world_size": size, "exit_code": cause.get("exit_code", rc), "signal": cause.get("signal", ""),
                  "detail": held[0].message if held else "", "path": str(run_dir / CHECKPOINTS), "log": log_file}
        if "rank" in cause:
            how = f"exit code {params['exit_code']}" + (f", {params['signal']}" if params["signal"] else "")
            params.update(rank=cause["rank"], how=how)
            message, code = (f"Training process {cause['rank']} of {size} ended unexpectedly ({how}); the other "
                             "processes were stopped with it.", "train.distributed.rank_failed")
        else:
            message, code = (f"A training process of the run ended unexpectedly (torchrun exit code {rc}); the "
                             f"run stopped on all {size} processes.", "train.distributed.failed")
        rt.error(message, hint=f"Resume the run from its last checkpoint (in {params['path']}); {log_file} has "
                               "each process's log.",
                 extra={"code": code, "hint_code": "train.distributed.resume", "params": params})
    return status, out


class _RankLog(threading.Thread):
    """The ranks' and torchrun's stderr, passed on line by line to this process's stderr and, when
    that is not the run's log file already, to the log file too; torchrun's failure summary is kept
    to name the process that failed first."""

    def __init__(self, stream, log_path: Path):
        super().__init__(name="train-ranks-log", daemon=True)
        self.stream, self.log_path = stream, log_path
        self.summary: list[str] = []

    def run(self) -> None:
        fh = None if paths.fd_is_file(2, self.log_path) else open(self.log_path, "a", encoding="utf-8")
        in_summary = False
        try:
            for line in self.stream:
                in_summary = in_summary or "ChildFailedError" in line
                if in_summary:
                    self.summary.append(line)
                for target in (sys.stderr, fh):
                    if target is not None:
                        try:
                            target.write(line)
                            target.flush()
                        except (OSError, ValueError):
                            pass
        finally:
            if fh is not None:
                fh.close()

    def root_cause(self) -> dict[str, Any]:
        """``{"rank", "exit_code", "signal"}`` of the first failure torchrun observed ({} if none)."""
        text = "".join(self.summary)
        text = text[text.find("Root Cause"):] if "Root Cause" in text else text
        rank = re.search(r"rank\s*:\s*(\d+)", text)
        code = re.search(r"exitcode\s*:\s*(-?\d+)", text)
        if not rank or not code:
            return {}
        exit_code = int(code.group(1))
        try:  # a negative exit code is the signal that ended the process
            name = signal.Signals(-exit_code).name if exit_code < 0 else ""
        except ValueError:
            name = ""
        return {"rank": int(rank.group(1)), "exit_code": exit_code, "signal": name}


__all__ = ["run_ranks", "device_for"]
