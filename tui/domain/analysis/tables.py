"""The set of tables an export or report holds for a wave, protected, with what each column means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from tui.domain.analysis.agreement import (
    DEFAULT_BY,
    WaveReturns,
    compare_waves,
    parse_grouping,
    response_rates,
    stage_profile,
    statement_table,
)
from tui.domain.analysis.disclosure import DEFAULT_K, WaveRelease, reveal_school_names, wave_release
from tui.domain.instrument import Instrument
from tui.domain.returns import long_from_wide, statement_frame

# name -> (what it is, {column: meaning}); the README of every export is written from this.
TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "statements": (
        "Per statement and group: respondents, how many highlighted it, the percentage and its 95% Wilson "
        "interval. Every margin of the grouping is included (overall first); 'grouping' tells them apart.",
        {
            "wave": "the wave", "grouping": "overall, or the dimensions grouped by, e.g. 'school × role_group'",
            "group": "the group's label", "school": "school letter (null when not grouped by school)",
            "role_group": "HD, SLT, T, ... (null when not grouped by it)", "role": "role digit",
            "order": "the statement's place in the instrument", "bank_id": "the bank's stable id",
            "bank": "bank abbreviation", "bank_title": "bank title", "section": "A-D",
            "stage": "the section's hidden stage label (never printed on forms)",
            "code": "statement code, e.g. JPD C2", "number": "running number in the bank",
            "number_code": "e.g. JPD 8", "statement_id": "the statement's stable id (matches across versions)",
            "text": "the statement", "negative": "true for negatively worded statements",
            "highlighted": "respondents who highlighted the statement",
            "percent": "highlighted / n x 100", "ci_low": "95% Wilson interval, lower bound (percent)",
            "ci_high": "95% Wilson interval, upper bound (percent)",
            "n": "respondents whose page for this bank was present (missing pages are not counted); empty where "
                 "the group's size is withheld",
            "suppressed": "true when the figures are withheld by the small-cell rule",
            "suppression": "n withheld (the group has fewer than k returns, or protects one that has: its size and "
                           "figures are withheld), primary (fewer than k respondents to the bank) or secondary "
                           "(protects another group)",
        },
    ),
    "stage_profile": (
        "Per group and bank: the mean percentage of each section A-D and the stage reading, the section "
        "whose statements were highlighted most on average (negatively worded ones included, as highlighted).",
        {
            "n": "respondents with this bank's page", "mean_A": "mean percent over section A's statements "
            "(B, C, D likewise)", "stage_section": "the section with the highest mean (the earlier one on a "
            "tie; empty when nothing was highlighted)",
            "stage": "that section's stage label (Beginning, Developing, Embedding, Leading)",
        },
    ),
    "response_rates": (
        "Returned forms overall, per role group, school, role and school × role. The rate is of the people "
        "asked: the wave's stated population, or else the forms issued, blank self-coding forms included; a "
        "group has one only when every form it could have returned was issued to it (not with a population, "
        "stated for the wave, nor with blank forms), else its share of the returns is given. A return on a "
        "blank form counts where its respondent coded it. A count under k (zeros included), or one that would "
        "give such a count away, is withheld with its rate and share ('suppressed' true, text 'suppressed').",
        {
            "returned": "forms returned", "issued": "forms issued (the wave and a school: blank forms included; "
            "null when none were logged)",
            "denominator": "the stated population (overall row) or the forms issued; null when not known",
            "basis": "population or issued", "rate": "returned / denominator x 100",
            "share": "the group's share of the wave's returns (percent)",
            "text": "e.g. '31 of 68, 46%', or '10 (32%)' (returns and share) where there is no denominator",
            "suppressed": "true when the count is withheld by the small-cell rule",
        },
    ),
    "comparison": (
        "Per group and statement, the earlier and later wave side by side, matched by statement id across "
        "instrument versions, with the change in percentage points.",
        {
            "status": "same, reworded, moved, moved and reworded, or 'only in <wave>'",
            "code_first": "code in the earlier wave's instrument (code_second: the later)",
            "change": "percent_second - percent_first (percentage points)",
            "change_ci_low": "95% interval for the change (Newcombe), lower bound; change_ci_high: upper",
            "suppressed": "either wave's figures withheld (then no change is shown)",
        },
    ),
    "statements_unprotected": (
        "RESEARCH ONLY: the per-statement table before small-cell protection (every group's size and figures, "
        "however small). Columns as in the release's statements table.",
        {},
    ),
    "response_rates_unprotected": (
        "RESEARCH ONLY: response counts and rates before small-cell protection, every school × role.",
        {},
    ),
    "returns_wide": (
        "The raw returns, one row per return, one column per statement code holding 1 (highlighted), 0 (not) "
        "or M (that bank's page was missing); `surveydesk import` reads this file back unchanged. The Parquet "
        "file holds true/false/null instead, and the workbook's sheet the numbers 1 and 0, blank for a missing page. Record level: for the researcher's own analysis; the "
        "small-cell rule does not apply to it, so do not share it beyond the research team.",
        {"participant_code": "school letter + role digit, e.g. E5", "school": "school letter only"},
    ),
    "returns_long": (
        "The raw returns, one row per return x statement (join 'statement_list' on statement_id for texts).",
        {"highlighted": "true, false or empty (page missing)"},
    ),
    "statement_list": (
        "The instrument's statements in printed order, with codes, ids, sections and hidden stage labels.",
        {"statement_id": "stable id, the same in every instrument version", "negative": "negatively worded"},
    ),
}
LONG_STATEMENT_COLUMNS = ("code", "statement_id", "bank", "section", "number_code", "negative")


def wave_tables(
    data: WaveReturns,
    *,
    by: str | Sequence[str] | None = DEFAULT_BY,
    k: int = DEFAULT_K,
    previous: WaveReturns | None = None,
    school_names: Mapping[str, str] | None = None,
    release: WaveRelease | None = None,
    previous_release: WaveRelease | None = None,
) -> dict[str, pl.DataFrame]:
    """The protected aggregate tables for one wave (and its comparison with ``previous``).

    Keys: statements, stage_profile, response_rates, and comparison when ``previous`` is given.
    Each wave's figures are withheld by that wave's one release pattern (``wave_release``; pass it
    when already made), whatever the grouping, so no two outputs can be set against each other.
    ``school_names`` (only on the researcher's explicit request) adds names beside letters.
    """
    dims = parse_grouping(by)
    release = release or wave_release(data, k)
    statements = released_statements(data, dims, release)
    tables = {
        "statements": statements,
        "stage_profile": stage_profile(statements),
        "response_rates": released_rates(data, release),
    }
    if previous is not None:
        earlier = released_statements(previous, dims, previous_release or wave_release(previous, k))
        tables["comparison"] = compare_waves(earlier, statements)
    if school_names:
        tables = {name: reveal_school_names(table, school_names) for name, table in tables.items()}
    return tables


def released_statements(data: WaveReturns, by: Sequence[str], release: WaveRelease) -> pl.DataFrame:
    """The per-statement table at one grouping (with its margins), every group of the key listed, protected."""
    table = statement_table(_this_wave(data), data.instrument, by, universe=release.universe())
    return release.protect_statements(table)


def released_rates(data: WaveReturns, release: WaveRelease) -> pl.DataFrame:
    """Response counts and rates, counts under k (and those protecting them) withheld."""
    rates = response_rates(_this_wave(data), data.instrument, data.issued, data.population,
                           universe=release.universe())
    return release.protect_rates(rates)


def raw_tables(data: WaveReturns, *, school_names: Mapping[str, str] | None = None) -> dict[str, pl.DataFrame]:
    """The record-level returns of one wave, wide and long, and the statement list to join them to."""
    wide = _this_wave(data).sort("return_id")
    tables = {"returns_wide": wide, "returns_long": long_returns(wide, data.instrument),
              "statement_list": statement_frame(data.instrument).drop("order")}
    if school_names:
        tables = {name: reveal_school_names(table, school_names) for name, table in tables.items()}
    return tables


def _this_wave(data: WaveReturns) -> pl.DataFrame:
    return data.wide.filter(pl.col("wave") == data.wave)


def long_returns(wide: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """The long raw returns with the lean set of statement columns (texts live in statement_list)."""
    return long_from_wide(wide, instrument, LONG_STATEMENT_COLUMNS)
