"""Pilot: the app opens on the bundled instrument and shows banks and codes."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from tests.helpers import screen_text
from tui.app import make_app
from tui.widgets.instrument_tree import InstrumentTree


async def test_app_shows_bank_titles_and_statement_codes(tmp_path):
    app = make_app(study_path=tmp_path / "study.db")
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for title in ("Joint Practice Development", "High Social Capital"):
            assert title in text
        assert "A1" in text and "Beginning" in text
        assert app.screen.query_one(Footer)
        # Walking down the tree shows the statement's code and running number in the detail pane.
        tree = app.screen.query_one(InstrumentTree)
        tree.focus()
        await pilot.press("down", "down")
        await pilot.pause()
        text = screen_text(app)
        assert "JPD A1" in text and "JPD 1" in text


@pytest.mark.smoke
async def test_mode_bar_names_every_mode_and_lights_the_one_shown(tmp_path):
    from tui.widgets.mode_bar import ModeBar

    app = make_app(study_path=tmp_path / "study.db", operator="RS")
    async with app.run_test(size=(80, 24)) as pilot:
        bar_line = screen_text(app).splitlines()[1]
        for label in ("F2 Instrument", "F3 Entry", "F4 Print", "F5 Analysis", "F6 Builder"):
            assert label in bar_line
        await pilot.press("f4")
        await pilot.pause()
        assert app.current_mode == "print"
        assert app.screen.query_one(ModeBar).current == "print"
        # The mode keys are in the bar, not crowding each screen's own keys out of the footer.
        assert "F3 Entry" in screen_text(app).splitlines()[1]
        assert "f3 Entry" not in screen_text(app).splitlines()[-1]
