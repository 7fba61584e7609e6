"""The protected tables as rows of display text, so a figure reads the same in the PDF report,
in ``surveydesk tables`` and on the TUI analysis screen: "52 (35–68)" is 52% with its 95%
interval, "supp." a figure withheld by the small-cell rule, "–" no figure at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import polars as pl

from tui.domain.analysis.agreement import OVERALL
from tui.domain.analysis.textchart import NEGATIVE_MARK
from tui.domain.rules import whole

SUPPRESSED = "supp."
NO_FIGURE = "–"


def figure(value: float | None, low: float | None = None, high: float | None = None) -> str:
    """A percentage rounded half up, with its interval when given: "52 (35–68)"."""
    if value is None:
        return NO_FIGURE
    if low is None or high is None:
        return str(whole(value))
    return f"{whole(value)} ({whole(low)}–{whole(high)})"


def change(value: float | None) -> str:
    """A change in percentage points with its sign: "+6", "-3", "+0"."""
    return NO_FIGURE if value is None else f"{whole(value):+d}"


def cell(row: Mapping[str, Any], with_interval: bool = True) -> str:  # a polars row (iter_rows(named=True))
    """One group's figure for one statement from a protected statement-table row."""
    if row.get("suppressed"):
        return SUPPRESSED
    return figure(row["percent"], row["ci_low"] if with_interval else None,
                  row["ci_high"] if with_interval else None)


def marked_code(code: str, negative: bool) -> str:
    return code + (NEGATIVE_MARK if negative else "")


@dataclass(frozen=True)
class Grid:
    """A table as text: ``header`` and ``rows`` of cells; ``text_column`` holds the statement
    text (the report wraps it in a paragraph, the TUI puts it last)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_column: int


def _n_text(n: object) -> str:
    """A group's size in a header: "n=31", or "n supp." where the release withholds it."""
    return "n supp." if n is None else f"n={n}"


def statement_grid(statements: pl.DataFrame, bank: str, groups: Sequence[str], *, intervals: bool = True) -> Grid:
    """Code, running number (JPD 8), statement and, per group, percent (95% interval), one row per
    statement; the group's n in its header."""
    rows = statements.filter((pl.col("bank") == bank) & pl.col("group").is_in(list(groups)))
    figures = {(r["group"], r["statement_id"]): r for r in rows.iter_rows(named=True)}
    listed = rows.unique("statement_id", maintain_order=True)
    ns = {g: cast("int | None", rows.filter(pl.col("group") == g)["n"].max()) for g in groups}  # n: a count
    header = ("Code", "No.", "Statement", *[f"{g} ({_n_text(ns[g])})" for g in groups])
    body = tuple(
        (marked_code(r["code"], r["negative"]), r["number_code"], r["text"],
         *[cell(figures[(g, r["statement_id"])], intervals) for g in groups])
        for r in listed.iter_rows(named=True)
    )
    return Grid(header, body, text_column=2)


STAGE_RULE = ("Stage: the section whose statements were highlighted most on average (negatively worded "
              "ones included), as the thesis reads its charts.")


def stage_reading(row: Mapping[str, object]) -> str:
    """"B Developing", "none" (nothing highlighted) or "supp." for one stage-profile row."""
    if row.get("suppressed"):
        return SUPPRESSED
    return f"{row['stage_section']} {row['stage']}" if row["stage_section"] else "none"


def stage_grid(profile: pl.DataFrame, bank: str) -> Grid:
    """Group, n, the mean percent of sections A-D and the stage reading, one row per group."""
    body = []
    for r in profile.filter(pl.col("bank") == bank).iter_rows(named=True):
        means = [SUPPRESSED if r.get("suppressed") else figure(r[f"mean_{s}"]) for s in "ABCD"]
        body.append((r["group"], SUPPRESSED if r["n"] is None else str(r["n"]), *means, stage_reading(r)))
    return Grid(("Group", "n", "A", "B", "C", "D", "Stage"), tuple(body), text_column=0)


def waves_stage_grid(profiles: Sequence[pl.DataFrame], bank: str, group: str) -> Grid:
    """One group's stage profile of ``bank`` in each wave (earlier first): wave, group, n, the mean
    percent of sections A-D and the stage reading, one row per wave."""
    body = []
    for profile in profiles:
        body += [(str(wave), *row) for wave in profile["wave"].unique(maintain_order=True)
                 for row in stage_grid(profile.filter(pl.col("wave") == wave), bank).rows if row[0] == group]
    return Grid(("Wave", "Group", "n", "A", "B", "C", "D", "Stage"), tuple(body), text_column=1)


