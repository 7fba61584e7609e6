"""The synthetic demo study and synthetic returns for benchmarks and tests. Clearly labelled.
"""

from __future__ import annotations

from .build import LABEL, SCHOOL_NAMES, build_demo, demo_instrument
from .synthetic import new_returns, synthetic_returns

__all__ = ["LABEL", "SCHOOL_NAMES", "build_demo", "demo_instrument", "new_returns", "synthetic_returns"]
