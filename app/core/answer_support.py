"""Does a grounded answer say only what its sources say? A check of the answer's key facts.

A small model answering from passages mixes them up: it cites [1] for a number that is in [2], or
writes the staff count of the Oslo site when the passage is about Lisbon. This check reads each
sentence of the answer, takes its *key facts* — numbers (``1,200`` = ``1200``), codes (``NW-4821``),
and Latin-script names (capitalised words that do not start the sentence) — and looks for them in
the passages the sentence cites (the sentence's own markers, else the answer's). A fact that is in
no cited passage but in another retrieved one is *mis-cited*; one in no passage at all is
*unsupported*. Sentences without key facts are not judged (nothing checkable), and an answer that
says the sources do not hold the answer is a refusal, not a claim.

It is lexical on purpose: it runs in microseconds after every answer, offline, in both languages,
and its misses are the safe kind (a paraphrased name it cannot see is not judged). Measured on a
generated bilingual set of near-duplicate documents (``benchmarks/support_check.py``): see
docs/retrieval.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A number: digits with optional thousands separators and decimals; "2,400" and "2400" are one fact.
_A = r"A-Za-z0-9_"  # ASCII word characters: CJK text runs straight into numbers and codes ("员工2400名")
_NUMBER = re.compile(rf"(?<![{_A}.])\d{{1,3}}(?:[,，]\d{{3}})+(?:\.\d+)?(?![{_A}])|(?<![{_A}.,])\d+(?:\.\d+)?(?![{_A}])")
# A code: letters and digits together, usually with a dash (NW-4821, A7X, KS-300).
_CODE = re.compile(rf"(?<![{_A}-])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![{_A}-])|"
                   rf"(?<![{_A}-])(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]*\d[A-Z0-9]*(?![{_A}-])")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)、]|[-*•])\s+", re.MULTILINE)  # "1. " of a list is no fact
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_CITE = re.compile(r"\[\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*\]")
# Sentence ends: Latin punctuation followed by space, or CJK full stops; a citation marker after the
# stop stays with its sentence ("… 420 people. [1] The …").
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?!\[)|(?<=[。！？；])(?!\s*\[)|\n+")

# Capitalised words that are not names (sentence words a model capitalises after a colon or a list).
_NOT_NAMES = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "they", "their", "there", "here", "he",
    "she", "his", "her", "we", "our", "you", "your", "i", "in", "on", "at", "of", "for", "by", "from", "to",
    "and", "or", "but", "so", "as", "if", "yes", "no", "not", "according", "based", "source", "sources",
    "passage", "passages", "answer", "question", "note", "however", "also", "both", "each", "all", "total",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "page", "section", "table", "site", "annual", "model", "mr", "mrs", "ms", "dr",
}

# An answer that says the sources do not hold it (the grounded prompt asks the model to say so).
_REFUSAL = re.compile(
    r"(?:passages?|sources?|documents?|context)\s+(?:do(?:es)?\s+not|don't|doesn't)\s+(?:contain|mention|say|include|provide)|"
    r"\bnot\s+(?:mentioned|found|stated|provided)\s+in\s+the\s+(?:passages?|sources?|documents?)|"
    r"(?:资料|段落|文段|来源|文档|材料|上下文)(?:中)?(?:没有|未|并未|不)(?:包含|提到|提及|说明|给出)|无法(?:从.*?)?回答",
    re.IGNORECASE)


@dataclass
class SentenceCheck:
    text: str
    cites: list[int]
    facts: list[str]
    missing: list[str] = field(default_factory=list)    # in no passage at all
    elsewhere: dict[str, int] = field(default_factory=dict)  # fact → the retrieved passage that has it

    @property
    def supported(self) -> bool:
        return not self.missing and not self.elsewhere


@dataclass
class Support:
    """``status``: ``supported``, ``miscited`` (facts are in other retrieved passages than the cited
    ones), ``unsupported`` (some fact is in no passage), ``refusal``, or ``unchecked`` (no key facts)."""

    status: str
    sentences: list[SentenceCheck]

    @property
    def missing(self) -> list[str]:
        return list(dict.fromkeys(f for s in self.sentences for f in s.missing))

    @property
    def elsewhere(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.sentences:
            out.update(s.elsewhere)
        return out

    def to_meta(self) -> dict:
        """What the chat keeps with the message (plain data)."""
        return {"status": self.status, "missing": self.missing[:8],
                "elsewhere": {k: v for k, v in list(self.elsewhere.items())[:8]},
                "checked": sum(1 for s in self.sentences if s.facts)}


def _norm_number(s: str) -> str:
    s = s.replace(",", "").replace("，", "")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _numbers(text: str) -> set[str]:
    return {_norm_number(m) for m in _NUMBER.findall(text)}


def key_facts(sentence: str) -> list[str]:
    """The checkable facts of one sentence: codes, numbers and Latin-script names, in order."""
    text = _LIST_MARK.sub(" ", _CITE.sub(" ", sentence))
    facts: list[str] = []
    codes = _CODE.findall(text)
    facts += codes
    rest = text
    for c in codes:
        rest = rest.replace(c, " ")
    facts += [_norm_number(n) for n in _NUMBER.findall(rest)]
    words = list(_WORD.finditer(rest))
    for i, m in enumerate(words):
        w = m.group(0).strip("'’")
        if len(w) < 2 or not w[0].isupper() or w.lower() in _NOT_NAMES:
            continue
        # a capitalised first word is only a name if the next word is capitalised too ("Li Wei")
        starts = rest[:m.start()].strip() == "" or rest[:m.start()].rstrip()[-1:] in ".!?:;"
        if starts and not (i + 1 < len(words) and words[i + 1].group(0)[0].isupper()):
            continue
        facts.append(w)
    return list(dict.fromkeys(facts))


def _has(fact: str, text: str, numbers: set[str]) -> bool:
    if fact[0].isdigit() and _CODE.fullmatch(fact) is None:
        return fact in numbers
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(fact) + r"(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def sentences(answer: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(answer) if s and s.strip()]


def check(answer: str, passages: list) -> Support:
    """``passages``: objects with ``n`` (the citation number) and ``text`` (rag.Passage)."""
    if _REFUSAL.search(answer):
        return Support("refusal", [])
    by_n = {p.n: (p.text, _numbers(p.text)) for p in passages}
    answer_cites = [int(n) for g in _CITE.findall(answer) for n in re.split(r"[,，、]", g) if int(n) in by_n]
    checks: list[SentenceCheck] = []
    for s in sentences(answer):
        own = [int(n) for g in _CITE.findall(s) for n in re.split(r"[,，、]", g) if int(n) in by_n]
        cites = list(dict.fromkeys(own or answer_cites or list(by_n)))
        sc = SentenceCheck(s, cites, key_facts(s))
        for fact in sc.facts:
            if any(_has(fact, *by_n[n]) for n in cites):
                continue
            other = next((n for n in by_n if n not in cites and _has(fact, *by_n[n])), None)
            if other is None:
                sc.missing.append(fact)
            else:
                sc.elsewhere[fact] = other
        checks.append(sc)
    judged = [c for c in checks if c.facts]
    if not judged:
        status = "unchecked"
    elif any(c.missing for c in judged):
        status = "unsupported"
    elif any(c.elsewhere for c in judged):
        status = "miscited"
    else:
        status = "supported"
    return Support(status, checks)


__all__ = ["Support", "SentenceCheck", "check", "key_facts", "sentences"]
