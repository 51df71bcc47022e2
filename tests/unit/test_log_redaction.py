"""Secrets never reach a log file: the app's file handler and engines mask them before writing."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from app.core import logging_setup, paths

HF = "hf_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
OPENAI = "sk-proj-" + "Zz9Yy8Xx7Ww6Vv5Uu4"
CUSTOM = "my-very-own-remote-key-0042"


@pytest.fixture
def memory_keyring():
    import keyring

    from tests.helpers import memory_keyring as mk

    old = keyring.get_keyring()
    yield mk.install()
    keyring.set_keyring(old)


@pytest.fixture
def app_log(ai_home, monkeypatch):
    """The app's real logging set-up, writing to this test's home (other handlers set aside)."""
    from app.views.app import setup_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [h for h in root.handlers if not getattr(h, "_ai_platform", False)])
    logs = paths.logs_dir()
    logs.mkdir(parents=True, exist_ok=True)
    setup_logging(logs)
    handler = next(h for h in root.handlers if getattr(h, "_ai_platform", False))
    yield logs / "app.log"
    handler.close()
    root.removeHandler(handler)
    logging_setup.forget_secrets()


def test_known_tokens_never_reach_app_log(app_log, memory_keyring):
    from app.core import secrets

    secrets.set_secret("remote-key", CUSTOM)
    log = logging.getLogger("app.test")
    log.info("downloading with token %s", HF)
    log.warning("request headers: {'Authorization': 'Bearer %s'}", OPENAI)
    log.info('config {"api_key": "%s", "model": "x"}', CUSTOM)
    log.info("remote endpoint key is %s (plain)", CUSTOM)
    log.info("Authorization: Bearer abcdefghijklmnopqrstuvwxyz")
    try:
        raise RuntimeError(f"HTTP 401 for api_key={OPENAI}")
    except RuntimeError:
        log.exception("call failed")
    log.info("tokens_per_s=12.5 max_tokens=64 loss=1.2")
    for h in logging.getLogger().handlers:
        h.flush()
    text = app_log.read_text(encoding="utf-8")
    for secret in (HF, OPENAI, CUSTOM, "abcdefghijklmnopqrstuvwxyz"):
        assert secret not in text
    assert text.count(logging_setup.MASK) >= 6
    assert "tokens_per_s=12.5 max_tokens=64" in text  # ordinary words stay
    assert "RuntimeError" in text and "call failed" in text


def test_secret_read_from_the_keyring_is_masked(app_log, memory_keyring):
    import keyring

    from app.core import secrets

    keyring.set_password(secrets.SERVICE, secrets.HF_TOKEN, "plain-looking-secret-value")
    assert secrets.get_secret(secrets.HF_TOKEN) == "plain-looking-secret-value"
    logging.getLogger("app.test").info("using plain-looking-secret-value now")
    for h in logging.getLogger().handlers:
        h.flush()
    assert "plain-looking-secret-value" not in app_log.read_text(encoding="utf-8")


def test_engine_stderr_and_extra_handlers_are_masked(tmp_path, engine_env):
    """An engine process: its stderr log and a file handler it adds later both mask secrets."""
    code = f"""
import logging, io
from app.core.engine_runtime import EngineRuntime
rt = EngineRuntime("probe", listen_stdin=False, stdout=io.StringIO())
fh = logging.FileHandler({str(tmp_path / 'train.log')!r}, encoding="utf-8")
logging.getLogger().addHandler(fh)
logging.getLogger("engine.probe").info("token %s and key %s", {HF!r}, {OPENAI!r})
fh.flush()
"""
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, env=engine_env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert HF not in out.stderr and OPENAI not in out.stderr and "***" in out.stderr
    written = (tmp_path / "train.log").read_text(encoding="utf-8")
    assert HF not in written and OPENAI not in written and "token *** and key ***" in written
