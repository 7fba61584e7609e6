"""Pilot: paper returns keyed through the real entry screen, pressing the keys a person would,
and what lands in the study."""

from __future__ import annotations

import pytest

from tests.helpers import screen_text
from tui.app import make_app
from tui.domain.returns import answers as ans
from tui.domain.store import Study
from tui.screens.entry import EntryScreen
from tui.screens.resolve import ResolveScreen

# A whole form of the bundled instrument, section by section ("-" = the bank's page is missing).
FORM = ["13", "4", "", "1", "-", "1", "", "12", "3", "2", "", "", "1", "", "24", "", "2"]
FORM_CODES = ["JPD A1", "JPD A3", "JPD B4", "JPD D1", "CMP A1", "CMP C1", "CMP C2", "CMP D3", "E&C A2",
              "E&C D1", "AA B2", "AA B4", "AA D2"]


def section_keys(texts: list[str]) -> list[str]:
    keys: list[str] = []
    for text in texts:
        keys += ["minus"] if text == "-" else [*text, "enter"]
    return keys


@pytest.fixture
def study_path(tmp_path, bundled):
    path = tmp_path / "study.db"
    with Study.open(path) as study:
        study.add_wave("2014", bundled, operator="RS")
        study.issue_forms("2014", ["D4", None], operator="RS")
    return path


class Station:
    """The app on the entry screen, with the bell counted."""

    def __init__(self, app, pilot):
        self.app, self.pilot = app, pilot
        self.bells = 0
        app.bell = self._bell
        self.screen: EntryScreen = next(x for x in app.screen_stack if isinstance(x, EntryScreen))

    def _bell(self) -> None:
        self.bells += 1

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)

    async def settle(self) -> None:
        """Wait for the writer thread to finish, then for its messages to be shown."""
        self.screen.writes.flush()
        await self.pilot.pause()

    def text(self) -> str:
        return screen_text(self.app)

    @property
    def line(self) -> str:
        return self.screen.line.value


def open_station(study_path, operator="JS"):
    return make_app(study_path=study_path, operator=operator)


async def on_entry(app, pilot) -> Station:
    await pilot.press("f3")
    await pilot.pause()
    return Station(app, pilot)


@pytest.mark.smoke
async def test_a_whole_form_with_empty_sections_and_a_missing_page(study_path, bundled):
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("e", "5")  # a code moves on by itself
        assert "JPD A ›" in s.text() and "Paper E5 (Teacher)" in s.text()
        await s.press(*section_keys(FORM))
        assert "Every section is keyed" in s.text() and "HSC  missing" in s.text()
        await s.press("enter")  # save and next
        await s.settle()
        text = s.text()
        flat = " ".join(text.split())
        # No form issued to E5 (only D4 and a blank one): the return is counted apart, and says so.
        assert "Saved #1 E5 · JPD 4 HSC missing CMP 4 E&C 2 AA 3 · unmatched ·" in flat
        assert "put this paper on the second-keying pile" in flat  # every paper, by default
        assert "Code or serial ›" in text and s.line == ""
    with Study.open(study_path) as study:
        (record,) = study.find_returns("2014")
        assert ans.highlighted_codes(bundled, record.answers) == FORM_CODES
        assert not record.answers["hsc"].present
        keys = 2 + sum(1 if t == "-" else len(t) + 1 for t in FORM) + 1
        assert record.passes[0].keystrokes == keys and record.passes[0].operator == "JS"
        assert study.drafts() == []
    assert s.bells == 0


async def test_going_back_to_correct_a_section(study_path, bundled):
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("b", "3", "1", "2", "enter", "3", "enter")
        assert "JPD C ›" in s.text()
        await s.press("backspace")  # empty line: back to JPD B, which shows what was typed
        assert "JPD B ›" in s.text() and s.line == "3"
        await s.press("backspace", "4", "enter", "enter", "shift+tab")  # fix B; C empty; Shift+Tab back to C
        assert "JPD C ›" in s.text()
        await s.press("2", "enter", *section_keys(["", *[""] * 16]), "ctrl+s")
        await s.settle()
    with Study.open(study_path) as study:
        (record,) = study.find_returns("2014")
        assert ans.highlighted_codes(bundled, record.answers) == ["JPD A1", "JPD A2", "JPD B4", "JPD C2"]


