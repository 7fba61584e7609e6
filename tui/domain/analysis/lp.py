"""The narrowest range a linear expression can take over a polytope: min and max by LP, solved
with HiGHS (highspy). One model is passed once and only the objective changes between solves,
so HiGHS starts each from the last basis: a few pivots each instead of a fresh solve.

highspy is imported when a range is first asked for, never when the app starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INF = float("inf")
# Counts are integers: an LP bound within this of an integer is that integer.
TOLERANCE = 1e-6


@dataclass
class Polytope:
    """Columns with bounds and rows ``lower <= a . x <= upper``, built up row by row."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[tuple[np.ndarray, np.ndarray, float, float]] = field(default_factory=list)

    def column(self, lower: float = 0.0, upper: float = INF) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.lower) - 1

    def row(self, columns: Sequence[int], coefficients: Sequence[float], lower: float, upper: float) -> None:
        self.rows.append((np.asarray(columns, dtype=np.int32), np.asarray(coefficients, dtype=np.float64),
                          float(lower), float(upper)))

    def equal(self, columns: Sequence[int], value: float) -> None:
        self.row(columns, [1.0] * len(columns), value, value)


class InfeasibleRelease(RuntimeError):
    """The released figures contradict each other: a bug in the tables, never a user's mistake."""


class _Solver:
    """One HiGHS model of a polytope whose objective is changed between solves."""

    def __init__(self, polytope: Polytope) -> None:
        import highspy

        self.highspy = highspy
        self.h = _model(polytope)
        self.num_col = len(polytope.lower)
        self.previous = np.zeros(0, dtype=np.int32)

    def optimum(self, columns: np.ndarray, costs: np.ndarray, maximize: bool) -> tuple[float, np.ndarray | None]:
        """The optimal value (inf when unbounded above) and the point, for cost . x over ``columns``."""
        hs, h = self.highspy, self.h
        h.changeColsCost(len(self.previous), self.previous, np.zeros(len(self.previous)))
        h.changeColsCost(len(columns), columns, costs)
        self.previous = columns
        h.changeObjectiveSense(hs.ObjSense.kMaximize if maximize else hs.ObjSense.kMinimize)
        h.run()
        status = h.getModelStatus()
        if status == hs.HighsModelStatus.kOptimal:
            return h.getInfo().objective_function_value, np.asarray(h.getSolution().col_value)
        if status in (hs.HighsModelStatus.kUnbounded, hs.HighsModelStatus.kUnboundedOrInfeasible):
            # Only a target with an unbounded column can be unbounded (never below: every column is >= 0).
            return (INF if maximize else -INF), None
        raise InfeasibleRelease(f"the LP over the released figures ended {h.modelStatusToString(status)}")


Target = tuple[Sequence[int], Sequence[float]]  # columns and their coefficients: a linear expression


def pinned(polytope: Polytope, targets: Sequence[Target], truth: Sequence[float],
           probes: int = 4, seed: int = 0) -> list[bool]:
    """For each target whose true value is ``truth``: can it take no other value? A target
    without columns is a sum of shown figures, so it is pinned.

    A few solves with random objectives over all targets at once give points where most targets
    differ from the truth (so they are not pinned); only the rest get a min and a max of their own."""
    result = [True] * len(targets)
    open_ = np.asarray([len(c) > 0 for c, _ in targets], dtype=bool)
    if not open_.any():
        return result
    solver = _Solver(polytope)
    matrix = np.zeros((len(targets), solver.num_col))
    for i, (columns, coefficients) in enumerate(targets):
        matrix[i, list(columns)] = coefficients
    truth_ = np.asarray(truth, dtype=np.float64)
    rng = np.random.default_rng(seed)
    every = np.arange(solver.num_col, dtype=np.int32)
    for probe in range(probes):
        if not open_.any():
            break
        _, point = solver.optimum(every, rng.choice((-1.0, 1.0), len(targets)) * open_ @ matrix, maximize=bool(probe % 2))
        if point is not None:
            moved = open_ & (np.abs(matrix @ point - truth_) > 1 - TOLERANCE)
            for hit in np.flatnonzero(moved):
                result[int(hit)] = False
            open_ &= ~moved
    for left in np.flatnonzero(open_):
        j = int(left)
        cols = np.asarray(targets[j][0], dtype=np.int32)
        costs = np.asarray(targets[j][1], dtype=np.float64)
        if solver.optimum(cols, costs, maximize=False)[0] < truth_[j] - 1 + TOLERANCE:
            result[j] = False
        elif solver.optimum(cols, costs, maximize=True)[0] > truth_[j] + 1 - TOLERANCE:
            result[j] = False
    return result


