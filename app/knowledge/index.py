"""A knowledge base's index on disk: vectors + our own chunk table + BM25, persisted atomically.

Layout of ``kb/<kb-id>/``::

    manifest.json          {"generation": N, "model": ..., "dim": ..., "next_id": ..., "store": ...}
    gen-<N>/index.faiss    faiss IndexIDMap2(IndexFlatIP): int64 ids we allocate, never reused
    gen-<N>/chunks.json    {chunk id: {node_id, path, text, page, chunk}}
    milvus.db/             instead of index.faiss, when the base lives in Milvus Lite (vectors.py)

A save writes a new ``gen-<N+1>/`` folder, fsyncs, then atomically replaces ``manifest.json``;
only then is the old generation removed. A kill at any point leaves the last complete generation.
We keep our own id table instead of llama-index's faiss map store, which mixes up document and node
ids on delete. Vectors are L2-normalised, so inner product = cosine.

Retrieval is hybrid by default: dense (faiss) fused by reciprocal rank fusion with BM25 over a
Chinese-aware tokenisation (CJK characters as unigrams + bigrams, Latin words lowercased), BM25's
weight scaled by how sure it is (``keyword_confidence``). Each chunk may carry a context line
(document title › section heading) that is embedded and keyword-indexed with it but not shown;
indexes saved before contexts existed load as chunks without one.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import uuid
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.knowledge.vectors import MILVUS, FaissVectors, MilvusVectors, from_spec

MANIFEST = "manifest.json"
# Fusion settings measured on the dev splits of the generated hard bilingual set
# (benchmarks/retrieval_set.py, benchmarks/retrieval_quality.py --sweep; figures in docs/retrieval.md),
# at two sizes and three seeds. Plain RRF (k 60, equal weights, 10 candidates) is worse than dense
# alone there: on a cross-lingual question BM25 ranks the same-language near-duplicates first and
# they outrank the dense top hit. What is robust: BM25 adds only its first hit (KEYWORD_TOP), with
# weight BM25_WEIGHT × its confidence (top score clear of the second, ``keyword_confidence``), and
# nothing when dense's first hit is in the other script than the question while BM25's is in the
# same one (the question is answered in the other language, where BM25 cannot look: ``_cross``).
# Dev (large set): dense hit@1 0.30 / hit@5 0.63, plain RRF 0.28 / 0.58, this 0.45 / 0.68; never
# below dense on any of the five dev sets tried.
DEFAULT_MODE = "hybrid"
MODES = ("dense", "hybrid", "bm25")
RRF_K = 60
CANDIDATES = 50  # dense candidates before fusion
KEYWORD_TOP = 1
FILTER_POOL = 16384  # with a metadata filter: the most chunks each ranking reads (Milvus caps a search there)
BM25_WEIGHT = 4.0
BM25_MARGIN = 0.2

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+", re.UNICODE)
_CJK_RE = re.compile(rf"[{_CJK}]")


_WORD_RE = re.compile(r"\w", re.UNICODE)


def is_cjk(text: str) -> bool:
    """Mostly Chinese/Japanese/Korean: CJK characters are over 30 % of the word characters."""
    sample = text[:2000]
    return len(_CJK_RE.findall(sample)) > 0.3 * max(1, len(_WORD_RE.findall(sample)))


def tokenize(text: str) -> list[str]:
    """Latin (and other non-CJK) words lowercased; CJK runs as unigrams and bigrams."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        if _CJK_RE.match(tok):
            out.extend(tok)
            out.extend(tok[i:i + 2] for i in range(len(tok) - 1))
        else:
            out.append(tok.lower())
    return out


