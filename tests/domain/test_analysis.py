"""Every figure of the analysis tables against values worked out by hand (see analysis_fixtures)."""

from __future__ import annotations

import polars as pl
import pytest

from tests.analysis_fixtures import protected, thesis_wave, version_2014, wave_2014, wave_2015, wide
from tui.domain.analysis import (
    STATEMENT_TABLE_COLUMNS,
    AnalysisError,
    GroupingError,
    compare_waves,
    group_chart,
    levels,
    parse_grouping,
    percent_text,
    response_rates,
    stage_profile,
    statement_table,
    wave_chart,
    whole,
    wilson_interval,
)


def figures(table: pl.DataFrame, group: str, bank: str | None = None) -> list[tuple[str, int, int]]:
    rows = table.filter(pl.col("group") == group)
    if bank:
        rows = rows.filter(pl.col("bank") == bank)
    return list(rows.select("code", "n", "highlighted").iter_rows())


@pytest.fixture
def table_2014() -> pl.DataFrame:
    data = wave_2014()
    return statement_table(data.wide, data.instrument, ("school", "role_group"))


# --- groupings ---------------------------------------------------------------------------


@pytest.mark.parametrize("spec, dims", [
    (None, ()), ("overall", ()), ("role_group", ("role_group",)), ("role-group", ("role_group",)),
    ("school,role_group", ("school", "role_group")), ("school × role_group", ("school", "role_group")),
    (["role", "school"], ("role", "school")),
])
def test_parse_grouping(spec, dims):
    assert parse_grouping(spec) == dims


def test_unknown_grouping_names_the_valid_ones():
    with pytest.raises(GroupingError, match="unknown grouping 'class'.*school, role_group, role"):
        parse_grouping("school,class")


def test_levels_are_every_margin_coarsest_first():
    assert levels(("school", "role_group")) == [(), ("school",), ("role_group",), ("school", "role_group")]


# --- the per-statement table ---------------------------------------------------------------


def test_overall_counts_missing_pages_out_of_n(table_2014):
    # JPD: return 7's page is missing, so n = 7 of 8 returns; HSC: return 3's page is missing.
    assert figures(table_2014, "Overall") == [
        ("JPD A1", 7, 6), ("JPD A2", 7, 2), ("JPD B1", 7, 5), ("JPD C1", 7, 3), ("JPD D1", 7, 1),
        ("HSC A1", 7, 6), ("HSC B1", 7, 4), ("HSC D1", 7, 1),
    ]
    percent = table_2014.filter(pl.col("group") == "Overall")["percent"].to_list()
    assert percent == pytest.approx([600 / 7, 200 / 7, 500 / 7, 300 / 7, 100 / 7, 600 / 7, 400 / 7, 100 / 7])


def test_role_groups(table_2014):
    # HD = returns 1, 2, 4; SLT = 3, 8; T = 5, 6, 7 (7 has no JPD page, 3 no HSC page).
    assert figures(table_2014, "HD") == [
        ("JPD A1", 3, 3), ("JPD A2", 3, 0), ("JPD B1", 3, 3), ("JPD C1", 3, 2), ("JPD D1", 3, 1),
        ("HSC A1", 3, 3), ("HSC B1", 3, 2), ("HSC D1", 3, 1)]
    assert figures(table_2014, "SLT") == [
        ("JPD A1", 2, 2), ("JPD A2", 2, 1), ("JPD B1", 2, 1), ("JPD C1", 2, 1), ("JPD D1", 2, 0),
        ("HSC A1", 1, 1), ("HSC B1", 1, 1), ("HSC D1", 1, 0)]
    assert figures(table_2014, "T") == [
        ("JPD A1", 2, 1), ("JPD A2", 2, 1), ("JPD B1", 2, 1), ("JPD C1", 2, 0), ("JPD D1", 2, 0),
        ("HSC A1", 3, 2), ("HSC B1", 3, 1), ("HSC D1", 3, 0)]


