"""Pilot: the analysis screen (F5) on a real study, driven by the keys a researcher would press."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, Static

from tests.analysis_study import SECRET_NAME
from tests.helpers import screen_text
from tui.app import make_app
from tui.domain.analysis import figure, wave_returns, wave_tables
from tui.domain.demo import new_returns, synthetic_returns
from tui.domain.store import Study
from tui.widgets.bar_chart import BarChart

SIZE = (120, 40)


@pytest.fixture
def study_path(analysis_study) -> Path:
    return analysis_study


@pytest.fixture
def app(study_path, tmp_path):
    app = make_app(study_path=study_path, operator="RS")
    app.exports_dir = tmp_path / "exports"
    return app


async def settle(pilot) -> None:
    """Let the workers finish and their messages land. Waiting for the workers once is not enough: a
    key's screen switch or a Computed message may start the next worker after the wait returned (the
    flaky 'assert 0 >= 5' under load), so wait until no worker runs and no chart is being computed."""
    app = pilot.app
    for _ in range(1000):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(not w.is_finished for w in app.workers) and not getattr(app.screen, "computing", False):
            return
    raise AssertionError("the analysis screen never settled")


async def open_analysis(pilot) -> None:
    await pilot.press("f5")
    await settle(pilot)


def table_of(app) -> tuple[list[str], list[list[str]]]:
    table = app.screen.query_one("#analysis-table", DataTable)
    header = [str(column.label) for column in table.columns.values()]
    rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    return header, rows


def statements(study_path: Path, wave: str, by, k: int = 5) -> pl.DataFrame:
    with Study.open(study_path) as study:
        return wave_tables(wave_returns(study, wave), by=by, k=k)["statements"]


@pytest.mark.smoke
async def test_opens_on_the_current_wave_by_role_group(app, study_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        text = screen_text(app)
        assert "Wave 2015 · JPD Joint Practice Development 1/5 · role group" in text
        assert "Responses 2015: 49 of 60, 82%" in text
        assert "Joint Practice Development by group (2015)" in text
        expected = statements(study_path, "2015", "role_group").filter(pl.col("bank") == "JPD")
        n = {g: expected.filter(pl.col("group") == g)["n"].max() for g in ("Overall", "HD", "SLT", "T")}
        assert f"■ HD ({n['HD']})" in text and f"■ T ({n['T']})" in text
        assert "Small cells (k = 5)" in text
        header, rows = table_of(app)
        assert header == ["Code", "No.", f"Overall (n={n['Overall']})", f"HD (n={n['HD']})", f"SLT (n={n['SLT']})",
                          f"T (n={n['T']})", "Statement"]
        a1 = expected.filter(pl.col("code") == "JPD A1", pl.col("group") == "HD").row(0, named=True)
        assert rows[0][0] == "JPD A1" and rows[0][3] == figure(a1["percent"], a1["ci_low"], a1["ci_high"])
        assert len(rows) == 13 and rows[1][0] == "JPD A2*"


async def test_keys_step_banks_and_groupings(app, study_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        await pilot.press("right_square_bracket")
        assert "High Social Capital by group (2015)" in screen_text(app)
        assert table_of(app)[1][0][0] == "HSC A1"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert "Alliance Architecture by group (2015)" in screen_text(app)
        assert "AA Alliance Architecture 5/5" in screen_text(app)

        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        assert "· school" in text and "Responses 2015: 49 of 60, 82% · School A" in text
        header = table_of(app)[0]
        # Six groups with intervals leave too little room for the statement: its text is in the caption.
        assert header[3].startswith("School A (n=") and header[-1].startswith("School E (n=")
        assert "Statement" not in header
        await pilot.press("g")
        await settle(pilot)
        assert "school × role group" in screen_text(app)
        assert table_of(app)[0][3].startswith("School A · HD (n")
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        assert "Alliance Architecture Overall (" in text and table_of(app)[0][2].startswith("Overall (n=")
        assert len(table_of(app)[0]) == 4  # code, number, overall, statement


async def test_comparison_pairs_the_waves_and_steps_groups(app, study_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        assert "n Group" not in screen_text(app)  # only offered when comparing
        await pilot.press("c")
        await settle(pilot)
        text = screen_text(app)
        ns = [statements(study_path, w, ())["n"].filter(statements(study_path, w, ())["bank"] == "JPD").max()
              for w in ("2014", "2015")]
        assert f"2014/2015 Joint Practice Development Overall ({ns[0]}–{ns[1]} responses)" in text
        assert "Responses 2014: 31 of 68, 46%" in text and "Responses 2015: 49 of 60, 82%" in text
        assert "n Group" in text
        assert table_of(app)[0] == ["Code", "2014 %", "2015 %", "Change", "Note", "Statement"]
        await pilot.press("n")
        text = screen_text(app)
        assert "2014/2015 Joint Practice Development HD (" in text and "role group: HD" in text
        await pilot.press("c")  # only two waves: back to one
        await settle(pilot)
        assert "Joint Practice Development by group (2015)" in screen_text(app)


def expected_grid(study_path: Path, selection, bank: str, group: str = "Overall") -> dict[str, list[str]]:
    """The grid the domain makes for ``selection`` (read straight from the store), by column."""
    from tui.domain.analysis import build_tables

    with Study.open(study_path) as study:
        earlier = wave_returns(study, selection.compare_with) if selection.compare_with else None
        grid = build_tables(selection, wave_returns(study, selection.wave), earlier).grid(bank, group)
    return {name: [row[i] for row in grid.rows] for i, name in enumerate(grid.header)}


def shown_columns(app) -> dict[str, list[str]]:
    header, rows = table_of(app)
    return {name: [row[i] for row in rows] for i, name in enumerate(header) if name != "Statement"}


@pytest.mark.parametrize("keys", [("c",), ("g", "c"), ("g", "g", "g", "g", "c", "c", "c")])
async def test_keys_before_the_background_work_show_the_right_figures(app, study_path, keys):
    """After the first chart a worker makes the other groupings and the comparison in the
    background; keys pressed before it is done (here with no pause at all after F5) must end on
    the same figures as the domain gives for what was chosen."""
    from tui.domain.analysis import GROUPINGS, Selection

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5", *keys)
        await settle(pilot)
        by = GROUPINGS[(GROUPINGS.index(("role_group",)) + keys.count("g")) % len(GROUPINGS)]
        selection = Selection("2015", "2014" if keys.count("c") % 2 else None, by, 5)
        assert app.screen.selection == selection and app.screen.tables.selection == selection
        shown = shown_columns(app)
        expected = expected_grid(study_path, selection, "JPD")
        assert shown and all(shown[name] == expected[name] for name in shown)


async def test_focus_moves_along_the_statements_with_the_table(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        chart = app.screen.query_one(BarChart)
        assert chart.has_focus and "JPD A1  The school encourages staff" in screen_text(app)
        await pilot.press("right")
        await pilot.pause()
        text = screen_text(app)
        assert "JPD A2 (negatively worded)  Staff development is not seen as a high priority" in text
        table = app.screen.query_one("#analysis-table", DataTable)
        assert table.cursor_row == 1
        await pilot.press("end")
        await pilot.pause()
        assert chart.focus_index == 12 and table.cursor_row == 12 and "JPD D3  " in screen_text(app)
        table.focus()
        await pilot.press("up", "up")
        await pilot.pause()
        assert chart.focus_index == 10 and "JPD D1  " in screen_text(app)
        await pilot.press("right_square_bracket")  # a new bank starts at its first statement
        assert chart.focus_index == 0 and table.cursor_row == 0


async def test_small_groups_are_suppressed_on_screen(app, study_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        await pilot.press("w", "g", "g")
        await settle(pilot)
        text = screen_text(app)
        assert "Wave 2014 · JPD Joint Practice Development 1/5 · school × role group" in text
        assert "suppressed" in text and "· no figure (suppressed or no answers)" in text
        hidden = statements(study_path, "2014", ("school", "role_group")).filter(
            pl.col("bank") == "JPD", pl.col("grouping") == "school × role_group", pl.col("suppressed"))
        header, rows = table_of(app)
        crossing = [i for i, name in enumerate(header) if " · " in name]  # the school × role group columns
        cells = [row[i] for row in rows for i in crossing]
        assert hidden.height and cells.count("supp.") == hidden.height
        assert SECRET_NAME not in text


async def test_export_and_report_run_in_workers_and_name_the_files(app, tmp_path):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        await pilot.press("e")
        await settle(pilot)
        folder = tmp_path / "exports" / "2015"
        research = tmp_path / "exports" / "2015-research"
        assert (folder / "surveydesk-2015.xlsx").exists() and (research / "research-returns-long-2015.parquet").exists()
        message = app.screen.query_one("#analysis-message", Static)
        assert str(message.content) == f"Exported 32 files: release {folder}; research only: {research}"
        assert "Exported 32 files" in screen_text(app)
        assert SECRET_NAME not in (research / "research-returns-wide-2015.csv").read_text()
        await pilot.press("c", "r")
        await settle(pilot)
        assert (folder / "report-2014-2015.pdf").stat().st_size > 10_000
        assert str(message.content) == f"Report written: {folder / 'report-2014-2015.pdf'}"


async def test_palette_lists_the_screen_actions(app):
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        names = [name for name, _, _ in app.screen.palette_commands()]
        for name in ("Analysis: Bank", "Analysis: Previous bank", "Analysis: Grouping", "Analysis: Compare",
                     "Analysis: Export", "Analysis: Report", "Analysis: Export the release only"):
            assert name in names


async def test_returns_are_read_once_per_wave_and_again_after_keying(app, study_path, monkeypatch):
    reads: list[str] = []
    original = Study.returns_wide

    def counted(self, wave):
        reads.append(wave)
        return original(self, wave)

    monkeypatch.setattr(Study, "returns_wide", counted)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        for key in ("g", "g", "right_square_bracket", "g", "c"):
            await pilot.press(key)
            await settle(pilot)
        assert reads == ["2015", "2014"]
        await pilot.press("f2", "f5")  # nothing changed: nothing read again
        await settle(pilot)
        assert reads == ["2015", "2014"]
        # Returns keyed elsewhere meanwhile: coming back to the screen reads them.
        instrument = app.study.wave("2015").instrument
        more = synthetic_returns(instrument, 5, wave="2015", seed=99)
        app.study.save_returns(new_returns(more, instrument), operator="RS")
        await pilot.press("f2")
        await pilot.press("f5")
        await settle(pilot)
        assert "Responses 2015: 54 of 60, 90%" in screen_text(app)
        assert reads[2:] == ["2015", "2014"]
        # So is a new k set meanwhile.
        app.study.set_setting("min_cell", 20, operator="RS")
        await pilot.press("f2", "f5")
        await settle(pilot)
        assert "Small cells (k = 20)" in screen_text(app)


async def test_empty_study_and_wave_without_returns(tmp_path):
    app = make_app(study_path=tmp_path / "empty.db", operator="RS")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        assert "No waves yet: add one with `surveydesk wave add NAME`" in screen_text(app)
        app.study.add_wave("2016", app.instrument, operator="RS")  # while the app runs
        await pilot.press("f2", "f5")
        await settle(pilot)
        assert "Wave 2016 has no returns yet" in screen_text(app)
    app = make_app(study_path=tmp_path / "empty.db", operator="RS")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        assert "Wave 2016 has no returns yet" in screen_text(app)
        await pilot.press("e", "right_square_bracket", "g")
        await settle(pilot)
        assert not (tmp_path / "exports").exists()


async def test_usable_at_80_by_24(app):
    """At 80x24: five table rows, the focused statement in full, export and report in the footer,
    legends wrapped between groups, and an export message of one line (issue 19)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        text = screen_text(app)
        lines = text.splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        for seen in ("JPD Joint Practice Development 1/5", "100┤", "0└", "A1", "D3", "■ HD (",
                     "Small cells (k = 5)", "e Export", "r Report"):
            assert seen in text, seen
        assert len([line for line in lines if re.match(r"^ JPD [A-D]\d\*? +JPD \d", line)]) >= 5
        # The focused statement in full in the caption; no table cell shows a stub of a statement.
        focused = app.screen.chart.chart.texts[0]
        assert " ".join(focused.split()) in " ".join(text.split())
        header, rows = table_of(app)
        if "Statement" in header:
            assert all(len(row[header.index("Statement")]) >= 30 for row in rows)
        # School grouping: five legend entries wrap between entries, never inside one.
        await pilot.press("g")
        await settle(pilot)
        text = screen_text(app)
        for letter in "ABCDE":
            assert re.search(rf"■ School {letter} \((\d+|n supp\.)\)", text), letter
        # Two waves' rates and an export message still leave room for everything (no overflow).
        await pilot.press("g", "g", "g", "c", "e")
        await settle(pilot)
        text = screen_text(app)
        lines = text.splitlines()
        for seen in ("Wave 2014 → 2015", "0└", "Code     2014 %", "JPD A1 ", "Exported 34 files: release", "e Export"):
            assert seen in text, seen
        assert len([line for line in lines if re.match(r"^ JPD [A-D]\d", line)]) >= 4
        assert "returns-wide" not in text and not app._notifications  # no list of files over the screen


