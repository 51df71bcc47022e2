"""`ai-platform memory`: the agent's long-term memory (app/core/memory_store.py), to read and mend.

    ai-platform memory list [--search TEXT] [--json]
    ai-platform memory add TEXT [--json]
    ai-platform memory edit ID TEXT [--json]
    ai-platform memory delete ID [--json]
    ai-platform memory clear --yes [--json]

The agent writes entries with its ``remember`` tool and reads them with ``recall`` (chat agent mode
with "Long-term memory" ticked, or ``ai-platform agent --memory``). ``list --json`` prints
``{"memories": [{"id", "text", "source", "created_at", "updated_at", …}]}`` newest first; the others
print the entry they wrote (``{"memory": {…}}``) or ``{"deleted": N}``. Exit 0: done; 2: an error a
person can fix (no such entry, empty text), one readable line on stderr.
"""

from __future__ import annotations

import json

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("memory", help="list, add, edit or delete the agent's long-term memories",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="memory_command", required=True)
    ls = sub.add_parser("list", help="the saved memories, newest first")
    ls.add_argument("--search", default=None, metavar="TEXT", help="only entries sharing words with TEXT")
    add = sub.add_parser("add", help="save a memory yourself")
    add.add_argument("text")
    edit = sub.add_parser("edit", help="change the text of a memory")
    edit.add_argument("id", type=int)
    edit.add_argument("text")
    rm = sub.add_parser("delete", help="delete one memory")
    rm.add_argument("id", type=int)
    clear = sub.add_parser("clear", help="delete every memory")
    clear.add_argument("--yes", action="store_true", help="really delete them all")
    for q in (ls, add, edit, rm, clear):
        q.add_argument("--json", action="store_true", help="print the result as one JSON object")
        q.set_defaults(func=run)


def run(args) -> int:
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.memory_store import MemoryStore

    db = open_database()
    try:
        store = MemoryStore(db)
        cmd = args.memory_command
        if cmd == "list":
            entries = store.search(args.search, limit=10_000) if args.search else store.list()
            if args.json:
                print(json.dumps({"memories": [e.as_dict() for e in entries]}, ensure_ascii=False))
            elif not entries:
                print("No memories match." if args.search else "No memories yet.")
            for e in entries if not args.json else []:
                print(f"#{e.id}  {e.text}  ({e.source}, {e.updated_at:%Y-%m-%d %H:%M})")
            return 0
        if cmd == "clear" and not args.yes:
            raise UserError("This deletes every memory: add --yes to do it.", code="memory.clear_confirm")
        if cmd in ("delete", "clear"):
            n = store.clear() if cmd == "clear" else int(store.delete(args.id))
            if cmd == "delete" and not n:
                raise UserError(f"There is no memory {args.id}.", code="memory.not_found", params={"id": args.id})
            print(json.dumps({"deleted": n}) if args.json else f"Deleted {n} memor{'y' if n == 1 else 'ies'}.")
            return 0
        entry = store.put(args.text, source="user") if cmd == "add" else store.edit(args.id, args.text)
        print(json.dumps({"memory": entry.as_dict()}, ensure_ascii=False) if args.json
              else f"#{entry.id}  {entry.text}")
        return 0
    except UserError as err:
        return user_error(err, args.json)
    finally:
        db.close()
