"""Pilot: the clerk checks a scanned paper's uncertain statements on the scan review screen (F3, F11),
one key each, and what lands in the study."""

from __future__ import annotations

import pytest

from tests.helpers import screen_text
from tui.app import make_app
from tui.domain.returns import answers as ans
from tui.domain.scan import Paper, Uncertain, draft_state
from tui.domain.store import Draft, Study


def ref(instrument, code):
    return next(r for r in instrument.refs() if r.code == code)


def scanned_draft(study: Study, instrument, serial: str) -> int:
    """What `surveydesk scan` leaves for a paper it was unsure of: JPD A1 (read ticked) and JPD B2
    (read empty) uncertain; JPD C1 ticked with confidence; its page 3 not among the scans."""
    paper = Paper(serial, "2014", "D4", answers=ans.from_codes(instrument, ["JPD A1", "JPD C1"], ["HSC"]),
                  missing_pages=[3])
    for code, read in (("JPD A1", "marked"), ("JPD B2", "empty")):
        r = ref(instrument, code)
        paper.uncertain.append(Uncertain(r.bank.id, r.statement.id, r.code, r.position, read, 0.7,
                                         "faint or unclear mark"))
    return study.save_draft(Draft("2014", "scan", "D4", serial, state=draft_state(paper)))


@pytest.mark.smoke
async def test_the_clerk_answers_only_the_uncertain_statements_and_the_paper_is_saved(tmp_path, printable):
    path = tmp_path / "study.db"
    with Study.open(path) as study:
        study.add_wave("2014", printable, operator="RS")
        (form,) = study.issue_forms("2014", ["D4"], operator="RS")
        scanned_draft(study, printable, form.serial)
    app = make_app(study_path=path, operator="JS")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("f11")
        await pilot.pause()
        text = screen_text(app)
        assert "Paper D4" in text and "Statement 1 of 2 to check" in text and "JPD A1" in text
        assert "Page 3 was not among the scans" in text
        await pilot.press("1", "backspace")  # changed my mind
        assert "Statement 1 of 2" in screen_text(app)
        await pilot.press("0")  # A1: not ticked after all
        await pilot.press("escape")  # leave half way: the answer is kept
        await pilot.pause()
        await pilot.press("f11")
        await pilot.pause()
        assert "Statement 2 of 2 to check" in screen_text(app) and "JPD B2" in screen_text(app)
        await pilot.press("1")  # B2: ticked
        assert "All 2 checked" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "Saved D4" in screen_text(app) and "No scanned papers are waiting" in screen_text(app)
    with Study.open(path) as study:
        (record,) = study.find_returns("2014")
        assert ans.highlighted_codes(printable, record.answers) == ["JPD B2", "JPD C1"]
        assert not record.answers["hsc"].present
        assert record.serial == form.serial and record.passes[0].operator == "scan"
        assert study.drafts() == []
        (entry,) = study.audit(entity="return")
        assert "2 statements checked by JS" in entry.reason and "confirmed missing by JS" in entry.reason


async def test_enter_before_every_statement_is_answered_saves_nothing(tmp_path, printable):
    path = tmp_path / "study.db"
    with Study.open(path) as study:
        study.add_wave("2014", printable, operator="RS")
        (form,) = study.issue_forms("2014", ["D4"], operator="RS")
        scanned_draft(study, printable, form.serial)
    app = make_app(study_path=path, operator="JS")
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3", "f11")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert bells and "Statement 2 of 2" in screen_text(app)
    with Study.open(path) as study:
        assert study.find_returns("2014") == [] and len(study.drafts()) == 1


async def test_a_tick_on_a_blank_1bit_page_asks_the_paper_s_other_empty_boxes_too(tmp_path, printable):
    """The 1-bit scan showed JPD's page blank; the clerk finds JPD A1 ticked: ticks were lost, so
    the boxes read empty elsewhere in 1 bit (HSC A1, HSC A2) are asked as well."""
    path = tmp_path / "study.db"
    with Study.open(path) as study:
        study.add_wave("2014", printable, operator="RS")
        (form,) = study.issue_forms("2014", ["D4"], operator="RS")
        paper = Paper(form.serial, "2014", "D4", answers=ans.from_codes(printable, ["HSC A3"], []))
        blank = "page 2 is a 1-bit scan with no tick at all: left blank, or ticks lost?"
        for code in ("JPD A1", "JPD A2"):
            r = ref(printable, code)
            paper.uncertain.append(Uncertain(r.bank.id, r.statement.id, r.code, r.position, "empty", 0.5, blank,
                                             blank_page=True))
        for code in ("HSC A1", "HSC A2"):
            r = ref(printable, code)
            paper.if_ticks_found.append(Uncertain(r.bank.id, r.statement.id, r.code, r.position, "empty", 1.0,
                                                  "read empty in a 1-bit scan, and ticks were lost on page 2"))
        study.save_draft(Draft("2014", "scan", "D4", form.serial, state=draft_state(paper)))
    app = make_app(study_path=path, operator="JS")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3", "f11")
        await pilot.pause()
        assert "Statement 1 of 2 to check" in screen_text(app)
        await pilot.press("1")
        text = screen_text(app)
        assert "its ticks were lost" in text and "2 other boxes" in text and "Statement 2 of 4 to check" in text
        await pilot.press("0", "1", "0", "enter")  # JPD A2 no; HSC A1 ticked after all; HSC A2 no
        await pilot.pause()
        assert "Saved D4" in screen_text(app)
    with Study.open(path) as study:
        (record,) = study.find_returns("2014")
        assert ans.highlighted_codes(printable, record.answers) == ["JPD A1", "HSC A1", "HSC A3"]
