"""PostgreSQL plumbing: a study in a database on a server, for stations on several computers.

``--study postgresql://USER@HOST[:PORT]/DATABASE`` (psycopg 3, the ``[postgres]`` extra). The password
is never part of the URL: libpq takes it from PGPASSWORD, ~/.pgpass or a service file
(``postgresql:///?service=NAME``), so it never shows in ``ps``, shell history, messages or the audit.

Every write transaction first takes one transaction-scoped advisory lock (released at commit or
rollback), so writes to a study run one after another exactly as SQLite's BEGIN IMMEDIATE makes them:
the hash-chained audit trail never forks, a serial number is never handed out twice, and a stale edit
is always seen. Reads never wait for it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DataError, InterfaceError, OperationalError

from tui.domain.store import schema as s
from tui.domain.store.errors import InputError, NotAStudyError, NotFoundError, StoreError
from tui.domain.store.migrations import check_version

DRIVER = "postgresql+psycopg"
# pg_advisory_xact_lock key of a study's write lock ("SDSK"); advisory locks are per database.
WRITE_LOCK = s.APPLICATION_ID
CONNECT_TIMEOUT_S = 10


def parse_url(location: str) -> URL:
    """The URL with psycopg as its driver; refuses a password in it (shown without the password)."""
    try:
        url = make_url(location)
    except ArgumentError:
        raise InputError(f"{_redact(location)} is not a PostgreSQL URL: write postgresql://USER@HOST/DATABASE"
                         ) from None
    if url.get_backend_name() != "postgresql":  # pragma: no cover - is_server_url matched the prefix
        raise InputError(f"{_redact(location)} is not a PostgreSQL URL")
    if url.get_driver_name() not in ("", "psycopg"):
        raise InputError(f"{shown(url)}: SurveyDesk talks to PostgreSQL through psycopg 3; write the URL as "
                         "postgresql://USER@HOST/DATABASE")
    if url.password is not None or "password" in url.query:
        raise InputError(
            f"{shown(url)}: the study URL must not carry the password (it would show in `ps`, in shell history "
            "and in messages). Remove it, and put it in ~/.pgpass (HOST:PORT:DATABASE:USER:PASSWORD, mode 600), "
            "in PGPASSWORD, or in a service file (postgresql:///?service=NAME).")
    return url.set(drivername=DRIVER)


def shown(url: URL) -> str:
    """The URL as messages and the title show it: never a password."""
    return (url.set(drivername="postgresql").difference_update_query(["password"])
            .render_as_string(hide_password=True))


def _redact(location: str) -> str:
    """A URL that did not parse, with anything between ``:`` and ``@`` of its authority masked."""
    head, sep, rest = location.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return location
    auth, _, tail = rest.partition("@")
    return f"{head}://{auth.split(':', 1)[0]}:***@{tail}" if ":" in auth else location


def _scrub(message: str) -> str:
    """libpq does not echo passwords; this makes sure of it for the one in the environment."""
    secret = os.environ.get("PGPASSWORD")
    return message.replace(secret, "***") if secret else message


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return _scrub(" ".join(lines[:2]) if lines else type(orig).__name__)


class PostgresBackend:
    kind = "postgresql"
    path: Path | None = None

    def __init__(self, url: URL, engine: Engine):
        self.url = url
        self.engine = engine
        self.location = shown(url)
        self.name = f"{url.database or '(default database)'} on {url.host or 'the local server'}"

    @classmethod
    def open(cls, location: str, *, create: bool, now: Callable[[], str]) -> PostgresBackend:
        url = parse_url(location)
        args = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "surveydesk"}
        try:
            engine = create_engine(
                url,
                # A few connections per process, checked before use so a restarted server is survived.
                pool_size=2, max_overflow=6, pool_pre_ping=True,
                connect_args={k: v for k, v in args.items() if k not in url.query},
            )
        except ModuleNotFoundError:
            raise StoreError("PostgreSQL support is not installed: pip install 'surveydesk[postgres]' "
                             "(psycopg 3)") from None
        backend = cls(url, engine)
        try:
            backend._prepare_schema(now, create)
        except BaseException:
            engine.dispose()
            raise
        return backend

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Server and data errors as one line naming the study; never a traceback, never a password."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            message = _first_line(exc)
            if "does not exist" in message and "database" in message:
                raise NotFoundError(f"{self.location}: {message}. Create the database first (README, "
                                    "'Several stations': createdb -O ROLE DATABASE)") from None
            raise StoreError(f"the study server {self.location} could not be used: {message}") from None
        except DataError as exc:
            raise InputError(f"the study at {self.location} refused a value: {_first_line(exc)}") from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction holding the study's write lock from its first statement."""
        with self._errors(), self.engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read transaction that sees one state of the study throughout (for a copy)."""
        with (self._errors(),
              self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
              conn.begin()):
            yield conn

    migration_connection = write

    def _prepare_schema(self, now: Callable[[], str], create: bool) -> None:
        with self.write() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                if not create:
                    raise NotFoundError(f"no study in {self.location} (the database is empty); create one with "
                                        f"`surveydesk --study {self.location} wave add`")
                s.create_tables(conn)
                conn.execute(insert(s.meta), [
                    {"key": "schema_version", "value": str(s.SCHEMA_VERSION)},
                    {"key": "study_uuid", "value": str(uuid.uuid4())},
                    {"key": "created_at", "value": now()},
                ])
                return
            if "meta" not in tables or conn.execute(
                    select(s.meta.c.value).where(s.meta.c.key == "study_uuid")).scalar() is None:
                raise NotAStudyError(f"{self.location} is a PostgreSQL database but not a SurveyDesk study "
                                     f"(it has other tables: {', '.join(sorted(tables)[:5])})")
        with self._errors():
            check_version(self, self.location)

    def rebuild(self, conn: Connection, version: int, tables: tuple[str, ...]) -> None:
        """Nothing to do: PostgreSQL's id sequences never reuse an id (schema 3 was for SQLite)."""

    def id_high_water(self, conn: Connection, table: str) -> int:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        last, called = conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
        top = conn.execute(select(func.max(s.metadata.tables[table].c.id))).scalar()
        high: int = max(last if called else last - 1, top or 0)
        return high

    def set_id_high_water(self, conn: Connection, table: str, value: int) -> None:
        if value > 0:
            conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, true)"), {"t": table, "v": value})

    def integrity_problems(self) -> list[str]:
        """The server keeps its own pages consistent (WAL, checksummed recovery); nothing to check here."""
        return []
