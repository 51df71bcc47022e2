"""The agent engine: one tool-using chat turn (app/agents/graph.py) against an OpenAI-compatible server.

    python -m app.engines.agent REQUEST.json

The request is a JSON file (stdin stays free for commands). The API key never travels in argv or
the file: it is read from the environment variable named by ``api_key_env``
(default ``AI_PLATFORM_AGENT_API_KEY``; unset = no key)::

    {"base_url": "http://127.0.0.1:8000/v1",   required
     "model": "SmolLM2-135M-Instruct",         default: the server's first model
     "api_key_env": "AI_PLATFORM_AGENT_API_KEY",
     "messages": [{"role": "user", "content": "…"}],   the history, oldest first; the last is the question
     "system": "You are …",                    optional; tool guidance is appended
     "kbs": ["docs"],                          knowledge bases (names or ids) kb_search may use
     "kb_filter": {"tags": ["2026"], "source": "", "after": "", "before": ""},
                                               optional: kb_search sees only matching documents
     "folders": ["/home/me/notes"],            granted folders read_file / list_folder may use
     "approved_folders": ["/home/me/notes"],   granted folders already approved (no question)
     "tools": null,                            optional: only these tool names
     "tool_protocol": "auto",                  auto | native | react (app/agents/turn.py): how tools are
                                               offered when the model cannot call them natively
     "memory": false,                          true: the remember / recall tools (long-term memory,
                                               app/core/memory_store.py, in the app database)
     "tool_support": {"status": "no", "code": "tools.template_none", "message": "…", "params": {…}},
                                               optional (app/core/tool_support.py): "no" = no native tools (ReAct)
     "max_steps": 6, "temperature": 0.2, "max_tokens": 1024}

Events on stdout (JSON lines, app/core/protocol.py), in the order they happen::

    {"type":"started","pid":…,"engine":"agent","version":…,"ts":…}
    {"type":"delta","step":1,"text":"Let me look","ts":…}              streamed model text
    {"type":"tool_call","step":1,"id":"call_1","name":"kb_search","args":{"query":"…"},"ts":…}
    {"type":"approval","tool":"read_file","folder":"/home/me/notes","path":"/home/me/notes/a.txt","ts":…}
    {"type":"tool_result","step":1,"id":"call_1","name":"kb_search","ok":true,"text":"[1] a.md …",
     "truncated":false,"ts":…}                                          text cut at 2000 chars for display
    {"type":"result","data":{"answer":"… [1]","status":"completed","limit_reached":false,
     "tools_refused":false,"warnings":[],"model_calls":2,"model":"…","steps":[{"step":1,"id":"call_1","tool":"kb_search","args":{…},"ok":true,
     "result":"…","truncated":false}],"citations":[{"n":1,"kb":"docs","file":"/…/a.md","page":null,
     "chunk":0,"score":0.82,"text":"…","cited":true}]},"ts":…}
    {"type":"done","status":"completed|stopped|failed","ts":…}

``step`` is the model call a delta or tool belongs to. Deltas of a call that ends in tool calls are
the model's words before using a tool; ``result.answer`` is the final text alone. An ``approval``
belongs to the ``tool_call`` just before it; its ``tool_result`` follows the answer. With
``limit_reached`` the result also has ``message`` (the model kept calling tools); so it has with
``loop_stopped`` (the same tool call with the same arguments asked for a third time in a row is not
run: the turn ends, with an ``agent.tool_loop`` warning). A server that
refuses tools (vLLM without --enable-auto-tool-choice) gets the turn in the text protocol (ReAct):
``{"type":"log","level":"WARNING",…}`` and ``tools_refused: true``. ``tool_protocol`` in the result
says how tools were offered: "native", "react" (text protocol) or "none". ``warnings`` says why no tool
was used (``{"code", "message", "params"}`` each, see app/agents/turn.py): the model cannot call
tools on this engine (the request's ``tool_support`` said "no"), the server refused them, or none was
called on a server whose tool support is unknown. A citation is every chunk
kb_search returned, numbered as the model saw it; ``cited`` = the answer mentions ``[n]``. A failure
a person can fix is an ``error`` event (message + hint) before ``done: failed``.

Commands on stdin: ``{"cmd":"approve","folder":…,"allow":true|false}`` answers an ``approval``;
``{"cmd":"stop"}`` (or SIGTERM) cancels the turn at the next step, still sending the ``result`` with
what was done so far, then ``done: stopped``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from app.agents.tools import TurnCancelled
from app.agents.turn import DEFAULT_KEY_ENV, run_request
from app.core import protocol
from app.core.engine_runtime import run_main
from app.core.errors import UserError

ENGINE = "agent"


class Commands:
    """stdin commands for a running turn: stop, and approval answers the tool thread waits on."""

    def __init__(self, rt):
        self.rt = rt
        self.runner = None
        self._cond = threading.Condition()
        self._answers: dict[str, bool] = {}
        self._eof = False

    def attach(self, runner) -> None:
        self.runner = runner
        if self.rt.stop_requested:
            runner.stop()

    def listen(self) -> None:
        for line in sys.stdin:
            cmd = protocol.decode_command(line)
            if cmd is None:
                continue
            if cmd["cmd"] == "stop":
                self.rt.request_stop("stop command")
            elif cmd["cmd"] == "ping":
                self.rt.emit(protocol.Log(level="INFO", message="pong"))
            elif cmd["cmd"] == "approve":
                with self._cond:
                    self._answers[os.path.realpath(str(cmd.get("folder", "")))] = cmd.get("allow") is True
                    self._cond.notify_all()
        with self._cond:  # the GUI went away: nobody can approve any more
            self._eof = True
            self._cond.notify_all()

    def watch_stop(self) -> None:
        self.rt.wait_stop(None)  # stop command or SIGTERM
        if self.runner is not None:
            self.runner.stop()
        with self._cond:
            self._cond.notify_all()

    def ask(self, tool: str, folder: str, path: str) -> bool:
        self.rt.emit(protocol.Approval(tool=tool, folder=folder, path=path))
        with self._cond:
            while True:
                if self.rt.stop_requested:
                    raise TurnCancelled()
                if folder in self._answers:
                    return self._answers[folder]
                if self._eof:
                    return False
                self._cond.wait(1.0)


def _body(args, rt) -> str:
    try:
        with open(args.request, encoding="utf-8") as fh:
            req = json.load(fh)
    except OSError as exc:
        rt.error(f"Cannot read the agent request {args.request}: {exc.strerror}.", hint="Pass a JSON file.",
                 extra={"code": "agent.request_unreadable", "params": {"path": str(args.request),
                                                                       "reason": exc.strerror or str(exc)}})
        return "failed"
    except ValueError as exc:
        rt.error(f"The agent request {args.request} is not valid JSON: {exc}.",
                 extra={"code": "agent.request_bad_json", "params": {"path": str(args.request), "reason": str(exc)}})
        return "failed"
    key_env = (req.get("api_key_env") if isinstance(req, dict) else None) or DEFAULT_KEY_ENV
    commands = Commands(rt)
    threading.Thread(target=commands.listen, name="agent-stdin", daemon=True).start()
    threading.Thread(target=commands.watch_stop, name="agent-stop", daemon=True).start()
    try:
        result = run_request(req, rt.emit, os.environ.get(key_env), ask=commands.ask, on_runner=commands.attach)
    except UserError as err:
        rt.user_error(err, _hint(err), hint_code=f"agent.hint.{err.code}" if _hint(err) else "")
        return "failed"
    rt.result(**result)
    return result["status"]


def _hint(err: UserError) -> str:
    return {"agent.no_server": "Start the model server in the Chat panel or with `ai-platform serve`.",
            "agent.auth": "Check the API key of the server.",
            "kb.not_found": "Create it in the Knowledge panel or with `ai-platform kb create NAME`."}.get(err.code, "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m app.engines.agent", description="One agent turn (see the module doc).")
    p.add_argument("request", help="the request JSON file")
    args = p.parse_args(argv)
    return run_main(ENGINE, lambda rt: _body(args, rt), listen_stdin=False)


if __name__ == "__main__":
    sys.exit(main())
