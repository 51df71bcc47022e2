"""A database from every released schema opens in this version without losing a row.

tests/fixtures/db/schema_NNNN.sqlite is one per revision (see the README there); opening a copy
with open_database upgrades it to head. Columns a later migration adds are not compared; a column
a migration renames or drops must be mapped here when that migration is written.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.db import SCHEMA_HEAD, open_database
from app.core.db.database import MIGRATIONS_DIR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "db"
ALL_TABLES = ("projects", "datasets", "runs", "run_metrics", "models", "adapters", "knowledge_bases",
              "documents", "chat_sessions", "chat_messages")
# tables added by later revisions: (first revision that has it, table)
LATER_TABLES = (("0002", "evaluations"), ("0003", "memories"))


def _revisions() -> list[str]:
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("schema_*.sqlite"))


def _snapshot(path: Path) -> dict[str, list[dict]]:
    """Every row of every app table, as {column: value}, read with plain sqlite3."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version'")]
        return {t: [dict(r) for r in con.execute(f'SELECT * FROM "{t}" ORDER BY rowid')] for t in tables}
    finally:
        con.close()


def test_every_revision_has_a_fixture():
    have = {p.stem.removeprefix("schema_") for p in _fixtures()}
    missing = [rev for rev in _revisions() if rev not in have]
    assert not missing, (f"no fixture database for schema {missing}: run tests/fixtures/db/make_fixture.py "
                         "(see tests/fixtures/db/README.md)")
    assert SCHEMA_HEAD in have


def test_fixtures_are_small_and_full():
    for fixture in _fixtures():
        assert fixture.stat().st_size < 200_000, fixture.name
        before = _snapshot(fixture)
        rev = fixture.stem.removeprefix("schema_")
        for table in ALL_TABLES + tuple(t for since, t in LATER_TABLES if rev >= since):
            assert before.get(table), f"{fixture.name}: no rows in {table}"


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.stem)
def test_old_database_upgrades_without_losing_rows(fixture, ai_home):
    path = ai_home / "ai-platform.sqlite3"
    shutil.copyfile(fixture, path)
    before = _snapshot(path)

    db = open_database(path)
    try:
        assert db.integrity_ok()
        with db.engine.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")] == [SCHEMA_HEAD]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.close()

    after = _snapshot(path)
    for table, rows in before.items():
        assert table in after, f"{fixture.name}: table {table} is gone after the upgrade"
        assert len(after[table]) == len(rows), f"{fixture.name}: {table} had {len(rows)} rows"
        for old, new in zip(rows, after[table], strict=True):
            assert {k: new.get(k) for k in old} == old, f"{fixture.name}: a row of {table} changed"

    # And the app's own code reads them back (timestamps, text, links).
    from app.core.runs import RunStore

    db = open_database(path)
    try:
        runs = {r.id: r for r in RunStore(db).list()}
        assert runs["20261120-083000-poems"].final_loss == pytest.approx(1.25)
        assert runs["20261121-090000-cut"].name == "中断的运行"
        assert runs["20261120-083000-poems"].created_at.tzinfo is not None
    finally:
        db.close()
