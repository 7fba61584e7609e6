"""An independent check of a released wave: from the released tables alone (rows as written to
CSV), can any withheld figure be worked out exactly?

Written apart from tui.domain.analysis.disclosure on purpose: it knows nothing of cells, states or
the code's model. It rebuilds each group's set of school x role cells from the row's grouping and
keys, writes one LP per statement over those cells -- returns r, n for the statement's bank and
highlighted x per cell, with 0 <= x <= n <= r and every figure the rows show -- and asks HiGHS for
the least and greatest value of every withheld count (returns, n, highlighted, and n - highlighted
where n is withheld). A withheld count whose least and greatest are equal is a leak, unless the
group has nobody in it or a shown group containing it stands at 0 % or 100 %.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import highspy
import polars as pl

from tui.domain.instrument import Instrument

DIMS = ("school", "role_group", "role")


@dataclass(frozen=True)
class Leak:
    what: str
    group: str
    code: str | None
    value: float


def _fixed(grouping: str) -> set[str]:
    dims = set() if grouping == "overall" else set(grouping.split(" × "))
    if "role" in dims:
        dims.add("role_group")
    return dims


def _cells(instrument: Instrument, rows: list[dict]) -> list[tuple]:
    key = instrument.key
    cells = {(s, key.group_of(r.digit), r.digit) for s in key.school_letters for r in key.roles}
    for row in rows:
        if _fixed(row["grouping"]) == set(DIMS):
            cells.add(tuple(row[d] for d in DIMS))
    return sorted(cells, key=lambda c: tuple("" if v is None else str(v) for v in c))


def _members(row: dict, cells: list[tuple]) -> frozenset[int]:
    fixed = _fixed(row["grouping"])
    return frozenset(i for i, c in enumerate(cells)
                     if all(c[DIMS.index(d)] == row[d] for d in fixed))


def _range(h: highspy.Highs, expr) -> tuple[float, float]:
    h.minimize(expr)
    low = h.getInfo().objective_function_value
    status = h.maximize(expr)
    high = h.getInfo().objective_function_value if h.getModelStatus() == highspy.HighsModelStatus.kOptimal \
        else float("inf")
    del status
    return low, high


def leaks(instrument: Instrument, statements: pl.DataFrame, rates: pl.DataFrame | None,
          true_n: dict[tuple[frozenset[int], str], int] | None = None) -> list[Leak]:
    """Every withheld figure the released rows pin to one value (bar the two exceptions).

    ``statements`` holds released per-statement rows of one wave (any groupings, concatenated);
    ``rates`` its released response counts. ``true_n`` (optional, from the returns) lets a group
    with nobody in it be recognised."""
    rows = statements.to_dicts()
    rate_rows = rates.to_dicts() if rates is not None else []
    cells = _cells(instrument, rows + rate_rows)
    returned: dict[frozenset[int], int | None] = {}
    for row in rate_rows:
        returned[_members(row, cells)] = row["returned"]
    by_code: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_code[row["code"]].append(row)
    bank_n: dict[tuple[str, frozenset[int]], int | None] = {}
    for row in rows:
        bank_n[(row["bank"], _members(row, cells))] = row["n"]
    found: list[Leak] = []
    for code, code_rows in by_code.items():
        bank = code_rows[0]["bank"]
        h = highspy.Highs()
        h.silent()
        r = [h.addVariable(lb=0) for _ in cells]
        n = [h.addVariable(lb=0) for _ in cells]
        x = [h.addVariable(lb=0) for _ in cells]
        for i in range(len(cells)):
            h.addConstr(n[i] <= r[i])
            h.addConstr(x[i] <= n[i])
        for members, value in returned.items():
            if value is not None:
                h.addConstr(sum(r[i] for i in members) == value)
        for (b, members), value in bank_n.items():
            if b == bank and value is not None:
                h.addConstr(sum(n[i] for i in members) == value)
        shown: list[tuple[frozenset[int], int, int]] = []
        for row in code_rows:
            members = _members(row, cells)
            if row["highlighted"] is not None:
                h.addConstr(sum(x[i] for i in members) == row["highlighted"])
                if row["n"]:
                    shown.append((members, row["highlighted"], row["n"]))
        targets = []
        for row in code_rows:
            members = _members(row, cells)
            nobody = true_n is not None and true_n.get((members, bank)) == 0
            at_edge = any(members <= m and value in (0, size) for m, value, size in shown)
            if row["n"] is None:
                targets.append(("n", row, sum(n[i] for i in members), nobody))
                targets.append(("not highlighted", row, sum(n[i] - x[i] for i in members), nobody or at_edge))
            if row["highlighted"] is None and (row["n"] is None or row["n"] > 0):
                targets.append(("highlighted", row, sum(x[i] for i in members), nobody or at_edge))
        for what, row, expr, excused in targets:
            if excused:
                continue
            low, high = _range(h, expr)
            if high - low < 1 - 1e-6:
                found.append(Leak(what, row["group"], code, low))
    # Returns: all statements share them; one LP over the counts alone is enough to see a pinned one.
    h = highspy.Highs()
    h.silent()
    r = [h.addVariable(lb=0) for _ in cells]
    for members, value in returned.items():
        if value is not None:
            h.addConstr(sum(r[i] for i in members) == value)
    for row in rate_rows:
        members = _members(row, cells)
        if row["returned"] is None and not (true_n is not None and true_n.get((members, None)) == 0):
            low, high = _range(h, sum(r[i] for i in members))
            if high - low < 1 - 1e-6:
                found.append(Leak("returned", row["group"], None, low))
    return found


def true_sizes(instrument: Instrument, wide: pl.DataFrame, statements: pl.DataFrame) -> dict:
    """(cells of a group, bank) -> respondents with that bank's page; (cells, None) -> returns."""
    rows = statements.to_dicts()
    cells = _cells(instrument, rows)
    firsts = {bank.abbreviation: next(r.code for r in instrument.bank_refs(bank)) for bank in instrument.banks}
    per_cell = {c: wide.filter(*[pl.col(d) == v if v is not None else pl.col(d).is_null()
                                 for d, v in zip(DIMS, c, strict=True)]) for c in cells}
    sizes = {}
    groups = {_members(row, cells) for row in rows}
    for members in groups:
        sizes[(members, None)] = sum(per_cell[cells[i]].height for i in members)
        for bank, first in firsts.items():
            sizes[(members, bank)] = sum(per_cell[cells[i]][first].count() for i in members)
    return sizes
