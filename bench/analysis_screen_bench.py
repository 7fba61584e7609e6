"""The analysis screen (F5) on a study of 100,000 returns: time to the first chart and per key press.

    python bench/analysis_screen_bench.py [--returns 100000] [--size 120x40] [--rounds 8] [--idle 1] [--pace 0.04] [--rebuild] [--cache DIR]

Builds (once; kept in the temp folder keyed by the number of returns) a study with wave 2015 of
``--returns`` synthetic returns and wave 2014 of a tenth as many, saved through Study.save_returns
as keyed returns are. Then, in a fresh process that has imported nothing of the app beforehand (a
study just built is timed after re-executing the bench), runs the app headless at ``--size``,
waits ``--idle`` seconds on its first screen as a person would before pressing F5 (the app imports
polars and the analysis modules in the background meanwhile; ``--idle 0`` times a first F5 that
may still wait for them), and times, from the key reaching the app to the screen painted with its
RESULT (never a placeholder: a key whose tables are still being made shows "computing…" first, and
its time runs until the chart and table of what it asked for are painted):

- opening the screen (F5): reading the returns from the store and computing the tables in the worker;
- then ``--rounds`` rounds of: five bank switches (]), five statement moves (→), a full turn of
  groupings (g; after the first chart the screen makes the other groupings' tables in the
  background, so the first turn finds them made unless its key comes first; later turns find them
  kept), the stage profile on and off (s), and the comparison with 2014 on and off (c; the first
  finds wave 2014 read and its tables made in the background unless it comes first).

It prints the median, p99 (nearest rank: with 144 presses, the second slowest) and slowest press of
each kind and p99 over every key after opening, against the targets (first chart < 0.5 s, every key
< 50 ms at p99), whether the analysis modules were imported before F5, and the load average before
and after: on a shared machine the figures are upper bounds.

Keys are sent as the terminal driver sends them, and the time runs until the screen has been
painted with the result (Pilot's press() would add its own idle waits to every figure). It also
records the longest stall of the event loop after opening (a 10 ms ticker's worst lateness): the
screen must keep answering keys while the worker computes.

Keys come no closer together than ``--pace`` seconds from one key to the next (default 0.04: 25 a
second, the X server's default auto-repeat rate, the fastest a held key arrives and faster than
anyone types while reading a chart); a key whose answer takes longer is followed as soon as it is
painted. ``--pace 0`` sends each key the moment the previous one is painted: a stress run (each
key's frame then also waits for the frame before it: Textual paints at a fixed rate).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402

# Nothing of the app is imported here before the app itself: the first F5 of a real session pays
# for importing polars and the analysis modules unless the app has imported them already, and so
# does this bench (a study it has just built is timed in a fresh process for the same reason).

BATCH = 5_000
SIZE = (120, 40)
TICK = 0.01


def study_file(n: int, rebuild: bool, cache: Path) -> Path:
    """The cached study for ``n`` returns, built if missing (under a temporary name until complete)."""
    path = cache / f"surveydesk-analysis-screen-bench-{n}.db"
    if path.exists() and not rebuild:
        print(f"study: {path} (cached; --rebuild to make it again)")
        return path
    from tui.domain.demo.synthetic import new_returns, synthetic_returns
    from tui.domain.instrument.bundled import bundled_instrument_path
    from tui.domain.instrument.toml_format import load_instrument
    from tui.domain.store import Study

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


async def run(path: Path, size: tuple[int, int], rounds: int, idle: float = 1.0,
              pace: float = 0.04) -> dict[str, list[float]]:
    from tui.app import make_app

    app = make_app(study_path=path, operator="BENCH", wave="2015")
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=size):  # headless; keys are sent as the driver sends them
        last = [time.perf_counter()]
        sent = [0.0]  # when the last key was sent
        worst = [0.0]
        stalls: list[float] = []

        def tick() -> None:
            now = time.perf_counter()
            worst[0] = max(worst[0], now - last[0] - TICK)
            last[0] = now

        app.set_interval(TICK, tick)

        async def timed(key: str, done: Callable[[], bool] | None = None) -> float:
            """From the key reaching the app to the screen painted with its result: a new chart and
            table (``shown_count`` goes up), or ``done()`` true. The key is sent as the terminal
            driver sends it: Pilot's press() adds its own idle waits."""
            screen = app.screen
            before = getattr(screen, "shown_count", 0)
            finished = done or (lambda: getattr(app.screen, "shown_count", 0) > before)
            while time.perf_counter() < sent[0] + pace:
                await asyncio.sleep(0.001)
            worst[0] = 0.0
            start = sent[0] = time.perf_counter()
            send_key(app, key)
            while not finished():
                await asyncio.sleep(0.001)
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)
            await painted.wait()
            stalls.append(worst[0])
            return time.perf_counter() - start

        def record(kind: str, value: float) -> None:
            timings.setdefault(kind, []).append(value)

        await asyncio.sleep(idle)  # a person reads the first screen before pressing F5
        timings["imported before F5"] = [float("polars" in sys.modules)]
        record("open", await timed("f5"))
        from tui.domain.analysis import GROUPINGS

        screen = app.screen
        for _ in range(rounds):
            for _ in range(5):
                record("bank (])", await timed("]"))
            for _ in range(5):
                focus = screen.chart.focus_index
                record("statement (right)", await timed("right", lambda f=focus: screen.chart.focus_index != f))
            for _ in range(len(GROUPINGS)):  # round one: made in the background or in the worker
                kind = "grouping (g), first turn" if len(timings.get("grouping (g), first turn", [])) < len(
                    GROUPINGS) else "grouping (g), tables kept"
                record(kind, await timed("g"))
            shown = screen.stages_shown
            record("stage profile (s)", await timed("s", lambda s=shown: screen.stages_shown != s))
            record("stage profile (s)", await timed("s", lambda s=shown: screen.stages_shown == s))
            comparing = "comparison on (c), first time" not in timings
            record("comparison on (c), first time" if comparing else "comparison on/off (c), tables kept",
                   await timed("c"))
            record("comparison on/off (c), tables kept", await timed("c"))  # off again (one other wave)
        timings["table rows"] = [float(screen.query_one("#analysis-table").row_count)]
        timings["stall after open"] = [max(stalls[1:])]
    return timings


