"""MCP servers as agent tools, through the ``mcp`` package.

``McpServer(stdio="COMMAND")`` or ``McpServer(http="URL")`` connects (stdio: starts the command;
http: streamable HTTP), initialises the session and lists the tools; ``call(name, args)`` runs one.
The session lives on an asyncio loop in a background thread, so the synchronous agent loop calls it
like any other tool. ``as_tools(server)`` gives the server's tools as app/agents/tools.py ``Tool``s
(``needs_approval``), which a turn adds to its ``ToolContext.extra_tools``.

Failures a person can fix are ``UserError``s: ``mcp.start_failed`` (the command does not start),
``mcp.timeout`` (no answer in time), ``mcp.not_a_server`` (it answered, but not as an MCP server).
"""

from __future__ import annotations

import asyncio
import shlex
import threading
from contextlib import AsyncExitStack

from app.agents.tools import REGISTRY, Tool, ToolError
from app.core.errors import UserError

DEFAULT_TIMEOUT = 30.0


class McpServer:
    def __init__(self, *, stdio: str | None = None, http: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 env: dict | None = None):
        if bool(stdio) == bool(http):
            raise ValueError("give exactly one of stdio or http")
        self.stdio, self.http, self.timeout = stdio, http, float(timeout)
        self.label = stdio or http
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="mcp-client")
        self._thread.start()
        self._stack: AsyncExitStack | None = None
        self._session = None
        self.tools: list[dict] = []
        try:
            self._run(self._open(env), self.timeout)
        except BaseException:
            self.close()
            raise

    # --- plumbing ----------------------------------------------------------------------------
    def _run(self, coro, timeout: float):
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout + 5)
        except TimeoutError:
            fut.cancel()
            raise self._timeout_error() from None

    def _timeout_error(self) -> UserError:
        return UserError(f"The MCP server {self.label!r} did not answer within {self.timeout:g} seconds.",
                         code="mcp.timeout", params={"server": self.label, "seconds": f"{self.timeout:g}"})

    async def _open(self, env: dict | None) -> None:
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client

        self._stack = AsyncExitStack()
        try:
            if self.stdio:
                argv = shlex.split(self.stdio)
                if not argv:
                    raise UserError("The MCP server command is empty.", code="mcp.start_failed",
                                    params={"server": self.label, "reason": "empty command"})
                params = StdioServerParameters(command=argv[0], args=argv[1:], env=env)
                try:
                    read, write = await self._stack.enter_async_context(stdio_client(params))
                except OSError as exc:
                    raise UserError(f"The MCP server command {self.label!r} does not start: {exc}",
                                    code="mcp.start_failed",
                                    params={"server": self.label, "reason": str(exc)}) from None
            else:
                from mcp.client.streamable_http import streamablehttp_client

                read, write, _ = await self._stack.enter_async_context(streamablehttp_client(self.http))
            self._session = await self._stack.enter_async_context(ClientSession(read, write))
            try:
                await asyncio.wait_for(self._session.initialize(), self.timeout)
                listed = await asyncio.wait_for(self._session.list_tools(), self.timeout)
            except TimeoutError:
                raise self._timeout_error() from None
        except UserError:
            await self._close_stack()
            raise
        except BaseException as exc:  # closed pipe, garbage on stdout, HTTP error…
            await self._close_stack()
            reason = _reason(exc)
            raise UserError(f"{self.label!r} is not an MCP server (or it stopped): {reason}",
                            code="mcp.not_a_server", params={"server": self.label, "reason": reason}) from None
        self.tools = [{"name": t.name, "description": t.description or "",
                       "input_schema": t.inputSchema or {"type": "object", "properties": {}}}
                      for t in listed.tools]

    async def _close_stack(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            try:
                await stack.aclose()
            except BaseException:  # noqa: BLE001 - closing a broken server must not hide why it broke
                pass

    # --- use ---------------------------------------------------------------------------------
    def call(self, name: str, args: dict) -> tuple[bool, str]:
        """(ok, text) of one tool call; the server's error result is (False, its text)."""
        if self._session is None:
            raise ToolError(f"the MCP server {self.label} is closed")

        async def go():
            return await asyncio.wait_for(self._session.call_tool(name, args), self.timeout)

        try:
            result = self._run(go(), self.timeout)
        except UserError as exc:
            raise ToolError(str(exc)) from None
        except TimeoutError:
            raise ToolError(str(self._timeout_error())) from None
        parts = []
        for block in result.content or []:
            text = getattr(block, "text", None)
            parts.append(text if text is not None else f"[{getattr(block, 'type', 'content')}]")
        if not parts and result.structuredContent is not None:
            import json

            parts.append(json.dumps(result.structuredContent, ensure_ascii=False))
        return not result.isError, "\n".join(parts)

    def close(self) -> None:
        if self._loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._close_stack(), self._loop).result(10)
            except Exception:  # noqa: BLE001
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_reason(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__


def as_tools(server: McpServer, *, needs_approval: bool = True) -> list[Tool]:
    """The server's tools as agent tools (run through ``server.call``)."""
    out = []
    for spec in server.tools:
        schema = dict(spec["input_schema"])
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        schema.setdefault("required", [])

        def func(ctx, _name=spec["name"], **args):
            ok, text = server.call(_name, args)
            if not ok:
                raise ToolError(text or f"{_name} failed")
            return text

        # a server's "calculator" must not silently replace the app's own: it is offered as mcp_calculator
        name = f"mcp_{spec['name']}" if spec["name"] in REGISTRY else spec["name"]
        out.append(Tool(name, spec["description"] or spec["name"], schema, func,
                        needs_approval=needs_approval, source=server.label))
    return out
