"""`study copy`: a whole study from SQLite to PostgreSQL and back, checked, ids never reused after."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.backends import location, sql
from tui.cli import main
from tui.domain.returns import answers as ans
from tui.domain.store import Draft, DuplicateError, Study, schema
from tui.domain.store import copy as study_copy
from tui.domain.store.returns_csv import import_returns_csv
from tui.domain.store.sqlite import SQLiteBackend


def full_study(where: str, bundled) -> dict:
    """A study using every table: waves, forms, returns keyed twice with a discrepancy resolved, a
    deleted return, drafts, settings, the school key, form layouts, an import."""
    with Study.open(where) as st:
        st.add_wave("2014", bundled, operator="RS", population=68)
        st.add_wave("2015", bundled, operator="RS")
        forms = st.issue_forms("2014", ["A2", "B3", None, ("C", None)], operator="RS")
        first = st.save_return("2014", "A2", ans.from_codes(bundled, ["JPD A1", "HSC B2"], missing_banks=["AA"]),
                               serial=forms[0].serial, operator="JS", keystrokes=40, seconds=31.5).record
        second = st.save_second_pass(first.id, ans.from_codes(bundled, ["JPD A1"], missing_banks=["AA"]),
                                     operator="MK")
        st.resolve(second.discrepancies[0].id, "0", operator="AB")
        st.save_return("2015", "E5", ans.from_codes(bundled, ["CMP A1"]), operator="JS")
        with tempfile.TemporaryDirectory() as folder:  # an import: staged rows, published batches
            csv = Path(folder) / "returns.csv"
            codes = bundled.codes()
            csv.write_text(",".join(["wave", "participant_code", *codes]) + "\n"
                           + "".join(f"2015,{code},{','.join('1' if i % 3 == 0 else '0' for i in range(len(codes)))}\n"
                                     for code in ("A1", "B2", "C3")), encoding="utf-8")
            import_returns_csv(st, csv, operator="IM")
        gone = st.save_return("2015", "D4", ans.blank_answers(bundled), operator="JS").record
        st.delete_return(gone.id, operator="RS", expected_version=gone.version, reason="keyed twice")
        st.save_draft(Draft("2014", "JS", "B3", serial=forms[1].serial, state={"done": {}, "at": ["jpd", "A"]}))
        st.set_setting("min_cell", 3, operator="RS")
        st.set_school_name("A", "Alder Primary", operator="RS")
        st.keep_form_layout("2014", '{"marks": []}', operator="RS")
        return {"deleted": gone.id, "uuid": st._uuid}


@pytest.mark.slow
@pytest.mark.parametrize("first", ["sqlite", "postgresql"])
def test_a_study_goes_to_the_other_backend_and_back_whole(first, tmp_path, bundled, capsys):
    other = "postgresql" if first == "sqlite" else "sqlite"
    with location(first, tmp_path, "a.db") as a, location(other, tmp_path, "b.db") as b, \
            location(first, tmp_path, "c.db") as c:
        facts = full_study(a, bundled)
        assert main(["study", "copy", a, b]) == 0
        out = capsys.readouterr().out
        assert "audit trail of the copy intact" in out and "returns_wide identical for every wave (2014, 2015)" in out
        report = study_copy.copy_study(b, c)
        assert report.problems == []
        for name in study_copy.TABLES:
            assert sql(c, f"select * from {name} order by 1") == sql(a, f"select * from {name} order by 1"), name
        with Study.open(c) as back:
            assert back._uuid == facts["uuid"] and back.school_names() == {"A": "Alder Primary"}
            assert back.setting("min_cell") == 3 and len(back.drafts()) == 1 and back.verify_audit() == []
            # The id of the deleted return is never given out again, after two copies.
            again = back.save_return("2015", "D4", ans.blank_answers(bundled), operator="JS").record
            assert again.id == facts["deleted"] + 1


def test_every_table_but_the_claims_is_copied():
    assert set(study_copy.TABLES) == set(schema.metadata.tables) - {"claims"}


def test_copy_refuses_a_target_that_holds_a_study(study_location, tmp_path, bundled, capsys):
    source = str(tmp_path / "source.db")
    full_study(source, bundled)
    with Study.open(study_location) as st:
        st.add_wave("2016", bundled, operator="RS")
    with pytest.raises(DuplicateError, match="already"):
        study_copy.copy_study(source, study_location)
    assert main(["study", "copy", source, study_location]) == 1
    assert "already" in capsys.readouterr().err
    with Study.open(study_location) as st:
        assert [w.name for w in st.waves()] == ["2016"]


def test_a_copy_that_does_not_check_out_is_reported(tmp_path, bundled, monkeypatch, capsys):
    """The checks can fail: here the copy's id counter is not carried (the newest return was deleted)."""
    source, target = str(tmp_path / "source.db"), str(tmp_path / "copy.db")
    full_study(source, bundled)
    monkeypatch.setattr(SQLiteBackend, "set_id_high_water", lambda self, conn, table, value: None)
    assert main(["study", "copy", source, target]) == 1
    err = capsys.readouterr().err
    assert "do not use it" in err and "id counters not carried over: returns" in err
