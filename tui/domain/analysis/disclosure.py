"""Small-cell protection: no respondent may be identifiable from an exported or reported table.

Primary suppression hides the figures of every group with fewer than k respondents to a
statement. Secondary suppression then stops those figures being recovered by subtraction:
a table with margins (see analysis.statement_table) holds equations such as
Overall = HD + SLT + T, or School A = A·HD + A·SLT + A·T. Whenever exactly one figure in such an
equation is hidden, the smallest visible group in it is hidden too, and this repeats until no
equation has a lone hidden figure. This is the usual heuristic of statistical offices; it stops
simple differencing, not every inference (two hidden groups of 2 and 2 whose parent shows 0%
are still both 0%): review tables before sharing them outside the research team.

Group sizes (n) stay visible, so readers can see why a figure is missing; only the counts,
percentages and intervals are hidden. School names are never written unless a caller passes an
explicit names mapping (the ``--reveal-school-names`` choice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from tui.domain.analysis.agreement import GROUP_COLUMNS, AnalysisError, effective_keys, grouping_dims
from tui.domain.instrument import Instrument

DEFAULT_K = 5
HIDDEN_COLUMNS = ("highlighted", "percent", "ci_low", "ci_high")
SUPPRESSED_MARK = "suppressed"


def rule_text(k: int = DEFAULT_K) -> str:
    """The rule as stated beneath every protected table."""
    return (
        f"Figures for any group with fewer than {k} respondents to a statement are "
        f"suppressed; where a suppressed figure could be recovered by subtracting the other groups from a "
        f"total, the next-smallest group is suppressed as well. Group sizes (n) are shown. "
        f"Schools are named by letter only."
    )


def _equations(groups: list[tuple[str, dict[str, object]]]) -> list[tuple[int, list[int]]]:
    """(parent, children) for every pair of groupings where one refines the other."""
    by_level: dict[frozenset[str], list[int]] = {}
    for index, (grouping, _values) in enumerate(groups):
        by_level.setdefault(frozenset(effective_keys(grouping_dims(grouping))), []).append(index)
    equations = []
    for parent_keys, parents in by_level.items():
        for child_keys, children in by_level.items():
            if not parent_keys < child_keys:
                continue
            for parent in parents:
                wanted = {k: groups[parent][1][k] for k in parent_keys}
                members = [c for c in children if all(groups[c][1][k] == v for k, v in wanted.items())]
                if members:
                    equations.append((parent, members))
    return equations


def suppression_states(ns: Sequence[int], equations: list[tuple[int, list[int]]], k: int) -> list[str]:
    """For each group: "" (shown), "primary" (n < k) or "secondary" (hidden to protect another)."""
    states = ["primary" if n < k else "" for n in ns]
    changed = True
    while changed:
        changed = False
        for parent, children in equations:
            # Empty groups carry no figures to protect or to hide behind.
            cells = [i for i in (parent, *children) if ns[i] > 0]
            if sum(1 for i in cells if states[i]) != 1:
                continue
            candidates = [i for i in children if ns[i] > 0 and not states[i]]
            if not candidates and ns[parent] > 0 and not states[parent]:
                candidates = [parent]
            if candidates:
                states[min(candidates, key=lambda i: (ns[i], i))] = "secondary"
                changed = True
    return states


def protect(table: pl.DataFrame, k: int = DEFAULT_K) -> pl.DataFrame:
    """A statement table (analysis.statement_table) with small cells suppressed.

    Adds ``suppressed`` (Boolean) and ``suppression`` (null, "primary" or "secondary") and nulls
    highlighted, percent, ci_low and ci_high where suppressed. Decisions are made per wave and
    statement from the n of every group, so they hold across all groupings in the table.
    """
    if k < 1:
        raise AnalysisError(f"k must be at least 1, not {k}")
    states: list[str] = [""] * table.height
    indexed = table.with_row_index("_row")
    for (_wave,), rows in indexed.group_by(["wave"], maintain_order=True):
        group_keys = rows.select(GROUP_COLUMNS).unique(maintain_order=True)
        groups = [(r["grouping"], r) for r in group_keys.iter_rows(named=True)]
        index_of = {(g, r["school"], r["role_group"], r["role"]): i for i, (g, r) in enumerate(groups)}
        equations = _equations(groups)
        decided: dict[tuple[int, ...], list[str]] = {}
        for (_statement,), cells in rows.group_by(["statement_id"], maintain_order=True):
            ns = [0] * len(groups)
            row_of = [0] * len(groups)
            for row, grouping, school, role_group, role, n in cells.select(
                    "_row", "grouping", "school", "role_group", "role", "n").iter_rows():
                i = index_of[(grouping, school, role_group, role)]
                ns[i], row_of[i] = n, row
            key = tuple(ns)
            # Statements of one bank share their n, so each bank is decided once.
            if key not in decided:
                decided[key] = suppression_states(ns, equations, k)
            for i, state in enumerate(decided[key]):
                states[row_of[i]] = state
    # Shown figures get a null reason: an empty cell in CSV and Excel, not an empty string.
    reasons = pl.Series("suppression", [state or None for state in states], dtype=pl.String)
    marked = table.with_columns(reasons).with_columns(pl.col("suppression").is_not_null().alias("suppressed"))
    return marked.with_columns(
        *[pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in HIDDEN_COLUMNS if c in table.columns]
    ).select([*table.columns, "suppressed", "suppression"])


def school_names_of(instrument: Instrument) -> dict[str, str]:
    """letter -> name from the instrument key (only for an explicit reveal)."""
    return {s.letter: s.name for s in instrument.key.schools if s.name}


def reveal_school_names(frame: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    """Add ``school_name`` after ``school`` and name schools in group labels. Only call this when
    the researcher asked for names explicitly; by default nothing written carries them."""
    if "school" not in frame.columns:
        return frame
    name = pl.col("school").replace_strict(dict(names), default=None, return_dtype=pl.String)
    out = frame.with_columns(name.alias("school_name"))
    if "group" in frame.columns:
        # "School A · HD" -> "School A (Name) · HD"
        prefix = pl.concat_str(pl.lit("School "), pl.col("school"))
        named = pl.concat_str(prefix, pl.lit(" ("), pl.col("school_name"), pl.lit(")"),
                              pl.col("group").str.slice(prefix.str.len_chars()))
        out = out.with_columns(
            pl.when(pl.col("school_name").is_not_null() & pl.col("group").str.starts_with("School "))
            .then(named).otherwise(pl.col("group")).alias("group"))
    columns = list(frame.columns)
    columns.insert(columns.index("school") + 1, "school_name")
    return out.select(columns)
