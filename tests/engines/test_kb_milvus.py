"""Knowledge bases in Milvus Lite (the real ``milvus-lite`` package through llama-index's Milvus
store): the same add / delete / resume / query guarantees as faiss, several processes on one base,
and moving a base between the stores without re-embedding."""

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

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture
def store():
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    db = open_database()
    yield KnowledgeStore(db)
    db.close()


def _open(store, name="mk", **kw):
    from app.knowledge.base import Knowledge

    kb = store.by_name(name) if any(k.name == name for k in store.list()) else store.create(name, store="milvus", **kw)
    return Knowledge(kb, store)


def _stored_ids(k) -> set[int]:
    return set(k.index.vectors.ids())


def test_add_incremental_delete_rebuild_query(store, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    owls, tea, long_ = folder / "owls.txt", folder / "tea.txt", folder / "glacier.md"
    owls.write_text("Copperwing owls migrate every October during moonless nights.", encoding="utf-8")
    tea.write_text("Ironleaf tea grows above two thousand metres and is picked at dawn.", encoding="utf-8")
    long_.write_text("Glacier ants freeze solid in winter. " * 40, encoding="utf-8")
    k = _open(store, chunk_size=200, chunk_overlap=20)
    assert k.index.store == "milvus"
    first = k.add([str(folder)])
    assert first["counts"] == {"indexed": 3}
    n = first["chunks_total"]
    assert n > 3 and _stored_ids(k) == set(k.index.chunks)
    assert (k.folder / "milvus.db").is_dir()
    assert json.loads((k.folder / "manifest.json").read_text())["store"]["kind"] == "milvus"
    hit = k.query("when do the owls migrate", top_k=1)["chunks"][0]
    assert hit["file"] == str(owls) and "October" in hit["text"]

    # Incremental: unchanged files are skipped; a changed one replaces its chunks.
    assert {f["status"] for f in _open(store).add([str(folder)])["files"]} == {"unchanged"}
    long_.write_text("Emberfall marathon runners wear heat-resistant shoes.", encoding="utf-8")
    k2 = _open(store)
    third = {Path(f["path"]).name: f["status"] for f in k2.add([str(folder)])["files"]}
    assert third == {"glacier.md": "indexed", "owls.txt": "unchanged", "tea.txt": "unchanged"}
    assert len(k2.index) == 3 and _stored_ids(k2) == set(k2.index.chunks)
    assert "Emberfall" in k2.query("marathon shoes", top_k=1)["chunks"][0]["text"]

    # Delete: gone from the answers and from Milvus; ids are never reused.
    k2.remove([str(owls)])
    res = _open(store).query("owl migration", top_k=5, mode="dense")
    assert all(c["file"] != str(owls) for c in res["chunks"]) and len(res["chunks"]) == 2
    k3 = _open(store)
    assert _stored_ids(k3) == set(k3.index.chunks) and len(k3.index) == 2
    k3.add([str(owls)])
    assert max(k3.index.chunks) == k3.index.next_id - 1 and len(k3.index) == 3

    # Rebuild with other chunking: everything re-embedded into the same collection, nothing stale.
    from app.knowledge.base import Knowledge

    store.update_settings(k3.kb.id, chunk_size=100, chunk_overlap=10)
    k4 = Knowledge(store.get(k3.kb.id), store, fresh=True)
    assert k4.rebuild()["counts"] == {"indexed": 3}
    k5 = _open(store)
    assert _stored_ids(k5) == set(k5.index.chunks) and len(k5.index) == len(k4.index)
    for mode in ("dense", "hybrid", "bm25"):
        assert k5.query("Ironleaf tea picked at dawn", top_k=1, mode=mode)["chunks"][0]["file"] == str(tea)


def test_a_writer_killed_before_its_save_leaves_nothing_behind(store, tmp_path):
    """Milvus writes at once, outside the generation: what a killed writer inserted and never saved,
    and a delete it never got to, are swept by the next writer; readers never see them."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Saltmarsh herons nest on floating reed islands.", encoding="utf-8")
    b.write_text("Basalt caves echo with the songs of blind crickets.", encoding="utf-8")
    k = _open(store)
    k.add([str(a)])
    saved = set(k.index.chunks)

    # A "killed" writer: vectors inserted into Milvus, no generation saved.
    ghost = _open(store)
    ghost.index.add(str(b), ["Basalt caves echo."], [None], ghost.embed(["Basalt caves echo."]))
    assert len(_stored_ids(ghost)) == len(saved) + 1
    reader = _open(store)
    assert all(c["file"] == str(a) for c in reader.query("basalt caves crickets", top_k=5)["chunks"])

    # An interrupted delete: the generation without the chunk is saved, Milvus still has it.
    k2 = _open(store)
    k2.index.vectors.committed = lambda removed: None
    k2.remove([str(a)])
    assert len(_open(store).index) == 0

    k3 = _open(store)
    k3.add([str(b)])  # the next writer sweeps both leftovers first
    assert _stored_ids(k3) == set(k3.index.chunks) and len(k3.index) == 1
    assert k3.query("herons", top_k=5)["chunks"][0]["file"] == str(b)


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"doc{i:02d}.md").write_text(
            f"# Topic {i}\n\n" + f"Fact number {i} about the island of Pelagia and its tides. " * 30, encoding="utf-8")


def test_kill_mid_index_then_resume_and_a_second_process_reads_meanwhile(ai_home, tmp_path):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    folder = tmp_path / "corpus"
    _corpus(folder, 5)
    with open_database() as db:
        kb = KnowledgeStore(db).create("killme", chunk_size=200, chunk_overlap=20, store="milvus")
    env = engine_env_for(ai_home)
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.knowledge", "add", "--kb", str(kb.id), str(folder),
                             "--batch-files", "1", "--throttle-s", "1.0"],
                            cwd=str(REPO), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            if isinstance(protocol.decode_or_none(line), protocol.Checkpoint):
                break
            assert time.monotonic() < deadline
        # The engine has the base open; another process queries it at the same time.
        q = subprocess.run([sys.executable, "-m", "app", "kb", "query", "killme", "tides of Pelagia", "--json"],
                           cwd=str(REPO), env=env, capture_output=True, text=True, timeout=120)
        assert q.returncode == 0, q.stderr[-2000:]
        assert json.loads(q.stdout)["chunks"], q.stdout
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stdin.close()
    with open_database() as db:
        docs = KnowledgeStore(db).documents(kb.id)
    assert any(d.status in ("queued", "indexing") for d in docs), "the kill landed after the end"

    resumed = run_engine(["app.engines.knowledge", "add", "--kb", str(kb.id)], env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    with open_database() as db:
        store = KnowledgeStore(db)
        docs = store.documents(kb.id)
        assert {d.status for d in docs} == {"indexed"}
        from app.knowledge.base import Knowledge

        k = Knowledge(store.get(kb.id), store)
        # No duplicates in the table or in Milvus: each file's chunks once.
        assert sum(d.n_chunks for d in docs) == len(k.index)
        assert set(k.index.vectors.ids()) == set(k.index.chunks)
        texts = [c.text for c in k.index.chunks.values()]
        assert len(texts) == len({(c.path, c.chunk) for c in k.index.chunks.values()})


def test_migrate_between_faiss_and_milvus_keeps_the_answers(store, tmp_path):
    from app.core.errors import UserError
    from app.knowledge.base import Knowledge, NullReporter

    files = []
    for i, text in enumerate(["Copperwing owls migrate every October during moonless nights.",
                              "Ironleaf tea grows above two thousand metres and is picked at dawn.",
                              "铜翼猫头鹰在十月无月之夜迁徙。"]):
        f = tmp_path / f"d{i}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(str(f))
    kb = store.create("moving")
    Knowledge(kb, store).add(files)
    questions = ["owl migration month", "高山茶叶", "猫头鹰什么时候迁徙"]

    def answers():
        k = Knowledge(store.get(kb.id), store)
        return [[(c["file"], round(c["dense_score"], 4)) for c in k.query(q, top_k=3)["chunks"]] for q in questions]

    before = answers()
    rep = NullReporter()
    progress = []
    rep.emit = lambda ev: progress.append(ev) if isinstance(ev, protocol.Progress) else None
    out = Knowledge(store.get(kb.id), store, rep).migrate("milvus")
    assert out["from"] == "faiss" and out["to"] == "milvus-lite" and out["chunks"] == 3
    assert progress and progress[-1].step == progress[-1].total == 3
    assert store.get(kb.id).vector_store == "milvus"
    assert answers() == before
    with pytest.raises(UserError) as err:
        Knowledge(store.get(kb.id), store).migrate("milvus")
    assert err.value.code == "kb.store.same"
    Knowledge(store.get(kb.id), store).migrate("faiss")
    assert store.get(kb.id).vector_store == "faiss" and answers() == before


def test_bad_store_choices_are_named(store):
    from app.core.errors import UserError

    for kw, code in (({"store": "qdrant"}, "kb.store.unknown"),
                     ({"store": "faiss", "uri": "http://x:19530"}, "kb.store.uri_needs_milvus"),
                     ({"store": "milvus", "uri": "milvus.lab"}, "kb.store.bad_uri")):
        with pytest.raises(UserError) as err:
            store.create("bad", **kw)
        assert err.value.code == code
    assert not store.list()


def test_cli_create_milvus_and_an_unreachable_server(ai_home, tmp_path):
    env = engine_env_for(ai_home)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO), env=env,
                              capture_output=True, text=True, timeout=120)

    made = cli("create", "papers", "--store", "milvus", "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["store"] == "milvus"
    listed = cli("list")
    assert "milvus-lite" in listed.stdout
    # A server that is not there: a plain message, and no half-made base.
    down = cli("create", "remote", "--store", "milvus", "--uri", "http://127.0.0.1:9", "--json")
    assert down.returncode == 2, down.stdout + down.stderr
    assert "Nothing answers at http://127.0.0.1:9" in down.stderr and "Traceback" not in down.stderr
    assert "migrate" not in down.stderr  # no advice about a base that does not exist
    assert "remote" not in cli("list").stdout
