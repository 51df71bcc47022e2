"""The knowledge engine: ingest files into a knowledge base and answer queries.

    python -m app.engines.knowledge add --kb ID [PATH ...]      (no PATH: resume pending files only)
    python -m app.engines.knowledge query --kb ID "TEXT" [--top-k K] [--mode dense|hybrid|bm25]
    python -m app.engines.knowledge rebuild --kb ID
    python -m app.engines.knowledge remove --kb ID PATH ...
    python -m app.engines.knowledge migrate --kb ID --store faiss|milvus [--uri URI]
    python -m app.engines.knowledge delete --kb ID      (the base, its index, its Milvus collection)
    python -m app.engines.knowledge sync --kb ID        (follow its folders: new, changed, deleted files)
    python -m app.engines.knowledge serve --kb ID [--kb ID ...]  (JSON commands on stdin)

Events (JSON lines, app/core/protocol.py): ``progress`` (files and chunks per second), one ``result``
per file ``{"path", "status": indexed|unchanged|failed|skipped|removed, "chunks", "error"}``,
``checkpoint`` after every persisted batch, a final ``result`` with the summary (``"summary": true``)
and ``done``. Queries answer one ``result`` ``{"query", "kb", "chunks": [{text, score, file, page,
chunk}], "ms"}``.

The work is ``app.knowledge.base.Knowledge`` (crash safety is described there); this module is the
command line, the process and the serve loop.
"""

from __future__ import annotations

import argparse
import os
import sys

from app.core import protocol
from app.core.engine_runtime import run_main
from app.core.errors import UserError
from app.core.kb import DocFilter, KnowledgeStore
from app.knowledge.base import BATCH_FILES, Knowledge, find_kb

ENGINE = "knowledge"


def serve(rt, store: KnowledgeStore, refs: list[str]) -> str:
    """Answer ``{"cmd": "query", "text": ..., "kb": ..., "top_k": ..., "filters": {"tags", "source",
    "after", "before"}}`` lines (filters optional: ``kb.DocFilter``) until stdin closes
    or ``{"cmd": "stop"}``; the model and every index stay loaded."""
    kbs = {}
    for ref in refs:
        kb = find_kb(store, ref)
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
                raise UserError(f"Knowledge base {ref!r} is not loaded in this engine.", code="kb.not_loaded",
                                params={"kb": str(ref)})
            f = cmd.get("filters") if isinstance(cmd.get("filters"), dict) else {}
            flt = DocFilter.make(f.get("tags"), f.get("source"), f.get("after"), f.get("before")) if f else None
            data = k.query(str(cmd.get("text", "")), top_k=int(cmd.get("top_k", 5)), mode=cmd.get("mode"),
                           rerank=cmd.get("rerank"), filters=flt)
            rt.result(id=req_id, **data)
        except UserError as err:
            rt.emit(protocol.Error(message=str(err), hint="", extra=err.data(id=req_id)))
        except Exception as exc:
            rt.log.exception("query failed")
            rt.emit(protocol.Error(message=f"{type(exc).__name__}: {exc}", extra={
                "id": req_id, "code": "engine.unexpected", "params": {"type": type(exc).__name__, "detail": str(exc)}}))
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
    q.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None)
    r = sub.add_parser("rebuild")
    r.add_argument("--kb", required=True)
    r.add_argument("--batch-files", type=int, default=BATCH_FILES)
    r.add_argument("--exit-with-parent", action="store_true",
                   help="stop when stdin closes (the app that started this engine died)")
    m = sub.add_parser("migrate")
    m.add_argument("--kb", required=True)
    m.add_argument("--store", required=True, choices=("faiss", "milvus"))
    m.add_argument("--uri", default=None)
    m.add_argument("--exit-with-parent", action="store_true",
                   help="stop when stdin closes (the app that started this engine died)")
    y = sub.add_parser("sync")
    y.add_argument("--kb", required=True)
    y.add_argument("--exit-with-parent", action="store_true",
                   help="stop when stdin closes (the app that started this engine died)")
    x = sub.add_parser("delete")
    x.add_argument("--kb", required=True)
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

    logging.getLogger("faiss.loader").setLevel(logging.WARNING)

    def body(rt):
        db = open_database()
        try:
            store = KnowledgeStore(db)
            if args.mode == "serve":
                return serve(rt, store, args.kb)
            kb = find_kb(store, args.kb)
            if args.mode == "delete":
                from app.knowledge.vectors import drop_server_collection

                warning = drop_server_collection(kb.folder)
                if warning:
                    rt.info(warning, level="WARNING")
                store.delete(kb.id)
                rt.result(deleted=kb.name, id=kb.id, warning=warning)
                return None
            k = Knowledge(kb, store, rt, fresh=(args.mode == "rebuild"))
            if args.mode == "add":
                summary = k.add(args.paths, batch_files=args.batch_files, throttle_s=args.throttle_s)
            elif args.mode == "rebuild":
                summary = k.rebuild(batch_files=args.batch_files)
            elif args.mode == "remove":
                summary = k.remove(args.paths)
            elif args.mode == "migrate":
                summary = k.migrate(args.store, args.uri)
            elif args.mode == "sync":
                summary = k.sync()
            else:
                rt.result(**k.query(args.text, top_k=args.top_k, mode=args.query_mode, rerank=args.rerank))
                return None
            rt.result(**summary)
            return "stopped" if summary.get("stopped") else None
        except UserError as err:
            rt.user_error(err)
            return "failed"
        finally:
            db.close()

    # serve reads stdin itself (query commands); the runtime's reader would race it for lines.
    return run_main(ENGINE, body, listen_stdin=args.mode != "serve",
                    stop_on_eof=getattr(args, "exit_with_parent", False))


if __name__ == "__main__":
    sys.exit(main())
