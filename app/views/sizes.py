"""Sizes as the panels show them: bytes in B / KB / MB / GB / TB (binary steps), "–" when unknown."""

from __future__ import annotations


def human_bytes(n) -> str:
    if not n:
        return "–"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


__all__ = ["human_bytes"]
