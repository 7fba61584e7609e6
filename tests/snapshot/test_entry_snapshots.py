"""SVG snapshots of the entry screen (80x24 and wide) and the resolution screen."""

from __future__ import annotations

import pytest

from tui.app import make_app
from tui.domain.returns import answers as ans
from tui.domain.store import Study
from tui.screens.entry import EntryScreen


@pytest.fixture
def station(tmp_path, monkeypatch, bundled):
    # A relative study path keeps the header the same from run to run.
    monkeypatch.chdir(tmp_path)
    with Study.open("study.db") as study:
        study.add_wave("2014", bundled, operator="RS")
        study.issue_forms("2014", ["A1", "A2", "A2", "B3", "C4", "C5", "D2", "E5"], operator="RS")
        study.save_return("2014", "A1", ans.from_codes(bundled, ["JPD A1"]), operator="RS")
    return lambda: make_app(study_path="study.db", operator="JS")


async def settle(pilot) -> None:
    """Every queued write done and the progress figures loaded, so the picture is the same each run."""
    screen = next(x for x in pilot.app.screen_stack if isinstance(x, EntryScreen))
    screen.writes.flush()
    await pilot.pause()
    for worker in list(pilot.app.workers):
        if worker.group == "entry-progress":
            await worker.wait()
    await pilot.pause()


# Mid-form: JPD A keyed, JPD B being typed, a refused 7 explained.
MID_FORM = ["f3", "a", "2", "1", "3", "enter", "4", "7"]


async def mid_form(pilot) -> None:
    await pilot.press(*MID_FORM)
    await settle(pilot)


@pytest.mark.smoke
def test_entry_screen_mid_form_at_80x24(snap_compare, station):
    assert snap_compare(station(), terminal_size=(80, 24), run_before=mid_form)


def test_entry_screen_wide_with_progress_panel(snap_compare, station):
    assert snap_compare(station(), terminal_size=(130, 34), run_before=mid_form)


def test_resolution_screen(snap_compare, station, bundled):
    with Study.open("study.db") as study:
        (record,) = study.find_returns("2014")
        study.save_second_pass(record.id, ans.from_codes(bundled, ["JPD A2"]), operator="MK")

    async def run_before(pilot) -> None:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f9")

    assert snap_compare(station(), terminal_size=(100, 28), run_before=run_before)
