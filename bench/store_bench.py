"""Store benchmark: a study with 100,000 returns of the bundled instrument.

    python bench/store_bench.py [N]

Prints insert time, the time to build the wide DataFrame, and the file size (total and per
highlighted statement). Targets (store issue): wide DataFrame of 100,000 returns in under 1 s,
file under 100 bytes per highlighted statement.
"""

from __future__ import annotations

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

BATCH = 2_000


def main(n: int = 100_000) -> None:
    instrument = load_instrument(bundled_instrument_path())
    synthetic = synthetic_returns(instrument, n, wave="2014", seed=1)
    rows = new_returns(synthetic, instrument)
    highlighted = int(synthetic.select(instrument.codes()).sum().sum_horizontal().item())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        study = Study.open(path)
        study.add_wave("2014", instrument, operator="BENCH")
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            study.save_returns(rows[i:i + BATCH], operator="BENCH")
        insert_s = time.perf_counter() - start
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            wide = study.returns_wide("2014")
            timings.append(time.perf_counter() - start)
        assert wide.height == n
        study.close()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    print(f"machine: {describe()}")
    print(f"returns: {n:,} of {instrument.id} {instrument.version} ({highlighted:,} highlighted statements)")
    print(f"insert (batches of {BATCH:,}, each return with its entry pass and audit entry): "
          f"{insert_s:.1f} s = {n / insert_s:,.0f} returns/s")
    print(f"wide DataFrame ({wide.height:,} x {wide.width}): best {min(timings):.3f} s, "
          f"runs {', '.join(f'{t:.3f}' for t in timings)}  (target < 1 s)")
    print(f"file: {size / 1e6:.1f} MB = {size / highlighted:.1f} bytes per highlighted statement (target < 100)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
