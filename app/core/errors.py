"""Two kinds of failure, so the GUI knows whether to show a message or a bug report.

``UserError``: the user caused it or can fix it (a duplicate name, a data folder from a newer
version). It carries a stable ``code`` and formatting ``params`` besides its English message, so
the GUI can look the code up and show a translated text, falling back to ``str(error)``
(``app/views/error_texts.py`` holds the table; every code raised in app/ must be in it, a test checks).
``BugError``: the program's fault; the GUI reports it as a bug with a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class UserError(Exception):
    """Errors the user caused or can fix. ``str(err)`` is an English message a person can act on."""

    def __init__(self, message: str, *, code: str = "", params: Mapping[str, Any] | None = None):
        # Formatting values live in ``params``, not ``args``: BaseException.args is the tuple that
        # str(), repr() and pickling rely on, so it stays (message,).
        super().__init__(message)
        self.code = code
        self.params: dict[str, Any] = dict(params or {})

    @property
    def message(self) -> str:
        return str(self)

    def data(self, **more: Any) -> dict[str, Any]:
        """``{"code", "params"}`` (plus ``more``): what an engine's ``error`` event carries in
        ``extra`` so the GUI can word it in the user's language."""
        return {"code": self.code, "params": dict(self.params), **more}


class BugError(Exception):
    """Errors that are the program's fault: an invariant broke. Report, don't explain."""