def test_schools_and_crossing(table_2014):
    # School A = returns 1, 2, 3; C = 7 (no JPD page), 8.
    assert figures(table_2014, "School A", "JPD") == [
        ("JPD A1", 3, 3), ("JPD A2", 3, 1), ("JPD B1", 3, 2), ("JPD C1", 3, 1), ("JPD D1", 3, 0)]
    assert figures(table_2014, "School C", "JPD") == [
        ("JPD A1", 1, 1), ("JPD A2", 1, 0), ("JPD B1", 1, 1), ("JPD C1", 1, 1), ("JPD D1", 1, 0)]
    # A·HD = returns 1, 2; C·T = return 7 only, whose JPD page is missing.
    assert figures(table_2014, "School A · HD", "HSC") == [("HSC A1", 2, 2), ("HSC B1", 2, 1), ("HSC D1", 2, 0)]
    assert figures(table_2014, "School C · T", "JPD")[0] == ("JPD A1", 0, 0)
    empty = table_2014.filter((pl.col("group") == "School C · T") & (pl.col("bank") == "JPD"))
    assert empty["percent"].is_null().all() and empty["ci_low"].is_null().all()
    assert table_2014.filter(pl.col("group") == "School C · T")["school"].unique().to_list() == ["C"]
    # Groups appear in key order within each grouping, margins coarsest first.
    assert table_2014["group"].unique(maintain_order=True).to_list() == [
        "Overall", "School A", "School B", "School C", "HD", "SLT", "T",
        "School A · HD", "School A · SLT", "School B · HD", "School B · T", "School C · SLT", "School C · T"]


def test_statement_columns_and_negative_flag(table_2014):
    assert tuple(table_2014.columns) == STATEMENT_TABLE_COLUMNS
    row = table_2014.filter((pl.col("group") == "Overall") & (pl.col("code") == "JPD A2")).row(0, named=True)
    assert (row["wave"], row["bank"], row["section"], row["stage"], row["number"], row["number_code"],
            row["statement_id"], row["negative"]) == ("2014", "JPD", "A", "Beginning", 2, "JPD 2", "jpd.2", True)
    assert row["text"] == "Staff development is not seen as a high priority."
    negatives = table_2014.filter(pl.col("negative"))["code"].unique().to_list()
    assert negatives == ["JPD A2"]


def test_roles_carry_their_role_group():
    data = wave_2014()
    table = statement_table(data.wide, data.instrument, "role")
    row = table.filter(pl.col("group") == "HT or DHT").row(0, named=True)
    # Role 2 = returns 2 (A2) and 4 (B2).
    assert (row["role"], row["role_group"], row["n"], row["highlighted"]) == (2, "HD", 2, 2)
    assert table["grouping"].unique(maintain_order=True).to_list() == ["overall", "role"]


def test_without_margins_only_the_crossing():
    data = wave_2014()
    table = statement_table(data.wide, data.instrument, ("school", "role_group"), margins=False)
    assert table["grouping"].unique().to_list() == ["school × role_group"]


def test_returns_keyed_against_another_version_are_refused():
    data = wave_2014()
    from tests.analysis_fixtures import version_2015
    with pytest.raises(AnalysisError, match="no column for JPD C1"):
        statement_table(data.wide.drop("JPD C1"), version_2015())


# --- Wilson intervals ------------------------------------------------------------------------


@pytest.mark.parametrize("x, n, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
    # 5 of 10: centre 0.5, half-width 1.96/1.384 * sqrt(0.025 + 0.0096) = 0.2634.
    (5, 10, 0.2366, 0.7634),
])
def test_wilson_interval_known_values(x, n, low, high):
    got = wilson_interval(x, n)
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("n", [1, 7, 10, 31, 68, 1000])
def test_wilson_interval_is_exactly_0_at_0_percent_and_1_at_100_percent(n):
    assert wilson_interval(0, n)[0] == 0.0  # was 6.9e-16 for some n
    assert wilson_interval(n, n)[1] == 1.0
    # The Wilson bound at 0 % is 0 in exact arithmetic: the low end of the table's CI column too.
    assert wilson_interval(0, n)[1] > 0 and wilson_interval(n, n)[0] < 1


