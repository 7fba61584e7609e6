"""Start-up: the app draws its first frame before it imports SQLAlchemy and opens an SQLite study,
then opens it; a study refused at that point ends the app with the refusal, changing nothing.
(bench/startup_bench.py times it; nothing here is timed.)"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tui.app import SurveyDeskApp, make_app
from tui.domain.instrument import default_instrument_path, load_instrument
from tui.domain.store import NotAStudyError, Study

FIRST_FRAME = """
import asyncio, json, sys
from textual.app import App
seen = {}
display = App._display
def watched(self, screen, update):
    # The footer is composed last: the first frame with its row drawn is the first complete one.
    if update is not None and "first" not in seen and screen._compositor.render_strips()[-1].text.strip():
        seen["first"] = sorted(m for m in sys.modules if m.startswith("sqlalchemy") or m == "tui.domain.store.study")
    display(self, screen, update)
App._display = watched
from tui.app import make_app
app = make_app(study_path=sys.argv[1], operator="RS")
async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        seen["then"] = [str(app.study.path), app.sub_title, "sqlalchemy" in sys.modules]
asyncio.run(main())
print(json.dumps(seen))
"""


def test_the_first_frame_is_drawn_before_sqlalchemy_is_imported_then_the_study_opens(tmp_path):
    with Study.open(tmp_path / "study.db") as study:
        study.set_setting("label", "Spring survey", operator="RS")
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(tmp_path / "study.db")], capture_output=True,
                            text=True, check=True, cwd=tmp_path)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["first"] == []
    path, title, imported = seen["then"]
    assert path == str(tmp_path / "study.db") and "Spring survey" in title and "study.db" in title and imported


def test_make_app_still_refuses_what_it_can_before_the_app_starts(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table notes (text)")
    before = other.read_bytes()
    with pytest.raises(NotAStudyError, match="not a SurveyDesk study"):
        make_app(study_path=other, operator="RS")
    with pytest.raises(NotAStudyError, match="is a folder"):
        make_app(study_path=tmp_path, operator="RS")
    assert other.read_bytes() == before


async def test_a_study_refused_after_the_first_frame_ends_the_app_with_the_refusal(tmp_path):
    # make_app's checks ran earlier; the file changed before the app opened it.
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table notes (text)")
    before = other.read_bytes()
    path = default_instrument_path()
    app = SurveyDeskApp(instrument=load_instrument(path), instrument_path=path, study=other, operator="RS")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert isinstance(app.failure, NotAStudyError) and app.return_code == 1
    assert other.read_bytes() == before



async def test_a_key_pressed_before_the_deferred_opening_ends_the_app_with_the_refusal_not_a_traceback(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table notes (text)")
    path = default_instrument_path()
    app = SurveyDeskApp(instrument=load_instrument(path), instrument_path=path, study=other, operator="RS")
    app.open_after_first_frame = lambda: None  # type: ignore[method-assign]  # the key comes first
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")  # the entry screen reads the study
        await pilot.pause()
    assert isinstance(app.failure, NotAStudyError) and app.return_code == 1
