"""Remote OpenAI-compatible endpoints (a vLLM cluster, a hosted API) used in place of a local engine.

The name, URL and model id go to settings; the API key only to the keyring (or this session's
memory when the user chose that), under ``remote_key_name(name)``. A key written into the URL
(``https://user:KEY@host/v1``, ``…/v1?api_key=KEY``, ``key=``, ``token=`` …) is taken out of it and
stored as the endpoint's key, so the settings file never holds it; ``move_saved_credentials``
does the same, at start-up, for endpoints saved before this rule. ``plain_http_host`` names the
host when a key would travel unencrypted (``http://`` to a machine other than this one).
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from app.core import secrets
from app.core.errors import UserError
from app.core.names import clean_name
from app.core.settings import Settings, remote_key_name

log = logging.getLogger(__name__)

# Query parameters that carry a key (compared lower-case).
CREDENTIAL_PARAMS = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token", "auth",
                               "password", "secret", "x-api-key"})


def split_credentials(url: str) -> tuple[str, str]:
    """(the URL without credentials, the key found in it or ""). The key is the password of
    ``user:password@`` (the user name when there is no password), else a credential query parameter."""
    url = url.strip()
    parts = urlsplit(url)
    key, netloc = "", parts.netloc
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        user, _, password = userinfo.partition(":")
        key = unquote(password or user)
    kept = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in CREDENTIAL_PARAMS:
            key = value or key  # a query key is what an API reads; a user name is only a guess
        else:
            kept.append((name, value))
    if netloc == parts.netloc and len(kept) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return url, ""
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), parts.fragment)), key


def normalize_url(url: str) -> str:
    """``http(s)://host[:port]/…`` ending in ``/v1`` (added when missing), without a trailing slash
    (credentials are not removed here: see ``split_credentials``)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = split_credentials(url)[0]  # never repeat a key in a message
        raise UserError(f'"{shown}" is not an http(s) URL. Example: https://my-cluster.example.com/v1',
                        code="remote.bad_url", params={"url": shown})
    path = parts.path.rstrip("/")
    if not path.endswith("/v1"):
        path += "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_host(url: str) -> str | None:
    """The host a key would reach unencrypted: ``url`` is ``http://`` to a machine other than this one."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme != "http" or not host or is_loopback(host):
        return None
    return host


def add_endpoint(settings: Settings, name: str, base_url: str, model: str = "", api_key: str = "") -> dict:
    """Validate and add (or replace) an endpoint; the caller saves the settings. A key in the URL
    becomes the endpoint's key (unless ``api_key`` is given) and is removed from the stored URL."""
    name = clean_name(name, what="endpoint", code="remote", max_len=80)
    clean, url_key = split_credentials(base_url)
    entry = {"name": name, "base_url": normalize_url(clean), "model": model.strip()}
    key = api_key.strip() or url_key.strip()
    if key:
        secrets.set_secret(remote_key_name(name), key, storage=settings.secret_storage)
    settings.remote_endpoints = [e for e in settings.remote_endpoints if e.get("name") != name] + [entry]
    return entry


def move_saved_credentials(settings: Settings) -> list[str]:
    """Endpoints saved with a key in their URL: the key goes to the keyring (unless one is there
    already) and the URL is stored without it. Returns the names of the endpoints changed (save the
    settings when it is not empty). Without a keyring the URL is left as it is (the key would
    otherwise be lost), and the log says so."""
    changed = []
    for entry in settings.remote_endpoints:
        clean, key = split_credentials(str(entry.get("base_url", "")))
        if clean == entry.get("base_url"):
            continue
        name = str(entry.get("name"))
        try:
            if key and not secrets.get_secret(remote_key_name(name)):  # the real keyring: it must outlive the session
                secrets.set_secret(remote_key_name(name), key, storage="keyring")
        except UserError:
            log.warning("The URL of endpoint %r holds a key, and there is no keyring to move it to: "
                        "add the endpoint again once a keyring is available.", name)
            continue
        entry["base_url"] = clean
        changed.append(name)
    if changed:
        log.info("moved the keys found in the URLs of %s to the keyring", ", ".join(changed))
    return changed


def remove_endpoint(settings: Settings, name: str) -> None:
    settings.remote_endpoints = [e for e in settings.remote_endpoints if e.get("name") != name]
    try:
        secrets.delete_secret(remote_key_name(name))
    except UserError:
        pass


__all__ = ["normalize_url", "split_credentials", "plain_http_host", "is_loopback", "add_endpoint",
           "move_saved_credentials", "remove_endpoint", "CREDENTIAL_PARAMS"]


def check_endpoint(endpoint: dict, timeout: float = 8.0) -> dict:
    """Is a saved endpoint up, what does it serve, how fast does it answer: ``GET /models`` with its
    key, timed. ``{"name", "ok", "models", "latency_ms", "has_model"}`` and, when it failed,
    ``{"code", "params", "message"}`` (a UserError's: not running, wrong key, an API error)."""
    import time

    from app.core import chat_client

    name = endpoint.get("name", "")
    key = secrets.get_secret(remote_key_name(name)) or None
    t0 = time.perf_counter()
    try:
        models = chat_client.list_models(endpoint["base_url"], key, timeout=timeout)
    except UserError as err:
        code, params, message = err.code, dict(err.params), str(err)
        if code == "chat.not_running":  # no local engine is meant here: an address that does not answer
            code, message = "remote.unreachable", (f"Nothing answers at {endpoint.get('base_url')}: check the "
                                                   "address and that the server is up.")
            params = {"url": endpoint.get("base_url", "")}
        return {"name": name, "ok": False, "models": [], "latency_ms": None, "has_model": False,
                "code": code, "params": params, "message": message, "answered": code != "remote.unreachable"}
    latency = round((time.perf_counter() - t0) * 1000, 1)
    wanted = endpoint.get("model") or ""
    return {"name": name, "ok": True, "models": models, "latency_ms": latency,
            "has_model": not wanted or wanted in models}
