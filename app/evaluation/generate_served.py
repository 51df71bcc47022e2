"""Greedy answers of a base and its adapter through a served engine: vLLM's continuous batching.

``choose(choice, base_dir)`` says which generator an evaluation uses: ``transformers`` (``generate.py``,
in this process) or ``vllm`` (the serve engine started for the evaluation, the adapter loaded beside
the base). "auto" follows the chat's rule (``serve_config.planned_engine``): vLLM on a GPU when its
runtime is installed; on a machine without a GPU a small model stays on transformers, because vLLM's
CPU build needs about a minute and a half to start (benchmarks/eval_throughput.py measures both).

``generate_both`` sends every prompt of both sides at once, so the engine batches them all; each answer
is greedy (temperature 0) and stops at the chat template's end of turn, as transformers' does. On a GPU
base and adapter requests share batches. Without CUDA the base's prompts go first and the adapter's
after, each side batched: vLLM's CPU LoRA ops on a mixed batch took twice as long (32 answers of the
bundled model: 20 s mixed, 10 s in two waves; benchmarks/eval_throughput.py measures the whole). Mixed
batches answer right on CPU too, because the serve engine keeps the last LoRA slot empty
(``serve_config.CPU_SPARE_LORA_SLOTS``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.evaluation.evalset import Sample
from app.evaluation.generate import clean_answer

CHOICES = ("auto", "vllm", "transformers")
ENV_CHOICE = "AI_PLATFORM_EVAL_GENERATION"
ADAPTER_NAME = "adapter"
CONCURRENCY = 32  # requests in flight: vLLM schedules them into batches itself


def choose(choice: str | None, base_dir: Path) -> tuple[str, str]:
    """(generator, why) for an evaluation of a model in ``base_dir``."""
    from app.core import serve_config, settings, vllm_runtime

    choice = (choice or os.environ.get(ENV_CHOICE, "") or settings.load().eval_generation or "auto").strip()
    if choice == "transformers":
        return "transformers", "chosen"
    found = vllm_runtime.runtime_info()
    if choice == "vllm":
        if not found["found"]:
            return "transformers", f"vLLM was asked for but its runtime is missing: {found['reason']}"
        return "vllm", "chosen"
    engine, why = serve_config.auto_engine(base_dir, serve_config.cuda_available())
    if engine == "transformers":
        return "transformers", why
    if not found["found"]:
        return "transformers", "the vLLM runtime is not installed"
    return "vllm", why


def generate_both(base_dir: Path, adapter_dir: Path, samples: Sequence[Sample], *, max_new_tokens: int,
                  on_answer: Callable[[str, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None,
                  concurrency: int = CONCURRENCY, start_timeout_s: float = 900.0,
                  timings: dict | None = None, mixed: bool | None = None) -> dict[str, list[str]]:
    """{"base": answers, "adapter": answers} from vLLM serving ``base_dir`` with ``adapter_dir``;
    ``timings`` (when given) gets ``start_s``, the seconds until the engine served.

    Raises ``served.StartFailed`` when the engine does not start (the caller falls back)."""
    from app.core import chat_client, serve_config
    from app.evaluation import served

    if mixed is None:
        mixed = serve_config.cuda_available()

    t0 = time.monotonic()
    server = served.start(str(base_dir), ["--engine", "vllm", "--adapter", f"{ADAPTER_NAME}={adapter_dir}"],
                          timeout_s=start_timeout_s)
    if timings is not None:
        timings["start_s"] = round(time.monotonic() - t0, 2)
    try:
        names = {"base": server.model, "adapter": ADAPTER_NAME}
        answers: dict[str, list[str]] = {side: [""] * len(samples) for side in names}
        done = {side: 0 for side in names}
        lock = threading.Lock()

        def one(side: str, i: int) -> None:
            if should_stop and should_stop():
                return
            text, _ = chat_client.chat(server.base_url, server.api_key, names[side], list(samples[i].prompt),
                                       max_tokens=max_new_tokens, temperature=0, top_p=1, seed=0)
            with lock:
                answers[side][i] = clean_answer(text)
                done[side] += 1
                if on_answer:
                    on_answer(side, done[side])

        waves = [tuple(names)] if mixed else [(side,) for side in names]
        pool = ThreadPoolExecutor(concurrency)
        try:
            for wave in waves:
                futures = [pool.submit(one, side, i) for side in wave for i in range(len(samples))]
                for f in futures:
                    f.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the caller falls back: not a request more
            raise
        pool.shutdown(wait=True)
        return answers
    finally:
        server.close()
