"""`audit --verify` checks the data, not only the chain: each way of changing a study outside
SurveyDesk is caught, on a study with every kind of audited change (waves, issued forms, reprints,
returns keyed, keyed twice, edited, resolved, deleted, settings, the school key)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.backends import sql
from tui.domain.analysis import export_wave, wave_returns
from tui.domain.returns import answers as ans
from tui.domain.store import Study
from tui.domain.store.verify import AuditHead


def build(location, bundled) -> None:
    with Study.open(location) as study:
        study.add_wave("2015", bundled, operator="RS", population=68, opens="2015-01-05")
        forms = study.issue_forms("2015", ["A1", "A2", "B5", ("C", None), None], operator="RS")
        study.record_reprint(forms[0].serial, operator="RS")
        study.set_setting("second_keying_share", 0.5, operator="RS")
        study.set_school_name("A", "Hill Top Primary", operator="RS")
        one = study.save_return("2015", "A1", ans.from_codes(bundled, ["JPD A1", "JPD A2"]), operator="JS",
                                serial=forms[0].serial).record
        two = study.save_return("2015", "B5", ans.from_codes(bundled, ["HSC B1"], ["AA"]), operator="JS").record
        study.save_second_pass(one.id, ans.from_codes(bundled, ["JPD A1", "JPD A3"], ["CMP"]), operator="MK")
        for d in study.discrepancies("2015", return_id=one.id):
            study.resolve(d.id, d.first_value, operator="RS")
        study.update_return(two.id, operator="RS", expected_version=two.version,
                            answers=ans.from_codes(bundled, ["HSC B2"]), reason="misread")
        gone = study.save_return("2015", "C3", ans.blank_answers(bundled), operator="JS", serial=forms[3].serial)
        study.delete_return(gone.record.id, operator="RS", expected_version=1, reason="duplicate")
        study.keep_form_layout("2015", '{"marks": [[10, 10]]}', operator="RS")
        study.save_return("2015", "A2", ans.from_codes(bundled, ["E&C A1"]), operator="JS", serial=forms[1].serial)
        assert study.verify().problems == []


@pytest.fixture(scope="module")
def built(tmp_path_factory, bundled):
    path = tmp_path_factory.mktemp("verify") / "study.db"
    build(path, bundled)
    return path


@pytest.fixture
def study_path(built, tmp_path):
    """A copy of the built SQLite study, to tamper with."""
    return shutil.copy(built, tmp_path / "study.db")


@pytest.fixture
def any_study(study_location, bundled):
    """The same study on each backend (SQLite file, PostgreSQL database)."""
    build(study_location, bundled)
    return study_location


def tamper(location, *statements):
    for statement in statements:
        sql(str(location), statement)


def problems(location, against=None):
    with Study.open(location, create=False) as study:
        return study.verify(against).problems


def test_an_untouched_study_matches_its_trail_and_reports_what_it_compared(any_study):
    study_path = any_study
    with Study.open(study_path, create=False) as study:
        result = study.verify()
        head = study.audit_head()
    assert result.ok and result.head == head and result.not_replayed == {}
    assert result.checked == {"waves": 1, "issued forms": 5, "returns": 3, "entry passes": 4, "discrepancies": 3,
                              "settings": 1, "school key letters": 1, "form layouts": 1}
    assert problems(study_path, AuditHead.parse(str(head))) == []


@pytest.mark.parametrize(("statement", "says"), [
    ("update returns set answers = '7 0 0 0 0' where id = 1",
     "return #1 (A1, wave 2015) differs from its audit trail in answers"),
    ("update returns set participant_code = 'A3', role = 3 where id = 2", "differs from its audit trail in participant code"),
    ("update returns set status = 'verified' where id = 2", "return #2 (B5, wave 2015) differs from its audit trail in status"),
    ("update entry_passes set answers = '0 0 0 0 0' where pass_no = 2", "entry pass 2 of return #1 differs from its audit trail in answers"),
    ("update entry_passes set operator = 'XX' where pass_no = 1 and return_id = 2", "in operator"),
    ("update discrepancies set resolved_value = second_value where id = 1", "discrepancy #1"),
    ("delete from discrepancies where id = 2", "is in the audit trail but not in the study"),
    ("update issued_forms set print_count = 1 where print_count = 2", "differs from its audit trail in print_count"),
    ("update issued_forms set participant_code = 'E5', school = 'E' where participant_code = 'B5'", "issued form"),
    ("update waves set population = 70", "wave '2015' differs from its audit trail in population"),
    ("update waves set instrument_toml = replace(instrument_toml, 'Governors', 'Trustees')",
     "its frozen copy no longer matches its hash"),
    ("update settings set value = '1.0'", "setting second_keying_share is 1.0 in the study but 0.5"),
    ("delete from schools", "school A is not named in the study but"),
    ("update form_layouts set geometry = '{}'", "no longer matches its hash"),
    ("insert into returns (wave_id, participant_code, school, role, answers, status, needs_second, version, "
     "created_at, created_by, updated_at, serial_issued) values (1, 'D4', 'D', 4, '0 0 0 0 0', 'entered', false, 1, "
     "'2015-02-01', 'JS', '2015-02-01', false)", "has no entry in the audit trail: added outside SurveyDesk"),
    ("delete from returns where id = 2", "return #2 (B5, wave 2015) is in the audit trail but not in the study"),
])
def test_changing_the_data_outside_surveydesk_is_caught(any_study, statement, says):
    tamper(any_study, statement)
    found = problems(any_study)
    assert any(says in p for p in found), found


def test_changing_an_entry_breaks_the_chain(any_study):
    tamper(any_study, "update audit set reason = 'typo' where reason = 'misread'")
    assert any("does not match the chain" in p for p in problems(any_study))


def test_deleting_the_newest_audit_entry_is_caught(study_path):
    tamper(study_path, "delete from audit where id = (select max(id) from audit)")
    found = problems(study_path)
    assert any("return #4 (A2, wave 2015) has no entry in the audit trail" in p for p in found), found
    assert any("the newest entries were deleted" in p for p in found), found


@pytest.mark.slow
def test_cutting_off_the_newest_return_with_its_entry_is_caught_against_a_recorded_head(study_path, tmp_path):
    with Study.open(study_path, create=False) as study:
        data = wave_returns(study, "2015")
        head = study.audit_head()
    exported = export_wave(data, exports_dir=tmp_path / "exports", formats=("csv",))
    metadata = exported.folder / "metadata.json"
    assert json.loads(metadata.read_text())["study"]["audit_head"] == str(head)
    # An insider deletes the newest return, its entry pass and its audit entry...
    tamper(study_path, "delete from entry_passes where return_id = 4", "delete from returns where id = 4",
           "delete from audit where id = (select max(id) from audit)")
    assert any("newest entries were deleted" in p for p in problems(study_path))
    # ... and winds back SQLite's counter too: only the head recorded outside the file shows it.
    tamper(study_path, f"update sqlite_sequence set seq = {head.entry - 1} where name = 'audit'")
    assert problems(study_path) == []
    found = problems(study_path, AuditHead.parse(str(metadata)))
    assert found == [f"the audit trail ends at entry {head.entry - 1}, but entry {head.entry} was recorded as its "
                     f"head: entries {head.entry}-{head.entry} were deleted, with whatever they recorded"]


def test_a_rewritten_trail_does_not_match_a_recorded_head(study_path):
    with Study.open(study_path, create=False) as study:
        head = study.audit_head()
    tamper(study_path, f"update audit set hash = '{'0' * 64}' where id = {head.entry}")
    assert any("is not the one recorded as the head" in p for p in problems(study_path, head))


@pytest.mark.parametrize("text", ["12", "12:abc", "nowhere.json"])
def test_a_malformed_head_is_refused_with_what_it_should_be(text):
    from tui.domain.store import InputError

    with pytest.raises(InputError, match="must be N:HASH"):
        AuditHead.parse(text)


def test_verify_replays_every_kind_of_audit_entry_the_store_writes():
    """Every `_audit(...)` call in tui/domain names an (entity, action) the replay knows: a new kind
    of change added without teaching verify would otherwise be reported as 'not replayed' and the
    rows it names left uncompared."""
    import ast
    from pathlib import Path

    from tui.domain.store import records
    from tui.domain.store.verify import _HANDLERS

    def word(node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            return str(node.value)
        assert isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name), ast.dump(node)
        return str(getattr(getattr(records, node.value.id), node.attr))

    written = set()
    for path in (Path(__file__).resolve().parents[2] / "tui" / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "_audit" and node.keywords:
                named = {k.arg: k.value for k in node.keywords}
                written.add((word(named["entity"]), word(named["action"])))
    assert len(written) >= 16, written  # the scan found the store's calls
    assert written - set(_HANDLERS) == set()
