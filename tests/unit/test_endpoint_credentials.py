"""A key written into a remote endpoint's URL never reaches settings.json: it becomes the endpoint's
key in the keyring, also for endpoints saved by an older version; settings.json is 0600; a key
bound for plain http:// to another machine is named (issue 18)."""

from __future__ import annotations

import json
import os
import stat

import keyring
import pytest

from app.core import remote_endpoints as re_
from app.core import secrets, settings
from app.core.settings import remote_key_name
from tests.helpers import memory_keyring


@pytest.fixture
def store(ai_home):
    old = keyring.get_keyring()
    backend = memory_keyring.install()
    yield backend
    keyring.set_keyring(old)


@pytest.mark.parametrize("url,clean,key", [
    ("https://bob:s3cr%40t@api.example.com/v1", "https://api.example.com/v1", "s3cr@t"),
    ("https://TOKEN123@api.example.com/v1", "https://api.example.com/v1", "TOKEN123"),
    ("https://api.example.com/v1?api_key=abc&region=eu", "https://api.example.com/v1?region=eu", "abc"),
    ("https://api.example.com/v1?key=k1", "https://api.example.com/v1", "k1"),
    ("https://api.example.com/v1?token=t1", "https://api.example.com/v1", "t1"),
    ("https://api.example.com/v1?region=eu", "https://api.example.com/v1?region=eu", ""),
])
def test_credentials_are_split_out_of_a_url(url, clean, key):
    assert re_.split_credentials(url) == (clean, key)


def test_a_key_in_the_url_goes_to_the_keyring_and_settings_json_never_holds_it(store):
    s = settings.load()
    entry = re_.add_endpoint(s, "Cluster", "https://bob:hunter2@gpu.example.com?api_key=sk-live-123")
    settings.save(s)
    assert entry["base_url"] == "https://gpu.example.com/v1"
    assert secrets.get_secret(remote_key_name("Cluster")) == "sk-live-123"
    path = settings.paths.settings_file()
    text = path.read_text(encoding="utf-8")
    assert "sk-live-123" not in text and "hunter2" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_explicit_key_wins_over_one_in_the_url(store):
    s = settings.load()
    re_.add_endpoint(s, "C", "https://x.example.com/v1?token=old", api_key="typed")
    assert secrets.get_secret(remote_key_name("C")) == "typed"
    assert s.remote_endpoints[0]["base_url"] == "https://x.example.com/v1"


def test_a_bad_url_message_does_not_repeat_the_key(store):
    from app.core.errors import UserError

    with pytest.raises(UserError) as info:
        re_.add_endpoint(settings.load(), "C", "ftp://u:pw-xyz@host/v1?key=k-xyz")
    assert "xyz" not in str(info.value) and "xyz" not in json.dumps(info.value.params)


def test_saved_settings_with_keys_in_urls_are_moved_at_start(store, ai_home):
    path = settings.paths.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema_version": 2, "remote_endpoints": [
        {"name": "Old", "base_url": "https://u:pw-old@h.example.com/v1", "model": ""},
        {"name": "Q", "base_url": "https://h.example.com/v1?api_key=q-key", "model": ""},
        {"name": "Clean", "base_url": "https://h.example.com/v1", "model": ""}]}), encoding="utf-8")
    os.chmod(path, 0o644)
    secrets.set_secret(remote_key_name("Q"), "already-in-keyring")
    s = settings.load()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # an older file is made private on load
    from app.views.app import _move_saved_credentials  # what create_main_window calls

    _move_saved_credentials(s)
    text = path.read_text(encoding="utf-8")
    assert "pw-old" not in text and "q-key" not in text
    assert [e["base_url"] for e in settings.load().remote_endpoints] == ["https://h.example.com/v1"] * 3
    assert secrets.get_secret(remote_key_name("Old")) == "pw-old"
    assert secrets.get_secret(remote_key_name("Q")) == "already-in-keyring"  # the keyring's key is kept
    assert re_.move_saved_credentials(settings.load()) == []  # nothing left to move


def test_without_a_keyring_a_saved_key_stays_rather_than_being_lost(ai_home):
    from keyring.backends import fail

    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        s = settings.Settings(remote_endpoints=[{"name": "Old", "base_url": "https://u:pw@h.example.com/v1"}])
        assert re_.move_saved_credentials(s) == []
        assert s.remote_endpoints[0]["base_url"] == "https://u:pw@h.example.com/v1"
    finally:
        keyring.set_keyring(old)


@pytest.mark.parametrize("url,host", [
    ("http://gpu.example.com:8000/v1", "gpu.example.com"), ("http://10.0.0.5/v1", "10.0.0.5"),
    ("https://gpu.example.com/v1", None), ("http://127.0.0.1:8000/v1", None), ("http://localhost/v1", None),
    ("http://[::1]:8000/v1", None),
])
def test_plain_http_to_another_machine_is_named(url, host):
    assert re_.plain_http_host(url) == host
