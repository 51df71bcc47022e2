"""Where a knowledge base's vectors live, from the panel: create one in Milvus Lite through the
New… dialog, search it, move it to faiss with Move…, and search it again (real engines)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_create_in_milvus_lite_then_move_to_faiss(main_window, qtbot, tmp_path, monkeypatch):
    from app.core.kb import KnowledgeStore
    from app.views import kb_store_dialog
    from app.views.kb_store_dialog import KbStoreDialog

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "owls.txt").write_text("Copperwing owls migrate every October during moonless nights.", encoding="utf-8")
    (docs / "tea.txt").write_text("Ironleaf tea grows above two thousand metres and is picked at dawn.",
                                  encoding="utf-8")
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")

    seen = {}

    def fill(dialog: KbStoreDialog) -> int:
        dialog.name.setText("Field notes")
        dialog.kind.setCurrentIndex(dialog.kind.findData(kb_store_dialog.SERVER))
        seen["server_needs_address"] = not dialog.ok.isEnabled() and dialog.uri.isVisibleTo(dialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kb_store_dialog.LITE))
        seen["lite_ok"] = dialog.ok.isEnabled() and not dialog.uri.isVisibleTo(dialog)
        return KbStoreDialog.DialogCode.Accepted

    monkeypatch.setattr(KbStoreDialog, "exec", fill)
    panel.create_kb()
    assert seen == {"server_needs_address": True, "lite_ok": True}
    store = KnowledgeStore(main_window.ctx.db)
    kb = store.by_name("Field notes")
    assert (kb.vector_store, kb.store_uri) == ("milvus", None)
    assert panel.kb_id() == kb.id

    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as done:
        assert panel.add_paths([str(docs)])
    assert done.args[0].ok, done.args[0].last_error
    assert "Milvus Lite" in panel.empty.text()
    panel.query.setText("When do the owls migrate?")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    assert answer.args[0]["chunks"][0]["file"].endswith("owls.txt")

    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as moved:
        assert panel.move_kb("faiss")
        assert not panel.move_btn.isEnabled()  # one job at a time
    assert moved.args[0].ok, moved.args[0].last_error
    assert store.get(kb.id).vector_store == "faiss"
    assert "faiss" in panel.empty.text()
    panel.query.setText("高山上的茶什么时候采摘？")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    assert answer.args[0]["chunks"][0]["file"].endswith("tea.txt")
    assert panel.rate.text() == ""  # nothing left over from the move

    # Another base: the tester no longer shows the first base's answers.
    other = store.create("Empty one")
    panel.reload_kbs(select=other.id)
    assert panel.results.rowCount() == 0 and panel.query_info.text() == ""

    # A Milvus server that does not answer: said (in the user's language), and no base is made.
    from app.views import knowledge as knowledge_view

    errors = []
    monkeypatch.setattr(knowledge_view, "show_error", lambda parent, title, text: errors.append(text))
    main_window.ctx.set_language("zh_CN")
    assert panel._create("Dead", "milvus", "http://127.0.0.1:9") is None
    qtbot.waitUntil(lambda: bool(errors), timeout=30_000)
    assert "http://127.0.0.1:9" in errors[0] and "Milvus" in errors[0] and "没有任何响应" in errors[0]
    assert "Dead" not in [k.name for k in store.list()] and panel.new_btn.isEnabled()
    panel.reload_kbs(select=kb.id)
    assert "faiss（本机）" in panel.empty.text()  # where its vectors are, in Chinese too
    main_window.ctx.set_language("en")
    panel.shutdown()


def test_the_tester_reranks_when_asked_and_says_so(main_window, qtbot, tmp_path):
    from app.core import paths
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge
    from tests.helpers.rerank_model import TEXTS, tiny_cross_encoder

    docs = tmp_path / "docs"
    docs.mkdir()
    for i, t in enumerate(TEXTS):
        (docs / f"d{i}.txt").write_text(t, encoding="utf-8")
    store = KnowledgeStore(main_window.ctx.db)
    kb = store.create("Rerank me")
    Knowledge(kb, store).add([str(docs)])
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    panel.reload_kbs(select=kb.id)
    panel.query.setText("owls in October")
    panel.rerank.setChecked(True)
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    assert answer.args[0]["rerank"]["used"] is False
    assert "Not reranked: no reranker model is installed" in panel.query_info.text()

    tiny_cross_encoder(paths.home() / "rerankers" / "tiny")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    data = answer.args[0]
    assert data["rerank"] == {"used": True, "model": "tiny"} and "Reranked by tiny." in panel.query_info.text()
    shown = [float(panel.results.item(r, 0).text()) for r in range(panel.results.rowCount())]
    assert shown == [round(c["rerank_score"], 3) for c in data["chunks"]] and shown == sorted(shown, reverse=True)
    panel.shutdown()


def test_a_followed_folder_is_kept_in_sync_while_the_window_runs(main_window, qtbot, tmp_path):
    from app.core.kb import KnowledgeStore

    folder = tmp_path / "followed"
    folder.mkdir()
    (folder / "owls.md").write_text("Copperwing owls migrate every October.", encoding="utf-8")
    store = KnowledgeStore(main_window.ctx.db)
    kb = store.create("Followed")
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    panel.reload_kbs(select=kb.id)
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as done:
        assert panel.follow_folder(str(folder))
    assert done.args[0].ok
    assert [d.path.rsplit("/", 1)[1] for d in store.documents(kb.id)] == ["owls.md"]
    assert "Follows " + str(folder) in panel.empty.text()
    assert str(folder) in panel.watcher.directories()

    # A new file and a deleted one: the watcher notices, one sync follows them.
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as done:
        (folder / "tea.md").write_text("Ironleaf tea is picked at dawn.", encoding="utf-8")
        (folder / "owls.md").unlink()
    assert done.args[0].ok
    qtbot.waitUntil(lambda: [d.path.rsplit("/", 1)[1] for d in store.documents(kb.id)] == ["tea.md"], timeout=60_000)
    assert store.get(kb.id).n_chunks == 1
    panel.shutdown()
