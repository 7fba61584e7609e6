"""Distribution plans and print batches, end to end with a real study and real PDFs read back."""

from __future__ import annotations

import csv
import re
from dataclasses import replace

import pytest

from tests.pdf_helpers import everything_in, page_texts, squash
from tui.domain.paper import (
    BatchFilesError,
    DistributionPlan,
    FormLayoutError,
    FormsError,
    PlanError,
    batches_of,
    issue_batch,
    paper_name,
    parse_plan_csv,
    plan_csv_text,
    plan_from_codes,
    read_plan_csv,
    reprint_form,
    rewrite_batches,
    serial_ranges,
    set_wave_returns,
    wave_returns,
)
from tui.domain.returns import make_serial
from tui.domain.store import InputError, NotFoundError, Study

SECRET_NAMES = {"A": "Thornfield Primary", "B": "St Aldhelm's CE Academy", "E": "Brookside School"}
PLAN_CSV = """school,1,2,3,4,5,blank
A,1,1,,2,,1
B,,,,,3,
E,0,,,,1,
"""


@pytest.fixture
def study(tmp_path, printable):
    st = Study.open(tmp_path / "study.db")
    st.add_wave("2015", printable, operator="RS")
    for letter, name in SECRET_NAMES.items():
        st.set_school_name(letter, name, operator="RS")
    yield st
    st.close()


def serials_on(path) -> list[str]:
    """The serial of each page, read back from the PDF."""
    return [re.search(r"Serial (\d{7})", text).group(1) for text in page_texts(path)]


# --- plans --------------------------------------------------------------------------------


def test_plan_csv_grid_is_read_with_empty_cells_as_zero(printable):
    plan = parse_plan_csv(PLAN_CSV, printable.key)
    assert dict(plan.coded) == {("A", 1): 1, ("A", 2): 1, ("A", 4): 2, ("B", 5): 3, ("E", 5): 1}
    assert dict(plan.blank) == {"A": 1}
    assert plan.total == 9 and plan.school_total("A") == 5 and plan.count("A", None) == 1
    assert parse_plan_csv(plan_csv_text(plan, printable.key), printable.key) == plan


def test_plan_csv_columns_may_be_headed_by_role_labels_in_any_order(printable):
    text = "\ufeffSchool,Teacher,BLANK,hT or dHT\nc,4,2,1\n\n"
    plan = parse_plan_csv(text, printable.key)
    assert dict(plan.coded) == {("C", 5): 4, ("C", 2): 1} and dict(plan.blank) == {"C": 2}


def test_plan_csv_problems_are_all_named_by_row_and_column(printable):
    text = ("school,1,2,Head,5\n"
            "A,1,x,,\n"
            "F,1,,,\n"
            "A,1,,,\n"
            "B,1000,,,\n"
            ",2,,,\n"
            "C,1,,,,,7\n")
    with pytest.raises(PlanError) as caught:
        parse_plan_csv(text, printable.key, "plan.csv")
    assert caught.value.problems == [
        "row 1, column 4 'Head': not a role of the key; head a column with a role digit (1, 2, 3, 4, 5) or 'blank'",
        "row 2, column '2': 'x' is not a whole number of forms",
        "row 3, column 'school': 'F' is not a school letter of the key (A, B, C, D, E)",
        "row 4, column 'school': school A is already on row 2",
        "row 5, column '1': 1000 forms is more than 999; check the number",
        "row 6, column 'school': empty is not a school letter of the key (A, B, C, D, E)",
        "row 7: 7 cells but only 5 headings",
    ]
    assert str(caught.value).startswith("plan.csv: row 1, column 4 'Head'")


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty; the first row should be school,1,2,3,4,5,blank"),
    ("letter,1\nA,1\n", "row 1, column 1: the first heading must be 'school'"),
    ("school,1,2\nA,0,\nB,,\n", "the plan has no forms in it"),
    ("school,5,5\nA,1,1\n", "row 1, column 3 '5': the same column as column 2"),
    ("school,5\nA,-2\n", "row 2, column '5': '-2' is not a whole number of forms"),
])
def test_bad_plan_csv(printable, text, message):
    with pytest.raises(PlanError, match=re.escape(message)):
        parse_plan_csv(text, printable.key)


def test_plan_csv_file_errors(tmp_path, printable):
    with pytest.raises(PlanError, match="no such file"):
        read_plan_csv(tmp_path / "none.csv", printable.key)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("school,5\nA,1\n\xe9".encode("latin-1"))
    with pytest.raises(PlanError, match="not UTF-8 text"):
        read_plan_csv(latin, printable.key)
    good = tmp_path / "plan.csv"
    good.write_text(PLAN_CSV, encoding="utf-8")
    assert read_plan_csv(good, printable.key).total == 9