def test_wilson_interval_of_nobody_is_none():
    assert wilson_interval(0, 0) is None


def test_table_interval_matches_published_value():
    instrument = version_2014()
    rows = [(i, "B5", ("10000" if i <= 81 else "00000") + " 000") for i in range(1, 264)]
    table = statement_table(wide(instrument, "w", rows), instrument, None)
    row = table.filter(pl.col("code") == "JPD A1").row(0, named=True)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((25.53, 36.62), abs=5e-3)
    assert row["percent"] == pytest.approx(8100 / 263)


# --- stage profile ---------------------------------------------------------------------------


def test_stage_profile_overall(table_2014):
    profile = stage_profile(table_2014).filter(pl.col("group") == "Overall")
    jpd, hsc = profile.rows(named=True)
    # JPD: A = mean(6/7, 2/7) = 57.1%, B = 71.4%, C = 42.9%, D = 14.3% -> highest B.
    assert [jpd[f"mean_{s}"] for s in "ABCD"] == pytest.approx([400 / 7, 500 / 7, 300 / 7, 100 / 7])
    assert (jpd["n"], jpd["stage_section"], jpd["stage"]) == (7, "B", "Developing")
    # HSC: section C is empty (no mean, not in the reading); A 85.7, B 57.1, D 14.3 -> A.
    assert hsc["mean_C"] is None
    assert [hsc["mean_A"], hsc["mean_B"], hsc["mean_D"]] == pytest.approx([600 / 7, 400 / 7, 100 / 7])
    assert (hsc["stage_section"], hsc["stage"]) == ("A", "Beginning")


def test_stage_reading_is_the_highest_section_earlier_on_a_tie(table_2014):
    def row(group):
        return stage_profile(table_2014).filter((pl.col("group") == group) & (pl.col("bank") == "JPD")).row(
            0, named=True)

    # SLT, JPD: A = mean(100, 50) = 75, B = 50, C = 50, D = 0 -> A.
    slt = row("SLT")
    assert [slt[f"mean_{s}"] for s in "ABCD"] == pytest.approx([75, 50, 50, 0])
    assert (slt["stage_section"], slt["stage"]) == ("A", "Beginning")
    # T, JPD: A = mean(50, 50) = 50, B = 50, C = D = 0 -> a tie goes to the earlier section, A.
    assert (row("T")["stage_section"], row("T")["stage"]) == ("A", "Beginning")
    # The negative statement counts as highlighted: HD's A = mean(JPD A1 100, JPD A2 0) = 50 < B 100.
    hd = row("HD")
    assert (hd["mean_A"], hd["mean_B"], hd["stage_section"]) == (50, 100, "B")


def test_no_stage_reading_when_nothing_was_highlighted(table_2014):
    blank = table_2014.with_columns(pl.lit(0.0).alias("percent"))
    assert stage_profile(blank)["stage_section"].is_null().all()


def test_stage_profile_of_suppressed_group_is_suppressed():
    profile = stage_profile(protected(wave_2014(), ("school", "role_group"), k=3))
    slt = profile.filter((pl.col("group") == "SLT") & (pl.col("bank") == "JPD")).row(0, named=True)
    # SLT has 2 returns: its size is withheld with its figures.
    assert slt["suppressed"] and slt["n"] is None and slt["mean_A"] is None and slt["stage_section"] is None
    t = profile.filter((pl.col("group") == "T") & (pl.col("bank") == "JPD")).row(0, named=True)
    assert t["suppressed"] and t["n"] == 2 and t["mean_A"] is None  # 3 returns, 2 with the JPD page
    overall = profile.filter((pl.col("group") == "Overall") & (pl.col("bank") == "JPD")).row(0, named=True)
    # Overall, JPD: A = mean(6/7, 2/7) = 57, B = 5/7 = 71, C = 3/7, D = 1/7 -> B (Developing).
    assert not overall["suppressed"] and (overall["stage_section"], overall["stage"]) == ("B", "Developing")


