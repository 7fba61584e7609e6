"""The keying station's logic against a real study file: identity, saving, drafts, double entry."""

from __future__ import annotations

import pytest

from tui.domain.entry import DraftJob, EntrySession, Mode, SaveJob, saved_message
from tui.domain.returns import answers as ans
from tui.domain.store import Study

# One whole form keyed section by section ("-" = page missing), bundled instrument.
FORM = ["13", "4", "", "1", "12", "", "5", "", "1", "1", "", "3", "", "", "2", "", "1", "24", "", "2"]


@pytest.fixture
def study(study_2014):
    return study_2014


def session(study: Study, operator: str = "JS", mode: Mode = Mode.FIRST) -> EntrySession:
    return EntrySession(study, study.wave("2014"), operator, mode)


def type_keys(s: EntrySession, keys: list[str]) -> tuple[str, list[str]]:
    """Feed keys as the keying line does (one character, or a key name such as 'enter');
    returns the line's text and the refusals."""
    refusals = []
    for key in keys:
        char = key if len(key) == 1 else None
        outcome = s.key(key if char is None else (key if key.isalnum() else "minus"), char)
        if outcome.refused:
            refusals.append(outcome.refused)
    return s.text, refusals


def sections(texts: list[str]) -> list[str]:
    keys = []
    for t in texts:
        keys += ["-"] if t == "-" else [*t, "enter"]
    return keys


def run_jobs(s: EntrySession, study: Study, draft_ids: dict[int, int]) -> list:
    return [job.run(study, draft_ids) for job in s.take_jobs()]


def test_a_form_keyed_by_code_saves_what_was_typed(study, bundled):
    s = session(study)
    text, refused = type_keys(s, ["e", "5", *sections(FORM), "enter"])
    assert refused == [] and text == ""
    ids: dict[int, int] = {}
    results = run_jobs(s, study, ids)
    saved = results[-1]
    assert saved.record.participant_code == "E5"
    assert ans.highlighted_codes(bundled, saved.record.answers)[:4] == ["JPD A1", "JPD A3", "JPD B4", "JPD D1"]
    assert saved.record.passes[0].keystrokes == 2 + sum(len(t) + 1 for t in FORM) + 1
    assert study.drafts() == []  # the save removed its draft in the same transaction
    assert s.pristine and s.figures.returns == 1


def test_tab_at_the_summary_does_not_save(study):
    """Tab accepts a section; one Tab too many must not save a form nobody checked (found by the
    keystroke fuzz, tests/pilot/test_fuzz_entry.py): only Enter (or ctrl+s) confirms."""
    s = session(study)
    text, refused = type_keys(s, ["e", "5", *["tab"] * 20])
    assert refused == [] and s.form.at_summary
    text, refused = type_keys(s, ["tab"])
    assert refused == ["the form is complete: check the counts against the paper, Enter saves it"]
    assert not any(isinstance(job, SaveJob) for job in s.take_jobs()) and s.form.at_summary
    type_keys(s, ["enter"])
    assert [type(job) for job in s.take_jobs()] == [SaveJob]


def test_keystroke_budget_is_highlighted_plus_sections_plus_three(study, bundled):
    s = session(study)
    keys = ["A", "2", *sections(FORM), "enter"]
    type_keys(s, keys)
    highlighted = sum(len(t) for t in FORM)
    assert len(keys) == highlighted + 20 + 3


def test_drafts_follow_each_section_and_a_late_draft_cannot_outlive_the_save(study):
    s = session(study)
    type_keys(s, ["B", "3", "1", "2", "enter"])
    jobs = s.take_jobs()
    # A draft after the code, each digit and the Enter; drafts not yet taken by the writer are
    # replaced by the newest (only the form as it stands matters).
    assert [type(j) for j in jobs] == [DraftJob]
    ids: dict[int, int] = {}
    for job in jobs:
        job.run(study, ids)
    (draft,) = study.drafts(wave="2014", operator="JS")
    assert draft.participant_code == "B3" and draft.state["done"]["jpd"]["sections"] == {"A": [1, 2]}
    assert draft.state["at"] == ["jpd", "B"] and draft.keystrokes == 5
    type_keys(s, sections(FORM[1:]) + ["enter"])
    run_jobs(s, study, ids)  # every draft, then the save, in order
    assert study.drafts() == []


