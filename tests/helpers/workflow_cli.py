"""`ai-platform` with two more agent tools, for workflow tests that kill and resume a run in a child
process: ``note`` appends a line to the file named by $WF_NOTES (so a test sees which nodes really
ran, and how often), ``wait_for_file`` blocks until the file named by $WF_GO exists (a node that is
still running when the test kills the process). Registered with the public ``@tool`` decorator,
like any tool; only this child process has them.

    python -m tests.helpers.workflow_cli workflow run FILE --input TEXT --json
"""

from __future__ import annotations

import os
import sys
import time

from app.agents.tools import ToolError, tool


def _note(text: str) -> None:
    with open(os.environ["WF_NOTES"], "a", encoding="utf-8") as fh:
        fh.write(text + "\n")


@tool("note", "Append a line to the test's notes file.", {"text": {"type": "string"}}, required=["text"])
def note(ctx, text: str) -> str:
    _note(text)
    return f"noted {text}"


@tool("wait_for_file", "Wait until the test creates its go file.", {"seconds": {"type": "number"}})
def wait_for_file(ctx, seconds: float = 60) -> str:
    _note("waiting")
    deadline = time.monotonic() + float(seconds)
    while not os.path.exists(os.environ["WF_GO"]):
        if time.monotonic() > deadline:
            raise ToolError("the go file never appeared")
        time.sleep(0.05)
    return "go"


if __name__ == "__main__":
    from app.cli import main

    sys.exit(main(sys.argv[1:]))
