"""The PDF report read back with pypdf: titles with response counts, rates, rule; nothing suppressed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.analysis_fixtures import SCHOOL_NAMES, wave_2014, wave_2015
from tui.domain.analysis import school_names_of
from tui.domain.analysis.report_pdf import build_report, write_report
from tui.domain.paths import UnsafePathError

MADE = datetime(2015, 2, 1, 9, 30, tzinfo=UTC)


def text_of(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    # Figures are single paragraphs; collapse the line breaks pypdf puts inside wrapped ones.
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def one_wave() -> str:
    return text_of(build_report([wave_2014()], by="role_group", k=3, now=MADE))


def test_figures_titled_like_the_thesis(one_wave):
    for title in ("Figure 1 Joint Practice Development Overall (7 responses)",
                  "High Social Capital Overall (7 responses)",
                  "High Social Capital T (3 responses)"):
        assert title in one_wave, title


def test_response_rates_and_rule_are_stated(one_wave):
    assert "Wave 2014: 8 of 68, 12%" in one_wave
    assert "fewer than 3 respondents" in one_wave and "k = 3" in one_wave
    assert "Wilson" in one_wave and "negatively worded" in one_wave


def test_tables_beneath_the_charts(one_wave):
    # Overall JPD A1: 6 of 7 = 86% (Wilson 49-97).
    assert "86 (49–97)" in one_wave
    assert "JPD A2*" in one_wave  # the negative statement is flagged
    assert "Furthest majority" in one_wave and "B (Developing)" in one_wave


def test_suppressed_figures_are_absent(one_wave):
    # With k = 3, HD (3 returns, withheld to protect SLT) and SLT (2 returns) have their sizes and
    # figures withheld, and T's JPD figures (n = 2) are suppressed.
    # Every interval of a group of 2 or 1 would give them away: 0/2 (0–66), 1/2 (9–91),
    # 2/2 (34–100), 1/1 (21–100), 0/1 (0–79). None of them may appear; "supp." must.
    leaks = ("0–66", "9–91", "34–100", "21–100", "0–79")
    unprotected = text_of(build_report([wave_2014()], by="role_group", k=1, now=MADE))
    assert all(leak in unprotected for leak in leaks)  # so their absence below means something
    for leak in leaks:
        assert leak not in one_wave, leak
    assert "supp." in one_wave
    assert "Joint Practice Development SLT (n withheld): figures suppressed" in one_wave
    assert "Joint Practice Development T (2 responses): figures suppressed" in one_wave
    assert "HD (n supp.)" in one_wave and "High Social Capital HD (n withheld): figures suppressed" in one_wave


def test_two_waves_paired():
    text = text_of(build_report([wave_2014(), wave_2015()], by="role_group", k=1, now=MADE))
    assert "2014/2015 Joint Practice Development Overall (7–5 responses)" in text
    assert "2014/2015 Joint Practice Development HD (3–2 responses)" in text
    assert "Wave 2014: 8 of 68, 12%" in text and "Wave 2015: 5 of 68, 7%" in text
    # jpd.4 moved from C1 to D1: 3/7 = 43% -> 3/5 = 60%, +17 points.
    assert "JPD D1 (was C1) Pairs and triads work across schools. 43 60 +17 moved" in text
    assert "only in 2014" in text and "only in 2015" in text and "reworded" in text


def test_no_school_names_unless_revealed():
    data = wave_2014()
    plain = text_of(build_report([data], by=("school", "role_group"), k=1, now=MADE))
    assert "School A · HD" in plain
    assert not [name for name in SCHOOL_NAMES.values() if name in plain]
    named = text_of(build_report([data], by="school", k=1, school_names=school_names_of(data.instrument), now=MADE))
    assert "School A (Hill Top Primary)" in named


def test_report_file_goes_under_exports(tmp_path):
    path = write_report([wave_2014(), wave_2015()], exports_dir=tmp_path, k=3, now=MADE)
    assert path == (tmp_path / "2015" / "report-2014-2015.pdf").resolve()
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(UnsafePathError):
        write_report([wave_2014()], exports_dir=tmp_path, filename="../../escape.pdf")


def test_three_waves_are_refused():
    with pytest.raises(ValueError, match="one wave or a pair"):
        build_report([wave_2014(), wave_2015(), wave_2015()])


def test_a_wave_without_returns_is_refused_clearly():
    from tui.domain.analysis import WaveReturns
    from tui.domain.returns import empty_wide

    data = wave_2014()
    with pytest.raises(ValueError, match="wave 2016 has no returns yet"):
        build_report([WaveReturns("2016", data.instrument, empty_wide(data.instrument))])


def test_a_labelled_study_says_so_on_every_page():
    from dataclasses import replace

    label = "SYNTHETIC DEMO: made-up returns"
    reader = PdfReader(BytesIO(build_report([replace(wave_2014(), label=label)], by="role_group", k=1, now=MADE)))
    assert len(reader.pages) > 1
    assert all(label in page.extract_text() for page in reader.pages)
    assert label in str((reader.metadata or {}).get("/Subject"))
    assert "verified by second keying" in reader.pages[0].extract_text()


def test_a_release_that_fails_the_check_is_not_written(monkeypatch, tmp_path):
    import tui.domain.analysis.exports as exports
    from tests.analysis_fixtures import THESIS_2014, five_schools, random_wave
    from tui.domain.analysis import wave_release
    from tui.domain.analysis.audit import ReleaseRefused
    from tui.domain.analysis.disclosure import SECONDARY

    data = random_wave(five_schools(), "2014", THESIS_2014, seed=2014, missing=0.05)
    weak = wave_release(data, 5)
    # Show again every figure withheld only to protect another: some become exact.
    weak.count_state = ["" if s == SECONDARY else s for s in weak.count_state]
    weak.figure_state = [["" if s == SECONDARY else s for s in states] for states in weak.figure_state]
    monkeypatch.setattr(exports, "wave_release", lambda data, k: weak)
    with pytest.raises(ReleaseRefused, match="disclosure check failed"):
        write_report([data], exports_dir=tmp_path, k=5)
    assert not list(tmp_path.rglob("*.pdf"))
