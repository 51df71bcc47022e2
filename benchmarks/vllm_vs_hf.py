"""8 concurrent chats on the same model: vLLM engine vs transformers engine, aggregate tokens/s.

Each engine is started on its own (one after the other, never both at once) through
``python -m app.engines.serve``; 8 threads each stream one chat (greedy, max_tokens) through the
app's client; aggregate = all completion tokens / wall time of the batch. Prints the ratio. No assertions.

    python benchmarks/vllm_vs_hf.py [--model default] [--concurrency 8] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core import chat_client, protocol  # noqa: E402

PROMPTS = ["Write a short paragraph about the sea.", "Explain what a CPU does.", "Give three tips for sleeping well.",
           "Describe a cat to a child.", "What is a rainbow?", "Tell me about the moon.",
           "Why do leaves change colour?", "How does a bicycle work?"]


def start(engine: str, model: str) -> tuple[subprocess.Popen, dict, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.serve", "--model", model, "--engine", engine],
                            cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    for line in proc.stdout:
        ev = protocol.decode_or_none(line)
        if isinstance(ev, protocol.Result):
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, ev.data, time.perf_counter() - t0
        if isinstance(ev, protocol.Done):
            break
    raise SystemExit(f"the {engine} engine did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.stdin.write(protocol.encode_command("stop") + "\n")
    proc.stdin.flush()
    proc.wait(timeout=90)


def batch(info: dict, n: int, max_tokens: int) -> dict:
    def one(i: int) -> chat_client.ChatStats:
        _, stats = chat_client.chat(info["base_url"], info["api_key"], info["model"],
                                    [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}],
                                    max_tokens=max_tokens, temperature=0, ignore_eos=True)
        return stats

    t0 = time.perf_counter()
    with ThreadPoolExecutor(n) as pool:
        stats = list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    tokens = sum(s.completion_tokens or 0 for s in stats)
    return {"wall_s": round(wall, 2), "tokens": tokens, "tokens_per_s": round(tokens / wall, 2),
            "median_ttft_s": round(sorted(s.ttft_s for s in stats)[len(stats) // 2], 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=64)
    args = ap.parse_args()
    out = {"concurrency": args.concurrency, "max_tokens": args.max_tokens}
    for engine in ("vllm", "transformers"):
        proc, info, load_s = start(engine, args.model)
        try:
            batch(info, 1, 4)  # warm up
            out[engine] = {"load_s": round(load_s, 1), **batch(info, args.concurrency, args.max_tokens)}
        finally:
            stop(proc)
        print(engine, json.dumps(out[engine]), file=sys.stderr, flush=True)
    out["tokens_per_s_ratio_vllm_over_transformers"] = round(
        out["vllm"]["tokens_per_s"] / out["transformers"]["tokens_per_s"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