# --- wave comparison ---------------------------------------------------------------------------


def _tables(by=None):
    first, second = wave_2014(), wave_2015()
    return (statement_table(first.wide, first.instrument, by), statement_table(second.wide, second.instrument, by))


def test_waves_match_by_statement_id_across_versions():
    comparison = compare_waves(*_tables())
    rows = comparison.select("statement_id", "status", "code_first", "code_second", "percent_first",
                             "percent_second", "change").rows()
    assert [r[:4] for r in rows] == [
        ("jpd.1", "same", "JPD A1", "JPD A1"),
        ("jpd.2", "same", "JPD A2", "JPD A2"),
        ("jpd.3", "reworded", "JPD B1", "JPD B1"),
        ("jpd.6", "only in 2015", None, "JPD C1"),
        ("jpd.4", "moved", "JPD C1", "JPD D1"),
        ("jpd.5", "only in 2014", "JPD D1", None),
        ("hsc.1", "same", "HSC A1", "HSC A1"),
        ("hsc.2", "same", "HSC B1", "HSC B1"),
        ("hsc.3", "same", "HSC D1", "HSC D1"),
    ]
    # 2015 (n = 5): jpd.1 4/5, jpd.2 0/5, jpd.3 4/5, jpd.6 2/5, jpd.4 3/5; HSC 4/5, 3/5, 1/5.
    expected = [(600 / 7, 80), (200 / 7, 0), (500 / 7, 80), (None, 40), (300 / 7, 60), (100 / 7, None),
                (600 / 7, 80), (400 / 7, 60), (100 / 7, 20)]
    for (first, second), row in zip(expected, rows, strict=True):
        assert row[4] == (pytest.approx(first) if first is not None else None)
        assert row[5] == (pytest.approx(second) if second is not None else None)
        assert row[6] == (pytest.approx(second - first) if None not in (first, second) else None)
    assert comparison.filter(pl.col("statement_id") == "jpd.2")["negative"].to_list() == [True]
    assert comparison.filter(pl.col("statement_id") == "jpd.3")["text"].to_list() == [
        "Peer observation sessions are routine."]


def test_comparison_by_group_keeps_groups_apart():
    comparison = compare_waves(*_tables("role_group"))
    hd = comparison.filter((pl.col("group") == "HD") & (pl.col("statement_id") == "jpd.4")).row(0, named=True)
    # HD 2014: returns 1, 2, 4 -> jpd.4 2/3; HD 2015: returns 11, 12 -> jpd.4 2/2.
    assert (hd["n_first"], hd["highlighted_first"], hd["n_second"], hd["highlighted_second"]) == (3, 2, 2, 2)
    assert hd["change"] == pytest.approx(100 / 3)
    assert comparison["group"].unique(maintain_order=True).to_list() == ["Overall", "HD", "SLT", "T"]


def test_change_interval_newcombe_published_value():
    # Newcombe (1998), Statistics in Medicine 17:873-890, example (a): 56/70 - 48/80 = 0.2000,
    # hybrid score interval (method 10) 0.0524 to 0.3339.
    instrument = version_2014()
    first = [(i, "B5", ("10000" if i <= 48 else "00000") + " 000") for i in range(1, 81)]
    second = [(i, "B5", ("10000" if i <= 56 else "00000") + " 000") for i in range(1, 71)]
    comparison = compare_waves(statement_table(wide(instrument, "a", first), instrument, None),
                               statement_table(wide(instrument, "b", second), instrument, None))
    row = comparison.filter(pl.col("statement_id") == "jpd.1").row(0, named=True)
    assert row["change"] == pytest.approx(20.0)
    assert (row["change_ci_low"], row["change_ci_high"]) == pytest.approx((5.24, 33.39), abs=5e-3)


