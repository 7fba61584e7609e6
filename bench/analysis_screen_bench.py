"""The analysis screen (F5) on a study of 100,000 returns: time to the first chart and per key press.

    python bench/analysis_screen_bench.py [--returns 100000] [--rebuild] [--cache DIR]

Builds (once; kept in the temp folder keyed by the number of returns) a study with wave 2015 of
``--returns`` synthetic returns and wave 2014 of a tenth as many, saved through Study.save_returns
as keyed returns are. Then runs the app headless at 120x40 and times, from
the key press to the screen showing the new chart and table:

- opening the screen: reading the returns from the store and computing the tables in the worker;
- each bank switch (] five times): drawn from the tables already computed;
- each grouping switch (g four times, twice round): the worker aggregates the cached returns;
- comparison on (c): reads the other wave and compares.

Keys are sent as the terminal driver sends them, and the time runs until the screen has been
painted with the result (Pilot's press() would add its own idle waits to every figure).

It also records the longest stall of the event loop (a 10 ms ticker's worst lateness), over the
whole run and after the screen first opened (mounting the screen is a one-off): the screen must
keep answering keys while the worker computes; stalls come from painting, not computing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from tui.domain.demo.synthetic import new_returns, synthetic_returns  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.store import Study  # noqa: E402

BATCH = 5_000
SIZE = (120, 40)
TICK = 0.01


def study_file(n: int, rebuild: bool, cache: Path) -> Path:
    """The cached study for ``n`` returns, built if missing (under a temporary name until complete)."""
    path = cache / f"surveydesk-analysis-screen-bench-{n}.db"
    if path.exists() and not rebuild:
        print(f"study: {path} (cached; --rebuild to make it again)")
        return path
    partial = path.with_name(path.name + ".partial")
    for leftover in (path, partial, *path.parent.glob(path.name + "*-*"), *path.parent.glob(partial.name + "*")):
        leftover.unlink(missing_ok=True)
    instrument = load_instrument(bundled_instrument_path())
    start = time.perf_counter()
    with Study.open(partial) as study:
        for wave, count, seed, lift in (("2014", max(n // 10, 1), 7, 0.0), ("2015", n, 8, 0.06)):
            study.add_wave(wave, instrument, operator="BENCH", population=count * 2)
            rows = new_returns(synthetic_returns(instrument, count, wave=wave, seed=seed, lift=lift), instrument)
            for i in range(0, len(rows), BATCH):
                study.save_returns(rows[i:i + BATCH], operator="BENCH")
    partial.rename(path)
    print(f"study: built {path} in {time.perf_counter() - start:.0f} s")
    return path


def send_key(app, key: str) -> None:
    from textual import events
    from textual.keys import _character_to_key

    name = _character_to_key(key) if len(key) == 1 and not key.isalnum() else key
    event = events.Key(name, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)


async def run(path: Path) -> dict[str, list[float] | float]:
    from tui.app import make_app

    app = make_app(study_path=path, operator="BENCH", wave="2015")
    timings: dict[str, list[float] | float] = {}
    async with app.run_test(size=SIZE):  # headless; keys are sent as the driver sends them
        last = [time.perf_counter()]
        worst = [0.0]
        stalls: list[tuple[str, float]] = []

        def tick() -> None:
            now = time.perf_counter()
            worst[0] = max(worst[0], now - last[0] - TICK)
            last[0] = now

        app.set_interval(TICK, tick)

        async def timed(key: str) -> float:
            """From the key reaching the app to the screen painted with the new chart and table.
            The key is sent as the terminal driver sends it: Pilot's press() adds its own idle waits."""
            screen = app.screen
            before = getattr(screen, "shown_count", 0)
            worst[0] = 0.0
            start = time.perf_counter()
            send_key(app, key)
            while getattr(app.screen, "shown_count", 0) <= before:
                await asyncio.sleep(0.001)
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)
            await painted.wait()
            stalls.append((key, worst[0]))
            return time.perf_counter() - start

        timings["open"] = await timed("f5")
        timings["bank"] = [await timed("]") for _ in range(5)]
        timings["grouping (first time)"] = [await timed("g") for _ in range(4)]
        timings["grouping (again)"] = [await timed("g") for _ in range(4)]
        timings["compare"] = await timed("c")
        rows = app.screen.query_one("#analysis-table").row_count
        timings["stall"] = max(stall for key, stall in stalls)
        timings["stall after open"] = max(stall for key, stall in stalls[1:])
        timings["table rows"] = rows
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the study again even if cached")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the built study is kept between runs (default: the temp folder)")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    path = study_file(args.returns, args.rebuild, args.cache)
    timings = asyncio.run(run(path))

    def ms(values: list[float] | float) -> str:
        if isinstance(values, list):
            return f"max {max(values) * 1000:.0f} ms (each: {', '.join(f'{v * 1000:.0f}' for v in values)})"
        return f"{values * 1000:.0f} ms"

    print(f"returns: {args.returns:,} in wave 2015, {max(args.returns // 10, 1):,} in wave 2014; screen {SIZE[0]}x{SIZE[1]}")
    print(f"open the screen to the first chart (read + tables in the worker): {ms(timings['open'])}")
    print(f"bank switch (])                         : {ms(timings['bank'])}")
    print(f"grouping switch (g), first time         : {ms(timings['grouping (first time)'])}")
    print(f"grouping switch (g), tables cached      : {ms(timings['grouping (again)'])}")
    print(f"comparison with 2014 on (c)             : {ms(timings['compare'])}")
    print(f"longest event-loop stall over the run   : {ms(timings['stall'])}, "
          f"after opening: {ms(timings['stall after open'])}")
    print(f"rows in the table widget                : {timings['table rows']} (aggregates only)")


if __name__ == "__main__":
    main()