def test_plan_from_codes(printable):
    plan = plan_from_codes("A2, a2 E5;B1", printable.key, blank=3, blank_school="c")
    assert dict(plan.coded) == {("A", 2): 2, ("E", 5): 1, ("B", 1): 1} and dict(plan.blank) == {"C": 3}
    assert plan_from_codes("", printable.key, blank=2).blank == {None: 2}
    with pytest.raises(PlanError, match=r"code 2 \(Q5\): participant code Q5: school Q is not in the key"):
        plan_from_codes("A2,Q5", printable.key)
    with pytest.raises(PlanError, match="blank forms for school F: school F is not in the key"):
        plan_from_codes("", printable.key, blank=1, blank_school="F")
    with pytest.raises(PlanError, match="the plan has no forms in it"):
        plan_from_codes(" ", printable.key)


def test_plan_checks_against_the_key(printable):
    plan = DistributionPlan({("A", 9): 1, ("A", 1): -1}, {"Z": 1})
    assert plan.problems(printable.key) == [
        "school A, role 9: role 9 is not in the key (roles 1, 2, 3, 4, 5)",
        "school A, role 1: -1 is not a number of forms",
        "blank forms for school Z: school Z is not in the key (schools A, B, C, D, E)",
    ]


def test_forms_for_runs_school_by_school(printable):
    plan = DistributionPlan({("B", 5): 2, ("A", 4): 1, ("A", 1): 1}, {"A": 1, None: 1})
    assert plan.forms_for(printable.key) == ["A1", "A4", ("A", None), "B5", "B5", None]


def test_paper_names():
    assert paper_name("a4") == "A4" and paper_name(" Letter ") == "letter"
    with pytest.raises(InputError, match="paper 'A3' is not known; use A4 or letter"):
        paper_name("A3")


# --- batches ------------------------------------------------------------------------------


@pytest.mark.slow
def test_batch_end_to_end(tmp_path, study, printable):
    exports = tmp_path / "exports"
    plan = replace(parse_plan_csv(PLAN_CSV, printable.key), blank={"A": 1, None: 2})
    seen: list[tuple[int, int, str]] = []
    result = issue_batch(study, "2015", plan, operator="RS", exports=exports,
                         progress=lambda done, total, what: seen.append((done, total, what)))

    # Serials are issued in the store, school by school.
    issued = study.issued_forms("2015")
    assert [f.serial for f in issued] == [f.serial for f in result.forms] and len(issued) == plan.total == 11
    assert [(f.participant_code, f.school) for f in issued] == [
        ("A1", "A"), ("A2", "A"), ("A4", "A"), ("A4", "A"), (None, "A"), ("B5", "B"), ("B5", "B"), ("B5", "B"),
        ("E5", "E"), (None, None), (None, None)]
    assert result.batch == 1

    # One PDF per school office (plus blank forms for no school), holding only that school's forms.
    folder = exports / "2015" / "forms" / "batch-1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "forms-2015-batch-1-blank.pdf", "forms-2015-batch-1-school-A.pdf", "forms-2015-batch-1-school-B.pdf",
        "forms-2015-batch-1-school-E.pdf"]
    by_school = {f.school: f for f in result.files.files}
    for school, written in by_school.items():
        assert written.path.parent == folder.resolve()
        texts = page_texts(written.path)
        assert len(texts) == written.pages
        forms = [f for f in issued if f.school == school]
        assert sorted(set(serials_on(written.path))) == [f.serial for f in forms]
        codes = {word for text in texts for word in text.split() if re.fullmatch(r"[A-E][1-5]", word)}
        assert codes == {f.participant_code for f in forms if f.participant_code}
        assert all("Wave 2015" in text for text in texts)
    assert by_school["A"].coded == 4 and by_school["A"].blank == 1
    assert by_school["A"].serials == f"{issued[0].serial}-{issued[4].serial}"
    loose = by_school[None]
    assert (loose.coded, loose.blank) == (0, 2)
    assert squash("Participant School A B C D E") in squash(page_texts(loose.path)[0])

    # The issue log lists every serial with code and school letter, never a school name.
    log_csv, log_pdf = result.issue_log
    assert (log_csv.name, log_pdf.name) == ("issue-log-2015.csv", "issue-log-2015.pdf")
    with log_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["serial"], r["participant_code"], r["school"], r["reprint"]) for r in rows] == [
        (f.serial, f.participant_code or "", f.school or "", "no") for f in issued]
    pdf_text = "\n".join(page_texts(log_pdf))
    assert all(f.serial in pdf_text for f in issued)
    for path in [log_csv, log_pdf, *(f.path for f in result.files.files)]:
        content = path.read_text("latin-1") if path.suffix == ".csv" else everything_in(path) + "\n".join(
            page_texts(path))
        for name in SECRET_NAMES.values():
            assert name not in content and squash(name) not in squash(content), (path.name, name)

    # Progress counted every form and named what was being written.
    assert seen[-1] == (11, 11, "issue log")
    assert {what for _, _, what in seen} == {"school A", "school B", "school E", "blank forms", "issue log"}
    assert [done for done, _, _ in seen[:-1]] == list(range(1, 12))


