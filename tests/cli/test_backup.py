"""`surveydesk backup`: one consistent file, made while another station keeps writing; never
overwrites a file; the copy opens as the same study and passes `audit --verify` with the head it names."""

from __future__ import annotations

import re
import threading

import pytest

from tests.helpers import surveydesk
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import Study
from tui.domain.store.verify import AuditHead


@pytest.mark.slow
def test_a_backup_while_another_station_writes_is_one_sound_file_of_the_same_study(tmp_path):
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2015", instrument, operator="RS")
        uuid = study.study_id
    stop = threading.Event()

    def keying() -> None:
        with Study.open(tmp_path / "s.db", create=False) as station:
            while not stop.is_set():
                station.save_return("2015", "A2", ans.from_codes(instrument, ["JPD A1"]), operator="JS")

    station = threading.Thread(target=keying)
    station.start()
    try:
        result = surveydesk("backup", "copy.db", study="s.db", cwd=tmp_path)
    finally:
        stop.set()
        station.join()
    assert result.returncode == 0, result.stderr
    assert "backed up s.db to copy.db" in result.stdout and "integrity ok" in result.stdout
    head = re.search(r"audit head (\d+:[0-9a-f]{64})", result.stdout).group(1)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.db"]  # no -wal
    with Study.open(tmp_path / "copy.db", create=False) as copy:
        assert copy.study_id == uuid and str(copy.audit_head()) == head
        assert copy.verify(AuditHead.parse(head)).problems == []
    again = surveydesk("backup", "copy.db", study="s.db", cwd=tmp_path)
    assert again.returncode == 1 and "copy.db exists already; a backup never overwrites a file" in again.stderr
    itself = surveydesk("backup", "./s.db", study="s.db", cwd=tmp_path)
    assert itself.returncode == 1 and "is the study itself" in itself.stderr
