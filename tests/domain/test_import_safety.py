"""Importing returns: a cut file is refused, a blank cell is refused, serials are checked against the
forms issued, and a large import is staged and published in short batches — all of it or (after a
crash) the rest by `--resume`, never blocking another station's write for the whole import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from tests.backends import sql
from tui.domain.analysis import wave_returns
from tui.domain.returns import answers as ans
from tui.domain.store import DuplicateError, InputError, Study
from tui.domain.store.imports import ImportInProgressError
from tui.domain.store.returns_csv import CsvImportError, import_returns_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def study(tmp_path, bundled):
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2015", bundled, operator="RS")
        yield study


def csv_text(bundled, rows: list[tuple[str, str, dict[str, str]]]) -> str:
    """rows: (participant code, serial, {statement code: value}); other statements 0."""
    codes = bundled.codes()
    lines = [",".join(["wave", "participant_code", "serial", *codes])]
    for code, serial, values in rows:
        lines.append(",".join(["2015", code, serial, *(values.get(c, "0") for c in codes)]))
    return "\n".join(lines) + "\n"


def write_big(path: Path, bundled, n: int) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(7)
    columns = {"wave": ["2015"] * n,
               "participant_code": [f"{'ABCDE'[i % 5]}{1 + i // 5 % 5}" for i in range(n)]}
    for code in bundled.codes():
        columns[code] = rng.integers(0, 2, n, dtype=np.int8)
    pl.DataFrame(columns).write_csv(path)


# --- a file cut short, a blank cell ---------------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 2, 40])
def test_a_file_cut_inside_its_last_row_is_refused(study, bundled, tmp_path, cut):
    text = csv_text(bundled, [("A1", "", {"JPD A1": "1"}), ("B2", "", {"AA D2": "1"})])
    # AA D2 is the last column: cut 1 drops the line break, 2 the '1' as well, 40 most of the row.
    assert text.endswith(",1\n")
    path = tmp_path / "cut.csv"
    path.write_text(text[:-cut], encoding="utf-8")
    with pytest.raises(CsvImportError) as info:
        import_returns_csv(study, path, operator="RS")
    assert "row 3" in str(info.value) and "Nothing was imported." in str(info.value)
    assert study.find_returns("2015") == []
    path.write_text(text, encoding="utf-8")
    (last,) = [study.get_return(i) for i in import_returns_csv(study, path, operator="RS")][1:]
    assert "AA D2" in ans.highlighted_codes(bundled, last.answers)


def test_the_line_break_rule_names_the_row_and_what_to_do(study, bundled, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(csv_text(bundled, [("A1", "", {})]).rstrip("\n"), encoding="utf-8")
    with pytest.raises(CsvImportError, match="row 2: the file ends inside this row, with no line break after it: "
                                             "it may have been cut short. If the row is complete, end the file "
                                             "with a line break"):
        import_returns_csv(study, path, operator="RS")


def test_an_empty_statement_cell_is_refused_not_read_as_not_highlighted(study, bundled, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(csv_text(bundled, [("A1", "", {"HSC B2": ""})]), encoding="utf-8")
    with pytest.raises(CsvImportError, match="row 2, column 'HSC B2': empty: write 1 .highlighted., 0 .not "
                                             "highlighted. or M .page missing."):
        import_returns_csv(study, path, operator="RS")
    assert study.find_returns("2015") == []


def test_rows_with_too_few_or_too_many_cells_are_named(study, bundled, tmp_path):
    text = csv_text(bundled, [("A1", "", {}), ("B2", "", {}), ("C3", "", {})]).splitlines()
    text[2] = text[2].rsplit(",", 3)[0]
    text[3] += ",1"
    for quoted in (False, True):  # one row per line, and a file with quoted cells (read record by record)
        lines = [text[0], *text[1:]]
        if quoted:
            lines[1] = lines[1].replace("2015,A1", '"2015","A1"')
        path = tmp_path / "ragged.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(CsvImportError) as info:
            import_returns_csv(study, path, operator="RS")
        assert "row 3: has 60 cells, the header has 63" in str(info.value)
        assert "row 4: has 64 cells, the header has 63" in str(info.value)


@pytest.mark.parametrize("window", [64, 1 << 24])
def test_a_file_read_in_pieces_names_the_same_rows_and_imports_every_row(study, bundled, tmp_path, monkeypatch,
                                                                         window):
    """Batches of 3 rows and (64) windows smaller than a row: problems are named by their row in the
    file wherever the pieces are cut, and a good file's rows are all stored, in order."""
    from tui.domain.store import returns_csv

    monkeypatch.setattr(returns_csv, "BATCH_ROWS", 3)
    monkeypatch.setattr(returns_csv, "WINDOW_BYTES", window)
    codes = [f"{school}{role}" for school in "ABCDE" for role in (1, 2)]
    lines = csv_text(bundled, [(code, "", {"JPD A1": "1"} if i % 2 else {}) for i, code in enumerate(codes)])
    lines = lines.splitlines()
    bad = list(lines)
    bad[7] = bad[7].rsplit(",", 1)[0]  # row 8: a cell short
    bad[10] = bad[10].replace(",,1,", ",,7,", 1)  # row 11: JPD A1 not 1, 0 or M
    path = tmp_path / "pieces.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(CsvImportError) as info:
        import_returns_csv(study, path, operator="RS")
    assert "row 8: has 62 cells, the header has 63" in str(info.value)
    path.write_text("\n".join([*bad[:7], lines[7], "", *bad[8:]]) + "\n", encoding="utf-8")  # a blank row 9
    with pytest.raises(CsvImportError) as info:
        import_returns_csv(study, path, operator="RS")
    assert "row 12, column 'JPD A1'" in str(info.value) and "row 8" not in str(info.value)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stored = [study.get_return(i) for i in import_returns_csv(study, path, operator="RS")]
    assert [r.participant_code for r in stored] == codes
    assert [("JPD A1" in ans.highlighted_codes(bundled, r.answers)) for r in stored] == [i % 2 == 1 for i in
                                                                                          range(len(codes))]


