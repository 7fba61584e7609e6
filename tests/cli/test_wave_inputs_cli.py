"""Bad wave inputs from the command line: one clear line, exit status 1, no traceback, no wave."""

from __future__ import annotations

import pytest

from tests.helpers import surveydesk
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import NewReturn, Study


@pytest.mark.slow
def test_impossible_date_and_huge_population_are_refused_in_one_line(tmp_path, printable_file):
    study = tmp_path / "s.db"
    for args, says in ((("--opens", "2014-13-45"), "wave opens date '2014-13-45' must be a real date"),
                       (("--population", str(10**23)), "population must be a whole number of people from 1")):
        result = surveydesk("wave", "add", "2014", "--instrument", str(printable_file), *args, study=study)
        assert result.returncode == 1 and says in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "no waves yet" in surveydesk("wave", "list", study=study).stdout


@pytest.mark.slow
def test_more_returns_than_the_population_is_flagged_not_a_rate_over_100_percent(tmp_path):
    study = tmp_path / "s.db"
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(study) as s:
        s.add_wave("2014", instrument, operator="RS", population=2)
        s.save_returns([NewReturn("2014", f"{school}{role}", ans.from_codes(instrument, []))
                        for school in "AB" for role in (1, 2, 3, 5)], operator="RS")
    out = surveydesk("status", study=study).stdout
    assert "8 of 2: more returns than that, check it" in out and "400%" not in out