def test_resume_a_draft(study):
    s = session(study)
    type_keys(s, ["C", "1", "1", "enter", "2", "enter"])
    ids: dict[int, int] = {}
    run_jobs(s, study, ids)
    (draft,) = study.drafts()
    again = session(study)
    outcome = again.resume(draft)
    assert outcome.refused is None and again.form.slot.label == "JPD C" and again.code == "C1"
    type_keys(again, sections(FORM[2:]) + ["enter"])
    (saved,) = [r for r in run_jobs(again, study, {}) if r is not None and hasattr(r, "record")]
    assert saved.record.participant_code == "C1"
    assert study.drafts() == []
    # Keystrokes carry on from the draft.
    assert saved.record.passes[0].keystrokes == 6 + sum(len(t) + 1 for t in FORM[2:]) + 1


def test_unknown_code_and_out_of_range_numbers_refused_at_once(study):
    s = session(study)
    _, refused = type_keys(s, ["F"])
    assert "school F is not in the key" in refused[0]
    _, refused = type_keys(s, ["A", "9"])
    assert "role 9 is not in the key" in refused[0]
    text, refused = type_keys(s, ["2", "7", "x", "1", "1"])
    assert refused == ["JPD A has 3 statements: 7 refused", "JPD A: 'x' refused, type statement numbers 1-3",
                       "JPD A: 1 is already typed"]
    assert text == "1"


def test_serial_scan_fills_the_code(study):
    (form,) = study.issue_forms("2014", ["D4"], operator="RS")
    s = session(study)
    _, refused = type_keys(s, [*form.serial, "enter"])
    assert refused == [] and s.code == "D4" and s.serial == form.serial and s.stage == "form"
    type_keys(s, sections(FORM) + ["enter"])
    saved = run_jobs(s, study, {})[-1]
    assert saved.record.serial == form.serial and saved.record.serial_issued


def test_mistyped_returned_and_blank_serials(study):
    blank, issued = study.issue_forms("2014", [None, "A1"], operator="RS")
    s = session(study)
    swapped = issued.serial[:-2] + issued.serial[-1] + issued.serial[-2]
    _, refused = type_keys(s, [*swapped, "enter"])
    assert "fails its check digit" in refused[0]
    # A blank self-coding form: the code written on it is asked for.
    text, refused = type_keys(s, ["backspace"] * len(swapped) + [*blank.serial, "enter"])
    assert refused == [] and s.stage == "code" and text == ""
    type_keys(s, ["b", "2"])
    assert s.code == "B2" and s.stage == "form"
    type_keys(s, sections(FORM) + ["enter"])
    run_jobs(s, study, {})
    _, refused = type_keys(s, [*blank.serial, "enter"])
    assert "was already returned" in refused[0] and "(B2), keyed by JS" in refused[0]
    # A code typed first, then the serial of someone else's form.
    type_keys(s, ["backspace"] * len(blank.serial) + ["C", "3", "ctrl+r"])
    s.jump_to_serial()
    _, refused = type_keys(s, [*issued.serial, "enter"])
    assert "issued to participant A1, not C3" in refused[0]


def test_second_keying_is_blind_by_another_operator_and_flags_differences(study, bundled):
    first = session(study, "JS")
    type_keys(first, ["A", "2", *sections(FORM), "enter"])
    (saved,) = [r for r in run_jobs(first, study, {}) if hasattr(r, "record")]
    same = session(study, "JS", Mode.SECOND)
    _, refused = type_keys(same, ["A", "2"])
    assert "first keyed by you (JS)" in refused[0]
    second = session(study, "MK", Mode.SECOND)
    text, refused = type_keys(second, ["a", "2"])
    assert refused == [] and second.record.id == saved.record.id and second.form.empty  # nothing shown
    changed = ["1", *FORM[1:]]  # JPD A: 1 instead of 13
    type_keys(second, sections(changed) + ["enter"])
    job = second.jobs[-1]
    result = [r for r in run_jobs(second, study, {}) if hasattr(r, "record")][0]
    assert [d.code for d in result.discrepancies] == ["JPD A3"]
    assert "1 difference from the first keying: F9 resolves" in saved_message(job, result)
    assert study.get_return(saved.record.id).status == "discrepant"


