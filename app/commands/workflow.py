"""`ai-platform workflow`: list the shipped templates, check a workflow, run one headless, resume a run.

    ai-platform workflow templates [--json]
    ai-platform workflow validate FILE_OR_TEMPLATE [--json]
    ai-platform workflow run FILE_OR_TEMPLATE --input TEXT [--kb NAME]... [--allow-folder DIR]...
                             [--approve | --reject] [--model M] [--base-url URL --api-key-env VAR]
                             [--engine transformers|vllm] [--temperature T] [--max-tokens N] [--json]
    ai-platform workflow run FILE_OR_TEMPLATE --resume RUN_ID [--approve | --reject] [--json]

FILE_OR_TEMPLATE is a .json file, a template name (``workflow templates``) or a workflow saved in
``<data folder>/workflows/``. The file format is documented in app/agents/workflow.py.

``run`` checkpoints after every node (<data folder>/workflows/checkpoints.sqlite3). With ``--json``
it prints one JSON object per line: first ``{"type": "run", "run_id", …}``, then one
``{"type": "node", "node", "node_type", "input", "output", "started", "seconds"}`` per node as it finishes, and
last the result ``{"run_id", "status", "output", "trace", "state", "citations", …}``. ``status`` is
``completed``, ``waiting`` (an approval node waits: resume with ``--resume RUN_ID --approve`` or
``--reject``; given on the first run, the answer is used for every approval) or ``failed`` (with
``error``; the run can be resumed, which retries the failed node). A killed or interrupted run resumes
with ``--resume RUN_ID`` from its last checkpoint; nodes that finished are not run again. The model
for llm and agent nodes is reached as ``ai-platform agent`` reaches it: without ``--base-url`` the
serve engine is started on ``--model`` (default: the bundled model) when the first such node runs.
Exit 0: completed or waiting; 2: an error a person can fix (the result names the node); 130: stopped
(Ctrl+C or SIGTERM: the checkpoint stays, a serve engine it started is stopped, status ``stopped``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from app.commands.output import user_error


def register(subparsers) -> None:
    p = subparsers.add_parser("workflow", help="workflows: list templates, validate, run headless and resume",
                              description=__doc__.split("\n\n")[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    sub = p.add_subparsers(dest="workflow_command", required=True)
    t = sub.add_parser("templates", help="list the workflow templates shipped with the app")
    t.add_argument("--json", action="store_true", help="print them as one JSON object")
    t.set_defaults(func=run_templates)
    v = sub.add_parser("validate", help="check a workflow file without running it")
    v.add_argument("workflow", metavar="FILE_OR_TEMPLATE")
    v.add_argument("--json", action="store_true", help="print the result as one JSON object")
    v.set_defaults(func=run_validate)
    r = sub.add_parser("run", help="run a workflow headless and print its trace (or resume a run)",
                       description=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("workflow", metavar="FILE_OR_TEMPLATE")
    r.add_argument("--input", default=None, metavar="TEXT", help="the run's input, {input} in the templates "
                                                                 "(needed unless --resume)")
    r.add_argument("--resume", default=None, metavar="RUN_ID",
                   help="resume this run from its last checkpoint (a killed, failed or waiting run); finished "
                        "nodes are not run again")
    answer = r.add_mutually_exclusive_group()
    answer.add_argument("--approve", dest="approve", action="store_const", const=True, default=None,
                        help="answer yes to approval nodes (else the run stops there with status waiting)")
    answer.add_argument("--reject", dest="approve", action="store_const", const=False,
                        help="answer no to approval nodes")
    r.add_argument("--kb", action="append", default=[], metavar="NAME",
                   help="a knowledge base for kb_search and agent nodes without their own (repeatable)")
    r.add_argument("--allow-folder", action="append", default=[], metavar="DIR",
                   help="let read_file / list_folder use this folder, approved up front (repeatable)")
    r.add_argument("--model", default=None,
                   help="without --base-url: the model to serve ('default', a registered name or a folder); "
                        "with it: the served model's name (default: the server's first)")
    r.add_argument("--base-url", default=None, help="an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    r.add_argument("--api-key-env", default=None, metavar="VAR",
                   help="environment variable holding the server's API key (default AI_PLATFORM_AGENT_API_KEY)")
    r.add_argument("--engine", choices=("transformers", "vllm"), default="transformers",
                   help="serve engine when no --base-url is given")
    r.add_argument("--temperature", type=float, default=0.0, help="for nodes that do not set their own")
    r.add_argument("--max-tokens", type=int, default=None, help="for nodes that do not set their own")
    r.add_argument("--json", action="store_true", help="print the trace and the result as JSON lines")
    r.set_defaults(func=run_workflow)


def run_templates(args) -> int:
    from app.agents.workflow_store import templates

    items = templates()
    if args.json:
        print(json.dumps({"templates": items}, ensure_ascii=False))
        return 0
    for item in items:
        title = item["title"].get("en") if isinstance(item["title"], dict) else item["title"]
        desc = item["description"].get("en") if isinstance(item["description"], dict) else item["description"]
        print(f"{item['name']}: {title}" + ("  (needs --kb)" if item["needs_kb"] else ""))
        print(f"    {desc}")
    return 0


def run_validate(args) -> int:
    from app.agents.workflow import validate
    from app.agents.workflow_store import resolve
    from app.core.errors import UserError

    try:
        data, where = resolve(args.workflow)
        wf = validate(data)
    except UserError as err:
        return user_error(err, args.json)
    summary = {"valid": True, "name": wf.name, "source": where, "start": wf.start,
               "nodes": [{"id": n["id"], "type": n["type"]} for n in wf.nodes.values()]}
    print(json.dumps(summary, ensure_ascii=False) if args.json else f"{wf.name}: valid ({len(wf.nodes)} nodes)")
    return 0


class _Models:
    """The model llm and agent nodes use, reached the way `ai-platform agent` reaches it; the serve
    engine starts on the first node that needs it (a resumed run past its model nodes starts none)."""

    def __init__(self, args):
        self.args = args
        self.serve = None
        self.req: dict | None = None
        self.api_key: str | None = None

    def _endpoint(self) -> dict:
        if self.req is not None:
            return self.req
        from app.agents.turn import DEFAULT_KEY_ENV

        args = self.args
        if args.base_url:
            self.api_key = os.environ.get(args.api_key_env or DEFAULT_KEY_ENV)
            model = args.model
            if not model:
                from app.core import chat_client
                from app.core.errors import UserError

                names = chat_client.list_models(args.base_url, self.api_key)
                if not names:
                    raise UserError(f"The model server at {args.base_url} serves no model.", code="agent.no_model")
                model = names[0]
            self.req = {"base_url": args.base_url, "model": model}
        else:
            from app.commands.agent import start_serve
            from app.core import serve_config, tool_support

            name, folder = serve_config.resolve_model(args.model or "default")
            self.serve, info = start_serve(args)
            self.api_key = info["api_key"]
            self.req = {"base_url": info["base_url"], "model": info["model"],
                        "tool_support": tool_support.for_folder(folder, info.get("engine") or args.engine,
                                                                model=name).to_dict()}
        return self.req

    def _sampling(self, node: dict) -> dict:
        return {"temperature": node.get("temperature", self.args.temperature),
                "max_tokens": node.get("max_tokens", self.args.max_tokens)}

    def chat_model(self, node: dict):
        from app.agents.turn import build_model

        return build_model(dict(self._endpoint(), **self._sampling(node)), self.api_key)

    def agent(self, node: dict, prompt: str, kbs: list[str]) -> dict:
        from app.agents.turn import run_request

        tools = node.get("tools")
        req = dict(self._endpoint(), **self._sampling(node), messages=[{"role": "user", "content": prompt}],
                   kbs=kbs, folders=self.args.allow_folder, approved_folders=self.args.allow_folder,
                   system=node.get("system"), max_steps=node.get("max_steps"),
                   tools=[tools] if isinstance(tools, str) else tools)
        return run_request(req, lambda event: None, self.api_key)

    def close(self) -> None:
        if self.serve is not None:
            from app.commands.agent import stop_serve

            stop_serve(self.serve)
            self.serve = None


def _canonical(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _printer(as_json: bool):
    def emit(entry: dict) -> None:
        if as_json:
            print(json.dumps(dict(entry, type="node", node_type=entry["type"]), ensure_ascii=False, default=str),
                  flush=True)
        else:
            out = entry["output"]
            text = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, default=str)
            first = text.strip().splitlines()[0] if text.strip() else ""
            print(f"▸ {entry['node']} ({entry['type']}, {entry['seconds']:.2f} s): {first[:160]}", flush=True)

    return emit


def _finish(result: dict, args) -> None:
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
        return
    if result.get("error"):
        print(f"error: {result['error']['message']}", file=sys.stderr)
        print(f"Run {result['run_id']} stopped there; fix the cause and resume it with --resume {result['run_id']}.")
        return
    if result["status"] == "waiting":
        w = result["waiting"]
        print(f"Run {result['run_id']} waits for an approval at {w['node']}: {w['message']}")
        print(f"Resume it with: ai-platform workflow run {args.workflow} --resume {result['run_id']} --approve "
              "(or --reject)")
        return
    print(result["output"] if isinstance(result["output"], str) else json.dumps(result["output"], ensure_ascii=False))


def run_workflow(args) -> int:
    from app.agents import workflow_store as store
    from app.agents.workflow import validate
    from app.core.errors import UserError

    try:
        data, where = store.resolve(args.workflow)
        if args.resume:
            record = store.load_record(args.resume)
            if _canonical(record["workflow"]) != _canonical(data):
                raise UserError(f"The run {args.resume} was started from another version of {args.workflow}; resume "
                                "it with the workflow unchanged, or start a new run.", code="workflow.resume_changed",
                                params={"run_id": args.resume, "workflow": args.workflow})
            if record.get("status") == "completed":
                raise UserError(f"The workflow run {args.resume} has already finished.", code="workflow.run_finished",
                                params={"run_id": args.resume})
            args.kb = args.kb or record.get("kbs") or []
            args.allow_folder = args.allow_folder or record.get("folders") or []
        else:
            if args.input is None:
                raise UserError("Give the run's input with --input TEXT (or --resume RUN_ID to resume a run).",
                                code="workflow.input_missing")
            record = {"run_id": store.new_run_id(), "workflow": data, "source": where, "input": args.input,
                      "kbs": args.kb, "folders": args.allow_folder, "status": "running"}
        wf = validate(data)
        for folder in args.allow_folder:
            if not os.path.isdir(folder):
                raise UserError(f"The granted folder {folder} does not exist.", code="agent.folder_missing",
                                params={"folder": folder})
        if args.kb:
            from app.agents.kb_search import KBSearcher

            KBSearcher(args.kb).close()  # a typo fails now, not in the middle of the run
    except UserError as err:
        return user_error(err, args.json)
    return _run(wf, record, args)


def _stop_on_sigterm() -> None:
    """SIGTERM (a window stopping the run) ends it like Ctrl+C: the checkpoint stays, the serve engine
    this command started is stopped, and the result says ``stopped``."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)


