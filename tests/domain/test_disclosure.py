"""Small-cell protection: primary and secondary suppression worked out by hand, and school names."""

from __future__ import annotations

import polars as pl
import pytest

from tests.analysis_fixtures import SCHOOL_NAMES, version_2014, wave_2014, wide
from tui.domain.analysis import (
    DEFAULT_K,
    AnalysisError,
    protect,
    reveal_school_names,
    rule_text,
    school_names_of,
    statement_table,
    suppression_states,
)


def states(table: pl.DataFrame, bank: str) -> dict[str, str | None]:
    rows = table.filter(pl.col("bank") == bank)
    per_group = rows.group_by("group", maintain_order=True).agg(pl.col("suppression").unique())
    result = {}
    for group, values in per_group.iter_rows():
        assert len(values) == 1, f"{group}: statements of one bank decided differently"
        result[group] = values[0]
    return result


@pytest.fixture
def protected():
    data = wave_2014()
    return protect(statement_table(data.wide, data.instrument, ("school", "role_group")), k=3)


def test_default_k_suppresses_every_group_under_five():
    data = wave_2014()
    table = protect(statement_table(data.wide, data.instrument, "role_group"))
    assert DEFAULT_K == 5
    # Overall n = 7 is shown; HD 3, SLT 2 (1 for HSC), T 2 (3 for HSC) are all under 5.
    assert states(table, "JPD") == {"Overall": None, "HD": "primary", "SLT": "primary", "T": "primary"}


def test_primary_and_secondary_suppression_by_hand(protected):
    # JPD n: overall 7; schools A 3, B 3, C 1; HD 3, SLT 2, T 2; cells A·HD 2, A·SLT 1, B·HD 1,
    # B·T 2, C·SLT 1, C·T 0. With k = 3, C, SLT, T and every cell are primary. Overall = A + B + C
    # then has C alone hidden, so the smaller of A and B (a tie: A, listed first) goes too.
    assert states(protected, "JPD") == {
        "Overall": None, "School A": "secondary", "School B": None, "School C": "primary",
        "HD": None, "SLT": "primary", "T": "primary",
        "School A · HD": "primary", "School A · SLT": "primary", "School B · HD": "primary",
        "School B · T": "primary", "School C · SLT": "primary", "School C · T": "primary"}
    # HSC n: overall 7; A 2, B 3, C 2; HD 3, SLT 1, T 3. Overall = HD + SLT + T has SLT alone
    # hidden, so HD (3, tied with T, listed first) is hidden too; every cell is under 3.
    assert states(protected, "HSC") == {
        "Overall": None, "School A": "primary", "School B": None, "School C": "primary",
        "HD": "secondary", "SLT": "primary", "T": None,
        "School A · HD": "primary", "School A · SLT": "primary", "School B · HD": "primary",
        "School B · T": "primary", "School C · SLT": "primary", "School C · T": "primary"}


def test_suppressed_figures_are_withheld_but_n_is_shown(protected):
    hidden = protected.filter(pl.col("suppressed"))
    assert hidden.height > 0
    for column in ("highlighted", "percent", "ci_low", "ci_high"):
        assert hidden[column].is_null().all(), column
    assert hidden["n"].is_not_null().all()
    shown = protected.filter(~pl.col("suppressed") & (pl.col("n") > 0))
    assert shown["percent"].is_not_null().all() and shown["suppression"].is_null().all()
    row = protected.filter((pl.col("group") == "School B") & (pl.col("code") == "JPD A1")).row(0, named=True)
    assert (row["n"], row["highlighted"]) == (3, 2)  # returns 4 and 6 of 4, 5, 6


def test_no_suppressed_group_can_be_recovered_by_subtraction(protected):
    # For every partition in the table (a parent and the groups that make it up), either nothing
    # is hidden or at least two figures are.
    for (code,), rows in protected.filter(pl.col("n") > 0).group_by(["code"]):
        hidden = dict(zip(rows["group"], rows["suppressed"], strict=True))
        partitions = [
            ("Overall", ["School A", "School B", "School C"]), ("Overall", ["HD", "SLT", "T"]),
            ("School A", ["School A · HD", "School A · SLT"]), ("School B", ["School B · HD", "School B · T"]),
            ("School C", ["School C · SLT", "School C · T"]), ("HD", ["School A · HD", "School B · HD"]),
            ("SLT", ["School A · SLT", "School C · SLT"]), ("T", ["School B · T", "School C · T"]),
        ]
        for parent, children in partitions:
            cells = [g for g in (parent, *children) if g in hidden]
            assert sum(hidden[g] for g in cells) != 1, f"{code}: {parent} = {' + '.join(children)}"


def test_secondary_suppression_spreads_until_no_figure_is_alone():
    # Two schools x two groups, k = 3: A·HD 2, A·T 8, B·HD 6, B·T 4. Hiding A·HD leaves it alone in
    # A = A·HD + A·T and in HD = A·HD + B·HD; hiding partners there leaves B·T's row and column
    # exposed in turn, so all four cells end up hidden while the margins stay shown.
    instrument = version_2014()
    plan = {"A2": 2, "A4": 8, "B2": 6, "B4": 4}
    rows, next_id = [], 1
    for code, count in plan.items():
        for _ in range(count):
            rows.append((next_id, code, "10000 100"))
            next_id += 1
    table = protect(statement_table(wide(instrument, "w", rows), instrument, ("school", "role_group")), k=3)
    assert states(table, "JPD") == {
        "Overall": None, "School A": None, "School B": None, "HD": None, "T": None,
        "School A · HD": "primary", "School A · T": "secondary", "School B · HD": "secondary",
        "School B · T": "secondary"}


def test_suppression_states_ignore_empty_groups():
    # Parent 0 = children 1 + 2 + 3; child 3 is empty so it cannot hide child 1 (n = 2, k = 5).
    assert suppression_states([20, 2, 18, 0], [(0, [1, 2, 3])], k=5) == ["", "primary", "secondary", "primary"]


def test_k_below_one_is_refused():
    data = wave_2014()
    with pytest.raises(AnalysisError, match="k must be at least 1"):
        protect(statement_table(data.wide, data.instrument), k=0)


def test_rule_text_states_k():
    text = rule_text(7)
    assert "fewer than 7 respondents" in text and "subtracting" in text and "letter" in text


def test_school_names_only_on_request():
    data = wave_2014()
    table = statement_table(data.wide, data.instrument, "school")
    assert not any(name in str(table.rows()) for name in SCHOOL_NAMES.values())
    named = reveal_school_names(table, school_names_of(data.instrument))
    assert named.columns[named.columns.index("school") + 1] == "school_name"
    assert named.filter(pl.col("school") == "C")["group"].unique().to_list() == ["School C (St Aldhelm's)"]
    assert named.filter(pl.col("grouping") == "overall")["group"].unique().to_list() == ["Overall"]
