"""LLM-as-judge over any OpenAI-compatible chat endpoint (``app.core.chat_client``).

Two modes:

- ``pairwise``: for each sample the judge sees the base's and the adapter's answer and names the
  better one, twice, with the order swapped (base first, then adapter first). A judge that always
  prefers whichever answer comes first therefore gives each side one win per sample: its
  position bias cancels to a win rate of 0.5. Each verdict scores the adapter 1 (better), 0.5
  (tie) or 0 (worse); the win rate is their mean with a 95 % Wilson interval over the verdicts.
- ``absolute``: the judge scores each answer 1–10 against a rubric; the means of base and adapter.

A verdict that cannot be read (no ``A``/``B``/``tie``, no score) is counted as ``unparseable`` and
left out; a request the endpoint refuses is counted as ``failed``. Neither ends the evaluation;
when nothing could be read, the result carries a ``warning`` with a code the GUI words.

The judge is named by ``open_judge(spec)``: an ``http(s)://…`` URL (``URL#MODEL`` picks the model,
else the server's first; key from ``AI_PLATFORM_JUDGE_API_KEY``), a remote endpoint's name from
Settings (its key from the keyring), or a model the app can serve (``default``, a registered
model's name or a folder), which is started with the serve engine for the evaluation and stopped after.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core import chat_client
from app.core.errors import UserError
from app.evaluation.metrics import wilson_interval

MODES = ("pairwise", "absolute")
JUDGE_KEY_ENV = "AI_PLATFORM_JUDGE_API_KEY"

PAIRWISE_SYSTEM = ("You are an impartial judge of answers to a user's request. Compare the two answers for "
                   "correctness, helpfulness and agreement with the reference answer when one is given. "
                   "Reply with exactly one of: A, B, tie.")
RUBRIC = ("10: fully correct, complete and clear; 7-9: correct with small omissions; 4-6: partly correct or "
          "vague; 1-3: wrong, off-topic or empty.")
ABSOLUTE_SYSTEM = ("You are an impartial judge of an answer to a user's request. Score it from 1 to 10 with "
                   f"this rubric: {RUBRIC} Compare with the reference answer when one is given. "
                   "Reply with 'Score: N' and nothing else.")

_VERDICT_TAGGED = re.compile(r"\[\[\s*(A|B|tie)\s*\]\]", re.IGNORECASE)
_VERDICT_PLAIN = re.compile(r"^\W*(?:answer\s*|verdict\s*[:：]?\s*)?(A|B|tie)\b", re.IGNORECASE)
_VERDICT_WORDS = re.compile(r"\b(?:answer|assistant)\s+(A|B)\s+is\s+better\b", re.IGNORECASE)
_SCORE_TAGGED = re.compile(r"score\s*[:：=]?\s*(10|[1-9])(?:\s*/\s*10)?\b", re.IGNORECASE)
_SCORE_PLAIN = re.compile(r"^\W*(10|[1-9])(?:\s*/\s*10)?\W*$")


def parse_verdict(text: str) -> str | None:
    """``"A"``, ``"B"``, ``"tie"`` or None (unreadable)."""
    for pattern in (_VERDICT_TAGGED, _VERDICT_PLAIN, _VERDICT_WORDS):
        m = pattern.search(text or "")
        if m:
            v = m.group(1)
            return "tie" if v.lower() == "tie" else v.upper()
    return None


def parse_score(text: str) -> int | None:
    for pattern in (_SCORE_TAGGED, _SCORE_PLAIN):
        m = pattern.search((text or "").strip())
        if m:
            return int(m.group(1))
    return None


def _user_text(prompt: str, reference: str, answers: Sequence[tuple[str, str]]) -> str:
    parts = [f"[Request]\n{prompt}"]
    if reference:
        parts.append(f"[Reference answer]\n{reference}")
    for label, answer in answers:
        parts.append(f"[{label}]\n{answer or '(empty)'}")
    return "\n\n".join(parts)


@dataclass
class Judge:
    """An endpoint to ask; ``close()`` stops an engine started for it."""

    base_url: str
    api_key: str | None
    model: str
    label: str
    max_tokens: int = 16
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def ask(self, system: str, user: str) -> str:
        text, _ = chat_client.chat(self.base_url, self.api_key, self.model,
                                   [{"role": "system", "content": system}, {"role": "user", "content": user}],
                                   max_tokens=self.max_tokens, temperature=0)
        return text

    def close(self) -> None:
        if self._close:
            self._close()
            self._close = None


def _ask(judge: Judge, system: str, user: str, errors: list[str]) -> str | None:
    """The judge's answer, or None when it refused this request (the reason kept in ``errors``); an
    engine that is gone ends the whole judging."""
    try:
        return judge.ask(system, user)
    except chat_client.EngineNotRunning:
        raise
    except chat_client.ChatClientError as exc:
        errors.append(str(exc))
        return None


def pairwise(judge: Judge, rows: Sequence[dict], on_step: Callable[[int], None] | None = None) -> dict[str, Any]:
    """``rows``: ``{"prompt", "reference", "base", "adapter"}``. Adds ``judge`` to each row."""
    score, verdicts, unparseable, errors = 0.0, 0, 0, []
    for i, row in enumerate(rows):
        row_verdicts = []
        for first, second in (("base", "adapter"), ("adapter", "base")):
            user = _user_text(row["prompt"], row.get("reference") or "",
                              [("Answer A", row[first]), ("Answer B", row[second])])
            said = _ask(judge, PAIRWISE_SYSTEM, user, errors)
            if said is None:
                row_verdicts.append(None)
                continue
            v = parse_verdict(said)
            if v is None:
                unparseable += 1
                row_verdicts.append({"order": f"{first}-first", "said": said[:200], "winner": None})
                continue
            winner = "tie" if v == "tie" else (first if v == "A" else second)
            score += {"adapter": 1.0, "tie": 0.5, "base": 0.0}[winner]
            verdicts += 1
            row_verdicts.append({"order": f"{first}-first", "said": said[:200], "winner": winner})
        row["judge"] = row_verdicts
        if on_step:
            on_step(i + 1)
    low, high = wilson_interval(score, verdicts)
    out = {"mode": "pairwise", "judge": judge.label, "verdicts": verdicts, "unparseable": unparseable,
           "failed": len(errors), "win_rate": score / verdicts if verdicts else None,
           "ci_low": low if verdicts else None, "ci_high": high if verdicts else None}
    return _warn(out, verdicts, unparseable, errors)


def absolute(judge: Judge, rows: Sequence[dict], on_step: Callable[[int], None] | None = None) -> dict[str, Any]:
    scores: dict[str, list[int]] = {"base": [], "adapter": []}
    unparseable, errors = 0, []
    for i, row in enumerate(rows):
        row["judge"] = {}
        for side in ("base", "adapter"):
            user = _user_text(row["prompt"], row.get("reference") or "", [("Answer", row[side])])
            said = _ask(judge, ABSOLUTE_SYSTEM, user, errors)
            if said is None:
                continue
            s = parse_score(said)
            row["judge"][side] = s
            if s is None:
                unparseable += 1
            else:
                scores[side].append(s)
        if on_step:
            on_step(i + 1)
    n = len(scores["base"]) + len(scores["adapter"])
    out = {"mode": "absolute", "judge": judge.label, "verdicts": n, "unparseable": unparseable, "failed": len(errors),
           "base_score": sum(scores["base"]) / len(scores["base"]) if scores["base"] else None,
           "adapter_score": sum(scores["adapter"]) / len(scores["adapter"]) if scores["adapter"] else None}
    return _warn(out, n, unparseable, errors)


def _warn(out: dict, verdicts: int, unparseable: int, errors: list[str]) -> dict:
    if verdicts == 0 and unparseable:
        out["warning"] = {"code": "eval.judge_nonsense", "params": {"judge": out["judge"], "count": unparseable},
                          "message": f"The judge {out['judge']} gave no readable verdict ({unparseable} answer(s) "
                                     "without A/B/tie or a score): use a larger or instruction-following judge model."}
    elif verdicts == 0 and errors:
        out["warning"] = {"code": "eval.judge_failed", "params": {"judge": out["judge"], "reason": errors[0]},
                          "message": f"The judge {out['judge']} refused every request: {errors[0]}"}
    return out


# --- naming the judge -------------------------------------------------------------------------

def open_judge(spec: str, *, settings=None, timeout_s: float = 600.0, max_tokens: int = 16) -> Judge:
    """A judge from its name (see the module doc). Raises UserError when it cannot be reached."""
    spec = (spec or "").strip()
    if not spec:
        raise UserError("Name a judge model.", code="eval.judge_missing")
    if spec.startswith(("http://", "https://")):
        from app.core.remote_endpoints import normalize_url

        url, _, model = spec.partition("#")
        url = normalize_url(url)
        key = os.environ.get(JUDGE_KEY_ENV) or None
        if not model:
            models = chat_client.list_models(url, key)
            if not models:
                raise UserError(f"The judge endpoint {url} serves no model.", code="eval.judge_no_model",
                                params={"url": url})
            model = models[0]
        return Judge(url, key, model, label=f"{model} @ {url}", max_tokens=max_tokens)
    if settings is None:
        from app.core import settings as settings_mod

        settings = settings_mod.load()
    for entry in settings.remote_endpoints or []:
        if entry.get("name") == spec:
            from app.core import secrets
            from app.core.settings import remote_key_name

            key = secrets.get_secret(remote_key_name(spec))
            model = entry.get("model") or (chat_client.list_models(entry["base_url"], key) or [""])[0]
            return Judge(entry["base_url"], key, model, label=spec, max_tokens=max_tokens)
    return _served_judge(spec, timeout_s, max_tokens)


def _served_judge(model_ref: str, timeout_s: float, max_tokens: int) -> Judge:
    """Start ``python -m app.engines.serve --model MODEL`` and use it until ``close()``."""
    from app.evaluation import served

    try:
        model = served.start(model_ref, timeout_s=timeout_s)
    except served.StartFailed as exc:
        why = str(exc)
        raise UserError(f"Cannot start the judge model {model_ref!r}: {why}", code="eval.judge_start",
                        params={"judge": model_ref, "reason": why}) from None
    return Judge(model.base_url, model.api_key, model.model, label=model_ref, max_tokens=max_tokens,
                 _close=model.close)
