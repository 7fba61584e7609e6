"""Upgrade benchmark: opening a schema-2 study of N returns, which rebuilds its id tables for schema 3.

    python bench/migration_bench.py [N]

The study is written as SurveyDesk with schema 2 wrote it (ids plain SQLite rowids), then opened
by this SurveyDesk, which upgrades it in one transaction while the opening station waits.
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
from tui.domain.store import Study, schema  # noqa: E402

BATCH = 2_000


def write_schema_2_study(path: Path, n: int) -> None:
    instrument = load_instrument(bundled_instrument_path())
    rows = new_returns(synthetic_returns(instrument, n, wave="2014", seed=1), instrument)
    options = [schema.metadata.tables[name].dialect_options["sqlite"] for name in schema.REBUILT[3]]
    current = schema.SCHEMA_VERSION
    schema.SCHEMA_VERSION = 2
    for option in options:
        option["autoincrement"] = False
    try:
        study = Study.open(path)
        study.add_wave("2014", instrument, operator="BENCH")
        for i in range(0, n, BATCH):
            study.save_returns(rows[i:i + BATCH], operator="BENCH")
        study.close()
    finally:
        schema.SCHEMA_VERSION = current
        for option in options:
            option["autoincrement"] = True


def main(n: int = 20_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "old.db"
        write_schema_2_study(path, n)
        size = path.stat().st_size
        start = time.perf_counter()
        Study.open(path).close()
        upgrade_s = time.perf_counter() - start
    print(f"machine: {describe()}")
    print(f"upgrade of a schema-2 study of {n:,} returns ({size / 1e6:.1f} MB) to schema {schema.SCHEMA_VERSION}: "
          f"{upgrade_s:.2f} s (the opening station waits this long, once)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
