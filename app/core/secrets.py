"""Secrets (Hugging Face token, remote API keys) live in the system keyring, never on disk.

When the system has no keyring backend the user is told so and may choose session-only storage:
the secret is then kept in this process's memory and forgotten at exit. There is no silent
plaintext fallback.
"""

from __future__ import annotations

import logging

from app.core.errors import UserError
from app.core.logging_setup import register_secret

log = logging.getLogger(__name__)

SERVICE = "ai-platform"
HF_TOKEN = "huggingface-token"

_session_store: dict[str, str] = {}


class NoKeyringError(UserError):
    def __init__(self) -> None:
        super().__init__(
            "This system has no keyring (secret storage) available. Install and unlock one "
            "(e.g. GNOME Keyring or KWallet), or choose session-only storage: the secret is then "
            "forgotten when the app closes.",
            code="secrets.no_keyring",
        )


def keyring_backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keyring_available() -> bool:
    """False when keyring would only fail (its 'fail' backend, or a chainer with nothing inside)."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:
        return False
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return False
    return True


def set_secret(name: str, value: str, storage: str = "keyring") -> str:
    """Store ``value``; returns where it went ("keyring" or "session")."""
    register_secret(value)
    if storage == "session":
        _session_store[name] = value
        return "session"
    if not keyring_available():
        raise NoKeyringError()
    import keyring

    keyring.set_password(SERVICE, name, value)
    _session_store.pop(name, None)
    return "keyring"


def get_secret(name: str) -> str | None:
    value = _get_secret(name)
    register_secret(value)  # whatever we hand out is masked in every log from now on
    return value


def _get_secret(name: str) -> str | None:
    if name in _session_store:
        return _session_store[name]
    if not keyring_available():
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, name)
    except Exception as exc:  # noqa: BLE001 - a locked or broken keyring must not crash the app
        log.warning("Could not read %s from the keyring: %s", name, type(exc).__name__)
        return None


def delete_secret(name: str) -> None:
    _session_store.pop(name, None)
    if not keyring_available():
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        pass


def mask(value: str | None) -> str:
    """What a UI may show of a secret."""
    if not value:
        return ""
    return value[:3] + "…" + value[-2:] if len(value) > 8 else "••••"
