from __future__ import annotations

import pytest

from app.core import settings as settings_mod


@pytest.fixture
def main_window(qtbot, ai_home):
    """The real main window on a fresh temp home, English first."""
    from PySide6.QtWidgets import QApplication

    from app.views.app import create_main_window

    # Evaluating after training costs a model load per finished run: only the tests that want it turn it on.
    s = settings_mod.Settings(language="en", evaluate_after_training=False)
    settings_mod.save(s)
    window = create_main_window(QApplication.instance())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.ctx.is_painted, timeout=10_000)  # what waits for the first paint runs
    yield window
    window.ctx.set_language("en")
    window.ctx.db.close()


@pytest.fixture
def no_keyring():
    import keyring
    from keyring.backends import fail

    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(old)


@pytest.fixture
def memory_keyring():
    import keyring

    from tests.helpers import memory_keyring as mk

    old = keyring.get_keyring()
    backend = mk.install()
    yield backend
    keyring.set_keyring(old)


@pytest.fixture
def home_with_model(ai_home, converted_model_dir):
    """The temp home with the converted bundled model linked in (read-only, shared)."""
    from app.core import bundled

    target = bundled.default_model_dir(ai_home)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(converted_model_dir, target_is_directory=True)
    return ai_home


@pytest.fixture
def sample_dataset_file():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "resources" / "samples" / "sample_sft_en_zh.jsonl"
