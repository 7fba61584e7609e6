"""The study store on a real SQLite file and a real PostgreSQL database: every rule of the store issue.

Tests taking ``study`` or ``study_location`` run once per backend; the rest are about SQLite files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from tests.backends import sql
from tests.conftest import ROOT
from tui.domain.returns import answers as ans
from tui.domain.store import (
    Draft,
    DuplicateError,
    InputError,
    NewerStudyError,
    NotAStudyError,
    StaleError,
    Study,
    UnknownWaveError,
    schema,
)


@pytest.fixture
def study(study_location, bundled):
    st = Study.open(study_location)
    st.add_wave("2014", bundled, operator="RS", population=68)
    yield st
    st.close()


@pytest.fixture
def sqlite_study(tmp_path, bundled):
    st = Study.open(tmp_path / "study.db")
    st.add_wave("2014", bundled, operator="RS", population=68)
    yield st
    st.close()


def counts(st: Study) -> tuple[int, ...]:
    return tuple(sql(st.location, f"select count(*) from {t}")[0][0] for t in ("returns", "entry_passes", "audit"))


def test_new_study_has_the_schema_version(study):
    assert sql(study.location, "select value from meta where key='schema_version'") == [(str(schema.SCHEMA_VERSION),)]


def test_new_sqlite_study_is_wal(sqlite_study):
    with sqlite3.connect(sqlite_study.path) as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_every_id_table_of_a_new_study_never_reuses_ids(sqlite_study):
    """A table keyed by a numeric id needs SQLite's AUTOINCREMENT, or deleting its newest row frees that id."""
    with sqlite3.connect(sqlite_study.path) as conn:
        ddl = dict(conn.execute("select name, sql from sqlite_master where type='table'").fetchall())
    with_ids = {name for name, table in schema.metadata.tables.items() if "id" in table.c and table.c.id.primary_key}
    assert with_ids == set(schema.REBUILT[3]) | {"form_layouts", "imports"}  # schemas 4 and 6 create theirs with it
    assert all("PRIMARY KEY AUTOINCREMENT" in ddl[name] for name in with_ids)


def test_save_and_read_back(study, bundled):
    answers = ans.from_codes(bundled, ["JPD A1", "JPD 8", "HSC C3"], missing_banks=["AA"])
    saved = study.save_return("2014", "e5", answers, operator="JS", keystrokes=14, seconds=21.5)
    record = saved.record
    assert (record.participant_code, record.school, record.role) == ("E5", "E", 5)
    assert ans.highlighted_codes(bundled, record.answers) == ["JPD A1", "JPD C1", "HSC C3"]
    assert not record.answers["aa"].present
    assert record.passes[0].operator == "JS" and record.passes[0].keystrokes == 14
    assert record.status == "entered" and record.needs_second  # default: every return keyed twice


@pytest.mark.parametrize(
    ("code", "words"),
    [("F2", "school F is not in the key"), ("A7", "role 7 is not in the key"), ("A", "one school letter")],
)
def test_bad_participant_codes_refused_and_nothing_written(study, bundled, code, words):
    before = counts(study)
    with pytest.raises(InputError, match=words):
        study.save_return("2014", code, ans.blank_answers(bundled), operator="JS")
    assert counts(study) == before


def test_statement_not_in_instrument_refused(study, bundled):
    before = counts(study)
    with pytest.raises(ans.AnswerError, match="JPD D4"):
        ans.from_codes(bundled, ["JPD D4"])
    answers = dict(ans.blank_answers(bundled))
    answers["jpd"] = ans.BankAnswer(True, frozenset({14}))
    with pytest.raises(InputError, match="JPD 14 is not a statement"):
        study.save_return("2014", "A2", answers, operator="JS")
    incomplete = {k: v for k, v in ans.blank_answers(bundled).items() if k != "cmp"}
    with pytest.raises(InputError, match="no answer given for bank"):
        study.save_return("2014", "A2", incomplete, operator="JS")
    assert counts(study) == before


def test_unknown_wave_refused(study, bundled):
    with pytest.raises(UnknownWaveError, match="no wave named '2016'.*2014"):
        study.save_return("2016", "A2", ans.blank_answers(bundled), operator="JS")


