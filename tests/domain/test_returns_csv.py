"""CSV import of returns keyed elsewhere: all or nothing, every bad cell named by row and column."""

from __future__ import annotations

import pytest

from tui.domain.returns import answers as ans
from tui.domain.store import Study
from tui.domain.store.returns_csv import CsvImportError, import_returns_csv, wide_to_csv_frame


@pytest.fixture
def study(tmp_path, bundled):
    st = Study.open(tmp_path / "study.db")
    st.add_wave("2014", bundled, operator="RS")
    yield st
    st.close()


def write(tmp_path, bundled, rows: list[dict[str, str]], extra_header: tuple[str, ...] = ()) -> str:
    header = ["wave", "participant_code", "serial", *bundled.codes(), *extra_header]
    lines = [",".join(header)]
    statements = set(bundled.codes())
    for row in rows:  # a statement not given is not highlighted: 0 (an empty cell is refused)
        lines.append(",".join(row.get(h, "0" if h in statements else "") for h in header))
    path = tmp_path / "returns.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_values_and_missing_pages(study, bundled, tmp_path):
    aa_missing = {code: "M" for code in bundled.codes() if code.startswith("AA ")}
    path = write(tmp_path, bundled, [
        {"wave": "2014", "participant_code": "a2", "JPD A1": "1", "JPD C2": "1", "HSC B1": "0"},
        {"wave": "2014", "participant_code": "E5", "CMP D3": "1", **aa_missing},
    ])
    ids = import_returns_csv(study, path, operator="RS")
    assert len(ids) == 2
    first, second = (study.get_return(i) for i in ids)
    assert first.participant_code == "A2"
    assert ans.highlighted_codes(bundled, first.answers) == ["JPD A1", "JPD C2"]
    assert not second.answers["aa"].present and second.answers["cmp"].marked == frozenset({8})
    (staged,) = study.audit(entity="import", action="stage")
    assert staged.new["file"] == "returns.csv" and staged.new["rows"] == 2


def test_bad_rows_are_all_reported_and_nothing_imported(study, bundled, tmp_path):
    path = write(tmp_path, bundled, [
        {"wave": "2014", "participant_code": "A2", "JPD A1": "1"},
        {"wave": "2014", "participant_code": "Z9", "JPD A1": "1"},
        {"wave": "2014", "participant_code": "B3", "JPD A2": "yes please"},
        {"wave": "2016", "participant_code": "B3"},
        {"wave": "2014", "participant_code": "C3", "AA A1": "M"},
    ])
    with pytest.raises(CsvImportError) as info:
        import_returns_csv(study, path, operator="RS")
    text = str(info.value)
    assert "row 3, column 'participant_code': participant code Z9: school Z is not in the key" in text
    assert "row 4, column 'JPD A2': 'yes please' is not 1, 0 or M" in text
    assert "row 5, column 'wave': no wave named '2016'" in text
    assert "row 6, column 'AA B1': M marks AA's page missing" in text
    assert "Nothing was imported." in text
    assert study.find_returns("2014") == []


def test_unknown_column_and_missing_required(study, bundled, tmp_path):
    path = write(tmp_path, bundled, [{"wave": "2014", "participant_code": "A2"}], extra_header=("JPD Z9",))
    with pytest.raises(CsvImportError, match="row 1, column 'JPD Z9': not a statement code"):
        import_returns_csv(study, path, operator="RS")
    bad = tmp_path / "nowave.csv"
    bad.write_text("participant_code,JPD A1\nA2,1\n", encoding="utf-8")
    with pytest.raises(CsvImportError, match="column 'wave': required column is missing"):
        import_returns_csv(study, bad, operator="RS")


def test_duplicate_serial_in_file_names_the_row_and_imports_nothing(study, bundled, tmp_path):
    (form,) = study.issue_forms("2014", ["A2"], operator="RS")
    path = write(tmp_path, bundled, [
        {"wave": "2014", "participant_code": "A2", "serial": form.serial},
        {"wave": "2014", "participant_code": "A2"},
        {"wave": "2014", "participant_code": "A2", "serial": form.serial},
    ])
    with pytest.raises(CsvImportError, match=f"row 4, column 'serial': serial {form.serial} is on row 2 too: a serial is one paper"):
        import_returns_csv(study, path, operator="RS")
    assert study.find_returns("2014") == []


