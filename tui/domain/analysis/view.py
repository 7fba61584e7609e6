"""What the TUI analysis screen shows, without Textual: a selection (wave, comparison wave,
grouping, k), the protected tables it gives, and from those the chart and grid for one bank.

``AnalysisCache`` reads each wave's returns once and keeps the tables per selection, so switching
bank or grouping never re-reads 100,000 returns from the store; the screen calls it from a
worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

from tui.domain.analysis.agreement import (
    ChartData,
    WaveReturns,
    bank_abbreviations,
    compare_waves,
    group_chart,
    group_labels,
    grouping_name,
    grouping_title,
    levels,
    parse_grouping,
    stage_profile,
    wave_chart,
)
from tui.domain.analysis.disclosure import WaveRelease, wave_release
from tui.domain.analysis.grids import (
    Grid,
    comparison_grid,
    rates_line,
    stage_grid,
    statement_grid,
    waves_stage_grid,
)
from tui.domain.analysis.tables import released_rates, released_statements

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

# The groupings the screen cycles through, coarsest first.
GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("role_group",), ("school",), ("school", "role_group"))
# Its table holds every grouping above as a margin (statement_table): each is a view of it.
FINEST = GROUPINGS[-1]


def grouping_view(table: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """The rows of a released statements table at a finer grouping that grouping ``by`` shows (its
    margins), in the same order: protection is decided per figure for the whole wave (WaveRelease),
    so they are the table ``released_statements`` makes at ``by`` (tests/domain/test_study_analysis.py)."""
    return table.filter(pl.col("grouping").is_in([grouping_name(level) for level in levels(by)]))


@dataclass(frozen=True)
class Selection:
    wave: str
    compare_with: str | None = None  # the earlier wave shown first, or None
    by: tuple[str, ...] = ("role_group",)
    k: int = 5

    @property
    def grouping(self) -> str:
        return grouping_name(self.by)

    @property
    def waves(self) -> tuple[str, ...]:
        return (self.compare_with, self.wave) if self.compare_with else (self.wave,)


@dataclass(frozen=True)
class AnalysisTables:
    """The protected tables of one selection and what the screen needs to draw them."""

    selection: Selection
    returns: int
    statements: pl.DataFrame
    comparison: pl.DataFrame | None
    rates: tuple[pl.DataFrame, ...]  # per wave shown, earlier first
    stages: tuple[pl.DataFrame, ...]  # each wave's stage profile, earlier first
    banks: tuple[str, ...]
    bank_titles: dict[str, str]
    groups: tuple[str, ...]  # the finest grouping's labels, or ("Overall",)
    # chart, grid and stage grid per (what, bank, group), made once: a key press then only draws.
    _made: dict[tuple[str, str, str], object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def comparing(self) -> bool:
        return self.comparison is not None

    def focus_groups(self) -> tuple[str, ...]:
        """The groups a paired (two-wave) chart can show, one at a time."""
        return ("Overall", *[g for g in self.groups if g != "Overall"])

    def prepare(self, group: str = "Overall", cancelled: Callable[[], bool] = lambda: False) -> None:
        """Make every bank's chart, grid and stage grid for ``group`` now (in the worker thread), so
        stepping through banks on the screen only draws them; stops early once ``cancelled()``."""
        for bank in self.banks:
            if cancelled():
                return
            self.prepare_bank(bank, group)

    def prepare_bank(self, bank: str, group: str = "Overall") -> None:
        """Make one bank's chart, grid and stage grid and the response-rate lines now (in the
        worker thread), so drawing them on the screen computes nothing."""
        self.rates_text()
        self.chart(bank, group)
        self.grid(bank, group)
        self.stage_grid(bank, group)

    def _once(self, what: str, bank: str, group: str, make: Callable[[], T]) -> T:
        key = (what, bank, group if self.comparison is not None else "")  # one wave: the same for any group
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = make()
        return found  # type: ignore[return-value]  # stored under its own kind

    def chart(self, bank: str, group: str = "Overall") -> ChartData:
        return self._once("chart", bank, group, lambda: self._chart(bank, group))

    def grid(self, bank: str, group: str = "Overall") -> Grid:
        return self._once("grid", bank, group, lambda: self._grid(bank, group))

    def _chart(self, bank: str, group: str) -> ChartData:
        """Compared: the two waves paired for ``group``. Else one bar per group of the grouping."""
        if self.comparison is not None:
            return wave_chart(self.comparison, bank, group)
        level = self.selection.grouping
        return group_chart(self.statements, bank, list(self.groups), grouping=level if self.selection.by else None)

    def _grid(self, bank: str, group: str) -> Grid:
        if self.comparison is not None:
            return comparison_grid(self.comparison, bank, group)
        groups = list(dict.fromkeys(["Overall", *self.groups]))
        return statement_grid(self.statements, bank, groups)

    def rates_text(self) -> list[str]:
        grouping = self.selection.grouping
        return self._once("rates", "", "", lambda: [rates_line(rates, grouping) for rates in self.rates])

    def stage_grid(self, bank: str, group: str = "Overall") -> Grid:
        """The bank's stage profile: every group of the grouping, or when comparing the focused
        group in both waves."""
        if self.comparison is not None:
            return self._once("stages", bank, group, lambda: waves_stage_grid(self.stages, bank, group))
        return self._once("stages", bank, group, lambda: stage_grid(self.stages[-1], bank))

    def describe_selection(self, bank: str, group: str | None = None) -> str:
        """"Wave 2014 → 2015 · JPD Joint Practice Development 1/5 · role group: HD" (k is stated with the rule)."""
        s = self.selection
        waves = f"{s.compare_with} → {s.wave}" if s.compare_with else s.wave
        position = f" {self.banks.index(bank) + 1}/{len(self.banks)}" if bank in self.banks else ""
        grouping = grouping_title(s.grouping) + (f": {group}" if self.comparing and group else "")
        return " · ".join([f"Wave {waves}", f"{bank} {self.bank_titles.get(bank, '')}{position}", grouping])


def build_tables(selection: Selection, current: WaveReturns, earlier: WaveReturns | None,
                 release: WaveRelease | None = None, earlier_release: WaveRelease | None = None,
                 rates: Sequence[pl.DataFrame] | None = None,
                 finest: Sequence[pl.DataFrame] | None = None) -> AnalysisTables:
    """The protected tables of a selection from the waves' returns (pure; no store access). Each
    wave's release pattern (``wave_release``) is made here unless given; the earlier wave's statements
    are protected once, for both the comparison and its stage profile. ``rates``: each wave's
    released response rates, earlier first, when already made (they do not depend on the grouping).
    ``finest``: each wave's released statements at FINEST, earlier first, when already made: the
    selection's are then a view of them (grouping_view), not counted again."""
    by = parse_grouping(selection.by)

    def released(data: WaveReturns, wave_release: WaveRelease, made: pl.DataFrame | None) -> pl.DataFrame:
        return released_statements(data, by, wave_release) if made is None else grouping_view(made, by)

    finest_now = finest[-1] if finest else None
    finest_before = finest[0] if finest and len(finest) == 2 else None
    release = release or wave_release(current, selection.k)
    statements = released(current, release, finest_now)
    stages = [stage_profile(statements)]
    comparison = None
    if earlier is not None:
        earlier_release = earlier_release or wave_release(earlier, selection.k)
        before = released(earlier, earlier_release, finest_before)
        stages.insert(0, stage_profile(before))
        comparison = compare_waves(before, statements)
    if rates is None:
        rates = [released_rates(current, release)]
        if earlier is not None:
            assert earlier_release is not None  # made above
            rates = [released_rates(earlier, earlier_release), *rates]
    banks = tuple(bank_abbreviations(statements))
    titles = dict(statements.select("bank", "bank_title").unique("bank").iter_rows())
    groups = tuple(group_labels(statements, selection.grouping)) if selection.by else ("Overall",)
    return AnalysisTables(
        selection=selection,
        returns=current.wide.filter(pl.col("wave") == current.wave).height,
        statements=statements,
        comparison=comparison,
        rates=tuple(rates),
        stages=tuple(stages),
        banks=banks,
        bank_titles=titles,
        groups=groups or ("Overall",),
    )


