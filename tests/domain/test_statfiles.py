"""SPSS .sav and Stata .dta of the raw returns, the codebook and datapackage.json, read back with the
tools researchers use (pyreadstat, frictionless, pandas, polars): every value and every label."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pyreadstat
import pytest

from tests.analysis_fixtures import wave_2014, wave_2015
from tui.domain.analysis import export_wave, long_returns
from tui.domain.analysis.statfiles import (
    NAME_LIMIT,
    SPSS_LABEL_BYTES,
    STATA_LABEL_CHARS,
    long_stat_table,
    variable_name,
    variable_names,
    wide_stat_table,
)
from tui.domain.instrument import bundled_instrument_path, load_instrument

MADE = datetime(2015, 2, 1, 9, 30, tzinfo=UTC)
VALID = r"^[A-Za-z][A-Za-z0-9_]*$"


def sample():
    """Wave 2015 of the fixtures with serials that start with zeros, as printed forms carry them, and
    return 13's HSC page missing."""
    data = wave_2015()
    hsc = [c for c in data.wide.columns if c.startswith("HSC ")]
    wide = data.wide.with_columns(
        pl.format("00000{}", pl.col("return_id")).alias("serial"),
        *[pl.when(pl.col("return_id") != 13).then(pl.col(c)).alias(c) for c in hsc])
    return replace(data, wide=wide)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return export_wave(sample(), exports_dir=folder, previous=wave_2014(), k=3, now=MADE)


def read(path):
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    return reader(str(path), user_missing=True, output_format="polars")


def test_statement_codes_become_valid_distinct_names():
    assert variable_name("JPD A1") == "JPD_A1"
    assert variable_name("E&C A1") == "EC_A1"
    assert variable_name("1st") == "v_1st" and variable_name("with") == "with_" and variable_name("") == "v_"
    assert len(variable_name("x" * 80)) == NAME_LIMIT
    # Two codes that clean to the same name (or differ only in case, as SPSS compares) stay apart.
    assert variable_names(["E&C A1", "EC A1", "ec_a1"]) == {"E&C A1": "EC_A1", "EC A1": "EC_A1_2", "ec_a1": "ec_a1_3"}
    bundled = load_instrument(bundled_instrument_path())
    names = variable_names(bundled.codes())
    assert len(set(n.lower() for n in names.values())) == 60
    assert all(pl.Series([n]).str.contains(VALID).all() and len(n) <= NAME_LIMIT for n in names.values())
    assert names["E&C A1"] == "EC_A1"


@pytest.mark.parametrize("extension", ["sav", "dta"])
def test_wide_file_holds_every_value_and_label(exported, extension):
    data = sample()
    expected = data.wide.filter(pl.col("wave") == "2015").sort("return_id")
    frame, meta = read(exported.research_folder / f"research-returns-wide-2015.{extension}")
    names = variable_names(expected.columns)
    assert frame.columns == list(names.values())
    assert frame.height == expected.height
    missing = 9 if extension == "sav" else "a"
    for column, name in names.items():
        got = frame[name].to_list()
        want = expected[column].to_list()
        if column in data.instrument.codes():  # 1/0, and the missing page as the defined missing value
            assert got == [missing if v is None else int(v) for v in want], name
        elif expected[column].dtype == pl.String:
            assert got == [v or "" for v in want], name  # strings stay strings: serial 0000011 keeps its zeros
        else:
            assert [int(v) for v in got] == [int(v) for v in want], name
    assert frame["serial"].to_list()[0] == "000001" + "1"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    limit = (lambda t: len(t.encode()) <= SPSS_LABEL_BYTES) if extension == "sav" else (
        lambda t: len(t) <= STATA_LABEL_CHARS)
    assert all(limit(label) for label in labels.values())
    assert labels["JPD_A2"] == "JPD A2 (JPD 2, negative): Staff development is not seen as a high priority."
    assert labels["serial"].startswith("Serial")
    for code in data.instrument.codes():
        assert {float(k) if extension == "sav" else k: v for k, v in meta.variable_value_labels[variable_names(
            [code])[code]].items()} == {0: "not highlighted", 1: "highlighted", missing: "bank page missing"}
    assert meta.variable_value_labels["role"] == {1: "Governor", 2: "HT or DHT", 3: "Senior Leader",
                                                  4: "Middle Leader", 5: "Teacher"}
    if extension == "sav":
        assert meta.missing_ranges["HSC_A1"] == [{"lo": 9.0, "hi": 9.0}]
        assert meta.readstat_variable_types["serial"] == "string"
    else:
        assert meta.missing_user_values["HSC_A1"] == ["a"]
    # Read the usual way, a missing page is missing: the mean is over the pages present.
    plain, _ = (pyreadstat.read_sav if extension == "sav" else pyreadstat.read_dta)(
        str(exported.research_folder / f"research-returns-wide-2015.{extension}"), output_format="polars")
    assert plain["HSC_A1"].null_count() == expected["HSC A1"].null_count() > 0
    assert plain["HSC_A1"].mean() == pytest.approx(expected["HSC A1"].cast(pl.Float64).mean())


