"""The transformers engine: vLLM's OpenAI-compatible API, served in-process where vLLM cannot run.

Stdlib ``ThreadingHTTPServer`` on 127.0.0.1; every request needs ``Authorization: Bearer <key>``.
Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (``stream`` as SSE chunks in OpenAI's
delta format, ending ``data: [DONE]``), ``POST /v1/completions``, and vLLM's runtime LoRA API:
``POST /v1/load_lora_adapter`` / ``/v1/unload_lora_adapter`` with ``{"lora_name", "lora_path"}``
(an adapter loads in place, any rank, while the server runs). ``/v1/completions`` also takes OpenAI's
legacy ``echo`` and ``logprobs`` (prompts as text or token ids, several per request): the prompt is
scored in one forward pass and at most one token written, which is what lm-evaluation-harness's
``local-completions`` asks to compare the answers of a multiple-choice question. LoRA adapters are loaded with peft and
chosen per request by ``model=<adapter name>``; the base model's name runs with the adapters
disabled. One generation at a time (a lock); greedy when temperature is 0.

Hostile or careless clients cannot wedge it (``LIMITS`` below): a body over ``body_limit`` bytes is
refused with 413 from its Content-Length, before it is read; every field is type- and range-checked
before tokenising (400 with an OpenAI-style error body naming the ``param``); ``stop`` strings are
matched on the decoded tail of the answer (a bounded window, not the whole text per token) and are
not part of the answer, as in vLLM; a generation stops when its client goes away (a failed write
while streaming, a closed socket otherwise) and after ``MAX_GENERATION_S``; a request waits at most
``busy_timeout_s`` for the running one (``MAX_WAITING`` waiting at most), then gets 503 "busy".
``serve_transformers(rt, cfg, threads)`` runs it for the serve engine, reporting through its runtime.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from app.core.engine_runtime import EngineRuntime
from app.core.serve_config import ServeConfig
from app.serving.ready import models_ready

log = logging.getLogger("engine.serve.hf")


class ClientGone(Exception):
    """The client closed its connection while its request waited."""


class ApiError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", param: str | None = None):
        super().__init__(message)
        self.status, self.type, self.param = status, type_, param


# --- what one request may ask for -------------------------------------------------------------------
BODY_MIN_BYTES = 2 * 1024 * 1024  # the smallest body limit; more for long contexts (body_limit)
BODY_BYTES_PER_TOKEN = 32  # generous: a context of N tokens is never more than ≈ 32 N bytes of JSON
MAX_STOP = 16  # OpenAI takes 4; vLLM any number (10,000 froze this engine in StopStringCriteria)
MAX_STOP_CHARS = 256
MAX_MESSAGES = 2048
MAX_TOOLS = 128
MAX_LOGPROBS = 20  # top alternatives per token (vLLM's default limit; OpenAI took 5)
SCORE_CHUNK = 256  # positions whose log-softmax is taken at once (a vocabulary-wide row each)
MAX_WAITING = 16  # requests waiting for the running generation; more get 503 at once
BUSY_TIMEOUT_S = 300.0  # how long a request waits for the running generation before 503
MAX_GENERATION_S = 600.0  # one answer's wall-clock limit (then finish_reason "length")
SOCKET_TIMEOUT_S = 120.0  # a client that sends or reads nothing for this long is dropped
LIMITS = {"max_stop": MAX_STOP, "max_stop_chars": MAX_STOP_CHARS, "max_messages": MAX_MESSAGES,
          "max_tools": MAX_TOOLS, "max_waiting": MAX_WAITING, "max_generation_s": MAX_GENERATION_S}


def body_limit(max_len: int) -> int:
    """The largest request body (bytes) for a model of context ``max_len`` tokens."""
    return max(BODY_MIN_BYTES, BODY_BYTES_PER_TOKEN * int(max_len))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"


def _number(req: dict, key: str, lo: float, hi: float, *, integer: bool = False, lo_open: bool = False):
    """``req[key]`` checked: None when absent or null, else an int/float inside [lo, hi] (or 400)."""
    value = req.get(key)
    if value is None:
        return None
    what = "an integer" if integer else "a number"
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (integer and isinstance(value, float) and not value.is_integer())):
        raise ApiError(400, f"{key} must be {what}, not {_shown(value)}", param=key)
    if value != value or value < lo or value > hi or (lo_open and value == lo):  # NaN is never in range
        low = f"more than {lo:g}" if lo_open else f"at least {lo:g}"
        raise ApiError(400, f"{key} must be {what} {low} and at most {hi:g}, not {_shown(value)}", param=key)
    return int(value) if integer else float(value)


def check_request(req: dict, chat: bool) -> dict:
    """The sampling fields of a completion request, type- and range-checked before any tokenising:
    {max_tokens, temperature, top_p, seed, repetition_penalty, ignore_eos, stop, stream, include_usage}."""
    out: dict[str, Any] = {}
    if not isinstance(req.get("model", ""), (str, type(None))):
        raise ApiError(400, f"model must be a string, not {_shown(req['model'])}", param="model")
    if not chat:
        out.update(_scoring_fields(req))
    key = "max_completion_tokens" if req.get("max_completion_tokens") is not None else "max_tokens"
    # 0 new tokens only makes sense when the prompt itself is what is asked for (echo)
    out["max_tokens"] = _number(req, key, 0 if out.get("echo") else 1, 10**9, integer=True)
    out["temperature"] = _number(req, "temperature", 0, 2)
    out["top_p"] = _number(req, "top_p", 0, 1, lo_open=True)
    out["seed"] = _number(req, "seed", -(2**63), 2**64 - 1, integer=True)
    out["repetition_penalty"] = _number(req, "repetition_penalty", 0, 10, lo_open=True)
    n = _number(req, "n", 1, 10**6, integer=True)
    if n not in (None, 1):
        raise ApiError(400, f"n must be 1 here (this engine writes one answer per request), not {n}", param="n")
    for flag in ("stream", "ignore_eos"):
        if not isinstance(req.get(flag, False), (bool, type(None))):
            raise ApiError(400, f"{flag} must be true or false, not {_shown(req[flag])}", param=flag)
    out["stream"], out["ignore_eos"] = bool(req.get("stream")), bool(req.get("ignore_eos"))
    options = req.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise ApiError(400, f"stream_options must be an object, not {_shown(options)}", param="stream_options")
    out["include_usage"] = bool((options or {}).get("include_usage"))
    stop = req.get("stop")
    stops = [stop] if isinstance(stop, str) else stop if stop is not None else []
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise ApiError(400, f"stop must be a string or a list of strings, not {_shown(stop)}", param="stop")
    if len(stops) > MAX_STOP:
        raise ApiError(400, f"stop can have at most {MAX_STOP} strings, not {len(stops)}", param="stop")
    if any(len(s) > MAX_STOP_CHARS for s in stops):
        raise ApiError(400, f"each stop string can have at most {MAX_STOP_CHARS} characters", param="stop")
    out["stop"] = [s for s in dict.fromkeys(stops) if s]
    if chat:
        messages = req.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages must be a non-empty list", param="messages")
        if len(messages) > MAX_MESSAGES:
            raise ApiError(400, f"messages can have at most {MAX_MESSAGES} entries, not {len(messages)}",
                           param="messages")
        tools = req.get("tools")
        if tools is not None and (not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools)):
            raise ApiError(400, "tools must be a list of objects", param="tools")
        if tools and len(tools) > MAX_TOOLS:
            raise ApiError(400, f"tools can have at most {MAX_TOOLS} entries, not {len(tools)}", param="tools")
    else:
        out["prompts"] = _prompts(req.get("prompt", ""))
    return out


def _is_ids(value) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(t, int) and not isinstance(t, bool) for t in value))


def _prompts(prompt) -> list:
    """A completion's ``prompt`` as a list of prompts, each a string or a list of token ids (OpenAI's
    four shapes: a string, a list of strings, a list of ids, a list of lists of ids)."""
    if isinstance(prompt, str) or _is_ids(prompt):
        return [prompt]
    if isinstance(prompt, list) and all(isinstance(p, str) or _is_ids(p) for p in prompt):
        return list(prompt) or [""]
    raise ApiError(400, "prompt must be a string, a list of strings, a list of token ids or a list of lists of "
                   f"token ids, not {_shown(prompt)}", param="prompt")


def _scoring_fields(req: dict) -> dict:
    """``echo`` and ``logprobs`` of a completion request (OpenAI's legacy fields that
    lm-evaluation-harness uses to score a multiple-choice answer)."""
    echo = req.get("echo", False)
    if not isinstance(echo, (bool, type(None))):
        raise ApiError(400, f"echo must be true or false, not {_shown(echo)}", param="echo")
    return {"echo": bool(echo), "logprobs": _number(req, "logprobs", 0, MAX_LOGPROBS, integer=True)}


class StopMatcher:
    """Cuts an answer at its first stop string while it streams. Each piece is searched from just
    before the text not yet checked (the longest stop minus one character), with one compiled
    alternation: the cost per piece is bounded by the stops and the piece, not the answer so far.
    Text that could still be the start of a stop string is held back until it cannot."""

    def __init__(self, stops: list[str]):
        self.hold = max((len(s) for s in stops), default=1) - 1
        self.pattern = (re.compile("|".join(re.escape(s) for s in sorted(stops, key=len, reverse=True)))
                        if stops else None)
        self.text, self.sent, self.stopped = "", 0, False

    def feed(self, piece: str) -> str:
        """The text that may go out now; ``stopped`` turns true at the first stop string."""
        if self.stopped:
            return ""
        start = max(self.sent, len(self.text) - self.hold)
        self.text += piece
        if self.pattern is not None:
            found = self.pattern.search(self.text, start)
            if found:
                self.stopped = True
                out, self.sent = self.text[self.sent:found.start()], found.start()
                self.text = self.text[:found.start()]
                return out
        safe = len(self.text) - self.hold
        if safe <= self.sent:
            return ""
        out, self.sent = self.text[self.sent:safe], safe
        return out

    def flush(self) -> str:
        out, self.sent = self.text[self.sent:], len(self.text)
        return out


def peer_closed(sock) -> bool:
    """True when the client at the other end of ``sock`` has closed it (no more bytes will come)."""
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class HFModel:
    def __init__(self, cfg: ServeConfig, threads: int | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        self.cfg = cfg
        trust = bool(getattr(cfg, "trust_remote_code", False))  # allowed for this model only
        self.tokenizer = AutoTokenizer.from_pretrained(cfg.model_dir, trust_remote_code=trust)
        kwargs = {}
        if getattr(cfg, "quantize", None):
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = (
                BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                   bnb_4bit_compute_dtype=torch.float32)
                if cfg.quantize == "4bit" else BitsAndBytesConfig(load_in_8bit=True))
        model = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=torch.float32, trust_remote_code=trust,
                                                     **kwargs)
        self.weights_bytes = int(model.get_memory_footprint())
        self.adapters = list(cfg.adapters)
        # An adapter folder with its own chat_template.jinja (the bundled model's tool adapter) is
        # served with that template: it was trained on it.
        self.templates: dict[str, str] = {}
        for name, path in cfg.adapters.items():
            self._read_template(name, Path(path))
        if cfg.adapters:
            from peft import PeftModel

            items = list(cfg.adapters.items())
            model = PeftModel.from_pretrained(model, str(items[0][1]), adapter_name=items[0][0])
            for name, path in items[1:]:
                model.load_adapter(str(path), adapter_name=name)
        model.eval()
        self.model = model
        self.max_len = cfg.max_model_len or getattr(model.config, "max_position_embeddings", 2048) or 2048
        self.lock = threading.Lock()
        self.busy_timeout_s = float(getattr(cfg, "busy_timeout_s", None) or BUSY_TIMEOUT_S)
        self.max_generation_s = MAX_GENERATION_S
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self.streaming = threading.Event()  # set once the first answer's first piece is out
        self._prefix: dict | None = None  # the last scored prompt's KV cache (score)

    def _read_template(self, name: str, folder: Path) -> None:
        try:
            self.templates[name] = (folder / "chat_template.jinja").read_text(encoding="utf-8")
        except OSError:
            self.templates.pop(name, None)

    def chat_template(self, name: str | None = None) -> str:
        """The template requests for model ``name`` are rendered with."""
        return self.templates.get(name or "") or str(self.tokenizer.chat_template or "")

    @property
    def names(self) -> list[str]:
        return [self.cfg.model_name, *self.adapters]

    def load_adapter(self, name: str, path: str) -> None:
        """Load a PEFT adapter in place (between two generations), served as model ``name``."""
        if not isinstance(name, str) or not name.strip() or not isinstance(path, str) or not path.strip():
            raise ApiError(400, "lora_name and lora_path are required", "InvalidUserInput")
        if name in self.names:
            raise ApiError(400, f"The lora adapter '{name}' has already been loaded.", "InvalidUserInput")
        folder = Path(path).expanduser()
        if not (folder / "adapter_config.json").is_file():
            raise ApiError(404, f"No LoRA adapter at {folder} (no adapter_config.json).", "NotFoundError")
        t0 = time.monotonic()
        with self.lock:
            from peft import PeftModel

            try:
                if self.adapters:
                    self.model.load_adapter(str(folder), adapter_name=name)
                else:
                    self.model = PeftModel.from_pretrained(self.model, str(folder), adapter_name=name)
            except Exception as exc:  # noqa: BLE001 - a broken or mismatched adapter is the request's problem
                raise ApiError(400, f"Could not load the adapter {folder}: {exc}", "InvalidUserInput") from None
            self.model.eval()
            self._prefix = None
            self.adapters.append(name)
            self.cfg.adapters[name] = folder
            self._read_template(name, folder)
        log.info("adapter %s loaded from %s in %.2f s", name, folder, time.monotonic() - t0)

    def unload_adapter(self, name: str) -> None:
        if name not in self.adapters:
            raise ApiError(404, f"The lora adapter '{name}' cannot be found.", "NotFoundError")
        with self.lock:
            if len(self.adapters) == 1:
                self.model = self.model.unload()  # the base model again, without the LoRA layers
            else:
                if self.model.active_adapter == name:
                    self.model.set_adapter(next(a for a in self.adapters if a != name))
                self.model.delete_adapter(name)
            self._prefix = None
            self.adapters.remove(name)
            self.cfg.adapters.pop(name, None)
            self.templates.pop(name, None)

    def check_model(self, name: str | None) -> str:
        name = name or self.cfg.model_name
        if name not in self.names:
            raise ApiError(404, f"The model `{name}` does not exist.", "NotFoundError")
        return name

    def encode_chat(self, messages: list[dict], tools: list | None = None, name: str | None = None) -> list[int]:
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages must be a non-empty list")
        if tools is not None and not isinstance(tools, list):
            raise ApiError(400, "tools must be a list")
        template = self.chat_template(name)
        kw: dict = {"chat_template": template} if name in self.templates else {}
        # Tool definitions reach templates written for them (Qwen, Llama 3.1, …); a template without
        # tool support renders the conversation alone, as vLLM does for such a model.
        if tools and "tools" in template:
            kw["tools"] = tools
        messages = _template_messages(messages)
        try:
            enc = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                     tokenize=True, return_dict=True, **kw)
        except Exception as exc:  # noqa: BLE001 - a template error is the request's problem, not a crash
            raise ApiError(400, f"the model's chat template cannot render these messages: {exc}") from None
        return list(enc["input_ids"])

    def encode_prompt(self, prompt: str | list[int]) -> list[int]:
        """A completion prompt's token ids: a string tokenised, or ids checked against the vocabulary."""
        if isinstance(prompt, str):
            return self.tokenizer(prompt)["input_ids"]
        vocab = max(len(self.tokenizer), int(getattr(self.model.config, "vocab_size", 0) or 0))
        bad = next((t for t in prompt if t < 0 or t >= vocab), None)
        if bad is not None:
            raise ApiError(400, f"token id {bad} is outside this model's vocabulary (0 to {vocab - 1})",
                           param="prompt")
        return list(prompt)

    def score(self, name: str, prompts: list[list[int]], params: dict, client=None) -> list[dict]:
        """Each prompt's tokens with their log-probabilities, and at most one new token after it
        (``params["max_tokens"]`` 0 or 1): what ``echo`` + ``logprobs`` asks. Returns per prompt
        ``{"ids", "logprobs", "tops", "new"}``: ``logprobs[i]`` is log P(ids[i] | ids[:i]) (None for the
        first token, which nothing predicts), ``tops[i]`` the ``logprobs`` most likely ids there with
        theirs, ``new`` the id written after the prompt (or None).

        A benchmark asks the same question once per choice: the prompts share all but their last tokens.
        The last prompt's KV cache and scores are kept (``_prefix``), and a prompt that starts like it
        only runs its new tokens through the model."""
        torch = self.torch
        n_new = params.get("max_tokens") or 0
        top_n = params.get("logprobs") or 0
        for ids in prompts:
            if not ids:
                raise ApiError(400, "the prompt is empty: there is nothing to score", param="prompt")
            if len(ids) + n_new > self.max_len:
                raise ApiError(400, f"This model's maximum context length is {self.max_len} tokens. However, you "
                               f"requested {len(ids) + n_new} tokens ({len(ids)} in the prompt, {n_new} in the "
                               "completion). Please reduce the length of the prompt or completion.", param="prompt")
        temperature = params["temperature"] if params.get("temperature") is not None else 1.0
        if temperature > 0 and params.get("seed") is not None:
            torch.manual_seed(params["seed"])
        self._acquire(client)
        try:
            out = []
            with torch.inference_mode(), self._adapter_ctx(name):
                for ids in prompts:
                    if peer_closed(client):
                        raise ClientGone()
                    out.append(self._score_one(name, ids, top_n, n_new, temperature))
        finally:
            self.lock.release()
        return out

    def _score_one(self, name: str, ids: list[int], top_n: int, n_new: int, temperature: float) -> dict:
        torch = self.torch
        start, cache = 0, None  # logits are computed for positions start … len(ids) - 1
        kept = self._prefix
        if kept is not None and kept["name"] == name and kept["top_n"] == top_n:
            same = 0
            for a, b in zip(kept["ids"], ids, strict=False):
                if a != b:
                    break
                same += 1
            # position same - 1 is recomputed: its logits score the first token that differs
            if same >= 2 and _plain_cache(kept["cache"]):
                start, cache = min(same, len(ids)) - 1, kept["cache"]
                cache.crop(-(len(kept["ids"]) - start))
        self._prefix = None  # a failure below must not leave a half-cropped cache behind
        x = torch.tensor([ids[start:]])
        res = self.model(input_ids=x, attention_mask=torch.ones((1, len(ids)), dtype=torch.long),
                         past_key_values=cache, use_cache=True)
        logits = res.logits[0]
        row = {"ids": list(ids), "logprobs": [None] if start == 0 else kept["logprobs"][:start + 1],
               "tops": [None] if start == 0 else kept["tops"][:start + 1], "new": None}
        # logits[k] (position start + k) predicts ids[start + k + 1]; the last row predicts the new token
        for lo in range(0, len(logits), SCORE_CHUNK):
            hi = min(lo + SCORE_CHUNK, len(logits))
            lp = torch.log_softmax(logits[lo:hi].float(), dim=-1)
            targets = ids[start + lo + 1:start + hi + 1]
            if targets:
                picked = lp[:len(targets)].gather(1, torch.tensor(targets)[:, None])[:, 0]
                row["logprobs"].extend(picked.tolist())
                row["tops"].extend(self._tops(lp[:len(targets)], top_n))
            if hi == len(logits) and n_new:
                last = lp[-1]
                if temperature <= 0:
                    new = int(last.argmax())
                else:
                    new = int(torch.multinomial(torch.softmax(logits[-1].float() / temperature, dim=-1), 1))
                row["new"] = new
                row["logprobs"].append(float(last[new]))
                row["tops"].extend(self._tops(last[None], top_n))
        n = len(ids)
        self._prefix = {"name": name, "top_n": top_n, "ids": list(ids), "cache": res.past_key_values,
                        "logprobs": row["logprobs"][:n], "tops": row["tops"][:n]}
        return row

    @staticmethod
    def _tops(lp, top_n: int) -> list[list[tuple[int, float]]]:
        if top_n <= 0:
            return [[] for _ in range(lp.shape[0])]
        values, indices = lp.topk(top_n, dim=-1)
        return [list(zip(i.tolist(), v.tolist(), strict=True)) for i, v in zip(indices, values, strict=True)]

    def _gen_kwargs(self, ids: list[int], params: dict) -> dict:
        """generate() keywords from ``params`` (already checked by ``check_request``)."""
        max_tokens = params.get("max_tokens")
        room = self.max_len - len(ids)
        if room <= 0 or (max_tokens and len(ids) + max_tokens > self.max_len):
            raise ApiError(400, f"This model's maximum context length is {self.max_len} tokens. However, you "
                           f"requested {len(ids) + (max_tokens or 0)} tokens ({len(ids)} in the messages, "
                           f"{max_tokens or 0} in the completion). Please reduce the length of the "
                           "messages or completion.", param="max_tokens" if room > 0 else "messages")
        max_new = max_tokens if max_tokens else min(room, 512)
        temperature = params["temperature"] if params.get("temperature") is not None else 1.0
        kw: dict[str, Any] = {"max_new_tokens": max_new, "pad_token_id": self.tokenizer.pad_token_id
                              if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id}
        if temperature <= 0:
            kw["do_sample"] = False
        else:
            kw.update(do_sample=True, temperature=temperature, top_p=params.get("top_p") or 1.0)
            if params.get("seed") is not None:
                self.torch.manual_seed(params["seed"])
        penalty = params.get("repetition_penalty")  # vLLM's sampling extension, same meaning
        if penalty is not None and penalty != 1.0:
            kw["repetition_penalty"] = penalty
        if params.get("ignore_eos"):  # vLLM's extension: generate exactly max_new tokens
            kw["min_new_tokens"] = max_new
        return kw

    def _acquire(self, client=None, on_wait=None) -> None:
        """Wait for the running generation: at most ``busy_timeout_s`` (then 503), and only while the
        client is there (``ClientGone``); ``on_wait()`` is called about once a second meanwhile (a
        stream sends a keep-alive comment). With ``MAX_WAITING`` requests waiting already: 503 at once."""
        busy = ("The engine is busy with another answer{}; try again in a moment.", "ServiceUnavailableError")
        with self._waiting_lock:
            if self._waiting >= MAX_WAITING:
                raise ApiError(503, busy[0].format(f" and {self._waiting} requests are waiting"), busy[1])
            self._waiting += 1
        try:
            deadline = time.monotonic() + self.busy_timeout_s
            if self.lock.acquire(blocking=False):
                return
            if on_wait is not None:
                on_wait()  # at once: a stream says it is queued before its client wonders
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ApiError(503, busy[0].format(f" (waited {self.busy_timeout_s:g} s)"), busy[1])
                if self.lock.acquire(timeout=min(1.0, left)):
                    return
                if peer_closed(client):
                    raise ClientGone()
                if on_wait is not None:
                    on_wait()  # a failed write: the client is gone (OSError)
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    def _adapter_ctx(self, name: str):
        import contextlib

        if not self.adapters:
            return contextlib.nullcontext()
        if name in self.adapters:
            self.model.set_adapter(name)
            return contextlib.nullcontext()
        return self.model.disable_adapter()

    def generate(self, name: str, ids: list[int], params: dict, client=None, on_wait=None):
        """Yield text pieces; the last item is a dict: prompt/completion tokens, finish_reason.
        ``client``: the request's socket; the generation stops as soon as it is closed, when this
        generator is closed (a failed write), at a stop string, or after ``max_generation_s``.
        ``on_wait``: called while the request waits for another one's generation (``_acquire``)."""
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        kw = self._gen_kwargs(ids, params)
        torch = self.torch
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        input_ids = torch.tensor([ids])
        result: dict[str, Any] = {}
        halt = threading.Event()  # set: stop after the current token
        why: dict[str, str] = {}
        matcher = StopMatcher(params.get("stop") or [])

        class Halt(StoppingCriteria):
            deadline = 0.0
            next_check = 0.0

            def __call__(self, input_ids, scores, **kwargs):
                now = time.monotonic()
                if not halt.is_set() and now >= self.next_check:  # the socket: a few times a second
                    self.next_check = now + 0.2
                    if peer_closed(client):
                        why.setdefault("halt", "gone")
                        halt.set()
                    elif now > self.deadline:
                        why.setdefault("halt", "time")
                        halt.set()
                return torch.full((input_ids.shape[0],), halt.is_set(), dtype=torch.bool)

        criteria = Halt()

        def run():
            try:
                with torch.inference_mode(), self._adapter_ctx(name):
                    out = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                              streamer=streamer, stopping_criteria=StoppingCriteriaList([criteria]),
                                              **kw)
                result["out"] = out
            except BaseException as exc:  # noqa: BLE001 - reported to the request
                result["error"] = exc
                streamer.end()

        self._acquire(client, on_wait)
        try:
            criteria.deadline = time.monotonic() + self.max_generation_s
            thread = threading.Thread(target=run, name="generate", daemon=True)
            thread.start()
            done = False
            try:
                for piece in streamer:
                    out = matcher.feed(piece) if piece else ""
                    if matcher.stopped and not halt.is_set():
                        why.setdefault("halt", "stop")
                        halt.set()
                    if out:
                        self.streaming.set()
                        yield out
                rest = matcher.flush()
                done = True
                if rest:
                    yield rest
            finally:  # the client is gone (or the answer is done): free the model before the next one
                if not done:
                    halt.set()
                    why.setdefault("halt", "gone")
                thread.join()
                if why.get("halt") == "gone":
                    made = int(result["out"].shape[1]) - len(ids) if "out" in result else 0
                    log.info("the client went away: its generation stopped after %d tokens", made)
        finally:
            self.lock.release()
        if "error" in result:
            raise ApiError(500, f"generation failed: {result['error']}", "InternalServerError")
        new = result["out"][0, len(ids):].tolist()
        eos = self.tokenizer.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        gen_eos = getattr(self.model.generation_config, "eos_token_id", None)
        eos_ids |= set(gen_eos if isinstance(gen_eos, list) else [gen_eos])
        finished = bool(new) and new[-1] in eos_ids
        completion = len(new) - (1 if finished else 0)
        if why.get("halt") == "stop":
            reason = "stop"
        elif why.get("halt") == "time":
            reason = "length"
        else:
            reason = "stop" if finished or len(new) < kw["max_new_tokens"] else "length"
        yield {"prompt_tokens": len(ids), "completion_tokens": completion, "finish_reason": reason}


