"""Dataset records and files written in tests (chat records, JSONL text with broken lines)."""

from __future__ import annotations

import json
from pathlib import Path


def msgs(*pairs: tuple[str, str]) -> list[dict]:
    return [{"role": r, "content": c} for r, c in pairs]


def chat(q: str = "Hi", a: str = "Hello!") -> dict:
    return {"messages": msgs(("user", q), ("assistant", a))}


def jl(*records) -> str:
    """JSONL text: dicts are dumped, strings are written as they are (broken lines)."""
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p
