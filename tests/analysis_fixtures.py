"""Tiny hand-made instruments and returns whose every figure is worked out by hand in the tests.

Version 2014: JPD  A1 jpd.1, A2 jpd.2 (negative), B1 jpd.3, C1 jpd.4, D1 jpd.5
              HSC  A1 hsc.1, B1 hsc.2, (C empty), D1 hsc.3
Version 2015: JPD  A1 jpd.1, A2 jpd.2 (negative), B1 jpd.3 (reworded), C1 jpd.6 (added),
                   D1 jpd.4 (moved from C1); jpd.5 removed
              HSC  unchanged
Roles: 1 Governor, 2 HT or DHT -> HD; 3 Senior Leader -> SLT; 4 Middle Leader, 5 Teacher -> T.
"""

from __future__ import annotations

import polars as pl

from tui.domain.analysis import WaveReturns
from tui.domain.instrument import (
    Bank,
    Instrument,
    ParticipantKey,
    Role,
    RoleGroup,
    School,
    Section,
    Statement,
)
from tui.domain.returns import WIDE_BASE_COLUMNS, wide_schema

SCHOOL_NAMES = {"A": "Hill Top Primary", "B": "Riverside Infants", "C": "St Aldhelm's"}


def key() -> ParticipantKey:
    return ParticipantKey(
        schools=tuple(School(letter, name) for letter, name in SCHOOL_NAMES.items()),
        roles=(Role(1, "Governor"), Role(2, "HT or DHT"), Role(3, "Senior Leader"), Role(4, "Middle Leader"),
               Role(5, "Teacher")),
        groups=(RoleGroup("HD", "Heads and deputies", (1, 2)), RoleGroup("SLT", "Senior leadership", (3,)),
                RoleGroup("T", "Teachers", (4, 5))),
    )


def _bank(id_: str, abbreviation: str, title: str, sections: dict[str, list[Statement]]) -> Bank:
    return Bank(id=id_, abbreviation=abbreviation, title=title,
                sections=tuple(Section(letter, tuple(sections.get(letter, []))) for letter in "ABCD"))


HSC = _bank("hsc", "HSC", "High Social Capital", {
    "A": [Statement("hsc.1", "Schools are wary of one another.")],
    "B": [Statement("hsc.2", "Staff trust colleagues in partner schools.")],
    "D": [Statement("hsc.3", "Trust is the norm across the partnership.")],
})


JPD_A = [Statement("jpd.1", "The school encourages staff to share good practice."),
         Statement("jpd.2", "Staff development is not seen as a high priority.", negative=True)]


def version_2014() -> Instrument:
    jpd = _bank("jpd", "JPD", "Joint Practice Development", {
        "A": JPD_A,
        "B": [Statement("jpd.3", "The school has instituted peer observation.")],
        "C": [Statement("jpd.4", "Pairs and triads work across schools.")],
        "D": [Statement("jpd.5", "The school serves as an innovation hub.")],
    })
    return Instrument(id="mini", title="Mini Partnership Survey", version="2014", key=key(), banks=(jpd, HSC))


def version_2015() -> Instrument:
    jpd = _bank("jpd", "JPD", "Joint Practice Development", {
        "A": JPD_A,
        "B": [Statement("jpd.3", "Peer observation sessions are routine.")],
        "C": [Statement("jpd.6", "Pupils are co-constructors of better teaching.")],
        "D": [Statement("jpd.4", "Pairs and triads work across schools.")],
    })
    return Instrument(id="mini", title="Mini Partnership Survey", version="2015", key=key(), banks=(jpd, HSC),
                      retired_ids=("jpd.5",))


