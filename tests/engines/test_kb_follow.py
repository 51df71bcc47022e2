"""A knowledge base that follows a folder: `kb follow` indexes it, `kb sync` (and the window, on
changes and at start) adds new files, replaces changed ones and removes deleted ones, with no
duplicates."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_follow_then_add_change_delete_and_sync(ai_home, tmp_path):
    env = engine_env_for(ai_home)

    def cli(*args, ok=True):
        out = subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO), env=env,
                             capture_output=True, text=True, timeout=300)
        if ok:
            assert out.returncode == 0, out.stderr[-3000:]
        return out

    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "owls.md").write_text("Copperwing owls migrate every October during moonless nights.", encoding="utf-8")
    (folder / "tea.md").write_text("Ironleaf tea grows above two thousand metres.", encoding="utf-8")
    (folder / "sub" / "ants.md").write_text("Glacier ants freeze solid in winter.", encoding="utf-8")
    cli("create", "notes")
    first = json.loads(cli("follow", "notes", str(folder), "--json").stdout)
    assert first["counts"] == {"indexed": 3} and first["followed"] == [str(folder)]
    listed = json.loads(cli("list", "--json").stdout)["knowledge_bases"][0]
    assert listed["follow"] == [str(folder)] and listed["documents"] == 3

    (folder / "sub" / "bees.md").write_text("Robotic beekeepers count pollen grains.", encoding="utf-8")  # new
    (folder / "tea.md").write_text("Ironleaf tea is now picked at noon, not dawn.", encoding="utf-8")  # changed
    (folder / "owls.md").unlink()  # deleted
    synced = json.loads(cli("sync", "notes", "--json").stdout)
    by = {f["path"].rsplit("/", 1)[1]: f["status"] for f in synced["files"]}
    assert by == {"owls.md": "removed", "bees.md": "indexed", "tea.md": "indexed", "ants.md": "unchanged"}
    assert synced["chunks_total"] == 3

    hits = json.loads(cli("query", "notes", "owl migration in October", "--top-k", "5", "--json").stdout)["chunks"]
    assert all(not c["file"].endswith("owls.md") for c in hits) and len(hits) == 3
    tea = json.loads(cli("query", "notes", "when is the tea picked", "--top-k", "1", "--json").stdout)["chunks"][0]
    assert tea["file"].endswith("tea.md") and "noon" in tea["text"]
    again = json.loads(cli("sync", "notes", "--json").stdout)
    assert {f["status"] for f in again["files"]} == {"unchanged"} and again["chunks_total"] == 3  # nothing twice

    # A followed folder that is gone (an unplugged drive): its documents stay, nothing fails.
    moved = tmp_path / "elsewhere"
    folder.rename(moved)
    gone = cli("sync", "notes", "--json")
    assert json.loads(gone.stdout)["chunks_total"] == 3
    cli("unfollow", "notes", str(folder))
    nothing = cli("sync", "notes", ok=False)
    assert nothing.returncode == 2 and "follows no folder" in nothing.stderr