def _plain_cache(cache) -> bool:
    """A DynamicCache of full-attention layers only: one that can be cut back to a prefix (a sliding
    window or a linear-attention layer cannot give back what it dropped)."""
    from transformers.cache_utils import DynamicCache, DynamicLayer

    return type(cache) is DynamicCache and all(type(layer) is DynamicLayer for layer in cache.layers)


def _eos_ids(tokenizer, model) -> list[int]:
    ids = set()
    for value in (tokenizer.eos_token_id, getattr(model.generation_config, "eos_token_id", None)):
        ids.update(value if isinstance(value, list) else [value])
    return sorted(i for i in ids if isinstance(i, int))


def _template_messages(messages: list) -> list:
    """OpenAI messages as chat templates expect them: an assistant turn that only called tools has
    ``content: null`` and content may be a list of parts; templates concatenate strings."""
    out = []
    for m in messages:
        if not isinstance(m, dict):
            raise ApiError(400, "each message must be an object")
        content = m.get("content")
        if content is None:
            content = ""
        elif isinstance(content, list):
            content = "".join(str(p.get("text") or "") for p in content if isinstance(p, dict))
        msg = dict(m, content=str(content))
        if isinstance(m.get("tool_calls"), list):  # templates render arguments with tojson: give them a dict
            calls = []
            for c in m["tool_calls"]:
                if not isinstance(c, dict) or not isinstance(c.get("function") or {}, dict):
                    raise ApiError(400, "each tool call must be an object with a function object", param="messages")
                fn = dict((c or {}).get("function") or {})
                if isinstance(fn.get("arguments"), str):
                    try:
                        fn["arguments"] = json.loads(fn["arguments"])
                    except ValueError:
                        pass
                calls.append(dict(c, function=fn))
            msg["tool_calls"] = calls
        out.append(msg)
    return out


