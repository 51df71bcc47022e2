"""A document's metadata (tags, source, date) and queries filtered by it, on the real knowledge engine
(bilingual embedding model, faiss): near-duplicate contracts that differ in year and client, where the
filter, not the wording, decides which one may be cited. Plus `kb meta` / `kb query --tag` and bad
input named."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

DOCS = {
    "acme-2024.txt": "Service contract with Acme Ltd. The warranty period is 12 months from delivery.",
    "acme-2026.txt": "Service contract with Acme Ltd. The warranty period is 24 months from delivery.",
    "borealis-2026.txt": "Service contract with Borealis GmbH. The warranty period is 36 months from delivery.",
    "teeth.txt": "Brush your teeth twice a day.",
}


@pytest.fixture
def kb(tmp_path):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    db = open_database()
    store = KnowledgeStore(db)
    files = {}
    for name, text in DOCS.items():
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    k = Knowledge(store.create("contracts"), store)
    k.add([str(p) for p in files.values()])
    yield k, store, files
    db.close()


def test_filters_decide_which_document_is_cited(kb):
    from app.core.errors import UserError
    from app.core.kb import DocFilter

    k, store, files = kb
    meta = {"acme-2024.txt": ("contract, Acme", "legal drive", "2024-02-01"),
            "acme-2026.txt": ("contract; acme", "legal drive", "2026-02-01"),
            "borealis-2026.txt": ("contract", "email from Borealis", "2026-05-10")}
    for name, (tags, source, date) in meta.items():
        store.set_metadata(k.kb.id, str(files[name]), tags=tags, source=source, date=date)
    doc = store.document(k.kb.id, str(files["acme-2026.txt"]))
    assert doc.tags == ("contract", "acme") and doc.source == "legal drive" and doc.date == "2026-02-01"
    assert store.document(k.kb.id, str(files["acme-2024.txt"])).tags == ("contract", "Acme")

    q = "How long is the warranty for Acme?"
    unfiltered = {c["file"] for c in k.query(q, top_k=4)["chunks"]}
    assert str(files["teeth.txt"]) in unfiltered or len(unfiltered) >= 3  # without a filter, all compete

    def files_for(**f):
        res = k.query(q, top_k=4, filters=DocFilter.make(**f))
        return res, [c["file"] for c in res["chunks"]]

    res, got = files_for(tags=["ACME"], after="2025-01-01")  # tags match in any case
    assert got == [str(files["acme-2026.txt"])] and "24 months" in res["chunks"][0]["text"]
    assert res["filters"] == {"tags": ["ACME"], "after": "2025-01-01", "documents": 1}
    _, got = files_for(tags=["contract"], before="2024-12-31")
    assert got == [str(files["acme-2024.txt"])]
    _, got = files_for(source="borealis")
    assert got == [str(files["borealis-2026.txt"])]
    res, got = files_for(tags=["contract"], after="2026-01-01", before="2026-12-31")
    assert sorted(got) == sorted([str(files["acme-2026.txt"]), str(files["borealis-2026.txt"])])
    _, got = files_for(after="2020-01-01")
    assert str(files["teeth.txt"]) not in got  # a document without a date never passes a date bound
    res, got = files_for(tags=["nothing-has-this"])
    assert got == [] and res["filters"]["documents"] == 0
    assert DocFilter.make(tags="", source="  ") is None  # nothing asked: no filter

    for bad in ({"after": "2026-13-01"}, {"after": "2026-05-01", "before": "2026-01-01"}, {"tags": ["x" * 41]}):
        with pytest.raises(UserError) as err:
            DocFilter.make(**bad)
        assert err.value.code in ("kb.bad_date", "kb.date_range", "kb.tag_long")
    with pytest.raises(UserError) as err:
        store.set_metadata(k.kb.id, str(files["teeth.txt"]), date="31/12/2026")
    assert "YYYY-MM-DD" in str(err.value)
    assert store.document(k.kb.id, str(files["teeth.txt"])).date == ""  # nothing half-written

    # Re-adding a changed document keeps what the person said about it.
    files["acme-2026.txt"].write_text(DOCS["acme-2026.txt"] + " Renewal is automatic.", encoding="utf-8")
    k.add([str(files["acme-2026.txt"])])
    assert store.document(k.kb.id, str(files["acme-2026.txt"])).tags == ("contract", "acme")


def test_meta_and_filtered_query_from_the_command_line(tmp_path):
    home = tmp_path / "home"
    env = engine_env_for(home)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "app", "kb", *args], env=env, cwd=str(REPO),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)

    for name in ("acme-2024.txt", "acme-2026.txt"):
        (tmp_path / name).write_text(DOCS[name], encoding="utf-8")
    assert cli("create", "c").returncode == 0
    assert cli("add", "c", str(tmp_path / "acme-2024.txt"), str(tmp_path / "acme-2026.txt")).returncode == 0
    set_ = cli("meta", "c", str(tmp_path / "acme-2026.txt"), "--tags", "contract, 2026", "--date", "2026-02-01",
               "--json")
    assert set_.returncode == 0, set_.stderr
    assert json.loads(set_.stdout) == {"path": str(tmp_path / "acme-2026.txt"), "tags": ["contract", "2026"],
                                       "source": "", "date": "2026-02-01"}
    q = cli("query", "c", "warranty period", "--tag", "2026", "--json")
    assert q.returncode == 0, q.stderr
    out = json.loads(q.stdout)
    assert [c["file"] for c in out["chunks"]] == [str(tmp_path / "acme-2026.txt")] and out["filters"]["documents"] == 1
    bad = cli("query", "c", "warranty", "--after", "yesterday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    missing = cli("meta", "c", str(tmp_path / "nope.txt"), "--tags", "x")
    assert missing.returncode == 2 and "is not in this knowledge base" in missing.stderr


def test_the_agents_knowledge_search_keeps_to_the_filter(kb):
    """The chat's "Only documents" reaches the agent engine as the request's kb_filter: its
    kb_search returns only the matching documents' passages, and a bad date is named at once."""
    from app.agents.kb_search import KBSearcher
    from app.agents.turn import check_request
    from app.core.errors import UserError

    k, store, files = kb
    store.set_metadata(k.kb.id, str(files["acme-2024.txt"]), tags="contract, 2024")
    store.set_metadata(k.kb.id, str(files["acme-2026.txt"]), tags="contract, 2026")
    base = {"base_url": "http://127.0.0.1/", "messages": [{"role": "user", "content": "warranty?"}],
            "kbs": ["contracts"]}
    req = check_request(dict(base, kb_filter={"tags": ["2024"]}))
    searcher = KBSearcher(req["kbs"], filters=req["kb_filter"])
    try:
        found = searcher.search("How long is the Acme warranty?", top_k=4)
    finally:
        searcher.close()
    assert found and {c["file"] for c in found} == {str(files["acme-2024.txt"])}
    assert "12 months" in found[0]["text"]
    assert check_request(base)["kb_filter"] is None
    with pytest.raises(UserError, match="2026-13-01") as err:
        check_request(dict(base, kb_filter={"after": "2026-13-01"}))
    assert err.value.code == "kb.bad_date"
