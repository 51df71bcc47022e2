from __future__ import annotations

import pytest

from app.core import settings as settings_mod


@pytest.fixture
def main_window(qtbot, ai_home):
    """The real main window on a fresh temp home, English first."""
    from PySide6.QtWidgets import QApplication

    from app.views.app import create_main_window

    s = settings_mod.Settings(language="en")
    settings_mod.save(s)
    window = create_main_window(QApplication.instance())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
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