_TOOL_CALL_RE = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)


def parse_tool_calls(text: str) -> tuple[str, list[dict]]:
    """Hermes-style tool calls (``<tool_call>{"name": …, "arguments": {…}}</tool_call>``, what Qwen
    and many fine-tunes write) → (the remaining text, OpenAI ``tool_calls``). Malformed blocks stay text."""
    calls, kept, last = [], [], 0
    for m in _TOOL_CALL_RE.finditer(text):
        try:
            data = json.loads(m.group(1))
        except ValueError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            continue
        args = data.get("arguments", data.get("parameters", {}))
        calls.append({"id": "call_" + uuid.uuid4().hex[:24], "type": "function",
                      "function": {"name": data["name"],
                                   "arguments": args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)}})
        kept.append(text[last:m.start()])
        last = m.end()
    kept.append(text[last:])
    return ("".join(kept).strip() if calls else text), calls


def _usage(info: dict) -> dict:
    return {"prompt_tokens": info["prompt_tokens"], "completion_tokens": info["completion_tokens"],
            "total_tokens": info["prompt_tokens"] + info["completion_tokens"]}


class Handler(BaseHTTPRequestHandler):
    server_version = "ai-platform-hf"
    protocol_version = "HTTP/1.1"

    @property
    def hf(self) -> HFModel:
        return self.server.hf  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):  # the engine log, not stderr noise per request
        log.debug("%s " + fmt, self.address_string(), *args)

    def _send_json(self, status: int, obj: dict) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_text(self, status: int, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, err: ApiError) -> None:
        self._send_json(err.status, {"error": {"message": str(err), "type": err.type, "param": err.param,
                                               "code": err.status}})

    def setup(self) -> None:
        self.timeout = SOCKET_TIMEOUT_S  # a silent client cannot hold its thread forever
        super().setup()

    def _authorized(self) -> bool:
        if self.headers.get("Authorization", "") == f"Bearer {self.server.api_key}":  # type: ignore[attr-defined]
            return True
        self._send_json(401, {"error": "Unauthorized"})
        self._discard_body()
        return False

    def _content_length(self) -> int:
        """The declared body size, checked against the limit before a byte of it is read."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(411, "send the body with a Content-Length (chunked bodies are not supported)")
        raw = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise ApiError(400, f"Content-Length is not a size in bytes: {raw[:40]!r}")
        limit = body_limit(self.hf.max_len)
        if length > limit:
            self._oversized = length
            raise ApiError(413, f"The request body is {length:,} bytes; this engine takes at most {limit:,} "
                           f"bytes (its context is {self.hf.max_len:,} tokens).", "RequestTooLarge")
        return length

    def _discard_body(self, limit: int = 64 * 1024 * 1024, seconds: float = 5.0) -> None:
        """After an error answer: read and drop the unread body (up to ``limit`` bytes, for ``seconds``)
        so that a client still sending reads that answer instead of a connection reset; then close."""
        try:
            left = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            left = 0
        if left <= 0 or getattr(self, "_body_read", False):
            return
        self.close_connection = True
        if left > limit:
            return
        self._body_read = True
        deadline = time.monotonic() + seconds
        try:
            while left > 0:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                self.connection.settimeout(min(wait, 1.0))
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:  # a timeout or a reset: the answer is out, the connection closes anyway
            pass

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (curl with a big body): refuse an oversized body before it is sent."""
        try:
            self._content_length()
        except ApiError as err:
            self.close_connection = True
            self._body_read = True  # nothing was sent
            self._error(err)
            return False
        return super().handle_expect_100()

    def _body(self) -> dict:
        length = self._content_length()
        raw = self.rfile.read(length) if length else b""
        self._body_read = True
        if len(raw) < length:
            self.close_connection = True
            raise ApiError(400, f"the request body ended after {len(raw):,} of {length:,} bytes")
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise ApiError(400, "the request body is not JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return data

    def do_GET(self):  # noqa: N802
        if not self._authorized():
            return
        if self.path.rstrip("/") in ("/v1/models",):
            now = int(time.time())
            self._send_json(200, {"object": "list", "data": [
                {"id": n, "object": "model", "created": now, "owned_by": "ai-platform",
                 "root": str(self.hf.cfg.adapters.get(n, self.hf.cfg.model_dir)),
                 "parent": None if n == self.hf.cfg.model_name else self.hf.cfg.model_name,
                 "max_model_len": self.hf.max_len} for n in self.hf.names]})
        elif self.path.rstrip("/") == "/health":
            self._send_json(200, {})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "NotFoundError"}})

    def do_POST(self):  # noqa: N802
        self._body_read = self._started = False
        if not self._authorized():
            return
        try:
            path = self.path.rstrip("/")
            if path == "/v1/chat/completions":
                self._completion(chat=True)
            elif path == "/v1/completions":
                self._completion(chat=False)
            elif path == "/v1/load_lora_adapter":
                req = self._body()
                self.hf.load_adapter(req.get("lora_name"), req.get("lora_path"))
                self._send_text(200, f"Success: LoRA adapter '{req['lora_name']}' added successfully.")
            elif path == "/v1/unload_lora_adapter":
                req = self._body()
                self.hf.unload_adapter(req.get("lora_name"))
                self._send_text(200, f"Success: LoRA adapter '{req['lora_name']}' removed successfully.")
            else:
                raise ApiError(404, f"no route {self.path}", "NotFoundError")
        except ApiError as err:
            self._answer_error(err)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, ClientGone):
            self.close_connection = True
            log.info("the client went away mid-answer")
        except Exception as exc:  # noqa: BLE001 - a request must get an answer, never a dropped connection
            log.exception("request failed")
            self._answer_error(ApiError(500, f"the engine failed on this request: {type(exc).__name__}: {exc}",
                                        "InternalServerError"))

    def _answer_error(self, err: ApiError) -> None:
        if getattr(self, "_started", False):  # a stream is under way: its status line is out already
            self.close_connection = True
            return
        try:
            self._error(err)
        except OSError:
            self.close_connection = True
            return
        self._discard_body()

    def _completion(self, chat: bool) -> None:
        self._started = False
        req = self._body()
        params = check_request(req, chat)
        name = self.hf.check_model(req.get("model"))
        if not chat and (params["echo"] or params["logprobs"] is not None):
            self._scored_completion(req, params, name)
            return
        if not chat and len(params["prompts"]) > 1:
            raise ApiError(400, f"this engine writes one answer per request: send one prompt, not "
                           f"{len(params['prompts'])} (a list of prompts is taken with echo or logprobs only)",
                           param="prompt")
        ids = (self.hf.encode_chat(req.get("messages"), req.get("tools"), name) if chat
               else self.hf.encode_prompt(params["prompts"][0]))
        waited = {"last": 0.0}

        def on_wait() -> None:  # a stream waiting for the running answer: headers and a comment now
            if not params["stream"]:
                return
            self._start_stream()
            now = time.monotonic()
            if now - waited["last"] >= 5.0:
                waited["last"] = now
                self.wfile.write(b": queued behind another answer\n\n")  # an SSE comment: clients skip it
                self.wfile.flush()

        gen = self.hf.generate(name, ids, params, client=self.connection, on_wait=on_wait)
        try:
            self._answer(chat, req, params, name, gen)
        finally:
            gen.close()  # the client went away mid-answer: the generation stops now

    def _scored_completion(self, req: dict, params: dict, name: str) -> None:
        """``echo`` / ``logprobs``: the prompt's tokens scored and at most one token written, answered whole,
        one choice per prompt. ``text_offset`` counts characters of the returned token strings."""
        if params["stream"]:
            raise ApiError(400, "echo and logprobs are answered whole here: send stream false", param="stream")
        if params["max_tokens"] not in (0, 1):
            raise ApiError(400, "with echo or logprobs this engine scores the prompt and writes at most one token: "
                           f"set max_tokens to 0 or 1, not {params['max_tokens']}", param="max_tokens")
        if not params["echo"] and params["max_tokens"] == 0:
            raise ApiError(400, "max_tokens 0 asks for nothing without echo", param="max_tokens")
        hf, tok = self.hf, self.hf.tokenizer
        prompts = [hf.encode_prompt(p) for p in params["prompts"]]
        rows = hf.score(name, prompts, params, client=self.connection)
        pieces: dict[int, str] = {}

        def piece(t: int) -> str:
            if t not in pieces:
                pieces[t] = tok.decode([t])
            return pieces[t]

        eos = set(_eos_ids(tok, hf.model))
        choices, prompt_tokens, completion_tokens = [], 0, 0
        for index, row in enumerate(rows):
            shown = slice(0 if params["echo"] else len(row["ids"]), None)
            ids = row["ids"] + ([row["new"]] if row["new"] is not None else [])
            text = (tok.decode(row["ids"]) if params["echo"] else "") + (
                piece(row["new"]) if row["new"] is not None and row["new"] not in eos else "")
            logprobs = None
            if params["logprobs"] is not None:
                tokens = [piece(t) for t in ids[shown]]
                tops = []
                for t, lp, top in zip(ids[shown], row["logprobs"][shown], row["tops"][shown], strict=True):
                    if top is None:
                        tops.append(None)
                        continue
                    entry = {piece(i): v for i, v in top}
                    entry[piece(t)] = lp  # the chosen token is always listed, as OpenAI and vLLM do
                    tops.append(entry)
                offsets, at = [], 0
                for t in tokens:
                    offsets.append(at)
                    at += len(t)
                logprobs = {"tokens": tokens, "token_logprobs": row["logprobs"][shown], "top_logprobs": tops,
                            "text_offset": offsets}
            finish = "stop" if row["new"] is not None and row["new"] in eos else "length"
            choices.append({"index": index, "text": text, "logprobs": logprobs, "finish_reason": finish})
            prompt_tokens += len(row["ids"])
            completion_tokens += 0 if row["new"] is None else 1
        self._send_json(200, {"id": "cmpl-" + uuid.uuid4().hex, "object": "text_completion",
                              "created": int(time.time()), "model": name, "choices": choices,
                              "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                        "total_tokens": prompt_tokens + completion_tokens}})

    def _start_stream(self) -> None:
        if self._started:
            return
        self._started = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _stream_error(self, err: ApiError) -> None:
        self.wfile.write(b"data: " + json.dumps({"error": {"message": str(err), "type": err.type,
                                                           "code": err.status}}).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _answer(self, chat: bool, req: dict, params: dict, name: str, gen) -> None:
        # A template that writes <tool_call> blocks: read them back as OpenAI tool calls.
        tools_on = bool(chat and req.get("tools") and "<tool_call>" in self.hf.chat_template(name))
        rid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex
        created = int(time.time())
        obj = "chat.completion" if chat else "text_completion"
        if not params["stream"]:
            parts, info = [], {}
            for piece in gen:
                if isinstance(piece, dict):
                    info = piece
                else:
                    parts.append(piece)
            text = "".join(parts)
            calls = []
            if tools_on:
                text, calls = parse_tool_calls(text)
            message = {"role": "assistant", "content": text or (None if calls else "")}
            if calls:
                message["tool_calls"] = calls
            choice = ({"index": 0, "message": message,
                       "finish_reason": "tool_calls" if calls else info["finish_reason"]} if chat else
                      {"index": 0, "text": text, "finish_reason": info["finish_reason"], "logprobs": None})
            self._send_json(200, {"id": rid, "object": obj, "created": created, "model": name,
                                  "choices": [choice], "usage": _usage(info)})
            return
        # Streaming: validation errors (context too long) surface before the 200 goes out; a wait for
        # another answer sends the headers early (on_wait), and a later error goes in the stream.
        try:
            first = next(gen)
        except ApiError as err:
            if not self._started:
                raise
            self._stream_error(err)
            return
        self._start_stream()
        chunk_obj = "chat.completion.chunk" if chat else "text_completion"
        include_usage = params["include_usage"]

        def send(choices: list, usage: dict | None = None) -> None:
            data = {"id": rid, "object": chunk_obj, "created": created, "model": name, "choices": choices}
            if usage is not None:
                data["usage"] = usage
            self.wfile.write(b"data: " + json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n\n")
            self.wfile.flush()

        if chat:
            send([{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None,
                   "finish_reason": None}])
        info: dict = {}
        pieces = [first]
        held: list[str] = []  # with tools, the answer is read whole: a tool call is only known at its end
        try:
            for piece in _chain(pieces, gen):
                if isinstance(piece, dict):
                    info = piece
                    continue
                if tools_on:
                    held.append(piece)
                    continue
                if chat:
                    send([{"index": 0, "delta": {"content": piece}, "logprobs": None, "finish_reason": None}])
                else:
                    send([{"index": 0, "text": piece, "logprobs": None, "finish_reason": None}])
        except ApiError as err:
            self.wfile.write(b"data: " + json.dumps({"error": {"message": str(err)}}).encode() + b"\n\n")
        else:
            finish = info.get("finish_reason")
            if tools_on:
                text, calls = parse_tool_calls("".join(held))
                if text:
                    send([{"index": 0, "delta": {"content": text}, "logprobs": None, "finish_reason": None}])
                if calls:
                    finish = "tool_calls"
                    send([{"index": 0, "delta": {"tool_calls": [dict(c, index=i) for i, c in enumerate(calls)]},
                           "logprobs": None, "finish_reason": None}])
            if chat:
                send([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": finish}])
            else:
                send([{"index": 0, "text": "", "logprobs": None, "finish_reason": info.get("finish_reason")}])
            if include_usage and info:
                send([], usage=_usage(info))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _warm_peft(rt: EngineRuntime, hf: HFModel, idle_s: float = 20.0) -> None:
    """Import peft (≈ 1.3 s of CPU, with bitsandbytes) on a thread, so the first adapter switch does not
    pay for it: once the first answer's first token is out (its time to first token is not touched;
    the rest of that answer shares the CPU for a moment), or after ``idle_s`` without any request."""

    def run() -> None:
        hf.streaming.wait(idle_s)
        try:
            import peft  # noqa: F401
        except ImportError as exc:
            rt.info(f"peft is not importable, adapters cannot load: {exc}", level="WARNING")

    threading.Thread(target=run, name="warm-peft", daemon=True).start()


def _chain(first: list, rest):
    yield from first
    yield from rest


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog (socketserver's 5 reset 20 clients arriving together)


def build_server(cfg: ServeConfig, threads: int | None = None, log=log) -> Server:
    hf = HFModel(cfg, threads=threads)
    server = Server((cfg.host, cfg.port), Handler)
    server.hf = hf  # type: ignore[attr-defined]
    server.api_key = cfg.api_key  # type: ignore[attr-defined]
    server.weights_bytes = hf.weights_bytes  # type: ignore[attr-defined]
    log.info("transformers engine: %s (%d adapters) on %s", cfg.model_dir, len(cfg.adapters), cfg.base_url)
    return server


def serve_transformers(rt: EngineRuntime, cfg: ServeConfig, threads: int | None) -> str:
    rt.progress(0, 3, message="Loading the model (transformers)", stage="serve.hf_load")
    t0 = time.monotonic()
    server = build_server(cfg, threads=threads, log=rt.log)
    rt.progress(2, 3, message="Starting the HTTP server", stage="serve.http")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http", daemon=True)
    thread.start()
    try:
        ids = models_ready(cfg.base_url, cfg.api_key, timeout=10)
        if ids is None:
            rt.error("The transformers server did not answer on its own port.", hint="See the engine log.",
                     extra={"code": "serve.hf_no_answer", "hint_code": "engine.see_log"})
            return "failed"
        rt.progress(3, 3, message="Ready", stage="serve.ready")
        rt.result(base_url=cfg.base_url, api_key=cfg.api_key, model=cfg.model_name, listen=f"{cfg.host}:{cfg.port}",
                  exposed=cfg.exposed,
                  adapters=sorted(cfg.adapters), engine="transformers", pid=os.getpid(), port=cfg.port,
                  models=ids, load_s=round(time.monotonic() - t0, 2), quantization=cfg.quantize,
                  weights_bytes=server.weights_bytes, max_lora_rank=None)
        _warm_peft(rt, server.hf)
        while not rt.stop_requested:
            rt.wait_stop(0.5)
        rt.info("stopping the transformers server")
        return "stopped"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


__all__ = ["HFModel", "Handler", "Server", "build_server", "serve_transformers", "ApiError", "StopMatcher",
           "check_request", "body_limit", "peer_closed", "LIMITS"]