def test_comparison_carries_suppression():
    comparison = compare_waves(protected(wave_2014(), k=3), protected(wave_2015(), k=3))
    # Each wave's own release: 2014 withholds HD and SLT (their sizes too) and T's JPD figures (n = 2);
    # 2015 (5 returns) shows only Overall. A change is shown only where both waves show their figure.
    hd = comparison.filter((pl.col("group") == "HD") & (pl.col("statement_id") == "jpd.1")).row(0, named=True)
    assert hd["suppressed"] and hd["suppressed_first"] and hd["suppressed_second"]
    assert hd["n_first"] is None and hd["percent_first"] is None and hd["change"] is None
    t = comparison.filter((pl.col("group") == "T") & (pl.col("statement_id") == "jpd.1")).row(0, named=True)
    assert t["n_first"] == 2 and t["percent_first"] is None and t["n_second"] is None
    overall = comparison.filter((pl.col("group") == "Overall") & (pl.col("statement_id") == "jpd.1")).row(0, named=True)
    assert not overall["suppressed"] and overall["change"] == pytest.approx(80 - 600 / 7)


def test_comparing_a_table_of_two_waves_is_refused():
    first, second = _tables()
    with pytest.raises(AnalysisError, match="compare one wave with another"):
        compare_waves(pl.concat([first, second]), second)


# --- response rates ---------------------------------------------------------------------------


def test_thesis_response_rates():
    # 2014: 31 of 68 (46%): HD 10 (32%), SLT 9 (29%), T 12 (39%). 2015: 49 of 68 (72%): HD 10, SLT 13, T 26.
    returns = pl.concat([thesis_wave("2014", {1: 2, 2: 8, 3: 9, 4: 5, 5: 7}),
                         thesis_wave("2015", {2: 10, 3: 13, 4: 6, 5: 20})])
    rates = response_rates(returns, version_2014(), population=68)
    overall = rates.filter(pl.col("grouping") == "overall")
    assert overall.select("wave", "returned", "denominator", "basis", "text").rows() == [
        ("2014", 31, 68, "population", "31 of 68, 46%"), ("2015", 49, 68, "population", "49 of 68, 72%")]
    groups = rates.filter((pl.col("grouping") == "role_group") & (pl.col("wave") == "2014"))
    assert groups.select("group", "returned").rows() == [("HD", 10), ("SLT", 9), ("T", 12)]
    assert [whole(s) for s in groups["share"]] == [32, 29, 39]
    later = rates.filter((pl.col("grouping") == "role_group") & (pl.col("wave") == "2015"))
    assert later.select("group", "returned").rows() == [("HD", 10), ("SLT", 13), ("T", 26)]


def test_response_rates_against_issued_forms():
    data = wave_2014()
    issued = pl.DataFrame({"school": ["A", "A", "A", "B", "B", "B", "C", "C"],
                           "role": [1, 2, 3, 2, 4, 5, 3, 5], "issued": [1, 4, 3, 1, 2, 8, 2, 1]})
    rates = response_rates(data.wide, data.instrument, issued)
    cells = {(r["school"], r["role"]): r["text"] for r in
             rates.filter(pl.col("grouping") == "school × role").iter_rows(named=True)}
    assert cells == {("A", 1): "1 of 1, 100%", ("A", 2): "1 of 4, 25%", ("A", 3): "1 of 3, 33%",
                     ("B", 2): "1 of 1, 100%", ("B", 4): "1 of 2, 50%", ("B", 5): "1 of 8, 13%",
                     ("C", 3): "1 of 2, 50%", ("C", 5): "1 of 1, 100%"}
    overall = rates.filter(pl.col("grouping") == "overall").row(0, named=True)
    assert (overall["returned"], overall["issued"], overall["basis"], overall["text"]) == (8, 22, "issued",
                                                                                            "8 of 22, 36%")
    hd = rates.filter(pl.col("group") == "HD").row(0, named=True)  # roles 1-2: issued 1 + 4 + 1, returned 3
    assert hd["text"] == "3 of 6, 50%"


