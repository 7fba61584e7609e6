"""The benchmarks still run at small sizes (untimed): the analysis bench's polars and pandas tables agree, the others print their figures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # benchmarks, at small size: not in the fast lane (pytest -m "not slow")


def test_analysis_bench_runs_on_a_small_study():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "analysis_bench.py"), "--returns", "2000",
                             "--repeat", "1"], capture_output=True, text=True, check=True, timeout=300)
    assert "Machine:" in result.stdout and "Tables agree." in result.stdout
    assert "the fastest pandas here is" in result.stdout  # the verdict names the pandas it is against


def test_analysis_screen_bench_runs_on_a_small_study(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "analysis_screen_bench.py"), "--returns", "300",
                             "--rounds", "2", "--cache", str(tmp_path)], capture_output=True, text=True, check=True,
                            timeout=300)
    for line in ("load average", "keys at most one per 40 ms", "open the screen to the first chart", "bank (])",
                 "statement (right)",
                 "grouping (g), first turn", "grouping (g), tables kept", "stage profile (s)",
                 "comparison on (c), first time", "every key after opening", "p99", "longest event-loop stall",
                 ": 13 (aggregates only)"):
        assert line in result.stdout, line


def test_import_bench_runs_on_a_small_file():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "import_bench.py"), "--rows", "3000"],
                            capture_output=True, text=True, check=True, timeout=600)
    for line in ("machine:", "import:", "peak memory", "phases: checking", "stored: 3,000 returns",
                 "another station's writes during the import"):
        assert line in result.stdout, line


def test_scan_bench_runs_on_a_few_forms():
    """Its report keeps every figure issue 18 asks for: by mode, by instrument, held papers, the
    confidence bands with their verdict, and the old case apart."""
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "scan_bench.py"), "--forms", "2", "--dpi", "150"],
                            capture_output=True, text=True, check=True, timeout=600)
    for line in ("load average", "WRONG serial 0", "errors among accepted:", "by scan mode:", "by instrument:",
                 "held for a greyscale rescan", "error rate by confidence", "monotone (never rising with confidence):",
                 "the old case, faint pencil ticks in 1-bit scans", "highlight mode"):
        assert line in result.stdout, line
