"""Knowledge bases against a careless or hostile user (issue 18), with the real embedding model,
real faiss and real processes: a message per bad input, nothing wedged (a later add of a good file
works), nothing lost (index and database agree after two concurrent adds), a full disk said plainly.

One data folder and one knowledge base are shared by the module (the model loads once); tests that
need a base of their own create it there under their own name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    return tmp_path_factory.mktemp("kb-hostile") / "home"


@pytest.fixture
def ai_home(module_home, monkeypatch):  # overrides tests/conftest.py's per-test home: one per module
    module_home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("AI_PLATFORM_HOME", str(module_home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(module_home.parent / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(module_home.parent / "xdg-data"))
    return module_home


@pytest.fixture
def store(ai_home):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    db = open_database()
    yield KnowledgeStore(db)
    db.close()


def _kb(store, name, **kw):
    from app.knowledge.base import Knowledge

    kb = store.by_name(name) if any(k.name == name for k in store.list()) else store.create(name, **kw)
    return Knowledge(kb, store)


def _agree(store, k) -> None:
    """The rows and the index on disk say the same (fresh open: what a next run sees)."""
    from app.knowledge.base import Knowledge

    fresh = Knowledge(store.get(k.kb.id), store)
    docs = store.documents(k.kb.id)
    assert not [d.path for d in docs if d.status in ("queued", "indexing")]
    indexed = {d.path: d.n_chunks for d in docs if d.status in ("indexed", "unchanged")}
    assert {p: len(ids) for p, ids in fresh.index.by_path.items() if ids} == indexed
    assert sum(d.n_chunks for d in docs) == len(fresh.index)


def _cli(*args, env, stdin=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO), env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


# --- 1. one document's failure is that document's only ------------------------------------------
def test_a_failing_document_is_marked_failed_and_nothing_wedges(store, tmp_path, monkeypatch):
    """nltk's regex time limit tripping (what an 8 MB text did) fails that one document with a
    reason; the others index; the next add does not retry it; adding it again does."""
    import nltk.redos

    from app.core.kb import PENDING

    k = _kb(store, "hostile", chunk_size=200, chunk_overlap=20)
    d = tmp_path / "drop"
    d.mkdir()
    (d / "long.txt").write_text("Tides of Pelagia rise at dawn. " * 40, encoding="utf-8")  # > one chunk
    (d / "short.txt").write_text("The Greyport ferry refunds tickets when fog delays it.", encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(nltk.redos, "DEFAULT_TIMEOUT", 1e-9)  # every sentence split times out
        res = k.add([str(d)])
    by = {Path(f["path"]).name: f for f in res["files"]}
    assert by["short.txt"]["status"] == "indexed"
    assert by["long.txt"]["status"] == "failed" and by["long.txt"]["code"] == "kb.index.failed"
    assert "TimeoutError" in by["long.txt"]["error"]
    doc = store.document(k.kb.id, str(d / "long.txt"))
    assert doc.status == "failed" and doc.error_code == "kb.index.failed"

    good = tmp_path / "later.md"
    good.write_text("Copperwing owls migrate every October.", encoding="utf-8")
    later = _kb(store, "hostile").add([str(good)])
    assert [(Path(f["path"]).name, f["status"]) for f in later["files"]] == [("later.md", "indexed")]
    assert store.document(k.kb.id, str(d / "long.txt")).status == "failed"  # not retried on its own
    again = _kb(store, "hostile").add([str(d / "long.txt")])
    assert again["files"][0]["status"] == "indexed" and again["files"][0]["chunks"] > 1

    # A run killed while reading a document leaves it "indexing": the next add finishes it once;
    # if that run is killed on it too, it is failed with a reason instead of wedging every add.
    kid = k.kb.id
    store.set_document(kid, str(good), status="indexing", error=None)
    resumed = _kb(store, "hostile").add([])
    assert [(Path(f["path"]).name, f["status"]) for f in resumed["files"]] == [("later.md", "indexed")]
    from app.knowledge.base import RESUMED

    store.set_document(kid, str(good), status="indexing", error=RESUMED)
    twice = _kb(store, "hostile").add([])
    assert [(Path(f["path"]).name, f["status"], f["code"]) for f in twice["files"]] == [
        ("later.md", "failed", "kb.index.interrupted")]
    assert not store.documents(kid, status=PENDING)
    _agree(store, _kb(store, "hostile"))


def test_a_big_text_without_paragraphs_is_split_before_the_sentence_splitter(store, monkeypatch):
    """The splitter got the whole text: ≈ 8 MB without paragraph breaks ran past nltk's 5 s regex
    limit (kb add crashed, the document stayed "indexing"). Here 400 k characters against a 0.5 s
    limit: the same ratio, in a tenth of the time."""
    import random

    import nltk.redos

    from app.knowledge.readers import Section

    monkeypatch.setattr(nltk.redos, "DEFAULT_TIMEOUT", 0.5)
    rnd = random.Random(0)
    words = ["tide", "harbour", "Mr.", "e.g.", "3.14", "wall", "U.S.A.", "gull", "alpha", "beta"]
    text = " ".join(rnd.choice(words) for _ in range(75_000))
    assert len(text) > 380_000 and "\n" not in text
    k = _kb(store, "hostile", chunk_size=200, chunk_overlap=20)
    k.kb = store.update_settings(k.kb.id, chunk_size=2000, chunk_overlap=0)
    k._splitter = None
    texts, _ = k.chunk([Section(text)])
    assert len(texts) > 150
    assert sum(len(t.split()) for t in texts) == 75_000  # nothing dropped (overlap 0)
    store.update_settings(k.kb.id, chunk_size=200, chunk_overlap=20)


# --- 3, 4, 8. bad entries in a dropped folder: each reported, the rest indexed -------------------
def test_a_hostile_folder_reports_each_entry_and_indexes_the_rest(store, tmp_path):
    from tests.fixtures.kb.corpus import make_docx

    d = tmp_path / "hostile-drop"
    (d / "sub").mkdir(parents=True)
    os.symlink("loop2", d / "loop1")
    os.symlink("loop1", d / "loop2")
    with open(os.fsencode(d) + b"/r\xe9sum\xe9.txt", "wb") as fh:  # Latin-1 bytes in the name
        fh.write(b"a resume in a file whose name is not UTF-8")
    (d / "program.txt").write_bytes(Path(sys.executable).resolve().read_bytes()[:20000])
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300))
    make_docx(d / "normal.docx", ["Bryum nocturna glows blue after rain."])
    import zipfile

    with zipfile.ZipFile(d / "normal.docx") as zin, zipfile.ZipFile(d / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, zin.read(info))
        z.writestr("word/document.xml", b"<w:document xmlns:w='x'><w:body>" + b"<w:p/>" * 3_000_000
                   + b"</w:body></w:document>")
    (d / "sub" / "good.md").write_text("The Tarsk lighthouse keepers signal with lanterns.", encoding="utf-8")

    k = _kb(store, "hostile", chunk_size=200, chunk_overlap=20)
    res = k.add([str(d)])
    by = {f["path"].replace(str(d) + "/", ""): (f["status"], f.get("code")) for f in res["files"]}
    assert by == {
        "loop1": ("skipped", "kb.read.symlink_loop"), "loop2": ("skipped", "kb.read.symlink_loop"),
        "r\ufffdsum\ufffd.txt": ("skipped", "kb.read.bad_name"),
        "program.txt": ("skipped", "kb.read.executable"), "photo.png": ("failed", "kb.read.bad_image"),
        "bomb.docx": ("failed", "kb.read.zip_bomb"), "normal.docx": ("indexed", None),
        "sub/good.md": ("indexed", None)}
    assert all(f["error"] for f in res["files"] if f["status"] != "indexed")
    json.dumps(res, ensure_ascii=False).encode("utf-8")  # printable: no lone surrogates
    assert k.query("lighthouse lanterns", top_k=1)["chunks"][0]["file"].endswith("good.md")
    _agree(store, k)


# --- 2. two writers at once --------------------------------------------------------------------
def test_two_concurrent_cli_adds_lose_nothing(store, ai_home, tmp_path):
    env = engine_env_for(ai_home)
    folders = []
    for tag in ("a", "b"):
        f = tmp_path / f"batch-{tag}"
        f.mkdir()
        for i in range(25):
            (f / f"{tag}{i:02d}.txt").write_text(f"Note {tag}{i}: the {tag}-series gull {i} nests on cliff {i}.",
                                                encoding="utf-8")
        folders.append(f)
    store.create("together")
    procs = [subprocess.Popen([sys.executable, "-m", "app", "kb", "add", "together", str(f), "--json"],
                              cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in folders]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
        assert json.loads(out)["counts"] == {"indexed": 25}
    k = _kb(store, "together")
    assert len(store.documents(k.kb.id)) == 50
    assert len(k.index.by_path) == 50 and len(k.index) == 50  # before the lock: 50 rows, 25 in the index
    _agree(store, k)

    # A writer that cannot get the lock in time says so (code kb.busy) and changes nothing.
    from app.core.locks import kb_write_lock

    extra = tmp_path / "extra.txt"
    extra.write_text("One more gull.", encoding="utf-8")
    with kb_write_lock(k.kb.id, "together"):
        busy = _cli("add", "together", str(extra), "--json", env={**env, "AI_PLATFORM_KB_LOCK_WAIT_S": "1"})
    assert busy.returncode == 2 and json.loads(busy.stdout)["error"]["code"] == "kb.busy"
    assert "another window or command" in busy.stderr and "Traceback" not in busy.stderr
    assert store.document(k.kb.id, str(extra)) is None


# --- 7. removing many documents asks first -----------------------------------------------------
def test_remove_of_many_documents_needs_confirmation(store, ai_home, tmp_path):
    env = engine_env_for(ai_home)
    d = tmp_path / "two"
    d.mkdir()
    (d / "a.txt").write_text("Alpha document about kites.", encoding="utf-8")
    (d / "b.txt").write_text("Beta document about canoes.", encoding="utf-8")
    k = _kb(store, "removable")
    k.add([str(d)])
    refused = _cli("remove", "removable", "/", "--json", env=env)
    assert refused.returncode == 2 and json.loads(refused.stdout)["error"]["code"] == "kb.remove_confirm"
    said_no = _cli("remove", "removable", "/", env=env, stdin="n\n")
    assert said_no.returncode == 2 and "Remove 2 documents" in said_no.stderr and "--yes" in said_no.stderr
    no_answer = _cli("remove", "removable", str(d), env=env, stdin="")
    assert no_answer.returncode == 2
    assert len(store.documents(k.kb.id)) == 2
    yes = _cli("remove", "removable", "/", "--yes", "--json", env=env)
    assert yes.returncode == 0, yes.stderr
    assert len(json.loads(yes.stdout)["files"]) == 2 and store.documents(k.kb.id) == []


# --- 5. a full disk ------------------------------------------------------------------------------
@pytest.fixture
def full_disk(tmp_path):
    """An 8 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path) -> Path:
    """Write until not one more byte fits."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for size in (1 << 16, 4096, 1):
            block = b"\xff" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_is_said_plainly_and_cleaned_up(full_disk, tmp_path, monkeypatch):
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    home = full_disk / "home"
    home.mkdir()
    monkeypatch.setenv("AI_PLATFORM_HOME", str(home))
    env = engine_env_for(home)
    data = tmp_path / "ds.jsonl"
    data.write_text('{"instruction": "Say hi", "output": "Hi"}\n', encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):
        (docs / f"d{i}.txt").write_text(f"Section {i}. " + "The gulls of Pelagia nest on the cliffs. " * 300,
                                        encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "app", "datasets", "import", str(data)], cwd=str(REPO), env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    with open_database() as db:
        store = KnowledgeStore(db)
        kb = store.create("tight", chunk_size=200, chunk_overlap=20)
        k = Knowledge(kb, store)
        k.add([str(docs / "d0.txt")])
        before = len(k.index)
        filler = _fill(full_disk)
        with pytest.raises(UserError) as exc:
            k.add([str(docs)])
        assert exc.value.code == "disk.full" and "MB free at" in str(exc.value)
        assert not [p.name for p in k.folder.iterdir() if p.name.startswith(("tmp-", ".manifest"))]

        for argv in (["kb", "create", "more"], ["kb", "add", "tight", str(docs)],
                     ["datasets", "import", str(data), "--name", "again"]):
            _fill(full_disk)  # a failed command may have freed a little (SQLite truncates its log)
            proc = subprocess.run([sys.executable, "-m", "app", *argv], cwd=str(REPO), env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 2, (argv, proc.stderr[-2000:])
            assert "error: The disk is full (" in proc.stderr and "Traceback" not in proc.stderr, argv
        assert not [p.name for p in k.folder.iterdir() if p.name.startswith("tmp-")]
        assert not [p.name for p in (home / "datasets").iterdir() if p.name.startswith(".import")]
        # What only reads goes on working.
        for argv in (["kb", "list"], ["datasets", "list"]):
            proc = subprocess.run([sys.executable, "-m", "app", *argv], cwd=str(REPO), env=env,
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, (argv, proc.stderr[-2000:])
        listed = subprocess.run([sys.executable, "-m", "app", "kb", "list"], cwd=str(REPO), env=env,
                                capture_output=True, text=True, timeout=120).stdout
        assert "tight" in listed
        # Space again: nothing is wedged, and the index agrees with the rows.
        filler.unlink()
        res = Knowledge(store.get(kb.id), store).add([str(docs)])
        assert res["counts"].get("indexed", 0) + res["counts"].get("unchanged", 0) == 6
        assert res["chunks_total"] > before
        _agree(store, Knowledge(store.get(kb.id), store))