def test_issued_forms_with_no_returns_show_zero():
    data = wave_2014()
    issued = pl.DataFrame({"school": ["C"], "role": [1], "issued": [2]})
    rates = response_rates(data.wide, data.instrument, issued)
    cell = rates.filter((pl.col("grouping") == "school × role") & (pl.col("school") == "C") & (pl.col("role") == 1))
    assert cell.select("returned", "issued", "text").row(0) == (0, 2, "0 of 2, 0%")


ISSUED_2014 = {"school": ["A", "A", "A", "B", "B", "B", "C", "C"], "role": [1, 2, 3, 2, 4, 5, 3, 5],
               "issued": [1, 4, 3, 1, 2, 8, 2, 1]}


def rows_of(rates, grouping):
    return dict(rates.filter(pl.col("grouping") == grouping).select("group", "text").iter_rows())


def test_one_denominator_a_stated_population_rates_the_wave_only():
    """The issue's case: a population of 68 and blank forms printed. The wave is rated against the
    people asked; groups, whose share of the 68 is unknown, show their share of the returns, and the
    blank forms are no group of their own."""
    data = wave_2014()
    issued = pl.DataFrame({"school": [*ISSUED_2014["school"], None], "role": [*ISSUED_2014["role"], None],
                           "issued": [*ISSUED_2014["issued"], 11]}, schema={"school": pl.String, "role": pl.Int64,
                                                                            "issued": pl.Int64})
    rates = response_rates(data.wide, data.instrument, issued, population=68)
    assert rows_of(rates, "overall") == {"Overall": "8 of 68, 12%"}
    # Returns: HD = A1 A2 B2 (3), SLT = A3 C3 (2), T = B4 B5 C5 (3) of 8.
    assert rows_of(rates, "role_group") == {"HD": "3 (38%)", "SLT": "2 (25%)", "T": "3 (38%)"}
    assert rates.filter(pl.col("grouping") != "overall")["rate"].is_null().all()
    assert "No group" not in rates["group"].to_list() and "No role" not in rates["group"].to_list()
    assert rates.filter(pl.col("grouping") == "overall")["basis"].to_list() == ["population"]


def test_blank_forms_count_in_the_wave_and_their_returns_where_respondents_coded_them():
    data = wave_2014()
    # 3 blank forms to school C's office, 5 with no school at all.
    blank = pl.DataFrame({"school": ["C", None], "role": [None, None], "issued": [3, 5]},
                         schema={"school": pl.String, "role": pl.Int64, "issued": pl.Int64})
    coded = pl.DataFrame(ISSUED_2014, schema={"school": pl.String, "role": pl.Int64, "issued": pl.Int64})
    rates = response_rates(data.wide, data.instrument, pl.concat([coded, blank]))
    assert rows_of(rates, "overall") == {"Overall": "8 of 30, 27%"}  # 22 coded + 8 blank
    # A blank form could have come back from anyone: no role group or school has a known denominator.
    assert rows_of(rates, "role_group") == {"HD": "3 (38%)", "SLT": "2 (25%)", "T": "3 (38%)"}
    assert rows_of(rates, "school") == {"School A": "3 (38%)", "School B": "3 (38%)", "School C": "2 (25%)"}
    # Blank forms only to school C's office: every school's forms are known, C's including its 3 blanks.
    rates = response_rates(data.wide, data.instrument, pl.concat([coded, blank.head(1)]))
    assert rows_of(rates, "overall") == {"Overall": "8 of 25, 32%"}
    assert rows_of(rates, "school") == {"School A": "3 of 8, 38%", "School B": "3 of 11, 27%",
                                        "School C": "2 of 6, 33%"}
    assert rows_of(rates, "role_group") == {"HD": "3 (38%)", "SLT": "2 (25%)", "T": "3 (38%)"}


