"""Knowledge panel: dropping a folder indexes it through the real engine, the table shows each
document's status and reason, and the retrieval tester finds the passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.kb.corpus import make_mixed_corpus
from tests.gui.test_datasets_panel import drop

pytestmark = pytest.mark.slow


def statuses(panel) -> dict[str, tuple[str, str]]:
    return {panel.docs.item(r, 0).text().split(" — ")[0]: (panel.docs.item(r, 1).text(), panel.docs.item(r, 5).text())
            for r in range(panel.docs.rowCount())}


def test_drop_folder_indexes_and_tester_finds_passage(main_window, qtbot, tmp_path):
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    assert panel.kb.count() == 0 and "No knowledge base yet" in panel.empty.text()
    corpus = tmp_path / "docs"
    expected = make_mixed_corpus(corpus, tmp_path / "outside")

    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000) as blocker:
        drop(panel, [corpus])  # no knowledge base yet: one is made for the drop
    assert blocker.args[0].ok, blocker.args[0].last_error
    assert panel.kb.count() == 1
    shown = statuses(panel)
    for name, status in expected.items():
        if status == "indexed":
            assert shown[name][0] == "Indexed", (name, shown.get(name))
        else:
            assert shown[name][0] == "Failed" and shown[name][1], (name, shown.get(name))  # with its reason
    assert ".hidden.txt" not in shown

    panel.query.setText("云雾山的猴子用什么敲核桃？")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    files = [Path(c["file"]).name for c in answer.args[0]["chunks"]]
    assert files[0] == "gbk.txt"
    assert panel.results.rowCount() == len(files) and panel.results.item(0, 1).text() == "gbk.txt"

    # Dropping the same folder again: nothing changed, nothing re-embedded.
    with qtbot.waitSignal(panel.indexing_finished, timeout=240_000):
        drop(panel, [corpus])
    assert statuses(panel)["guide.md"][0] == "Unchanged"
    panel.ctx.kb_query.forget(panel.kb_id())


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_document_details_and_the_tester_filter(main_window, qtbot, tmp_path):
    """Details… sets a document's tags, source and date (a bad date is named in the dialog and nothing
    is saved); the table shows them; the tester's filter keeps the answer to the tagged document."""
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    docs = {"acme-2024.txt": "Service contract with Acme Ltd. The warranty period is 12 months.",
            "acme-2026.txt": "Service contract with Acme Ltd. The warranty period is 24 months."}
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = KnowledgeStore(main_window.ctx.db)
    Knowledge(store.create("contracts"), store).add([str(tmp_path / n) for n in docs])
    main_window.show_panel("knowledge")
    panel = main_window.panel("knowledge")
    panel.reload_kbs()
    row = next(r for r in range(panel.docs.rowCount()) if panel.docs.item(r, 0).text().startswith("acme-2026.txt"))
    panel.docs.selectRow(row)
    assert panel.details_btn.isEnabled()
    dialog = panel.edit_details()
    dialog.tags.setText("contract， 2026")  # a full-width comma splits too
    dialog.source.setText("legal drive")
    dialog.date.setText("2026-02-30")
    assert not dialog.save() and "YYYY-MM-DD" in dialog.error.text() and dialog.isVisible()
    assert store.document(panel.kb_id(), str(tmp_path / "acme-2026.txt")).tags == ()  # nothing saved
    dialog.date.setText("2026-02-01")
    assert dialog.save()
    row = next(r for r in range(panel.docs.rowCount()) if panel.docs.item(r, 0).text().startswith("acme-2026.txt"))
    assert panel.docs.item(row, 3).text() == "contract, 2026" and panel.docs.item(row, 4).text() == "2026-02-01"
    assert "legal drive" in panel.docs.item(row, 3).toolTip()

    panel.query.setText("How long is the warranty?")
    panel.filter_tags.setText("2026")
    with qtbot.waitSignal(panel.query_answered, timeout=120_000) as answer:
        panel.search_btn.click()
    assert [Path(c["file"]).name for c in answer.args[0]["chunks"]] == ["acme-2026.txt"]
    assert "Kept to 1 document(s) that match the filter." in panel.query_info.text()
    import os

    if os.environ.get("KB_SHOTS"):  # a folder: the panel with metadata and a filtered answer
        Path(os.environ["KB_SHOTS"]).mkdir(parents=True, exist_ok=True)
        main_window.resize(1400, 900)
        main_window.grab().save(str(Path(os.environ["KB_SHOTS"]) / "knowledge-filter-en.png"))
    panel.filter_after.setText("soon")
    panel.search_btn.click()
    assert "YYYY-MM-DD" in panel.query_info.text()  # named before anything is asked

    main_window.ctx.set_language("zh_CN")
    assert panel.details_btn.text() != "Details…" and panel.docs.horizontalHeaderItem(3).text() != "Tags"
    assert "YYYY-MM-DD" in panel.query_info.text() and "is not a date" not in panel.query_info.text()
    if os.environ.get("KB_SHOTS"):
        main_window.grab().save(str(Path(os.environ["KB_SHOTS"]) / "knowledge-filter-zh.png"))
        details = panel.edit_details(row)
        details.grab().save(str(Path(os.environ["KB_SHOTS"]) / "details-zh.png"))
        details.reject()
    main_window.ctx.set_language("en")
    panel.ctx.kb_query.forget(panel.kb_id())
