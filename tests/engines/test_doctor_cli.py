"""`ai-platform doctor --json` on a prepared data folder: the default model is ready."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.engines import engine_env_for


def test_doctor_reports_converted_default_model_ready(convert_run, converted_model_dir):
    out = subprocess.run([sys.executable, "-m", "app", "doctor", "--json"], capture_output=True, text=True,
                         env=engine_env_for(convert_run.home), timeout=180)
    report = json.loads(out.stdout)
    chat = report["default_models"]["chat"]
    assert chat["ready"] is True, chat
    assert Path(chat["dir"]) == converted_model_dir
    assert report["torch"]["torch"].startswith("2.13.0")
    assert report["gpu"]["available"] in (True, False)
    if (Path(sys.prefix).parent / "vllm-env" / "bin" / "python").exists():
        # Installed by installer/install.sh (as in CI): the vLLM runtime sits beside the app env.
        assert report["vllm_runtime"]["found"] is True, report["vllm_runtime"]
        assert report["vllm_runtime"]["version"]
    if (Path(sys.prefix).parent / "quantize-env" / "bin" / "python").exists():
        # installer/install.sh --dev (CI) creates the quantization runtime beside the app env too.
        quant = report["quantize_runtime"]
        assert quant["found"] is True and quant["packages"]["transformers"] == "5.17.0", quant
    assert out.returncode == (0 if report["ok"] else 1)