def test_serial_rules(study, bundled):
    a2, e5 = study.issue_forms("2014", ["A2", "E5"], operator="RS")
    blank = ans.blank_answers(bundled)
    # mistyped check digit
    bad = a2.serial[:-1] + str((int(a2.serial[-1]) + 1) % 10)
    with pytest.raises(InputError, match="check digit"):
        study.save_return("2014", "A2", blank, serial=bad, operator="JS")
    # issued to somebody else
    with pytest.raises(InputError, match="issued to participant E5, not A2"):
        study.save_return("2014", "A2", blank, serial=e5.serial, operator="JS")
    saved = study.save_return("2014", "A2", blank, serial=a2.serial, operator="JS")
    assert saved.record.serial_issued and not saved.warnings
    # already returned
    before = counts(study)
    with pytest.raises(DuplicateError, match=f"serial {a2.serial} was already returned: return #"):
        study.save_return("2014", "A2", blank, serial=a2.serial, operator="MK")
    assert counts(study) == before
    # never issued: allowed, flagged
    from tui.domain.returns import make_serial

    stray = make_serial(9999)
    saved = study.save_return("2014", "B3", blank, serial=stray, operator="JS")
    assert not saved.record.serial_issued
    assert "never issued" in saved.warnings[0]


def test_serial_issued_for_another_wave(study, bundled):
    study.add_wave("2015", bundled, operator="RS")
    (form,) = study.issue_forms("2015", ["A2"], operator="RS")
    with pytest.raises(InputError, match="issued for wave 2015, not 2014"):
        study.save_return("2014", "A2", ans.blank_answers(bundled), serial=form.serial, operator="JS")


def test_blank_self_coding_form_takes_any_code(study, bundled):
    (form,) = study.issue_forms("2014", [None], operator="RS")
    saved = study.save_return("2014", "C4", ans.blank_answers(bundled), serial=form.serial, operator="JS")
    assert saved.record.serial_issued


def test_blank_form_for_a_school_records_its_school(study, bundled):
    coded, for_a, loose = study.issue_forms("2014", ["b4", ("a", None), None], operator="RS")
    assert (coded.participant_code, coded.school, coded.role) == ("B4", "B", 4)
    assert (for_a.participant_code, for_a.school, for_a.role) == (None, "A", None)
    assert (loose.participant_code, loose.school, loose.role) == (None, None, None)
    assert [f.number for f in (coded, for_a, loose)] == [1, 2, 3]
    assert study.issued_form(for_a.serial) == for_a
    assert [e.new for e in study.audit(entity="issued_form")] == [
        {"participant_code": "B4"}, {"participant_code": None, "school": "A"}, {"participant_code": None}]
    saved = study.save_return("2014", "A5", ans.blank_answers(bundled), serial=for_a.serial, operator="JS")
    assert saved.record.serial_issued and not saved.warnings


@pytest.mark.parametrize("item", [("F", None), ("A", "A2"), ("", None)])
def test_blank_form_for_an_unknown_school_is_refused_and_nothing_issued(study, item):
    with pytest.raises(InputError, match=r"form 2: a blank form for a school is \(letter, None\)"):
        study.issue_forms("2014", ["A2", item], operator="RS")
    assert study.issued_forms("2014") == []


