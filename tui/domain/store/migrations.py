"""Schema migrations: an older study is brought up to date on open, one version at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Integer, Table, cast, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateTable

from tui.domain.store import schema as s
from tui.domain.store.errors import StoreError


def migrate(engine: Engine, from_version: int) -> None:
    """Bring an older study up to date, one schema version at a time, each in one transaction."""
    for version in range(from_version + 1, s.SCHEMA_VERSION + 1):
        with _migration_connection(engine) as conn, conn.begin():
            current = int(conn.execute(select(s.meta.c.value).where(s.meta.c.key == "schema_version")).scalar())
            if current >= version:  # another process migrated it meanwhile
                continue
            for name in s.INTRODUCED.get(version, ()):
                s.metadata.tables[name].create(conn, checkfirst=True)
            if rebuilt := s.REBUILT.get(version, ()):
                # Only references the rebuild broke stop it: a study with older breakage still opens.
                already = set(conn.exec_driver_sql("PRAGMA foreign_key_check").all())
                for name in rebuilt:
                    _rebuild(conn, s.metadata.tables[name])
                if broken := set(conn.exec_driver_sql("PRAGMA foreign_key_check").all()) - already:
                    raise StoreError(f"upgrading the study to schema {version} would break references "
                                     f"{sorted(broken)[:5]}; the study has not been changed")
            conn.execute(update(s.meta).where(s.meta.c.key == "schema_version").values(value=str(version)))


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding the write lock from its first statement, with foreign keys OFF so that
    dropping a table being rebuilt never cascades into the rows pointing at it, and with
    legacy_alter_table ON so RENAME renames only, leaving references in other tables as they are.
    SQLite ignores a change of foreign_keys inside a transaction, hence before BEGIN."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA legacy_alter_table = ON")
        try:
            yield conn
        finally:
            raw.execute("PRAGMA legacy_alter_table = OFF")
            raw.execute("PRAGMA foreign_keys = ON")


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