class BM25:
    """Okapi BM25 over an inverted index; ids are our int64 chunk ids. Each chunk has a row; a
    term's postings are two flat arrays (rows, term counts) that only grow, and a removed chunk's
    row is marked dead rather than searched out of every posting list. A query reads each term's
    arrays without copying them into Python (``np.frombuffer``) and adds the scores up with
    ``np.bincount`` over rows. Compared with a dict per term this holds a posting in 8 bytes
    instead of ~100, and a term seen for the first time costs no conversion (that conversion was
    most of a query's p95 at 100k chunks). Not thread-safe: one process, one thread uses it."""

    _COMPACT_MIN = 1024

    def __init__(self, k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self._postings: dict[str, tuple[array, array]] = {}
        self._row: dict[int, int] = {}  # live chunk id -> row
        self._row_ids = array("q")  # row -> chunk id
        self._alive = bytearray()  # row -> 1 while its chunk is indexed
        self._lens = array("f")  # row -> token count
        self._total = 0

    def __len__(self):
        return len(self._row)

    def add(self, cid: int, text: str) -> None:
        if cid in self._row:
            self.remove(cid)
        tf = Counter(tokenize(text))
        row = len(self._row_ids)
        self._row[cid] = row
        self._row_ids.append(cid)
        self._alive.append(1)
        size = sum(tf.values())
        self._lens.append(size)
        self._total += size
        postings = self._postings
        for t, n in tf.items():
            p = postings.get(t)
            if p is None:
                p = postings[t] = (array("i"), array("f"))
            p[0].append(row)
            p[1].append(n)

    def remove(self, cid: int) -> None:
        row = self._row.pop(cid, None)
        if row is None:
            return
        self._alive[row] = 0
        self._total -= int(self._lens[row])
        if len(self._row_ids) > self._COMPACT_MIN and len(self._row_ids) > 2 * len(self._row):
            self._compact()

    def _compact(self) -> None:
        """Mostly dead rows: renumber the live ones (in their order) and drop dead postings."""
        alive = np.frombuffer(self._alive, np.uint8).astype(bool)
        new_row = np.full(len(alive), -1, np.int64)
        new_row[alive] = np.arange(int(alive.sum()))
        postings = {}
        for t, (rows, tfs) in self._postings.items():
            r = np.frombuffer(rows, np.int32)
            keep = alive[r]
            if keep.any():
                postings[t] = (array("i", new_row[r[keep]].astype(np.int32).tobytes()),
                               array("f", np.frombuffer(tfs, np.float32)[keep].tobytes()))
        self._postings = postings
        self._row_ids = array("q", np.frombuffer(self._row_ids, np.int64)[alive].tobytes())
        self._lens = array("f", np.frombuffer(self._lens, np.float32)[alive].tobytes())
        self._alive = bytearray(b"\x01" * len(self._row_ids))
        self._row = {int(c): i for i, c in enumerate(self._row_ids)}

    def search(self, query: str, k: int, among: set[int] | None = None) -> list[tuple[int, float]]:
        """The ``k`` best chunks; ``among``: only these chunk ids (a metadata filter), all scored."""
        n = len(self._row)
        if not n:
            return []
        avg = self._total / n
        alive = np.frombuffer(self._alive, np.uint8).view(bool)
        lens_all = np.frombuffer(self._lens, np.float32)
        acc_rows, acc_scores = [], []
        for term, qtf in Counter(tokenize(query)).items():
            p = self._postings.get(term)
            if p is None:
                continue
            rows = np.frombuffer(p[0], np.int32)
            tfs = np.frombuffer(p[1], np.float32)
            if len(self._row) < len(self._row_ids):  # some rows are dead
                keep = alive[rows]
                rows, tfs = rows[keep], tfs[keep]
            df = len(rows)
            if not df:
                continue
            lens = lens_all[rows]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            s = idf * tfs * (self.k1 + 1) / (tfs + self.k1 * (1 - self.b + self.b * lens / avg))
            acc_rows.append(rows)
            acc_scores.append(s * qtf)
        del alive, lens_all
        if not acc_rows:
            return []
        total = np.bincount(np.concatenate(acc_rows), weights=np.concatenate(acc_scores),
                            minlength=len(self._row_ids))
        if among is not None:
            rows = np.fromiter((self._row[c] for c in among if c in self._row), np.int64)
            kept = np.zeros_like(total)
            kept[rows] = total[rows]
            total = kept
        hits = np.flatnonzero(total > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-total[hits], k - 1)[:k]]
        hits = hits[np.lexsort((hits, -total[hits]))]
        return [(int(self._row_ids[r]), float(total[r])) for r in hits.tolist()]