def wide(instrument: Instrument, wave: str, rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    """rows: (return_id, participant code, "10110 1-0"): one digit per statement, banks split by a
    space, 1 highlighted, 0 not, - that bank's page missing."""
    codes = instrument.codes()
    records = []
    for return_id, participant, marks in rows:
        school, role = participant[0], int(participant[1])
        record: dict[str, object] = {
            "return_id": return_id, "wave": wave, "serial": None, "participant_code": participant,
            "school": school, "role": role, "role_group": instrument.key.group_of(role), "verified": True,
        }
        flat = marks.replace(" ", "")
        assert len(flat) == len(codes), f"{participant}: {len(flat)} marks for {len(codes)} statements"
        record.update({code: {"1": True, "0": False, "-": None}[m] for code, m in zip(codes, flat, strict=True)})
        records.append(record)
    return pl.DataFrame(records, schema=wide_schema(instrument)).select([*WIDE_BASE_COLUMNS, *codes])


#            JPD: A1 A2 B1 C1 D1   HSC: A1 B1 D1
ROWS_2014 = [
    (1, "A1", "10110 110"),
    (2, "A2", "10100 100"),
    (3, "A3", "11000 ---"),  # HSC page missing
    (4, "B2", "10111 111"),
    (5, "B4", "01100 000"),
    (6, "B5", "10000 110"),
    (7, "C5", "----- 100"),  # JPD page missing
    (8, "C3", "10110 110"),
]
#            JPD: A1 A2 B1 C1(jpd.6) D1(jpd.4)   HSC: A1 B1 D1
ROWS_2015 = [
    (11, "A1", "10111 111"),
    (12, "A2", "10001 100"),
    (13, "B3", "00100 110"),
    (14, "B4", "10110 000"),
    (15, "C5", "10101 110"),
]


def wave_2014() -> WaveReturns:
    instrument = version_2014()
    return WaveReturns("2014", instrument, wide(instrument, "2014", ROWS_2014), population=68)


def wave_2015() -> WaveReturns:
    instrument = version_2015()
    return WaveReturns("2015", instrument, wide(instrument, "2015", ROWS_2015), population=68)


def thesis_wave(wave: str, counts: dict[int, int]) -> pl.DataFrame:
    """Returns with the given number per role (school A), every statement left blank."""
    instrument = version_2014()
    blank = " ".join("0" * b.statement_count for b in instrument.banks)
    rows, next_id = [], 1
    for role, count in counts.items():
        for _ in range(count):
            rows.append((next_id, f"A{role}", blank))
            next_id += 1
    return wide(instrument, wave, rows)


def protected(data: WaveReturns, by=("role_group",), k: int = 5, wide_frame: pl.DataFrame | None = None) -> pl.DataFrame:
    """The released (protected) per-statement table of a wave at a grouping, as exports show it."""
    from dataclasses import replace

    from tui.domain.analysis import parse_grouping, released_statements, wave_release

    if wide_frame is not None:
        data = replace(data, wide=wide_frame)
    return released_statements(data, parse_grouping(by), wave_release(data, k))


def five_schools(instrument: Instrument | None = None) -> Instrument:
    """The mini instrument with five schools A-E, like the thesis's partnership."""
    from dataclasses import replace

    base = instrument or version_2014()
    schools = tuple(School(letter) for letter in "ABCDE")
    return replace(base, key=replace(base.key, schools=schools))


def random_wave(instrument: Instrument, wave: str, counts: dict[tuple[str, int], int], seed: int,
                missing: float = 0.0, agree: float = 0.5) -> WaveReturns:
    """Returns with ``counts[(school, role)]`` papers each, answers drawn with a seeded generator;
    each bank's page is missing with probability ``missing``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows, next_id = [], 1
    for (school, role), count in counts.items():
        for _ in range(count):
            banks = []
            for bank in instrument.banks:
                if rng.random() < missing:
                    banks.append("-" * bank.statement_count)
                else:
                    banks.append("".join("1" if rng.random() < agree else "0" for _ in range(bank.statement_count)))
            rows.append((next_id, f"{school}{role}", " ".join(banks)))
            next_id += 1
    return WaveReturns(wave, instrument, wide(instrument, wave, rows))


# The thesis's January 2014 wave by role (L1084, L1060): 2 governors, 8 HT/DHT, 9 senior leaders,
# 5 middle leaders, 7 teachers: HD 10, SLT 9, T 12, 31 returns. Spread over schools A-E as below.
THESIS_2014 = {
    ("A", 1): 1, ("A", 2): 2, ("A", 3): 2, ("A", 4): 1, ("A", 5): 3,
    ("B", 2): 2, ("B", 3): 3, ("B", 4): 2, ("B", 5): 1,
    ("C", 2): 1, ("C", 3): 2, ("C", 4): 2, ("C", 5): 1,
    ("D", 1): 1, ("D", 2): 2, ("D", 3): 1, ("D", 5): 1,
    ("E", 2): 1, ("E", 3): 1, ("E", 5): 1,
}
