"""`ai-platform agent`: one headless agent turn (tools, knowledge bases, steps printed).

    ai-platform agent "QUESTION" [--kb NAME]... [--allow-folder DIR]... [--max-steps N] [--json]
                      [--tag T]... [--source S] [--after YYYY-MM-DD] [--before YYYY-MM-DD]
                      [--model M] [--base-url URL --api-key-env VAR] [--system TEXT] [--temperature T]
                      [--mcp-stdio "COMMAND"]... [--memory] [--tool-protocol auto|native|react]

Without ``--base-url`` it starts the serve engine on ``--model`` (default: the bundled model) with
the transformers engine, runs the turn, and stops it; the bundled model is served with its tool
adapter (app/core/tool_adapter.py) and the turn asks for it (model ``smollm2-tools``). ``--json`` prints one object on its last line,
``{"answer", "steps", "citations", "warnings", "status", …}`` (the agent engine's result; ``warnings``
says why no tool was used, e.g. the model's chat template has no tool calling); otherwise the steps,
the answer and the warnings stream as readable lines. Whether the model can call tools is decided
before the turn from its folder and the engine (app/core/tool_support.py); with ``--base-url`` it is
unknown until the server answers. Folders given with ``--allow-folder`` are granted and
approved. Exit 0: answered; 2: an error a person can fix (no server, unknown knowledge base…);
130: interrupted.
"""

from __future__ import annotations

