"""Import benchmark: a CSV of 1,000,000 returns of the bundled instrument (60 statements each,
some pages missing, every row with a serial: a tenth issued, the rest flagged as never issued)
imported into a study while another station writes to it.

    python bench/import_bench.py [--rows N] [--keep DIR]

The import runs as `surveydesk import` in a child process of its own, so its peak memory (the
largest resident set, from the operating system) is the import's alone. Meanwhile a second process,
standing in for a keying station, saves a setting every quarter second and times how long each
write waited for the study's write lock. Prints the phases (checked, staged, published), wall and CPU
time, peak memory, and the longest wait of the other station, with the machine.

Targets (issue 14): 1,000,000 rows checked and imported in under 60 s and under 1 GB, no station
blocked for more than a second at a time. On a shared machine every figure is an upper bound.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from tui.domain.instrument import bundled_instrument_path, load_instrument  # noqa: E402
from tui.domain.returns import make_serial  # noqa: E402
from tui.domain.store import Study  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int, instrument) -> None:
    """Synthetic returns, vectorised: serials 1..rows, one bank page in twenty missing."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(14)
    schools = np.array(list(instrument.key.school_letters))[rng.integers(0, len(instrument.key.school_letters), rows)]
    roles = np.array([str(d) for d in instrument.key.role_digits])[rng.integers(0, len(instrument.key.role_digits), rows)]
    columns: dict[str, object] = {
        "wave": pl.Series(["2015"]).gather(np.zeros(rows, dtype=np.int64)),
        "participant_code": pl.Series(np.char.add(schools, roles)),
        "serial": pl.Series([make_serial(n) for n in range(1, rows + 1)]),
    }
    for bank in instrument.banks:
        missing = rng.random(rows) < 0.05
        for ref in instrument.bank_refs(bank):
            marked = rng.random(rows) < 0.4
            columns[ref.code] = pl.Series(np.where(missing, "M", np.where(marked, "1", "0")))
    pl.DataFrame(columns).write_csv(path)


def station(path: Path, stop: threading.Event, waits: list[tuple[float, float]], failures: list[str]) -> None:
    """Another station: a small write every quarter second, timed from asking for the lock to commit
    (waits: (when it started, how long it took))."""
    with Study.open(path, create=False) as study:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                study.set_setting("min_cell", 5 + n % 2, operator="ST")
            except Exception as exc:  # reported, never hidden
                failures.append(f"{type(exc).__name__}: {exc}")
            waits.append((started, time.perf_counter() - started))
            n += 1
            stop.wait(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the study and CSV in this folder")
    args = parser.parse_args()
    instrument = load_instrument(bundled_instrument_path())
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        source, path = folder / "returns.csv", folder / "bench.db"
        for leftover in folder.glob("bench.db*"):
            leftover.unlink()
        started = time.perf_counter()
        write_csv(source, args.rows, instrument)
        made, csv_size = time.perf_counter() - started, source.stat().st_size
        with Study.open(path) as study:
            study.add_wave("2015", instrument, operator="BENCH")
            study.issue_forms("2015", [None] * (args.rows // 10), operator="BENCH")  # a tenth of the serials
        stop, waits, failures = threading.Event(), [], []
        other = threading.Thread(target=station, args=(path, stop, waits, failures))
        other.start()
        phases: dict[str, float] = {}
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "tui", "--study", str(path), "import", str(source),
                                  "--operator", "BENCH"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        for line in child.stderr:  # not a terminal: a line as each phase starts and every tenth of it
            phase = line.split(" ", 1)[0]
            phases.setdefault(phase, time.perf_counter() - started)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        out = child.stdout.read()
        stop.set()
        other.join()
        with Study.open(path, create=False) as study:
            stored = study.status()[0]
        size = sum(p.stat().st_size for p in folder.glob("bench.db*"))
    print(f"machine: {describe()}; load average {os.getloadavg()[0]:.1f} at the end")
    print(f"file: {args.rows:,} rows x {3 + instrument.statement_count} columns, {csv_size / 1e6:.0f} MB "
          f"(made in {made:.1f} s)")
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"import FAILED: {out}")
        return 1
    print(f"import: {elapsed:.1f} s wall (target < 60 s), {usage.ru_utime + usage.ru_stime:.1f} s CPU, "
          f"peak memory {usage.ru_maxrss / 1024:,.0f} MB (target < 1,024 MB)")
    ordered = sorted(phases.items(), key=lambda item: item[1])
    ends = [t for _, t in ordered[1:]] + [elapsed]
    print("phases: " + ", ".join(f"{name} {end - start:.1f} s" for (name, start), end in zip(ordered, ends, strict=True)))
    print(f"stored: {stored['returned'] + stored.get('unmatched', 0):,} returns; study {size / 1e6:,.0f} MB")
    during = sorted(((wait, at - started) for at, wait in waits if started <= at <= started + elapsed), reverse=True)
    if during:
        def phase_at(offset: float) -> str:
            return next((name for name, start in reversed(ordered) if start <= offset), "starting")

        longest = ", ".join(f"{wait:.2f} s ({phase_at(offset)})" for wait, offset in during[:3])
        print(f"another station's writes during the import: {len(during)}, longest waits {longest}; "
              f"95th percentile {sorted(w for w, _ in during)[int(len(during) * 0.95)]:.2f} s "
              "(target: none over 1 s)")
    for failure in failures:
        print(f"another station's write FAILED: {failure}")
    print(out.strip())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
