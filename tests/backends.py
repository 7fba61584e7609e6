"""Both study backends for the tests: an SQLite file in tmp_path, or a fresh database on the
PostgreSQL test server named by SURVEYDESK_TEST_PG (``eval "$(python -m tests.pg_server start)"``;
.ci/run starts one). Without it the PostgreSQL cases skip here and fail in CI (tests/requires.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.pg_server import ENV
from tests.requires import unavailable
from tui.domain.store import is_server_url

BACKENDS = ("sqlite", "postgresql")


def server_url() -> str:
    """The test server's admin URL; skips here (fails in CI) when there is none."""
    url = os.environ.get(ENV)
    if not url:
        unavailable(f"no PostgreSQL test server: run `eval \"$(python -m tests.pg_server start)\"` to set {ENV}")
    return url  # type: ignore[return-value]


def _admin(url: str):
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT",
                         poolclass=NullPool)


def create_database(owner: str | None = None) -> str:
    """A new empty database on the test server; its URL."""
    admin_url = server_url()
    name = f"sd_{uuid.uuid4().hex[:16]}"
    engine = _admin(admin_url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}" + (f" OWNER {owner}" if owner else ""))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    engine = _admin(server_url())
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")
    engine.dispose()


@contextmanager
def location(kind: str, folder: Path, name: str = "study.db") -> Iterator[str]:
    """Where a new, empty study of this kind goes: a file path, or the URL of a new database."""
    if kind == "sqlite":
        yield str(folder / name)
        return
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


def sql(study_location: str, statement: str, **params):
    """Run SQL on a study behind SurveyDesk's back (to count rows, or to tamper); the rows, if any."""
    if is_server_url(study_location):
        engine = create_engine(make_url(study_location).set(drivername="postgresql+psycopg"), poolclass=NullPool)
    else:
        engine = create_engine(f"sqlite:///{study_location}", poolclass=NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()