def test_a_second_batch_gets_its_own_folder_and_the_log_covers_both(tmp_path, study, printable):
    exports = tmp_path / "exports"
    first = issue_batch(study, "2015", plan_from_codes("A2,A5", printable.key), operator="RS", exports=exports)
    before = first.files.files[0].path.read_bytes()
    second = issue_batch(study, "2015", plan_from_codes("A5", printable.key), operator="MK", exports=exports)
    assert second.batch == 2 and second.files.folder.name == "batch-2"
    assert first.files.files[0].path.read_bytes() == before
    assert serials_on(second.files.files[0].path)[0] == second.forms[0].serial
    assert [len(b) for b in batches_of(study.issued_forms("2015"))] == [2, 1]
    with second.issue_log[0].open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_reprint_reuses_the_serial_and_says_so(tmp_path, study, printable):
    exports = tmp_path / "exports"
    batch = issue_batch(study, "2015", plan_from_codes("B3,C4", printable.key), operator="RS", exports=exports)
    lost = batch.forms[1]
    result = reprint_form(study, "2015", lost.serial, operator="MK", exports=exports)
    assert result.form.serial == lost.serial and result.form.print_count == 2
    assert study.issued_form(lost.serial).print_count == 2
    assert len(study.issued_forms("2015")) == 2  # no new serial
    assert result.path.name == f"reprint-2015-{lost.serial}-print-2.pdf"
    texts = page_texts(result.path)
    assert all("REPRINT" in t and f"Serial {lost.serial}" in t and "C4" in t.split() for t in texts)
    assert result.message.startswith(f"REPRINT of serial {lost.serial} (C4, school C, wave 2015): same serial")
    with result.issue_log[0].open(encoding="utf-8") as handle:
        rows = [(r["serial"], r["participant_code"], r["reprint"]) for r in csv.DictReader(handle)]
    assert rows == [(batch.forms[0].serial, "B3", "no"), (lost.serial, "C4", "no"), (lost.serial, "C4", "yes")]


def test_reprint_refuses_serials_it_cannot_reprint(tmp_path, study, printable):
    exports = tmp_path / "exports"
    study.add_wave("2014", printable, operator="RS")
    (old,) = study.issue_forms("2014", ["A2"], operator="RS")
    with pytest.raises(InputError, match=f"serial {old.serial} was issued for wave 2014, not 2015"):
        reprint_form(study, "2015", old.serial, operator="RS", exports=exports)
    with pytest.raises(NotFoundError, match=f"serial {make_serial(99)} was never issued"):
        reprint_form(study, "2015", make_serial(99), operator="RS", exports=exports)
    with pytest.raises(InputError, match="check digit"):
        reprint_form(study, "2015", old.serial[:-1] + str((int(old.serial[-1]) + 1) % 10), operator="RS",
                     exports=exports)
    assert study.issued_form(old.serial).print_count == 1
    assert not (exports / "2015").exists() or not list((exports / "2015").rglob("reprint-*"))


def test_files_that_fail_leave_the_serials_issued_and_can_be_written_again(tmp_path, study, printable):
    exports = tmp_path / "exports"
    blocker = exports / "2015" / "forms" / "batch-1"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the batch folder should go")
    plan = plan_from_codes("A2,D3", printable.key, blank=1, blank_school="D")
    with pytest.raises(BatchFilesError) as caught:
        issue_batch(study, "2015", plan, operator="RS", exports=exports)
    issued = study.issued_forms("2015")
    assert len(issued) == 3 and caught.value.forms == tuple(issued) and caught.value.batch == 1
    assert f"serials {issued[0].serial}-{issued[2].serial}" in str(caught.value)
    assert "The serials stay issued" in str(caught.value)

    blocker.unlink()
    written, log = rewrite_batches(study, "2015", exports=exports, paper="letter")
    assert [b.batch for b in written] == [1]
    assert sorted(f.path.name for f in written[0].files) == ["forms-2015-batch-1-school-A.pdf",
                                                                 "forms-2015-batch-1-school-D.pdf"]
    assert sorted(s for f in written[0].files for s in set(serials_on(f.path))) == [f.serial for f in issued]
    assert study.issued_forms("2015") == issued  # nothing new issued, nothing counted as a reprint
    assert log[0].exists() and log[1].exists()


