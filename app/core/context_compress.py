"""Context compression: the sentences of a passage that bear on the question, so more sources fit.

A retrieved chunk is ~512 tokens; the fact a question asks for is usually one sentence or one
table row of it. When the passages do not all fit the model's context budget, ``compress`` keeps
the units (sentences, table rows, headings) that share the question's terms (rarer ones in the
passage weigh more), best first, within a
budget, in their original order, with " … " where something was left out. A kept table row brings
its table's header row (a row of numbers means nothing without it) and a kept sentence its
section's heading. Nothing is rewritten: the passage shown and cited is a subset of the document's
own text, so the support check and the citations still hold.

It is lexical (``rag._terms``: content words, codes and numbers, CJK bigrams), so it runs in the
window in microseconds. A passage that shares no term with the question (a question in the other
language) cannot be judged and is not compressed (``None``): the caller keeps it whole or leaves
it out. Measured on the hard retrieval set's dev split and reported on test: benchmarks/context_compression.py,
docs/retrieval.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GAP = " … "
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(\[])|(?<=[。！？；])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class Unit:
    text: str
    line: int  # the line it came from: units of one line are joined with a space, lines with a newline
    kind: str  # "sentence" | "heading" | "row" | "header" (a table's first row and its rule)
    table: int | None = None  # which table of the passage a row or header belongs to
    heading: int | None = None  # the index of the heading above it


def units(text: str) -> list[Unit]:
    """The passage cut into sentences, headings and table rows, in order."""
    out: list[Unit] = []
    heading: int | None = None
    table: int | None = None
    tables = 0
    prev_row = False
    for ln, line in enumerate(text.splitlines()):
        if not line.strip():
            prev_row = False
            continue
        if _TABLE_ROW.match(line) or _TABLE_RULE.match(line):
            if not prev_row:  # a table starts: its first row is the header
                table, tables = tables, tables + 1
                out.append(Unit(line.strip(), ln, "header", table, heading))
            elif _TABLE_RULE.match(line):
                out.append(Unit(line.strip(), ln, "header", table, heading))
            else:
                out.append(Unit(line.strip(), ln, "row", table, heading))
            prev_row = True
            continue
        prev_row = False
        if _HEADING.match(line):
            heading = len(out)
            out.append(Unit(line.strip(), ln, "heading", None, None))
            continue
        for part in _SENTENCE_END.split(line.strip()):
            if part.strip():
                out.append(Unit(part.strip(), ln, "sentence", None, heading))
    return out


def _render(chosen: list[Unit], all_units: list[Unit]) -> str:
    """The chosen units in order: one line's units with spaces, lines with newlines, a gap mark
    where units between them were left out."""
    index = {id(u): i for i, u in enumerate(all_units)}
    pieces: list[str] = []
    last_i, last_line = None, None
    for u in sorted(chosen, key=lambda u: index[id(u)]):
        i = index[id(u)]
        if last_i is not None:
            skipped = i != last_i + 1
            if u.line == last_line:
                pieces.append(GAP if skipped else " ")
            else:
                in_table = u.kind == "row" and all_units[last_i].kind in ("row", "header")
                pieces.append("\n…\n" if skipped and not in_table else "\n")  # a table stays a table
        pieces.append(u.text)
        last_i, last_line = i, u.line
    return "".join(pieces).strip()


def compress(text: str, query: str, budget_tokens: int, *, estimate=None) -> str | None:
    """``text`` cut to its units that share terms with ``query``, within ``budget_tokens``; None
    when no unit shares a term (it cannot be judged) or not even the best unit fits."""
    from app.core import rag

    estimate = estimate or rag.estimate_tokens
    q = rag._terms(query)
    if not q:
        return None
    import math

    all_units = units(text)
    terms = [rag._terms(u.text) for u in all_units]
    df: dict[str, int] = {}
    for ts in terms:
        for t in ts & q:
            df[t] = df.get(t, 0) + 1
    scored = []
    for i, (u, ts) in enumerate(zip(all_units, terms)):
        if u.kind in ("heading", "header"):
            continue
        # a term of the question that few units have (a code, a name) says more than a common one
        shared = sum(math.log(1 + len(all_units) / df[t]) for t in ts & q)
        if shared:
            scored.append((shared, -i, u))
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    chosen: list[Unit] = []
    ids: set[int] = set()

    def cost(extra: list[Unit]) -> int:
        return estimate(_render(chosen + extra, all_units))

    for _shared, _neg, u in scored:
        need = [u]
        if u.kind == "row":  # its table's header (the first row and the rule)
            need += [h for h in all_units if h.kind == "header" and h.table == u.table]
        if u.heading is not None:
            need.append(all_units[u.heading])
        need = [n for n in need if id(n) not in ids]
        if cost(need) > budget_tokens:
            if not chosen:
                if cost([u]) > budget_tokens:
                    return None
                need = [u]  # the best unit alone, without its context
            else:
                continue  # a shorter unit further down may still fit
        chosen += need
        ids.update(id(n) for n in need)
    if len(chosen) == len(all_units):
        return text.strip()
    return _render(chosen, all_units)


__all__ = ["GAP", "Unit", "compress", "units"]
