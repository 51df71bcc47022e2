"""An evaluation set: a JSONL file, one sample a line.

A line is either a chat record, ``{"messages": [..., {"role": "assistant", "content": REF}]}`` (the
training format: the last assistant turn is the reference, the turns before it the prompt), or
``{"prompt": TEXT, "reference": TEXT}`` (``answer`` or ``response`` for ``reference``; an optional
``system``). A line that is neither makes the whole set fail with its line number named: numbers on
a set that silently lost some lines would mislead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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
    from app.training.data import parse_record

    if isinstance(obj, dict) and "messages" in obj:
        messages = parse_record(obj)
        if isinstance(messages, str):
            return messages
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


def read_eval_set(path: str | Path, limit: int | None = None) -> list[Sample]:
    """The samples of ``path`` (the first ``limit``). Raises UserError naming broken lines, or
    saying the file is missing or empty."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"The evaluation set {path} does not exist.", code="eval.set_missing",
                        params={"path": str(path)}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read the evaluation set {path}: {exc}.", code="eval.set_unreadable",
                        params={"path": str(path), "reason": str(exc)}) from None
    samples, broken = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = _sample(json.loads(line))
        except ValueError:
            parsed = "not JSON"
        if isinstance(parsed, str):
            broken.append(f"line {lineno}: {parsed}")
        else:
            samples.append(parsed)
    if broken:
        shown = "; ".join(broken[:MAX_NAMED]) + (f"; and {len(broken) - MAX_NAMED} more" if len(broken) > MAX_NAMED else "")
        raise UserError(f"The evaluation set {path} has {len(broken)} broken line(s): {shown}. Each line must be "
                        '{"messages": [{"role": "user", …}, {"role": "assistant", …}]} or {"prompt": …, "reference": …}.',
                        code="eval.set_broken", params={"path": str(path), "count": len(broken), "lines": shown})
    if not samples:
        raise UserError(f"The evaluation set {path} is empty: it has no sample to evaluate.",
                        code="eval.set_empty", params={"path": str(path)})
    return samples[:limit] if limit else samples
