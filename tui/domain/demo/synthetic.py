"""Synthetic returns with realistic patterns, for tests, benchmarks and the demo study.

Clearly synthetic: agreement falls from section A to D (the maturity sequence the thesis
expects), negative statements are rarely highlighted, heads and deputies agree more with the
later sections than teachers do, and a few bank pages go missing. ``lift`` raises agreement
for a later wave. Deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.domain.instrument import Instrument
from tui.domain.returns import WIDE_BASE_COLUMNS, wide_schema

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from tui.domain.store import NewReturn

SECTION_BASE = {"A": 0.62, "B": 0.52, "C": 0.32, "D": 0.16}
GROUP_SHIFT = {"HD": 0.10, "SLT": 0.05, "T": -0.08}
# Thesis-like mix of roles 1-5 among respondents (few governors).
ROLE_WEIGHTS = (0.04, 0.28, 0.29, 0.19, 0.20)


def synthetic_returns(
    instrument: Instrument,
    n: int,
    *,
    wave: str,
    seed: int = 0,
    missing_page_rate: float = 0.02,
    lift: float = 0.0,
    first_return_id: int = 1,
    codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """A wide frame (see tui.domain.returns.frames) of ``n`` synthetic returns; ``codes`` fixes the
    participant codes (school letter + role digit) instead of drawing them."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    letters = np.array(instrument.key.school_letters)
    digits = np.array(instrument.key.role_digits)
    weights = np.array(ROLE_WEIGHTS[: len(digits)] if len(digits) <= len(ROLE_WEIGHTS) else [1.0] * len(digits))
    weights = weights / weights.sum()
    if codes is not None:
        parsed = [instrument.key.parse(c) for c in codes]
        n = len(parsed)
        schools = np.array([c.school for c in parsed], dtype=letters.dtype if n else "<U1")
        roles = np.array([c.role for c in parsed], dtype=digits.dtype)
    else:
        schools = letters[rng.integers(0, len(letters), n)]
        roles = digits[rng.choice(len(digits), n, p=weights)]
    group_of = {d: instrument.key.group_of(int(d)) for d in digits}
    groups = np.array([group_of[int(d)] for d in digits], dtype=object)
    role_index = {int(d): i for i, d in enumerate(digits)}
    group_per_return = groups[np.vectorize(role_index.get)(roles)] if n else np.array([], dtype=object)
    shift = np.vectorize(lambda g: GROUP_SHIFT.get(g, 0.0), otypes=[float])(group_per_return) if n else np.zeros(0)

    columns: dict[str, object] = {
        "return_id": np.arange(first_return_id, first_return_id + n, dtype=np.int64),
        "wave": [wave] * n,
        "serial": [None] * n,
        "participant_code": np.char.add(schools.astype(str), roles.astype(str)).tolist() if n else [],
        "school": schools.tolist(),
        "role": roles.astype(np.int64),
        "role_group": group_per_return.tolist(),
        "verified": np.ones(n, dtype=bool),
    }
    for bank in instrument.banks:
        present = rng.random(n) >= missing_page_rate
        for ref in instrument.bank_refs(bank):
            base = 0.05 if ref.statement.negative else SECTION_BASE.get(ref.section.letter, 0.3)
            jitter = rng.normal(0, 0.08)
            late = ref.section.letter in ("C", "D")
            p = np.clip(base + jitter + lift + (shift if late else shift / 2), 0.01, 0.98)
            values = rng.random(n) < p
            columns[ref.code] = pl.Series(ref.code, values, dtype=pl.Boolean).set(
                pl.Series(~present), None) if n else pl.Series(ref.code, [], dtype=pl.Boolean)
    frame = pl.DataFrame(columns)
    return frame.cast(pl.Schema(wide_schema(instrument))).select(list(WIDE_BASE_COLUMNS) + instrument.codes())


def new_returns(wide: pl.DataFrame, instrument: Instrument) -> list[NewReturn]:
    """The wide frame's rows as returns for Study.save_returns (tests, benchmarks, demo studies).
    A bank whose statements are all null is a missing page."""
    from tui.domain.returns import BankAnswer
    from tui.domain.store import NewReturn

    refs = list(instrument.refs())
    # Per bank: (column index, running number) of its statements, worked out once for all rows.
    positions = {bank.id: [(i, ref.running) for i, ref in enumerate(refs) if ref.bank.id == bank.id]
                 for bank in instrument.banks}
    rows = []
    for record in wide.select(["wave", "participant_code", *[ref.code for ref in refs]]).iter_rows():
        values = record[2:]
        answers = {bank_id: BankAnswer.missing() if all(values[i] is None for i, _ in places)
                   else BankAnswer(True, frozenset(running for i, running in places if values[i]))
                   for bank_id, places in positions.items()}
        rows.append(NewReturn(record[0], record[1], answers))
    return rows