def test_rewrite_one_batch_and_refusals(tmp_path, study, printable):
    exports = tmp_path / "exports"
    with pytest.raises(NotFoundError, match="no forms have been issued in wave 2015 yet"):
        rewrite_batches(study, "2015", exports=exports)
    issue_batch(study, "2015", plan_from_codes("A2", printable.key), operator="RS", exports=exports)
    issue_batch(study, "2015", plan_from_codes("B2", printable.key), operator="RS", exports=exports)
    written, _ = rewrite_batches(study, "2015", exports=exports, batch=2)
    assert [(b.batch, [f.participant_code for f in b.forms]) for b in written] == [(2, ["B2"])]
    with pytest.raises(NotFoundError, match="wave 2015 has batches 1-2, not batch 3"):
        rewrite_batches(study, "2015", exports=exports, batch=3)


def test_nothing_is_issued_when_the_plan_or_the_instrument_cannot_be_printed(tmp_path, study, printable, bundled):
    exports = tmp_path / "exports"
    with pytest.raises(PlanError, match="school F is not in the key"):
        issue_batch(study, "2015", DistributionPlan({("F", 1): 2}), operator="RS", exports=exports)
    with pytest.raises(InputError, match="paper 'A5' is not known"):
        issue_batch(study, "2015", plan_from_codes("A1", printable.key), operator="RS", exports=exports, paper="A5")
    bank = printable.banks[1]
    odd = replace(bank.sections[0].statements[0], text="Trust \u4e2d reciprocity")
    sections = (replace(bank.sections[0], statements=(odd,) + bank.sections[0].statements[1:]),) + bank.sections[1:]
    study.add_wave("odd", replace(printable, banks=(printable.banks[0], replace(bank, sections=sections))
                                  + printable.banks[2:]), operator="RS")
    with pytest.raises(FormLayoutError, match="HSC A1: the form's font cannot print"):
        issue_batch(study, "odd", plan_from_codes("A1", printable.key), operator="RS", exports=exports)
    study.add_wave("unfinished", bundled, operator="RS")  # HSC A5 is marked incomplete
    for plan in (plan_from_codes("A1", bundled.key), plan_from_codes("", bundled.key, blank=3, blank_school="C")):
        with pytest.raises(FormsError, match=r"marked incomplete: HSC A5 \('Governors are wary'\)"):
            issue_batch(study, "unfinished", plan, operator="RS", exports=exports)
    assert study.issued_forms() == [] and not exports.joinpath("unfinished").exists()


def test_serial_ranges_and_batches():
    from tui.domain.store import IssuedForm

    def form(number: int, at: str) -> IssuedForm:
        return IssuedForm(make_serial(number), number, "2015", "A1", "A", 1, at, "RS", 1)

    forms = [form(1, "t1"), form(2, "t1"), form(3, "t1"), form(5, "t2"), form(7, "t3"), form(8, "t3")]
    assert serial_ranges(forms) == f"{make_serial(1)}-{make_serial(3)}, {make_serial(5)}, " \
                                   f"{make_serial(7)}-{make_serial(8)}"
    assert [[f.number for f in group] for group in batches_of(reversed(forms))] == [[1, 2, 3], [5], [7, 8]]



def test_a_waves_return_details_are_kept_audited_and_printed_on_every_cover(tmp_path, printable):
    study = Study.open(tmp_path / "returns.db")
    study.add_wave("2016", printable, operator="RS", closes="2016-01-29")
    assert wave_returns(study, "2016").return_by == "2016-01-29"  # the wave's closing date by default
    assert wave_returns(study, "2016").missing() == ["return route", "contact"]
    set_wave_returns(study, "2016", operator="RS", route="to the school office", contact="R. Smith, 01234 567890")
    set_wave_returns(study, "2016", operator="MK", return_by="2016-02-05")
    details = wave_returns(study, "2016")
    assert (details.return_by, details.route, details.contact) == ("2016-02-05", "to the school office",
                                                                   "R. Smith, 01234 567890")
    assert [e.operator for e in study.audit(entity="setting")][-2:] == ["RS", "MK"]
    with pytest.raises(InputError, match="must be a date written YYYY-MM-DD"):
        set_wave_returns(study, "2016", operator="RS", return_by="2016-02-30")
    result = issue_batch(study, "2016", plan_from_codes("A2", printable.key, blank=1, blank_school="C"),
                         operator="RS", exports=tmp_path / "exports")
    for school in result.files.files:
        cover = page_texts(school.path)[0]
        assert "Please return this form by Friday 5 February 2016 to the school office." in cover
        assert "Questions about the survey: R. Smith, 01234 567890" in cover
    blank_c = next(f for f in result.files.files if f.school == "C")
    assert "ParticipantSchoolCParticipantRole" in squash(page_texts(blank_c.path)[0])
    study.close()
