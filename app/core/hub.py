"""Whether the Hugging Face hub can be reached from here: a TCP connection, so offline fails in seconds."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

HUB_TIMEOUT_S = 5.0
OFFLINE_ENV = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")


def offline_env() -> str | None:
    """The offline switch that is on (``HF_HUB_OFFLINE=1`` …), or None."""
    for name in OFFLINE_ENV:
        if os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on"):
            return name
    return None


def hub_reachable(timeout: float = HUB_TIMEOUT_S) -> str | None:
    """None when the hub answers a TCP connection, else why not."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)),
                                 timeout=timeout).close()
        return None
    except OSError as err:
        return f"{url.hostname}: {err}"