def test_double_entry_discrepancy_found_resolved_and_audited(study, bundled):
    first = ans.from_codes(bundled, ["JPD A1", "JPD C2", "HSC B1"], missing_banks=["AA"])
    saved = study.save_return("2014", "A2", first, operator="JS")
    rid = saved.record.id
    with pytest.raises(InputError, match="different operator"):
        study.save_second_pass(rid, first, operator="js")
    second = ans.from_codes(bundled, ["JPD A1", "HSC B1", "HSC B2"])
    result = study.save_second_pass(rid, second, operator="MK")
    found = {(d.kind, d.code, d.first_value, d.second_value) for d in result.discrepancies}
    assert found == {("statement", "JPD C2", "1", "0"), ("statement", "HSC B2", "0", "1"),
                     ("page", "AA", "missing", "present")}
    assert result.record.status == "discrepant"
    # The first pass's values stand until each discrepancy is resolved: never silently matched.
    assert ans.highlighted_codes(bundled, study.get_return(rid).answers) == ["JPD A1", "JPD C2", "HSC B1"]
    by_code = {d.code: d for d in result.discrepancies}
    with pytest.raises(InputError, match="choose 1 .* or 0"):
        study.resolve(by_code["JPD C2"].id, "M", operator="AB")
    study.resolve(by_code["JPD C2"].id, "0", operator="AB")   # the paper agrees with the second keyer
    study.resolve(by_code["HSC B2"].id, "0", operator="AB")   # ... with the first keyer
    assert study.get_return(rid).status == "discrepant"
    record = study.resolve(by_code["AA"].id, "missing", operator="AB")
    assert record.status == "verified"
    assert ans.highlighted_codes(bundled, record.answers) == ["JPD A1", "HSC B1"]
    assert not record.answers["aa"].present
    resolutions = study.audit(entity="discrepancy", action="resolve")
    assert [(e.operator, e.new["value"]) for e in resolutions] == [("AB", "0"), ("AB", "0"), ("AB", "missing")]
    final = study.audit(entity="return", key=str(rid), action="update")[-1]
    assert final.reason == "all discrepancies resolved" and final.new["highlighted"] == ["JPD A1", "HSC B1"]
    stats = {s.operator: s for s in study.operator_stats("2014")}
    assert (stats["JS"].errors, stats["MK"].errors) == (1, 2)
    assert stats["JS"].compared_statements == 60 and stats["MK"].errors_per_10000 == pytest.approx(2 / 60 * 1e4)


def test_agreeing_passes_verify_at_once(study, bundled):
    answers = ans.from_codes(bundled, ["CMP A1"])
    rid = study.save_return("2014", "D3", answers, operator="JS").record.id
    result = study.save_second_pass(rid, answers, operator="MK")
    assert result.record.status == "verified" and not result.discrepancies


@pytest.mark.slow
def test_second_keying_share_samples_reproducibly(study, bundled):
    study.set_setting("second_keying_share", 0.1, operator="RS")
    chosen = [study.save_return("2014", "A5", ans.blank_answers(bundled), operator="JS").record.needs_second
              for _ in range(200)]
    assert 5 <= sum(chosen) <= 40
    again = [study._sampled(r.id, 0.1) for r in study.find_returns("2014")]
    assert again == chosen


def test_edit_is_audited_and_stale_edit_refused(study, bundled):
    rec = study.save_return("2014", "B2", ans.from_codes(bundled, ["AA B1"]), operator="JS").record
    edited = study.update_return(rec.id, operator="RS", expected_version=rec.version,
                                 answers=ans.from_codes(bundled, ["AA B2"]), participant_code="B3",
                                 reason="keyed wrong line")
    assert edited.participant_code == "B3" and edited.version == rec.version + 1
    entry = study.audit(entity="return", action="update")[-1]
    assert entry.old["highlighted"] == ["AA B1"] and entry.new["highlighted"] == ["AA B2"]
    assert entry.old["participant_code"] == "B2" and entry.reason == "keyed wrong line"
    with pytest.raises(StaleError):
        study.update_return(rec.id, operator="MK", expected_version=rec.version, participant_code="B4")
    study.delete_return(rec.id, operator="RS", expected_version=edited.version, reason="duplicate paper")
    assert study.find_returns("2014") == []
    assert study.audit(action="delete")[-1].old["highlighted"] == ["AA B2"]


def test_audit_chain_detects_tampering(study, bundled):
    study.save_return("2014", "A2", ans.blank_answers(bundled), operator="JS")
    assert study.verify_audit() == []
    sql(study.location, "update audit set operator='XX' where id=1")
    problems = study.verify_audit()
    assert problems and "audit entry 1" in problems[0]


def test_school_names_are_kept_but_never_audited(study):
    study.set_school_name("a", "Bxxxxxx Primary", operator="RS")
    assert study.school_names() == {"A": "Bxxxxxx Primary"}
    assert "Bxxxxxx" not in str([e.new for e in study.audit()])