def test_export_then_import_round_trips(study, bundled, tmp_path):
    from tui.domain.demo import synthetic_returns

    synthetic = synthetic_returns(bundled, 40, wave="2014", seed=3, missing_page_rate=0.1)
    path = tmp_path / "synthetic.csv"
    wide_to_csv_frame(synthetic).write_csv(path)
    import_returns_csv(study, path, operator="RS")
    stored = study.returns_wide("2014")
    statement_columns = bundled.codes()
    assert stored.select(["participant_code", *statement_columns]).equals(
        synthetic.select(["participant_code", *statement_columns]))
    # ... and exporting what was stored gives a file that imports to the same returns again.
    again = tmp_path / "again.csv"
    wide_to_csv_frame(stored).write_csv(again)
    other = Study.open(tmp_path / "other.db")
    other.add_wave("2014", bundled, operator="RS")
    import_returns_csv(other, again, operator="RS")
    assert other.returns_wide("2014").select(statement_columns).equals(stored.select(statement_columns))


@pytest.mark.slow
def test_the_export_command_files_import_back_with_missing_pages(study, bundled, tmp_path):
    from tui.domain.analysis import WaveReturns, export_wave
    from tui.domain.demo import synthetic_returns

    source = tmp_path / "source.csv"
    wide_to_csv_frame(synthetic_returns(bundled, 30, wave="2014", seed=9, missing_page_rate=0.2)).write_csv(source)
    import_returns_csv(study, source, operator="RS")
    stored = study.returns_wide("2014")
    assert stored.null_count().sum_horizontal().item() > 0  # some pages really are missing
    result = export_wave(WaveReturns("2014", bundled, stored), exports_dir=tmp_path / "exports", formats=("csv",))
    (raw,) = [f for f in result.files if f.name.startswith("research-returns-wide")]
    other = Study.open(tmp_path / "other.db")
    other.add_wave("2014", bundled, operator="RS")
    import_returns_csv(other, raw, operator="RS")
    codes = bundled.codes()
    assert other.returns_wide("2014").select(["participant_code", *codes]).equals(
        stored.select(["participant_code", *codes]))


def test_the_same_file_imported_twice_is_refused_with_the_count(study, bundled, tmp_path):
    rows = [{"wave": "2014", "participant_code": "E5", "JPD A1": "1"}, {"wave": "2014", "participant_code": "E5"}]
    path = write(tmp_path, bundled, rows)
    assert len(import_returns_csv(study, path, operator="RS")) == 2
    with pytest.raises(CsvImportError, match=r"this file's returns were imported already: 2 of its 2 returns are "
                                             r"stored \(imported .* by RS, same content\)\. .*--again"):
        import_returns_csv(study, path, operator="JS")
    # The same returns written otherwise (CRLF, other column order, x for 1) are the same content.
    header = [*reversed(bundled.codes()), "participant_code", "wave"]
    lines = [",".join(header), *(",".join({"JPD A1": "x" if row.get("JPD A1") == "1" else "0", "participant_code": "e5",
                                            "wave": "2014"}.get(h, "0") for h in header) for row in rows)]
    other = tmp_path / "copy.csv"
    other.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    with pytest.raises(CsvImportError, match="imported already"):
        import_returns_csv(study, other, operator="JS")
    assert len(study.find_returns("2014")) == 2
    # Two teachers at school E are both E5: a genuine second file of the same answers goes in on request.
    assert len(import_returns_csv(study, path, operator="JS", again=True)) == 2
    assert len(study.find_returns("2014")) == 4


def test_a_file_whose_returns_were_deleted_may_be_imported_again(study, bundled, tmp_path):
    path = write(tmp_path, bundled, [{"wave": "2014", "participant_code": "A2"}])
    (rid,) = import_returns_csv(study, path, operator="RS")
    study.delete_return(rid, operator="RS", expected_version=1, reason="wrong wave")
    assert len(import_returns_csv(study, path, operator="RS")) == 1


def test_rows_with_serials_already_stored_are_counted_and_named(study, bundled, tmp_path):
    forms = study.issue_forms("2014", ["A2", "B3", "C4"], operator="RS")
    # Two papers were keyed at the station already; the file holds all three.
    for form in forms[:2]:
        study.save_return("2014", form.participant_code, ans.blank_answers(bundled), serial=form.serial, operator="JS")
    path = write(tmp_path, bundled, [{"wave": "2014", "participant_code": f.participant_code, "serial": f.serial}
                                     for f in forms])
    with pytest.raises(CsvImportError) as caught:
        import_returns_csv(study, path, operator="RS", again=True)
    text = str(caught.value)
    assert "2 of 3 rows carry a serial already stored" in text
    assert f"row 2, column 'serial': {forms[0].serial} is return #1 (A2)" in text
    assert f"row 3, column 'serial': {forms[1].serial} is return #2 (B3)" in text
    assert text.endswith("Nothing was imported.") and len(study.find_returns("2014")) == 2
