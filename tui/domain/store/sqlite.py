"""SQLite plumbing: how a study file is opened, locked and given its schema."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.engine import Engine

from tui.domain.store import schema as s
from tui.domain.store.errors import NewerStudyError, NotAStudyError
from tui.domain.store.migrations import migrate

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 60

def configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Manage transactions ourselves so a write can take the lock up front (BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets readers work while a station writes; FULL syncs each commit so a saved
        # return survives a power cut as well as a killed process.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def prepare_schema(engine: Engine, path: Path, now: Callable[[], str]) -> None:
    with engine.connect() as conn:
        application_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
        tables = set(inspect(conn).get_table_names())
    if not tables:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            if set(inspect(conn).get_table_names()):  # another process created it meanwhile
                return prepare_schema(engine, path, now)
            s.metadata.create_all(conn)
            conn.execute(insert(s.meta), [
                {"key": "schema_version", "value": str(s.SCHEMA_VERSION)},
                {"key": "study_uuid", "value": str(uuid.uuid4())},
                {"key": "created_at", "value": now()},
            ])
            conn.exec_driver_sql(f"PRAGMA application_id = {s.APPLICATION_ID}")
        return
    if application_id != s.APPLICATION_ID or "meta" not in tables:
        raise NotAStudyError(f"{path} is an SQLite database but not a SurveyDesk study")
    with engine.connect() as conn:
        version = int(conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar() or 0)
    if version > s.SCHEMA_VERSION:
        raise NewerStudyError(
            f"{path} was written by a newer SurveyDesk (study schema {version}; this version reads up to "
            f"{s.SCHEMA_VERSION}). Upgrade SurveyDesk to open it; the file has not been changed.")
    if version < s.SCHEMA_VERSION:
        migrate(engine, version)
