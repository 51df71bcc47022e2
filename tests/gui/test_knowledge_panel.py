"""Knowledge panel: dropping a folder indexes it through the real engine, the table shows each
document's status and reason, and the retrieval tester finds the passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.kb.corpus import make_mixed_corpus
from tests.gui.test_datasets_panel import drop

pytestmark = pytest.mark.slow


def statuses(panel) -> dict[str, tuple[str, str]]:
    return {panel.docs.item(r, 0).text().split(" — ")[0]: (panel.docs.item(r, 1).text(), panel.docs.item(r, 3).text())
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