def _compared_code(r: Mapping[str, object]) -> str:
    code = r["code_second"] or r["code_first"]
    if r["code_first"] and r["code_second"] and r["code_first"] != r["code_second"]:
        code = f"{r['code_second']} (was {str(r['code_first']).rsplit(' ', 1)[-1]})"
    return marked_code(str(code), bool(r["negative"]))


def comparison_grid(comparison: pl.DataFrame, bank: str, group: str) -> Grid:
    """Code, statement, both waves' percentages, the change and a note on reworded or moved
    statements, for one group."""
    rows = comparison.filter((pl.col("bank") == bank) & (pl.col("group") == group))
    first, second = rows["wave_first"][0], rows["wave_second"][0]
    header = ("Code", "Statement", f"{first} %", f"{second} %", "Change", "Note")
    body = []
    for r in rows.iter_rows(named=True):
        body.append((
            _compared_code(r), r["text"],
            SUPPRESSED if r.get("suppressed_first") else figure(r["percent_first"]),
            SUPPRESSED if r.get("suppressed_second") else figure(r["percent_second"]),
            SUPPRESSED if r.get("suppressed") else change(r["change"]),
            "" if r["status"] == "same" else r["status"],
        ))
    return Grid(header, tuple(body), text_column=1)


def comparison_detail(comparison: pl.DataFrame, bank: str, group: str) -> tuple[tuple[str, ...], Grid]:
    """The report's comparison for one group: code, running number, statement, and for each wave the
    count highlighted and percent, then the change in points with its 95% interval and a note. A count
    can rise while its percentage falls (the thesis's own point, L1507), so both are shown. Returns the
    band over the columns ("", "", "", "2014 (n=31)", "", "2015 (n=49)", "", "", "") and the grid."""
    rows = comparison.filter((pl.col("bank") == bank) & (pl.col("group") == group))
    first, second = rows["wave_first"][0], rows["wave_second"][0]
    n_first, n_second = cast("tuple[int | None, int | None]", (rows["n_first"].max(), rows["n_second"].max()))
    # A wave whose group size the release withholds reads "n supp.", not "n=None".
    band = ("", "", "", f"{first} ({_n_text(n_first)})", "", f"{second} ({_n_text(n_second)})", "", "Change", "")
    header = ("Code", "No.", "Statement", "Count", "%", "Count", "%", "Points (95% interval)", "Note")
    body = []
    for r in rows.iter_rows(named=True):
        sides = []
        for side in ("first", "second"):
            if r.get(f"suppressed_{side}"):  # before n: a withheld n is null too
                sides += [SUPPRESSED, SUPPRESSED]
            elif r[f"n_{side}"] is None:
                sides += [NO_FIGURE, NO_FIGURE]
            else:
                sides += [str(r[f"highlighted_{side}"]), figure(r[f"percent_{side}"])]
        if r.get("suppressed"):
            moved = SUPPRESSED
        elif r["change"] is None:
            moved = NO_FIGURE
        else:
            moved = f"{change(r['change'])} ({change(r['change_ci_low'])} to {change(r['change_ci_high'])})"
        number = r["number_code_second"] or r["number_code_first"]
        body.append((_compared_code(r), str(number), r["text"], *sides, moved,
                     "" if r["status"] == "same" else r["status"]))
    return band, Grid(header, tuple(body), text_column=2)


def rates_line(rates: pl.DataFrame, grouping: str | None = None) -> str:
    """One wave's response rates on a line: "2015: 49 of 68, 72% · HD 10 (20%) · SLT 13 (27%) · ..."
    (agreement.RATE_RULE: a group's rate where its forms are all known, else its share of the returns).
    Groups come from ``grouping`` when the rates table has it (role_group, school), else role groups."""
    overall = rates.filter(pl.col("grouping") == OVERALL)
    if overall.is_empty():
        return "no returns"
    head = overall.row(0, named=True)
    shown = grouping if grouping in set(rates["grouping"].to_list()) and grouping != OVERALL else "role_group"
    rows = rates.filter(pl.col("grouping") == shown).select("group", "returned", "text").iter_rows()
    # A withheld count (and its rate or share) reads supp.
    parts = [f"{g} {SUPPRESSED if returned is None else text}" for g, returned, text in rows]
    return " · ".join([f"{head['wave']}: {head['text']}", *parts])
