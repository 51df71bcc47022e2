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
    panel.shutdown()
