"""`ai-platform kb ...`: knowledge bases from the command line.

    kb create NAME [--chunk-size N] [--overlap N] [--model M] [--store faiss|milvus [--uri URI]] [--json]
    kb add NAME PATH... [--json]            per-file results
    kb query NAME "TEXT" [--top-k K] [--mode dense|hybrid|bm25] [--rerank|--no-rerank]
             [--tag T]... [--source S] [--after YYYY-MM-DD] [--before YYYY-MM-DD] [--json]
    kb meta NAME PATH [--tags "a, b"] [--source S] [--date YYYY-MM-DD] [--json]   a document's metadata
    kb list [--json]                        with document and chunk counts
    kb remove NAME PATH... [--yes] [--json]   asks first when that is more than one document
    kb rebuild NAME [--json]
    kb migrate NAME --store faiss|milvus [--uri URI] [--json]   move the vectors, with progress
    kb follow NAME FOLDER [--json]          the base follows the folder (indexed now, kept in sync)
    kb unfollow NAME FOLDER
    kb sync NAME [--json]                   new, changed and deleted files of its followed folders
    kb delete NAME

The work runs in this process through app.knowledge, the knowledge engine's library (imported
inside the command); errors a person can fix print one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("kb", help="knowledge bases: create, add files, query, list, remove")
    sub = p.add_subparsers(dest="kb_cmd", required=True)

    c = sub.add_parser("create", help="create an empty knowledge base")
    c.add_argument("name")
    c.add_argument("--chunk-size", type=int, default=None, help="characters per chunk, 64-4000 (default 512)")
    c.add_argument("--overlap", type=int, default=None,
                   help="characters shared by neighbouring chunks, 0 to half the chunk size (default 64)")
    c.add_argument("--model", default=None, help="embedding model (default: the bundled bilingual one; "
                                                 "an unknown name lists the available ones)")
    c.add_argument("--store", default="faiss", choices=("faiss", "milvus"),
                   help="where the vectors live: faiss files in the data folder (default), or Milvus")
    c.add_argument("--uri", default=None, help="with --store milvus: a Milvus server (http://HOST:19530); "
                                               "without it, Milvus Lite in the data folder")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_create)

    a = sub.add_parser("add", help="index files or folders (incremental)")
    a.add_argument("name")
    a.add_argument("paths", nargs="+")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_add)

    q = sub.add_parser("query", help="retrieve the chunks closest to a question")
    q.add_argument("name")
    q.add_argument("text")
    q.add_argument("--top-k", type=int, default=5, help="how many passages to return (default 5)")
    q.add_argument("--mode", default=None, choices=("dense", "hybrid", "bm25"),
                   help="dense (meaning), bm25 (keywords) or hybrid, both fused (the default)")
    q.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None,
                   help="reorder the passages with a cross-encoder reranker (a model folder in the data "
                        "folder's rerankers/, or AI_PLATFORM_RERANKER); off by default")
    q.add_argument("--tag", action="append", default=None, metavar="TAG",
                   help="only documents with this tag (repeat: with every one)")
    q.add_argument("--source", default=None, help="only documents whose source contains this")
    q.add_argument("--after", default=None, metavar="YYYY-MM-DD", help="only documents dated on or after")
    q.add_argument("--before", default=None, metavar="YYYY-MM-DD", help="only documents dated on or before")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_query)

    me = sub.add_parser("meta", help="a document's tags, source and date (shown, or set)")
    me.add_argument("name")
    me.add_argument("path", help="the document, as added (a file path)")
    me.add_argument("--tags", default=None, help='comma-separated, e.g. "contract, 2026" ("" clears)')
    me.add_argument("--source", default=None, help='where it came from ("" clears)')
    me.add_argument("--date", default=None, metavar="YYYY-MM-DD", help='its date ("" clears)')
    me.add_argument("--json", action="store_true")
    me.set_defaults(func=_meta)

    li = sub.add_parser("list", help="knowledge bases with document and chunk counts")
    li.add_argument("--json", action="store_true")
    li.set_defaults(func=_list)

    r = sub.add_parser("remove", help="remove files (or everything under a folder) from a knowledge base")
    r.add_argument("name")
    r.add_argument("paths", nargs="+")
    r.add_argument("--yes", "-y", action="store_true", help="do not ask when more than one document goes")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_remove)

    b = sub.add_parser("rebuild", help="re-embed every document (after a model or chunking change)")
    b.add_argument("name")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=_rebuild)

    m = sub.add_parser("migrate", help="move a knowledge base's vectors to another store (faiss or Milvus)")
    m.add_argument("name")
    m.add_argument("--store", required=True, choices=("faiss", "milvus"))
    m.add_argument("--uri", default=None, help="with --store milvus: a Milvus server; without it, Milvus Lite")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=_migrate)

    fo = sub.add_parser("follow", help="make a knowledge base follow a folder: its new, changed and deleted "
                                       "files are indexed or removed at every sync")
    fo.add_argument("name")
    fo.add_argument("folder")
    fo.add_argument("--json", action="store_true")
    fo.set_defaults(func=_follow)
    uf = sub.add_parser("unfollow", help="stop following a folder (its documents stay)")
    uf.add_argument("name")
    uf.add_argument("folder")
    uf.add_argument("--json", action="store_true")
    uf.set_defaults(func=_unfollow)
    sy = sub.add_parser("sync", help="index the new and changed files of the followed folders, remove the deleted")
    sy.add_argument("name")
    sy.add_argument("--json", action="store_true")
    sy.set_defaults(func=_sync)

    d = sub.add_parser("delete", help="delete a knowledge base (its index; your files stay)")
    d.add_argument("name")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=_delete)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def _run(args, work) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.kb import KnowledgeStore

    from app.core import diskspace, paths

    try:
        try:
            with open_database() as db:
                return work(KnowledgeStore(db))
        except Exception as exc:  # noqa: BLE001 - a full disk under faiss, SQLite or our own writes
            diskspace.reraise_if_full(exc, paths.home())
            raise
    except UserError as err:
        return user_error(err, getattr(args, "json", False))


def _kb_json(kb) -> dict:
    return {"id": kb.id, "name": kb.name, "embedding_model": kb.embedding_model, "chunk_size": kb.chunk_size,
            "chunk_overlap": kb.chunk_overlap, "documents": kb.n_documents, "chunks": kb.n_chunks,
            "failed": kb.n_failed, "created_at": kb.created_at.isoformat(), "store": kb.vector_store,
            "uri": kb.store_uri, "follow": list(kb.follow), "vector_index": _vector_index(kb)}


def _vector_index(kb) -> dict | None:
    """The faiss index the base chose by size (flat, flat-fp16 or ivf, and what was measured), from
    its saved manifest; None before the first save or for Milvus."""
    from app.core import paths
    from app.knowledge.index import read_manifest

    manifest = read_manifest(paths.kb_dir() / str(kb.id))
    return (manifest or {}).get("vector_index")


def _create(args) -> int:
    from app.core.kb import DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE

    def work(store):
        kb = store.create(args.name, chunk_size=DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size,
                          chunk_overlap=DEFAULT_CHUNK_OVERLAP if args.overlap is None else args.overlap,
                          embedding_model=args.model, store=args.store, uri=args.uri)
        if kb.vector_store == "milvus":
            from app.knowledge.base import check_store_reachable

            try:
                check_store_reachable(kb)
            except Exception:
                store.delete(kb.id)  # nothing was written to it: no half-made base stays behind
                raise
        if args.json:
            _print_json(_kb_json(kb))
        else:
            print(f"Created knowledge base \"{kb.name}\" (id {kb.id}, {kb.embedding_model}, "
                  f"chunks of {kb.chunk_size} characters, overlap {kb.chunk_overlap}, {kb.store_label}).")
        return 0

    return _run(args, work)


def _engine(store, name):
    from app.knowledge.base import Knowledge, NullReporter

    rep = NullReporter(verbose=False)
    return Knowledge(store.by_name(name), store, rep), rep


def _ingest_output(args, summary) -> int:
    if args.json:
        _print_json(summary)
    else:
        for f in summary["files"]:
            extra = f" — {f['error']}" if f.get("error") else ""
            print(f"{f['status']:9} {f['chunks']:5} chunks  {f['path']}{extra}")
        print(f"{summary.get('chunks_total', 0)} chunks in \"{summary['kb']}\".")
    failed = [f for f in summary["files"] if f["status"] in ("failed", "skipped")]
    return 1 if failed and len(failed) == len(summary["files"]) else 0


def _add(args) -> int:
    from app.core.kb import validate_paths

    def work(store):
        paths = validate_paths(args.paths)
        k, _ = _engine(store, args.name)
        return _ingest_output(args, k.add(paths))

    return _run(args, work)


def _rebuild(args) -> int:
    def work(store):
        from app.knowledge.base import Knowledge, NullReporter

        k = Knowledge(store.by_name(args.name), store, NullReporter(), fresh=True)
        return _ingest_output(args, k.rebuild())

    return _run(args, work)


def _remove(args) -> int:
    from app.core.errors import UserError

    def work(store):
        kb = store.by_name(args.name)
        docs = {d.path for item in args.paths for d in store.documents_under(kb.id, item)}
        if len(docs) > 1 and not args.yes:
            what = ", ".join(args.paths)
            if args.json or not _confirm(f'Remove {len(docs)} documents ({what}) from "{kb.name}"? [y/N] '):
                raise UserError(f'This would remove {len(docs)} documents from "{kb.name}"; nothing was removed. '
                                "Add --yes to remove them.", code="kb.remove_confirm",
                                params={"n": len(docs), "name": kb.name})
        k, _ = _engine(store, args.name)
        summary = k.remove(args.paths)
        if args.json:
            _print_json(summary)
        else:
            for f in summary["files"]:
                print(f"removed {f['chunks']:5} chunks  {f['path']}")
        return 0

    return _run(args, work)


def _confirm(question: str) -> bool:
    """Ask on the terminal; no answer (end of input) is no."""
    try:
        print(question, end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline()
    except (OSError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def _query(args) -> int:
    def work(store):
        from app.core.kb import DocFilter

        flt = DocFilter.make(args.tag, args.source, args.after, args.before)
        k, _ = _engine(store, args.name)
        res = k.query(args.text, top_k=args.top_k, mode=args.mode, rerank=args.rerank, filters=flt)
        if res["rerank"].get("reason"):
            print(f"Not reranked: {res['rerank']['reason']}.", file=sys.stderr)
        if args.json:
            _print_json(res)
        else:
            for i, c in enumerate(res["chunks"], 1):
                where = c["file"] + (f" p.{c['page']}" if c.get("page") else "")
                print(f"{i}. [{c['score']:.3f}] {where}\n   {c['text'][:300]}")
            if not res["chunks"]:
                print("No document matches the filter." if flt is not None else
                      "No chunks: the knowledge base is empty.")
        return 0

    return _run(args, work)


def _meta(args) -> int:
    def work(store):
        from app.core.kb import normalize_path
        from app.knowledge.base import find_kb

        kb = find_kb(store, args.name)
        path = normalize_path(args.path)
        if args.tags is not None or args.source is not None or args.date is not None:
            doc = store.set_metadata(kb.id, path, tags=args.tags, source=args.source, date=args.date)
        else:
            doc = store.document(kb.id, path)
            if doc is None:
                from app.core.errors import UserError

                raise UserError(f"{path} is not in this knowledge base.", code="kb.doc_unknown", params={"path": path})
        out = {"path": doc.path, "tags": list(doc.tags), "source": doc.source, "date": doc.date}
        if args.json:
            _print_json(out)
        else:
            print(f"{doc.path}\ttags: {', '.join(doc.tags) or '–'}\tsource: {doc.source or '–'}\tdate: {doc.date or '–'}")
        return 0

    return _run(args, work)


def _list(args) -> int:
    def work(store):
        kbs = store.list()
        if args.json:
            _print_json({"knowledge_bases": [_kb_json(kb) for kb in kbs]})
        else:
            for kb in kbs:
                print(f"{kb.name}\t{kb.n_documents} documents\t{kb.n_chunks} chunks\t{kb.embedding_model}"
                      f"\t{kb.store_label}")
            if not kbs:
                print("No knowledge bases yet: ai-platform kb create NAME")
        return 0

    return _run(args, work)


def _delete(args) -> int:
    def work(store):
        from app.knowledge.vectors import drop_server_collection

        kb = store.by_name(args.name)
        warning = drop_server_collection(kb.folder)
        if warning:
            print(f"Warning: {warning}", file=sys.stderr)
        store.delete(kb.id)
        if args.json:
            _print_json({"deleted": kb.name, "id": kb.id})
        else:
            print(f"Deleted knowledge base \"{kb.name}\".")
        return 0

    return _run(args, work)


def _migrate(args) -> int:
    def work(store):
        from app.knowledge.base import Knowledge, NullReporter

        rep = NullReporter(verbose=not args.json)
        k = Knowledge(store.by_name(args.name), store, rep)
        summary = k.migrate(args.store, args.uri)
        if args.json:
            _print_json(summary)
        else:
            print(f"Moved {summary['chunks']} chunks of \"{summary['kb']}\" from {summary['from']} to "
                  f"{summary['to']} in {summary['seconds']:.1f} s.")
        return 0

    return _run(args, work)


def _follow(args) -> int:
    def work(store):
        kb = store.follow(store.by_name(args.name).id, args.folder)
        k, _ = _engine(store, kb.name)
        return _ingest_output(args, k.sync())

    return _run(args, work)


def _unfollow(args) -> int:
    def work(store):
        kb = store.unfollow(store.by_name(args.name).id, args.folder)
        if args.json:
            _print_json(_kb_json(kb))
        else:
            print(f"\"{kb.name}\" no longer follows {args.folder}; its documents stay.")
        return 0

    return _run(args, work)


def _sync(args) -> int:
    def work(store):
        k, _ = _engine(store, args.name)
        if not k.kb.follow:
            from app.core.errors import UserError

            raise UserError(f'"{k.kb.name}" follows no folder: ai-platform kb follow {k.kb.name} FOLDER.',
                            code="kb.follow.none", params={"name": k.kb.name})
        return _ingest_output(args, k.sync())

    return _run(args, work)
