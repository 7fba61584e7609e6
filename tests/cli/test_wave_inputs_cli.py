"""Bad wave inputs from the command line: one clear line, exit status 1, no traceback, no wave."""

from __future__ import annotations

import subprocess
import sys

from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import NewReturn, Study


def surveydesk(study, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "tui", "--study", str(study), *args], capture_output=True,
                            text=True, env={"SURVEYDESK_OPERATOR": "RS", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stderr
    return result


def test_impossible_date_and_huge_population_are_refused_in_one_line(tmp_path, printable_file):
    study = tmp_path / "s.db"
    for args, says in ((("--opens", "2014-13-45"), "wave opens date '2014-13-45' must be a real date"),
                       (("--population", str(10**23)), "population must be a whole number of people from 1")):
        result = surveydesk(study, "wave", "add", "2014", "--instrument", str(printable_file), *args)
        assert result.returncode == 1 and says in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "no waves yet" in surveydesk(study, "wave", "list").stdout


def test_more_returns_than_the_population_is_flagged_not_a_rate_over_100_percent(tmp_path):
    study = tmp_path / "s.db"
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(study) as s:
        s.add_wave("2014", instrument, operator="RS", population=2)
        s.save_returns([NewReturn("2014", f"{school}{role}", ans.from_codes(instrument, []))
                        for school in "AB" for role in (1, 2, 3, 5)], operator="RS")
    out = surveydesk(study, "status").stdout
    assert "8 of 2: more returns than that, check it" in out and "400%" not in out
