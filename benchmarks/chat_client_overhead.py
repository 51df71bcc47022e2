"""How much does the app's chat client (app.core.chat_client.stream_chat) cost over raw http.client?

Starts one serve engine (transformers by default, or vLLM with --engine vllm), then alternates N
streamed requests through each path, greedy, the same prompt and max_tokens, and prints the
tokens/s ratio (app / raw) and the time-to-first-token overhead in ms. No assertions.

    python benchmarks/chat_client_overhead.py [--engine transformers|vllm] [--model default] [-n 6]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core import chat_client, protocol  # noqa: E402

PROMPT = [{"role": "user", "content": "Write a short paragraph about the sea."}]


def start_engine(engine: str, model: str) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.serve", "--model", model, "--engine", engine],
                            cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    for line in proc.stdout:
        ev = protocol.decode_or_none(line)
        if isinstance(ev, protocol.Result):
            import threading

            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # keep draining
            return proc, ev.data
        if isinstance(ev, protocol.Done):
            break
    raise SystemExit("the engine did not start")


def raw(base_url: str, key: str, model: str, max_tokens: int) -> tuple[float, float, int]:
    """(ttft_s, total_s, completion tokens) over bare http.client, minimal SSE parsing."""
    u = urlsplit(base_url)
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    body = json.dumps({"model": model, "messages": PROMPT, "stream": True, "max_tokens": max_tokens,
                       "temperature": 0, "stream_options": {"include_usage": True}})
    conn.request("POST", u.path + "/chat/completions", body=body,
                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    resp = conn.getresponse()
    ttft, tokens = None, 0
    for line in resp:
        if not line.startswith(b"data: "):
            continue
        data = line[6:].strip()
        if data == b"[DONE]":
            break
        chunk = json.loads(data)
        if chunk.get("usage"):
            tokens = chunk["usage"]["completion_tokens"]
        if ttft is None and chunk.get("choices") and chunk["choices"][0].get("delta", {}).get("content"):
            ttft = time.perf_counter() - t0
    total = time.perf_counter() - t0
    conn.close()
    return ttft, total, tokens


def app(base_url: str, key: str, model: str, max_tokens: int) -> tuple[float, float, int]:
    stats = None
    for item in chat_client.stream_chat(base_url, key, model, PROMPT, max_tokens=max_tokens, temperature=0):
        if isinstance(item, chat_client.ChatStats):
            stats = item
    return stats.ttft_s, stats.total_s, stats.completion_tokens


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="transformers", choices=("transformers", "vllm"))
    ap.add_argument("--model", default="default")
    ap.add_argument("-n", type=int, default=6)
    ap.add_argument("--max-tokens", type=int, default=64)
    args = ap.parse_args()
    proc, info = start_engine(args.engine, args.model)
    try:
        url, key, model = info["base_url"], info["api_key"], info["model"]
        app(url, key, model, 8)  # warm up
        res = {"raw": [], "app": []}
        for _ in range(args.n):
            res["raw"].append(raw(url, key, model, args.max_tokens))
            res["app"].append(app(url, key, model, args.max_tokens))
        summary = {}
        for name, runs in res.items():
            summary[name] = {
                "ttft_ms": statistics.median(r[0] for r in runs) * 1000,
                "tokens_per_s": statistics.median(r[2] / r[1] for r in runs),
            }
        print(json.dumps({"engine": args.engine, "n": args.n, "max_tokens": args.max_tokens, **summary,
                          "tokens_per_s_ratio_app_over_raw": summary["app"]["tokens_per_s"] / summary["raw"]["tokens_per_s"],
                          "ttft_overhead_ms": summary["app"]["ttft_ms"] - summary["raw"]["ttft_ms"]}, indent=2))
    finally:
        proc.stdin.write(protocol.encode_command("stop") + "\n")
        proc.stdin.flush()
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
