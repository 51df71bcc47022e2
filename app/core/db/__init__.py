"""The app database: SQLAlchemy 2 models, Alembic migrations, and ``open_database``."""

from app.core.db.database import SCHEMA_HEAD, Database, DatabaseTooNew, open_database

__all__ = ["SCHEMA_HEAD", "Database", "DatabaseTooNew", "open_database"]
