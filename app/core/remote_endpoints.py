"""Remote OpenAI-compatible endpoints (a vLLM cluster, a hosted API) used in place of a local engine.

The name, URL and model id go to settings; the API key only to the keyring (or this session's
memory when the user chose that), under ``remote_key_name(name)``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.core import secrets
from app.core.errors import UserError
from app.core.names import clean_name
from app.core.settings import Settings, remote_key_name


def normalize_url(url: str) -> str:
    """``http(s)://host[:port]/…`` ending in ``/v1`` (added when missing), without a trailing slash."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f'"{url}" is not an http(s) URL. Example: https://my-cluster.example.com/v1',
                        code="remote.bad_url", params={"url": url})
    if not parts.path.rstrip("/").endswith("/v1"):
        url += "/v1"
    return url


def add_endpoint(settings: Settings, name: str, base_url: str, model: str = "", api_key: str = "") -> dict:
    """Validate and add (or replace) an endpoint; the caller saves the settings."""
    name = clean_name(name, what="endpoint", code="remote", max_len=80)
    entry = {"name": name, "base_url": normalize_url(base_url), "model": model.strip()}
    if api_key.strip():
        secrets.set_secret(remote_key_name(name), api_key.strip(), storage=settings.secret_storage)
    settings.remote_endpoints = [e for e in settings.remote_endpoints if e.get("name") != name] + [entry]
    return entry


def remove_endpoint(settings: Settings, name: str) -> None:
    settings.remote_endpoints = [e for e in settings.remote_endpoints if e.get("name") != name]
    try:
        secrets.delete_secret(remote_key_name(name))
    except UserError:
        pass


__all__ = ["normalize_url", "add_endpoint", "remove_endpoint"]