def test_wide_and_long_frames(study, bundled):
    study.save_return("2014", "A2", ans.from_codes(bundled, ["JPD A1", "AA D2"]), operator="JS")
    study.save_return("2014", "E5", ans.from_codes(bundled, ["JPD A2"], missing_banks=["HSC"]), operator="JS")
    wide = study.returns_wide("2014")
    assert wide.columns[:8] == ["return_id", "wave", "serial", "participant_code", "school", "role", "role_group",
                                "verified"]
    assert wide.columns[8:] == bundled.codes()
    assert wide["JPD A1"].to_list() == [True, False]
    assert wide["AA D2"].to_list() == [True, False]
    assert wide["HSC A1"].to_list() == [False, None]  # missing page is null, not "not highlighted"
    assert wide["role_group"].to_list() == ["HD", "T"]
    assert wide.schema["role"] == pl.Int64
    long = study.returns_long("2014")
    assert long.height == 120
    row = long.filter((pl.col("return_id") == 2) & (pl.col("code") == "HSC C3")).row(0, named=True)
    assert row["highlighted"] is None and row["stage"] == "Embedding" and row["number_code"] == "HSC 13"


def test_wide_frame_is_the_same_read_in_table_order_or_through_the_index(study, bundled, monkeypatch):
    """returns_wide reads a wave that is most of the table in table order, a small one through
    ix_returns_wave (tui/domain/store/reads.py): both give the same frame, in return order."""
    from tui.domain.store import reads

    study.add_wave("2015", bundled, operator="RS")
    codes = [f"{school}{role}" for school in "CAB" for role in "1235"]
    for i, code in enumerate(codes * 2):  # the waves' returns interleaved, schools out of order
        study.save_return("2014" if i % 3 else "2015", code, ans.from_codes(bundled, [bundled.codes()[i]]),
                          operator="JS")
    frames = {}
    for in_table_order in (True, False):
        monkeypatch.setattr(reads, "_most_of_the_table", lambda conn, wave_id, answer=in_table_order: answer)
        frames[in_table_order] = [study.returns_wide(wave) for wave in ("2014", "2015")]
    for scanned, indexed in zip(frames[True], frames[False], strict=True):
        assert scanned.equals(indexed) and scanned["return_id"].is_sorted() and scanned.height > 0
    assert [f.height for f in frames[True]] == [16, 8]


def test_empty_wave_frame_has_the_right_columns(study, bundled):
    assert study.returns_wide("2014").columns[8:] == bundled.codes()


def test_instrument_edit_after_wave_leaves_wave_unchanged(study, bundled, tmp_path):
    study.save_return("2014", "A2", ans.from_codes(bundled, ["JPD B2"]), operator="JS")
    before = study.returns_wide("2014")
    # The researcher rewords and reorders the file on disk after the wave was created...
    jpd = bundled.banks[0]
    b = jpd.sections[1]
    reordered = replace(b, statements=tuple(reversed(b.statements)))
    changed = replace(bundled, version="2016", banks=(replace(jpd, sections=(jpd.sections[0], reordered)
                                                              + jpd.sections[2:]),) + bundled.banks[1:])
    from tui.domain.instrument import save_instrument

    save_instrument(changed, tmp_path / "edited.toml")
    # ... the wave keeps its frozen copy, so the same data means the same thing.
    reopened = Study.open(study.location)
    assert reopened.wave("2014").instrument == bundled
    assert reopened.returns_wide("2014").equals(before)
    assert before["JPD B2"].to_list() == [True]
    reopened.close()


def test_completeness_and_status(study, bundled):
    forms = study.issue_forms("2014", ["A2", "A2", "E5"], operator="RS")
    study.save_return("2014", "A2", ans.blank_answers(bundled), serial=forms[0].serial, operator="JS")
    # Keyed by code alone, and on a serial never issued: unmatched, never counted as returned.
    study.save_return("2014", "E5", ans.blank_answers(bundled), operator="JS")
    study.save_return("2014", "C3", ans.blank_answers(bundled), serial="0000904", operator="JS")
    table = study.completeness("2014")
    rows = {(r["school"], r["role"]): (r["issued"], r["returned"], r["unmatched"]) for r in table.iter_rows(named=True)}
    assert rows == {("A", 2): (2, 1, 0), ("C", 3): (0, 0, 1), ("E", 5): (1, 0, 1)}
    (status,) = study.status()
    assert status | {} == {"wave": "2014", "population": 68, "issued": 3, "returned": 1, "unmatched": 2,
                           "single_keyed": 3, "awaiting_second": 3, "verified": 0, "discrepancies_open": 0,
                           "drafts": 0}


