"""`surveydesk demo`: a synthetic study shaped like the thesis's two waves."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from tui.domain.demo import LABEL, SCHOOL_NAMES, build_demo


@pytest.mark.slow
def test_demo_study_has_the_thesis_shape(tmp_path, bundled):
    study = build_demo(tmp_path / "demo.db", bundled)
    assert study.setting("label") == LABEL
    w14, w15 = study.waves()
    assert (w14.name, w14.instrument.version, w14.instrument.banks[0].title) == (
        "2014", "2014", "Joint Professional Development")
    assert (w15.name, w15.instrument.version) == ("2015", "2015")
    sizes = {}
    for wave in ("2014", "2015"):
        wide = study.returns_wide(wave)
        sizes[wave] = dict(wide.group_by("role_group").len().sort("role_group").iter_rows())
        assert wide.filter(pl.col("serial").is_null()).height == 0  # every return on an issued form
    assert sizes == {"2014": {"HD": 10, "SLT": 9, "T": 12}, "2015": {"HD": 10, "SLT": 13, "T": 26}}
    s14, s15 = study.status()
    assert (s14["issued"], s14["returned"], s14["verified"], s14["discrepancies_open"]) == (68, 31, 31, 0)
    assert (s15["returned"], s15["population"]) == (49, 68)
    assert s15["awaiting_second"] > 0 and s15["discrepancies_open"] > 0
    assert study.school_names() == SCHOOL_NAMES
    assert study.verify_audit() == []
    # Statement ids match across the two versions, so waves compare statement by statement.
    assert [r.statement.id for r in w14.instrument.refs()] == [r.statement.id for r in w15.instrument.refs()]
    # The bundled HSC A5 is unfinished: the demo finishes it in its own words, and says so.
    for wave in (w14, w15):
        a5 = wave.instrument.find("HSC A5").statement
        assert not wave.instrument.incomplete_refs() and not a5.incomplete
        assert a5.text.startswith("Governors are wary ") and a5.text.endswith("(demo wording)")
        assert a5.note.startswith("The demo's wording, not the original")


@pytest.mark.slow
def test_demo_command_builds_once_then_reopens(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "tui", "--study", str(tmp_path / "d.db"), "demo", "--no-open",
                               *args], capture_output=True, text=True)

    first = run()
    assert first.returncode == 0, first.stderr
    assert "31 of 68 returned" in first.stdout and "49 of 68 returned" in first.stdout
    again = run()
    assert again.returncode == 0 and "opening the existing demo study" in again.stdout
    rebuilt = run("--rebuild")
    assert rebuilt.returncode == 0 and "demo study written" in rebuilt.stdout
