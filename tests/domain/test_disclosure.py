"""Small-cell protection of a wave's whole release: the cases of issue 15, worked through.

Each case is first shown to be a real leak (the unprotected figures give the hidden one away),
then shown closed in what SurveyDesk releases, and the LP audit is checked to agree.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from tests.analysis_fixtures import (
    SCHOOL_NAMES,
    THESIS_2014,
    five_schools,
    protected,
    random_wave,
    wave_2014,
)
from tui.domain.analysis import (
    DEFAULT_K,
    N_WITHHELD,
    AnalysisError,
    export_wave,
    parse_grouping,
    released_rates,
    released_statements,
    reveal_school_names,
    rule_text,
    school_names_of,
    statement_table,
    wave_release,
)
from tui.domain.analysis.audit import ReleaseRefused, audit, require_pass
from tui.domain.analysis.disclosure import SECONDARY

GROUPINGS = ["overall", "school", "role_group", "role", "school,role_group", "school,role", "role,role_group",
             "school,role_group,role"]


@pytest.fixture(scope="module")
def thesis():
    """The thesis's 2014 group sizes (HD 10 with 2 governors, SLT 9, T 12) with seeded answers."""
    return random_wave(five_schools(), "2014", THESIS_2014, seed=2014, missing=0.05)


@pytest.fixture(scope="module")
def thesis_release(thesis):
    return wave_release(thesis, DEFAULT_K)


def shown(table: pl.DataFrame, group: str, code: str) -> dict:
    return table.filter((pl.col("group") == group) & (pl.col("code") == code)).row(0, named=True)


def test_within_one_table_governors_are_not_hd_minus_heads(thesis, thesis_release):
    table = released_statements(thesis, parse_grouping("role,role_group"), thesis_release)
    raw = statement_table(thesis.wide, thesis.instrument, parse_grouping("role,role_group"))
    code = "JPD A1"
    # The leak: HD minus HT/DHT is the governors' count exactly.
    assert shown(raw, "HD", code)["n"] - shown(raw, "HT or DHT", code)["n"] == shown(raw, "Governor", code)["n"] == 2
    governor, heads, hd = (shown(table, g, code) for g in ("Governor", "HT or DHT", "HD"))
    assert governor["suppression"] == N_WITHHELD and governor["n"] is None
    # HD or HT/DHT goes too, so the subtraction has two unknowns. "Governor" and "Governor · HD"
    # are one group: same state, not two rows counted twice.
    assert heads["suppressed"] or hd["suppressed"]
    assert shown(table, "Governor · HD", code)["suppression"] == N_WITHHELD
    ranges = [r for r in audit(thesis_release).ranges if r.group == "Governor"]
    assert ranges and not any(r.pinned and not r.exempt for r in ranges)


def test_every_grouping_shows_the_same_pattern(thesis, thesis_release):
    """Across tables: whatever grouping a user asks for, a group's figures are shown or withheld alike."""
    seen: dict[tuple, tuple] = {}
    for grouping in GROUPINGS:
        table = released_statements(thesis, parse_grouping(grouping), thesis_release)
        for row in table.iter_rows(named=True):
            key = (thesis_release.cell_for(row["grouping"], row["school"], row["role_group"], row["role"]), row["code"])
            figures = (row["n"], row["highlighted"], row["suppression"])
            assert seen.setdefault(key, figures) == figures, (grouping, row["group"], row["code"])
    # Middle Leader = T - Teacher needs T and Teacher both shown: never with Middle Leader withheld.
    roles = released_statements(thesis, ("role",), thesis_release)
    groups = released_statements(thesis, ("role_group",), thesis_release)
    for code in thesis.instrument.codes():
        if shown(roles, "Middle Leader", code)["suppressed"]:
            assert shown(roles, "Teacher", code)["suppressed"] or shown(groups, "T", code)["suppressed"], code


def test_totals_at_full_agreement_do_not_pin_a_withheld_school():
    """One teacher at school A: A + C = 8 of 8 would say A's teacher highlighted JPD A1."""
    instrument = five_schools()
    counts = {("A", 5): 1, ("B", 5): 8, ("C", 5): 7, ("D", 5): 8, ("E", 5): 8}
    data = random_wave(instrument, "w", counts, seed=1)
    ids = data.wide["return_id"]
    school = data.wide["school"]
    # JPD A1 highlighted by everyone at A and C, 7 of 8 at B and E, 5 of 8 at D; JPD A2 by nobody.
    first_of = {s: ids.filter(school == s).min() for s in "BDE"}
    a1 = (school.is_in(["A", "C"]) | ((school == "B") & (ids != first_of["B"]))
          | ((school == "E") & (ids != first_of["E"])) | ((school == "D") & (ids >= first_of["D"] + 3)))
    data = replace(data, wide=data.wide.with_columns(a1.alias("JPD A1"), pl.lit(False).alias("JPD A2")))
    release = wave_release(data, 5)
    table = released_statements(data, ("school",), release)
    assert shown(table, "School A", "JPD A1")["n"] is None  # 1 return: its size is withheld
    result = audit(release)
    a = {(r.layer, r.code): r for r in result.ranges if r.group == "School A" and r.bank == "JPD"}
    assert not a[("highlighted", "JPD A1")].pinned and not a[("not highlighted", "JPD A1")].pinned
    # JPD A2: "0 of 32" overall says nobody at A highlighted it: a published "nobody", by design.
    assert a[("highlighted", "JPD A2")].pinned and a[("highlighted", "JPD A2")].exempt
    assert result.passed


