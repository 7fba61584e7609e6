"""Pilot: waves whose names look like markup, or hold escape sequences (an older study), open on
every screen without breaking it and are shown exactly as typed."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import screen_text
from tui.app import make_app
from tui.domain.returns import answers as ans
from tui.domain.store import Study

SIZE = (100, 30)
ESCAPED = "esc\x1b[2Jx"


@pytest.fixture
def study_path(tmp_path, bundled, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with Study.open(tmp_path / "s.db") as study:
        for name in ("[bold red]alarm", "escape", "[/x]"):
            study.add_wave(name, bundled, operator="RS", population=10)
            for role in range(1, 6):
                study.save_return(name, f"A{role}", ans.from_codes(bundled, ["JPD A1"]), operator="RS")
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute("update waves set name = ? where name = 'escape'", (ESCAPED,))
    conn.commit()
    conn.close()
    return "s.db"


@pytest.mark.parametrize("wave", ["[/x]", "[bold red]alarm", ESCAPED])
async def test_every_screen_shows_the_wave_name_as_typed(study_path, wave):
    app = make_app(study_path=study_path, operator="RS", wave=wave)
    shown = wave.replace("\x1b", "\\x1b")
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f3", "f4", "f5", "f2", "f6"):
            await pilot.press(key)
            await pilot.pause(0.3)
            text = screen_text(app)
            assert "\x1b" not in text
            if key in ("f3", "f4", "f5"):  # screens that name the wave (title bar, options, figures)
                assert f"wave {shown}" in text, key
        await pilot.press("f4")
        await pilot.pause()
        assert shown in screen_text(app)  # the print screen's wave list
