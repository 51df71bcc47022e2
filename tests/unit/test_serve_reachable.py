"""`ai-platform serve --host`: the addresses another machine would use are printed."""

from __future__ import annotations

import socket

import psutil

from app.commands.serve import reachable_urls


def test_a_given_address_is_itself():
    assert reachable_urls("10.1.2.3:8000", 8000) == ["http://10.1.2.3:8000/v1"]


def test_every_interface_lists_this_machines_ipv4_addresses_without_loopback():
    urls = reachable_urls("0.0.0.0:9123", 9123)
    mine = {a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family == socket.AF_INET and not a.address.startswith("127.")}
    assert set(urls) == {f"http://{ip}:9123/v1" for ip in mine}
    assert not any("127.0.0.1" in u for u in urls)
