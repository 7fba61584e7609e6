"""The analysis bench still runs and its polars and pandas tables agree (on a few returns, untimed)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_analysis_bench_runs_on_a_small_study():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "analysis_bench.py"), "--returns", "2000",
                             "--repeat", "1"], capture_output=True, text=True, check=True, timeout=300)
    assert "Machine:" in result.stdout and "Tables agree." in result.stdout
