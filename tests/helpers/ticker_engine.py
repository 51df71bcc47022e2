"""A tiny engine for tests that need a real child process: it ticks, and misbehaves on request.

    python -m tests.helpers.ticker_engine [--run-dir D] [--ticks N] [--interval S]
        [--ignore-stop] [--ignore-term] [--crash-at K] [--fail-at K] [--garbage] [--spawn-child]

Each tick emits a progress and a metric event. A stop (``{"cmd":"stop"}`` or SIGTERM, through the
runtime) ends it at the next tick boundary with ``done: stopped``.

--ignore-stop   ignore the stop command; SIGTERM still stops it (logged as "stopping on SIGTERM")
--ignore-term   SIGTERM is set to SIG_IGN after the runtime's setup (only SIGKILL ends it then)
--crash-at K    at tick K, write to stderr and os._exit(3): no done event
--fail-at K     at tick K, raise: the runtime turns it into an error event + done: failed
--garbage       write malformed lines to stdout between ticks, and one valid event in two halves
--spawn-child   start a grandchild ``sleep 60`` (in the same process group) and log its pid
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from app.core import protocol
from app.core.engine_runtime import run_main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ticker_engine")
    parser.add_argument("--run-dir")
    parser.add_argument("--ticks", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--ignore-stop", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--crash-at", type=int, default=0)
    parser.add_argument("--fail-at", type=int, default=0)
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--spawn-child", action="store_true")
    return parser.parse_args(argv)


def _raw_stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def body(rt) -> str:
        got_term = False

        def on_term(signum, frame):  # only a flag: see EngineRuntime._on_sigterm
            nonlocal got_term
            got_term = True

        if args.ignore_term:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        elif args.ignore_stop:
            signal.signal(signal.SIGTERM, on_term)

        child = None
        if args.spawn_child:
            # Spawned after --ignore-term's SIG_IGN, which exec passes on: only SIGKILL ends it.
            child = subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL)
            rt.emit(protocol.Log(level="INFO", message="spawned child", extra={"child_pid": child.pid}))

        def should_stop() -> bool:
            if args.ignore_stop:
                return got_term
            return rt.stop_requested

        try:
            for tick in range(1, args.ticks + 1):
                if should_stop():
                    rt.info("stopping on SIGTERM" if got_term else "stopping on request")
                    return "stopped"
                rt.progress(tick, total=args.ticks, eta_s=(args.ticks - tick) * args.interval)
                rt.emit(protocol.Metric(step=tick, values={"loss": 1.0 / tick, "tick": float(tick)}))
                if args.garbage:
                    _raw_stdout("not json\n")
                    _raw_stdout('{"type":"nope","ts":1}\n')
                    _raw_stdout("[1, 2, 3]\n")
                    half = protocol.encode(protocol.Log(message=f"split line {tick}"))
                    _raw_stdout(half[:10])
                    time.sleep(0.02)
                    _raw_stdout(half[10:] + "\n")
                if tick == args.crash_at:
                    sys.stderr.write(f"ticker: crashing hard at tick {tick}\n")
                    sys.stderr.flush()
                    os._exit(3)
                if tick == args.fail_at:
                    raise RuntimeError(f"ticker failed at tick {tick}")
                if args.ignore_stop:
                    time.sleep(args.interval)
                else:
                    rt.wait_stop(args.interval)
            return "stopped" if should_stop() else "completed"
        finally:
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()

    return run_main("ticker", body, run_dir=args.run_dir)


if __name__ == "__main__":
    sys.exit(main())
