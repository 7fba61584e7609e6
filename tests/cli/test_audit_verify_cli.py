"""`surveydesk audit --verify`, as a researcher runs it: the head it prints, and a later verify against
the head an export recorded."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.helpers import surveydesk
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import NewReturn, Study


@pytest.mark.slow
def test_verify_prints_the_head_and_a_recorded_head_catches_a_cut(tmp_path):
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2014", instrument, operator="RS")
        study.save_returns([NewReturn("2014", f"{s}{r}", ans.from_codes(instrument, ["JPD A1"]))
                            for s in "ABCDE" for r in (1, 2, 3, 4, 5)], operator="RS")
    ok = surveydesk("audit", "--verify", study="s.db", cwd=tmp_path)
    assert ok.returncode == 0
    assert "audit trail intact: 26 entries, and the study matches it: waves 1, issued forms 0, returns 25" in ok.stdout
    head = re.search(r"head: (\d+:[0-9a-f]{64})", ok.stdout).group(1)
    assert surveydesk("export", "--formats", "csv", study="s.db", cwd=tmp_path).returncode == 0
    metadata = tmp_path / "exports" / "2014" / "metadata.json"
    assert json.loads(metadata.read_text())["study"]["audit_head"] == head
    assert f"audit trail head {head}" in (tmp_path / "exports" / "2014" / "README.txt").read_text()

    conn = sqlite3.connect(tmp_path / "s.db")  # the newest return and its entry, and SQLite's counter
    conn.execute("delete from entry_passes where return_id = 25")
    conn.execute("delete from returns where id = 25")
    conn.execute("delete from audit where id = 26")
    conn.execute("update sqlite_sequence set seq = 25 where name = 'audit'")
    conn.commit()
    conn.close()
    assert "returns 24" in surveydesk("audit", "--verify", study="s.db", cwd=tmp_path).stdout  # consistent in itself
    cut = surveydesk("audit", "--verify", "--head", "exports/2014/metadata.json", study="s.db", cwd=tmp_path)
    assert cut.returncode == 1
    assert "the audit trail ends at entry 25, but entry 26 was recorded as its head" in cut.stdout
    assert "1 problem(s): the study was changed outside SurveyDesk" in cut.stdout
    bad = surveydesk("audit", "--verify", "--head", "26", study="s.db", cwd=tmp_path)
    assert bad.returncode == 1 and "must be N:HASH" in bad.stderr