async def test_stage_profile_on_the_screen(app, study_path):
    """s shows the bank's stage profile in the table (issue 19, point 5): each group's mean % of sections
    A-D and its stage reading, as the protected stage profile has them; comparing, the focused group
    in both waves; s again gives the statements back."""
    with Study.open(study_path) as study:
        profiles = {wave: wave_tables(wave_returns(study, wave), by="role_group", k=5)["stage_profile"]
                    for wave in ("2014", "2015")}

    def expected(wave: str, bank: str, group: str) -> list[str]:
        r = profiles[wave].filter(pl.col("bank") == bank, pl.col("group") == group).row(0, named=True)
        return [group, str(r["n"]), *[figure(r[f"mean_{s}"]) for s in "ABCD"], f"{r['stage_section']} {r['stage']}"]

    async with app.run_test(size=(80, 24)) as pilot:
        await open_analysis(pilot)
        await pilot.press("s")
        await settle(pilot)
        header, rows = table_of(app)
        assert header == ["Group", "n", "A %", "B %", "C %", "D %", "Stage"]
        assert rows == [expected("2015", "JPD", g) for g in ("Overall", "HD", "SLT", "T")]
        assert "B Developing" in screen_text(app)  # on screen at 80x24, not only in the widget
        await pilot.press("right_square_bracket")  # the next bank keeps the stage profile
        await settle(pilot)
        assert table_of(app)[1][0] == expected("2015", "HSC", "Overall")
        await pilot.press("c")
        await settle(pilot)
        header, rows = table_of(app)
        assert header[:2] == ["Wave", "Group"]
        assert rows == [[wave, *expected(wave, "HSC", "Overall")] for wave in ("2014", "2015")]
        await pilot.press("s")
        await settle(pilot)
        assert table_of(app)[0][0] == "Code"


