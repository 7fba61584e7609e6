"""SQLite plumbing: how a study file is opened, locked and given its schema."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.engine import Connection, Engine

from tui.domain.store import schema as s
from tui.domain.store.errors import NewerStudyError, NotAStudyError
from tui.domain.store.migrations import migrate

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 60

def refuse_untouched(path: Path) -> None:
    """Refuse a file that is not a study, or a study of a newer schema, before anything writes to
    it: opening a study switches it to WAL and may upgrade it, which would change another program's
    file or a newer SurveyDesk's. Reads through a read-only connection (``immutable`` when the file
    is in WAL mode with no -wal file beside it, so not even a -shm file is made)."""
    with path.open("rb") as handle:
        head = handle.read(100)
    if not head:
        time.sleep(0.2)  # another station may be creating the study this instant
        with path.open("rb") as handle:
            head = handle.read(100)
        if not head:
            raise NotAStudyError(f"{path} is an empty file (0 bytes), not a study. To start a new study "
                                 "there, delete it first; the file has not been changed.")
    if head[:16] != SQLITE_HEADER:
        raise NotAStudyError(f"{path} is not a SurveyDesk study (not an SQLite database)")
    wal_mode = len(head) > 18 and head[18] == 2
    wal_file = path.with_name(path.name + "-wal")
    option = "immutable=1" if wal_mode and not wal_file.exists() else "mode=ro"
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{option}", uri=True)
    except sqlite3.Error:  # pragma: no cover - unreadable: the normal open says why
        return
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = None
        if application_id == s.APPLICATION_ID and "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else None
    except sqlite3.DatabaseError as exc:
        raise NotAStudyError(f"{path} cannot be opened as a study: {exc}; the file has not been changed") from None
    finally:
        conn.close()
    if tables and (application_id != s.APPLICATION_ID or "meta" not in tables):
        raise NotAStudyError(f"{path} is an SQLite database but not a SurveyDesk study; "
                             "the file has not been changed")
    if version is not None and version > s.SCHEMA_VERSION:
        raise NewerStudyError(newer_message(path, version))


def newer_message(path: Path, version: int) -> str:
    return (f"{path} was written by a newer SurveyDesk (study schema {version}; this version reads up to "
            f"{s.SCHEMA_VERSION}). Upgrade SurveyDesk to open it; the file has not been changed.")


def audit_high_water(conn: Connection) -> int | None:
    """The highest audit entry number the study ever gave out (AUTOINCREMENT's counter; it survives
    deleting the newest entries), or None on a backend whose counter can skip (PostgreSQL sequences
    are not rolled back with a failed transaction)."""
    if conn.dialect.name != "sqlite":
        return None
    return conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").scalar()


def backup_sqlite(source: Path, target: Path) -> tuple[list[str], tuple[int, str] | None]:
    """Copy the study at ``source`` into a new file ``target`` with SQLite's online backup (a consistent
    snapshot, taken while other stations may keep writing; the -wal file's pages are included). Never
    overwrites: ``target`` must not exist. The copy is written beside the target and renamed into place;
    returns what PRAGMA integrity_check says of it (empty: sound) and the copy's audit head."""
    if target.exists() or target.with_name(target.name + "-wal").exists():
        raise FileExistsError(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, whatever the source's mode
            problems = [r[0] for r in dst.execute("PRAGMA integrity_check")]
            head = dst.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        if target.exists():
            raise FileExistsError(target)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return ([] if problems == ["ok"] else problems), (tuple(head) if head else None)


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
        raise NewerStudyError(newer_message(path, version))
    if version < s.SCHEMA_VERSION:
        migrate(engine, version)
