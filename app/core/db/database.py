"""Open the app database: one SQLite file in WAL mode, migrated to the current schema on open.

Startup cost matters (the GUI starts in well under a second), so Alembic is imported only when the
database is not already at ``SCHEMA_HEAD``; the usual start reads one row and moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from app import APP_DISPLAY_NAME
from app.core import paths
from app.core.errors import BugError, UserError

log = logging.getLogger(__name__)

# The newest revision in app/core/migrations/versions. A test keeps the two in step.
SCHEMA_HEAD = "0005"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseTooNew(UserError):
    """The database was written by a newer version of the app, whose schema this one can't know."""

    def __init__(self, path: Path, revisions: Iterable[str]):
        revs = ", ".join(sorted(revisions))
        super().__init__(
            f"The database {path} was written by a newer version of {APP_DISPLAY_NAME} "
            f"(schema {revs}). Update {APP_DISPLAY_NAME}, or choose another data folder in Settings.",
            code="db.too_new",
            params={"path": str(path), "revision": revs},
        )


class Database:
    """An open database. ``session()`` for work; views get snapshots, never live ORM objects."""

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        # expire_on_commit=False: objects read in a session stay readable after it commits.
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back if it raises."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def integrity_ok(self) -> bool:
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
        return [tuple(r) for r in rows] == [("ok",)]

    def close(self) -> None:
        # Fold the WAL back into the main file so a closed database is a single file to copy.
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # another process may hold it; the next opener checkpoints instead
            log.debug("WAL checkpoint on close skipped", exc_info=True)
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(path: Path | str | None = None) -> Database:
    """Open (creating if needed) the database at ``path``, default the data folder's, at head.

    Raises ``DatabaseTooNew`` if a newer app version has migrated it past what this one knows.
    """
    path = Path(path) if path is not None else paths.database_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _make_engine(path, foreign_keys=True)
    try:
        with engine.connect() as conn:
            current = _current_revisions(conn)
        if current != {SCHEMA_HEAD}:
            _migrate(path, current)
    except Exception as exc:
        engine.dispose()
        from app.core import diskspace

        if not (path.exists() and diskspace.looks_full(exc, path.parent)):
            raise
        # A full disk: WAL mode cannot even create its shared-memory file, so open the file
        # read-only and as it is, for the commands that only read (lists keep working); a write
        # fails, and the caller words that as "the disk is full".
        log.info("the disk holding %s is full: database opened read-only", path)
        engine = _make_engine(path, foreign_keys=True, read_only=True)
        with engine.connect() as conn:
            if _current_revisions(conn) != {SCHEMA_HEAD}:
                engine.dispose()
                raise diskspace.disk_full_error(path.parent) from None
    except BaseException:
        engine.dispose()
        raise
    return Database(path, engine)


def _make_engine(path: Path, *, foreign_keys: bool, read_only: bool = False, **kwargs) -> Engine:
    if read_only:
        from urllib.parse import quote

        engine = create_engine(f"sqlite:///file:{quote(str(path))}?mode=ro&immutable=1&uri=true", **kwargs)
    else:
        engine = create_engine(f"sqlite:///{path}", **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        if read_only:
            cur.close()
            return
        try:
            # busy_timeout first, so switching to WAL waits for another process's lock.
            cur.execute("PRAGMA busy_timeout=5000")
            mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":  # e.g. a network share: still works, just less concurrent
                log.warning("SQLite WAL unavailable for %s (journal_mode=%s)", path, mode)
            # WAL + NORMAL: an app crash loses nothing, only a power cut can lose the last commit.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cur.close()

    return engine


def _current_revisions(conn: Connection) -> set[str]:
    """Alembic's recorded revisions, read with plain SQL so the usual start skips Alembic."""
    has_table = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
    ).first()
    if not has_table:
        return set()
    return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _migrate(path: Path, current: set[str]) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()  # no alembic.ini at runtime; "%" would be read as interpolation by ConfigParser
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    script = ScriptDirectory.from_config(cfg)
    unknown = current - {rev.revision for rev in script.walk_revisions()}
    if unknown:
        raise DatabaseTooNew(path, unknown)

    # Its own engine, because migrations need two things the app's connections must not have:
    # foreign keys OFF (a batch rebuild drops the old table, which would fire ON DELETE CASCADE on
    # its children) and one real transaction around everything (pysqlite's default autocommits
    # DDL), so a failed upgrade leaves the old schema whole.
    engine = _make_engine(path, foreign_keys=False, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _no_driver_tx(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock up front: one migrator

    try:
        with engine.begin() as conn:
            log.info("Migrating %s from %s to head", path, sorted(current) or "empty")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise BugError(f"migration left dangling foreign keys in {path}: {broken[:5]}")
    finally:
        engine.dispose()
