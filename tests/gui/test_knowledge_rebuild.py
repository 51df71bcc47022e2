"""Rebuilding a knowledge base from the panel: new passage size, every document embedded again."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_rebuild_with_smaller_passages(main_window, qtbot, tmp_path):
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

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
    panel.shutdown()  # waits for the query engine to end


def test_documents_left_by_a_killed_run_are_finished_with_one_click(main_window, qtbot, tmp_path):
    """A real indexing engine is SIGKILLed mid-way; the panel offers to finish, and finishing gives
    the same passages as a clean index (nothing twice)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from app.core.kb import KnowledgeStore
    from tests.helpers.engines import engine_env_for

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(12):
        (docs / f"note{i:02d}.md").write_text(f"# Note {i}\n\nThe tide table number {i} lists high water at "
                                              f"{i + 1} o'clock in the harbour of Ostrand.\n", encoding="utf-8")
    store = KnowledgeStore(main_window.ctx.db)
    kb = store.create("Tides")
    env = engine_env_for(main_window.ctx.db.path.parent)
    proc = subprocess.Popen([sys.executable, "-m", "app.engines.knowledge", "add", "--kb", str(kb.id),
                             "--batch-files", "1", "--throttle-s", "0.3", str(docs)],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(d.status == "indexed" for d in store.documents(kb.id)) < 2:
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdin.close()
    left = [d for d in store.documents(kb.id) if d.status != "indexed"]
    assert left, "the engine finished before it was killed"

    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    panel.reload_kbs(select=kb.id)
    assert panel.resume_box.isVisible() and str(len(left)) in panel.resume_note.text()
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as done:
        panel.resume_btn.click()
    assert done.args[0].ok, done.args[0].last_error
    after = store.documents(kb.id)
    assert {d.status for d in after} == {"indexed"} and len(after) == 12
    assert not panel.resume_box.isVisible()
    assert store.get(kb.id).n_chunks == 12  # one passage per note, none twice