def rrf(rankings: list[list[int]], k: int = RRF_K, weights: list[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings an id appears in."""
    fused: dict[int, float] = defaultdict(float)
    weights = weights or [1.0] * len(rankings)
    for ranking, w in zip(rankings, weights):
        for rank, cid in enumerate(ranking):
            fused[cid] += w / (k + rank + 1)
    return sorted(fused.items(), key=lambda kv: -kv[1])


def keyword_confidence(ranked: list[tuple[int, float]], margin: float = BM25_MARGIN) -> float:
    """How sure BM25 is, 0..1: the gap between its first and second score relative to the first,
    divided by ``margin`` (a gap of ``margin`` or more is fully sure; ``margin`` 0: always sure)."""
    if not ranked or ranked[0][1] <= 0:
        return 0.0
    if margin <= 0:
        return 1.0
    s1, s2 = ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0
    return min(1.0, (s1 - s2) / s1 / margin)


@dataclass
class Chunk:
    id: int
    node_id: str
    path: str
    text: str
    page: int | None
    chunk: int
    context: str = ""  # title › heading: embedded and keyword-indexed with the text, never shown

    def to_json(self):
        out = {"node_id": self.node_id, "path": self.path, "text": self.text, "page": self.page,
               "chunk": self.chunk}
        if self.context:
            out["context"] = self.context
        return out

    @property
    def indexed_text(self) -> str:
        return embedded_text(self.text, self.context)


def embedded_text(text: str, context: str | None) -> str:
    """What is embedded and keyword-indexed for a chunk: its context line, then its text."""
    return f"{context}\n{text}" if context else text


class KBIndex:
    def __init__(self, folder: Path, model: str, dim: int, vectors=None):
        self.folder = Path(folder)
        self.model, self.dim = model, dim
        self.generation = 0
        self.next_id = 1
        self.meta: dict = {}
        self.chunks: dict[int, Chunk] = {}
        self.by_path: dict[str, list[int]] = defaultdict(list)
        self.vectors = vectors if vectors is not None else FaissVectors(dim)
        self.bm25 = BM25()
        self._removed: list[int] = []  # since the last save (Milvus deletes them after it)
        self._purge = False  # a replacement: whatever the store holds goes at the next save
        self._drop_after_save = None  # a store this index replaced (another collection)

    @property
    def store(self) -> str:
        return self.vectors.kind

    # --- load / save ------------------------------------------------------------------------
    @classmethod
    def replacement(cls, folder: Path, model: str, dim: int, vectors=None) -> KBIndex:
        """An empty index that replaces the saved one at its next save (a rebuild): it goes on from
        the saved generation and id counter, so no generation folder or id is used twice. It keeps
        the saved store (``vectors`` None) or moves to ``vectors``."""
        folder = Path(folder)
        manifest = _read_manifest(folder)
        old = from_spec(manifest.get("store"), int(manifest.get("dim", dim)), folder) if manifest else None
        if vectors is None:
            if isinstance(old, MilvusVectors) and int(manifest.get("dim", 0)) == dim:
                vectors = old
            elif isinstance(old, MilvusVectors):
                vectors = MilvusVectors(dim, folder, uri=old.uri)
            else:
                vectors = FaissVectors(dim)
        idx = cls(folder, model, dim, vectors)
        idx._purge = True
        if old is not None and old.kind == MILVUS and old.spec() != vectors.spec():
            idx._drop_after_save = old
        if manifest:
            idx.generation = int(manifest["generation"])
            idx.next_id = int(manifest["next_id"])
        return idx

    @classmethod
    def open(cls, folder: Path, model: str, dim: int, vectors=None) -> KBIndex:
        """Open the last saved generation, or an empty index (in ``vectors``, faiss by default, when
        nothing is saved yet). A model mismatch is the caller's business (see ``manifest_model``):
        we never mix vectors of two models."""
        folder = Path(folder)
        manifest = _read_manifest(folder)
        if manifest is None:
            return cls(folder, model, dim, vectors)
        if manifest.get("model") != model or int(manifest.get("dim", 0)) != dim:
            raise ModelMismatch(manifest.get("model"), model)
        idx = cls(folder, model, dim, from_spec(manifest.get("store"), dim, folder))
        gen = folder / f"gen-{manifest['generation']}"
        idx.generation = int(manifest["generation"])
        idx.next_id = int(manifest["next_id"])
        idx.meta = manifest.get("meta", {})
        idx.vectors.load(gen)
        chosen = manifest.get("vector_index") or {}
        if hasattr(idx.vectors, "refused"):  # what the last build measured: not redone at every save
            idx.vectors.refused = dict(chosen["ivf_refused"]) if chosen.get("ivf_refused") else None
            idx.vectors.recall = chosen.get("recall")
        with open(gen / "chunks.json", encoding="utf-8") as fh:
            raw = json.load(fh)
        for key, c in raw.items():
            ch = Chunk(id=int(key), **c)
            idx.chunks[ch.id] = ch
            idx.by_path[ch.path].append(ch.id)
            idx.bm25.add(ch.id, ch.indexed_text)
        return idx

    def reconcile(self) -> int:
        """Writer only (under the base's lock): drop stored vectors the saved table does not name
        (a killed writer's unsaved adds, an interrupted delete). faiss never has any."""
        return self.vectors.reconcile(set(self.chunks))

    def save(self) -> None:
        """Write a new generation and switch the manifest to it. On any failure (a full disk) the
        half-written temporary folder is removed and the last complete generation stays in use;
        a full disk is raised as the ``disk.full`` ``UserError``."""
        from app.core import diskspace

        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"tmp-{uuid.uuid4().hex}"
        mtmp = self.folder / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
        try:
            self._save(tmp, mtmp)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            mtmp.unlink(missing_ok=True)
            if isinstance(exc, Exception):
                diskspace.reraise_if_full(exc, self.folder)
            raise
        # The new generation is on disk: what it no longer names may leave the store now.
        removed, self._removed = self._removed, []
        if self._purge:
            self._purge = False
            self.vectors.reconcile(set(self.chunks))
        else:
            self.vectors.committed(removed)
        if self._drop_after_save is not None:
            old, self._drop_after_save = self._drop_after_save, None
            old.drop()

    def _save(self, tmp: Path, mtmp: Path) -> None:
        new_gen = self.generation + 1
        tmp.mkdir()
        self.vectors.write(tmp)
        with open(tmp / "chunks.json", "w", encoding="utf-8") as fh:
            json.dump({str(k): c.to_json() for k, c in self.chunks.items()}, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        target = self.folder / f"gen-{new_gen}"
        if target.exists():
            shutil.rmtree(target)
        manifest = {"generation": new_gen, "model": self.model, "dim": self.dim,
                    "next_id": self.next_id, "n_chunks": len(self.chunks), "meta": self.meta,
                    "store": self.vectors.spec()}
        if hasattr(self.vectors, "describe"):
            manifest["vector_index"] = self.vectors.describe()  # flat or IVF (its cells and nprobe)
        with open(mtmp, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        os.replace(mtmp, self.folder / MANIFEST)
        self.generation = new_gen
        # Only now is the old generation garbage; also sweep leftovers of killed saves.
        for child in self.folder.iterdir():
            if child.name == target.name or child.name == MANIFEST:
                continue
            if child.name.startswith(("gen-", "tmp-", f".{MANIFEST}")):
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)

    def saved_generation(self) -> int | None:
        """The generation the manifest on disk points to now (another writer may have saved)."""
        m = _read_manifest(self.folder)
        return int(m["generation"]) if m else None

    # --- edits ------------------------------------------------------------------------------
    def __len__(self):
        return len(self.chunks)

    def add(self, path: str, texts: list[str], pages: list[int | None], vectors: np.ndarray,
            contexts: list[str] | None = None) -> list[int]:
        """Add one file's chunks; ``vectors`` embed ``embedded_text(text, context)``."""
        if not texts:
            return []
        contexts = contexts or [""] * len(texts)
        ids = list(range(self.next_id, self.next_id + len(texts)))
        self.next_id += len(texts)
        self.vectors.add(ids, vectors)
        for i, (cid, text, page, ctx) in enumerate(zip(ids, texts, pages, contexts)):
            ch = Chunk(id=cid, node_id=str(uuid.uuid4()), path=path, text=text, page=page, chunk=i,
                       context=ctx or "")
            self.chunks[cid] = ch
            self.by_path[path].append(cid)
            self.bm25.add(cid, ch.indexed_text)
        return ids

    def remove_path(self, path: str) -> int:
        ids = self.by_path.pop(path, [])
        if ids:
            self.vectors.remove(ids)
            self._removed.extend(ids)
            for cid in ids:
                self.chunks.pop(cid, None)
                self.bm25.remove(cid)
        return len(ids)

    def count_path(self, path: str) -> int:
        return len(self.by_path.get(path, ()))

    def clear(self) -> None:
        self.chunks.clear()
        self.by_path.clear()
        self.vectors.clear()
        self._removed.clear()
        self._purge = True
        self.bm25 = BM25()

    # --- search -----------------------------------------------------------------------------
    def dense(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest live chunks. A store outside the generation (Milvus) may still hold
        vectors this table no longer names, or a writer's newer ones: they are skipped."""
        if not len(self.chunks):
            return []
        k = min(k, len(self.chunks))
        spare = len(self._removed) if self.vectors.kind == MILVUS else 0
        asked = k + spare + (8 if self.vectors.kind == MILVUS else 0)
        hits = self.vectors.search(qvec, min(asked, FILTER_POOL) if self.vectors.kind == MILVUS else asked)
        return [(i, s) for i, s in hits if i in self.chunks][:k]

    def _cross(self, query: str, dense_top: int, keyword_top: int) -> bool:
        """Dense's first hit is in the other script than the question, BM25's in the same one."""
        q = is_cjk(query)
        return is_cjk(self.chunks[dense_top].text) != q and is_cjk(self.chunks[keyword_top].text) == q

    def search(self, query: str, qvec: np.ndarray, top_k: int = 5, mode: str = DEFAULT_MODE,
               bm25_weight: float = BM25_WEIGHT, candidates: int = CANDIDATES,
               margin: float = BM25_MARGIN, keyword_top: int = KEYWORD_TOP,
               allow: set[str] | None = None) -> list[dict]:
        """``allow``: only chunks of these document paths (a metadata filter). Each ranking then
        scores exactly the allowed chunks (BM25 always; faiss too; Milvus reads its best FILTER_POOL
        and drops the rest), so a filter that keeps a few documents still finds their best passages."""
        n = max(candidates, top_k)
        if allow is None:
            dense_of, keyword_of = self.dense, self.bm25.search
        else:
            ok = {cid for cid, ch in self.chunks.items() if ch.path in allow}
            if not ok:
                return []
            pool = min(len(self.chunks), FILTER_POOL)

            def dense_of(_q, k):
                if self.vectors.kind != MILVUS:  # faiss scores just the allowed chunks, exactly
                    return self.vectors.search(qvec, k, among=sorted(ok))
                return [(i, s) for i, s in self.dense(qvec, pool) if i in ok][:k]

            def keyword_of(_q, k):
                return self.bm25.search(query, k, among=ok)
        dense = dense_of(qvec, n)
        dense_score = dict(dense)
        if mode == "dense":
            ranked = dense[:top_k]
        elif mode == "bm25":
            ranked = keyword_of(query, top_k)
        else:
            kw = keyword_of(query, max(keyword_top, 2))
            weight = bm25_weight * keyword_confidence(kw, margin)
            if kw and dense and self._cross(query, dense[0][0], kw[0][0]):
                weight = 0.0
            ranked = rrf([[i for i, _ in dense], [i for i, _ in kw[:keyword_top]]],
                         weights=[1.0, weight])[:top_k]
        q = np.asarray(qvec, np.float32).reshape(-1)
        # A keyword hit outside the dense candidates: its cosine too.
        missing = [cid for cid, _ in ranked if cid not in dense_score and cid in self.chunks]
        for cid, vec in self.vectors.vectors(missing).items():
            dense_score[cid] = float(vec @ q)
        out = []
        for cid, score in ranked:
            ch = self.chunks.get(cid)
            if ch is None or cid not in dense_score:
                continue
            out.append({"text": ch.text, "score": round(float(score), 6), "file": ch.path,
                        "page": ch.page, "chunk": ch.chunk, "id": cid, "node_id": ch.node_id,
                        "dense_score": round(dense_score[cid], 6)})
        return out


class ModelMismatch(Exception):
    def __init__(self, stored, wanted):
        super().__init__(f"this index was built with {stored!r}, not {wanted!r}: rebuild it")
        self.stored, self.wanted = stored, wanted


def _read_manifest(folder: Path) -> dict | None:
    try:
        with open(Path(folder) / MANIFEST, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None


def read_manifest(folder: Path) -> dict | None:
    """The saved manifest of the index in ``folder`` (None before the first save)."""
    return _read_manifest(folder)


def manifest_model(folder: Path) -> str | None:
    m = _read_manifest(folder)
    return m.get("model") if m else None
