"""The protected tables as rows of display text, so a figure reads the same in the PDF report,
in ``surveydesk tables`` and on the TUI analysis screen: "52 (35–68)" is 52% with its 95%
interval, "supp." a figure withheld by the small-cell rule, "–" no figure at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from tui.domain.analysis.agreement import OVERALL, whole
from tui.domain.analysis.textchart import NEGATIVE_MARK

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


def cell(row: Mapping[str, object], with_interval: bool = True) -> str:
    """One group's figure for one statement from a protected statement-table row."""
    if row.get("suppressed"):
        return SUPPRESSED
    return figure(row["percent"], row["ci_low"] if with_interval else None,  # type: ignore[arg-type]
                  row["ci_high"] if with_interval else None)  # type: ignore[arg-type]


def marked_code(code: str, negative: bool) -> str:
    return code + (NEGATIVE_MARK if negative else "")


@dataclass(frozen=True)
class Grid:
    """A table as text: ``header`` and ``rows`` of cells; ``text_column`` holds the statement
    text (the report wraps it in a paragraph, the TUI puts it last)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text_column: int


def statement_grid(statements: pl.DataFrame, bank: str, groups: Sequence[str]) -> Grid:
    """Code, number, statement and, per group, percent (95% interval), one row per statement."""
    rows = statements.filter((pl.col("bank") == bank) & pl.col("group").is_in(list(groups)))
    figures = {(r["group"], r["statement_id"]): r for r in rows.iter_rows(named=True)}
    listed = rows.unique("statement_id", maintain_order=True)
    ns = {g: rows.filter(pl.col("group") == g)["n"].max() for g in groups}
    header = ("Code", "No.", "Statement", *[f"{g} (n={ns[g]})" if ns[g] is not None else f"{g} (n supp.)"
                                            for g in groups])
    body = tuple(
        (marked_code(r["code"], r["negative"]), r["number_code"].rsplit(" ", 1)[-1], r["text"],
         *[cell(figures[(g, r["statement_id"])]) for g in groups])
        for r in listed.iter_rows(named=True)
    )
    return Grid(header, body, text_column=2)


def comparison_grid(comparison: pl.DataFrame, bank: str, group: str) -> Grid:
    """Code, statement, both waves' percentages, the change and a note on reworded or moved
    statements, for one group."""
    rows = comparison.filter((pl.col("bank") == bank) & (pl.col("group") == group))
    first, second = rows["wave_first"][0], rows["wave_second"][0]
    header = ("Code", "Statement", f"{first} %", f"{second} %", "Change", "Note")
    body = []
    for r in rows.iter_rows(named=True):
        code = r["code_second"] or r["code_first"]
        if r["code_first"] and r["code_second"] and r["code_first"] != r["code_second"]:
            code = f"{r['code_second']} (was {r['code_first'].rsplit(' ', 1)[-1]})"
        body.append((
            marked_code(code, r["negative"]), r["text"],
            SUPPRESSED if r.get("suppressed_first") else figure(r["percent_first"]),
            SUPPRESSED if r.get("suppressed_second") else figure(r["percent_second"]),
            SUPPRESSED if r.get("suppressed") else change(r["change"]),
            "" if r["status"] == "same" else r["status"],
        ))
    return Grid(header, tuple(body), text_column=1)


def rates_line(rates: pl.DataFrame, grouping: str | None = None) -> str:
    """One wave's response rates on a line: "2015: 31 of 68, 46% · HD 10 of 20, 50% · ...".
    Groups come from ``grouping`` when the rates table has it (role_group, school), else role groups."""
    overall = rates.filter(pl.col("grouping") == OVERALL)
    if overall.is_empty():
        return "no returns"
    head = overall.row(0, named=True)
    shown = grouping if grouping in set(rates["grouping"].to_list()) and grouping != OVERALL else "role_group"
    rows = rates.filter(pl.col("grouping") == shown).select("group", "returned", "denominator", "text").iter_rows()
    # A group without issued forms is just a count: "HD 12", not "HD 12 returned"; a withheld count reads supp.
    parts = [f"{g} {SUPPRESSED if returned is None else text if denominator else returned}"
             for g, returned, denominator, text in rows]
    return " · ".join([f"{head['wave']}: {head['text']}", *parts])
