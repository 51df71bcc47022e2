"""Rebuilding a knowledge base from the panel: new passage size, every document embedded again."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_rebuild_with_smaller_passages(main_window, qtbot, tmp_path):
    from app.core.kb import KnowledgeStore
    from app.engines.knowledge import Knowledge

    docs = tmp_path / "docs"
    docs.mkdir()
    sentence = "The harbour lighthouse of Ostrand was rebuilt in {y} after a storm damaged its lamp. "
    for i in range(3):
        (docs / f"doc{i}.txt").write_text("".join(sentence.format(y=1800 + i * 10 + j) for j in range(40)),
                                          encoding="utf-8")
    store = KnowledgeStore(main_window.ctx.db)
    kb = store.create("Lighthouses", chunk_size=1024, chunk_overlap=64)
    Knowledge(kb, store, None).add([str(docs)])
    before = sum(d.n_chunks for d in store.documents(kb.id))

    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    panel.reload_kbs(select=kb.id)
    assert panel.rebuild_btn.isEnabled()
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as done:
        assert panel.rebuild_kb(chunk_size=128, chunk_overlap=16)
        assert not panel.rebuild_btn.isEnabled()  # one job at a time
    assert done.args[0].ok, done.args[0].last_error
    after = store.documents(kb.id)
    assert store.get(kb.id).chunk_size == 128
    assert {d.status for d in after} == {"indexed"}
    assert sum(d.n_chunks for d in after) > before * 3  # smaller passages, many more of them
    panel.query.setText("When was the lighthouse rebuilt after the storm?")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    assert answer.args[0]["chunks"] and "lighthouse" in answer.args[0]["chunks"][0]["text"]
    panel._stop_server()
