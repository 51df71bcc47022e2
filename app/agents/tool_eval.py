"""Tool-call accuracy of a model on generated tool-use records (``tooluse_data``): right tool, valid
arguments, right final answer, every step. The model writes each assistant turn itself (greedy);
the tool results are the record's, so a right call gets the answer the record expects.

    verdicts = run(model, tokenizer, records, batch=8)   one {"kind", "ok", "why", "turns"} per record
    summary(verdicts)                                    {"overall": acc, "by_kind": {kind: acc}, "n"}

A record passes when each call names the expected tool with arguments the tool accepts that mean the
same (the expression evaluates to the same number; the same time zone / path; a non-empty query), no
call is made where none is expected, and the final answer holds the expected value (and, for a
knowledge answer, the passage's citation). torch is imported by the caller's model.
"""

from __future__ import annotations

import json
import re

from app.agents import safe_math
from app.agents.tools import REGISTRY


def _kind(record: dict) -> str:
    calls = record["expect"]["calls"]
    if not calls:
        return "no_tool"
    if len(calls) > 1:
        return "multi_step"
    return calls[0]["name"]


_CALL_RE = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)


def parse_calls(text: str) -> tuple[str, list[dict]]:
    """(text without calls, [{"name", "arguments"}]) from ``<tool_call>`` blocks, read as the
    transformers engine reads them (``transformers_server.parse_tool_calls``: same pattern, a block
    that is not a JSON object with a name stays text)."""
    calls, rest = [], text
    for m in _CALL_RE.finditer(text):
        try:
            data = json.loads(m.group(1))
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            calls.append({"name": data["name"], "arguments": data.get("arguments", data.get("parameters", {}))})
            rest = rest.replace(m.group(0), "", 1)
    return rest.strip(), calls


def call_problem(got: dict, want: dict) -> str | None:
    """Why the model's call ``got`` is not the expected ``want``, or None."""
    if got["name"] != want["name"]:
        return f"called {got['name']} instead of {want['name']}"
    args = got["arguments"]
    params = REGISTRY[want["name"]].parameters
    if not isinstance(args, dict):
        return "arguments are not a JSON object"
    if not set(params.get("required", [])) <= set(args) or not set(args) <= set(params["properties"]):
        return f"invalid arguments {sorted(args)}"
    if want["name"] == "calculator":
        try:
            same = safe_math.evaluate(str(args["expression"])) == safe_math.evaluate(want["arguments"]["expression"])
        except Exception:  # noqa: BLE001 - an expression the calculator refuses is a wrong call
            return f"expression {args['expression']!r} does not evaluate"
        return None if same else f"expression {args['expression']!r} is not {want['arguments']['expression']!r}"
    if want["name"] == "kb_search":
        return None if str(args.get("query") or "").strip() else "empty query"
    key = next(iter(want["arguments"]), None)
    if key and str(args.get(key)) != str(want["arguments"][key]):
        return f"{key} {args.get(key)!r} is not {want['arguments'][key]!r}"
    return None


class _Conv:
    def __init__(self, record: dict):
        self.record = record
        msgs = record["messages"]
        self.messages = msgs[:2]  # system (tools included) and the question
        self.results = [m["content"] for m in msgs if m["role"] == "tool"]
        self.want = record["expect"]["calls"]
        self.step = 0
        self.done = False
        self.ok = False
        self.why = ""
        self.turns: list[str] = []

    def feed(self, text: str) -> None:
        self.turns.append(text)
        rest, calls = parse_calls(text)
        if self.step < len(self.want):
            if not calls:
                return self._end(False, f"no call at step {self.step + 1}: {text[:120]!r}")
            problem = call_problem(calls[0], self.want[self.step])
            if problem:
                return self._end(False, problem)
            self.messages = self.messages + [{"role": "assistant", "content": text.strip()},
                                             {"role": "tool", "content": self.results[self.step]}]
            self.step += 1
            return None
        if calls:
            return self._end(False, f"called {calls[0]['name']} where an answer was due")
        exp = self.record["expect"]
        if not text.strip():
            return self._end(False, "empty answer")
        if exp["answer"] and exp["answer"] not in text:
            return self._end(False, f"answer lacks {exp['answer']!r}: {text[:120]!r}")
        if exp.get("cite") and exp["cite"] not in text:
            return self._end(False, f"answer does not cite {exp['cite']}: {text[:120]!r}")
        return self._end(True, "")

    def _end(self, ok: bool, why: str) -> None:
        self.done, self.ok, self.why = True, ok, why


def _generate(model, tokenizer, convs: list[_Conv], max_new_tokens: int) -> list[str]:
    import torch

    from app.agents.tool_template import TEMPLATE

    texts = [tokenizer.apply_chat_template(c.messages, chat_template=TEMPLATE, tokenize=False,
                                           add_generation_prompt=True) for c in convs]
    tokenizer.padding_side = "left"
    enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=end,
                             pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    new = out[:, enc["input_ids"].shape[1]:]
    return [tokenizer.decode(row, skip_special_tokens=True) for row in new]


def run(model, tokenizer, records: list[dict], batch: int = 8, max_new_tokens: int = 96) -> list[dict]:
    convs = [_Conv(r) for r in records]
    while True:
        live = [c for c in convs if not c.done]
        if not live:
            break
        for i in range(0, len(live), batch):
            group = live[i:i + batch]
            for c, text in zip(group, _generate(model, tokenizer, group, max_new_tokens)):
                c.feed(text)
    return [{"kind": _kind(c.record), "ok": c.ok, "why": c.why, "turns": c.turns,
             "question": c.record["messages"][1]["content"]} for c in convs]


def summary(verdicts: list[dict]) -> dict:
    kinds: dict[str, list[bool]] = {}
    for v in verdicts:
        kinds.setdefault(v["kind"], []).append(v["ok"])
    return {"n": len(verdicts), "overall": sum(v["ok"] for v in verdicts) / max(1, len(verdicts)),
            "by_kind": {k: {"n": len(oks), "accuracy": sum(oks) / len(oks)} for k, oks in sorted(kinds.items())}}


__all__ = ["parse_calls", "call_problem", "run", "summary"]
