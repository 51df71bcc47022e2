"""`evaluate formats` on a form that cannot load: it is reported by name, nothing is stored for it,
and the engine still completes (the other forms of a Measure run are not lost to one broken folder)."""

from __future__ import annotations

import json

from app.core import model_formats


def test_a_form_that_does_not_load_is_reported_and_not_stored(engine_runner, tmp_path):
    broken = tmp_path / "broken-w8a8"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}))
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    home = tmp_path / "home"
    run = engine_runner(["app.engines.evaluate", "formats", "--form", str(broken), "--threads", "1"], home)
    assert run.returncode == 0, run.stderr[-3000:]
    forms = run.result["forms"]
    assert len(forms) == 1 and forms[0]["path"] == str(broken.resolve()) and forms[0]["error"]
    assert not model_formats.measurement_file(broken, home).exists()