def _model(polytope: Polytope) -> Any:
    import highspy

    # highspy.Highs (the wrapper) prints a banner when constructed; its base class does not.
    h = highspy._Highs()  # type: ignore[attr-defined]  # private base class, not in highspy's stubs
    h.setOptionValue("output_flag", False)
    # Many small solves from the last basis: presolve costs more than it saves; primal simplex
    # keeps the basis feasible when only the objective changes.
    h.setOptionValue("presolve", "off")
    h.setOptionValue("simplex_strategy", 4)
    lp = highspy.HighsLp()
    num_col, num_row = len(polytope.lower), len(polytope.rows)
    lp.num_col_, lp.num_row_ = num_col, num_row
    lp.col_cost_ = np.zeros(num_col)
    lp.col_lower_ = np.asarray(polytope.lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(polytope.upper, dtype=np.float64)
    lp.row_lower_ = np.asarray([r[2] for r in polytope.rows], dtype=np.float64)
    lp.row_upper_ = np.asarray([r[3] for r in polytope.rows], dtype=np.float64)
    starts = np.zeros(num_row + 1, dtype=np.int32)
    if num_row:
        starts[1:] = np.cumsum([len(r[0]) for r in polytope.rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = num_col, num_row
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.concatenate([r[0] for r in polytope.rows]) if num_row else np.zeros(0, np.int32)
    lp.a_matrix_.value_ = np.concatenate([r[1] for r in polytope.rows]) if num_row else np.zeros(0)
    h.passModel(lp)
    return h


def integer_ranges(polytope: Polytope, targets: Sequence[Target], caps: Sequence[float] | None = None,
                   probes: int = 6, seed: int = 0) -> list[tuple[int, int | None]]:
    """For each target (columns and coefficients, never negative over the polytope), the integer
    range [min, max] it can take; max is None when unbounded. A target with no columns is 0 (the
    caller adds what is known).

    ``caps`` are known upper bounds (e.g. a shown total containing the target). A few solves with
    objectives over all targets at once find points; a target seen at 0 needs no minimisation and
    one seen at its cap no maximisation: only the rest get solves of their own."""
    results: list[tuple[int, int | None]] = [(0, 0)] * len(targets)
    live = [i for i, (columns, _) in enumerate(targets) if len(columns)]
    if not live:
        return results
    solver = _Solver(polytope)
    matrix = np.zeros((len(targets), solver.num_col))
    for i in live:
        matrix[i, list(targets[i][0])] = targets[i][1]
    cap = np.full(len(targets), INF) if caps is None else np.asarray(caps, dtype=np.float64)
    low_seen = np.full(len(targets), INF)
    high_seen = np.full(len(targets), -INF)
    rng = np.random.default_rng(seed)
    every = np.arange(solver.num_col, dtype=np.int32)
    weights = [np.ones(len(targets)), np.ones(len(targets))] + [rng.choice((-1.0, 1.0), len(targets))
                                                               for _ in range(max(probes - 2, 0))]
    for probe, weight in enumerate(weights[:probes]):
        _, point = solver.optimum(every, weight @ matrix, maximize=bool(probe % 2))
        if point is not None:
            values = matrix @ point
            low_seen = np.minimum(low_seen, values)
            high_seen = np.maximum(high_seen, values)
    for i in live:
        cols = np.asarray(targets[i][0], dtype=np.int32)
        costs = np.asarray(targets[i][1], dtype=np.float64)
        low = 0.0 if low_seen[i] <= TOLERANCE else solver.optimum(cols, costs, maximize=False)[0]
        high = cap[i] if high_seen[i] >= cap[i] - TOLERANCE else solver.optimum(cols, costs, maximize=True)[0]
        results[i] = (int(np.ceil(low - TOLERANCE)), None if high == INF else int(np.floor(high + TOLERANCE)))
    return results
