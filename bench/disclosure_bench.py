"""The disclosure check of one wave: choosing what to withhold (wave_release) and the LP audit of
every withheld figure (what `surveydesk disclosure-check` runs), on a wave of 100,000 returns with
small groups in it, and on a wave of the thesis's size, where nearly every school x role group is
small and so nearly everything is checked.

    python bench/disclosure_bench.py [--returns 100000] [--repeat 1]

Every grouping and crossing is covered by one release: the check does not depend on which
grouping is asked for. The target is the audit of the 100,000-return wave in under 5 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from tui.domain.analysis import WaveReturns, wave_release  # noqa: E402
from tui.domain.analysis.audit import audit  # noqa: E402
from tui.domain.demo.synthetic import synthetic_returns  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402

# Small groups a large wave still has: a few governors and heads per school, one school's senior leaders.
SMALL = {("A", 1): 1, ("B", 1): 2, ("C", 1): 0, ("D", 1): 3, ("E", 1): 4, ("C", 2): 2, ("E", 2): 3, ("E", 3): 2}
# The thesis's January 2014 sizes by role (2 governors, 8 HT/DHT, 9 senior, 5 middle, 7 teachers), over A-E.
THESIS = {("A", 1): 1, ("A", 2): 2, ("A", 3): 2, ("A", 4): 1, ("A", 5): 3, ("B", 2): 2, ("B", 3): 3, ("B", 4): 2,
          ("B", 5): 1, ("C", 2): 1, ("C", 3): 2, ("C", 4): 2, ("C", 5): 1, ("D", 1): 1, ("D", 2): 2, ("D", 3): 1,
          ("D", 5): 1, ("E", 2): 1, ("E", 3): 1, ("E", 5): 1}


def wave(instrument, returns: int, small: dict[tuple[str, int], int], seed: int) -> WaveReturns:
    """``small`` fixes some school x role groups' sizes; the other returns spread over the rest."""
    cells = [(s, r) for s in instrument.key.school_letters for r in instrument.key.role_digits]
    rest = [c for c in cells if c not in small]
    fixed = sum(small.values())
    codes = [f"{s}{r}" for (s, r), n in small.items() for _ in range(n)]
    left = max(returns - fixed, 0)
    for i, (s, r) in enumerate(rest):
        codes += [f"{s}{r}"] * (left // len(rest) + (1 if i < left % len(rest) else 0))
    return WaveReturns("w", instrument, synthetic_returns(instrument, len(codes), wave="w", seed=seed, codes=codes))


def timed(label: str, data: WaveReturns, repeat: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds (best of ``repeat``) of choosing and auditing the release."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeat):
        marks = [(time.perf_counter(), time.process_time())]
        release = wave_release(data, 5)
        marks.append((time.perf_counter(), time.process_time()))
        result = audit(release)
        marks.append((time.perf_counter(), time.process_time()))
        for name, (start, end) in (("release", marks[:2]), ("audit", marks[1:])):
            took = (end[0] - start[0], end[1] - start[1])
            best[name] = min(best.get(name, took), took)
    hidden = sum(1 for s in release.count_state if s)
    print(f"{label}: {data.wide.height:,} returns, {len(release.labels)} groups, {hidden} with counts withheld; "
          f"{len(result.ranges):,} withheld figures")
    print(f"  choosing what to withhold (wave_release):   {best['release'][0]:6.2f} s wall, "
          f"{best['release'][1]:6.2f} s CPU")
    print(f"  LP audit of every withheld figure (ranges): {best['audit'][0]:6.2f} s wall, "
          f"{best['audit'][1]:6.2f} s CPU  ({'passed' if result.passed else 'FAILED'})")
    wall, cpu = best["release"][0] + best["audit"][0], best["release"][1] + best["audit"][1]
    print(f"  disclosure-check in all:                    {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=100_000, help="returns in the large wave")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing; the best is printed")
    args = parser.parse_args()
    instrument = load_instrument(bundled_instrument_path())
    print(f"machine: {describe()}; load average {os.getloadavg()[0]:.1f} (wall-clock time grows with it, "
          f"CPU time does not)")
    wall, cpu = timed("large wave", wave(instrument, args.returns, SMALL, seed=1), args.repeat)
    timed("thesis-size wave", wave(instrument, 31, THESIS, seed=2014), args.repeat)
    print(f"disclosure check of the {args.returns:,}-return wave, every grouping: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({'under' if cpu < 5 else 'OVER'} the 5 s target in CPU time)")


if __name__ == "__main__":
    main()
