"""How fast the builder reacts on a large instrument: twelve banks (Hargreaves' twelve strands)
of 24 statements each, 288 in all.

Run: ``.venv/bin/python bench/builder_bench.py``. Prints the median time of each step; an edit
in the builder should feel instant (well under 100 ms from key to rebuilt tree; the terminal
redraw comes after and is not counted).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.app import make_app  # noqa: E402
from tui.domain.instrument import edit as e  # noqa: E402
from tui.domain.instrument.checks import check_instrument  # noqa: E402
from tui.domain.instrument.diff import diff_instruments  # noqa: E402
from tui.domain.instrument.toml_format import dumps_instrument, parse_instrument, save_instrument  # noqa: E402
from tui.screens.builder import BuilderScreen  # noqa: E402

BANKS, PER_SECTION = 12, 6


def large_instrument():
    inst = e.skeleton(id="maturity", title="Maturity model survey", version="1")
    for b in range(BANKS):
        inst, bank_id = e.add_bank(inst, abbreviation=f"S{b + 1}", title=f"Strand {b + 1}")
        for letter in "ABCD":
            for n in range(PER_SECTION):
                inst, _ = e.add_statement(inst, bank_id, letter,
                                          text=f"Statement {n + 1} of section {letter} of strand {b + 1}, "
                                               "worded at the length of the real survey's statements.")
    return inst


def median_ms(step, repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def in_app_edit_ms(path: Path, repeat: int = 15) -> float:
    app = make_app(study_path=path.parent / "study.db", instrument_path=path)
    app.instruments_dir = path.parent
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        builder = app.screen
        assert isinstance(builder, BuilderScreen)
        await pilot.press("g", *"S6 C3", "enter")
        await pilot.pause()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            await builder.action_negative()  # the edit, the checks, the tree, the problems, the editor
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)


def main() -> None:
    inst = large_instrument()
    moved = e.move_statement_to_section(e.edit_statement(inst, "s3.5", text="Reworded."), "s7.9", -1)
    text = dumps_instrument(inst)
    print(f"instrument: {len(inst.banks)} banks, {inst.statement_count} statements")
    print(f"edit one statement (new immutable instrument): {median_ms(lambda: e.edit_statement(inst, 's6.15', text='x')):7.2f} ms")
    print(f"check_instrument (live validation):             {median_ms(lambda: check_instrument(inst)):7.2f} ms")
    print(f"diff two versions (match by id):                {median_ms(lambda: diff_instruments(inst, moved)):7.2f} ms")
    print(f"write TOML text:                                {median_ms(lambda: dumps_instrument(inst)):7.2f} ms")
    print(f"read and check TOML text:                       {median_ms(lambda: parse_instrument(text)):7.2f} ms")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "maturity.toml"
        save_instrument(inst, path)
        print(f"one edit in the builder (model, checks, tree):  {asyncio.run(in_app_edit_ms(path)):7.2f} ms")


if __name__ == "__main__":
    main()
