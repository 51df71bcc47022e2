"""Is a served OpenAI-compatible API up? vLLM's server and the transformers one are asked the same way."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


def models_ready(base_url: str, api_key: str, timeout: float = 2.0) -> list[str] | None:
    """The served model ids when ``GET /v1/models`` answers with the key, else None."""
    req = urllib.request.Request(base_url + "/models", headers={"Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        return [m["id"] for m in data.get("data", [])]
    except (OSError, ValueError, KeyError, urllib.error.URLError):
        return None
