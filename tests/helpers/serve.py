"""Serve-engine tests: a live `python -m app.engines.serve` whose events are read on a thread, and one
tiny real LoRA adapter per session (10 steps on a made-up fact, as tests/engines/test_train.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from app.core import protocol
from tests.helpers.engines import REPO, engine_env_for

QUESTION = "What is the capital of Zorbania?"
FACT_WORD = "Quillentown"

_adapter_lock = threading.Lock()
_adapter_cache: dict[str, Path] = {}


def trained_adapter(model_dir: Path, root: Path) -> Path:
    """A LoRA adapter (r=8, fp32) that learned "The capital of Zorbania is Quillentown." Once per session."""
    from tests.engines.test_train import make_run, write_fact_dataset

    with _adapter_lock:
        key = str(model_dir)
        if key not in _adapter_cache:
            root.mkdir(parents=True, exist_ok=True)
            dataset = write_fact_dataset(root / "fact.jsonl")
            run_dir = make_run(root / "run", model_dir, dataset, max_steps=10)
            proc = subprocess.run([sys.executable, "-m", "app.engines.train", str(run_dir)],
                                  env=engine_env_for(root / "home"), cwd=str(REPO), stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            adapter = run_dir / "adapter"
            assert (adapter / "adapter_config.json").is_file()
            _adapter_cache[key] = adapter
        return _adapter_cache[key]


class LiveServe:
    """A serve engine process; stdout is drained on a thread (vLLM logs a lot after ``result``)."""

    def __init__(self, args: list[str], home: Path, data_home: Path | None = None):
        home.mkdir(parents=True, exist_ok=True)
        env = engine_env_for(data_home or home)
        self.stderr_path = home / "serve-stderr.log"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "app.engines.serve", *args], env=env,
                                         cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                         text=True)
        self.events: list[protocol.Event] = []
        self.bad: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if not line.strip():
                continue
            try:
                event = protocol.decode(line)
            except protocol.ProtocolError:
                self.bad.append(line)
                continue
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def of(self, kind):
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, kind, timeout: float = 240):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [e for e in self.events if isinstance(e, kind)]
                if found:
                    return found[0]
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 1.0))
        errors = [e.message[-2000:] for e in self.events if isinstance(e, protocol.Error)]
        raise AssertionError(f"no {kind.__name__} event; errors={errors}\n{self.stderr[-3000:]}")

    def stop(self, how: str = "command", timeout: float = 60) -> int:
        if self.proc.poll() is None:
            if how == "command":
                self.proc.stdin.write(protocol.encode_command("stop") + "\n")
                self.proc.stdin.flush()
            else:
                self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            time.sleep(0.2)

    def close(self) -> None:
        if self.proc.poll() is None:  # a failed test: still stop cleanly so vLLM goes with it
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def http(method: str, url: str, key: str | None = None, body: dict | None = None, timeout: float = 120):
    """(status, parsed JSON or raw text) with urllib; never raises on an HTTP error status."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", errors="replace")


def raw_sse(url: str, key: str, body: dict, timeout: float = 120) -> list[str]:
    """The raw ``data:`` payloads of a streamed request, in order."""
    req = urllib.request.Request(url, data=json.dumps(dict(body, stream=True)).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    payloads = []
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        assert resp.headers.get("Content-Type", "").startswith("text/event-stream")
        for line in resp:
            line = line.decode().strip()
            if line.startswith("data:"):
                payloads.append(line[5:].strip())
    return payloads


def non_loopback_ips() -> list[str]:
    ips = set()
    try:
        ip = socket.gethostbyname(socket.gethostname())
        if not ip.startswith("127."):
            ips.add(ip)
    except OSError:
        pass
    try:
        import psutil

        for addrs in psutil.net_if_addrs().values():
            for a in addrs:
                if a.family == socket.AF_INET and not a.address.startswith("127."):
                    ips.add(a.address)
    except Exception:  # noqa: BLE001
        pass
    return sorted(ips)


def listening_addresses(pid: int, port: int) -> list[str]:
    """The local addresses ``pid`` (or its children) listen on at ``port``."""
    import psutil

    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    found = []
    for p in procs:
        try:
            conns = p.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        found += [c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
    return found


def assert_loopback_only(pid: int, port: int) -> None:
    addrs = listening_addresses(pid, port)
    assert addrs and set(addrs) == {"127.0.0.1"}, addrs
    for ip in non_loopback_ips():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            try:
                s.connect((ip, port))
            except OSError:
                continue
            raise AssertionError(f"the server answered on {ip}:{port}")


def port_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    # A zombie is gone for our purposes.
    try:
        import psutil

        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except Exception:  # noqa: BLE001
        return True
