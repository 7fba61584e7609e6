"""Make the entry screen's pictures in docs/images/ with the app itself.

    python docs/entry_screenshots.py

A throw-away study in a temp folder: a wave, forms issued to a few schools, some returns keyed,
one paper keyed twice with a difference. Then the real screen is driven with Pilot, key by key.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import make_app  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.returns import answers as ans  # noqa: E402
from tui.domain.store import Study  # noqa: E402
from tui.screens.entry import EntryScreen  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def build_study(path: Path) -> None:
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(path) as study:
        study.add_wave("2014", instrument, operator="RS")
        codes = [f"{school}{role}" for school in "ABCDE" for role in (1, 2, 2, 3, 4, 5, 5)]
        forms = study.issue_forms("2014", codes, operator="RS")
        for form in forms[:17]:
            study.save_return("2014", form.participant_code, ans.from_codes(instrument, ["JPD A1", "HSC B2", "AA C3"]),
                              operator="JS", serial=form.serial, keystrokes=46, seconds=70)
        first = study.find_returns("2014")[0]
        study.save_second_pass(first.id, ans.from_codes(instrument, ["JPD A1", "HSC B2"]), operator="MK")


async def settle(app) -> None:
    screen = next(x for x in app.screen_stack if isinstance(x, EntryScreen))
    screen.writes.flush()
    for worker in list(app.workers):
        if worker.group == "entry-progress":
            await worker.wait()


async def shoot() -> None:
    app = make_app(study_path="study.db", operator="JS")
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.press("f3", "c", "5", "1", "3", "enter", "2", "4", "enter", "enter", "1", "enter", "2", "4")
        await pilot.pause()
        await settle(app)
        await pilot.pause()
        app.save_screenshot(str(IMAGES / "entry.svg"))
        await pilot.press("f9")
        await pilot.pause()
        app.save_screenshot(str(IMAGES / "entry-resolve.svg"))
    small = make_app(study_path="study.db", operator="JS")
    async with small.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("escape", "d", "2", "2", "enter", "1", "3", "7")
        await pilot.pause()
        await settle(small)
        await pilot.pause()
        small.save_screenshot(str(IMAGES / "entry-80x24.svg"))
        await pilot.press("f1")
        await pilot.pause()
        small.save_screenshot(str(IMAGES / "entry-keys-80x24.svg"))


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # a relative study path keeps temp folder names out of the pictures
        build_study(Path("study.db"))
        asyncio.run(shoot())
    for name in ("entry.svg", "entry-resolve.svg", "entry-80x24.svg", "entry-keys-80x24.svg"):
        print(IMAGES / name)


if __name__ == "__main__":
    main()