import json
import os
import sys

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("agent", help="ask the tool-using agent one question (knowledge bases, calculator, files)",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("question")
    p.add_argument("--kb", action="append", default=[], metavar="NAME", help="a knowledge base to search (repeatable)")
    p.add_argument("--tag", action="append", default=None, metavar="TAG",
                   help="with --kb: search only documents with this tag (repeatable: every tag)")
    p.add_argument("--source", default=None, help="with --kb: only documents whose source contains this")
    p.add_argument("--after", default=None, metavar="YYYY-MM-DD", help="with --kb: only documents dated on or after")
    p.add_argument("--before", default=None, metavar="YYYY-MM-DD", help="with --kb: only documents dated on or before")
    p.add_argument("--allow-folder", action="append", default=[], metavar="DIR",
                   help="let read_file / list_folder use this folder, approved up front (repeatable)")
    p.add_argument("--max-steps", type=int, default=None, help="tool steps before an answer is forced (default 6)")
    p.add_argument("--model", default=None,
                   help="without --base-url: the model to serve ('default', a registered name or a folder); "
                        "with it: the served model's name (default: the server's first)")
    p.add_argument("--base-url", default=None, help="an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--api-key-env", default=None, metavar="VAR",
                   help="environment variable holding the server's API key (default AI_PLATFORM_AGENT_API_KEY)")
    p.add_argument("--engine", choices=("transformers", "vllm"), default="transformers",
                   help="serve engine when no --base-url is given")
    p.add_argument("--system", default=None, help="system prompt")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--mcp-stdio", action="append", default=[], metavar="COMMAND",
                   help="an MCP server started for this turn; its tools join the built-in ones (repeatable)")
    p.add_argument("--tool-protocol", choices=("auto", "native", "react"), default="auto",
                   help="auto (default): native tool calls where the model can make them, a text protocol "
                        "(ReAct) where it cannot; native: never the text protocol; react: always it")
    p.add_argument("--memory", action="store_true",
                   help="give the agent long-term memory (remember / recall; see `ai-platform memory`)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


class _Printer:
    """Readable steps as they happen (without --json)."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.mid_line = False

    def _line(self, text: str) -> None:
        if self.mid_line:
            self.out.write("\n")
            self.mid_line = False
        self.out.write(text + "\n")
        self.out.flush()

    def __call__(self, event) -> None:
        from app.core import protocol

        if isinstance(event, protocol.Delta):
            self.out.write(event.text)
            self.out.flush()
            self.mid_line = not event.text.endswith("\n")
        elif isinstance(event, protocol.ToolCall):
            self._line(f"→ step {event.step}: {event.name} {json.dumps(event.args, ensure_ascii=False)}")
        elif isinstance(event, protocol.ToolResult):
            first = event.text.strip().splitlines()[0] if event.text.strip() else ""
            more = " …" if len(event.text.strip().splitlines()) > 1 or event.truncated else ""
            self._line(f"← {'ok' if event.ok else 'failed'}: {first[:200]}{more}")

    def finish(self, result: dict) -> None:
        if self.mid_line:  # end the streamed answer's line
            self.out.write("\n")
            self.mid_line = False
        if result.get("message"):
            self._line(result["message"])
        cited = [c for c in result["citations"] if c.get("cited")] or result["citations"]
        if cited:
            self._line("Sources:")
            for c in cited:
                page = f", page {c['page']}" if c.get("page") else ""
                self._line(f"  [{c['n']}] {c['file']}{page} ({c['kb']})")
        for w in result.get("warnings") or []:
            self._line(f"note: {w.get('message', '')}")
        if result["status"] == "stopped":
            self._line("(stopped)")


def start_serve(args, adapter=None):
    """(process, {base_url, api_key, model}) of a serve engine started for this turn; ``adapter``:
    the bundled model's tool adapter, served beside it (app/core/tool_adapter.py)."""
    import subprocess

    from app.core import protocol, tool_adapter

    cmd = [sys.executable, "-m", "app.engines.serve", "--model", args.model or "default", "--engine", args.engine]
    if adapter is not None:
        cmd += ["--adapter", f"{tool_adapter.NAME}={adapter}"]
    proc = subprocess.Popen(cmd, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
                            errors="replace", bufsize=1, start_new_session=True)
    errors = []
    for line in proc.stdout:
        event = protocol.decode_or_none(line, source="serve")
        if isinstance(event, protocol.Result):
            import threading

            # Keep reading: a full pipe would block the server.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, event.data
        if isinstance(event, protocol.Error):
            errors.append(event.message + (f" ({event.hint})" if event.hint else ""))
        elif isinstance(event, protocol.Progress) and event.message and not args.json:
            print(f"[serve] {event.message}", file=sys.stderr, flush=True)
    proc.wait()
    from app.core.errors import UserError

    raise UserError("The model server did not start: " + ("; ".join(errors) or f"exit {proc.returncode}"),
                    code="agent.serve_failed")


def stop_serve(proc) -> None:
    import subprocess

    from app.core import protocol

    if proc.poll() is None:
        try:
            proc.stdin.write(protocol.encode_command("stop") + "\n")
            proc.stdin.flush()
        except (OSError, ValueError):
            pass
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args) -> int:
    from app.core.errors import UserError
    from app.agents.turn import DEFAULT_KEY_ENV, check_request, run_request

    req = {"messages": [{"role": "user", "content": args.question}], "kbs": args.kb,
           "folders": args.allow_folder, "approved_folders": args.allow_folder, "system": args.system,
           "max_steps": args.max_steps, "temperature": args.temperature, "max_tokens": args.max_tokens,
           "memory": bool(args.memory), "tool_protocol": args.tool_protocol}
    kb_filter = {k: v for k, v in (("tags", args.tag), ("source", args.source), ("after", args.after),
                                   ("before", args.before)) if v}
    if kb_filter:
        req["kb_filter"] = kb_filter
    printer = _Printer()
    serve = None
    servers = []
    try:
        extra_tools = []
        if args.mcp_stdio:  # connected first: a command that does not start fails before the model
            import logging

            from app.agents.mcp_client import McpServer, as_tools

            logging.getLogger("mcp").setLevel(logging.CRITICAL)
            for command in args.mcp_stdio:
                servers.append(McpServer(stdio=command))
                extra_tools += as_tools(servers[-1])
        if args.base_url:
            req.update(base_url=args.base_url, model=args.model)
            api_key = os.environ.get(args.api_key_env or DEFAULT_KEY_ENV)  # tool support: unknown
            from app.core.remote_endpoints import plain_http_host

            host = plain_http_host(args.base_url)
            if api_key and host:
                print(f"warning: the API key travels unencrypted over http:// to {host}; use https:// if the "
                      "server offers it", file=sys.stderr)
        else:
            # A typo (knowledge base, folder, step count) fails now, not after a model server started.
            check_request(dict(req, base_url="http://127.0.0.1/"))
            if args.kb:
                from app.agents.kb_search import KBSearcher

                KBSearcher(args.kb).close()
            from app.core import serve_config, tool_adapter, tool_support

            name, folder = serve_config.resolve_model(args.model or "default")
            # The bundled model calls tools through its tool adapter, served beside it (the same
            # weights; requests name the adapter).
            adapter = tool_adapter.for_model(name, folder)
            serve, info = start_serve(args, adapter)
            model = tool_adapter.NAME if adapter is not None else info["model"]
            req.update(base_url=info["base_url"], model=model,
                       tool_support=tool_support.for_folder(folder, info.get("engine") or args.engine,
                                                            model=name, adapter=adapter).to_dict())
            api_key = info["api_key"]
        result = run_request(req, (lambda e: None) if args.json else printer, api_key,
                             extra_tools=extra_tools)  # given on the command line: approved
    except UserError as err:
        return user_error(err, args.json)
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.close()
        if serve is not None:
            stop_serve(serve)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        printer.finish(result)
    return 0
