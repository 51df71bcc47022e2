"""Several chat engines within the memory the user allows, with real transformers engines on two
copies of the bundled model: the second model stops the first when both do not fit; an engine
that is answering is never stopped, and the model that cannot fit beside it is refused with the
figures; the message is worded in both languages."""

from __future__ import annotations

import pytest

from tests.helpers.worker_script import QT_PRELUDE, run_worker_script

pytestmark = pytest.mark.slow

SCRIPT = QT_PRELUDE + r"""
from app.core import serve_memory, settings as settings_mod
from app.workers.serve_manager import ServeManager

a, b = sys.argv[1], sys.argv[2]
one = serve_memory.engine_bytes(a, on_gpu=False)
settings = settings_mod.load()
settings.chat_memory_gb = 1.5 * one / serve_memory.GIB  # room for one engine, not two
serve = ServeManager(settings, engine_choice="transformers")
out = {"one_gb": one / serve_memory.GIB}
serve.ensure(a, label="Copy A")
out["a_ready"] = wait(lambda: serve.find(a) is not None and serve.find(a).ready, 300)
out["a_measured"] = serve.engine_cost(a)
serve.ensure(b, label="Copy B")  # A is idle: it goes
out["after_b"] = sorted(e.label for e in serve.engines() if e.state in ("loading", "ready"))
info = serve.get(b)
out["b_notice"] = [info.notice, info.notice_params]
serve.in_use = lambda: {b}  # B answers now
serve.ensure(a, label="Copy A")
wait(lambda: serve.get(a) is not None and serve.get(a).state == "failed", 10)
failed = serve.get(a)
out["refused"] = {"state": failed.state, "message": failed.message,
                  "code": failed.failure.extra.get("code"), "params": failed.failure.extra.get("params")}
out["still_running"] = sorted(e.label for e in serve.engines() if e.state in ("loading", "ready"))
serve.in_use = lambda: set()
serve.ensure(a, label="Copy A")  # B is idle again: it goes, A starts
out["finally"] = sorted(e.label for e in serve.engines() if e.state in ("loading", "ready"))
serve.shutdown()
print("RESULT " + json.dumps(out), flush=True)
"""


def test_a_second_model_stops_the_idle_first_and_never_one_answering(tmp_path, converted_model_dir, qapp):
    copies = []
    for name in ("copy-a", "copy-b"):
        folder = tmp_path / name
        folder.mkdir()
        for f in converted_model_dir.iterdir():
            (folder / f.name).symlink_to(f)
        copies.append(folder)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    out = run_worker_script(SCRIPT, home, *copies, timeout=600)

    assert 0.5 < out["one_gb"] < 2.0  # 135M float32 parameters and the runtime
    assert out["a_ready"] and out["a_measured"] > 0
    assert out["after_b"] == ["Copy B"]
    notice, params = out["b_notice"]
    assert notice == "made_room" and params["stopped"] == "Copy A"
    refused = out["refused"]
    assert refused["state"] == "failed" and refused["code"] == "serve.memory_budget"
    assert "Copy A needs about" in refused["message"] and "answering now: Copy B" in refused["message"]
    assert out["still_running"] == ["Copy B"]
    assert out["finally"] == ["Copy A"]

    from app.views.error_texts import event_error_text
    from app.views.i18n import LanguageManager

    lm = LanguageManager(qapp)
    try:
        lm.set_language("zh_CN")
        zh = event_error_text(refused["message"], "", {"code": refused["code"], "params": refused["params"]})
        assert "Copy A" in zh and refused["params"]["budget_gb"] in zh and "GB" in zh and "需要" in zh
    finally:
        lm.set_language("en")
