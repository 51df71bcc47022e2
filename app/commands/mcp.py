"""`ai-platform mcp`: look at MCP servers (Model Context Protocol).

    ai-platform mcp tools (--stdio "COMMAND" | --http URL) [--timeout S] [--json]

``tools`` connects, lists the server's tools (name, description, input schema) and disconnects.
``--json`` prints ``{"server", "tools": [{"name", "description", "input_schema"}]}`` on one line.
Exit 0: listed; 2: the command does not start, the server does not answer in time, or it is not an
MCP server (one readable line on stderr; with --json also ``{"error": {code, message, params}}``).
"""

from __future__ import annotations

import json

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("mcp", help="list the tools of an MCP server (stdio command or streamable HTTP URL)",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mcp_command", required=True)
    t = sub.add_parser("tools", help="list a server's tools")
    where = t.add_mutually_exclusive_group(required=True)
    where.add_argument("--stdio", metavar="COMMAND", help="start this command and talk MCP over its stdin/stdout")
    where.add_argument("--http", metavar="URL", help="a streamable HTTP MCP endpoint, e.g. http://127.0.0.1:8000/mcp")
    t.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server (default 30)")
    t.add_argument("--json", action="store_true", help="print the result as one JSON object")
    t.set_defaults(func=run_tools)


def run_tools(args) -> int:
    import logging

    logging.getLogger("mcp").setLevel(logging.CRITICAL)  # its tracebacks for a non-server; ours is one line
    from app.agents.mcp_client import McpServer
    from app.core.errors import UserError

    try:
        with McpServer(stdio=args.stdio, http=args.http, timeout=args.timeout) as server:
            tools = server.tools
    except UserError as err:
        return user_error(err, args.json)
    if args.json:
        print(json.dumps({"server": args.stdio or args.http, "tools": tools}, ensure_ascii=False))
        return 0
    if not tools:
        print("The server offers no tools.")
    for t in tools:
        props = ", ".join((t["input_schema"].get("properties") or {}).keys())
        print(f"{t['name']}({props})")
        if t["description"]:
            print(f"    {t['description'].strip().splitlines()[0]}")
    return 0