def _run(wf, record: dict, args) -> int:
    from app.agents import workflow_store as store
    from app.agents.workflow_run import Services, WorkflowRunner
    from app.core.errors import UserError

    run_id = record["run_id"]
    resumed = bool(args.resume)
    if args.json:
        print(json.dumps({"type": "run", "run_id": run_id, "workflow": wf.name, "resumed": resumed}, ensure_ascii=False),
              flush=True)
    models = _Models(args)
    _stop_on_sigterm()
    services = Services(chat_model=models.chat_model, agent=models.agent, kbs=list(args.kb),
                        folders=list(args.allow_folder))
    code = 0
    try:
        with WorkflowRunner(wf, services, store.checkpoints_file(), emit=_printer(args.json)) as runner:
            store.save_record(record)
            try:
                if resumed and runner.has_checkpoint(run_id):
                    result = runner.resume(run_id, args.approve)
                else:  # a new run, or one killed before its first checkpoint
                    result = runner.start(run_id, record["input"], args.approve)
            except UserError as err:
                result = runner.result(run_id)
                result["status"] = "failed"
                result["error"] = {"code": err.code, "message": str(err), "params": err.params}
                code = 2
            except KeyboardInterrupt:
                result = runner.result(run_id)
                result["status"] = "stopped"
                code = 130
            store.save_record(dict(record, status=result["status"]))
    finally:
        models.close()
    result = {"run_id": run_id, "workflow": wf.name, "resumed": resumed, **result}
    _finish(result, args)
    return code
