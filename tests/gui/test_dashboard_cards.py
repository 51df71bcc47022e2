"""The dashboard's cards: runs from run folders (click → Training with the run selected), the GPU
summary, knowledge bases and chats from the database, and each card opening its panel."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core import overview, paths
from app.core.db.models import ChatMessage, ChatSession, Document, KnowledgeBase
from tests.unit.test_runs_index import write_run


def test_dashboard_shows_runs_and_opens_training_with_the_run(main_window, qtbot):
    store = main_window.ctx.runs.store
    done = paths.runs_dir() / "20261126-000001-demo-done"
    write_run(done, [3.0, 2.5, 2.0, 1.5])
    store.index_folder(done, name="demo done")
    live = paths.runs_dir() / "20261126-000002-demo-live"
    write_run(live, [4.0, 3.5], done=None, adapter=False)
    store.index_folder(live, name="demo live")
    store.set_status(live.name, "running")
    panel = main_window.panel("dashboard")
    main_window.show_panel("dashboard")
    panel.refresh_runs()
    shown = [b for b in panel.run_buttons if b.isVisible()]
    assert len(shown) == 2
    assert shown[0].text().startswith("demo live · Running · step 2/2 (100%)")  # running runs first
    assert shown[1].text() == "demo done · Completed · step 4/4 (100%) · loss 1.5000"
    assert "1 run(s) training now" in panel.runs_card.text.text()
    qtbot.mouseClick(shown[1], Qt.MouseButton.LeftButton)
    assert main_window.current_panel_key() == "training"
    training = main_window.panel("training")
    assert training.detail.run_id == done.name


def test_dashboard_knowledge_bases_chats_serve_and_gpu(main_window, qtbot):
    panel = main_window.panel("dashboard")
    main_window.show_panel("dashboard")
    assert panel.kb_card.text.text() == "No knowledge bases yet."
    assert panel.chats_card.text.text() == "No chats yet."
    assert panel.serve_card.text.text().startswith("No model is loaded")
    db = main_window.ctx.db
    with db.session() as s:
        kb = KnowledgeBase(name="Contracts", embedding_model="e5", chunk_size=512, chunk_overlap=64)
        s.add(kb)
        s.flush()
        s.add_all([Document(kb_id=kb.id, path="a.pdf", status="indexed"),
                   Document(kb_id=kb.id, path="b.pdf", status="failed"),
                   Document(kb_id=kb.id, path="c.md", status="unchanged")])
        s.add(KnowledgeBase(name="Empty KB", embedding_model="e5", chunk_size=512, chunk_overlap=64))
        chat = ChatSession(title="Hello there")
        s.add(chat)
        s.flush()
        s.add_all([ChatMessage(session_id=chat.id, role="user", content="hi"),
                   ChatMessage(session_id=chat.id, role="assistant", content="hello")])
    kbs = overview.knowledge_bases(db)
    assert [(k.name, k.documents, k.indexed, k.failed) for k in kbs] == [("Contracts", 3, 2, 1), ("Empty KB", 0, 0, 0)]
    panel.refresh_data()
    assert panel.kb_card.text.text() == "Contracts: 3 document(s), 2 indexed\nEmpty KB: 0 document(s), 0 indexed"
    assert panel.chats_card.text.text() == "Hello there (2 messages)"

    # GPU summary: this machine's real state (no driver here: the reason), or the GPUs.
    monitor = main_window.ctx.gpu
    qtbot.waitUntil(lambda: monitor.last is not None, timeout=10000)
    panel.refresh_gpu()
    text = panel.gpu_card.text.text()
    assert "RAM" in text and ("NVIDIA" in text or "GPU 0" in text)
    panel._gpu_sampled({"available": True, "gpus": [{"index": 0, "name": "Fake 24G", "utilization": 40,
                                                     "memory_used_gb": 6.0, "memory_total_gb": 24.0,
                                                     "temperature_c": 55}],
                        "cpu": {"percent": 10}, "ram": {"used_gb": 3.0, "total_gb": 16.0}})
    assert panel.gpu_card.text.text().startswith("GPU 0 Fake 24G: 40% busy, 6.0 / 24.0 GiB, 55 °C")

    # Each card opens its panel.
    for card, key in ((panel.gpu_card, "gpu"), (panel.kb_card, "knowledge"), (panel.chats_card, "chat"),
                      (panel.runs_card, "training"), (panel.serve_card, "chat")):
        main_window.show_panel("dashboard")
        card.open_btn.click()
        assert main_window.current_panel_key() == key


def test_start_up_finds_runs_left_by_an_earlier_session(main_window, qtbot):
    """A run trained from the CLI (or before a crash) shows up once the window is up."""
    from app.core import paths
    from app.views.app import after_first_paint
    from tests.unit.test_runs_index import write_run

    write_run(paths.runs_dir() / "20261126-000000-cli-run-abcd", [2.0, 1.0])
    main_window.show_panel("dashboard")
    after_first_paint(main_window)
    dashboard = main_window.panel("dashboard")
    dashboard.refresh_runs()
    assert dashboard.runs_card.text.text() == "Nothing is training now. Recent runs:"
    assert [b.property("run_id") for b in dashboard.run_buttons if not b.isHidden()] == [
        "20261126-000000-cli-run-abcd"]