def test_unreturned_forms_of_a_code(study, bundled):
    a2, _, c3, blank = study.issue_forms("2014", ["A2", "A2", "C3", None], operator="RS")
    assert [f.serial for f in study.unreturned_forms("2014", "a2")][0] == a2.serial
    assert len(study.unreturned_forms("2014", "A2")) == 2 and study.unreturned_forms("2014", "B1") == []
    study.save_return("2014", "A2", ans.blank_answers(bundled), serial=a2.serial, operator="JS")
    assert len(study.unreturned_forms("2014", "A2")) == 1
    assert [f.serial for f in study.unreturned_forms("2014", "C3")] == [c3.serial]
    assert study.issued_count("2014") == 4


def test_reprint_reuses_serial_and_counts(study):
    (form,) = study.issue_forms("2014", ["C3"], operator="RS")
    again = study.record_reprint(form.serial, operator="RS")
    assert again.serial == form.serial and again.print_count == 2
    assert study.audit(action="reprint")[-1].new == {"print_count": 2}


def test_not_a_study(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello")
    with pytest.raises(NotAStudyError, match="not an SQLite database"):
        Study.open(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table t(x)")
    with pytest.raises(NotAStudyError, match="not a SurveyDesk study"):
        Study.open(other)


def fingerprint(location: str) -> list:
    """Every table's rows, to show a refused study was left untouched."""
    tables = sorted(schema.metadata.tables)
    return [sql(location, f"select * from {name} order by 1") for name in tables]


def test_newer_study_refused_untouched(study_location):
    Study.open(study_location).close()
    sql(study_location, "update meta set value='99' where key='schema_version'")
    before = fingerprint(study_location)
    stamp = Path(study_location).read_bytes() if "://" not in study_location else None
    with pytest.raises(NewerStudyError, match="newer SurveyDesk"):
        Study.open(study_location)
    assert fingerprint(study_location) == before
    if stamp is not None:
        assert Path(study_location).read_bytes() == stamp


def test_older_study_is_migrated_keeping_its_data(study_location, bundled):
    st = Study.open(study_location)
    st.add_wave("2014", bundled, operator="RS")
    st.save_return("2014", "A2", ans.from_codes(bundled, ["JPD A1"]), operator="JS")
    st.close()
    # Make it a schema-1 study: the tables schema 2 introduced did not exist then.
    for table in schema.INTRODUCED[2]:
        sql(study_location, f"drop table {table}")
    sql(study_location, "update meta set value='1' where key='schema_version'")
    st = Study.open(study_location)
    assert sql(study_location, "select value from meta where key='schema_version'") == [(str(schema.SCHEMA_VERSION),)]
    assert st.returns_wide("2014")["JPD A1"].to_list() == [True]
    assert st.drafts() == []
    st.save_draft(Draft("2014", "JS", "B3"))
    assert [d.participant_code for d in st.drafts()] == ["B3"]
    st.close()


def test_deleted_newest_return_id_is_never_reused(study, bundled):
    blank = ans.blank_answers(bundled)
    ids = [study.save_return("2014", code, blank, operator="JS").record.id for code in ("A2", "B3", "C4")]
    newest = study.get_return(ids[-1])
    study.delete_return(newest.id, operator="RS", expected_version=newest.version, reason="keyed twice")
    again = study.save_return("2014", "D5", blank, operator="JS").record
    assert again.id == ids[-1] + 1
    assert [e.action for e in study.audit(entity="return", key=str(ids[-1]))] == ["insert", "delete"]
    assert [(e.action, e.new["participant_code"]) for e in study.audit(entity="return", key=str(again.id))] == [
        ("insert", "D5")]


def test_discarded_newest_draft_id_is_never_reused(study):
    first = study.save_draft(Draft("2014", "JS", "A2"))
    newest = study.save_draft(Draft("2014", "JS", "B3"))
    study.discard_draft(newest, operator="JS", reason="wrong form")
    again = study.save_draft(Draft("2014", "JS", "C4"))
    assert (first, again) == (newest - 1, newest + 1)
    assert [e.old["participant_code"] for e in study.audit(entity="draft", key=str(newest))] == ["B3"]
    assert study.audit(entity="draft", key=str(again)) == []


def _write_as_schema_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this SurveyDesk write studies as schema 2 did: the same tables, ids plain SQLite rowids, no
    form layouts (schema 4), no claims (schema 5)."""
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(Study, "_end_claims", lambda self, conn, *forms: None)
    for name in schema.REBUILT[3]:
        monkeypatch.setitem(schema.metadata.tables[name].dialect_options["sqlite"], "autoincrement", False)


def _layout_and_rows(conn: sqlite3.Connection) -> dict[str, object]:
    """Every table's columns, indexes, foreign keys and rows (ids included), and the named indexes."""
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' "
                                         "and name != 'sqlite_sequence' order by name")]
    out: dict[str, object] = {"indexes": conn.execute(
        "select name, tbl_name, sql from sqlite_master where type='index' order by name").fetchall()}
    for table in tables:
        out[table] = [conn.execute(f"pragma {pragma}({table})").fetchall()
                      for pragma in ("table_info", "index_list", "foreign_key_list")]
        out[table].append(conn.execute(f"select rowid, * from {table} order by rowid").fetchall())
    return out


