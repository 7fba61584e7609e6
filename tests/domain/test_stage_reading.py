"""The stage reading against the thesis's own (seed 001, Chapter 5, wave 1: 31 returns; docs/stage-reading.md).

The thesis prints few per-statement figures; the rest are known only as the prose describes them
("responses tail off", "taper sharply from left to right", "the only item scoring over 50%"). Where it
gives figures (JPD, CMP), every assignment of the unknown figures that the prose allows is tried
(hypothesis, derandomised), and the rule must give the thesis's reading for all of them. Where it gives
none (E&C, AA), the example follows the prose's ordering and is labelled as such.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tui.domain.analysis import stage_profile, statement_table
from tui.domain.instrument import bundled_instrument_path, load_instrument
from tui.domain.returns import WIDE_BASE_COLUMNS, wide_schema

INSTRUMENT = load_instrument(bundled_instrument_path())
RESPONDENTS = 31  # L1084
SECTIONS = "ABCD"


def wave_of(counts: dict[str, list[int]]) -> pl.DataFrame:
    """31 returns in which statement i of ``bank`` was highlighted by ``counts[bank][i]`` respondents
    (banks not given: nobody highlighted anything)."""
    rows = {c: [False] * RESPONDENTS for c in INSTRUMENT.codes()}
    for bank in INSTRUMENT.banks:
        refs = INSTRUMENT.bank_refs(bank)
        for ref, count in zip(refs, counts.get(bank.abbreviation, [0] * len(refs)), strict=True):
            rows[ref.code] = [i < count for i in range(RESPONDENTS)]
    base = {"return_id": list(range(1, RESPONDENTS + 1)), "wave": ["2014"] * RESPONDENTS,
            "serial": [None] * RESPONDENTS, "participant_code": ["A5"] * RESPONDENTS, "school": ["A"] * RESPONDENTS,
            "role": [5] * RESPONDENTS, "role_group": ["T"] * RESPONDENTS, "verified": [True] * RESPONDENTS}
    return pl.DataFrame({**base, **rows}, schema=wide_schema(INSTRUMENT)).select([*WIDE_BASE_COLUMNS,
                                                                                 *INSTRUMENT.codes()])


def reading(counts: dict[str, list[int]], bank: str) -> str | None:
    table = statement_table(wave_of(counts), INSTRUMENT, None)
    return stage_profile(table).filter(pl.col("bank") == bank)["stage"][0]


def section_means(counts: list[int], bank: str, negatives: str = "as highlighted") -> dict[str, float]:
    """The alternatives the thesis could have used: negatives as highlighted, left out, or reversed."""
    refs = INSTRUMENT.bank_refs(INSTRUMENT.bank(bank))
    means = {}
    for letter in SECTIONS:
        values = []
        for ref, count in zip(refs, counts, strict=True):
            if ref.section.letter != letter:
                continue
            if ref.statement.negative and negatives == "left out":
                continue
            values.append(RESPONDENTS - count if ref.statement.negative and negatives == "reversed" else count)
        if values:
            means[letter] = 100 * sum(values) / len(values) / RESPONDENTS
    return means


def highest(means: dict[str, float]) -> str:
    return INSTRUMENT.stage_label(INSTRUMENT.banks[0], max(means, key=lambda s: (means[s], -SECTIONS.index(s))))


def furthest_majority(means: dict[str, float]) -> str | None:
    over = [s for s in SECTIONS if means.get(s, 0) > 50]
    return INSTRUMENT.stage_label(INSTRUMENT.banks[0], over[-1]) if over else None


# JPD 2014 overall (L1099-1127): JPD 1 = 31, JPD 2 = JPD 3 = 0 (negative), JPD 4, 5 = 24, JPD 6 = 20, JPD 7 = 16,
# JPD 8 = 17 ("scores over 50%"); "Following that, responses tail off": JPD 9-13 at most 17.
tail = st.integers(min_value=0, max_value=17)


@settings(deadline=None, max_examples=examples(60))
@given(st.lists(tail, min_size=5, max_size=5))
def test_jpd_reads_developing_for_every_figure_the_text_allows(rest):
    counts = [31, 0, 0, 24, 24, 20, 16, 17, *rest]
    assert reading({"JPD": counts}, "JPD") == "Developing"  # L1127
    # Only with the negative statements counted as highlighted: left out or reversed, JPD 1 alone (100%)
    # would make Beginning the highest section and the reading "Beginning", not the thesis's.
    assert highest(section_means(counts, "JPD", "left out")) == "Beginning"
    assert highest(section_means(counts, "JPD", "reversed")) == "Beginning"


def test_jpd_furthest_majority_can_disagree_with_the_thesis():
    """The rule this replaces (furthest section with a mean over 50%) reads Embedding when JPD 9 and 10
    are as high as the text allows."""
    counts = [31, 0, 0, 24, 24, 20, 16, 17, 17, 17, 0, 0, 0]
    assert furthest_majority(section_means(counts, "JPD")) == "Embedding"
    assert reading({"JPD": counts}, "JPD") == "Developing"


# CMP 2014 overall (L1229-1240): CMP 1 = 22, "the only item scoring over 50%" (so the others are at most
# 15 of 31), and responses "taper sharply from left to right" (never rising again), CMP 2 next.
@settings(deadline=None, max_examples=examples(60))
@given(st.lists(st.integers(min_value=0, max_value=15), min_size=7, max_size=7))
def test_cmp_reads_beginning_for_every_figure_the_text_allows(rest):
    counts = [22, *sorted(rest, reverse=True)]
    assert reading({"CMP": counts}, "CMP") == "Beginning"  # L1229


def test_cmp_furthest_majority_reads_nothing_when_cmp_2_is_low():
    counts = [22, 6, 5, 4, 3, 2, 1, 0]
    assert furthest_majority(section_means(counts, "CMP")) is None
    assert reading({"CMP": counts}, "CMP") == "Beginning"


def test_ec_reads_developing_as_the_prose_orders_it():
    """E&C (L1276, L1300-1308): responses "much lower" (none over 50%), Item 5 (B2) "the most positive",
    some agreement about Item 4 (B1), Items 1-3 (A) low. Figures illustrative: the thesis gives none."""
    counts = [3, 2, 2, 8, 12, 4, 3, 2, 1, 1]
    assert reading({"E&C": counts}, "E&C") == "Developing"
    assert furthest_majority(section_means(counts, "E&C")) is None  # the old rule had no reading


def test_aa_reads_beginning_as_the_prose_orders_it():
    """AA (L1323): "bunching of responses towards the left", with Item 2 (B1) "relatively high".
    Figures illustrative: the thesis gives none."""
    counts = [14, 12, 6, 5, 3, 2, 2, 1, 1, 0, 0]
    assert reading({"AA": counts}, "AA") == "Beginning"
    assert furthest_majority(section_means(counts, "AA")) is None