async def test_the_collector_is_settled_for_the_app_and_given_back_when_it_ends(app):
    """The app freezes what lives as long as it (the analysis modules, the tables kept) out of the
    collector's way, collects young objects less often and hands the interpreter between threads
    sooner; when it ends, all three are undone: its objects refer to one another and only the
    collector frees them (one process may run many apps)."""
    import gc
    import sys

    before = gc.get_threshold(), sys.getswitchinterval()
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        assert gc.get_freeze_count() > 0 and gc.get_threshold() == (10_000, 10, 10)
        assert sys.getswitchinterval() == 0.001
    assert gc.get_freeze_count() == 0 and (gc.get_threshold(), sys.getswitchinterval()) == before


def test_the_app_paints_up_to_240_frames_a_second_unless_told_otherwise():
    """tui sets TEXTUAL_FPS before Textual reads it (a key's answer waited up to two 60 fps frames);
    a value set in the environment is kept."""
    import os
    import subprocess
    import sys

    code = "import tui.app, textual.constants as c; print(c.MAX_FPS)"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "240"
    assert subprocess.run([sys.executable, "-c", code], env={**env, "TEXTUAL_FPS": "30"}, capture_output=True,
                          text=True, check=True).stdout.strip() == "30"


async def test_a_selection_that_cannot_be_computed_says_so_above_and_in_the_chart(app):
    """A failure is stated where the chart would be and on the line above it (which no longer says
    "computing…" first when the tables come quickly: COMPUTING_AFTER)."""
    from tui.domain.analysis import AnalysisCache
    from tui.domain.errors import SurveyDeskError

    def unreadable(wave):
        raise SurveyDeskError(f"wave {wave}: the study file cannot be read")

    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        screen = app.screen
        screen.cache = AnalysisCache(unreadable)  # what was read is forgotten; the next read fails
        await pilot.press("g")
        await settle(pilot)
        assert not screen.computing
        assert "Cannot analyse: wave 2015: the study file cannot be read" in screen.chart.placeholder
        bar = str(screen.query_one("#analysis-bar", Static).render())
        assert "cannot be analysed" in bar and "computing" not in bar


