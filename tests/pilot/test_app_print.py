"""Pilot: the Print screen (F4) driven by the keys a researcher would press."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Select

from tests.helpers import screen_text
from tests.pdf_helpers import page_texts
from tui.app import make_app
from tui.domain.paper import issue_batch, plan_from_codes
from tui.domain.store import Study
from tui.screens.dialogs import ConfirmDialog, PromptDialog
from tui.screens.printing import PrintScreen
from tui.widgets.distribution_grid import DistributionGrid
from tui.widgets.text_field import TextField

SIZE = (80, 24)


@pytest.fixture
def study_path(tmp_path, printable, monkeypatch):
    """A study with wave 2015 (and a secret school name), the working folder set to tmp_path."""
    monkeypatch.chdir(tmp_path)
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2015", printable, operator="RS")
        study.set_school_name("A", "Thornfield Primary", operator="RS")
    return "s.db"


def issued(tmp_path):
    with Study.open(tmp_path / "s.db", create=False) as study:
        return study.issued_forms("2015")


async def open_print(pilot) -> PrintScreen:
    await keys(pilot, "f4")
    assert isinstance(pilot.app.screen, PrintScreen)
    return pilot.app.screen


async def keys(pilot, *pressed: str) -> None:
    """Press keys and let the screen settle."""
    await pilot.press(*pressed)
    await pilot.pause()


async def finish_job(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.mark.smoke
async def test_typed_grid_is_issued_and_printed_one_pdf_per_school(tmp_path, study_path):
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_print(pilot)
        grid = screen.query_one(DistributionGrid)
        assert app.focused is grid.cell("A", 1)
        # A1: 1, A2: 2; Enter moves on like Tab; Down goes to the same column of the next school.
        await pilot.press("1", "tab", "2", "down", "down", "down", "down", "3")
        await pilot.press("tab", "tab", "tab", "tab", "1")  # E: one blank form
        await pilot.pause()
        assert grid.cell("E", 2).value == "3" and grid.cell("E", None).value == "1"
        assert "7 forms in the grid for wave 2015" in screen_text(app)
        await keys(pilot, "ctrl+b")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Issue 7 forms in wave 2015?" in screen_text(app)
        await pilot.press("y")
        await finish_job(pilot)
        text = screen_text(app)
        assert "Printed batch 1: 7 forms issued; the grid is cleared." in text
        assert "batch 1: exports/2015/forms/batch-1/" in text and "forms-2015-batch-1-school-E.pdf" in text
        assert grid.plan().total == 0

    forms = issued(tmp_path)
    assert [(f.participant_code, f.school) for f in forms] == [
        ("A1", "A"), ("A2", "A"), ("A2", "A"), ("E2", "E"), ("E2", "E"), ("E2", "E"), (None, "E")]
    folder = tmp_path / "exports" / "2015" / "forms"
    school_e = page_texts(folder / "batch-1" / "forms-2015-batch-1-school-E.pdf")
    assert {t.split("Serial ")[1][:7] for t in school_e} == {f.serial for f in forms[3:]}
    assert "Thornfield" not in (folder / "issue-log-2015.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in (folder / "batch-1").iterdir()) == ["forms-2015-batch-1-school-A.pdf",
                                                                      "forms-2015-batch-1-school-E.pdf"]


async def test_cancelling_the_confirmation_issues_nothing(tmp_path, study_path):
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        await open_print(pilot)
        await keys(pilot, "4", "ctrl+b")
        await pilot.press("tab", "enter")  # focus moves from "Issue and print" to "Cancel"
        await pilot.pause()
        assert isinstance(app.screen, PrintScreen)
        await keys(pilot, "ctrl+b", "n")
        assert isinstance(app.screen, PrintScreen)
    assert issued(tmp_path) == []


async def test_an_empty_grid_is_not_printed(tmp_path, study_path):
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        await open_print(pilot)
        await keys(pilot, "ctrl+b")
        assert isinstance(app.screen, PrintScreen)
        assert "Nothing to print: the plan has no forms in it" in screen_text(app)


async def test_plan_csv_loads_into_the_grid_and_a_bad_one_is_reported(tmp_path, study_path):
    (tmp_path / "plan.csv").write_text("school,1,5,blank\nB,1,4,2\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("school,1,5\nB,1,x\nQ,1,1\n", encoding="utf-8")
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_print(pilot)
        grid = screen.query_one(DistributionGrid)
        await pilot.press("ctrl+o")
        assert app.focused.id == "print-plan-path"
        await keys(pilot, *"plan.csv", "enter")
        assert (grid.cell("B", 1).value, grid.cell("B", 5).value, grid.cell("B", None).value) == ("1", "4", "2")
        assert "Loaded plan.csv: 7 forms" in screen_text(app)
        assert app.focused is grid.cell("A", 1)

        await keys(pilot, "ctrl+o", *"bad.csv", "enter")  # the path is selected on focus: typing replaces it
        text = screen_text(app)
        assert "bad.csv was not loaded: 2 problem(s)" in text
        assert "row 2, column '5': 'x' is not a whole number of forms" in text
        assert "row 3, column 'school': 'Q' is not a school letter" in text
        assert grid.plan().total == 7  # the grid is unchanged


async def test_reprint_by_serial_and_from_the_issued_list(tmp_path, study_path, printable):
    with Study.open(tmp_path / "s.db") as study:
        batch = issue_batch(study, "2015", plan_from_codes("C3,D4", printable.key), operator="RS",
                            exports=tmp_path / "exports")
    lost = batch.forms[1]
    app = make_app(study_path=study_path, operator="MK")
    async with app.run_test(size=SIZE) as pilot:
        await open_print(pilot)
        await keys(pilot, "ctrl+r")
        assert isinstance(app.screen, PromptDialog)
        wrong = lost.serial[:-1] + str((int(lost.serial[-1]) + 1) % 10)
        await keys(pilot, *wrong, "enter")
        assert isinstance(app.screen, PromptDialog)  # refused, and what was typed is still there
        assert "fails its check digit" in screen_text(app)
        assert app.screen.query_one(TextField).value == wrong
        await pilot.press("backspace", lost.serial[-1], "enter")
        await finish_job(pilot)
        assert f"REPRINT of serial {lost.serial} written." in screen_text(app)
        assert f"REPRINT of serial {lost.serial} (D4, school D, wave 2015)" in screen_text(app)

        # The issued list shows the count; Enter on a row offers to reprint that form.
        await keys(pilot, "ctrl+l")
        table = app.screen.query_one("#issued-table", DataTable)
        assert app.focused is table and table.row_count == 2
        assert table.get_row(lost.serial)[1:] == ["D4", "D", "1", table.get_row(lost.serial)[4], "2"]
        assert "2 forms issued in 1 batch(es), 1 reprinted" in screen_text(app)
        await keys(pilot, "enter")
        assert isinstance(app.screen, PromptDialog)
        assert app.screen.query_one(TextField).value == batch.forms[0].serial
        await keys(pilot, "escape")
        assert isinstance(app.screen, PrintScreen)

    form = next(f for f in issued(tmp_path) if f.serial == lost.serial)
    assert form.print_count == 2 and len(issued(tmp_path)) == 2
    reprint = tmp_path / "exports" / "2015" / "forms" / f"reprint-2015-{lost.serial}-print-2.pdf"
    assert all("REPRINT" in t for t in page_texts(reprint))


async def test_files_again_and_paper_toggle(tmp_path, study_path, printable):
    with Study.open(tmp_path / "s.db") as study:
        issue_batch(study, "2015", plan_from_codes("A1", printable.key), operator="RS", exports=tmp_path / "exports")
    target = tmp_path / "exports" / "2015" / "forms" / "batch-1" / "forms-2015-batch-1-school-A.pdf"
    target.unlink()
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_print(pilot)
        await pilot.press("ctrl+t")
        assert screen.query_one("#print-paper", Select).value == "letter"
        await pilot.press("ctrl+g")
        await finish_job(pilot)
        assert "Files written again (no new serials)." in screen_text(app)
    assert target.exists() and len(issued(tmp_path)) == 1
    from pypdf import PdfReader

    box = PdfReader(target).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)  # Letter, landscape


async def test_choosing_another_wave_by_keyboard(tmp_path, study_path, printable):
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2016", printable, operator="RS")
    app = make_app(study_path=study_path, operator="RS", wave="2015")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_print(pilot)
        await pilot.press("2")  # A1 = 2, kept when the wave changes (same key)
        screen.query_one("#print-wave", Select).focus()
        await keys(pilot, "enter", "down", "enter")
        assert screen.wave == "2016"
        assert screen.query_one(DistributionGrid).cell("A", 1).value == "2"
        await pilot.press("ctrl+b", "y")
        await finish_job(pilot)
    with Study.open(tmp_path / "s.db") as study:
        assert [f.participant_code for f in study.issued_forms("2016")] == ["A1", "A1"]
        assert study.issued_forms("2015") == []


async def test_without_a_wave_printing_is_refused_with_the_way_forward(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(study_path="s.db", operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        await open_print(pilot)
        await keys(pilot, "3", "ctrl+b")
        assert isinstance(app.screen, PrintScreen)
        assert "No wave yet: add one" in screen_text(app)


async def test_palette_lists_the_print_actions(tmp_path, study_path):
    app = make_app(study_path=study_path, operator="RS")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_print(pilot)
        names = [name for name, _, _ in screen.palette_commands()]
        assert {"Print: Print batch", "Print: Reprint", "Print: Files again", "Print: write a specimen"} <= set(names)
        await pilot.press("ctrl+p", *"specimen")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await finish_job(pilot)
        assert "SPECIMEN written." in screen_text(app)
    assert (tmp_path / "exports" / "2015" / "forms" / "specimen-partnership-survey-2015-A4.pdf").exists()
