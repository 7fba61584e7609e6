"""Small-cell protection of everything a wave releases, decided once per wave.

Every table SurveyDesk can release for a wave (the per-statement table at any grouping or
crossing, overall, the stage profile, response counts and rates, the comparison with another
wave) is a view of one set of *cells*: the groups of returns fixed by school, role group and
role. Each cell is a set of *atoms* (school x role); its figures are sums over them. So the
whole release is a set of linked tables, and one ``WaveRelease`` decides, for the wave, which
figures of which cell are withheld, whatever a user asks to see. Two outputs of one wave can
never be combined against each other: they are views of the same pattern.

Three layers of figures, each protected:

- **counts**: returns per cell (response counts and rates) and respondents per bank (n). A cell
  with fewer than k returns, none included, has its counts withheld ("n withheld"), and with them
  every figure of the cell. Withholding zeros too means a withheld count never says "someone here
  answered".
- **figures** per bank: highlighted counts, percentages and intervals. Withheld where the cell's
  n is withheld, where n < k (missing pages: "primary"), or to protect another cell ("secondary").

Secondary suppression is chosen in two steps. First the usual heuristic of statistical
offices: in every equation (a cell and the finer cells that split it), a withheld figure may not
stand alone, so the smallest figure beside it is withheld too, until none does. Then each layer is
checked by linear programming (``tui.domain.analysis.lp``): for every withheld figure, the
narrowest range it can take given every shown figure and the bounds 0 <= count <= n; where that is
one value, and no shown cell containing it stands at 0 % or 100 % (a published "nobody" or
"everyone", which says each member's answer by design), a further neighbour is withheld. The
check fixes the other layers at their true values, which only narrows the ranges, so a pattern
that passes it passes the full audit (``tui.domain.analysis.audit``) over all layers at once.

School names are never written unless a caller passes an explicit names mapping (the
``--reveal-school-names`` choice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl

from tui.domain.analysis.agreement import (
    GROUP_COLUMNS,
    AnalysisError,
    WaveReturns,
    effective_keys,
    grouping_dims,
    grouping_name,
)
from tui.domain.analysis.lp import Polytope, pinned
from tui.domain.instrument import Instrument

DEFAULT_K = 5
HIDDEN_COLUMNS = ("highlighted", "percent", "ci_low", "ci_high")
DIMS = ("school", "role_group", "role")
# Every distinct set of fixed dimensions a table can group by (a role fixes its role group).
LEVELS: tuple[frozenset[str], ...] = tuple(frozenset(effective_keys(d)) for d in (
    (), ("school",), ("role_group",), ("role",), ("school", "role_group"), ("school", "role")))
# Why a figure is withheld, as written in the `suppression` column.
N_WITHHELD = "n withheld"  # the cell's size is withheld (under k, or protecting one that is)
PRIMARY = "primary"  # n is shown and under k (pages missing)
SECONDARY = "secondary"  # n is shown; withheld to protect another cell
# Layers of the audit.
RETURNED, RESPONDENTS, HIGHLIGHTED, NOT_HIGHLIGHTED = "returned", "n", "highlighted", "not highlighted"
FIGURES = (HIGHLIGHTED, NOT_HIGHLIGHTED)

GroupKey = tuple[frozenset[str], tuple[Any, ...]]


def rule_text(k: int = DEFAULT_K) -> str:
    """The rule as stated beneath every released table."""
    return (
        f"Any group with fewer than {k} returns (none included) has its size, response count and figures "
        f"withheld. A group with fewer than {k} respondents to a bank has that bank's figures withheld. Further "
        f"figures are withheld wherever, combined with everything else released for the wave (every grouping, "
        f"response counts, the comparison with another wave), they would pin a withheld figure to a single "
        f"value; SurveyDesk checks this by linear programming before anything is written. A shown 0% or 100% "
        f"says what every member of that group answered, by design. Schools are named by letter only."
    )


def group_key(grouping: str, school: object, role_group: object, role: object) -> GroupKey:
    keys = frozenset(effective_keys(grouping_dims(grouping)))
    values = dict(zip(DIMS, (school, role_group, role), strict=True))
    return keys, tuple(values[d] if d in keys else None for d in DIMS)


@dataclass(frozen=True)
class Failure:
    """A withheld figure that the released figures pin to one value."""

    layer: str
    cell: int
    where: int  # bank index (counts per bank), statement index (figures), -1 (returns)
    value: int


@dataclass
class WaveRelease:
    """One wave's cells, their true figures and which of them are released.

    Atoms are school x role (role group from the instrument); every cell is a set of atoms.
    ``returned`` per atom, ``n`` per atom x bank, ``x`` (highlighted) per atom x statement.
    """

    wave: str
    k: int
    instrument: Instrument
    atoms: list[tuple[object, object, object]]  # (school, role_group, role)
    banks: list[str]
    statement_ids: list[str]
    codes: list[str]
    bank_of: np.ndarray  # statement -> bank index
    returned: np.ndarray  # atoms
    n: np.ndarray  # atoms x banks
    x: np.ndarray  # atoms x statements
    members: np.ndarray = field(init=False)  # cells x atoms, bool
    cell_of: dict[GroupKey, int] = field(init=False)
    labels: list[str] = field(init=False)
    equations: list[tuple[int, tuple[int, ...]]] = field(init=False)
    count_state: list[str] = field(init=False)
    figure_state: list[list[str]] = field(init=False)  # banks x cells

    def __post_init__(self) -> None:
        self._checked: dict[tuple[Any, ...], list[Failure]] = {}
        self._cells()
        self.atom_cells = [self.cell_of[(LEVELS[-1], atom)] for atom in self.atoms]
        self.cell_returned = self.members.astype(np.int64) @ self.returned
        self.cell_n = self.members.astype(np.int64) @ self.n  # cells x banks
        self.cell_x = self.members.astype(np.int64) @ self.x  # cells x statements
        sizes = self.members.sum(axis=1)
        overlap = self.members.astype(np.int64) @ self.members.T.astype(np.int64)
        self.contains = overlap == sizes[None, :]  # [c, d]: cell c contains cell d
        self.neighbours: list[set[int]] = [set() for _ in range(len(self.labels))]
        for parent, children in self.equations:
            for a in (parent, *children):
                self.neighbours[a].update((parent, *children))
                self.neighbours[a].discard(a)
        self._protect()

    # --- structure ------------------------------------------------------------------------

    def _cells(self) -> None:
        """Every group of every level, merged where two hold the same atoms (SLT and Senior Leader
        are one cell when SLT has one role), and the equations between levels."""
        groups: dict[GroupKey, frozenset[int]] = {}
        for level in LEVELS:
            for index, atom in enumerate(self.atoms):
                values = tuple(v if d in level else None for d, v in zip(DIMS, atom, strict=True))
                groups.setdefault((level, values), frozenset())
                groups[(level, values)] = groups[(level, values)] | {index}
        cell_index: dict[frozenset[int], int] = {}
        self.cell_of = {}
        self.labels = []
        role_labels = {r.digit: r.label for r in self.instrument.key.roles}
        for key, atoms in groups.items():
            if atoms not in cell_index:
                cell_index[atoms] = len(cell_index)
                self.labels.append(_label(key, role_labels))
            self.cell_of[key] = cell_index[atoms]
        self.members = np.zeros((len(cell_index), len(self.atoms)), dtype=bool)
        for atoms, cell in cell_index.items():
            self.members[cell, list(atoms)] = True
        equations: dict[tuple[int, frozenset[int]], None] = {}
        by_level: dict[frozenset[str], list[GroupKey]] = {}
        for key in groups:
            by_level.setdefault(key[0], []).append(key)
        for coarse, fine in combinations(LEVELS, 2):
            if not coarse < fine:
                continue
            for parent in by_level[coarse]:
                children = {self.cell_of[child] for child in by_level[fine]
                            if all(child[1][DIMS.index(d)] == parent[1][DIMS.index(d)] for d in coarse)}
                children.discard(self.cell_of[parent])
                if children:
                    equations[(self.cell_of[parent], frozenset(children))] = None
        self.equations = [(parent, tuple(sorted(children))) for parent, children in equations]

    # --- the pattern -------------------------------------------------------------------------

    def _protect(self) -> None:
        on = self.k > 1
        self.count_state = [PRIMARY if on and self.cell_returned[c] < self.k else "" for c in range(len(self.labels))]
        _close(self.count_state, self.cell_returned, [True] * len(self.labels), self.equations)
        self.figure_state = [[PRIMARY if on and 0 < self.cell_n[c, b] < self.k else "" for c in range(len(self.labels))]
                             for b in range(len(self.banks))]
        self._close_figures()
        while failures := self.failures(self.count_state, self.figure_state):
            self._fix(failures[0])

    def _close_figures(self) -> None:
        for b, states in enumerate(self.figure_state):
            for c, counted in enumerate(self.count_state):
                if counted:
                    states[c] = N_WITHHELD
            _close(states, self.cell_n[:, b], self.figure_live(b), self.equations)

    def figure_live(self, b: int, count_state: Sequence[str] | None = None) -> list[bool]:
        """Cells whose figures in bank b could be anything: all but those shown with n = 0."""
        counts = self.count_state if count_state is None else count_state
        return [bool(counts[c]) or self.cell_n[c, b] > 0 for c in range(len(self.labels))]

    def _fix(self, failure: Failure) -> None:
        """Withhold the smallest shown neighbour of a pinned figure that frees it (or, when none
        does alone, the smallest, and check again)."""
        if failure.layer in FIGURES:
            b = int(self.bank_of[failure.where])
            states, sizes, live = self.figure_state[b], self.cell_n[:, b], self.figure_live(b)
        else:
            states, sizes, live = self.count_state, self.cell_returned, [True] * len(self.labels)
        shown = [c for c in range(len(states)) if live[c] and not states[c]]
        near = sorted((c for c in shown if c in self.neighbours[failure.cell]), key=lambda c: (sizes[c], c))
        candidates = near or sorted(shown, key=lambda c: (sizes[c], c))
        if not candidates:
            raise AssertionError(f"nothing left to withhold to protect {self.labels[failure.cell]}")
        chosen = candidates[0]
        for candidate in candidates:
            states[candidate] = SECONDARY
            freed = not self.failures(self.count_state, self.figure_state, [failure])
            states[candidate] = ""
            if freed:
                chosen = candidate
                break
        states[chosen] = SECONDARY
        if failure.layer in FIGURES:
            _close(states, sizes, live, self.equations)
        else:
            _close(states, sizes, live, self.equations)
            self._close_figures()

    # --- the check: every layer at once, by linear programming -----------------------------

    def targets(self, count_state: Sequence[str], figure_state: Sequence[Sequence[str]]) -> list[tuple[str, int, int]]:
        """Every withheld figure: (layer, cell, bank or statement index; -1 for returns)."""
        found = []
        for c, state in enumerate(count_state):
            if state:
                found.append((RETURNED, c, -1))
                found += [(RESPONDENTS, c, b) for b in range(len(self.banks))]
        for b, states in enumerate(figure_state):
            live = self.figure_live(b, count_state)
            hidden = [c for c, state in enumerate(states) if state and live[c]]
            for s in np.flatnonzero(self.bank_of == b):
                found += [(HIGHLIGHTED, c, int(s)) for c in hidden]
                # Where n is withheld too, "everyone" is as telling as "nobody": check n - highlighted.
                found += [(NOT_HIGHLIGHTED, c, int(s)) for c in hidden if count_state[c]]
        return found

    def model(self, count_state: Sequence[str], figure_state: Sequence[Sequence[str]], statement: int | None) -> tuple[Polytope, Any]:
        """The polytope of every value the withheld atoms' figures could take given what is shown:
        the counts (returns, and n of every bank), and with ``statement`` that statement's highlighted
        counts too, bounded by their n. Returns it and a function from a target to its columns, the
        part of it already known, and its true value."""
        counted = self._hidden_atoms(count_state)
        banks = range(len(self.banks)) if statement is None else [int(self.bank_of[statement])]
        poly = Polytope()
        r_col = {a: poly.column() for a in counted}
        n_col = {(a, b): poly.column() for a in counted for b in banks}
        for (a, _b), column in n_col.items():
            poly.row([column, r_col[a]], [1.0, -1.0], -np.inf, 0.0)
        x_col: dict[tuple[int, int], int] = {}
        if statement is not None:
            b = banks[0]
            for a in self._hidden_atoms(figure_state[b]):
                if (a, b) in n_col:
                    x_col[(a, statement)] = poly.column()
                    poly.row([x_col[(a, statement)], n_col[(a, b)]], [1.0, -1.0], -np.inf, 0.0)
                else:
                    x_col[(a, statement)] = poly.column(0.0, float(self.n[a, b]))
        for c, state in enumerate(count_state):
            inside = [a for a in counted if self.members[c, a]]
            if state or not inside:
                continue
            poly.equal([r_col[a] for a in inside], float(self.returned[inside].sum()))
            for b in banks:
                poly.equal([n_col[(a, b)] for a in inside], float(self.n[inside, b].sum()))
        if statement is not None:
            live = self.figure_live(banks[0], count_state)
            for c, state in enumerate(figure_state[banks[0]]):
                inside = [a for (a, _s) in x_col if self.members[c, a]]
                if inside and live[c] and not state:
                    poly.equal([x_col[(a, statement)] for a in inside], float(self.x[inside, statement].sum()))

        def columns(target: tuple[str, int, int]) -> tuple[tuple[list[int], list[float]], int, int]:
            """The target as columns and coefficients, the part of it already known, its true value."""
            layer, cell, where = target
            atoms = [int(a) for a in np.flatnonzero(self.members[cell])]
            cols: list[int] = []
            coefficients: list[float] = []
            known = 0

            def term(column: int | None, coefficient: float, value: int) -> None:
                nonlocal known
                if column is None:
                    known += int(coefficient * value)
                else:
                    cols.append(column)
                    coefficients.append(coefficient)

            for a in atoms:
                if layer == RETURNED:
                    term(r_col.get(a), 1.0, self.returned[a])
                elif layer == RESPONDENTS:
                    term(n_col.get((a, where)), 1.0, self.n[a, where])
                elif layer == HIGHLIGHTED:
                    term(x_col.get((a, where)), 1.0, self.x[a, where])
                else:
                    b = int(self.bank_of[where])
                    term(n_col.get((a, b)), 1.0, self.n[a, b])
                    term(x_col.get((a, where)), -1.0, self.x[a, where])
            value = self._true(layer, cell, where)
            return (cols, coefficients), known, value

        return poly, columns

    def failures(self, count_state: Sequence[str], figure_state: Sequence[Sequence[str]],
                 only: Sequence[Failure] | None = None) -> list[Failure]:
        """Withheld figures that the shown ones pin to a single value, bar the 0 %/100 % exception."""
        wanted = [(f.layer, f.cell, f.where) for f in only] if only is not None else self.targets(
            count_state, figure_state)
        by_part: dict[int | None, list[tuple[str, int, int]]] = {}
        for target in wanted:
            layer, cell, where = target
            states = figure_state[int(self.bank_of[where])] if layer in FIGURES else count_state
            if not self.exempt(layer, cell, where, states, count_state):
                by_part.setdefault(where if layer in FIGURES else None, []).append(target)
        found = []
        for part, targets in by_part.items():
            # A part's answer depends only on the states it reads: ask the LP once per pattern.
            relevant = (tuple(count_state), None if part is None else tuple(figure_state[int(self.bank_of[part])]))
            key = (part, relevant, tuple(targets))
            if key not in self._checked:
                poly, columns = self.model(count_state, figure_state, part)
                parts = [columns(t) for t in targets]
                flags = pinned(poly, [p[0] for p in parts], [p[2] - p[1] for p in parts])
                self._checked[key] = [Failure(layer, cell, where, value) for (layer, cell, where), flag, (_c, _k, value)
                                      in zip(targets, flags, parts, strict=True) if flag]
            found += self._checked[key]
        return found

    def cap(self, target: tuple[str, int, int], count_state: Sequence[str],
            figure_state: Sequence[Sequence[str]]) -> float:
        """A bound the target cannot exceed: the smallest shown figure of a group containing it."""
        layer, cell, where = target
        b = where if layer == RESPONDENTS else int(self.bank_of[where]) if layer in FIGURES else -1
        bound = float("inf")
        for c in map(int, np.flatnonzero(self.contains[:, cell])):
            if not count_state[c]:
                bound = min(bound, self.cell_returned[c] if layer == RETURNED else self.cell_n[c, b])
            if layer in FIGURES and not figure_state[b][c] and not count_state[c]:
                shown = self.cell_x[c, where]
                bound = min(bound, shown if layer == HIGHLIGHTED else self.cell_n[c, b] - shown)
        return bound

    def _hidden_atoms(self, states: Sequence[str]) -> list[int]:
        """Atoms whose own figures are withheld (an atom is a school x role cell)."""
        return [a for a, c in enumerate(self.atom_cells) if states[c]]

    # --- values and the 0 % / 100 % exception ----------------------------------------------

    def _true(self, layer: str, cell: int, where: int) -> int:
        if layer == RETURNED:
            return int(self.cell_returned[cell])
        if layer == RESPONDENTS:
            return int(self.cell_n[cell, where])
        if layer == NOT_HIGHLIGHTED:
            return int(self.cell_n[cell, int(self.bank_of[where])] - self.cell_x[cell, where])
        return int(self.cell_x[cell, where])

    def exempt(self, layer: str, cell: int, where: int, states: Sequence[str], count_state: Sequence[str]) -> bool:
        """True when pinning this figure tells nothing about anyone: the group has no respondents
        (no returns; for figures and n per bank, nobody with that bank's page), or a shown cell
        containing it stands at 0 % or 100 %, which publishes every member's figure by design.
        (A count of returns is never shown at 0: zeros under k are withheld like other small counts.)"""
        nobody = self.cell_returned[cell] == 0 if layer == RETURNED else \
            self.cell_n[cell, where if layer == RESPONDENTS else int(self.bank_of[where])] == 0
        if nobody:
            return True
        for c in map(int, np.flatnonzero(self.contains[:, cell])):
            if c == cell:
                continue
            if layer == RESPONDENTS and not states[c]:
                if self.cell_n[c, where] in (0, self.cell_returned[c]):
                    return True
            elif layer in FIGURES and not states[c] and not count_state[c]:
                b = int(self.bank_of[where])
                if self.cell_n[c, b] > 0 and self.cell_x[c, where] in (0, self.cell_n[c, b]):
                    return True
        return False

    # --- applying the pattern to tables ------------------------------------------------------

    def universe(self) -> pl.DataFrame:
        """Every atom of the release, so that tables list empty groups too (a missing row would say "none")."""
        return pl.DataFrame(self.atoms, schema={"school": pl.String, "role_group": pl.String, "role": pl.Int64},
                            orient="row")

    def cell_for(self, grouping: str, school: object, role_group: object, role: object) -> int:
        return self.cell_of[group_key(grouping, school, role_group, role)]

    def protect_statements(self, table: pl.DataFrame) -> pl.DataFrame:
        """A per-statement table of this wave with the release's pattern applied: ``suppression``
        says why a figure is withheld, and n is null where the cell's size is withheld."""
        bank_index = {b: i for i, b in enumerate(self.banks)}
        reasons = []
        for grouping, school, role_group, role, bank in table.select(
                "grouping", "school", "role_group", "role", "bank").iter_rows():
            cell = self.cell_for(grouping, school, role_group, role)
            state = self.figure_state[bank_index[bank]][cell]
            reasons.append(state or None)
        marked = table.with_columns(pl.Series("suppression", reasons, dtype=pl.String)).with_columns(
            pl.col("suppression").is_not_null().alias("suppressed"))
        return marked.with_columns(
            pl.when(pl.col("suppression").fill_null("") != N_WITHHELD).then(pl.col("n")).otherwise(None).alias("n")
            if "n" in table.columns else pl.lit(None),
            *[pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in HIDDEN_COLUMNS if c in table.columns],
        ).select([*table.columns, "suppressed", "suppression"])

    def protect_rates(self, rates: pl.DataFrame) -> pl.DataFrame:
        """Response counts and rates with withheld counts null (``suppressed`` true)."""
        hidden = [bool(self.count_state[self.cell_for(g, s, rg, r)])
                  for g, s, rg, r in rates.select("grouping", "school", "role_group", "role").iter_rows()]
        marked = rates.with_columns(pl.Series("suppressed", hidden, dtype=pl.Boolean))
        withheld = [c for c in ("returned", "rate", "share") if c in rates.columns]
        return marked.with_columns(
            *[pl.when(~pl.col("suppressed")).then(pl.col(c)).alias(c) for c in withheld],
            pl.when(~pl.col("suppressed")).then(pl.col("text")).otherwise(pl.lit("suppressed")).alias("text"),
        )

    def shown_count(self, grouping: str = "overall") -> int | None:
        """The released number of returns of a group (the whole wave by default), None if withheld."""
        cell = self.cell_for(grouping, None, None, None) if grouping == "overall" else None
        if cell is None or self.count_state[cell]:
            return None
        return int(self.cell_returned[cell])


def _label(key: GroupKey, role_labels: Mapping[int, str]) -> str:
    level, values = key
    school, role_group, role = values
    if not level:
        return "Overall"
    parts = []
    if "school" in level:
        parts.append("No school" if school is None else f"School {school}")
    if "role" in level:
        parts.append(role_labels.get(role, f"Role {role}") if role is not None else "No role")
    elif "role_group" in level:
        parts.append("No group" if role_group is None else str(role_group))
    return " · ".join(parts)


def _close(states: list[str], sizes: np.ndarray, live: list[bool],
           equations: Sequence[tuple[int, Sequence[int]]]) -> None:
    """Until no equation (a cell = the finer cells that split it) has exactly one withheld live
    figure, withhold the smallest shown live figure beside it (a child, else the parent)."""
    changed = True
    while changed:
        changed = False
        for parent, children in equations:
            cells = [c for c in (parent, *children) if live[c]]
            if sum(1 for c in cells if states[c]) != 1:
                continue
            candidates = [c for c in children if live[c] and not states[c]]
            if not candidates and live[parent] and not states[parent]:
                candidates = [parent]
            if candidates:
                states[min(candidates, key=lambda c: (sizes[c], c))] = SECONDARY
                changed = True


def wave_release(data: WaveReturns, k: int = DEFAULT_K) -> WaveRelease:
    """The protected release of one wave: its cells, their figures and the pattern of what is withheld."""
    if k < 1:
        raise AnalysisError(f"k must be at least 1, not {k}")
    instrument = data.instrument
    key = instrument.key
    wide = data.wide.filter(pl.col("wave") == data.wave)
    atoms: dict[tuple[Any, ...], None] = {}
    for letter in key.school_letters:
        for role in key.roles:
            atoms[(letter, key.group_of(role.digit), role.digit)] = None
    # The store sets role_group from the key; the frame's own column is what the tables group by.
    for atom in wide.select(DIMS).unique().sort(list(DIMS), nulls_last=True).iter_rows():
        atoms[atom] = None
    if data.issued is not None:
        # Blank self-coding forms (no role) belong to no group: their returns count where respondents coded them.
        for school, role in data.issued.filter(pl.col("role").is_not_null()).select("school", "role").iter_rows():
            atoms[(school, key.group_of(int(role)), int(role))] = None
    atom_list = list(atoms)
    index = {atom: i for i, atom in enumerate(atom_list)}
    banks = [b.abbreviation for b in instrument.banks]
    refs = list(instrument.refs())
    codes = [ref.code for ref in refs]
    bank_of = np.asarray([banks.index(ref.bank.abbreviation) for ref in refs], dtype=np.int64)
    firsts = [codes[int(np.flatnonzero(bank_of == b)[0])] for b in range(len(banks))]
    returned = np.zeros(len(atom_list), dtype=np.int64)
    n = np.zeros((len(atom_list), len(banks)), dtype=np.int64)
    x = np.zeros((len(atom_list), len(codes)), dtype=np.int64)
    if wide.height:
        agg = wide.group_by(list(DIMS)).agg(
            pl.len().alias("\x1fr"),
            *[pl.col(c).count().alias(f"\x1fn{b}") for b, c in enumerate(firsts)],
            *[pl.col(c).sum().alias(c) for c in codes],
        )
        rows = [index[atom] for atom in agg.select(DIMS).iter_rows()]
        returned[rows] = agg["\x1fr"].to_numpy()
        n[rows] = agg.select([f"\x1fn{b}" for b in range(len(banks))]).to_numpy()
        x[rows] = agg.select(codes).fill_null(0).to_numpy()
    return WaveRelease(wave=data.wave, k=k, instrument=instrument, atoms=atom_list, banks=banks,
                       statement_ids=[ref.statement.id for ref in refs], codes=codes, bank_of=bank_of,
                       returned=returned, n=n, x=x)


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


__all__ = ["DEFAULT_K", "GROUP_COLUMNS", "N_WITHHELD", "PRIMARY", "SECONDARY", "WaveRelease", "grouping_name",
           "reveal_school_names", "rule_text", "school_names_of", "wave_release"]
