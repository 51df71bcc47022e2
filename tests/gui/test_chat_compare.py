"""Train, then chat with the adapter: compare mode sends one question to the base model and to the
adapter a real (tiny) training run produced; the two answers stream side by side and differ."""

from __future__ import annotations

import shutil

import pytest

from app.core import paths
from app.core.chat_store import ChatStore
from app.core.runs import RunStore
from tests.helpers.serve import FACT_WORD, QUESTION, trained_adapter
from tests.unit.test_runs_index import write_run

pytestmark = pytest.mark.slow


def test_compare_base_and_adapter_side_by_side(main_window, home_with_model, converted_model_dir, tmp_path_factory,
                                               qtbot):
    adapter = trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))
    run_dir = paths.runs_dir() / "20261126-000000-zorbania-abcd"
    write_run(run_dir, [2.0, 1.0, 0.5], adapter=False)
    shutil.copytree(adapter, run_dir / "adapter")
    RunStore(main_window.ctx.db).index_folder(run_dir)

    ctx = main_window.ctx
    ctx.serve._engine_choice = "transformers"
    main_window.show_panel("training")
    training = main_window.panel("training")
    training.chat_with_run(run_dir.name)  # the Training panel's "Chat with adapter"
    panel = main_window.panel("chat")
    assert main_window.current_panel_key() == "chat"
    assert panel.current_target().kind == "adapter"
    assert panel.session.title.startswith("Chat with")

    base_index = next(i for i, t in enumerate(panel.targets) if t.kind == "bundled")
    panel.compare.setChecked(True)
    panel.model_b.setCurrentIndex(base_index)
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(24)
    ids = panel.send(QUESTION)
    assert len(ids) == 2
    qtbot.waitUntil(lambda: not panel.answers.jobs, timeout=300_000)
    msgs = ChatStore(ctx.db).messages(panel.session.id)
    a, b = msgs[-2], msgs[-1]
    assert (a.slot, b.slot) == ("A", "B") and a.meta["pair"] == b.meta["pair"]
    assert a.status == b.status == "complete"
    assert FACT_WORD in a.content, a.content  # the adapter learned the fact
    assert FACT_WORD not in b.content and a.content != b.content
    # one engine serves both: the base model with the adapter loaded
    assert len([e for e in ctx.serve.engines() if e.engine != "remote"]) == 1
    html = panel.view.toHtml()
    assert 'width="50%"' in html  # side by side
    ctx.serve.shutdown()