async def test_refused_keys_ring_say_why_and_store_nothing(study_path):
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("f")
        assert "school F is not in the key" in s.text() and s.bells == 1 and s.line == ""
        await s.press("a", "9")
        assert "role 9 is not in the key" in s.text() and s.line == "a"
        await s.press("1", "enter")  # A1, JPD A: nothing highlighted
        await s.press("7")
        assert "JPD B has 4 statements: 7 refused" in s.text() and s.line == ""
        await s.press("x", "2", "2")
        assert "JPD B: 2 is already typed" in s.text() and s.line == "2" and s.bells == 5
        await s.press("enter")
        await s.settle()
        with Study.open(study_path) as study:  # the draft written after the section holds only what was accepted
            (draft,) = study.drafts(operator="JS")
            assert draft.participant_code == "A1"
            assert draft.state["done"]["jpd"]["sections"] == {"A": [], "B": [2]}
            assert draft.state["at"] == ["jpd", "C"]


async def test_serial_scan_fills_the_code_and_a_mistyped_serial_is_refused(study_path):
    with Study.open(study_path) as study:
        d4, blank = study.issued_forms("2014")
    swapped = d4.serial[:-2] + d4.serial[-1] + d4.serial[-2]
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press(*swapped, "enter")
        assert "fails its check digit" in s.text() and s.bells == 1
        await s.press(*["backspace"] * 7, *d4.serial, "enter")  # the scanner: digits, then Enter
        assert f"Paper D4 (Middle Leader) · serial {d4.serial}" in s.text() and "JPD A ›" in s.text()
        await s.press("ctrl+n")  # next paper: a blank self-coding form asks for the code
        await s.press(*blank.serial, "enter")
        assert "Code ›" in s.text() and "blank form" in s.text()
        await s.press("c", "2")
        assert f"Paper C2 (HT or DHT) · serial {blank.serial}" in s.text()


async def test_drafts_are_offered_on_entry_and_resumed(study_path, bundled):
    from tui.domain.store import Draft

    with Study.open(study_path) as study:
        study.save_draft(Draft("2014", "JS", "E2", state={
            "done": {"jpd": {"present": True, "sections": {"A": [2], "B": [], "C": [1], "D": []}},
                     "hsc": {"present": False, "sections": {}}},
            "at": ["cmp", "A"]}, keystrokes=11, seconds=9.5))
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await pilot.pause()
        assert "Forms part-way through keying" in s.text() and "E2 · first keying · at CMP A" in s.text()
        await s.press("enter")
        assert "CMP A ›" in s.text() and "resumed the draft of E2" in s.text()
        await s.press(*section_keys([""] * 12), "enter")
        await s.settle()
    with Study.open(study_path) as study:
        (record,) = study.find_returns("2014")
        assert ans.highlighted_codes(bundled, record.answers) == ["JPD A2", "JPD C1"]
        assert record.passes[0].keystrokes == 11 + 12 + 1 and study.drafts() == []


@pytest.mark.smoke
async def test_second_keying_flags_a_difference_and_it_is_resolved_by_key(study_path, bundled):
    with Study.open(study_path) as study:
        first = study.save_return("2014", "A3", ans.from_codes(bundled, ["JPD A1", "JPD A3", "AA D2"]),
                                  operator="JS").record
    app = open_station(study_path, operator="JS")
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("f8", "a", "3")
        assert "first keyed by you (JS)" in s.text() and s.bells == 1
        # A different operator keys the paper blind; they read JPD A3 as not highlighted.
        s.screen.app.operator = "MK"
        s.screen.start_session(s.screen.session.mode)
        await pilot.pause()
        assert "SECOND KEYING (blind)" in s.text()
        await s.press("a", "3")
        assert f"return #{first.id}" in s.text() and s.line == ""  # nothing of the first pass shown
        await s.press(*section_keys(["1", *[""] * 18, "2"]), "enter")
        await s.settle()
        assert "1 difference from the first keying" in s.text()
        with Study.open(study_path) as study:
            (d,) = study.discrepancies("2014")
            assert (d.code, d.first_value, d.second_value) == ("JPD A3", "1", "0")
        await s.press("f9")
        assert isinstance(app.screen, ResolveScreen)
        text = s.text()
        assert "JPD A3" in text and "highlighted" in text and "not highlighted" in text
        assert "first keying by JS" in text and "second keying by MK" in text
        assert "You (MK) keyed one of these values yourself" in text  # a warning, not a refusal
        await s.press("1")  # the paper shows it highlighted: the first keyer was right
        await s.settle()
        assert "All 1 differences resolved" in s.text() and "now verified" in s.text()
        await s.press("f9")
        assert isinstance(app.screen, EntryScreen)
    with Study.open(study_path) as study:
        record = study.get_return(first.id)
        assert record.status == "verified"
        assert ans.highlighted_codes(bundled, record.answers) == ["JPD A1", "JPD A3", "AA D2"]
        (entry,) = study.audit(entity="discrepancy", action="resolve")
        assert entry.operator == "MK" and entry.new == {"value": "1"}