def test_response_rates_without_a_denominator():
    data = wave_2014()
    overall = response_rates(data.wide, data.instrument).filter(pl.col("grouping") == "overall").row(0, named=True)
    assert (overall["text"], overall["rate"], overall["basis"]) == ("8 returned", None, None)


@pytest.mark.parametrize("part, total, text", [(31, 68, "46%"), (49, 68, "72%"), (1, 8, "13%"), (5, 8, "63%"),
                                               (0, 3, "0%")])
def test_percent_text_rounds_half_up(part, total, text):
    assert percent_text(part, total) == text


# --- chart data ---------------------------------------------------------------------------------


def test_group_chart_titles_like_the_thesis(table_2014):
    chart = group_chart(table_2014, "JPD")
    assert chart.title == "Joint Practice Development Overall (7 responses)"
    assert chart.labels == ("A1", "A2", "B1", "C1", "D1")
    assert chart.negative == (False, True, False, False, False)
    assert chart.series[0].values == pytest.approx((600 / 7, 200 / 7, 500 / 7, 300 / 7, 100 / 7))
    groups = group_chart(table_2014, "HSC", ["HD", "SLT", "T"], grouping="role_group")
    assert [s.name for s in groups.series] == ["HD (3)", "SLT (1)", "T (3)"]
    assert group_chart(table_2014, "JPD", ["HD"]).title == "Joint Practice Development HD (3 responses)"


def test_group_chart_has_no_values_for_suppressed_groups():
    chart = group_chart(protected(wave_2014(), k=3), "JPD", ["Overall", "SLT"], grouping=None)
    overall, slt = chart.series
    assert not overall.suppressed and overall.values == pytest.approx((600 / 7, 200 / 7, 500 / 7, 300 / 7, 100 / 7))
    assert slt.suppressed and slt.values == (None,) * 5 and slt.name == "SLT (n supp.)"


def test_wave_chart_pairs_waves():
    chart = wave_chart(compare_waves(*_tables()), "JPD")
    assert chart.title == "2014/2015 Joint Practice Development Overall (7–5 responses)"
    assert chart.labels == ("A1", "A2", "B1", "C1", "D1", "D1")
    assert chart.series[0].values[3] is None and chart.series[1].values[5] is None
    assert [s.name for s in chart.series] == ["2014 (7)", "2015 (5)"]


def test_returns_in_no_role_group_form_their_own_group():
    # A role outside every group (here: return 5's group cleared) must still add up to the total,
    # or suppression could not see that Overall - HD - SLT - T reveals it.
    data = wave_2014()
    returns = data.wide.with_columns(
        pl.when(pl.col("return_id") == 5).then(None).otherwise(pl.col("role_group")).alias("role_group"))
    table = statement_table(returns, data.instrument, "role_group")
    assert figures(table.filter(pl.col("code") == "JPD A2"), "No group") == [("JPD A2", 1, 1)]
    assert figures(table.filter(pl.col("code") == "JPD A2"), "T") == [("JPD A2", 1, 0)]
    released = protected(data, k=2, wide_frame=returns)
    shown = released.filter(pl.col("code") == "JPD A2").select("group", "n", "suppression").rows()
    # No group (1 return) and SLT (1) have their sizes withheld; T (2 returns, 1 JPD page) is primary;
    # HD goes too, or Overall - HD - T would give SLT + No group.
    assert shown == [("Overall", 7, None), ("HD", 3, "secondary"), ("SLT", None, "n withheld"), ("T", 1, "primary"),
                     ("No group", None, "n withheld")]


def test_a_wave_without_returns_gives_empty_tables():
    from tui.domain.analysis import WaveReturns
    from tui.domain.returns import empty_wide

    instrument = version_2014()
    table = statement_table(empty_wide(instrument), instrument, "role_group")
    assert table.is_empty() and tuple(table.columns) == STATEMENT_TABLE_COLUMNS
    assert stage_profile(protected(WaveReturns("2014", instrument, empty_wide(instrument)))).is_empty()
