"""Projects: the top-level folders a person files datasets, runs and chats under.

``ProjectStore`` returns frozen ``Project`` snapshots, never live ORM objects, so views hold no
sessions. Errors a person can fix are ``UserError``s with a stable ``code`` for translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.db.database import Database
from app.core.db.models import Project as ProjectRow
from app.core.db.models import utcnow
from app.core.errors import UserError
from app.core.names import clean_name

NAME_MAX = 200  # the column's length


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    description: str
    archived: bool
    created_at: datetime
    updated_at: datetime


def _snapshot(row: ProjectRow) -> Project:
    return Project(
        id=row.id,
        name=row.name,
        description=row.description,
        archived=row.archived,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _fold(s: str) -> str:
    # casefold in Python: SQLite's lower()/LIKE fold ASCII only, and names may be in any script.
    return s.casefold()


def _clean_name(name: str) -> str:
    return clean_name(name, what="project", code="project", max_len=NAME_MAX)


def _name_taken(name: str) -> UserError:
    return UserError(
        f'A project named "{name}" already exists.', code="project.name_taken", params={"name": name}
    )


class ProjectStore:
    def __init__(self, db: Database):
        self._db = db

    def create(self, name: str, description: str = "") -> Project:
        name = _clean_name(name)
        try:
            with self._db.session() as s:
                self._check_free(s, name)
                now = utcnow()
                row = ProjectRow(
                    name=name, description=description.strip(), created_at=now, updated_at=now
                )
                s.add(row)
                s.flush()
                return _snapshot(row)
        except IntegrityError:  # another writer took the exact name between check and insert
            raise _name_taken(name) from None

    def get(self, project_id: int) -> Project:
        with self._db.session() as s:
            return _snapshot(self._row(s, project_id))

    def list(self, search: str = "", include_archived: bool = False) -> list[Project]:
        """Most recently changed first. ``search`` matches name or description, ignoring case."""
        query = select(ProjectRow).order_by(ProjectRow.updated_at.desc(), ProjectRow.id.desc())
        if not include_archived:
            query = query.where(ProjectRow.archived.is_(False))
        with self._db.session() as s:
            projects = [_snapshot(row) for row in s.scalars(query)]
        # Filtered here, not in SQL (see _fold): a person has tens of projects, not millions.
        needle = _fold(search.strip())
        if needle:
            projects = [
                p for p in projects if needle in _fold(p.name) or needle in _fold(p.description)
            ]
        return projects

    def rename(self, project_id: int, name: str) -> Project:
        name = _clean_name(name)
        try:
            with self._db.session() as s:
                row = self._row(s, project_id)
                if row.name != name:
                    self._check_free(s, name, exclude_id=project_id)
                    row.name = name
                    row.updated_at = utcnow()
                s.flush()
                return _snapshot(row)
        except IntegrityError:
            raise _name_taken(name) from None

    def set_description(self, project_id: int, text: str) -> Project:
        return self._update(project_id, description=(text or "").strip())

    def archive(self, project_id: int, archived: bool = True) -> Project:
        return self._update(project_id, archived=bool(archived))

    def delete(self, project_id: int) -> None:
        """Delete the project row only. Its datasets, runs and chats stay, with no project (the
        foreign keys are ON DELETE SET NULL): files a person made are never deleted in passing."""
        with self._db.session() as s:
            s.delete(self._row(s, project_id))

    # --- helpers ---------------------------------------------------------------------------

    def _update(self, project_id: int, **values: object) -> Project:
        with self._db.session() as s:
            row = self._row(s, project_id)
            changed = False
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
                    changed = True
            if changed:
                row.updated_at = utcnow()
            s.flush()
            return _snapshot(row)

    @staticmethod
    def _row(s: Session, project_id: int) -> ProjectRow:
        row = s.get(ProjectRow, project_id)
        if row is None:
            raise UserError(
                "This project no longer exists.", code="project.not_found", params={"id": project_id}
            )
        return row

    @staticmethod
    def _check_free(s: Session, name: str, exclude_id: int | None = None) -> None:
        folded = _fold(name)
        for other_id, other_name in s.execute(select(ProjectRow.id, ProjectRow.name)):
            if other_id != exclude_id and _fold(other_name) == folded:
                raise _name_taken(name)
