"""A file SurveyDesk refuses is refused untouched: the same bytes (checked with ``cmp``), no -wal or
-shm file made beside it, and the message says so."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from tests.helpers import surveydesk
from tests.requires import require_command
from tui.domain.store import Study


def _newer_study_in_rollback_mode(path):
    Study.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("update meta set value = '99' where key = 'schema_version'")
    conn.commit()
    conn.execute("pragma journal_mode = delete")  # as a newer SurveyDesk might leave it
    conn.close()


def _other_programs_file(path, journal_mode="delete"):
    conn = sqlite3.connect(path)
    conn.execute(f"pragma journal_mode = {journal_mode}")
    conn.execute("create table notes (id integer primary key, text)")
    conn.execute("insert into notes (text) values ('not a study')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("make", "says", "command"), [
    (_newer_study_in_rollback_mode, "written by a newer SurveyDesk (study schema 99", ("settings", "--min-cell", "6")),
    (_other_programs_file, "an SQLite database but not a SurveyDesk study", ("status",)),
    (lambda path: _other_programs_file(path, "wal"), "an SQLite database but not a SurveyDesk study",
     ("audit", "--verify")),
    (lambda path: path.write_bytes(b""), "is an empty file (0 bytes), not a study", ("key", "set", "A", "Hill Top")),
])
def test_a_refused_file_keeps_every_byte(tmp_path, make, says, command):
    cmp = require_command("cmp", "compares the refused file with a copy byte for byte")
    path = tmp_path / "study.db"
    make(path)
    copy = tmp_path / "copy-of-study.db"
    shutil.copyfile(path, copy)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = surveydesk(*command, study=path)
    assert result.returncode == 1
    assert says in result.stderr and "has not been changed" in result.stderr
    assert subprocess.run([cmp, str(path), str(copy)]).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no -wal, -shm or -journal left beside it
