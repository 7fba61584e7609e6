"""Schema versions: a newer study is refused untouched; an older one is brought up to date on open,
one version at a time, each step in one transaction holding the study's write lock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from tui.domain.store import schema as s
from tui.domain.store.errors import NewerStudyError

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.store.backend import Backend


def check_version(backend: Backend, where: str) -> None:
    """Refuse a study written by a newer SurveyDesk (without changing it); upgrade an older one."""
    with backend.engine.connect() as conn:
        version = int(conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar() or 0)
    if version > s.SCHEMA_VERSION:
        raise NewerStudyError(
            f"{where} was written by a newer SurveyDesk (study schema {version}; this version reads up to "
            f"{s.SCHEMA_VERSION}). Upgrade SurveyDesk to open it; the study has not been changed.")
    if version < s.SCHEMA_VERSION:
        migrate(backend, version)


def migrate(backend: Backend, from_version: int) -> None:
    """Bring an older study up to date, one schema version at a time, each in one transaction."""
    for version in range(from_version + 1, s.SCHEMA_VERSION + 1):
        with backend.migration_connection() as conn:
            current = int(conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar_one())
            if current >= version:  # another process migrated it meanwhile
                continue
            for name in s.INTRODUCED.get(version, ()):
                s.metadata.tables[name].create(conn, checkfirst=True)
            if rebuilt := s.REBUILT.get(version, ()):
                backend.rebuild(conn, version, rebuilt)
            conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(version)))
