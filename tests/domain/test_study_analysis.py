"""From the store to the analysis: wave returns, the screen's cache and tables, and display text."""

from __future__ import annotations

import polars as pl
import pytest

from tests.analysis_study import SECRET_NAME
from tui.domain.analysis import (
    GROUPINGS,
    SUPPRESSED,
    AnalysisCache,
    Selection,
    build_tables,
    change,
    figure,
    min_cell,
    next_in,
    previous_wave,
    rates_line,
    returns_count,
    school_names_to_reveal,
    wave_returns,
    whole,
)
from tui.domain.demo import new_returns, synthetic_returns
from tui.domain.store import Study


@pytest.fixture(scope="module")
def study(_analysis_study_built):
    with Study.open(_analysis_study_built) as opened:
        yield opened


def test_wave_returns_carry_issued_forms_and_population(study):
    first, second = wave_returns(study, "2014"), wave_returns(study, "2015")
    assert (returns_count(first), returns_count(second)) == (31, 49)
    assert first.population == 68 and first.issued is None  # no forms logged: the population is the base
    assert second.population is None
    assert second.issued.columns == ["school", "role", "issued"] and second.issued["issued"].sum() == 60
    assert first.instrument.id == "partnership-survey" and first.wide["wave"].unique().to_list() == ["2014"]


def test_study_settings_and_names_for_an_explicit_reveal(study):
    assert min_cell(study) == 5
    assert school_names_to_reveal(study, wave_returns(study, "2015")) == {"A": SECRET_NAME}
    assert previous_wave(study, "2015") == "2014" and previous_wave(study, "2014") is None


@pytest.mark.slow
def test_cache_reads_each_wave_once(study):
    loads: list[str] = []

    def load(wave):
        loads.append(wave)
        return wave_returns(study, wave)

    cache = AnalysisCache(load)
    by_group = cache.tables(Selection("2015", by=("role_group",)))
    cache.tables(Selection("2015", by=("school",)))
    assert cache.tables(Selection("2015", by=("role_group",))) is by_group
    cache.tables(Selection("2015", compare_with="2014", by=()))
    assert loads == ["2015", "2014"]
    cache.clear()
    cache.tables(Selection("2015", by=()))
    assert loads == ["2015", "2014", "2015"]


@pytest.mark.slow
def test_cache_makes_a_read_and_a_selection_once_when_threads_ask_together(study):
    """The screen's worker and its background making of the other groupings may ask for the same
    wave or selection at once: one thread reads or makes it, the others wait for that result."""
    import threading
    import time

    loads: list[str] = []

    def load(wave):
        loads.append(wave)
        time.sleep(0.2)  # long enough for every thread to ask while the first is reading
        return wave_returns(study, wave)

    cache = AnalysisCache(load)
    asked = [Selection("2015", by=by) for by in GROUPINGS] * 2  # every grouping, each asked twice
    made: dict[int, object] = {}

    def ask(i: int) -> None:
        made[i] = cache.tables(asked[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(asked))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["2015"]  # one read of the wave for all of them
    half = len(GROUPINGS)
    assert len(made) == len(asked) and all(made[i] is made[i + half] for i in range(half))  # made once each


@pytest.mark.slow
def test_cache_tables_are_those_made_from_scratch(study):
    """The cache shares each wave's read, release pattern and response rates between groupings and
    comparisons: every selection's tables must be those build_tables makes from nothing."""
    cache = AnalysisCache(lambda wave: wave_returns(study, wave))
    for compare in (None, "2014"):
        for by in GROUPINGS:
            selection = Selection("2015", compare, by)
            kept = cache.tables(selection)
            fresh = build_tables(selection, wave_returns(study, "2015"), wave_returns(study, "2014") if compare else None)
            assert kept.statements.equals(fresh.statements) and kept.groups == fresh.groups
            assert all(a.equals(b) for a, b in zip(kept.rates, fresh.rates, strict=True))
            assert all(a.equals(b) for a, b in zip(kept.stages, fresh.stages, strict=True))
            assert (kept.comparison is None) == (fresh.comparison is None)
            assert kept.comparison is None or kept.comparison.equals(fresh.comparison)
            assert kept.rates_text() == fresh.rates_text() and kept.grid("JPD").rows == fresh.grid("JPD").rows


def test_cache_never_keeps_a_read_made_before_a_clear():
    """The screen's background worker may be reading when new returns are keyed and the cache is
    cleared: what it read is stale and must not be what the next request finds."""
    import threading

    started, release = threading.Event(), threading.Event()
    reads: list[str] = []

    def load(wave):
        reads.append(wave)
        if len(reads) == 1:  # the first read is held until the cache has been cleared
            started.set()
            release.wait(5)
            return "stale"
        return "fresh"

    cache = AnalysisCache(load)  # type: ignore[arg-type]  # any value stands for a wave's returns here
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(cache.returns("2015")))
    reader.start()
    assert started.wait(5)
    cache.clear()
    release.set()
    reader.join(5)
    assert got == ["stale"]  # the thread that asked gets what it read
    assert cache.returns("2015") == "fresh" and reads == ["2015", "2015"]