def p99(values: list[float]) -> float:
    """The 99th percentile (nearest rank): with fewer than 100 presses, the slowest."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-99 * len(ordered) // 100) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the study again even if cached")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the built study is kept between runs (default: the temp folder)")
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}", help="terminal size, e.g. 80x24")
    parser.add_argument("--idle", type=float, default=1.0,
                        help="seconds between the app's first screen and F5 (default 1, as a person takes)")
    parser.add_argument("--pace", type=float, default=0.04,
                        help="least seconds from one key to the next (default 0.04: 25 keys a second, a held "
                             "key's auto-repeat); 0: each key as soon as the previous one is painted")
    parser.add_argument("--rounds", type=int, default=8,
                        help="rounds of keys (each: 5 banks, 5 statements, 4 groupings, s twice, c twice)")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    print(f"machine: {describe()}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min)")
    built = "polars" in sys.modules
    path = study_file(args.returns, args.rebuild, args.cache)
    if "polars" in sys.modules and not built:  # built now: time a fresh process, as a session starts
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, *[a for a in sys.argv if a != "--rebuild"]])
    timings = asyncio.run(run(path, (size[0], size[1]), args.rounds, args.idle, args.pace))
    print(f"returns: {args.returns:,} in wave 2015, {max(args.returns // 10, 1):,} in wave 2014; "
          f"screen {size[0]}x{size[1]}; keys {f'at most one per {args.pace * 1000:.0f} ms' if args.pace else 'back to back'}")
    imported = "the app had imported polars and the analysis modules" if timings.pop("imported before F5")[0] else \
        "including importing polars and the analysis modules"
    print(f"open the screen to the first chart (read + tables in the worker; {imported}): "
          f"{timings.pop('open')[0] * 1000:.0f} ms (target < 500 ms)")
    rows = int(timings.pop("table rows")[0])
    stall = timings.pop("stall after open")[0]
    every: list[float] = []
    for kind, values in timings.items():
        every += values
        print(f"{kind:38}: {len(values):3} presses, median {sorted(values)[len(values) // 2] * 1000:4.0f} ms, "
              f"p99 {p99(values) * 1000:4.0f} ms, max {max(values) * 1000:4.0f} ms")
    print(f"{'every key after opening':38}: {len(every):3} presses, p99 {p99(every) * 1000:.0f} ms (target < 50 ms)")
    print(f"longest event-loop stall after opening  : {stall * 1000:.0f} ms")
    print(f"rows in the table widget                : {rows} (aggregates only)")
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
