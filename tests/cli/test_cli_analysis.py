"""`surveydesk export`, `report` and `tables`, run as a researcher would from a shell on a real study."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from tests.analysis_study import SECRET_NAME
from tests.cli_runner import Result, surveydesk
from tests.pdf_helpers import everything_in, page_texts
from tui.domain.analysis import figure, wave_returns, wave_tables
from tui.domain.store import Study


@pytest.fixture
def workdir(analysis_study) -> Path:
    """The folder holding a copy of the study, where commands run (so ./exports lands here)."""
    return analysis_study.parent


def run(workdir: Path, *args: str, ok: bool = True) -> Result:
    return surveydesk("--study", "study.db", *args, cwd=workdir, ok=True if ok else None)


def texts_in(folder: Path) -> str:
    """Every file of an export as text: CSV, README and JSON directly; Parquet and every workbook sheet
    read back, so a name hidden in a compressed file is found too."""
    parts = []
    for path in sorted(folder.iterdir()):
        if path.suffix in (".csv", ".txt", ".json", ".md"):
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".pdf":
            parts.append(everything_in(path))
        elif path.suffix in (".sav", ".dta"):
            import pyreadstat

            read = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
            frame, meta = read(str(path), output_format="polars")
            parts += [frame.write_csv(), str(meta.column_labels), str(meta.variable_value_labels)]
        elif path.suffix == ".parquet":
            parts.append(pl.read_parquet(path).write_csv())
        elif path.suffix == ".xlsx":
            parts += [sheet.write_csv() for sheet in pl.read_excel(path, sheet_id=0).values()]
    return "\n".join(parts)


@pytest.mark.slow
def test_export_writes_every_table_under_the_wave_folder(workdir):
    out = run(workdir, "export", "--wave", "2015", "--compare-with", "2014").stdout
    folder = workdir / "exports" / "2015"
    assert "exported wave 2015 (49 returns) compared with 2014 (31 returns), grouping role_group, k = 5" in out
    assert "to exports/2015" in out
    tables = ["statements", "stage-profile", "response-rates", "comparison", "statement-list"]
    expected = {f"{t}-2015.{ext}" for t in tables for ext in ("csv", "parquet")}
    expected |= {"surveydesk-2015.xlsx", "datapackage.json", "metadata.json", "README.txt"}
    assert {p.name for p in folder.iterdir() if p.name != ".surveydesk-wave.json"} == expected
    assert all(f"  {name}  (" in out for name in expected)
    research = workdir / "exports" / "2015-research"
    internal = ["returns-wide", "returns-long", "statement-list", "statements-unprotected", "response-rates-unprotected"]
    expected_research = {f"research-{t}-2015.{ext}" for t in internal for ext in ("csv", "parquet")}
    expected_research |= {f"research-{t}-2015.{ext}" for t in ("returns-wide", "returns-long") for ext in ("sav", "dta")}
    expected_research |= {"research-2015.xlsx", "research-codebook-2015.md", "research-codebook-2015.pdf",
                          "datapackage.json", "metadata.json", "README.txt"}
    assert {p.name for p in research.iterdir() if p.name != ".surveydesk-wave.json"} == expected_research
    assert "research only (record-level returns, unprotected tables; keep within the research team): " \
           "exports/2015-research" in out

    sheets = pl.read_excel(folder / "surveydesk-2015.xlsx", sheet_id=0)
    assert set(sheets) == {"Notes", "statements", "stage profile", "response rates", "comparison", "statement list"}
    assert pl.read_excel(research / "research-2015.xlsx", sheet_name="returns wide").height == 49
    overall = sheets["response rates"].filter(pl.col("grouping") == "overall")["text"].to_list()
    assert overall == ["49 of 60, 82%"]

    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["instrument"]["version"] == "2015" and metadata["wave"] == "2015" and metadata["k"] == 5
    assert metadata["compared_with"] == {"wave": "2014", "instrument_version": "2015"}
    assert metadata["school_names"] == "letters only"
    readme = (folder / "README.txt").read_text()
    assert "Instrument: Partnership Survey Form (partnership-survey, version 2015)" in readme
    assert "Small-cell protection (k = 5)" in readme and "Made: " in readme


@pytest.mark.slow
def test_school_names_only_with_the_explicit_flag(workdir):
    run(workdir, "export", "--wave", "2015", "--by", "school,role_group")
    assert SECRET_NAME not in texts_in(workdir / "exports" / "2015")
    assert SECRET_NAME not in texts_in(workdir / "exports" / "2015-research")
    assert "School A · HD" in (workdir / "exports" / "2015" / "statements-2015.csv").read_text()
    out = run(workdir, "export", "--wave", "2015", "--by", "school", "--folder", "named", "--reveal-school-names")
    assert "school names REVEALED" in out.stdout
    named = texts_in(workdir / "exports" / "named")
    assert f"School A ({SECRET_NAME})" in named
    assert json.loads((workdir / "exports" / "named" / "metadata.json").read_text())["school_names"] == \
        "revealed at the researcher's request"


@pytest.mark.slow
def test_paths_outside_the_exports_folder_are_refused(workdir):
    for folder in ("../outside", str(workdir / "elsewhere")):
        result = run(workdir, "export", "--folder", folder, ok=False)
        assert result.returncode == 1
        assert "refused:" in result.stderr and "would be written outside" in result.stderr
    result = run(workdir, "report", "--file", "../../report.pdf", ok=False)
    assert result.returncode == 1 and "would be written outside" in result.stderr
    (workdir / "exports").mkdir(exist_ok=True)
    (workdir / "exports" / "link").symlink_to(workdir)
    assert "would be written outside" in run(workdir, "export", "--folder", "link", ok=False).stderr
    assert not [p for p in (workdir / "outside", workdir / "elsewhere", workdir.parent / "report.pdf") if p.exists()]
    assert [p.name for p in (workdir / "exports").iterdir()] == ["link"]


@pytest.mark.slow
def test_bad_choices_get_clear_messages(workdir):
    unknown = run(workdir, "export", "--wave", "2016", ok=False)
    assert unknown.returncode == 1 and "no wave named '2016' (waves: 2014, 2015)" in unknown.stderr
    assert "unknown grouping 'form'" in run(workdir, "report", "--by", "form", ok=False).stderr
    assert "unknown export format pdf" in run(workdir, "export", "--formats", "csv,pdf", ok=False).stderr
    assert "at least 1" in run(workdir, "tables", "--k", "0", ok=False).stderr
    assert "no such bank" in run(workdir, "tables", "--bank", "XYZ", ok=False).stderr
    assert "choose a wave other than 2015" in run(workdir, "export", "--compare-with", "2015", ok=False).stderr
    assert not (workdir / "exports").exists()


@pytest.mark.slow
def test_export_formats_and_release_only(workdir):
    out = run(workdir, "export", "--formats", "csv", "--release-only", "--k", "8").stdout
    names = {p.name for p in (workdir / "exports" / "2015").iterdir() if p.name != ".surveydesk-wave.json"}
    assert names == {"statements-2015.csv", "stage-profile-2015.csv", "response-rates-2015.csv",
                     "statement-list-2015.csv", "datapackage.json", "metadata.json", "README.txt"}
    assert "k = 8" in out and not (workdir / "exports" / "2015-research").exists()


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page_texts(path)))


@pytest.mark.slow
def test_report_titles_rates_and_no_suppressed_figures(workdir):
    k = 5
    out = run(workdir, "report", "--wave", "2014", "--by", "school").stdout
    path = workdir / "exports" / "2014" / "report-2014.pdf"
    assert "written to exports/2014/report-2014.pdf" in out
    text = pdf_text(path)
    assert "Figure 1 Joint Practice Development Overall (31 responses)" in text
    assert "Wave 2014: 31 of 68, 46%" in text and f"k = {k}" in text and "supp." in text

    # Figures of suppressed groups, as the report would print them unprotected, never appear.
    with Study.open(workdir / "study.db") as study:
        data = wave_returns(study, "2014")
    protected = wave_tables(data, by="school", k=k)["statements"]
    unprotected = wave_tables(data, by="school", k=1)["statements"]
    shown = {figure(*r) for r in protected.filter(~pl.col("suppressed"))
             .select("percent", "ci_low", "ci_high").iter_rows()}
    hidden = unprotected.filter(protected["suppressed"]).select("percent", "ci_low", "ci_high").iter_rows()
    leaks = {figure(*r) for r in hidden} - shown
    assert leaks
    assert not [leak for leak in leaks if leak in text]
    run(workdir, "report", "--wave", "2014", "--by", "school", "--k", "1", "--file", "open.pdf")
    assert [leak for leak in leaks if leak in pdf_text(workdir / "exports" / "2014" / "open.pdf")]
    assert SECRET_NAME not in everything_in(path)


@pytest.mark.slow
def test_report_of_two_waves_is_paired(workdir):
    out = run(workdir, "report", "--wave", "2015", "--compare-with", "2014", "--by", "overall").stdout
    assert "exports/2015/report-2014-2015.pdf" in out
    text = pdf_text(workdir / "exports" / "2015" / "report-2014-2015.pdf")
    with Study.open(workdir / "study.db") as study:
        # Respondents with a JPD page (a missing page drops out of the bank's n).
        ns = [wave_returns(study, wave).wide["JPD A1"].count() for wave in ("2014", "2015")]
    assert f"Figure 1 2014/2015 Joint Practice Development Overall ({ns[0]}–{ns[1]} responses)" in text
    assert "Wave 2015: 49 of 60, 82%" in text


@pytest.mark.slow
def test_tables_prints_the_protected_figures(workdir):
    out = run(workdir, "tables", "--wave", "2014", "--bank", "JPD", "--by", "school").stdout
    assert "wave 2014 (31 returns), grouping school, k = 5" in out
    assert "Responses 2014: 31 of 68, 46%" in out
    with Study.open(workdir / "study.db") as study:
        verified = int(study.returns_wide("2014")["verified"].fill_null(False).sum())
    # How many returns a second keying verified (imported ones count as keyed once).
    assert f"{verified} of 31 returns verified by second keying; {31 - verified} keyed once" in out
    assert "JPD Joint Practice Development" in out and "High Social Capital" not in out
    with Study.open(workdir / "study.db") as study:
        table = wave_tables(wave_returns(study, "2014"), by="school", k=5)["statements"]
    a1 = table.filter(pl.col("code") == "JPD A1", pl.col("group") == "Overall").row(0, named=True)
    line = next(line for line in out.splitlines() if "Overall" in line and "JPD A1 " in line)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[:6] == ["Overall", "JPD A1", str(a1["n"]), str(a1["highlighted"]), figure(a1["percent"]),
                         f"{figure(a1['ci_low'])}–{figure(a1['ci_high'])}"]
    hidden = table.filter(pl.col("code") == "JPD A1", pl.col("suppressed"))
    assert hidden.height
    for group in hidden["group"]:
        line = next(line for line in out.splitlines() if f"{group} " in line and "JPD A1 " in line)
        reason = hidden.filter(pl.col("group") == group)["suppression"][0]
        assert f"│ supp. │ {reason:>12} │" in line
    assert "Any group with fewer than 5 returns" in out
    assert "supp. suppressed: n withheld" in out and "primary (fewer than 5 respondents to the bank)" in out
    # The stage profile of the bank, each group's reading as the thesis reads its charts.
    with Study.open(workdir / "study.db") as study:
        profile = wave_tables(wave_returns(study, "2014"), by="school", k=5)["stage_profile"]
    assert "Response rates are returns of the people asked" in out
    assert "JPD stage profile: mean % of each section" in out and "Stage: the section whose statements" in out
    for row in profile.filter(pl.col("bank") == "JPD").iter_rows(named=True):
        line = next(line for line in out.splitlines() if line.startswith(f"│ {row['group']} ") and "JPD" not in line)
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if row["suppressed"]:
            assert cells[2:] == ["supp."] * 5, line
        else:
            assert cells[2:] == [figure(row[f"mean_{s}"]) for s in "ABCD"] + [f"{row['stage_section']} {row['stage']}"]


@pytest.mark.slow
def test_tables_as_csv_for_scripts(workdir):
    out = run(workdir, "tables", "--bank", "hsc", "--by", "overall", "--csv").stdout
    frame = pl.read_csv(out.encode())
    assert frame["code"].to_list()[0] == "HSC A1" and set(frame["bank"]) == {"HSC"}
    assert set(frame["group"]) == {"Overall"} and "suppressed" in frame.columns


@pytest.mark.slow
def test_disclosure_check_prints_the_narrowest_ranges_and_passes(workdir):
    result = run(workdir, "disclosure-check", "--wave", "2014", "--show", "3")
    out = result.stdout
    assert "withheld figures (counts of returns, n per bank, highlighted counts) checked" in out
    ranges = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(ranges) == 3 and all(re.search(r": \d+–(\d+|no upper bound)", line) for line in ranges), ranges
    assert "passed: no withheld figure can be worked out exactly" in out
    assert "Any group with fewer than 5 returns" in out
