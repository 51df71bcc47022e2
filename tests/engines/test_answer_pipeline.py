"""The answer pipeline without a window: a QCoreApplication only (no QtWidgets imported), real
engines (the transformers serve engine on the bundled model, the knowledge engine), a real database.

One child process drives compare mode with a knowledge base attached: two answers, each grounded in
the document with citations; a question the documents do not answer gets the honest refusal.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

app = QCoreApplication(sys.argv)
from app.core import settings as settings_mod
from app.core.chat_store import ChatStore
from app.core.chat_targets import ChatTarget
from app.core.db import open_database
from app.core.kb import KnowledgeStore
from app.workers.answers import AnswerPipeline
from app.workers.kb_jobs import KbJobs
from app.workers.kb_query import KbQueryService
from app.workers.serve_manager import ServeManager

def wait(cond, timeout_s):
    loop, timer = QEventLoop(), QTimer()
    timer.timeout.connect(lambda: cond() and loop.quit())
    timer.start(50)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    return cond()

db = open_database()
kb = KnowledgeStore(db).create("Atlas")
kb_query = KbQueryService()
jobs = KbJobs(db, kb_query)
done = []
jobs.job_done.connect(lambda kb_id, outcome: done.append(outcome.ok))
jobs.add(kb.id, [sys.argv[1]])
assert wait(lambda: done, 300), "indexing did not finish"
assert done == [True], done

serve = ServeManager(settings_mod.load(), engine_choice="transformers")
store = ChatStore(db)
answers = AnswerPipeline(store, serve, kb_query, knowledge_bases=lambda: [(kb.id, kb.name)])
finished = []
answers.finished.connect(lambda mid, status: finished.append((mid, status)))
session = store.create_session(model="default", params={"kbs": [kb.id], "max_tokens": 24, "temperature": 0.0})
target = ChatTarget(label="SmolLM2-135M-Instruct", model_ref="default", kind="bundled")
out = {}
for name, question in (("grounded", "What colour are the roofs of Quillentown?"),
                       ("refused", "How do I bake sourdough bread with rye flour?")):
    user = store.add_message(session.id, "user", question)
    ids = answers.start(store.get_session(session.id), question, user.id, [("A", target), ("B", target)])
    assert wait(lambda: not answers.jobs, 400), "answers did not finish"
    out[name] = [dict(status=m.status, content=m.content, meta=m.meta) for m in store.messages(session.id)
                 if m.id in ids]
serve.shutdown(); kb_query.shutdown()
out["widgets_loaded"] = "PySide6.QtWidgets" in sys.modules
print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
"""

DOC = ("Quillentown is the capital of Zorbania. Every roof in Quillentown is painted bright teal, by a law "
       "from 1802, so the city looks green-blue from the hills. The river Lorrow runs through its old town.\n")


def test_compare_with_a_knowledge_base_runs_without_a_window(tmp_path, converted_model_dir):
    home = tmp_path / "home"
    target = home / "models" / "smollm2-135m-instruct"
    target.parent.mkdir(parents=True)
    target.symlink_to(converted_model_dir, target_is_directory=True)
    doc = tmp_path / "zorbania.md"
    doc.write_text(DOC, encoding="utf-8")
    env = dict(engine_env_for(home), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(doc)], env=env, cwd=str(REPO), capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    out = json.loads(lines[-1][len("RESULT "):])

    assert out["widgets_loaded"] is False  # the pipeline and its workers import no widget
    grounded = out["grounded"]
    assert [m["meta"]["slot"] for m in grounded] == ["A", "B"]  # compare: two answers to one question
    for m in grounded:
        assert m["status"] == "complete", m["meta"]
        assert m["content"].strip()
        assert m["meta"]["rag"] == "grounded"
        assert m["meta"]["pair"]  # both answers belong to the same question
        cited = m["meta"]["citations"]
        assert cited and all(c["file"].endswith("zorbania.md") for c in cited)
        assert any("teal" in c["text"] for c in cited)
    refused = out["refused"]
    assert len(refused) == 2
    for m in refused:
        assert m["status"] == "complete" and m["meta"]["rag"] == "none"
        assert "No relevant passage found" in m["content"]
