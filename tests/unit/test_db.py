"""The database layer on real SQLite files in the temp home: migrations, pragmas, sessions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.core import paths
from app.core.db import SCHEMA_HEAD, Database, DatabaseTooNew, open_database
from app.core.db import database as database_mod
from app.core.db.models import Base, Project, Run, RunMetric, utcnow
from app.core.errors import UserError


@pytest.fixture
def db():
    database = open_database()
    yield database
    database.close()


def _raw(path):
    """A plain sqlite3 connection: sees the file as another program would."""
    return sqlite3.connect(path)


def test_opens_in_the_home_folder_by_default(db, ai_home):
    assert db.path == paths.database_file() == ai_home / "ai-platform.sqlite3"
    assert db.path.is_file()


def test_creates_missing_parent_folders(tmp_path):
    target = tmp_path / "a" / "b" / "db.sqlite3"
    open_database(target).close()
    assert target.is_file()


def test_migrated_schema_matches_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(ctx, Base.metadata) == []


def test_migration_keeps_what_autogenerate_does_not_compare(db, tmp_path):
    """ON DELETE actions and AUTOINCREMENT, checked against create_all() from the models."""
    reference = tmp_path / "reference.sqlite3"
    engine = database_mod._make_engine(reference, foreign_keys=True)
    Base.metadata.create_all(engine)
    engine.dispose()

    def shape(path):
        with _raw(path) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            out = {}
            for t in tables:
                if t.startswith("sqlite_") or t == "alembic_version":
                    continue
                sql = conn.execute("SELECT sql FROM sqlite_master WHERE name=?", (t,)).fetchone()[0]
                fks = sorted(
                    (r[3], r[2], r[6]) for r in conn.execute(f"PRAGMA foreign_key_list({t})")
                )
                out[t] = ("AUTOINCREMENT" in sql, fks)
        return out

    assert shape(db.path) == shape(reference)
    assert len(shape(db.path)) == len(Base.metadata.tables) == 12


def test_schema_head_constant_matches_the_migration_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(database_mod.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_heads() == [SCHEMA_HEAD]


def test_version_table_is_at_head(db):
    with _raw(db.path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(SCHEMA_HEAD,)]


def test_wal_and_pragmas_on_every_connection(db):
    # Two connections at once: the pool must have set the pragmas on each, not just the first.
    with db.engine.connect() as a, db.engine.connect() as b:
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(RunMetric(run_id="no-such-run", step=1, name="loss", value=1.0))


def test_cascade_and_set_null(db):
    with db.session() as s:
        project = Project(name="p")
        s.add(project)
        s.flush()
        s.add(
            Run(id="run-1", project_id=project.id, name="r", method="lora", base_model="m", run_dir="d")
        )
        s.add(RunMetric(run_id="run-1", step=1, name="loss", value=2.5))
    with db.session() as s:
        s.delete(s.get(Project, 1))
    with db.session() as s:
        assert s.get(Run, "run-1").project_id is None  # SET NULL: the run survives
        s.delete(s.get(Run, "run-1"))
    with db.session() as s:
        assert s.scalars(select(RunMetric)).all() == []  # CASCADE: metrics go with their run


def test_metric_step_is_unique_per_run_and_name(db):
    with db.session() as s:
        s.add(Run(id="r", name="r", method="qlora", base_model="m", run_dir="d"))
        s.add(RunMetric(run_id="r", step=1, name="loss", value=1.0))
        s.add(RunMetric(run_id="r", step=1, name="lr", value=1e-4))
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(RunMetric(run_id="r", step=1, name="loss", value=0.5))


def test_reopen_keeps_data_and_skips_migration(db, monkeypatch):
    with db.session() as s:
        s.add(Project(name="kept"))
    db.close()

    def no_migration(*_a, **_k):
        raise AssertionError("a database at head must not be migrated again")

    monkeypatch.setattr(database_mod, "_migrate", no_migration)
    with open_database() as again:
        with again.session() as s:
            assert s.scalars(select(Project.name)).all() == ["kept"]


def test_timestamps_are_aware_utc(db):
    local = datetime(2024, 5, 1, 20, 0, tzinfo=timezone(timedelta(hours=8)))
    with db.session() as s:
        s.add(Project(name="tz", created_at=local, updated_at=local))
    with db.session() as s:
        row = s.scalars(select(Project)).one()
        assert row.created_at == local and row.created_at.tzinfo is UTC
        assert row.created_at.hour == 12
    with pytest.raises(Exception, match="naive datetime"):
        with db.session() as s:
            s.add(Project(name="naive", created_at=datetime(2024, 1, 1), updated_at=utcnow()))


def test_utcnow_is_strictly_increasing():
    stamps = [utcnow() for _ in range(1000)]
    assert all(a < b for a, b in zip(stamps, stamps[1:]))


def test_unknown_revision_raises_database_too_new(db):
    path = db.path
    db.close()
    with _raw(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    with pytest.raises(DatabaseTooNew) as info:
        open_database(path)
    err = info.value
    assert isinstance(err, UserError)
    assert err.code == "db.too_new"
    assert err.params["revision"] == "9999_from_the_future"
    assert "newer version" in str(err) and "Update" in str(err)
    assert str(path) in str(err)
    # Refusing must not have touched the file.
    with _raw(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("9999_from_the_future",)
        ]


def test_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    from alembic import command

    path = tmp_path / "db.sqlite3"

    def upgrade_then_fail(cfg, target):
        real_upgrade(cfg, target)
        raise RuntimeError("disk on fire")

    real_upgrade = command.upgrade
    monkeypatch.setattr(command, "upgrade", upgrade_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        open_database(path)
    with _raw(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall() == []


def test_session_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.add(Project(name="ghost"))
            s.flush()
            raise RuntimeError("boom")
    with db.session() as s:
        assert s.scalars(select(Project)).all() == []


def test_session_commits_on_success(db):
    with db.session() as s:
        s.add(Project(name="solid"))
    with _raw(db.path) as conn:
        assert conn.execute("SELECT name FROM projects").fetchall() == [("solid",)]


def test_integrity_ok(db):
    assert db.integrity_ok()


def test_close_folds_the_wal_back(db):
    with db.session() as s:
        s.add(Project(name="x"))
    db.close()
    wal = db.path.with_name(db.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_open_is_a_context_manager(tmp_path):
    with open_database(tmp_path / "x.sqlite3") as database:
        assert isinstance(database, Database)
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM projects")).scalar() == 0
