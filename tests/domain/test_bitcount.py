"""Counting on bitmaps (analysis.bitcount) gives exactly what a polars group_by with a count and a sum per
column gives, whatever the frame's layout: missing values, several chunks, slices off a byte boundary,
null group keys, empty frames."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzzing import examples
from tui.domain.analysis.bitcount import bitmaps, group_counts, popcounts


def expected(frame: pl.DataFrame, keys: list[str], columns: list[str]) -> pl.DataFrame:
    return frame.group_by(keys).agg(
        *[pl.col(c).count().cast(pl.Int64).alias(f"n\x1f{c}") for c in columns],
        *[pl.col(c).sum().cast(pl.Int64).alias(f"x\x1f{c}") for c in columns],
    )


def same(frame: pl.DataFrame, keys: list[str], columns: list[str]) -> None:
    ours = group_counts(frame, keys, columns)
    theirs = expected(frame, keys, columns).select(ours.columns)
    assert ours.sort(keys, nulls_last=True).equals(theirs.sort(keys, nulls_last=True))


def random_frame(rng: np.random.Generator, height: int) -> pl.DataFrame:
    """Two Boolean columns with missing values, one without, and keys with nulls."""
    def answers(missing: float) -> list[bool | None]:
        return [None if rng.random() < missing else bool(rng.random() < 0.4) for _ in range(height)]

    return pl.DataFrame({
        "wave": rng.choice(["2014", "2015"], height).tolist(),
        "group": [None if v == "-" else v for v in rng.choice(["HD", "SLT", "T", "-"], height).tolist()],
        "role": rng.integers(1, 4, height).tolist(),
        "a": answers(0.1), "b": answers(0.5), "c": answers(0.0),
    }, schema_overrides={"a": pl.Boolean, "b": pl.Boolean, "c": pl.Boolean})


@settings(deadline=None, max_examples=examples(40))
@given(seed=st.integers(0, 2**32 - 1), height=st.integers(0, 300), cut=st.integers(0, 20),
       chunks=st.integers(1, 3))
def test_counts_match_group_by(seed, height, cut, chunks):
    rng = np.random.default_rng(seed)
    frame = pl.concat([random_frame(rng, height) for _ in range(chunks)], rechunk=False)
    frame = frame.slice(min(cut, frame.height))  # an offset that is rarely a whole byte
    for keys in (["wave"], ["wave", "group"], ["group", "role", "wave"]):
        same(frame, keys, ["a", "b", "c"])
    overall = group_counts(frame, [], ["a", "b"])
    assert overall.to_dicts() == ([{"n\x1fa": frame["a"].count(), "x\x1fa": frame["a"].sum(),
                                    "n\x1fb": frame["b"].count(), "x\x1fb": frame["b"].sum()}] if frame.height else [])


def test_a_large_frame_read_from_its_bitmaps(bundled):
    """The fast path (Arrow bitmaps, a bank's missing pages counted once) on returns as the store
    gives them, against group_by."""
    from tui.domain.demo import synthetic_returns

    wide = synthetic_returns(bundled, 5_000, wave="2015", seed=3, missing_page_rate=0.1)
    codes = bundled.codes()
    same(wide, ["wave", "school", "role_group"], codes)
    same(wide, ["wave"], codes)


def test_bitmaps_with_and_without_arrow_agree():
    rng = np.random.default_rng(5)
    column = random_frame(rng, 1000)["a"]
    words = (column.len() + 63) // 64
    fast = bitmaps(column, words)
    # A slice off a byte boundary cannot be read as Arrow's bytes: the numpy path makes them.
    slow = bitmaps(pl.concat([pl.Series([True], dtype=pl.Boolean), column], rechunk=True).slice(1), words)
    mask = np.packbits(np.ones(column.len(), dtype=bool), bitorder="little")
    mask = np.pad(mask, (0, words * 8 - mask.size)).view(np.uint64)
    assert fast[0] is not None and slow[0] is not None
    assert np.array_equal(fast[0] & mask, slow[0] & mask)
    assert np.array_equal(fast[1] & fast[0] & mask, slow[1] & slow[0] & mask)
    assert popcounts((fast[1] & fast[0] & mask)[None, :])[0] == column.sum()


def test_empty_frame_and_columns_of_nulls_only():
    empty = pl.DataFrame({"wave": [], "a": []}, schema={"wave": pl.String, "a": pl.Boolean})
    assert group_counts(empty, ["wave"], ["a"]).height == 0
    nulls = pl.DataFrame({"wave": ["x", "x", "y"], "a": [None, None, None]}, schema={"wave": pl.String, "a": pl.Boolean})
    same(nulls, ["wave"], ["a"])


@pytest.mark.parametrize("value", [True, False])
def test_a_column_with_no_missing_values(value):
    frame = pl.DataFrame({"wave": ["x"] * 70, "a": [value] * 70})
    counted = group_counts(frame, ["wave"], ["a"]).row(0, named=True)
    assert counted == {"wave": "x", "n\x1fa": 70, "x\x1fa": 70 if value else 0}
