"""Alembic environment for the app database.

Two ways in:
- programmatically from ``app.core.db.database`` (the normal path): the caller passes an open
  connection in ``config.attributes["connection"]`` and owns its transaction;
- standalone (``alembic -c some.ini upgrade head`` or ``revision --autogenerate`` by a developer):
  the URL comes from ``sqlalchemy.url`` in the config, else the current data folder's database.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.types import TypeDecorator

# The alembic CLI doesn't put the working folder on sys.path: make a checkout's app importable.
if importlib.util.find_spec("app") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from app.core.db.models import Base  # noqa: E402

config = context.config
target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):
    """Render our TypeDecorators (UTCDateTime) as their plain SQL type.

    A migration is frozen history: it must not import model code that later versions change.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


# SQLite can't ALTER most things: batch mode rebuilds the table (copy, drop, rename) instead.
_OPTIONS = dict(
    target_metadata=target_metadata,
    render_as_batch=True,
    compare_type=True,
    render_item=_render_item,
)


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from app.core import paths

    return f"sqlite:///{paths.database_file()}"


def run_offline() -> None:
    context.configure(url=_url(), literal_binds=True, **_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def _run_with(connection) -> None:
    context.configure(connection=connection, **_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as conn:
            # A batch rebuild drops the old table; with foreign keys on, that would fire ON DELETE
            # CASCADE on its children. The pragma is per connection and off by default, but say so.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            _run_with(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
