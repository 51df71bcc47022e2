"""The agent's file tools refuse a hard-linked file in a granted folder: its other name may lie
anywhere (realpath cannot see it), and the refusal says why, in words the interface translates."""

from __future__ import annotations

import os

import pytest

from app.agents.folders import AccessDenied, FolderAccess
from app.agents.tools import ToolContext, run_tool, run_tool_coded


@pytest.fixture
def granted(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "id_key"
    secret.write_text("SECRET-KEY-MATERIAL", encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "notes.txt").write_text("plain notes", encoding="utf-8")
    try:
        os.link(secret, folder / "innocent.txt")
    except OSError as exc:  # a file system without hard links
        pytest.skip(f"no hard links here: {exc}")
    return ToolContext(folders=FolderAccess([str(folder)], approved=[str(folder)])), folder


def test_a_hard_linked_file_is_not_read_and_the_reason_is_given(granted):
    ctx, folder = granted
    ok, text = run_tool(ctx, "read_file", {"path": "innocent.txt"})
    assert not ok and "SECRET" not in text and "2 hard links" in text
    ok, text, coded = run_tool_coded(ctx, "read_file", {"path": str(folder / "innocent.txt")})
    assert not ok and coded == {"code": "agent.hard_link", "params": {"path": str(folder / "innocent.txt"),
                                                                       "links": 2}}
    with pytest.raises(AccessDenied):
        ctx.folders.check("read_file", "innocent.txt")


def test_ordinary_files_and_folders_still_work(granted):
    ctx, folder = granted
    assert run_tool(ctx, "read_file", {"path": "notes.txt"}) == (True, "plain notes")
    ok, listing = run_tool(ctx, "list_folder", {})
    assert ok and "notes.txt" in listing  # a folder has many links by nature: not refused

