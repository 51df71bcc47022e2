"""The transformers engine: vLLM's OpenAI-compatible API, served in-process where vLLM cannot run.

Stdlib ``ThreadingHTTPServer`` on 127.0.0.1; every request needs ``Authorization: Bearer <key>``.
Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (``stream`` as SSE chunks in OpenAI's
delta format, ending ``data: [DONE]``), ``POST /v1/completions``, and vLLM's runtime LoRA API:
``POST /v1/load_lora_adapter`` / ``/v1/unload_lora_adapter`` with ``{"lora_name", "lora_path"}``
(an adapter loads in place, any rank, while the server runs). LoRA adapters are loaded with peft and
chosen per request by ``model=<adapter name>``; the base model's name runs with the adapters
disabled. One generation at a time (a lock); greedy when temperature is 0.
``serve_transformers(rt, cfg, threads)`` runs it for the serve engine, reporting through its runtime.
"""

from __future__ import annotations

import json
import logging
import os
import re
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


class ApiError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.type = status, type_


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
        self.streaming = threading.Event()  # set once the first answer's first piece is out

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
            self.adapters.append(name)
            self.cfg.adapters[name] = folder
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
            self.adapters.remove(name)
            self.cfg.adapters.pop(name, None)

    def check_model(self, name: str | None) -> str:
        name = name or self.cfg.model_name
        if name not in self.names:
            raise ApiError(404, f"The model `{name}` does not exist.", "NotFoundError")
        return name

    def encode_chat(self, messages: list[dict], tools: list | None = None) -> list[int]:
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages must be a non-empty list")
        if tools is not None and not isinstance(tools, list):
            raise ApiError(400, "tools must be a list")
        kw = {}
        # Tool definitions reach templates written for them (Qwen, Llama 3.1, …); a template without
        # tool support renders the conversation alone, as vLLM does for such a model.
        if tools and "tools" in str(self.tokenizer.chat_template or ""):
            kw["tools"] = tools
        try:
            enc = self.tokenizer.apply_chat_template(_template_messages(messages), add_generation_prompt=True,
                                                     tokenize=True, return_dict=True, **kw)
        except Exception as exc:  # noqa: BLE001 - a template error is the request's problem, not a crash
            raise ApiError(400, f"the model's chat template cannot render these messages: {exc}") from None
        return list(enc["input_ids"])

    def encode_text(self, prompt) -> list[int]:
        if isinstance(prompt, list):
            prompt = prompt[0] if prompt else ""
        return self.tokenizer(str(prompt))["input_ids"]

    def _gen_kwargs(self, ids: list[int], params: dict) -> dict:
        max_tokens = params.get("max_completion_tokens") or params.get("max_tokens")
        room = self.max_len - len(ids)
        if room <= 0 or (max_tokens and len(ids) + int(max_tokens) > self.max_len):
            raise ApiError(400, f"This model's maximum context length is {self.max_len} tokens. However, you "
                           f"requested {len(ids) + int(max_tokens or 0)} tokens ({len(ids)} in the messages, "
                           f"{int(max_tokens or 0)} in the completion). Please reduce the length of the "
                           "messages or completion.")
        max_new = int(max_tokens) if max_tokens else min(room, 512)
        temperature = float(params.get("temperature", 1.0) if params.get("temperature") is not None else 1.0)
        kw: dict[str, Any] = {"max_new_tokens": max_new, "pad_token_id": self.tokenizer.pad_token_id
                              if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id}
        if temperature <= 0:
            kw["do_sample"] = False
        else:
            kw.update(do_sample=True, temperature=temperature, top_p=float(params.get("top_p") or 1.0))
            if params.get("seed") is not None:
                self.torch.manual_seed(int(params["seed"]))
        penalty = params.get("repetition_penalty")  # vLLM's sampling extension, same meaning
        if penalty is not None and float(penalty) != 1.0:
            kw["repetition_penalty"] = float(penalty)
        if params.get("ignore_eos"):  # vLLM's extension: generate exactly max_new tokens
            kw["min_new_tokens"] = max_new
        stop = params.get("stop")
        if stop:
            kw["stop_strings"] = [stop] if isinstance(stop, str) else list(stop)
            kw["tokenizer"] = self.tokenizer
        return kw

    def _adapter_ctx(self, name: str):
        import contextlib

        if not self.adapters:
            return contextlib.nullcontext()
        if name in self.adapters:
            self.model.set_adapter(name)
            return contextlib.nullcontext()
        return self.model.disable_adapter()

    def generate(self, name: str, ids: list[int], params: dict):
        """Yield text pieces; the last item is a dict: prompt/completion tokens, finish_reason."""
        from transformers import TextIteratorStreamer

        kw = self._gen_kwargs(ids, params)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        input_ids = self.torch.tensor([ids])
        result: dict[str, Any] = {}

        def run():
            try:
                with self.torch.inference_mode(), self._adapter_ctx(name):
                    out = self.model.generate(input_ids=input_ids, attention_mask=self.torch.ones_like(input_ids),
                                              streamer=streamer, **kw)
                result["out"] = out
            except BaseException as exc:  # noqa: BLE001 - reported to the request
                result["error"] = exc
                streamer.end()

        with self.lock:
            thread = threading.Thread(target=run, name="generate", daemon=True)
            thread.start()
            for piece in streamer:
                if piece:
                    self.streaming.set()
                    yield piece
            thread.join()
        if "error" in result:
            raise ApiError(500, f"generation failed: {result['error']}", "InternalServerError")
        new = result["out"][0, len(ids):].tolist()
        eos = self.tokenizer.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos])
        gen_eos = getattr(self.model.generation_config, "eos_token_id", None)
        eos_ids |= set(gen_eos if isinstance(gen_eos, list) else [gen_eos])
        finished = bool(new) and new[-1] in eos_ids
        completion = len(new) - (1 if finished else 0)
        yield {"prompt_tokens": len(ids), "completion_tokens": completion,
               "finish_reason": "stop" if finished or len(new) < kw["max_new_tokens"] else "length"}


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
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        msg = dict(m, content=str(content))
        if isinstance(m.get("tool_calls"), list):  # templates render arguments with tojson: give them a dict
            calls = []
            for c in m["tool_calls"]:
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
        self._send_json(err.status, {"error": {"message": str(err), "type": err.type, "param": None,
                                               "code": err.status}})

    def _authorized(self) -> bool:
        if self.headers.get("Authorization", "") == f"Bearer {self.server.api_key}":  # type: ignore[attr-defined]
            return True
        self._send_json(401, {"error": "Unauthorized"})
        return False

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
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
            self._error(err)
        except (BrokenPipeError, ConnectionResetError):
            log.info("the client went away mid-answer")

    def _completion(self, chat: bool) -> None:
        req = self._body()
        name = self.hf.check_model(req.get("model"))
        ids = (self.hf.encode_chat(req.get("messages"), req.get("tools")) if chat
               else self.hf.encode_text(req.get("prompt", "")))
        gen = self.hf.generate(name, ids, req)
        # A template that writes <tool_call> blocks: read them back as OpenAI tool calls.
        tools_on = bool(chat and req.get("tools") and "<tool_call>" in str(self.hf.tokenizer.chat_template or ""))
        rid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex
        created = int(time.time())
        obj = "chat.completion" if chat else "text_completion"
        if not req.get("stream"):
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
        # Streaming: validation errors (context too long) must surface before the 200 goes out.
        first = next(gen)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk_obj = "chat.completion.chunk" if chat else "text_completion"
        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))

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
        rt.result(base_url=cfg.base_url, api_key=cfg.api_key, model=cfg.model_name,
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


__all__ = ["HFModel", "Handler", "Server", "build_server", "serve_transformers", "ApiError"]
