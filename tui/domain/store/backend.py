"""The seam between the portable Study API and the database holding a study.

A study lives in an SQLite file (a path) or a PostgreSQL database (a ``postgresql://`` URL). Each
backend module (sqlite.py, postgres.py) gives the same few things: how a write transaction takes the
study's write lock, how the schema is created and upgraded, and where a table's id counter stands.
Everything else is SQLAlchemy Core in study.py and reads.py, the same SQL on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # is_server_url is asked before SQLAlchemy is imported (the app's start-up)
    from sqlalchemy.engine import Connection, CursorResult, Engine

# postgresql://, postgres://, postgresql+psycopg:// (and a mistyped driver, refused with a message).
URL_PREFIX = re.compile(r"^postgres(?:ql)?(?:\+[A-Za-z0-9_]+)?:", re.IGNORECASE)


class Backend(Protocol):
    kind: str  # "sqlite" | "postgresql"
    engine: Engine
    @property
    def path(self) -> Path | None: ...  # the study file; None for a server (read-only: SQLite's is a Path)
    location: str  # for messages: a path, or the URL without any password
    name: str  # short, for the title bar

    def close(self) -> None: ...
    def write(self) -> AbstractContextManager[Connection]: ...
    def read(self) -> AbstractContextManager[Connection]: ...
    def snapshot(self) -> AbstractContextManager[Connection]: ...
    def migration_connection(self) -> AbstractContextManager[Connection]: ...
    def rebuild(self, conn: Connection, version: int, tables: tuple[str, ...]) -> None: ...
    def id_high_water(self, conn: Connection, table: str) -> int: ...
    def set_id_high_water(self, conn: Connection, table: str, value: int) -> None: ...
    def integrity_problems(self) -> list[str]: ...


def new_id(result: CursorResult[Any]) -> int:
    """The id an INSERT of one row gave it."""
    key = result.inserted_primary_key
    assert key is not None  # an INSERT's result always has one
    made: int = key[0]
    return made


def is_server_url(location: str | Path) -> bool:
    return bool(URL_PREFIX.match(str(location)))


def open_backend(location: str | Path, *, create: bool, now: Callable[[], str]) -> Backend:
    """The backend for ``location``: a ``postgresql://`` URL, else the path of an SQLite file."""
    if is_server_url(location):
        from tui.domain.store.postgres import PostgresBackend

        return PostgresBackend.open(str(location), create=create, now=now)
    from tui.domain.store.sqlite import SQLiteBackend

    return SQLiteBackend.open(Path(location), create=create, now=now)
