"""A real study file with two waves of synthetic returns, for the analysis CLI and screen tests.

Wave 2014: 31 returns against a stated population of 68 ("31 of 68, 46%", as in the thesis).
Wave 2015: 49 returns, a little more agreement, with 60 forms issued (49 to the respondents,
11 never returned). School A has a secret name in the study's key.
"""

from __future__ import annotations

from pathlib import Path

from tui.domain.demo import new_returns, synthetic_returns
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.store import Study

SECRET_NAME = "Hill Top Primary"
UNRETURNED = ("A1", "A3", "B2", "B4", "C5", "C5", "D2", "D3", "E1", "E4", "E5")


def build_study(path: Path) -> Path:
    instrument = load_instrument(bundled_instrument_path())
    first = synthetic_returns(instrument, 31, wave="2014", seed=7)
    second = synthetic_returns(instrument, 49, wave="2015", seed=8, lift=0.06)
    with Study.open(path) as study:
        study.add_wave("2014", instrument, operator="RS", population=68)
        study.add_wave("2015", instrument, operator="RS")
        study.save_returns(new_returns(first, instrument), operator="RS")
        study.save_returns(new_returns(second, instrument), operator="RS")
        study.issue_forms("2015", [*second["participant_code"].to_list(), *UNRETURNED], operator="RS")
        study.set_school_name("A", SECRET_NAME, operator="RS")
    return path
