"""The knowledge engine as a process: kill mid-index and resume, the serve mode, and the
`ai-platform kb` command line end to end (real model, real faiss)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import protocol
from tests.helpers.engines import REPO, engine_env_for, run_engine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # llama-index imports, in-process part only
]


def _corpus(folder: Path, n: int = 8) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        p = folder / f"doc{i:02d}.md"
        p.write_text(f"# Topic {i}\n\n" + f"Fact number {i} about the island of Pelagia and its tides. " * 30,
                     encoding="utf-8")
        files.append(p)
    return files


def _summary(run) -> dict:
    """The final result event (per-file results are result events too)."""
    found = [e.data for e in run.of(protocol.Result) if e.data.get("summary")]
    assert len(found) == 1, run.stderr[-3000:]
    return found[0]


def test_kill_mid_index_then_resume_has_no_duplicates(ai_home, tmp_path):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    folder = tmp_path / "corpus"
    _corpus(folder)
    with open_database() as db:
        store = KnowledgeStore(db)
        kb = store.create("killme", chunk_size=200, chunk_overlap=20)
        clean = store.create("clean", chunk_size=200, chunk_overlap=20)
    env = engine_env_for(ai_home)
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.knowledge", "add", "--kb", str(kb.id), str(folder),
                             "--batch-files", "1", "--throttle-s", "0.5"],
                            cwd=str(REPO), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            ev = protocol.decode_or_none(line)
            if isinstance(ev, protocol.Checkpoint):
                break
            assert time.monotonic() < deadline
        os.kill(proc.pid, signal.SIGKILL)  # after the first batch was persisted, mid-way
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stdin.close()
    with open_database() as db:
        docs = KnowledgeStore(db).documents(kb.id)
    assert any(d.status in ("queued", "indexing") for d in docs), "the kill landed after the end"
    assert any(d.status == "indexed" for d in docs)

    resumed = run_engine(["app.engines.knowledge", "add", "--kb", str(kb.id)], env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    again = run_engine(["app.engines.knowledge", "add", "--kb", str(clean.id), str(folder)], env, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    n_resumed = _summary(resumed)["chunks_total"]
    n_clean = _summary(again)["chunks_total"]
    assert n_resumed == n_clean > 8
    with open_database() as db:
        docs = KnowledgeStore(db).documents(kb.id)
    assert {d.status for d in docs} == {"indexed"}
    assert sum(d.n_chunks for d in docs) == n_clean
    manifest = json.loads((ai_home / "kb" / str(kb.id) / "manifest.json").read_text())
    assert manifest["n_chunks"] == n_clean
    # Progress events carry throughput.
    prog = again.of(protocol.Progress)
    assert prog and "chunks_per_s" in prog[-1].extra and "files_per_s" in prog[-1].extra


def test_serve_answers_three_queries_over_stdin(ai_home, tmp_path):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("The Greyport ferry refunds tickets when fog delays it.", encoding="utf-8")
    (folder / "b.txt").write_text("白鹭湖冬天结冰后，渔民在冰面上凿洞捕鱼。", encoding="utf-8")
    with open_database() as db:
        kb = KnowledgeStore(db).create("served")
    env = engine_env_for(ai_home)
    add = run_engine(["app.engines.knowledge", "add", "--kb", "served", str(folder)], env, timeout=300)
    assert add.returncode == 0, add.stderr[-2000:]
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.knowledge", "serve", "--kb", str(kb.id)],
                            cwd=str(REPO), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        events = []
        for line in proc.stdout:
            ev = protocol.decode_or_none(line)
            if isinstance(ev, protocol.Log) and ev.extra.get("ready"):
                break
        queries = [("ferry refund fog", "a.txt"), ("冰面捕鱼", "b.txt"), ("ice fishing on a frozen lake", "b.txt")]
        for i, (q, _) in enumerate(queries):
            proc.stdin.write(json.dumps({"cmd": "query", "id": i, "text": q, "top_k": 1}) + "\n")
        proc.stdin.write("not json\n")
        proc.stdin.flush()
        while len([e for e in events if isinstance(e, protocol.Result)]) < 3:
            ev = protocol.decode_or_none(proc.stdout.readline())
            if ev is not None:
                events.append(ev)
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    results = [e.data for e in events if isinstance(e, protocol.Result)]
    for res, (q, name) in zip(sorted(results, key=lambda r: r["id"]), queries):
        assert Path(res["chunks"][0]["file"]).name == name, (q, res)
    print("\nserve query ms:", [r["ms"] for r in results])


def _cli(*args, env, check=True):
    proc = subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO), env=env, check=False,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def test_cli_end_to_end(ai_home, tmp_path):
    env = engine_env_for(ai_home)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bakery.md").write_text("The Fenwick bakery sells a black sesame croissant.", encoding="utf-8")
    (folder / "zh.txt").write_bytes("金沙市规定新建高楼必须在屋顶种植树木。".encode("gbk"))
    (folder / "empty.txt").write_text("", encoding="utf-8")

    out = _cli("create", "notes", "--chunk-size", "300", "--overlap", "30", env=env)
    assert "notes" in out.stdout
    dup = _cli("create", "notes", env=env, check=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr and "Traceback" not in dup.stderr

    added = json.loads(_cli("add", "notes", str(folder), "--json", env=env).stdout)
    files = {Path(f["path"]).name: f for f in added["files"]}
    assert files["bakery.md"]["status"] == "indexed" and files["bakery.md"]["chunks"] == 1
    assert files["zh.txt"]["status"] == "indexed"
    assert files["empty.txt"]["status"] == "skipped" and files["empty.txt"]["error"] == "empty file"
    assert set(files["bakery.md"]) >= {"path", "status", "chunks", "error"}

    res = json.loads(_cli("query", "notes", "屋顶种树", "--top-k", "2", "--json", env=env).stdout)
    assert len(res["chunks"]) == 2
    top = res["chunks"][0]
    assert set(top) >= {"text", "score", "file", "page"}
    assert Path(top["file"]).name == "zh.txt" and "屋顶" in top["text"] and top["page"] is None

    listed = json.loads(_cli("list", "--json", env=env).stdout)["knowledge_bases"]
    assert listed[0]["name"] == "notes" and listed[0]["documents"] == 3 and listed[0]["chunks"] == 2
    assert listed[0]["vector_index"] == {"index": "flat", "vectors": 2}  # exact below 200k chunks

    _cli("remove", "notes", str(folder / "zh.txt"), env=env)
    listed = json.loads(_cli("list", "--json", env=env).stdout)["knowledge_bases"]
    assert listed[0]["documents"] == 2 and listed[0]["chunks"] == 1

    for argv in (("query", "nope", "x", "--json"), ("add", "nope", str(folder)), ("remove", "nope", "x"),
                 ("list", "--json")):
        proc = _cli(*argv, env=env, check=False)
        if argv[0] == "list":
            continue
        assert proc.returncode == 2, argv
        assert 'No knowledge base named "nope"' in proc.stderr and "Traceback" not in proc.stderr
    err = json.loads(_cli("query", "nope", "x", "--json", env=env, check=False).stdout)
    assert err["error"]["code"] == "kb.not_found"
