"""The PDF report read back with pypdf: titles with response counts, rates, rule; nothing suppressed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.analysis_fixtures import SCHOOL_NAMES, wave_2014, wave_2015
from tui.domain.analysis import AnalysisError, school_names_of
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
    assert "Response rates are returns of the people asked" in one_wave
    assert "fewer than 3 respondents" in one_wave and "k = 3" in one_wave
    assert "Wilson" in one_wave and "negatively worded" in one_wave


def test_tables_beneath_the_charts(one_wave):
    # Overall JPD A1: 6 of 7 = 86% (Wilson 49-97).
    assert "86 (49–97)" in one_wave
    assert "JPD A2*" in one_wave  # the negative statement is flagged
    assert "Stage" in one_wave and "B Developing" in one_wave


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
    # jpd.4 moved from C1 to D1: 3 of 7 = 43% -> 3 of 5 = 60%, +17 points (Newcombe: -32 to +56); the
    # counts and n of both waves beside the percentages, the running number beside the code.
    assert "2014 (n=7) 2015 (n=5)" in text and "Count % Count % Points (95% interval)" in text
    assert "JPD D1 (was C1) JPD 5 Pairs and triads work across schools. 3 43 3 60 +17 (-32 to +56) moved" in text
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
    with pytest.raises(AnalysisError, match="one wave or a pair"):
        build_report([wave_2014(), wave_2015(), wave_2015()])


def test_a_wave_without_returns_is_refused_clearly():
    from tui.domain.analysis import WaveReturns
    from tui.domain.returns import empty_wide

    data = wave_2014()
    with pytest.raises(AnalysisError, match="wave 2016 has no returns yet"):
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


# --- layout: what a school receives -------------------------------------------------------------------

from tests.pdf_helpers import overlapping_words, word_boxes  # noqa: E402

GROUPINGS = ["overall", "role_group", "school", "role", "school,role_group"]


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, int], bytes]:
    """The report at every grouping, for one wave and for two."""
    made = {}
    for by in GROUPINGS:
        made[(by, 1)] = build_report([wave_2014()], by=by, k=1, now=MADE)
        made[(by, 2)] = build_report([wave_2014(), wave_2015()], by=by, k=1, now=MADE)
    return made


@pytest.mark.parametrize("by", GROUPINGS)
@pytest.mark.parametrize("waves", [1, 2])
def test_no_two_words_overlap_on_any_page(reports, by, waves):
    """Rendered by pdfium, no word's box runs into another's: group headers such as "HT or DHT (n=3)"
    wrap inside their column instead of running into "Senior Leader (n=2)"."""
    assert overlapping_words(reports[(by, waves)]) == []


def test_the_overlap_check_can_fail():
    from reportlab.pdfgen.canvas import Canvas

    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "HT or DHT (n=8)")
    canvas.drawString(150, 700, "Senior Leader (n=9)")
    canvas.save()
    assert overlapping_words(buffer.getvalue())


def lines_of(page: list) -> list[tuple[float, str]]:
    """(top, text) of each line of a page, top of the page first."""
    rows: dict[float, list] = {}
    for word, (left, _bottom, _right, top) in page:
        rows.setdefault(round(top), []).append((left, word))
    return [(top, " ".join(w for _, w in sorted(words))) for top, words in sorted(rows.items(), reverse=True)]


@pytest.mark.parametrize("by", ["role_group", "school,role_group"])
@pytest.mark.parametrize("waves", [1, 2])
def test_headings_stay_with_what_follows_and_tables_keep_their_title(reports, by, waves):
    pages = [lines_of(page) for page in word_boxes(reports[(by, waves)])]
    for number, lines in enumerate(pages, start=1):
        content = [text for top, text in lines if top > 60]  # above the footer
        headings = {"Response rates", "Reading the figures", "Joint Practice Development (JPD)",
                    "High Social Capital (HSC)"}
        assert content[-1] not in headings, f"page {number} ends with the heading {content[-1]!r}"
        # A table's column header is under its title on every page it reaches, with no row between.
        for index, text in enumerate(content):
            if text.startswith("Code No."):
                titles = [i for i, line in enumerate(content[:index]) if line.startswith("Table ")]
                assert titles, f"page {number}: a table header without its title"
                between = content[titles[-1] + 1:index]
                assert not [line for line in between if re.match(r"^[A-Z&]+ [A-D]\d", line)], (number, between)


def test_a_table_running_onto_the_next_page_says_so():
    from tests.analysis_fixtures import version_2014, wide

    many = [(i, f"{'ABC'[i % 3]}{1 + i % 5}", "10110 110") for i in range(1, 60)]
    data = replace_wide(wave_2014(), wide(version_2014(), "2014", many))
    pages = [lines_of(page) for page in word_boxes(build_report([data], by="role", k=1, now=MADE))]
    continued = [(n, text) for n, lines in enumerate(pages, 1) for _, text in lines if text.endswith("(continued)")]
    titles = [text for lines in pages for _, text in lines if text.startswith("Table ")]
    assert all(text.split(" ")[1].isdigit() for text in titles)
    assert continued, "no table ran onto a second page: make the data longer"
    # Every continued title repeats a title seen on the page before.
    for number, text in continued:
        assert any(t == text.removesuffix(" (continued)") for _, t in pages[number - 2]), text


def replace_wide(data, frame):
    from dataclasses import replace

    return replace(data, wide=frame)


def test_stage_profile_for_each_wave_labelled(reports):
    text = text_of(reports[("role_group", 2)])
    for wave in ("2014", "2015"):
        assert f"Joint Practice Development, wave {wave}: stage profile (mean % of each section)" in text
    assert "Stage: the section whose statements were highlighted most on average" in text


def test_running_numbers_beside_codes(reports):
    text = text_of(reports[("role_group", 1)])
    assert "JPD C1 JPD 4 Pairs and triads work across schools." in text


def test_school_by_role_group_report_is_compact(reports):
    """The 15 school × role group cells get no chart each: their figures are in code-only tables."""
    crossed = len(PdfReader(BytesIO(reports[("school,role_group", 1)])).pages)
    by_school = len(PdfReader(BytesIO(reports[("school", 1)])).pages)
    assert crossed <= by_school + 2, (crossed, by_school)