class AnalysisCache:
    """Each wave's returns read once; tables kept per selection. Safe to call from several worker
    threads (one makes a wave's read or a selection's tables, the others wait for it) while the UI
    thread only reads finished results."""

    def __init__(self, load: Callable[[str], WaveReturns]):
        self._load = load
        self._returns: dict[str, WaveReturns] = {}
        self._tables: dict[Selection, AnalysisTables] = {}
        self._releases: dict[tuple[str, int], WaveRelease] = {}
        self._rates: dict[tuple[str, int], pl.DataFrame] = {}
        self._finest: dict[tuple[str, int], pl.DataFrame] = {}
        self._lock = threading.Lock()
        self._making: dict[object, threading.Lock] = {}
        self._generation = 0  # counts clear(): what was being made before one is not kept

    def _kept(self, store: dict[K, V], key: K, make: Callable[[], V]) -> V:
        """``store[key]``, made by ``make`` if missing: by one thread only, the others asking for
        the same key meanwhile wait for it (the screen's worker and its background making of the
        other groupings may ask at once)."""
        with self._lock:
            found = store.get(key)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault((id(store), key), threading.Lock())
            generation = self._generation
        with making:
            with self._lock:
                found = store.get(key)
            if found is None:
                found = make()
                with self._lock:
                    # Read before a clear() (new returns keyed meanwhile): returned to the thread that
                    # asked, which a newer request has superseded, but never kept for the next.
                    if generation == self._generation:
                        store[key] = found
        return found

    def returns(self, wave: str) -> WaveReturns:
        return self._kept(self._returns, wave, lambda: self._load(wave))

    def release(self, data: WaveReturns, k: int) -> WaveRelease:
        """The wave's one release pattern, made once per wave and k: every grouping shows a view of it."""
        return self._kept(self._releases, (data.wave, k), lambda: wave_release(data, k))

    def rates(self, data: WaveReturns, k: int) -> pl.DataFrame:
        """The wave's released response rates, made once per wave and k: the same at every grouping."""
        return self._kept(self._rates, (data.wave, k), lambda: released_rates(data, self.release(data, k)))

    def finest(self, data: WaveReturns, k: int) -> pl.DataFrame:
        """The wave's released statements at FINEST, made once per wave and k: every grouping's and
        comparison's are a view of them (a new grouping took 20-30 ms to count on 100,000 returns)."""
        return self._kept(self._finest, (data.wave, k),
                          lambda: released_statements(data, FINEST, self.release(data, k)))

    def cached(self, selection: Selection) -> AnalysisTables | None:
        with self._lock:
            return self._tables.get(selection)

    def tables(self, selection: Selection) -> AnalysisTables:
        def make() -> AnalysisTables:
            current = self.returns(selection.wave)
            earlier = self.returns(selection.compare_with) if selection.compare_with else None
            waves = ((earlier,) if earlier else ()) + (current,)
            return build_tables(selection, current, earlier, self.release(current, selection.k),
                                self.release(earlier, selection.k) if earlier is not None else None,
                                [self.rates(wave, selection.k) for wave in waves],
                                [self.finest(wave, selection.k) for wave in waves])

        return self._kept(self._tables, selection, make)

    def clear(self) -> None:
        """Forget everything (new returns were keyed): the next request re-reads the store."""
        with self._lock:
            self._generation += 1
            self._returns.clear()
            self._tables.clear()
            self._releases.clear()
            self._rates.clear()
            self._finest.clear()
            self._making.clear()


def next_in(options: Sequence[T], current: object, step: int = 1) -> T:
    """The option after ``current`` (wrapping), or the first when ``current`` is not among them."""
    if current not in options:
        return options[0]
    return options[(options.index(current) + step) % len(options)]

