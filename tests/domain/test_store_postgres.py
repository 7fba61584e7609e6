"""A study on a PostgreSQL server: the URL, the password kept out of sight, the refusals, and writers
that must take turns. The portable rules run on both backends in test_store.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.backends import create_database, drop_database, sql
from tests.conftest import ROOT
from tests.pg_server import PASSWORD, PASSWORD_ROLE
from tui.cli import main
from tui.domain.returns import answers as ans
from tui.domain.store import InputError, NotAStudyError, NotFoundError, StoreError, Study, is_server_url


@pytest.fixture
def database():
    url = create_database()
    yield url
    drop_database(url)


@pytest.mark.parametrize("location", ["postgresql://u@h/db", "postgres://h/db", "postgresql+psycopg://u@h:5433/db",
                                      "POSTGRESQL:///db?service=surveydesk"])
def test_urls_are_told_from_file_paths(location):
    assert is_server_url(location)
    assert not is_server_url("postgresql.db") and not is_server_url("studies/postgresql/x.db")


@pytest.mark.parametrize("location", ["postgresql://js:hunter2-secret@db.example/study",
                                      "postgresql://js@db.example/study?password=hunter2-secret"])
def test_a_password_in_the_url_is_refused_and_never_repeated(location, capsys):
    with pytest.raises(InputError, match="must not carry the password") as caught:
        Study.open(location)
    assert "hunter2-secret" not in str(caught.value) and "~/.pgpass" in str(caught.value)
    assert main(["--study", location, "status"]) == 1
    err = capsys.readouterr().err
    assert "hunter2-secret" not in err and err.count("\n") == 1


def test_another_driver_is_refused():
    with pytest.raises(InputError, match="psycopg 3"):
        Study.open("postgresql+psycopg2://js@127.0.0.1/study")


def test_the_cli_opens_the_same_study_api_on_a_server(database, capsys, printable_file):
    assert main(["--study", database, "--instrument", str(printable_file), "wave", "add", "2014", "--population",
                 "68", "--operator", "RS"]) == 0
    assert main(["--study", database, "key", "set", "A", "Alder Primary", "--operator", "RS"]) == 0
    assert main(["--study", database, "settings", "--min-cell", "7", "--operator", "RS"]) == 0
    capsys.readouterr()
    assert main(["--study", database, "status"]) == 0
    assert "68" in capsys.readouterr().out
    assert main(["--study", database, "audit", "--verify"]) == 0
    assert capsys.readouterr().out.startswith("audit trail intact: 3 entries, and the study matches it")
    with Study.open(database) as study:
        assert [w.name for w in study.waves()] == ["2014"] and study.setting("min_cell") == 7
        assert study.school_names() == {"A": "Alder Primary"}
        assert study.path is None and study.location == database and study.name.endswith("on 127.0.0.1")
    # Nothing was written as a file named after the URL (it once became a folder "postgresql:").
    assert not (ROOT / "postgresql:").exists()


def test_a_database_holding_other_tables_is_not_a_study(database):
    sql(database, "create table invoices (id integer)")
    with pytest.raises(NotAStudyError, match="PostgreSQL database but not a SurveyDesk study"):
        Study.open(database)
    assert sql(database, "select count(*) from information_schema.tables where table_schema = 'public'") == [(1,)]


def test_an_empty_database_is_not_opened_unless_asked_to_create(database):
    with pytest.raises(NotFoundError, match="the database is empty"):
        Study.open(database, create=False)
    Study.open(database).close()
    Study.open(database, create=False).close()


def test_a_missing_database_and_a_dead_server_are_one_line_each(database, capsys):
    missing = database.rsplit("/", 1)[0] + "/no_such_study"
    assert main(["--study", missing, "status"]) == 1
    err = capsys.readouterr().err
    assert 'database "no_such_study" does not exist' in err and "createdb" in err and "Traceback" not in err
    with pytest.raises(StoreError, match="could not be used: connection failed"):
        Study.open("postgresql://postgres@127.0.0.1:1/study")


@pytest.fixture
def password_database(tmp_path):
    """A database owned by the role that must give a password, and a ~/.pgpass-style file for it."""
    url = create_database(owner=PASSWORD_ROLE)
    base = url.rsplit("@", 1)[1]  # 127.0.0.1:PORT/NAME
    host_port, name = base.split("/")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{host_port}:{name}:{PASSWORD_ROLE}:{PASSWORD}\n")
    passfile.chmod(0o600)
    yield f"postgresql://{PASSWORD_ROLE}@{base}", passfile
    drop_database(url)


def test_the_password_comes_from_pgpass_and_never_shows(password_database, bundled, monkeypatch, capsys):
    url, passfile = password_database
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    with Study.open(url) as study:
        study.add_wave("2014", bundled, operator="RS")
        study.save_return("2014", "A2", ans.blank_answers(bundled), operator="JS")
        study.set_school_name("A", "Alder", operator="RS")
        assert PASSWORD not in repr(study.audit()) and PASSWORD not in study.location
    # A running station: its command line (what `ps` shows) has no password.
    env = {**os.environ, "PGPASSFILE": str(passfile)}
    env.pop("PGPASSWORD", None)
    child = subprocess.Popen([sys.executable, "-m", "tests.store_child", "drafts", url, "2014", "C4"], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().startswith("SAVED")
        shown = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
        assert url in shown and PASSWORD not in shown
    finally:
        child.kill()
        child.communicate()
    # A wrong password: refused in one line that does not repeat it.
    passfile.write_text(passfile.read_text().replace(PASSWORD, "wrong-pw-123"))
    assert main(["--study", url, "status"]) == 1
    err = capsys.readouterr().err
    assert "password authentication failed" in err and "wrong-pw-123" not in err and PASSWORD not in err


def test_the_password_from_pgpassword_works_and_is_scrubbed(password_database, bundled, monkeypatch):
    url, _ = password_database
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    with Study.open(url) as study:
        assert study.waves() == []
    with pytest.raises(StoreError) as caught:
        Study.open(url.rsplit("/", 1)[0] + "/no_such_study")
    assert PASSWORD not in str(caught.value)


def _writer(url: str, prefix: str, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.store_child", "returns", url, "2014", prefix, str(n)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_four_writers_at_once_never_fork_the_audit_chain_nor_double_a_serial(database, bundled):
    """Each write takes the study's advisory lock first: without it, two appends read the same last
    hash and the chain forks (verify_audit names the entry), and two batches both take serial N+1."""
    with Study.open(database) as study:
        study.add_wave("2014", bundled, operator="RS")
    writers = [_writer(database, school, 40) for school in "ABCD"]
    issued = []
    with Study.open(database) as study:
        for _ in range(20):  # forms issued from here while the four save returns
            issued += study.issue_forms("2014", ["E5", "E4"], operator="RS")
            time.sleep(0.01)
    for child in writers:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
    with Study.open(database) as study:
        assert study.verify_audit() == []
        assert len(study.find_returns("2014")) == 160
        numbers = [f.number for f in study.issued_forms("2014")]
        assert numbers == list(range(1, 41)) and len({f.serial for f in issued}) == 40
        hashes = sql(database, "select hash from audit order by id")
        assert len(hashes) == 1 + 160 + 40 and len(set(hashes)) == len(hashes)



def test_without_the_postgres_extra_a_url_says_what_to_install(monkeypatch):
    """The README's first set-up command installs no driver: SQLite works, a URL says what is missing."""
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"pip install 'surveydesk\[postgres\]'"):
        Study.open("postgresql://js@127.0.0.1:1/study")
