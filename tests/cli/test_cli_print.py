"""``surveydesk print`` run as a researcher would from a shell, files read back."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.cli_runner import Result, surveydesk
from tests.pdf_helpers import page_texts
from tui.domain.store import Study

PLAN = "school,1,2,3,4,5,blank\nA,1,1,,2,,1\nB,,,,,3,\n"


def run(cwd: Path, *args: str, ok: bool = True) -> Result:
    result = surveydesk("--study", "s.db", *args, cwd=cwd, ok=True if ok else None)
    if not ok:
        assert result.returncode == 1, result
    return result


def issued(cwd: Path):
    with Study.open(cwd / "s.db", create=False) as study:
        return study.issued_forms("2015")


@pytest.mark.slow
def test_plan_batch_reprint_and_again(tmp_path, printable_file):
    run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file))
    run(tmp_path, "key", "set", "A", "Thornfield Primary")
    (tmp_path / "plan.csv").write_text(PLAN, encoding="utf-8")

    check = run(tmp_path, "print", "--wave", "2015", "--plan", "plan.csv", "--check").stdout
    assert "8 forms would be issued" in check and "nothing was issued" in check
    assert issued(tmp_path) == []

    result = run(tmp_path, "print", "--wave", "2015", "--plan", "plan.csv")
    forms = issued(tmp_path)
    assert len(forms) == 8
    out = result.stdout
    assert f"wave 2015, batch 1: 8 forms issued on A4, serials {forms[0].serial}-{forms[-1].serial}" in out
    assert "batch 1: exports/2015/forms/batch-1/" in out and "forms-2015-batch-1-school-A.pdf" in out
    assert "issue log: exports/2015/forms/issue-log-2015.csv" in out
    assert "writing school A" in result.stderr and "writing school B" in result.stderr
    folder = tmp_path / "exports" / "2015" / "forms"
    school_b = page_texts(folder / "batch-1" / "forms-2015-batch-1-school-B.pdf")
    assert len(school_b) == 18 and all("B5" in t.split() for t in school_b)
    log = (folder / "issue-log-2015.csv").read_text(encoding="utf-8")
    assert "Thornfield" not in log
    assert [(r["serial"], r["school"]) for r in csv.DictReader(log.splitlines())] == [
        (f.serial, f.school) for f in forms]

    lost = forms[5]
    out = run(tmp_path, "print", "--wave", "2015", "--reprint", lost.serial, "--paper", "letter").stdout
    assert f"REPRINT of serial {lost.serial} (B5, school B, wave 2015): same serial, printed 2 times" in out
    assert all("REPRINT" in t for t in page_texts(folder / f"reprint-2015-{lost.serial}-print-2.pdf"))
    assert len(issued(tmp_path)) == 8

    (folder / "batch-1" / "forms-2015-batch-1-school-A.pdf").unlink()
    out = run(tmp_path, "print", "--wave", "2015", "--again").stdout
    assert "files of 8 forms already issued were written again" in out
    assert (folder / "batch-1" / "forms-2015-batch-1-school-A.pdf").exists()
    assert [f.serial for f in issued(tmp_path)] == [f.serial for f in forms]


@pytest.mark.slow
def test_codes_blank_and_out_folder(tmp_path, printable_file):
    run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file))
    out = run(tmp_path, "print", "--wave", "2015", "--codes", "A2,a2,E5", "--out", "posted").stdout
    assert "batch 1: 3 forms issued" in out
    assert (tmp_path / "posted" / "2015" / "forms" / "batch-1" / "forms-2015-batch-1-school-E.pdf").exists()
    out = run(tmp_path, "print", "--wave", "2015", "--blank", "2", "--school", "c", "--out", "posted").stdout
    assert "batch 2: 2 forms issued" in out and "forms-2015-batch-2-school-C.pdf" in out
    assert [(f.participant_code, f.school) for f in issued(tmp_path)][-2:] == [(None, "C"), (None, "C")]
    run(tmp_path, "print", "--wave", "2015", "--blank", "1")
    assert (tmp_path / "exports" / "2015" / "forms" / "batch-3" / "forms-2015-batch-3-blank.pdf").exists()


def test_bad_plans_and_options_issue_nothing(tmp_path, printable_file):
    run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file))
    (tmp_path / "plan.csv").write_text("school,1,6\nA,1,\nQ,2,\n", encoding="utf-8")
    bad = run(tmp_path, "print", "--wave", "2015", "--plan", "plan.csv", ok=False).stderr
    assert "plan.csv: row 1, column 3 '6': not a role of the key" in bad
    assert "plan.csv: row 3, column 'school': 'Q' is not a school letter" in bad
    assert "Nothing was issued." in bad
    assert "school Q is not in the key" in run(tmp_path, "print", "--wave", "2015", "--codes", "Q1", ok=False).stderr
    assert "--wave NAME" in run(tmp_path, "print", "--codes", "A1", ok=False).stderr
    assert "no wave named '2099'" in run(tmp_path, "print", "--wave", "2099", "--codes", "A1", ok=False).stderr
    assert "--school goes with --blank" in run(tmp_path, "print", "--wave", "2015", "--codes", "A1", "--school",
                                               "A", ok=False).stderr
    assert "paper 'A3' is not known" in run(tmp_path, "print", "--wave", "2015", "--codes", "A1", "--paper", "A3",
                                            ok=False).stderr
    assert "was never issued" in run(tmp_path, "print", "--wave", "2015", "--reprint", "0000013", ok=False).stderr
    assert issued(tmp_path) == []


def test_files_that_fail_after_issuing_say_how_to_write_them(tmp_path, printable_file):
    run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file))
    blocker = tmp_path / "exports" / "2015" / "forms" / "batch-1"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    failed = run(tmp_path, "print", "--wave", "2015", "--codes", "A1,A2", ok=False).stderr
    assert "2 forms were issued in wave 2015, batch 1" in failed and "The serials stay issued" in failed
    assert "surveydesk --study s.db print --wave 2015 --again --batch 1" in failed
    assert len(issued(tmp_path)) == 2
    blocker.unlink()
    run(tmp_path, "print", "--wave", "2015", "--again", "--batch", "1")
    assert (blocker / "forms-2015-batch-1-school-A.pdf").exists() and len(issued(tmp_path)) == 2


def test_specimen_needs_no_wave(tmp_path):
    out = run(tmp_path, "print", "--sample", "--paper", "letter").stdout
    path = tmp_path / "exports" / "specimen-partnership-survey-2015-letter.pdf"
    assert "SPECIMEN of Partnership Survey Form 2015" in out and path.exists()
    assert all("SPECIMEN" in t for t in page_texts(path))
    assert not (tmp_path / "s.db").exists()  # a specimen records nothing


def test_real_forms_are_refused_from_an_incomplete_instrument_but_a_specimen_prints_marked(tmp_path, bundled):
    with Study.open(tmp_path / "s.db") as study:  # a wave frozen before the statement was marked
        study.add_wave("2015", bundled, operator="RS")
    for how in (["--codes", "A1"], ["--blank", "2", "--school", "C"]):
        refused = run(tmp_path, "print", "--wave", "2015", *how, ok=False).stderr
        assert "1 statement is marked incomplete: HSC A5 ('Governors are wary')" in refused
        assert "Builder (F6" in refused and "Nothing was issued." in refused
    assert issued(tmp_path) == [] and not (tmp_path / "exports" / "2015" / "forms" / "batch-1").exists()
    out = run(tmp_path, "print", "--wave", "2015", "--sample").stdout
    assert "SPECIMEN" in out
    texts = page_texts(tmp_path / "exports" / "2015" / "forms" / "specimen-partnership-survey-2015-A4.pdf")
    assert "5.GovernorsarewaryINCOMPLETE:notforissue" in "".join(texts[2].split()).replace("[", "").replace("]", "")
    assert all("SPECIMEN" in text for text in texts)


def test_wave_return_details_go_on_the_cover_and_missing_ones_are_warned(tmp_path, printable_file):
    added = run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file), "--closes", "2015-01-30")
    assert "warning: wave 2015 has no return route or contact for the cover" in added.stderr  # date: --closes
    assert "surveydesk wave set 2015 --return-by" in added.stderr
    bad = run(tmp_path, "wave", "set", "2015", "--return-by", "30/01/2015", ok=False).stderr
    assert "return-by date '30/01/2015' must be a date written YYYY-MM-DD" in bad
    done = run(tmp_path, "wave", "set", "2015", "--return-to", "to your headteacher, in the envelope provided",
               "--contact", "A. Researcher, 020 7946 0000")
    assert "the cover says: Please return this form by Friday 30 January 2015 to your headteacher" in done.stdout
    assert "warning" not in done.stderr
    out = run(tmp_path, "print", "--wave", "2015", "--codes", "A1")
    assert "warning" not in out.stderr
    cover = page_texts(tmp_path / "exports" / "2015" / "forms" / "batch-1" / "forms-2015-batch-1-school-A.pdf")[0]
    assert "Questions about the survey: A. Researcher, 020 7946 0000" in cover
    assert "Friday 30 January 2015" in cover


def test_print_warns_when_the_cover_cannot_say_how_forms_come_back(tmp_path, printable_file):
    run(tmp_path, "wave", "add", "2015", "--instrument", str(printable_file))
    out = run(tmp_path, "print", "--wave", "2015", "--blank", "2", "--school", "C")
    assert "warning: wave 2015 has no" in out.stderr and "--return-to" in out.stderr
    assert "batch 1: 2 forms issued" in out.stdout  # the forms still print
    cover = page_texts(tmp_path / "exports" / "2015" / "forms" / "batch-1" / "forms-2015-batch-1-school-C.pdf")[0]
    assert "ParticipantSchoolCParticipantRole" in "".join(cover.split())
