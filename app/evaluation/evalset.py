"""An evaluation set: a JSONL file, one sample a line.

A line is either a chat record, ``{"messages": [..., {"role": "assistant", "content": REF}]}`` (the
training format: the last assistant turn is the reference, the turns before it the prompt), or
``{"prompt": TEXT, "reference": TEXT}`` (``answer`` or ``response`` for ``reference``; an optional
``system``). A line that is neither makes the whole set fail with its line number named: numbers on
a set that silently lost some lines would mislead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import UserError

MAX_NAMED = 10


@dataclass(frozen=True)
class Sample:
    prompt: list[dict[str, str]]  # the messages before the reference
    reference: str

    @property
    def conversation(self) -> list[dict[str, str]]:
        return [*self.prompt, {"role": "assistant", "content": self.reference}]

    @property
    def prompt_text(self) -> str:
        """The last user message (what a person reads as "the prompt")."""
        for msg in reversed(self.prompt):
            if msg["role"] == "user":
                return msg["content"]
        return self.prompt[-1]["content"] if self.prompt else ""


def _sample(obj) -> Sample | str:
    from app.core.datasets import normalise_record

    if isinstance(obj, dict) and "messages" in obj:
        msgs = obj["messages"]
        if isinstance(msgs, list) and not any(isinstance(m, dict) and m.get("role") == "assistant" for m in msgs):
            return "no assistant reply after a prompt"
        try:  # the same record checks as training (role order, content types)
            messages = normalise_record(obj, "openai")["messages"]
        except ValueError as exc:
            return str(exc)
        last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None)
        if last is None or last == 0:
            return "no assistant reply after a prompt"
        return Sample(prompt=messages[:last], reference=messages[last]["content"])
    if isinstance(obj, dict) and isinstance(obj.get("prompt"), str):
        ref = next((obj[k] for k in ("reference", "answer", "response") if isinstance(obj.get(k), str)), None)
        if ref is None:
            return 'no "reference" text'
        prompt = [{"role": "user", "content": obj["prompt"]}]
        if isinstance(obj.get("system"), str) and obj["system"].strip():
            prompt.insert(0, {"role": "system", "content": obj["system"]})
        return Sample(prompt=prompt, reference=ref)
    return 'neither a {"messages": [...]} record nor {"prompt", "reference"}'


def read_jsonl_set(path: str | Path, what: str, parse: Callable[[Any], Any], shape: str) -> list:
    """Every record of the JSONL file ``path``, each through ``parse`` (which returns the record or a
    string saying what is wrong with it). Raises UserError naming broken lines (``what``: "evaluation
    set", "question set"; ``shape``: what a line must look like), or saying the file is missing or empty."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"The {what} {path} does not exist.", code="eval.set_missing",
                        params={"path": str(path)}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the {what} {path}: {exc}.", code="eval.set_unreadable",
                        params={"path": str(path), "reason": str(exc)}) from None
    records, broken = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = parse(json.loads(line))
        except ValueError:
            parsed = "not JSON"
        if isinstance(parsed, str):
            broken.append(f"line {lineno}: {parsed}")
        else:
            records.append(parsed)
    if broken:
        shown = "; ".join(broken[:MAX_NAMED]) + (f"; and {len(broken) - MAX_NAMED} more" if len(broken) > MAX_NAMED else "")
        raise UserError(f"The {what} {path} has {len(broken)} broken line(s): {shown}. Each line must be {shape}.",
                        code="eval.set_broken", params={"path": str(path), "count": len(broken), "lines": shown})
    if not records:
        raise UserError(f"The {what} {path} is empty: it has nothing to evaluate.",
                        code="eval.set_empty", params={"path": str(path)})
    return records


def read_eval_set(path: str | Path, limit: int | None = None) -> list[Sample]:
    """The samples of ``path`` (the first ``limit``)."""
    samples = read_jsonl_set(path, "evaluation set", _sample,
                             '{"messages": [{"role": "user", …}, {"role": "assistant", …}]} or {"prompt": …, "reference": …}')
    return samples[:limit] if limit else samples
