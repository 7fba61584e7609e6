"""Property test of a wave's release: random studies of 5 schools x 5 roles, 0-12 returns per
school x role, missing pages, every grouping and crossing released at once. An independent LP
(tests/disclosure_oracle.py, not the code under test) must find no withheld figure pinned to one
value, bounds included (a total of 0 or of n pins every hidden cell, unless that total is a shown
group at 0 % or 100 %).

The normal run draws a few seeded examples; the long run draws many new ones:

    SURVEYDESK_FUZZ=25 .venv/bin/python -m pytest tests/domain/test_disclosure_fuzz.py -n 0
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis_fixtures import THESIS_2014, five_schools, random_wave
from tests.disclosure_oracle import leaks, true_sizes
from tests.fuzzing import examples
from tui.domain.analysis import parse_grouping, released_rates, released_statements, wave_release

GROUPINGS = ("overall", "school", "role_group", "role", "school,role_group", "school,role")
COLUMNS = ["grouping", "group", "school", "role_group", "role", "bank", "code", "n", "highlighted", "suppression"]


def everything_released(data, release) -> tuple[pl.DataFrame, pl.DataFrame]:
    statements = pl.concat([released_statements(data, parse_grouping(g), release).select(COLUMNS) for g in GROUPINGS])
    rates = released_rates(data, release).select("grouping", "group", "school", "role_group", "role", "returned")
    return statements, rates


def check(data, k: int) -> None:
    release = wave_release(data, k)
    statements, rates = everything_released(data, release)
    # 1. No withheld figure can be worked out from everything the wave releases.
    found = leaks(data.instrument, statements.unique(["grouping", "group", "code"]), rates,
                  true_sizes(data.instrument, data.wide, statements))
    assert not found, found[:5]
    # 2. Every school x role of the key is listed, returns or not (a missing row would say "none"),
    #    and no group under k shows its size or a count anywhere.
    if data.wide.height:  # (a wave without returns has no tables at all)
        assert statements.filter(pl.col("grouping") == "school × role")["group"].n_unique() == 25
    returns = data.wide.group_by("school", "role").len()
    small = {(s, r) for s, r, n in returns.iter_rows() if n < k}
    for row in statements.filter(pl.col("grouping") == "school × role").iter_rows(named=True):
        if (row["school"], row["role"]) in small or (row["school"], row["role"]) not in set(
                (s, r) for s, r, _n in returns.iter_rows()):
            assert row["n"] is None and row["highlighted"] is None, row
    for row in rates.filter(pl.col("grouping") == "school × role").iter_rows(named=True):
        if (row["school"], row["role"]) in small:
            assert row["returned"] is None, row
    # 3. A group reads the same in every grouping that lists it.
    figures = statements.unique(["school", "role_group", "role", "grouping", "code"]).with_columns(
        pl.struct("n", "highlighted", "suppression").alias("figures"))
    by_cell = figures.group_by("group", "code").agg(pl.col("figures").n_unique().alias("versions"))
    assert (by_cell["versions"].max() or 1) == 1  # (a wave without returns lists nothing)


@st.composite
def studies(draw):
    counts = {(school, role): draw(st.integers(0, 12)) for school in "ABCDE" for role in range(1, 6)}
    return (counts, draw(st.sampled_from([0.0, 0.1, 0.3])), draw(st.sampled_from([0.15, 0.5, 0.85])),
            draw(st.integers(0, 2**31 - 1)), draw(st.sampled_from([3, 5])))


@pytest.mark.slow
@settings(max_examples=examples(3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_fuzz_no_withheld_figure_is_ever_derivable(study):
    counts, missing, agree, seed, k = study
    check(random_wave(five_schools(), "w", counts, seed=seed, missing=missing, agree=agree), k)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2014, 2015])
def test_thesis_2014_group_sizes_pass_the_independent_check(seed):
    check(random_wave(five_schools(), "2014", THESIS_2014, seed=seed, missing=0.05), 5)
