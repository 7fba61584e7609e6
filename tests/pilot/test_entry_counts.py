"""Pilot: the entry screen's figures and links say what the study holds (issue 13, points 3, 5, 6, 8):
returns keyed by code are linked to their issued form, unmatched ones are counted apart, the
progress follows every change, a wave name that looks like a code is refused, the keying wave
changes only on the entry screen, and a draft is discarded only when asked twice."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest

from tests.helpers import burst, screen_text
from tests.pilot.test_entry_screen import on_entry, open_station, section_keys
from tui.app import make_app
from tui.domain.returns import answers as ans
from tui.domain.store import Draft, Study

EMPTY_FORM = section_keys([""] * 20)


@pytest.fixture
def study_path(tmp_path, bundled):
    path = tmp_path / "study.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
        study.issue_forms("2014", ["C3", "E5", "E5"], operator="RS")
    return path


def status(path) -> dict:
    with Study.open(path) as study:
        (row,) = [r for r in study.status() if r["wave"] == "2014"]
        return row


async def test_a_code_with_one_form_issued_is_linked_and_said(study_path):
    with Study.open(study_path) as study:
        c3 = study.unreturned_forms("2014", "C3")[0]
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("c", "3")
        assert f"linked to serial {c3.serial}, the one form issued to C3 not yet returned" in s.text()
        assert f"Paper C3 (Senior Leader) · serial {c3.serial}" in s.text()
        await s.press(*EMPTY_FORM, "enter")
        await s.settle()
        assert f"Saved #1 C3 · serial {c3.serial}" in s.text() and "unmatched" not in s.text()
        # The same code again: its one form is back, so this paper matches none.
        await s.press("c", "3")
        assert "no form issued to C3 awaits return: it will be saved as unmatched" in s.text()
        await s.press(*EMPTY_FORM, "enter")
        await s.settle()
        assert "Saved #2 C3 ·" in s.text() and "· unmatched ·" in " ".join(s.text().split())
    with Study.open(study_path) as study:
        first, second = study.find_returns("2014")
        assert (first.serial, first.serial_issued) == (c3.serial, True)
        assert (second.serial, second.serial_issued) == (None, False)
    row = status(study_path)
    assert (row["issued"], row["returned"], row["unmatched"]) == (3, 1, 1)  # never "returned 2/1"


async def test_a_code_with_several_forms_asks_for_the_serial(study_path):
    with Study.open(study_path) as study:
        first, second = study.unreturned_forms("2014", "E5")
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("e", "5")
        text = " ".join(s.text().split())
        assert "2 forms issued to E5 are not returned yet: ctrl+r and scan or type the serial" in text
        await s.press("ctrl+r")
        assert first.serial in s.text() and second.serial in s.text()  # the candidates, to pick from
        await s.press(*second.serial, "enter")
        assert f"serial {second.serial} added" in s.text() and "JPD A ›" in s.text()
        await s.press(*EMPTY_FORM, "enter")
        await s.settle()
        assert f"Saved #1 E5 · serial {second.serial}" in s.text()
    assert (status(study_path)["returned"], status(study_path)["unmatched"]) == (1, 0)


async def test_correcting_the_code_drops_a_link_made_for_the_old_one(study_path):
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("c", "3", "backspace")  # back from JPD A to the code, to correct it
        assert "Code ›" in s.text() and s.line == "C3"
        await s.press("backspace", "backspace", "b", "2")
        assert "Paper B2 (HT or DHT)" in s.text() and "serial" not in s.screen.session.identity()


async def test_progress_follows_a_resolution(study_path, bundled):
    """F9 resolves a difference: back on F3 the open discrepancies are what `status` says."""
    with Study.open(study_path) as study:
        keyed = study.save_return("2014", "D4", ans.from_codes(bundled, ["JPD A1", "JPD B2"]), operator="RS")
        study.save_second_pass(keyed.record.id, ans.from_codes(bundled, ["JPD A2"]), operator="MK")
        assert study.status()[0]["discrepancies_open"] == 3
    app = open_station(study_path, operator="JS")
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.settle()
        assert "3 open discrepancies" in s.text()
        await s.press("f9", "1")
        await s.settle()
        await s.press("escape")
        await s.settle()
        for worker in list(app.workers):
            if worker.group == "entry-progress":
                await worker.wait()
        await pilot.pause()
        assert status(study_path)["discrepancies_open"] == 2
        assert "2 open discrepancies" in s.text()


@pytest.mark.parametrize(("typed", "why"), [
    (["ctrl+u", "A", "2"], "'A2' looks like a participant code"),
    (["A", "2"], "'2026A2' ends in A2, like a participant code typed after it"),
    (["ctrl+u", *"0000131"], "'0000131' looks like a serial"),
])
async def test_add_a_wave_refuses_a_name_that_looks_like_a_code_or_a_serial(tmp_path, monkeypatch, typed, why,
                                                                            printable_file):
    import tui.screens.entry as entry_screen

    class Year2026:
        @staticmethod
        def today():
            from datetime import date
            return date(2026, 1, 5)

    monkeypatch.setattr(entry_screen, "date", Year2026)
    app = make_app(study_path=tmp_path / "new.db", instrument_path=printable_file, operator="JS")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "Add a wave" in screen_text(app)
        await pilot.press(*typed, "enter")
        assert why in screen_text(app) and app.wave_name is None
        await pilot.press("ctrl+u", *"2026", "enter")
        await pilot.pause()
        assert app.wave_name == "2026"


async def test_the_keying_wave_changes_only_on_the_entry_screen(study_path, bundled):
    with Study.open(study_path) as study:
        study.add_wave("2015", bundled, operator="RS")
    app = make_app(study_path=study_path, operator="JS", wave="2014")
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        assert "wave 2014" in s.text()
        await pilot.press("f5")
        await pilot.pause(0.5)
        await pilot.press("w")  # the analysis screen looks at another wave
        await pilot.pause(0.5)
        await pilot.press("f3")
        await pilot.pause()
        assert "FIRST KEYING   wave 2014" in s.text()
        await s.press("e", "4", *EMPTY_FORM, "enter")
        await s.settle()
        # Changing it here is deliberate, and says so.
        await s.press("ctrl+p", *"change wave")
        await pilot.pause(0.3)
        await s.press("enter")
        await pilot.pause()
        await s.press("down", "enter")
        await pilot.pause()
        assert "FIRST KEYING   wave 2015" in s.text() and "keying wave 2015" in s.text()
    with Study.open(study_path) as study:
        assert len(study.find_returns("2014")) == 1 and study.find_returns("2015") == []


@asynccontextmanager
async def drafts_list_with_e2(study_path):
    """The entry screen opened on a study with one draft (E2, wave 2014): the drafts list on screen."""
    with Study.open(study_path) as study:
        study.save_draft(Draft("2014", "JS", "E2", state={"done": {}, "at": ["jpd", "A"]}))
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await pilot.pause()
        assert "Forms part-way through keying" in s.text()
        yield pilot, s


async def test_deleting_a_draft_asks_first(study_path):
    async with drafts_list_with_e2(study_path) as (pilot, s):
        await s.press("delete")
        assert "Discard the draft of E2?" in s.text()
        await s.press("enter")  # Enter alone keeps it (No has the focus)
        await pilot.pause()
        await pilot.pause()
        with Study.open(study_path) as study:
            assert len(study.drafts()) == 1
        assert "Forms part-way through keying" in s.text()  # the list again
        await s.press("delete", "y")
        await s.settle()
        assert "draft of E2 discarded" in s.text()
    with Study.open(study_path) as study:
        assert study.drafts() == []


async def test_the_discard_question_takes_keys_in_order(study_path):
    """Delete, Enter (No: kept), Enter in one burst: the question closes on the first Enter, the
    list comes back and the second Enter resumes the draft (a Button's press would answer later,
    after the second Enter had gone to the question too)."""
    async with drafts_list_with_e2(study_path) as (pilot, s):
        await burst(pilot, "delete", "enter", "enter", "1")
        await s.settle()
        assert "resumed the draft of E2" in s.text() and "JPD A ›" in s.text() and s.line == "1"
    with Study.open(study_path) as study:
        assert len(study.drafts()) == 1


async def test_progress_follows_another_station(study_path, bundled, monkeypatch):
    import tui.screens.entry as entry_screen

    monkeypatch.setattr(entry_screen, "PROGRESS_EVERY_S", 0.3)
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.settle()
        assert "returned 0/3 ·" in s.text()
        with Study.open(study_path) as other:  # another station returns C3's form
            (c3,) = other.unreturned_forms("2014", "C3")
            other.save_return("2014", "C3", ans.blank_answers(bundled), serial=c3.serial, operator="MK")
        for _ in range(50):
            await pilot.pause(0.1)
            if "returned 1/3 ·" in s.text():
                break
        assert "returned 1/3 ·" in s.text()


async def test_at_80_by_24_everything_is_on_screen_or_one_key_away(study_path):
    """The footer ends with the keys a clerk needs (F1, F9, F12, ctrl+q); the progress shows the
    open discrepancies and the clerk's error rate; F1 or ? lists every key; the title bar shows
    what study this is."""
    with Study.open(study_path) as study:
        study.set_setting("label", "SYNTHETIC DEMO: made-up returns for trying SurveyDesk", operator="RS")
    app = open_station(study_path)
    async with app.run_test(size=(80, 24)) as pilot:
        s = await on_entry(app, pilot)
        await s.settle()
        lines = s.text().splitlines()
        assert "SurveyDesk — study.db · SYNTHETIC DEMO" in lines[0]
        footer = lines[-1]
        for key in ("f1 Keys", "^s Save", "⇧⇥ Back", "- Missing", "f7 Drafts", "f8 2nd", "f9 Resolve", "f12 Edit",
                    "^q Quit"):
            assert key in footer, footer
        assert "JS errors —/10,000" in lines[-3] and "0 open discrepancies" in lines[-2]
        await s.press("e", "5", "?")  # never typed on the line: the keys list
        assert "Keys of the entry screen (F3)" in s.text() and "ctrl+r" in s.text()
        await s.press("escape")
        assert "JPD A ›" in s.text() and s.line == "" and s.bells == 0
        await s.press("f1")
        await pilot.pause()
        assert "Keys of the entry screen (F3)" in s.text()
        await s.press("end")
        await pilot.pause()
        assert "ctrl+q" in s.text() and "quit (a form part-way" in s.text()
        await s.press("f1")  # F1 again closes it
        assert "Keys of the entry screen" not in s.text()
        await s.press("f5", "f1")  # every screen has its list
        await pilot.pause()
        assert "Keys of this screen (Analysis)" in s.text()