def test_response_counts_under_k_are_withheld(thesis, thesis_release):
    rates = released_rates(thesis, thesis_release)
    e_slt = rates.filter((pl.col("school") == "E") & (pl.col("role") == 3)).row(0, named=True)
    assert e_slt["suppressed"] and e_slt["returned"] is None and e_slt["rate"] is None and e_slt["text"] == "suppressed"
    overall = rates.filter(pl.col("grouping") == "overall").row(0, named=True)
    assert overall["returned"] == 31 and not overall["suppressed"]
    # Zeros under k are withheld like any small count: a withheld count never means "someone answered".
    empty = rates.filter((pl.col("school") == "B") & (pl.col("role") == 1)).row(0, named=True)
    assert empty["suppressed"] and empty["returned"] is None


def test_every_group_under_k_shows_no_count_anywhere(thesis, thesis_release):
    returns = thesis.wide
    for grouping in GROUPINGS:
        dims = parse_grouping(grouping)
        table = released_statements(thesis, dims, thesis_release)
        keys = list(dict.fromkeys(d for d in ("school", "role_group", "role") if d in dims or
                                  (d == "role_group" and "role" in dims)))
        sizes = returns.group_by(keys).len() if keys else pl.DataFrame({"len": [returns.height]})
        small = {tuple(r[:-1]) for r in sizes.iter_rows() if r[-1] < DEFAULT_K}
        for row in table.iter_rows(named=True):
            if tuple(row[k] for k in keys) in small:
                assert row["n"] is None and row["highlighted"] is None and row["percent"] is None, row["group"]


def test_audit_fails_a_weakened_pattern_and_export_refuses_it(thesis, monkeypatch, tmp_path):
    release = wave_release(thesis, DEFAULT_K)
    assert audit(release).passed
    # Show again every figure withheld only to protect another: something becomes exact.
    release.count_state = ["" if s == SECONDARY else s for s in release.count_state]
    release.figure_state = [["" if s == SECONDARY else s for s in states] for states in release.figure_state]
    result = audit(release)
    assert not result.passed and all(r.pinned for r in result.failures)
    with pytest.raises(ReleaseRefused, match="disclosure check failed"):
        require_pass(release)
    import tui.domain.analysis.exports as exports

    monkeypatch.setattr(exports, "wave_release", lambda data, k: release)
    with pytest.raises(ReleaseRefused):
        export_wave(thesis, exports_dir=tmp_path, formats=("csv",))
    assert not any(tmp_path.rglob("*.csv"))


def test_k_of_one_withholds_nothing(thesis):
    release = wave_release(thesis, 1)
    assert not any(release.count_state) and not any(any(s) for s in release.figure_state)
    assert audit(release).ranges == ()


def test_k_below_one_is_refused():
    with pytest.raises(AnalysisError, match="k must be at least 1"):
        wave_release(wave_2014(), 0)


def test_rule_text_states_k_and_the_exception():
    text = rule_text(7)
    assert "fewer than 7 returns" in text and "linear programming" in text and "0% or 100%" in text
    assert "letter only" in text


def test_narrowest_ranges_come_first(thesis_release):
    result = audit(thesis_release)
    narrowest = result.narrowest(5)
    assert [r.width for r in narrowest] == sorted(r.width for r in narrowest)
    assert all(not r.exempt for r in narrowest) and narrowest[0].width >= 1
    assert "–" in narrowest[0].describe()


def test_school_names_only_on_request():
    data = wave_2014()
    table = protected(data, "school", k=1)
    assert not any(name in str(table.rows()) for name in SCHOOL_NAMES.values())
    named = reveal_school_names(table, school_names_of(data.instrument))
    assert named.columns[named.columns.index("school") + 1] == "school_name"
    assert named.filter(pl.col("school") == "C")["group"].unique().to_list() == ["School C (St Aldhelm's)"]
    assert named.filter(pl.col("grouping") == "overall")["group"].unique().to_list() == ["Overall"]