def test_schema_2_study_migrates_keeping_everything_and_never_reuses_a_deleted_id(tmp_path, bundled,
                                                                                  monkeypatch):
    path = tmp_path / "v2.db"
    with monkeypatch.context() as old:
        _write_as_schema_2(old)
        st = Study.open(path)
        st.add_wave("2014", bundled, operator="RS")
        first = ans.from_codes(bundled, ["JPD A1", "HSC B2"])
        ids = [st.save_return("2014", code, first, operator="JS").record.id for code in ("A2", "B3", "C4")]
        st.save_second_pass(ids[0], ans.from_codes(bundled, ["JPD A2", "HSC B2"]), operator="MK")
        newest = st.get_return(ids[-1])
        st.delete_return(newest.id, operator="RS", expected_version=newest.version, reason="wrong wave")
        draft = st.save_draft(Draft("2014", "JS", "E5"))
        st.discard_draft(st.save_draft(Draft("2014", "JS", "E4")), operator="JS")
        st.close()
    with sqlite3.connect(path) as conn:
        assert "AUTOINCREMENT" not in conn.execute("select sql from sqlite_master where name='returns'").fetchone()[0]
        assert conn.execute("select max(id) from returns").fetchone()[0] == ids[1]  # the next would be reused
        before = _layout_and_rows(conn)
    st = Study.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from meta where key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        for name in schema.REBUILT[3]:
            assert "AUTOINCREMENT" in conn.execute("select sql from sqlite_master where name=?", (name,)).fetchone()[0]
        after = _layout_and_rows(conn)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
    assert after.pop("meta")[3] == [(n, k, str(schema.SCHEMA_VERSION) if k == "schema_version" else v)
                                    for n, k, v in before.pop("meta")[3]]  # only the version changed
    added = ("form_layouts", "claims", "imports", "import_rows")  # the tables of schemas 4-6, empty, with indexes
    for table in added:
        assert after.pop(table)[3] == []
    after["indexes"] = [i for i in after["indexes"] if i[1] not in added]
    assert after == before
    assert len(st.discrepancies(return_id=ids[0])) == 2 and len(st.get_return(ids[0]).passes) == 2
    again = st.save_return("2014", "D5", first, operator="JS").record
    assert again.id == ids[-1] + 1
    assert [e.action for e in st.audit(entity="return", key=str(again.id))] == ["insert"]
    assert st.save_draft(Draft("2014", "JS", "E3")) == draft + 2
    assert st.verify_audit() == []
    st.close()