# --- serials ---------------------------------------------------------------------------------------


def test_serials_never_issued_import_with_a_warning_per_row(study, bundled, tmp_path):
    (issued,) = study.issue_forms("2015", ["A1"], operator="RS")
    path = tmp_path / "serials.csv"
    path.write_text(csv_text(bundled, [("A1", issued.serial, {}), ("B2", "0001010", {})]), encoding="utf-8")
    warnings: list[str] = []
    ids = import_returns_csv(study, path, operator="RS", warnings=warnings)
    assert warnings == ["row 3: serial 0001010 was never issued by this study (imported and flagged)"]
    first, second = (study.get_return(i) for i in ids)
    assert first.serial_issued and not second.serial_issued and second.serial == "0001010"


def test_serials_spelt_otherwise_are_read_and_a_wrong_check_digit_is_named(study, bundled, tmp_path):
    first, second = study.issue_forms("2015", ["A1", "B2"], operator="RS")
    assert (first.serial, second.serial) == ("0000013", "0000021")
    path = tmp_path / "spelt.csv"
    path.write_text(csv_text(bundled, [("A1", "13", {}), ("B2", "0000012", {})]), encoding="utf-8")
    with pytest.raises(CsvImportError, match="row 3, column 'serial': serial 0000012 fails its check digit"):
        import_returns_csv(study, path, operator="RS")
    path.write_text(csv_text(bundled, [("A1", "13", {}), ("B2", "000 0021", {})]), encoding="utf-8")
    stored = [study.get_return(i) for i in import_returns_csv(study, path, operator="RS")]
    assert [(r.serial, r.serial_issued) for r in stored] == [("0000013", True), ("0000021", True)]


