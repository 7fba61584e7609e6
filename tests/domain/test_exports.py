"""Exports written and read back: CSV, Parquet, the Excel workbook, README and metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from tests.analysis_fixtures import SCHOOL_NAMES, wave_2014, wave_2015
from tui.domain.analysis import AnalysisError, export_wave, long_returns, raw_tables, school_names_of
from tui.domain.paths import UnsafePathError

MADE = datetime(2015, 2, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def exported(tmp_path):
    return export_wave(wave_2015(), exports_dir=tmp_path / "exports", previous=wave_2014(), by="role_group", k=3,
                       now=MADE)


def test_release_and_research_land_in_separate_folders(exported, tmp_path):
    assert exported.folder == (tmp_path / "exports" / "2015").resolve()
    assert exported.research_folder == (tmp_path / "exports" / "2015-research").resolve()
    release = sorted(p.name for p in exported.files if p.parent == exported.folder)
    tables = ["comparison", "response-rates", "stage-profile", "statement-list", "statements"]
    assert release == sorted([f"{t}-2015.{ext}" for t in tables for ext in ("csv", "parquet")]
                             + ["surveydesk-2015.xlsx", "datapackage.json", "metadata.json", "README.txt"])
    research = sorted(p.name for p in exported.files if p.parent == exported.research_folder)
    internal = ["returns-long", "returns-wide", "statement-list", "statements-unprotected", "response-rates-unprotected"]
    assert research == sorted([f"research-{t}-2015.{ext}" for t in internal for ext in ("csv", "parquet")]
                              + [f"research-returns-{shape}-2015.{ext}" for shape in ("wide", "long")
                                 for ext in ("sav", "dta")]
                              + ["research-2015.xlsx", "research-codebook-2015.md", "research-codebook-2015.pdf",
                                 "datapackage.json", "metadata.json", "README.txt"])
    assert len(release) + len(research) == len(exported.files)
    assert all(p.stat().st_size > 0 for p in exported.files)
    assert not list(exported.folder.glob(".*partial"))
    # Nothing record level or unprotected in the release.
    for path in exported.folder.glob("*.csv"):
        assert "participant_code" not in path.read_text().splitlines()[0], path.name
    assert "RESEARCH ONLY" in (exported.research_folder / "README.txt").read_text()
    assert "may be shared" in (exported.folder / "README.txt").read_text()


def test_release_only_writes_no_research_folder(tmp_path):
    result = export_wave(wave_2014(), exports_dir=tmp_path, formats=("csv",), include_raw=False, k=1)
    assert result.research_folder is None and not (tmp_path / "2014-research").exists()
    assert all(p.parent == result.folder for p in result.files)


def test_csv_and_parquet_read_back(exported):
    statements = pl.read_parquet(exported.folder / "statements-2015.parquet")
    csv = pl.read_csv(exported.folder / "statements-2015.csv")
    assert csv.height == statements.height == 4 * 8  # overall + HD, SLT, T; 8 statements
    row = csv.filter((pl.col("group") == "Overall") & (pl.col("code") == "JPD D1")).row(0, named=True)
    # 2015: jpd.4 (now JPD D1) highlighted by 3 of 5.
    assert (row["statement_id"], row["n"], row["highlighted"], row["percent"]) == ("jpd.4", 5, 3, 60.0)
    assert row["ci_low"] == pytest.approx(23.07, abs=0.01)  # Wilson 3/5: 0.2307 to 0.8824
    # k = 3: HD (2 returns), SLT (1) and T (2) have their sizes and figures withheld: blank in the CSV.
    hd = csv.filter(pl.col("group") == "HD")
    assert hd["suppressed"].all() and hd["percent"].is_null().all() and hd["n"].is_null().all()
    assert hd["suppression"].to_list()[0] == "n withheld"


def test_comparison_export_lists_every_statement(exported):
    comparison = pl.read_csv(exported.folder / "comparison-2015.csv").filter(pl.col("group") == "Overall")
    assert comparison.select("statement_id", "status").rows() == [
        ("jpd.1", "same"), ("jpd.2", "same"), ("jpd.3", "reworded"), ("jpd.6", "only in 2015"),
        ("jpd.4", "moved"), ("jpd.5", "only in 2014"), ("hsc.1", "same"), ("hsc.2", "same"), ("hsc.3", "same")]
    assert comparison.filter(pl.col("statement_id") == "jpd.2")["negative"].to_list() == [True]


def test_raw_returns_wide_and_long(exported):
    wide = pl.read_parquet(exported.research_folder / "research-returns-wide-2015.parquet")
    assert wide.equals(wave_2015().wide)
    long = pl.read_csv(exported.research_folder / "research-returns-long-2015.csv")
    assert long.height == 5 * 8
    assert long.select("return_id", "code", "statement_id", "highlighted").head(3).rows() == [
        (11, "JPD A1", "jpd.1", True), (11, "JPD A2", "jpd.2", False), (11, "JPD B1", "jpd.3", True)]


def test_long_returns_keep_missing_pages_empty():
    data = wave_2014()
    long = long_returns(data.wide.sort("return_id"), data.instrument)
    # Return 3 has no HSC page; return 7 no JPD page.
    assert long.filter((pl.col("return_id") == 3) & (pl.col("bank") == "HSC"))["highlighted"].is_null().all()
    assert long.filter(pl.col("return_id") == 7)["highlighted"].null_count() == 5
    assert long["return_id"].to_list() == [r for r in range(1, 9) for _ in range(8)]


def test_workbook_has_notes_then_a_sheet_per_table(exported):
    import zipfile

    import fastexcel

    path = exported.folder / "surveydesk-2015.xlsx"
    assert fastexcel.read_excel(str(path)).sheet_names == [
        "Notes", "statements", "stage profile", "response rates", "comparison", "statement list"]
    notes = pl.read_excel(path, sheet_name="Notes", has_header=False).to_series().to_list()
    assert any("Small-cell protection (k = 3)" in line for line in notes)
    assert any("verified by second keying" in line for line in notes)
    with zipfile.ZipFile(path) as book:
        properties = book.read("docProps/core.xml").decode()
    assert "Small-cell protection (k = 3)" in properties and "disclosure check" in properties.lower()
    rates = pl.read_excel(path, sheet_name="response rates")
    assert rates.filter(pl.col("grouping") == "overall")["text"].to_list() == ["5 of 68, 7%"]
    statements = pl.read_excel(path, sheet_name="statements")
    assert statements.filter((pl.col("group") == "Overall") & (pl.col("code") == "JPD A1"))["percent"].to_list() == [
        80.0]
    research = fastexcel.read_excel(str(exported.research_folder / "research-2015.xlsx")).sheet_names
    assert research[0] == "Notes" and "returns wide" in research


def test_a_labelled_study_says_so_in_every_file(tmp_path):
    from dataclasses import replace

    label = "SYNTHETIC DEMO: made-up returns"
    result = export_wave(replace(wave_2014(), label=label), exports_dir=tmp_path, k=1)
    for path in result.files:
        if path.suffix == ".parquet":
            assert set(pl.read_parquet(path)["study_label"]) == {label}, path.name
        elif path.suffix == ".xlsx":
            import zipfile

            with zipfile.ZipFile(path) as book:
                assert label in book.read("docProps/core.xml").decode(), path.name
        elif path.suffix in (".sav", ".dta"):
            assert b"SYNTHETIC DEMO" in path.read_bytes(), path.name  # the file label
        elif path.suffix == ".pdf":
            from pypdf import PdfReader

            assert label in PdfReader(path).pages[0].extract_text().replace("\n", " "), path.name
        else:
            assert label in path.read_text(encoding="utf-8-sig"), path.name


def test_readme_and_metadata_say_what_was_made(exported):
    metadata = json.loads((exported.folder / "metadata.json").read_text())
    assert metadata["instrument"] == {"id": "mini", "title": "Mini Partnership Survey", "version": "2015"}
    assert (metadata["wave"], metadata["k"], metadata["made_at"]) == ("2015", 3, "2015-02-01T09:30:00+00:00")
    assert metadata["compared_with"] == {"wave": "2014", "instrument_version": "2014"}
    assert metadata["made_by"].startswith("SurveyDesk ")
    assert "fewer than 3 returns" in metadata["suppression_rule"] and metadata["disclosure_check"].startswith("passed")
    assert metadata["keying"].startswith("5 of 5 returns verified by second keying")
    readme = (exported.folder / "README.txt").read_text()
    for needed in ("wave 2015", "version 2015", "k = 3", "2015-02-01T09:30:00+00:00", "Wilson",
                   "may be shared", "statements (32 rows)", "verified by second keying"):
        assert needed in readme, needed


def test_no_school_name_in_any_file_unless_revealed(tmp_path):
    data = wave_2014()
    plain = export_wave(data, exports_dir=tmp_path, by=("school", "role_group"), formats=("csv", "xlsx"))
    for path in plain.files:
        content = path.read_bytes()
        for name in SCHOOL_NAMES.values():
            assert name.encode() not in content, f"{name} in {path.name}"
    revealed = export_wave(data, exports_dir=tmp_path, folder="2014-named", by="school", formats=("csv",),
                           school_names=school_names_of(data.instrument))
    statements = pl.read_csv(revealed.folder / "statements-2014.csv")
    assert "School A (Hill Top Primary)" in statements["group"].to_list()
    assert pl.read_csv(revealed.research_folder / "research-returns-wide-2014.csv")["school_name"].unique().sort().to_list() == sorted(
        SCHOOL_NAMES.values())
    assert "revealed" in (revealed.folder / "README.txt").read_text()


@pytest.mark.parametrize("folder", ["../outside", "/tmp/elsewhere", "a/../../b"])
def test_folders_outside_the_exports_folder_are_refused(tmp_path, folder):
    with pytest.raises(UnsafePathError, match="outside"):
        export_wave(wave_2014(), exports_dir=tmp_path / "exports", folder=folder)
    assert not (tmp_path / "outside").exists()


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(AnalysisError, match="unknown export format pdf"):
        export_wave(wave_2014(), exports_dir=tmp_path, formats=("csv", "pdf"))


def test_big_raw_tables_stay_out_of_the_workbook(tmp_path, monkeypatch):
    import tui.domain.analysis.exports as exports

    monkeypatch.setattr(exports, "EXCEL_MAX_RAW_CELLS", 50)
    result = exports.export_wave(wave_2014(), exports_dir=tmp_path, formats=("xlsx",))
    assert [n.split(" ")[0] for n in result.notes] == ["returns_wide", "returns_long"]
    import fastexcel

    assert "returns wide" not in fastexcel.read_excel(str(result.research_folder / "research-2014.xlsx")).sheet_names
    assert "left out of the workbook" in (result.research_folder / "README.txt").read_text()


def test_raw_tables_hold_only_this_wave():
    data = wave_2014()
    both = type(data)(data.wave, data.instrument, pl.concat([data.wide, data.wide.with_columns(pl.lit("x").alias(
        "wave"))]))
    assert raw_tables(both)["returns_wide"].height == 8


def _xlsx_parts(path) -> dict[str, str]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_workbook_answers_are_numbers_and_missing_pages_blank(exported):
    wide = pl.read_excel(exported.research_folder / "research-2015.xlsx", sheet_name="returns wide")
    expected = wave_2015().wide
    for code in ("JPD A1", "HSC A1"):
        assert wide[code].dtype.is_numeric(), code  # not the text "1"/"0"/"M"
        assert wide[code].to_list() == [None if v is None else int(v) for v in expected[code].to_list()]
    assert wide["JPD A1"].sum() == expected["JPD A1"].sum()  # what Excel's SUM gives
    long = pl.read_excel(exported.research_folder / "research-2015.xlsx", sheet_name="returns long")
    assert long["highlighted"].dtype.is_numeric() and set(long["highlighted"].drop_nulls()) <= {0, 1}


def test_workbook_keeps_formula_like_text_as_text_and_names_its_tables(tmp_path):
    from dataclasses import replace

    data = wave_2014()
    banks = list(data.instrument.banks)
    section = banks[0].sections[0]
    risky = replace(section.statements[0], text="=HYPERLINK(\"http://example.org\",\"x\")+1")
    banks[0] = replace(banks[0], sections=(replace(section, statements=(risky, *section.statements[1:])),
                                           *banks[0].sections[1:]))
    data = replace(data, instrument=replace(data.instrument, banks=tuple(banks)))
    result = export_wave(data, exports_dir=tmp_path, formats=("xlsx",))
    parts = _xlsx_parts(result.folder / "surveydesk-2014.xlsx")
    sheets = "".join(text for name, text in parts.items() if name.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no cell holds a formula
    assert "HYPERLINK" in parts["xl/sharedStrings.xml"]  # the text itself is kept
    assert not any(name.startswith("xl/worksheets/_rels") and "hyperlink" in text for name, text in parts.items())
    import re

    def table_names(parts: dict[str, str]) -> list[str]:
        return sorted(re.search(r' name="([^"]+)"', text).group(1)
                      for name, text in parts.items() if name.startswith("xl/tables/"))

    assert table_names(parts) == sorted(["statements", "stage_profile", "response_rates", "statement_list"])
    research = _xlsx_parts(result.research_folder / "research-2014.xlsx")
    assert table_names(research) == sorted(["returns_wide", "returns_long", "statement_list", "statements_unprotected",
                                            "response_rates_unprotected"])
    assert "<f>" not in "".join(t for n, t in research.items() if n.startswith("xl/worksheets/"))


def test_csv_files_open_in_excel_as_utf8(exported):
    for path in exported.folder.glob("*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name  # the BOM Excel needs
    rates = exported.folder / "response-rates-2015.csv"
    assert "×" in rates.read_text(encoding="utf-8-sig")
    # ...and every reader used with these files skips it: the first column keeps its name.
    import pandas as pd

    assert pl.read_csv(rates).columns[0] == pd.read_csv(rates).columns[0] == "wave"