def test_schema_2_study_with_an_orphan_entry_pass_still_upgrades_keeping_it(tmp_path, monkeypatch):
    """Breakage the upgrade did not cause (here a pass written with foreign keys off) does not lock the study."""
    path = tmp_path / "orphan.db"
    with monkeypatch.context() as old:
        _write_as_schema_2(old)
        Study.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("insert into entry_passes (return_id, pass_no, operator, answers, saved_at, keystrokes, "
                     "seconds) values (99, 1, 'JS', '', '2014-01-01', 0, 0)")
    Study.open(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from meta where key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        assert conn.execute("pragma foreign_key_check").fetchall() == [("entry_passes", 1, "returns", 0)]


def test_a_newer_study_is_refused_by_an_older_surveydesk(tmp_path, monkeypatch):
    path = tmp_path / "newer.db"
    Study.open(path).close()
    stamp, newer = path.read_bytes(), schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    with pytest.raises(NewerStudyError, match=f"study schema {newer}; this version reads up to 2"):
        Study.open(path)
    assert path.read_bytes() == stamp


def _child(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.store_child", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_sigkill_mid_form_keeps_every_completed_section(study_location, bundled):
    path = study_location
    st = Study.open(path)
    st.add_wave("2014", bundled, operator="RS")
    st.close()
    child = _child("drafts", str(path), "2014", "C4")
    saved_steps = []
    for line in child.stdout:
        saved_steps.append(line.split())
        if len(saved_steps) == 7:  # JPD A-D done, HSC A-C done
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    st = Study.open(path)
    assert st.backend.integrity_problems() == []
    (draft,) = st.drafts()
    done = draft.state["done"]
    # Everything reported saved before the kill is there (a step may have landed after the last line read).
    assert set(done["jpd"]["sections"]) == {"A", "B", "C", "D"}
    assert {"A", "B", "C"} <= set(done["hsc"]["sections"])
    assert draft.participant_code == "C4"
    st.close()


@pytest.mark.slow
def test_two_concurrent_writers_both_land_everything(study_location, bundled):
    path = study_location
    st = Study.open(path)
    st.add_wave("2014", bundled, operator="RS")
    st.close()
    children = [_child("returns", str(path), "2014", school, "60") for school in ("A", "B")]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "locked" not in err
    st = Study.open(path)
    wide = st.returns_wide("2014")
    assert wide.height == 120
    assert wide.group_by("school").len().sort("school")["len"].to_list() == [60, 60]
    assert st.verify_audit() == []
    st.close()


@pytest.mark.slow
def test_two_stations_opening_a_schema_2_study_at_once_both_work_after_one_upgrade(tmp_path, bundled, monkeypatch):
    path = tmp_path / "busy-v2.db"
    with monkeypatch.context() as old:
        _write_as_schema_2(old)
        st = Study.open(path)
        st.add_wave("2014", bundled, operator="RS")
        kept, deleted = (st.save_return("2014", code, ans.blank_answers(bundled), operator="JS").record
                         for code in ("C3", "D4"))
        st.delete_return(deleted.id, operator="RS", expected_version=deleted.version)
        st.close()
    children = [_child("returns", str(path), "2014", school, "20") for school in ("A", "B")]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    st = Study.open(path)
    ids = [r.id for r in st.find_returns("2014")]
    assert ids[0] == kept.id and len(ids) == 41 and min(ids[1:]) > deleted.id
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from meta where key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
    assert st.verify_audit() == []
    st.close()


def test_schema_3_study_gains_the_form_layouts_table(tmp_path, bundled):
    path = tmp_path / "v3.db"
    st = Study.open(path)
    st.add_wave("2014", bundled, operator="RS")
    st.close()
    with sqlite3.connect(path) as conn:
        conn.execute("drop table form_layouts")
        conn.execute("update meta set value='3' where key='schema_version'")
    st = Study.open(path)
    assert st.form_layouts("2014") == []
    assert st.keep_form_layout("2014", '{"pages": []}', operator="RS").wave == "2014"
    st.close()


def test_the_working_wave_is_the_one_asked_for_while_it_exists_else_the_newest(tmp_path, bundled):
    from tui.domain.store import Study

    study = Study.open(tmp_path / "waves.db")
    assert study.working_wave() is None and study.working_wave("2014") is None
    study.add_wave("2014", bundled, operator="RS")
    study.add_wave("2015", bundled, operator="RS")
    assert study.working_wave() == "2015"
    assert study.working_wave("2014") == "2014"
    assert study.working_wave("2099") == "2015"
    study.close()


def test_records_are_built_from_rows_by_column_name_and_a_missing_column_fails():
    from tui.domain.store import Claim
    from tui.domain.store.records import from_row

    row = {"seen_at": "t2", "since": "t1", "station": "desk-2", "operator": "JS", "form": "draft 12", "extra": 1}
    assert from_row(Claim, row) == Claim("draft 12", "JS", "desk-2", "t1", "t2")
    with pytest.raises(TypeError, match="seen_at"):
        from_row(Claim, {k: v for k, v in row.items() if k != "seen_at"})


def test_a_return_read_back_carries_its_status_as_the_enum(study, bundled):
    from tui.domain.store import ReturnStatus

    saved = study.save_return("2014", "A2", ans.blank_answers(bundled), operator="JS").record
    assert saved.status is ReturnStatus.ENTERED