@pytest.mark.slow
def test_tables_give_charts_and_grids_per_bank(study):
    data = wave_returns(study, "2015")
    tables = build_tables(Selection("2015", by=("role_group",), k=5), data, None)
    assert tables.banks == ("JPD", "HSC", "CMP", "E&C", "AA") and tables.groups == ("HD", "SLT", "T")
    chart = tables.chart("HSC")
    assert chart.title == "High Social Capital by group (2015)"
    assert [s.name.split(" ")[0] for s in chart.series] == ["HD", "SLT", "T"]
    grid = tables.grid("HSC")
    # Missing HSC pages drop out of n.
    with_page = data.wide["HSC A1"].count()
    assert with_page < 49 and grid.header[:4] == ("Code", "No.", "Statement", f"Overall (n={with_page})")
    assert len(grid.rows) == len(chart.labels) and grid.rows[0][0] == "HSC A1"
    # Issued = returned + the unreturned forms (HD: A1 B2 D2 E1, SLT: A3 D3, T: B4 C5 C5 E4 E5).
    returned = dict(data.wide.group_by("role_group").len().iter_rows())
    parts = [f"{g} {returned[g]} of {returned[g] + extra}, {whole(100 * returned[g] / (returned[g] + extra))}%"
             for g, extra in (("HD", 4), ("SLT", 2), ("T", 5))]
    assert tables.rates_text() == [" · ".join(["2015: 49 of 60, 82%", *parts])]


@pytest.mark.slow
def test_compared_tables_pair_the_waves_for_one_group(study):
    tables = build_tables(Selection("2015", compare_with="2014", by=("role_group",), k=5),
                          wave_returns(study, "2015"), wave_returns(study, "2014"))
    assert tables.comparing and tables.focus_groups() == ("Overall", "HD", "SLT", "T")
    chart = tables.chart("JPD", "HD")
    assert chart.title.startswith("2014/2015 Joint Practice Development HD (")
    assert [s.name.split(" ")[0] for s in chart.series] == ["2014", "2015"]
    assert tables.grid("JPD", "HD").header == ("Code", "Statement", "2014 %", "2015 %", "Change", "Note")
    # HD (12) holds groups under k whose counts are withheld; SLT (6) goes with it, or Overall - T - SLT gives HD.
    # A stated population is the wave's only denominator: shown groups give their share of the returns.
    assert tables.rates_text()[0] == "2014: 31 of 68, 46% · HD supp. · SLT supp. · T 13 (42%)"
    assert tables.describe_selection("JPD", "HD") == \
        "Wave 2014 → 2015 · JPD Joint Practice Development 1/5 · role group: HD"


def test_small_groups_read_suppressed_in_the_grid(study):
    tables = build_tables(Selection("2014", by=("school", "role_group"), k=5), wave_returns(study, "2014"), None)
    grid = tables.grid("JPD")
    cells = [value for row in grid.rows for value in row[3:]]
    hidden = tables.statements.filter(pl.col("bank") == "JPD", pl.col("group").is_in(list(tables.groups)),
                                      pl.col("suppressed"))
    assert hidden.height and cells.count(SUPPRESSED) == hidden.height
    assert all(s.values == (None,) * len(s.values) for s in tables.chart("JPD").series if s.suppressed)


def test_display_text():
    assert figure(None) == "–" and figure(62.5) == "63" and figure(52.4, 35.2, 67.5) == "52 (35–68)"
    assert change(6.2) == "+6" and change(-2.5) == "-2" and change(None) == "–"
    assert next_in(GROUPINGS, ()) == ("role_group",) and next_in(GROUPINGS, ("school", "role_group")) == ()
    assert next_in(("a", "b"), "zz") == "a" and next_in(("a", "b"), "a", -1) == "b"
    empty = pl.DataFrame(schema={"grouping": pl.String})
    assert rates_line(empty) == "no returns"


def test_synthetic_returns_saved_read_back_the_same(tmp_path, bundled):
    wide = synthetic_returns(bundled, 40, wave="2014", seed=3, missing_page_rate=0.2)
    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2014", bundled, operator="RS")
        study.save_returns(new_returns(wide, bundled), operator="RS")
        back = study.returns_wide("2014")
    codes = bundled.codes()
    assert wide.select(codes).null_count().sum_horizontal().item() > 0  # some pages missing
    assert back.select("participant_code", *codes).equals(wide.select("participant_code", *codes))


@pytest.mark.slow
def test_charts_and_grids_made_ahead_are_the_ones_made_on_demand(study):
    """prepare() (run by the screen's worker) makes every bank's chart, grid and stage grid once;
    what a key press then gets is what computing it afresh gives, per focused group when comparing."""
    from tui.domain.analysis import group_chart, wave_chart

    current, earlier = wave_returns(study, "2015"), wave_returns(study, "2014")
    for selection, before in ((Selection("2015", by=("role_group",), k=5), None),
                              (Selection("2015", compare_with="2014", by=("role_group",), k=5), earlier)):
        tables = build_tables(selection, current, before)
        tables.prepare("HD")
        for bank in tables.banks:
            kept = tables.chart(bank, "HD")
            assert tables.chart(bank, "HD") is kept and tables.grid(bank, "HD") is tables.grid(bank, "HD")
            fresh = (wave_chart(tables.comparison, bank, "HD") if tables.comparing else
                     group_chart(tables.statements, bank, list(tables.groups), grouping="role_group"))
            assert kept == fresh
        if tables.comparing:  # another focused group is its own chart, not the prepared one
            assert tables.chart("JPD", "T") != tables.chart("JPD", "HD")
            assert tables.stage_grid("JPD", "T").rows[0][1] == "T"


def test_issued_cells_are_completeness_issued_column(study):
    """What response rates need (forms issued per school x role) read without counting the returns."""
    for wave in ("2014", "2015"):
        cells = study.completeness(wave).filter(pl.col("issued") > 0).select("school", "role", "issued")
        assert study.issued_cells(wave).sort(["school", "role"]).equals(cells.sort(["school", "role"]))
