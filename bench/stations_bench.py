"""Several stations saving into one study at once: PostgreSQL and SQLite, in the same run.

    python bench/stations_bench.py [--processes 8] [--saves 250] [--url postgresql://...]

Each process is one station saving its own issued forms (a serial each) one return at a time, as the
entry screen does, timing every save. Then the study is checked: every serial returned exactly once
(none lost, none doubled), each station's count right, and the audit chain intact. Without --url a
throwaway PostgreSQL server is started (tests/pg_server.py) with fsync ON, as a real server runs;
the SQLite study syncs every commit too (synchronous=FULL). Target: p95 save latency <= 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._machine import describe  # noqa: E402
from tui.domain.instrument.bundled import bundled_instrument_path  # noqa: E402
from tui.domain.instrument.toml_format import load_instrument  # noqa: E402
from tui.domain.returns import answers as ans  # noqa: E402
from tui.domain.store import Study  # noqa: E402

WAVE = "2014"
TARGET_P95_MS = 200


def station(location: str, number: int, serials: list[str], start_at: float) -> None:
    """One station: waits for the common start, saves one return per serial, prints its latencies."""
    study = Study.open(location, create=False)
    instrument = study.wave(WAVE).instrument
    codes = instrument.codes()
    forms = [study.issued_form(serial) for serial in serials]
    time.sleep(max(0.0, start_at - time.time()))
    latencies = []
    for i, form in enumerate(forms):
        answers = ans.from_codes(instrument, codes[i % 7::7][: 1 + i % 23])
        began = time.perf_counter()
        study.save_return(WAVE, form.participant_code, answers, serial=form.serial, operator=f"ST{number}",
                          keystrokes=46, seconds=60.0)
        latencies.append(time.perf_counter() - began)
    study.close()
    print(json.dumps(latencies))


def run(location: str, processes: int, saves: int) -> list[str]:
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(location) as study:
        study.add_wave(WAVE, instrument, operator="BENCH")
        codes = [f"{school}{role}" for school in "ABCDE" for role in range(1, 6)]
        forms = study.issue_forms(WAVE, [codes[i % len(codes)] for i in range(processes * saves)], operator="BENCH")
    serials = [f.serial for f in forms]
    start_at = time.time() + 3 + processes * 0.5  # every process has opened the study by then
    children = [subprocess.Popen([sys.executable, __file__, "--station", location, str(n), str(start_at),
                                  *serials[n * saves:(n + 1) * saves]], stdout=subprocess.PIPE, text=True)
                for n in range(processes)]
    latencies: list[float] = []
    for child in children:
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"a station failed (exit {child.returncode})")
        latencies += json.loads(out.strip().splitlines()[-1])
    wall = time.time() - start_at
    with Study.open(location, create=False) as study:
        stored = study.find_returns(WAVE, limit=10_000_000)
        by_serial: dict[str, int] = {}
        for r in stored:
            by_serial[r.serial] = by_serial.get(r.serial, 0) + 1
        lost = [s for s in serials if s not in by_serial]
        doubled = [s for s, n in by_serial.items() if n > 1]
        per_station = sorted({sum(1 for r in stored if r.created_by == f"ST{n}") for n in range(processes)})
        problems = study.verify_audit()
    ms = sorted(x * 1000 for x in latencies)
    p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    return [
        f"  {len(stored):,} returns stored of {len(serials):,} saved; lost {len(lost)}, doubled {len(doubled)}; "
        f"per station {per_station}; audit --verify: {'intact' if not problems else f'{len(problems)} problems'}",
        f"  save latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {ms[int(0.99 * (len(ms) - 1))]:.1f} ms, "
        f"max {ms[-1]:.1f} ms (target p95 <= {TARGET_P95_MS} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'})",
        f"  {len(ms) / wall:.0f} saves/s together over {wall:.1f} s",
    ] + (["  FAILED"] if lost or doubled or problems or len(stored) != len(serials) else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--saves", type=int, default=250, help="returns each station saves")
    parser.add_argument("--url", help="an EMPTY PostgreSQL database (default: start a throwaway server)")
    args = parser.parse_args(argv)
    print(f"Machine: {describe()}")
    print(f"{args.processes} stations x {args.saves} saves, each return with its entry pass and audit entry in "
          "one transaction")
    failed = False
    with tempfile.TemporaryDirectory(prefix="surveydesk-stations-") as folder:
        server = None
        url = args.url
        if url is None:
            from tests import pg_server

            server = Path("/tmp") / f"surveydesk-bench-pg-{Path(folder).name}"
            admin = pg_server.start(server, fsync=True)
            subprocess.run([str(pg_server.bin_dir() / "createdb"), "-h", "127.0.0.1", "-p",
                            admin.rsplit(":", 1)[1].split("/")[0], "-U", "postgres", "stations"], check=True)
            url = admin.rsplit("/", 1)[0] + "/stations"
        try:
            for name, location in (("PostgreSQL (loopback, fsync on)", url),
                                   ("SQLite (same host, WAL, synchronous=FULL)", str(Path(folder) / "study.db"))):
                print(f"{name}:", flush=True)
                lines = run(location, args.processes, args.saves)
                print("\n".join(lines), flush=True)
                failed |= lines[-1].strip() == "FAILED"
        finally:
            if server is not None:
                pg_server.stop(server)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--station":
        location, number, start_at, *serials = sys.argv[2:]
        station(location, int(number), serials, float(start_at))
    else:
        sys.exit(main())
