"""Names print exactly as typed: brackets are not markup, control characters are written out, and
no name can forge a line of `audit`. An older study (or one edited by hand) may hold names the
store now refuses; they are put there directly, as such a study would have them."""

from __future__ import annotations

import sqlite3

import pytest

from tests.helpers import surveydesk
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import answers as ans
from tui.domain.store import Study

FORGED = "2016\n     9 2099-01-01T00:00:00.000Z XX       delete      return 1"



@pytest.fixture(scope="module")
def study(tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "s.db"
    instrument = load_instrument(bundled_instrument_path())
    with Study.open(path) as study:
        for name in ("[/x]", "[bold red]alarm", "escape", "forged"):
            study.add_wave(name, instrument, operator="RS", population=10)
        study.save_return("[/x]", "A2", ans.from_codes(instrument, ["JPD A1"]), operator="RS")
        study.save_return("[bold red]alarm", "B2", ans.from_codes(instrument, ["JPD A1"]), operator="RS")
    conn = sqlite3.connect(path)
    conn.execute("update waves set name = ? where name = 'escape'", ("esc\x1b[2J\x1b]0;owned\x07x",))
    conn.execute("update audit set wave = ? where wave = 'escape'", ("esc\x1b[2J\x1b]0;owned\x07x",))
    conn.execute("update waves set name = ? where name = 'forged'", (FORGED,))
    conn.execute("update audit set wave = ? where wave = 'forged'", (FORGED,))
    conn.commit()
    conn.close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize("command", [("status",), ("wave", "list"), ("audit",), ("operators",)])
def test_markup_and_escapes_in_names_print_as_text(study, command):
    result = surveydesk(*command, study=study)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out  # nothing reaches the terminal as a control sequence
    if command != ("operators",):
        assert "[/x]" in out and "[bold red]alarm" in out
        assert "esc\\x1b[2J\\x1b]0;owned\\x07x" in out


def test_a_line_break_in_a_name_cannot_forge_an_audit_line(study):
    out = surveydesk("audit", study=study).stdout
    with Study.open(study, create=False) as s:
        entries = s.audit()
    assert len(out.splitlines()) == len(entries)
    assert "wave=2016\\n     9 2099" in out
    assert not any(line.lstrip().startswith("9 2099") for line in out.splitlines())
