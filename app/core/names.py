"""Names people give things (projects, datasets, knowledge bases): one rule for all of them."""

from __future__ import annotations

from app.core.errors import UserError

NAME_MAX = 200  # the name columns' length


def clean_name(name: str, *, what: str, code: str, max_len: int = NAME_MAX) -> str:
    """``name`` stripped, or UserError ``<code>.name_empty`` / ``<code>.name_too_long``.

    ``what`` is the thing in words ("project", "dataset", "knowledge base") for the message."""
    name = (name or "").strip()
    if not name:
        raise UserError(f"A {what} needs a name.", code=f"{code}.name_empty")
    if len(name) > max_len:
        raise UserError(f"A {what} name can have at most {max_len} characters.",
                        code=f"{code}.name_too_long", params={"max": max_len})
    return name