def test_a_blank_form_for_one_school_is_refused_as_another_schools_return(study, bundled, tmp_path):
    (blank_a,) = study.issue_forms("2015", [("A", None)], operator="RS")
    path = tmp_path / "blank.csv"
    path.write_text(csv_text(bundled, [("B5", blank_a.serial, {})]), encoding="utf-8")
    with pytest.raises(CsvImportError, match=f"row 2, column 'serial': serial {blank_a.serial} is a blank form "
                                             "sent to school A, not B: check the school written on the form"):
        import_returns_csv(study, path, operator="RS")


# --- staged, published in batches, resumable ---------------------------------------------------------


def _importer(study_path: Path, csv_path: Path, *, pause: float, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from tui.domain.store import Study
        from tui.domain.store.returns_csv import check_returns_csv
        study = Study.open({str(study_path)!r}, create=False)
        checked = check_returns_csv({str(csv_path)!r}, {{w.name: w.instrument for w in study.waves()}}, study=study)
        print("checked", flush=True)
        study.import_checked(checked, operator="IM", pause={pause}, publish_seconds={seconds})
        print("done", flush=True)
    """)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _published(path: Path) -> tuple[str, int]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select state, published from imports order by id desc limit 1").fetchone() or ("", 0)
    except sqlite3.OperationalError:
        return ("", 0)
    finally:
        conn.close()


def later(seconds: float):
    def now() -> str:
        moment = datetime.now(UTC) + timedelta(seconds=seconds)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return now


@pytest.mark.slow
def test_a_kill_while_publishing_leaves_an_import_that_resume_finishes(tmp_path, bundled):
    path, source = tmp_path / "s.db", tmp_path / "big.csv"
    with Study.open(path) as study:
        study.add_wave("2015", bundled, operator="RS")
        (form,) = study.issue_forms("2015", ["E5"], operator="RS")
    write_big(source, bundled, 6_000)
    child = _importer(path, source, pause=0.05, seconds=0.01)
    assert child.stdout.readline().strip() == "checked"
    while _published(path)[1] < 1_000:
        assert child.poll() is None, child.stderr.read()
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    state, published = _published(path)
    assert state == "publishing" and 0 < published < 6_000
    with Study.open(path, create=False) as study:
        (record,) = study.imports(live=True)
        assert not record.interrupted  # just stopped: it could be another station's import still going
        with pytest.raises(ImportInProgressError, match="wait for it to finish"):
            wave_returns(study, "2015")
    with Study.open(path, create=False, now=later(60)) as study:
        (record,) = study.imports(live=True)
        assert record.interrupted
        with pytest.raises(ImportInProgressError, match="surveydesk import --resume publishes the rest"):
            wave_returns(study, "2015")
        with pytest.raises(InputError, match="was interrupted; publish the rest first"):
            study.import_checked(_checked(study, source), operator="RS")
        (result,) = study.resume_imports(operator="RS")
        assert len(result.return_ids) == 6_000 - published
        assert len(study.find_returns("2015")) == 6_000
        assert study.imports(live=True) == [] and study.verify().problems == []
        assert wave_returns(study, "2015").wide.height == 6_000
        # the keying station can save a paper again; nothing was held back
        study.save_return("2015", "E5", ans.blank_answers(bundled), operator="JS", serial=form.serial)


def _checked(study, source):
    from tui.domain.store.returns_csv import check_returns_csv

    return check_returns_csv(source, {w.name: w.instrument for w in study.waves()}, study=study)


def test_a_serial_held_by_an_import_is_refused_at_a_station(study, bundled, tmp_path):
    (form,) = study.issue_forms("2015", ["A1"], operator="RS")
    path = tmp_path / "one.csv"
    path.write_text(csv_text(bundled, [("A1", form.serial, {})]), encoding="utf-8")
    checked = _checked(study, path)
    study._stage(checked, "IM", None, None)  # staged, not yet published: as if the importer were mid-way
    with pytest.raises(DuplicateError, match=f"serial {form.serial} is being imported from one.csv .row 2."):
        study.save_return("2015", "A1", ans.blank_answers(bundled), operator="JS", serial=form.serial)


def test_a_kill_while_staging_leaves_nothing_and_the_next_import_clears_it(tmp_path, bundled):
    path, source = tmp_path / "s.db", tmp_path / "one.csv"
    with Study.open(path) as study:
        study.add_wave("2015", bundled, operator="RS")
        source.write_text(csv_text(bundled, [("A1", "", {}), ("B2", "", {})]), encoding="utf-8")
        checked = _checked(study, source)
        study._stage(checked, "IM", None, None)
        with sqlite3.connect(path) as conn:  # as a process killed before publishing would leave it
            conn.execute("update imports set state = 'staging'")
        assert study.find_returns("2015") == [] and study.status()[0]["returned"] == 0
    with Study.open(path, create=False, now=later(60)) as study:
        ids = study.import_checked(_checked(study, source), operator="RS").return_ids
        assert len(ids) == 2 and [r.state for r in study.imports()] == ["abandoned", "done"]
        assert study.verify().problems == []


@pytest.mark.slow
def test_another_station_writes_between_the_batches_of_a_long_import(tmp_path, bundled):
    path, source = tmp_path / "s.db", tmp_path / "big.csv"
    with Study.open(path) as study:
        study.add_wave("2015", bundled, operator="RS")
    write_big(source, bundled, 20_000)
    child = _importer(path, source, pause=0.12, seconds=0.05)
    assert child.stdout.readline().strip() == "checked"
    writes = 0
    with Study.open(path, create=False) as station:
        while _published(path)[0] != "done":
            assert child.poll() is None or _published(path)[0] == "done", child.stderr.read()
            if _published(path)[0] == "publishing":
                station.set_setting("min_cell", 5 + writes % 3, operator="JS")
                station.save_return("2015", "A1", ans.blank_answers(bundled), operator="JS")
                writes += 1
            time.sleep(0.05)
        child.wait()
        assert child.returncode == 0, child.stderr.read()
        publishes = [e.id for e in station.audit(entity="import", action="publish")]
        interleaved = [e for e in station.audit(operator="JS") if publishes[0] < e.id < publishes[-1]]
        assert writes >= 2 and len(interleaved) >= 2  # the station's writes landed between the import's batches
        assert len(station.find_returns("2015")) == 20_000 + writes
        assert station.verify().problems == []
    assert os.path.getsize(path) > 0


@pytest.mark.slow
def test_an_import_on_each_backend_is_published_whole_and_replays_in_verify(study_location, bundled, tmp_path):
    source = tmp_path / "big.csv"
    write_big(source, bundled, 3_000)
    with Study.open(study_location) as study:
        study.add_wave("2015", bundled, operator="RS")
        study.set_setting("second_keying_share", 0.5, operator="RS")
        before = study.save_return("2015", "A1", ans.blank_answers(bundled), operator="JS").record.id
        checked = _checked(study, source)
        result = study.import_checked(checked, operator="IM", publish_seconds=0.01, pause=0)
        assert len(result.return_ids) == 3_000 and result.return_ids[0] > before
        assert len(study.audit(entity="import", action="publish")) > 1  # several batches
        stored = study.returns_wide("2015").filter(pl.col("return_id") != before)
        assert stored.height == 3_000
        assert stored.select("participant_code", *bundled.codes()).equals(
            pl.read_csv(source, infer_schema=False).select(
                "participant_code", *[pl.col(c).cast(pl.Int8).cast(pl.Boolean) for c in bundled.codes()]))
        assert 0 < sum(r.needs_second for r in study.find_returns("2015")) < 3_001  # sampled at 50%
        result = study.verify()
        assert result.problems == [] and result.checked["returns"] == 3_001
        sql(study.location, "update import_rows set answers = '0 0 0 0 0' where seq = 5")
        assert any("do not match the digest" in p for p in study.verify().problems)