@pytest.mark.parametrize("extension", ["sav", "dta"])
def test_long_file_holds_every_value_and_label(exported, extension):
    data = sample()
    expected = long_returns(data.wide.filter(pl.col("wave") == "2015").sort("return_id"), data.instrument)
    frame, meta = read(exported.research_folder / f"research-returns-long-2015.{extension}")
    assert frame.height == expected.height
    missing = 9 if extension == "sav" else "a"
    assert frame["highlighted"].to_list() == [missing if v is None else int(v) for v in expected["highlighted"]]
    assert frame["code"].to_list() == expected["code"].to_list()
    assert frame["variable"].to_list() == [variable_name(c) for c in expected["code"]]
    assert [int(v) for v in frame["negative"]] == [int(v) for v in expected["negative"]]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["highlighted"].startswith("Highlighted") and labels["variable"].startswith("The statement's")


def test_labels_are_cut_to_each_format_with_the_whole_text_in_the_codebook():
    data = wave_2014()
    long_text = "Ünïcödé statement " * 30
    table = wide_stat_table(data.wide, data.instrument)
    table = replace(table, labels={**table.labels, "JPD_A1": long_text})
    from tui.domain.analysis.statfiles import cut_bytes, cut_chars

    assert len(cut_bytes(long_text, SPSS_LABEL_BYTES).encode()) <= SPSS_LABEL_BYTES
    assert cut_chars(long_text, STATA_LABEL_CHARS).endswith("…") and len(cut_chars(long_text, 80)) == 80
    assert long_stat_table(long_returns(data.wide, data.instrument), data.instrument).answers == ("highlighted",)


def test_codebook_lists_every_variable_with_its_figures(exported):
    text = (exported.research_folder / "research-codebook-2015.md").read_text(encoding="utf-8")
    data = wave_2015()
    for ref in data.instrument.refs():
        assert f"| {variable_name(ref.code)} | {ref.code} | {ref.number_code} |" in text, ref.code
        assert ref.statement.text in text
    # 2015 JPD D1 (jpd.4): 3 of 5 highlighted; JPD A2 is negative and in section A, Beginning.
    assert "| JPD_D1 | JPD D1 | JPD 5 | JPD | D | Leading | no | 5 | 60 | Pairs and triads" in text
    assert "| JPD_A2 | JPD A2 | JPD 2 | JPD | A | Beginning | yes | 5 | 0 |" in text
    assert "user-missing" in text and ".a, an extended missing value" in text
    assert "| role | role | Role digit | 1 Governor; 2 HT or DHT" in text
    from tests.pdf_helpers import everything_in

    pdf = everything_in(exported.research_folder / "research-codebook-2015.pdf")
    for needed in ("Codebook", "JPD_D1", "Pairs and triads work across schools.", "user-missing", "Leading"):
        assert needed in pdf, needed


def test_codebook_suppresses_a_wave_smaller_than_k(tmp_path):
    result = export_wave(wave_2015(), exports_dir=tmp_path, k=6, formats=("csv",))
    text = (result.research_folder / "research-codebook-2015.md").read_text(encoding="utf-8")
    # 5 returns, k = 6: the wave's size is withheld with its figures (the release's rule).
    assert "| JPD_D1 | JPD D1 | JPD 5 | JPD | D | Leading | no | supp. | supp. |" in text


def test_datapackage_describes_every_csv_and_frictionless_validates_it(exported):
    from frictionless import Package, validate

    for folder in (exported.folder, exported.research_folder):  # the release and the research folder
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["type", "message"])
        listed = json.loads((folder / "datapackage.json").read_text())
        assert sorted(r["path"] for r in listed["resources"]) == sorted(
            p.name for p in exported.files if p.suffix == ".csv" and p.parent == folder)
    package = json.loads((exported.folder / "datapackage.json").read_text())
    # Read by its schema, the serial stays text and a missing page is missing, not the letter M.
    wide = Package(str(exported.research_folder / "datapackage.json")).get_resource("returns-wide")
    rows = wide.read_rows()
    assert rows[0]["serial"] == "0000011"
    assert [r["HSC A1"] for r in rows] == [None if v is None else int(v)
                                           for v in sample().wide.sort("return_id")["HSC A1"]]
    fields = {f["name"]: f for f in next(r for r in package["resources"]
                                         if r["name"] == "statements")["schema"]["fields"]}
    assert (fields["n"]["type"], fields["percent"]["type"], fields["negative"]["type"]) == ("integer", "number",
                                                                                            "boolean")


def test_datapackage_fails_validation_when_a_file_disagrees(exported, tmp_path):
    """The check can fail: a CSV that no longer matches its schema is reported."""
    import shutil

    from frictionless import validate

    copy = tmp_path / "copy"
    shutil.copytree(exported.research_folder, copy)
    wide = copy / "research-returns-wide-2015.csv"
    wide.write_text(wide.read_text(encoding="utf-8-sig").replace(",M,", ",X,", 1), encoding="utf-8-sig")
    assert not validate(str(copy / "datapackage.json")).valid


def test_no_raw_means_no_record_level_statistics_files(tmp_path):
    result = export_wave(wave_2015(), exports_dir=tmp_path, include_raw=False)
    suffixes = {p.suffix for p in result.files}
    assert ".sav" not in suffixes and ".dta" not in suffixes


def test_stat_formats_alone(tmp_path):
    result = export_wave(wave_2015(), exports_dir=tmp_path, formats=("dta",))
    assert sorted(p.name for p in result.files if p.parent == result.research_folder) == sorted(
        ["research-returns-wide-2015.dta", "research-returns-long-2015.dta", "research-codebook-2015.md",
         "research-codebook-2015.pdf", "metadata.json", "README.txt"])
    # SPSS and Stata files are record level: never in the release.
    assert sorted(p.name for p in result.files if p.parent == result.folder) == ["README.txt", "metadata.json"]