async def test_edit_a_return_and_delete_another_audited(study_path, bundled):
    with Study.open(study_path) as study:
        kept = study.save_return("2014", "B1", ans.from_codes(bundled, ["JPD A1", "JPD A3"]), operator="JS").record
        gone = study.save_return("2014", "C5", ans.blank_answers(bundled), operator="JS").record
    app = open_station(study_path, operator="RS")
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press("f12", "b", "1")
        assert "EDIT A RETURN" in s.text() and s.line == "13"  # the saved values, to change
        await s.press("backspace", "backspace", "2", "ctrl+s")
        assert "Why is it changed?" in s.text()
        await s.press(*"misread", "enter")
        await s.settle()
        assert f"Changes saved #{kept.id} B1" in s.text()
        await s.press("c", "5", "ctrl+t")
        assert f"Delete return #{gone.id} (C5)?" in s.text()
        await s.press("enter")  # a reason is required
        assert "a reason is needed" in s.text()
        await s.press(*"duplicate", "enter")
        await s.settle()
        assert f"return #{gone.id} (C5) deleted" in s.text()
    with Study.open(study_path) as study:
        assert ans.highlighted_codes(bundled, study.get_return(kept.id).answers) == ["JPD A2"]
        update = study.audit(entity="return", action="update")[-1]
        assert update.operator == "RS" and update.reason == "misread"
        assert [r.id for r in study.find_returns("2014")] == [kept.id]
        assert study.audit(entity="return", action="delete")[-1].reason == "duplicate"


async def test_a_failed_save_puts_the_form_back(study_path, bundled):
    with Study.open(study_path) as study:
        d4, _ = study.issued_forms("2014")
    app = open_station(study_path)
    async with app.run_test(size=(180, 30)) as pilot:
        s = await on_entry(app, pilot)
        await s.press(*d4.serial, "enter", *section_keys(["1", *[""] * 19]))
        # Another station returns the same serial first.
        app.study.save_return("2014", "D4", ans.blank_answers(bundled), operator="MK", serial=d4.serial)
        await s.press("enter")
        await s.settle()
        text = s.text()
        assert "save of D4 failed" in text and "was already returned" in text
        assert "The form is back on screen" in text and "Every section is keyed" in text


async def test_a_study_without_a_wave_offers_to_add_one(tmp_path, printable_file):
    app = make_app(study_path=tmp_path / "new.db", instrument_path=printable_file, operator="JS")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert "Add a wave" in screen_text(app)
        await pilot.press("ctrl+u", *"2016", "enter")
        await pilot.pause()
        assert app.wave_name == "2016" and "FIRST KEYING" in screen_text(app)


async def test_no_wave_is_added_from_an_instrument_with_an_incomplete_statement(tmp_path):
    """The bundled instrument's HSC A5 is marked incomplete: the screen says so and how to finish
    it (F6), as `surveydesk wave add` does, and the study gets no wave."""
    app = make_app(study_path=tmp_path / "new.db", operator="JS")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "No wave added" in text and "HSC A5" in text and "Add a wave" not in text
        assert app.study.waves() == [] and app.wave_name is None


async def test_palette_reaches_the_entry_actions(study_path):
    app = open_station(study_path)
    async with app.run_test(size=(100, 30)) as pilot:
        s = await on_entry(app, pilot)
        names = [name for name, _, _ in s.screen.palette_commands()]
        assert {"Entry: second keying (blind)", "Entry: resolve discrepancies", "Entry: edit a return"} <= set(names)
        await s.press("ctrl+p", *"second keying")
        await pilot.pause(0.3)
        await s.press("enter")
        await pilot.pause()
        assert "SECOND KEYING (blind)" in s.text()
