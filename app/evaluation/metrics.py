"""Generation metrics on answer/reference pairs: exact match, ROUGE-L, BLEU and chrF, in plain Python.

Tokenisation works for Chinese as well as for space-separated languages (``tokenize``): every CJK
character (Han, kana, Hangul) is one token, any other run of letters and digits is one word, and
each other non-space character (punctuation) is a token of its own; text is case-folded and
NFKC-normalised first (full-width ``ＡＢＣ１２３`` reads as ``abc123``). Whitespace never matters,
so ``你好世界`` and ``你好 世界`` tokenise the same.

Scales: ``exact_match`` and ``rouge_l`` are 0–1 (a share); ``bleu`` and ``chrf`` are 0–100, as
sacrebleu prints them. BLEU is corpus BLEU-4 over these tokens (n-gram counts summed over every
pair, one brevity penalty for the corpus, +1 smoothing of the higher orders so that a short corpus
with no 4-gram match is not zero); chrF is chrF2 (character 1–6-grams, β = 2, whitespace removed),
the F-scores of the orders averaged over counts summed over the corpus. ROUGE-L is the LCS F1 per
pair, averaged. These match sacrebleu's definitions closely, not digit for digit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

_CJK = ("\u2e80-\u2fff\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f")

_WORD = re.compile(rf"[{_CJK}]|[^\W_]+|[^\s]", re.UNICODE)
_MAX_LCS_TOKENS = 2000  # ROUGE-L's LCS is quadratic; longer answers are cut for it

def normalize(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: what exact match compares."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())

def tokenize(text: str) -> list[str]:
    """CJK characters one by one, other words whole, punctuation apart (see the module doc)."""
    out: list[str] = []
    for m in _WORD.finditer(normalize(text)):
        tok = m.group(0)
        if len(tok) > 1 and any(_is_cjk(c) for c in tok):
            out.extend(_split_cjk(tok))
        else:
            out.append(tok)
    return out

def _is_cjk(ch: str) -> bool:
    return re.match(f"[{_CJK}]", ch) is not None

def _split_cjk(word: str) -> list[str]:
    """A run like ``abc中文12`` (letters and CJK with no space between) → ``abc``, ``中``, ``文``, ``12``."""
    parts, cur = [], ""
    for ch in word:
        if _is_cjk(ch):
            if cur:
                parts.append(cur)
                cur = ""
            parts.append(ch)
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts

def exact_match(prediction: str, reference: str) -> float:
    return 1.0 if normalize(prediction) == normalize(reference) else 0.0

def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    if not a or not b:
        return 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return prev[-1]

def rouge_l(prediction: str, reference: str) -> float:
    """LCS-based F1 (β = 1) of the two token lists, 0–1."""
    p, r = tokenize(prediction)[:_MAX_LCS_TOKENS], tokenize(reference)[:_MAX_LCS_TOKENS]
    if not p and not r:
        return 1.0
    lcs = _lcs(p, r)
    if lcs == 0:
        return 0.0
    prec, rec = lcs / len(p), lcs / len(r)
    return 2 * prec * rec / (prec + rec)

def _ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))

def bleu(predictions: Sequence[str], references: Sequence[str], max_n: int = 4) -> float:
    """Corpus BLEU, 0–100 (see the module doc)."""
    matches, totals = [0] * max_n, [0] * max_n
    hyp_len = ref_len = 0
    for pred, ref in zip(predictions, references, strict=True):
        p, r = tokenize(pred), tokenize(ref)
        hyp_len += len(p)
        ref_len += len(r)
        for n in range(1, max_n + 1):
            hp, rp = _ngrams(p, n), _ngrams(r, n)
            matches[n - 1] += sum(min(c, rp[g]) for g, c in hp.items())
            totals[n - 1] += max(len(p) - n + 1, 0)
    if hyp_len == 0 or matches[0] == 0:
        return 0.0
    log_p = 0.0
    for n in range(max_n):
        m, t = (matches[n], totals[n]) if n == 0 else (matches[n] + 1, totals[n] + 1)
        log_p += math.log(m / t) / max_n
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return 100.0 * bp * math.exp(log_p)

def _chars(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())

def chrf(predictions: Sequence[str], references: Sequence[str], order: int = 6, beta: float = 2.0) -> float:
    """Corpus chrF (chrF2 by default), 0–100."""
    match, hyp, ref = [0] * order, [0] * order, [0] * order
    for pred, reference in zip(predictions, references, strict=True):
        p, r = _chars(pred), _chars(reference)
        for n in range(1, order + 1):
            hp, rp = _ngrams(p, n), _ngrams(r, n)
            match[n - 1] += sum(min(c, rp[g]) for g, c in hp.items())
            hyp[n - 1] += sum(hp.values())
            ref[n - 1] += sum(rp.values())
    scores, b2 = [], beta * beta
    for n in range(order):
        if hyp[n] == 0 and ref[n] == 0:
            continue  # no n-gram of this order on either side: it says nothing
        prec = match[n] / hyp[n] if hyp[n] else 0.0
        rec = match[n] / ref[n] if ref[n] else 0.0
        scores.append((1 + b2) * prec * rec / (b2 * prec + rec) if prec + rec > 0 else 0.0)
    return 100.0 * sum(scores) / len(scores) if scores else 0.0

def generation_metrics(predictions: Sequence[str], references: Sequence[str]) -> dict[str, float | None]:
    """``{"exact_match", "rouge_l", "bleu", "chrf"}`` over the pairs (None for no pair)."""
    if len(predictions) != len(references):
        raise ValueError("predictions and references differ in length")
    if not predictions:
        return {"exact_match": None, "rouge_l": None, "bleu": None, "chrf": None}
    n = len(predictions)
    return {
        "exact_match": sum(exact_match(p, r) for p, r in zip(predictions, references)) / n,
        "rouge_l": sum(rouge_l(p, r) for p, r in zip(predictions, references)) / n,
        "bleu": bleu(predictions, references),
        "chrf": chrf(predictions, references),
    }

def wilson_interval(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)

__all__ = ["normalize", "tokenize", "exact_match", "rouge_l", "bleu", "chrf", "generation_metrics",
           "wilson_interval"]
