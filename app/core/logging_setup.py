"""Secrets never reach a log: a ``logging.Filter`` that masks them in every record before it is written.

Masked: Hugging Face tokens (``hf_…``), OpenAI-style keys (``sk-…``), ``Authorization: Bearer …``,
``api_key=…`` / ``"api_key": "…"`` (also token, password, secret), and every value registered at
run time with ``register_secret`` (``app.core.secrets`` registers what it stores and reads).

    install(handler)      # the app's file handler, an engine's stderr handler
    install_process_wide()  # an engine: every record of the process, whatever handler writes it
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"

_PATTERNS = [
    (re.compile(r"hf_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"sk-[A-Za-z0-9_\-]{16,}"), MASK),
    (re.compile(r"(?i)(authorization\s*[:=]\s*[\"']?\s*(?:bearer|token|basic)\s+)[^\s\"',;]+"), r"\1" + MASK),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{12,}"), r"\1" + MASK),
    (re.compile(r"(?i)(?<![A-Za-z0-9_])([\"']?(?:api[_-]?key|access[_-]?token|hf[_-]?token|token|password|secret)[\"']?\s*[:=]\s*[\"']?)"
                r"([^\s\"',;&}]+)"), r"\1" + MASK),
]

_lock = threading.Lock()
_secrets: set[str] = set()
MIN_SECRET_LEN = 6  # shorter values would mask ordinary words


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears in a log record from now on."""
    if value and isinstance(value, str) and len(value) >= MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def forget_secrets() -> None:
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (and its traceback text) with secrets masked; drops nothing."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: log what we have, masked
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(handler: logging.Handler) -> logging.Handler:
    """Add the redacting filter to ``handler`` (once)."""
    if not any(isinstance(f, RedactingFilter) for f in handler.filters):
        handler.addFilter(RedactingFilter())
    return handler


_factory_installed = False


def install_process_wide() -> None:
    """Mask every record this process creates, before any handler (added now or later) sees it.
    Engines call this: their libraries add handlers of their own (train.log, transformers)."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()
    redactor = RedactingFilter()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        redactor.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True
