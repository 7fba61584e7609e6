"""SQLite plumbing: how a study file is opened, locked, given its schema and upgraded in place."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import Integer, Table, cast, create_engine, event, func, insert, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateTable

from tui.domain.store import schema as s
from tui.domain.store.errors import NotAStudyError, StoreError
from tui.domain.store.migrations import check_version
from tui.domain.store.study_file import check_study_file

BUSY_TIMEOUT_S = 60


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


class SQLiteBackend:
    """A study in one SQLite file: WAL, a busy timeout, and the write lock taken up front."""

    kind = "sqlite"

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        self.location = str(path)
        self.name = path.name

    @classmethod
    def open(cls, path: Path, *, create: bool, now: Callable[[], str]) -> SQLiteBackend:
        check_study_file(path, create=create, application_id=s.APPLICATION_ID, schema_version=s.SCHEMA_VERSION)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            f"sqlite:///{path}",
            # One connection per use: the file is the shared state, and processes come and go.
            poolclass=NullPool,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        _configure(engine)
        backend = cls(path, engine)
        try:
            backend._prepare_schema(now)
        except OperationalError as exc:
            raise NotAStudyError(f"{path} cannot be opened as a study: {exc.orig}") from None
        return backend

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction holding SQLite's write lock from its first statement."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction that sees one state of the study throughout (for a copy)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _prepare_schema(self, now: Callable[[], str]) -> None:
        with self.engine.connect() as conn:
            application_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
            tables = set(inspect(conn).get_table_names())
        if not tables:
            with self.write() as conn:
                if set(inspect(conn).get_table_names()):  # another process created it meanwhile
                    return self._prepare_schema(now)
                s.create_tables(conn)
                conn.execute(insert(s.meta), [
                    {"key": "schema_version", "value": str(s.SCHEMA_VERSION)},
                    {"key": "study_uuid", "value": str(uuid.uuid4())},
                    {"key": "created_at", "value": now()},
                ])
                conn.exec_driver_sql(f"PRAGMA application_id = {s.APPLICATION_ID}")
            return
        if application_id != s.APPLICATION_ID or "meta" not in tables:
            raise NotAStudyError(f"{self.path} is an SQLite database but not a SurveyDesk study")
        check_version(self, str(self.path))

    # --- migrations ---------------------------------------------------------------------------

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection holding the write lock from its first statement, with foreign keys OFF so that
        dropping a table being rebuilt never cascades into the rows pointing at it, and with
        legacy_alter_table ON so RENAME renames only, leaving references in other tables as they are.
        SQLite ignores a change of foreign_keys inside a transaction, hence before BEGIN."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None  # a checked-out connection has its DB-API connection
            raw.execute("PRAGMA foreign_keys = OFF")
            raw.execute("PRAGMA legacy_alter_table = ON")
            try:
                with conn.begin():
                    yield conn
            finally:
                raw.execute("PRAGMA legacy_alter_table = OFF")
                raw.execute("PRAGMA foreign_keys = ON")

    def rebuild(self, conn: Connection, version: int, tables: tuple[str, ...]) -> None:
        """Give tables the form the metadata declares (schema 3: AUTOINCREMENT ids). Only references
        the rebuild broke stop it: a study with older breakage still opens."""
        already = set(conn.exec_driver_sql("PRAGMA foreign_key_check").all())
        for name in tables:
            _rebuild(conn, s.metadata.tables[name])
        if broken := set(conn.exec_driver_sql("PRAGMA foreign_key_check").all()) - already:
            raise StoreError(f"upgrading the study to schema {version} would break references "
                             f"{sorted(broken)[:5]}; the study has not been changed")

    # --- ids ---------------------------------------------------------------------------------

    def id_high_water(self, conn: Connection, table: str) -> int:
        """The largest id the table ever gave out (deleted rows included)."""
        seq = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).scalar()
        top = conn.execute(select(func.max(s.metadata.tables[table].c.id))).scalar()
        return max(seq or 0, top or 0)

    def set_id_high_water(self, conn: Connection, table: str, value: int) -> None:
        """The next id the table gives out will be above ``value``."""
        if value and not conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                                              (value, table)).rowcount:
            conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, value))

    def integrity_problems(self) -> list[str]:
        with self.engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        return [] if result == ["ok"] else [f"integrity_check: {r}" for r in result]


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
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
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _rebuild(conn: Connection, table: Table) -> None:
    """Give an existing table the form the metadata declares, keeping every row, id, index and
    constraint: SQLite's "Making Other Kinds Of Table Schema Changes" procedure (create new_X, copy,
    drop X, rename new_X to X, re-create X's indexes and triggers); the caller checks foreign keys
    and commits."""
    name = table.name
    old_sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                   (name,)).scalar()
    if "AUTOINCREMENT" not in (old_sql or "").upper():  # else created in this form by an earlier step
        quote = conn.dialect.identifier_preparer.quote
        kept = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN "
                                    "('index', 'trigger') AND sql IS NOT NULL", (name,)).scalars().all()
        ddl = str(CreateTable(table).compile(dialect=conn.dialect)).strip()
        head = f"CREATE TABLE {quote(name)} ("
        if not ddl.startswith(head):  # pragma: no cover - SQLAlchemy's DDL changed shape
            raise StoreError(f"cannot rebuild table {name}: unexpected DDL {ddl[:60]!r}")
        temporary = quote(f"new_{name}")
        conn.exec_driver_sql(f"CREATE TABLE {temporary} (" + ddl[len(head):])
        columns = ", ".join(quote(column.name) for column in table.columns)
        conn.exec_driver_sql(f"INSERT INTO {temporary} ({columns}) SELECT {columns} FROM {quote(name)}")
        conn.exec_driver_sql(f"DROP TABLE {quote(name)}")
        conn.exec_driver_sql(f"ALTER TABLE {temporary} RENAME TO {quote(name)}")
        for sql in kept:
            conn.exec_driver_sql(sql)
    _seed_id_sequence(conn, table)


# Audit entities whose entity_key is the id of a row of these tables.
AUDITED_ID = {"returns": "return", "drafts": "draft", "discrepancies": "discrepancy"}


def _seed_id_sequence(conn: Connection, table: Table) -> None:
    """Start the table's AUTOINCREMENT counter past every id the study ever gave out, including ids
    of rows deleted before the migration that the audit trail (or a second-pass draft) still names."""
    sources = [select(func.max(table.c.id))]
    if (entity := AUDITED_ID.get(table.name)) is not None:
        sources.append(select(func.max(cast(s.audit.c.entity_key, Integer))).where(s.audit.c.entity == entity))
    if table is s.returns:
        sources.append(select(func.max(s.drafts.c.return_id)))
    highest = max(conn.execute(query).scalar() or 0 for query in sources)
    if highest and not conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
                                            (highest, table.name)).rowcount:
        conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table.name, highest))