async def test_an_idle_analysis_screen_paints_nothing(app, monkeypatch):
    """Frames up to 240 a second (tui/__init__.py) cost nothing while nothing changes: Textual paints a
    screen only when something on it changed, and the analysis screen, left alone with its chart,
    has nothing that changes by itself (no clock, no blinking cursor, no animation)."""
    import asyncio

    import textual.screen

    # Here Textual was imported by a pytest plugin before tui set TEXTUAL_FPS: the screen's frame
    # timer, made when the screen is, takes the period the app has outside the tests.
    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 1 / 240)
    async with app.run_test(size=SIZE) as pilot:
        await open_analysis(pilot)
        await settle(pilot)
        await pilot.pause(0.3)
        screen = app.screen
        frames: list[float] = []
        paint = screen._compositor_refresh
        screen._compositor_refresh = lambda: (frames.append(1), paint())[1]  # counts, then paints
        await asyncio.sleep(0.5)
        assert frames == []
        await pilot.press("right_square_bracket")  # a change is painted (the count works)
        await settle(pilot)
        assert frames


async def test_comparing_at_80_by_24_keeps_chart_and_table_on_the_screen(tmp_path):
    """Two waves' response rates, each too long for 80 columns, took five lines above the chart: the
    screen overflowed, the chart took 30 rows and the table went off the screen. Where the rows are
    short, each wave's rates take one line (cut with an ellipsis); where there is room, they wrap."""
    from tui.domain.instrument.bundled import bundled_instrument_path
    from tui.domain.instrument.toml_format import load_instrument

    instrument = load_instrument(bundled_instrument_path())
    path = tmp_path / "thousands.db"
    with Study.open(path) as study:
        for wave, seed in (("2014", 1), ("2015", 2)):
            study.add_wave(wave, instrument, operator="RS", population=120_000)  # rates lines of 79+ characters
            study.save_returns(new_returns(synthetic_returns(instrument, 1_200, wave=wave, seed=seed), instrument),
                               operator="RS")
    for size, wrapped in (((80, 24), False), ((80, 34), True)):
        app = make_app(study_path=path, operator="RS", wave="2015")
        async with app.run_test(size=size) as pilot:
            await open_analysis(pilot)
            await pilot.press("c")
            await settle(pilot)
            screen = app.screen
            bar = str(screen.query_one("#analysis-bar", Static).render())
            assert bar.count("Responses") == 2 and (bar.count("\n") > 2) == wrapped, bar
            table = screen.query_one("#analysis-table")
            assert screen.chart.region.height <= size[1] - 9  # header, mode bar, 3 lines, table (6), rule, footer
            assert table.region.bottom <= size[1] - 2 and table.region.height >= 6  # above the rule and footer
            text = screen_text(app)
            assert "Code     2014 %" in text and re.search(r"^ JPD A1 ", text, re.M)