def test_second_keying_lists_several_returns_with_the_same_code(study):
    first = session(study, "JS")
    for _ in range(2):
        type_keys(first, ["E", "4", *sections(FORM), "enter"])
    run_jobs(first, study, {})
    second = session(study, "MK", Mode.SECOND)
    outcome_text, refused = type_keys(second, ["E", "4"])
    assert second.stage == "choose" and len(second.choices) == 2
    _, refused = type_keys(second, ["1"])
    assert refused == ["choose the paper from the list first"]
    chosen = second.choices[1]
    second.open_return(chosen)
    assert second.stage == "form" and second.record.id == chosen.id and second.choices == []


def test_edit_changes_a_return_with_its_version_and_audit(study, bundled):
    first = session(study, "JS")
    type_keys(first, ["A", "3", *sections(FORM), "enter"])
    (saved,) = [r for r in run_jobs(first, study, {}) if hasattr(r, "record")]
    edit = session(study, "RS", Mode.EDIT)
    type_keys(edit, ["A", "3"])
    assert edit.stage == "form" and edit.form.complete and edit.form.line_text() == "13"
    text, _ = type_keys(edit, ["backspace", "backspace", "2"])
    outcome = edit.save_now()
    assert outcome.ask_reason
    edit.save("misread JPD A")
    job = edit.jobs[-1]
    assert isinstance(job, SaveJob) and job.expected_version == saved.record.version
    run_jobs(edit, study, {})
    record = study.get_return(saved.record.id)
    assert ans.highlighted_codes(bundled, record.answers)[:2] == ["JPD A2", "JPD B4"]
    entry = study.audit(entity="return", action="update")[-1]
    assert entry.operator == "RS" and entry.reason == "misread JPD A"


def test_save_failure_keeps_the_complete_form_as_a_draft(study):
    (form,) = study.issue_forms("2014", ["B1"], operator="RS")
    a, b = session(study, "JS"), session(study, "MK")
    for s in (a, b):
        type_keys(s, [*form.serial, "enter", *sections(FORM), "enter"])
    run_jobs(a, study, {})
    ids: dict[int, int] = {}
    jobs = b.take_jobs()
    for job in jobs[:-1]:
        job.run(study, ids)
    with pytest.raises(Exception, match="already"):
        jobs[-1].run(study, ids)
    (draft,) = study.drafts(operator="MK")
    assert draft.state["at"] == ["summary"]
    restored = session(study, "MK")
    restored.resume(draft)
    assert restored.form.at_summary and restored.form.complete


def test_missing_key_and_back_on_the_keying_line(study, bundled):
    s = session(study)
    text, refused = type_keys(s, ["A", "1", "1", "enter", "backspace"])
    assert text == "1" and s.form.slot.label == "JPD A"
    text, _ = type_keys(s, ["enter", "-"])
    assert s.form.slot.label == "HSC A"
    text, _ = type_keys(s, ["shift+tab"])
    assert s.form.at_missing_bank and s.form.slot.label == "JPD A"
    # Back before the first section returns to the code, to correct it.
    text, _ = type_keys(s, ["-", "backspace", "backspace"])
    assert s.stage == "code" and text == "A1"
    text, _ = type_keys(s, ["backspace", "2"])
    assert s.code == "A2" and s.stage == "form"


def test_backing_out_of_a_blank_forms_code_drops_its_serial(study):
    (blank,) = study.issue_forms("2014", [None], operator="RS")
    s = session(study)
    type_keys(s, [*blank.serial, "enter"])
    assert s.stage == "code" and s.serial == blank.serial
    outcome = s.key("backspace", None)
    assert s.stage == "ident" and s.serial is None and "serial dropped" in outcome.note
