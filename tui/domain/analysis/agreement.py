"""What researchers do with the returns: percentages per statement, stage profiles, wave changes, response rates.

Pure functions from the wide returns frame (see tui.domain.returns.frames) to small polars tables.
The per-statement table counts the wide frame at the finest grouping asked for (on the
statement columns' bitmaps, see bitcount); every coarser grouping is then summed from that
small result, so 1,000,000 returns never get unpivoted into 60,000,000 long rows.

Missing bank pages are null in the wide frame: ``count`` skips nulls, so they drop out of
that bank's ``n`` instead of counting as "not highlighted".

Tables come out unprotected; ``tui.domain.analysis.disclosure.protect`` applies small-cell suppression
to the statement table, and the stage profile and wave comparison inherit it when built from
a protected table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import cast

import polars as pl

from tui.domain.analysis.bitcount import group_counts
from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument
from tui.domain.returns import statement_frame
from tui.domain.rules import percent_text, whole

# Dimensions a table may be grouped by, in the order crossings are named.
DIMENSIONS = ("school", "role_group", "role")
OVERALL = "overall"
DEFAULT_BY: tuple[str, ...] = ("role_group",)
GROUP_COLUMNS = ("grouping", "group", "school", "role_group", "role")
# z for a two-sided 95% interval: the 97.5th percentile of the standard normal.
Z95 = 1.959963984540054
SECTIONS = ("A", "B", "C", "D")

STATEMENT_TABLE_COLUMNS = (
    "wave", *GROUP_COLUMNS, "order", "bank_id", "bank", "bank_title", "section", "stage", "code",
    "number", "number_code", "statement_id", "text", "negative",
    "n", "highlighted", "percent", "ci_low", "ci_high",
)


class AnalysisError(SurveyDeskError):
    """An analysis, table, export or report that cannot be made from what was asked."""


class GroupingError(AnalysisError):
    """A grouping that names no known dimension; the message lists the valid ones."""


@dataclass(frozen=True)
class WaveReturns:
    """Everything the analysis needs about one wave, as the study store provides it."""

    wave: str
    instrument: Instrument
    wide: pl.DataFrame
    # Issued forms: columns school, role, issued (one row per school x role). None if not logged.
    issued: pl.DataFrame | None = None
    # A stated population (e.g. 68 staff) used as the overall denominator instead of issued forms.
    population: int | None = None
    # The study's label (the demo's "SYNTHETIC DEMO: ..."), carried onto every file and page made from it.
    label: str = ""
    # Which study the returns come from (its UUID and file name): output folders belong to one study.
    study_id: str = ""
    study_file: str = ""
    # The study's audit head (N:HASH) when the returns were read: exports record it (`audit --verify --head`).
    audit_head: str = ""


# --- groupings -----------------------------------------------------------------------


def parse_grouping(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """``None``/"overall" -> (); "role_group" -> ("role_group",); "school,role_group" or
    "school x role_group" or a list -> a crossing. Dimensions keep the order given."""
    if spec is None:
        return ()
    if isinstance(spec, str):
        parts = [p for p in spec.replace("×", ",").replace(" x ", ",").replace("*", ",").split(",")]
    else:
        parts = list(spec)
    dims: list[str] = []
    for part in (p.strip().lower().replace("-", "_") for p in parts):
        if part in ("", OVERALL):
            continue
        if part in ("group", "rolegroup"):
            part = "role_group"
        if part not in DIMENSIONS:
            raise GroupingError(f"unknown grouping {part!r}; use overall or any of {', '.join(DIMENSIONS)}")
        if part not in dims:
            dims.append(part)
    return tuple(dims)


def grouping_name(dims: Sequence[str]) -> str:
    return " × ".join(dims) if dims else OVERALL


def grouping_title(name: str) -> str:
    """For readers: "school × role_group" -> "school × role group"."""
    return name.replace("_", " ")


def grouping_dims(name: str) -> tuple[str, ...]:
    return () if name == OVERALL else tuple(name.split(" × "))


def effective_keys(dims: Sequence[str]) -> tuple[str, ...]:
    """The key columns a grouping fixes; a role fixes its role group too."""
    keys = list(dims)
    if "role" in keys and "role_group" not in keys:
        keys.append("role_group")
    return tuple(keys)


def levels(by: Sequence[str]) -> list[tuple[str, ...]]:
    """Every margin of a crossing, coarsest first: overall, each dimension, ..., the full crossing."""
    dims = parse_grouping(by)
    return [combo for size in range(len(dims) + 1) for combo in combinations(dims, size)]


# --- the per-statement table -------------------------------------------------------------


def _check_wide(wide: pl.DataFrame, instrument: Instrument) -> list[str]:
    codes = instrument.codes()
    missing = [c for c in ["wave", *DIMENSIONS, *codes] if c not in wide.columns]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise AnalysisError(f"the returns have no column for {shown} (instrument {instrument.id} "
                         f"{instrument.version}); were they keyed against another version?")
    return codes


def wilson_bounds(highlighted: pl.Expr, n: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval for highlighted/n, as proportions (null when n = 0).

    Unlike p +- z*sqrt(p(1-p)/n) it stays inside [0, 1] and does not collapse to a
    zero-width interval at 0% or 100%, which matters for groups of ten:

        centre     = (p + z^2/(2n)) / (1 + z^2/n)
        half-width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/(4n^2))
    """
    nf = n.cast(pl.Float64)
    p = highlighted.cast(pl.Float64) / nf
    denominator = 1 + z * z / nf
    centre = (p + z * z / (2 * nf)) / denominator
    half = z / denominator * (p * (1 - p) / nf + z * z / (4 * nf * nf)).sqrt()
    valid = n > 0
    # At 0% the low bound is 0 and at 100% the high bound is 1 exactly (the formula leaves
    # rounding noise such as 6.9e-16 there); elsewhere clip the noise into [0, 1].
    low = pl.when(valid & (highlighted == 0)).then(0.0).when(valid).then((centre - half).clip(0.0, 1.0))
    high = pl.when(valid & (highlighted == n)).then(1.0).when(valid).then((centre + half).clip(0.0, 1.0))
    return low, high


def wilson_interval(highlighted: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson interval for one proportion, as proportions; None when n = 0."""
    low, high = wilson_bounds(pl.col("x"), pl.col("n"), z)
    row = pl.DataFrame({"x": [highlighted], "n": [n]}).select(low.alias("low"), high.alias("high")).row(0)
    return None if row[0] is None else (row[0], row[1])


def _aggregate(wide: pl.DataFrame, codes: list[str], keys: list[str]) -> pl.DataFrame:
    """One row per wave x group: for each statement, n (non-null pages) and highlighted count,
    counted on the columns' bitmaps (see bitcount)."""
    return group_counts(wide, ["wave", *keys], codes)


def _with_empty_groups(agg: pl.DataFrame, universe: pl.DataFrame, keys: list[str], waves: list[str]) -> pl.DataFrame:
    """``agg`` plus a row of zeros for every group of ``universe`` it lacks."""
    if not keys or not waves:
        return agg
    groups = universe.select(keys).unique().join(pl.DataFrame({"wave": waves}, schema={"wave": pl.String}),
                                                 how="cross")
    missing = groups.join(agg.select(["wave", *keys]), on=["wave", *keys], how="anti", nulls_equal=True)
    schema = agg.schema  # made afresh at each access: once, not once per column (a quarter of the screen's tables)
    zeros = [pl.lit(0, dtype=dtype).alias(c) for c, dtype in schema.items() if "\x1f" in c]
    return pl.concat([agg, missing.with_columns(zeros).select(agg.columns)], how="vertical")


def _to_long(agg: pl.DataFrame, codes: list[str], keys: list[str]) -> pl.DataFrame:
    """From one column pair per statement to one row per group x statement (small frames only)."""
    index = ["wave", *keys]
    n = agg.unpivot(index=index, on=[f"n\x1f{c}" for c in codes], variable_name="code", value_name="n")
    x = agg.unpivot(index=index, on=[f"x\x1f{c}" for c in codes], value_name="highlighted")
    return n.with_columns(pl.col("code").str.slice(2), x["highlighted"])


def _group_label(dims: Sequence[str], role_labels: Mapping[int, str]) -> pl.Expr:
    if not dims:
        return pl.lit("Overall")
    parts = []
    for dim in dims:
        if dim == "school":
            parts.append(pl.concat_str(pl.lit("School "), pl.col("school")).fill_null("No school"))
        elif dim == "role_group":
            parts.append(pl.col("role_group").fill_null("No group"))
        else:
            parts.append(pl.col("role").replace_strict(role_labels, default=None, return_dtype=pl.String)
                         .fill_null(pl.concat_str(pl.lit("Role "), pl.col("role").cast(pl.String)))
                         .fill_null("No role"))
    return pl.concat_str(parts, separator=" · ")


def _labelled(frame: pl.DataFrame, level_index: int, level: tuple[str, ...], role_labels: Mapping[int, str],
              values: list[str]) -> pl.DataFrame:
    """One grouping's rows with the shared group columns; dimensions it does not fix are null."""
    keys = effective_keys(level)
    return frame.with_columns(
        pl.lit(level_index).alias("_level"),
        pl.lit(grouping_name(level)).alias("grouping"),
        _group_label(level, role_labels).alias("group"),
        *[pl.lit(None, dtype=dtype).alias(dim) for dim, dtype in
          (("school", pl.String), ("role_group", pl.String), ("role", pl.Int64)) if dim not in keys],
    ).select(["_level", "wave", *GROUP_COLUMNS, *values])


def _group_sort_keys(instrument: Instrument) -> list[pl.Expr]:
    key = instrument.key
    school_rank = {s: i for i, s in enumerate(key.school_letters)}
    group_rank = {g.name: i for i, g in enumerate(key.groups)}
    big = 1_000_000
    return [
        pl.col("school").replace_strict(school_rank, default=big, return_dtype=pl.Int64).fill_null(big + 1),
        pl.col("role_group").replace_strict(group_rank, default=big, return_dtype=pl.Int64).fill_null(big + 1),
        pl.col("role").fill_null(big),
    ]


def statement_table(wide: pl.DataFrame, instrument: Instrument, by: str | Sequence[str] | None = DEFAULT_BY,
                    *, margins: bool = True, universe: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per statement and group: n, highlighted, percent and its Wilson 95% interval.

    ``by`` is a grouping (see parse_grouping). With ``margins`` (the default) the table also
    holds every coarser grouping of the crossing, overall first, so that
    ``by=("school", "role_group")`` gives overall, by school, by role group and the crossing;
    the ``grouping`` column tells them apart. ``universe`` (columns school, role_group, role; one
    wave) lists groups to show even without returns, with n = 0, as a release does: a group left out
    would say it had none. Columns: STATEMENT_TABLE_COLUMNS.
    """
    dims = parse_grouping(by)
    codes = _check_wide(wide, instrument)
    wanted = levels(dims) if margins else [dims]
    finest = effective_keys(dims)
    statements = statement_frame(instrument)
    role_labels = {r.digit: r.label for r in instrument.key.roles}

    base = _aggregate(wide.select(["wave", *finest, *codes]), codes, list(finest))
    if universe is not None:
        base = _with_empty_groups(base, universe, list(finest), wide["wave"].unique().to_list())
    sums = [pl.col(c).sum() for c in base.columns if "\x1f" in c]
    parts = []
    for level_index, level in enumerate(wanted):
        keys = list(effective_keys(level))
        rolled = base.group_by(["wave", *keys]).agg(sums) if keys != list(finest) else base
        parts.append(_labelled(_to_long(rolled, codes, keys), level_index, level, role_labels,
                               ["code", "n", "highlighted"]))
    long = pl.concat(parts, how="vertical") if parts else pl.DataFrame()
    low, high = wilson_bounds(pl.col("highlighted"), pl.col("n"))
    table = (
        long.join(statements, on="code", how="left")
        .with_columns(
            pl.when(pl.col("n") > 0).then(100.0 * pl.col("highlighted") / pl.col("n")).alias("percent"),
            (100.0 * low).alias("ci_low"),
            (100.0 * high).alias("ci_high"),
        )
        .sort(["_level", "wave", *_group_sort_keys(instrument), "order"])
    )
    return table.select(STATEMENT_TABLE_COLUMNS).with_columns(pl.col("order").cast(pl.Int64))


# --- the stage profile ---------------------------------------------------------------------


def stage_profile(table: pl.DataFrame) -> pl.DataFrame:
    """Per wave x group x bank: the mean percent of each section A-D, and the stage reading: the
    section whose statements were highlighted most on average (ties go to the earlier section; no
    reading when nothing was highlighted). A group-bank with any suppressed figure is suppressed.

    This is how the thesis reads its charts (Chapter 5; docs/stage-reading.md): a bank is at the stage
    where responses "bunch" (AA, L1323), not at the furthest section with a majority: E&C, with
    responses "much lower" everywhere, is still read as Developing (L1276). Negatively worded statements
    count as highlighted, like the others: they are the Beginning stage's own indicators, and only with
    them does JPD's Beginning section (JPD 1 at 100%, JPD 2 and 3 at 0%) fall below Developing (L1127).

    Columns: wave, grouping, group, school, role_group, role, bank_id, bank, bank_title, n,
    mean_A..mean_D, stage_section, stage (+ suppressed when the input has it).
    """
    keys = ["wave", *GROUP_COLUMNS, "bank_id", "bank", "bank_title"]
    protected = "suppressed" in table.columns
    suppressed = pl.col("suppressed").any() if protected else pl.lit(False)
    ordered = table.with_columns(pl.int_range(pl.len()).alias("_row"))
    per_bank = ordered.group_by(keys, maintain_order=True).agg(
        pl.col("n").max().alias("n"),
        suppressed.alias("_suppressed"),
        pl.col("_row").min().alias("_row"),
        *[pl.col("percent").filter(pl.col("section") == s).mean().alias(f"mean_{s}") for s in SECTIONS],
        *[pl.col("stage").filter(pl.col("section") == s).first().alias(f"_stage_{s}") for s in SECTIONS],
    )
    means = [f"mean_{s}" for s in SECTIONS]
    top = pl.max_horizontal(means)
    # The first section (A before B ...) whose mean is the highest, when anything was highlighted.
    at_top = [(pl.col(f"mean_{s}") == top) & (top > 0) for s in SECTIONS]
    profile = per_bank.with_columns(
        *[pl.when(~pl.col("_suppressed")).then(pl.col(m)).alias(m) for m in means],
    ).with_columns(
        pl.coalesce([pl.when(hit).then(pl.lit(s)) for hit, s in zip(at_top, SECTIONS, strict=True)])
        .alias("stage_section"),
        pl.coalesce([pl.when(hit).then(pl.col(f"_stage_{s}")) for hit, s in zip(at_top, SECTIONS, strict=True)])
        .alias("stage"),
    )
    columns = [*keys, "n", *means, "stage_section", "stage"]
    if protected:
        profile = profile.with_columns(pl.col("_suppressed").alias("suppressed"))
        columns.append("suppressed")
    return profile.sort("_row").select(columns)


# --- wave comparison -----------------------------------------------------------------------


COMPARISON_COLUMNS = (
    *GROUP_COLUMNS, "statement_id", "bank_id", "bank", "bank_title", "status", "wave_first", "wave_second",
    "code_first", "code_second", "number_code_first", "number_code_second", "section_first", "section_second",
    "text", "text_first", "negative", "n_first", "highlighted_first", "percent_first",
    "n_second", "highlighted_second", "percent_second", "change", "change_ci_low", "change_ci_high",
)


def compare_waves(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """Per group and statement, the change in percentage points from ``first`` to ``second``.

    Statements are matched by their stable id, so a statement that was reworded or moved between
    instrument versions is still compared with itself. ``status`` says "same", "reworded",
    "moved", "moved and reworded", or "only in <wave>" for statements one version lacks (listed,
    with that wave's figures, never dropped). ``change_ci_low/high`` are Newcombe's hybrid score
    interval for a difference of proportions, from the two Wilson intervals; it treats the waves
    as independent samples, which is only approximately true when the same staff answer twice.
    Each input is one wave's statement table, protected or not; suppression carries over.
    Columns: COMPARISON_COLUMNS (+ suppressed, suppressed_first, suppressed_second when an input has
    them; ``suppressed`` is either side, since the change then cannot be shown).
    """
    wave_first, wave_second = _single_wave(first), _single_wave(second)
    ids_first = set(first["statement_id"].to_list())
    ids_second = set(second["statement_id"].to_list())
    keep = ["grouping", "group", "school", "role_group", "role", "statement_id", "bank_id", "bank", "bank_title", "order",
            "code", "number_code", "section", "text", "negative", "n", "highlighted", "percent", "ci_low", "ci_high"]
    protected = "suppressed" in first.columns or "suppressed" in second.columns

    join_keys = ["grouping", "school", "role_group", "role", "statement_id"]

    def side(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        frame = frame.with_columns(pl.int_range(pl.len()).alias("_row"))
        if "suppressed" not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias("suppressed"))
        cols = [c for c in keep if c not in join_keys]
        return frame.select(*join_keys, *[pl.col(c).alias(f"{c}_{suffix}") for c in [*cols, "_row", "suppressed"]])

    # Joined on the group's keys, not its label: a role relabelled between versions is the same role.
    joined = side(first, "first").join(side(second, "second"), on=join_keys, how="full", coalesce=True,
                                       nulls_equal=True).with_columns(
        pl.coalesce("group_second", "group_first").alias("group"))
    p1, p2 = pl.col("percent_first"), pl.col("percent_second")
    l1, u1 = pl.col("ci_low_first"), pl.col("ci_high_first")
    l2, u2 = pl.col("ci_low_second"), pl.col("ci_high_second")
    change = p2 - p1
    moved = pl.col("code_first") != pl.col("code_second")
    reworded = pl.col("text_first") != pl.col("text_second")
    status = (
        pl.when(pl.col("statement_id").is_in(list(ids_first - ids_second))).then(pl.lit(f"only in {wave_first}"))
        .when(pl.col("statement_id").is_in(list(ids_second - ids_first))).then(pl.lit(f"only in {wave_second}"))
        .when(moved & reworded).then(pl.lit("moved and reworded"))
        .when(moved).then(pl.lit("moved"))
        .when(reworded).then(pl.lit("reworded"))
        .otherwise(pl.lit("same"))
    )
    suppressed = pl.col("suppressed_first").fill_null(False) | pl.col("suppressed_second").fill_null(False)
    # Group order: as the first wave lists its groups, then groups only the second wave has.
    group_rank = pl.coalesce(pl.col("_row_first"), pl.col("_row_second") + 10**12).min().over(GROUP_COLUMNS[:2])
    bank_rank = pl.coalesce(pl.col("order_second"), pl.col("order_first")).min().over(
        [*GROUP_COLUMNS[:2], pl.coalesce("bank_id_second", "bank_id_first")])
    result = joined.with_columns(
        status.alias("status"),
        pl.lit(wave_first).alias("wave_first"),
        pl.lit(wave_second).alias("wave_second"),
        pl.coalesce("bank_id_second", "bank_id_first").alias("bank_id"),
        pl.coalesce("bank_second", "bank_first").alias("bank"),
        pl.coalesce("bank_title_second", "bank_title_first").alias("bank_title"),
        pl.coalesce("text_second", "text_first").alias("text"),
        (pl.col("negative_first").fill_null(False) | pl.col("negative_second").fill_null(False)).alias("negative"),
        change.alias("change"),
        (change - ((p2 - l2) ** 2 + (u1 - p1) ** 2).sqrt()).alias("change_ci_low"),
        (change + ((u2 - p2) ** 2 + (p1 - l1) ** 2).sqrt()).alias("change_ci_high"),
        suppressed.alias("suppressed"),
        pl.col("suppressed_first").fill_null(False),
        pl.col("suppressed_second").fill_null(False),
        group_rank.alias("_group_rank"),
        bank_rank.alias("_bank_rank"),
    ).sort(["_group_rank", "_bank_rank", pl.col("order_second").fill_null(10**9), "order_first"])
    columns = list(COMPARISON_COLUMNS)
    if protected:
        columns += ["suppressed", "suppressed_first", "suppressed_second"]
    return result.select(columns)


def _single_wave(table: pl.DataFrame) -> str:
    waves = table["wave"].unique().to_list()
    if len(waves) != 1:
        raise AnalysisError(f"compare one wave with another; this table holds waves {sorted(map(str, waves))}")
    return str(waves[0])


# --- response rates --------------------------------------------------------------------------


RESPONSE_RATE_COLUMNS = ("wave", *GROUP_COLUMNS, "returned", "issued", "denominator", "basis",
                         "rate", "share", "text")
# The one rule for every response rate SurveyDesk shows (tables, status, the report, the analysis screen).
RATE_RULE = ("Response rates are returns of the people asked: the wave's stated population, or else the forms "
             "issued. A group has a rate only when every form it could have returned was issued to it, so "
             "not with a population (stated for the whole wave) nor with blank self-coding forms; its share "
             "of the wave's returns is shown instead, in brackets. A return on a blank form counts in the "
             "school and role its respondent wrote.")



def rate_text(returned: int, denominator: int | None) -> str:
    """"31 of 68, 46%", or "31 returned" without a denominator (the overall line of a wave). More
    returns than the denominator is said so, never printed as a rate over 100%."""
    if not denominator:
        return f"{returned} returned"
    if returned > denominator:
        return f"{returned} of {denominator}: more returns than that, check it"
    return f"{returned} of {denominator}, {percent_text(returned, denominator)}"


def response_rates(wide: pl.DataFrame, instrument: Instrument, issued: pl.DataFrame | None = None,
                   population: int | Mapping[str, int] | None = None,
                   universe: pl.DataFrame | None = None) -> pl.DataFrame:
    """Returned forms per wave: overall, each role group, each school, each role, and each school x role,
    with a rate by RATE_RULE.

    ``issued`` has columns school, role, issued (and optionally wave); a row with no role is blank
    self-coding forms (no school either, unless sent to a school's office). ``population`` (one number or
    one per wave) is the people asked; when stated it is the denominator, of the whole wave only.
    Returns count where the respondent's code puts them, blank forms included. ``share`` is a group's
    part of the wave's returns ("HD 10 responses, 32%"). ``universe`` (school, role_group, role) adds
    groups without returns or issued forms, as 0 returned. Columns: RESPONSE_RATE_COLUMNS.
    """
    returned = wide.group_by(["wave", "school", "role"]).agg(pl.len().cast(pl.Int64).alias("returned"))
    waves = sorted(wide["wave"].unique().to_list())
    if universe is not None:
        returned = _with_empty_groups(returned.rename({"returned": "\x1freturned"}), universe, ["school", "role"],
                                      waves).rename({"\x1freturned": "returned"})
    blank_all = blank_unschooled = pl.DataFrame({"wave": waves}, schema={"wave": pl.String}).with_columns(
        pl.lit(0, dtype=pl.Int64).alias("n"))
    if issued is not None:
        issued = issued.select(
            *(["wave"] if "wave" in issued.columns else []), "school", pl.col("role").cast(pl.Int64),
            pl.col("issued").cast(pl.Int64)).filter(pl.col("issued") > 0)
        if "wave" not in issued.columns:
            issued = pl.DataFrame({"wave": waves or [None]}, schema={"wave": pl.String}).join(issued, how="cross")
        blanks = issued.filter(pl.col("role").is_null())
        blank_all = blanks.group_by("wave").agg(pl.col("issued").sum().alias("n"))
        blank_unschooled = blanks.filter(pl.col("school").is_null()).group_by("wave").agg(
            pl.col("issued").sum().alias("n"))
        coded = issued.filter(pl.col("role").is_not_null())
        cells = returned.join(coded, on=["wave", "school", "role"], how="full", coalesce=True, nulls_equal=True)
    else:
        cells = returned.with_columns(pl.lit(None, dtype=pl.Int64).alias("issued"))
    group_of = {r.digit: instrument.key.group_of(r.digit) for r in instrument.key.roles}
    cells = cells.with_columns(
        pl.col("returned").fill_null(0),
        pl.col("role").replace_strict(group_of, default=None, return_dtype=pl.String).alias("role_group"),
    )
    role_labels = {r.digit: r.label for r in instrument.key.roles}
    parts = []
    for level_index, level in enumerate([(), ("role_group",), ("school",), ("role",), ("school", "role")]):
        keys = list(effective_keys(level))
        rolled = cells.group_by(["wave", *keys]).agg(
            pl.col("returned").sum(),
            pl.when(pl.col("issued").is_not_null().any()).then(pl.col("issued").sum()).alias("issued"),
        )
        parts.append(_labelled(rolled, level_index, level, role_labels, ["returned", "issued"]))
    table = pl.concat(parts).with_columns(pl.col("issued").cast(pl.Int64))

    # Blank forms: in the wave's total; in a school's when sent to its office.
    def blank_count(frame: pl.DataFrame) -> pl.Expr:
        return pl.col("wave").replace_strict(dict(frame.iter_rows()), default=0, return_dtype=pl.Int64)

    schooled_blanks = (issued.filter(pl.col("role").is_null() & pl.col("school").is_not_null())
                       .group_by("wave", "school").agg(pl.col("issued").sum().alias("_blank"))
                       if issued is not None else None)
    overall, school = pl.col("grouping") == OVERALL, pl.col("grouping") == "school"
    if schooled_blanks is not None and schooled_blanks.height:
        table = table.join(schooled_blanks, on=["wave", "school"], how="left", nulls_equal=False)
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Int64).alias("_blank"))
    table = table.with_columns(
        pl.when(overall).then(pl.col("issued").fill_null(0) + blank_count(blank_all))
        .when(school).then(pl.col("issued").fill_null(0) + pl.col("_blank").fill_null(0))
        .otherwise(pl.col("issued")).alias("issued"),
    ).with_columns(pl.when(pl.col("issued") > 0).then(pl.col("issued")).alias("issued"))

    populations = population if isinstance(population, Mapping) else {w: population for w in waves}
    stated = pl.col("wave").replace_strict({w: p for w, p in populations.items() if p is not None},
                                           default=None, return_dtype=pl.Int64)
    # Whether a group's forms are all known: no blank form could have come back from it.
    known = (pl.when(overall).then(True)
             .when(school).then(blank_count(blank_unschooled) == 0)
             .otherwise(blank_count(blank_all) == 0))
    denominator = (pl.when(stated.is_not_null()).then(pl.when(overall).then(stated))
                   .when(known & pl.col("issued").is_not_null()).then(pl.col("issued")))
    table = table.with_columns(
        denominator.alias("denominator"),
        (100.0 * pl.col("returned") / pl.col("returned").filter(overall).first().over("wave")).alias("share"),
    ).with_columns(
        pl.when(pl.col("denominator").is_not_null())
        .then(pl.when(stated.is_not_null()).then(pl.lit("population")).otherwise(pl.lit("issued")))
        .alias("basis"),
        pl.when(pl.col("denominator") > 0).then(100.0 * pl.col("returned") / pl.col("denominator")).alias("rate"),
    ).sort(["_level", "wave", *_group_sort_keys(instrument)])
    texts = [
        rate_text(r, d) if d or level == 0 else f"{r} ({whole(share or 0)}%)"
        for r, d, share, level in zip(table["returned"].to_list(), table["denominator"].to_list(),
                                      table["share"].to_list(), table["_level"].to_list(), strict=True)
    ]
    return table.with_columns(pl.Series("text", texts, dtype=pl.String)).select(RESPONSE_RATE_COLUMNS)


# --- chart data (shared by the terminal chart and the PDF report) ---------------------------


@dataclass(frozen=True)
class ChartSeries:
    name: str  # "Overall (31)", "HD (10)", "2014 (31)"
    values: tuple[float | None, ...]  # percent per statement; None where suppressed or no data
    n: int
    suppressed: bool = False


@dataclass(frozen=True)
class ChartData:
    title: str  # "Joint Practice Development Overall (31 responses)"
    labels: tuple[str, ...]  # "A1", "A2", ... (the bank is in the title)
    codes: tuple[str, ...]  # "JPD A1", ...
    texts: tuple[str, ...]
    negative: tuple[bool, ...]
    series: tuple[ChartSeries, ...]


def n_label(n: object) -> str:
    """A group's n as shown: the number, or "n supp." where the release withholds it."""
    return "n supp." if n is None else str(n)


def _responses(ns: Sequence[int]) -> str:
    return f"{ns[0]} responses" if len(set(ns)) == 1 else f"{'–'.join(str(n) for n in ns)} responses"


def group_chart(table: pl.DataFrame, bank: str, groups: Sequence[str] = ("Overall",), *,
                grouping: str | None = None) -> ChartData:
    """One wave, one bar series per group label, e.g. ("Overall",) or ("HD", "SLT", "T")."""
    rows = table.filter(pl.col("bank") == bank)
    if grouping is not None:
        rows = rows.filter(pl.col("grouping") == grouping)
    if rows.is_empty():
        raise KeyError(f"no bank {bank!r} in this table")
    first = rows.filter(pl.col("group") == groups[0]) if groups else rows
    statements = first.unique("statement_id", maintain_order=True)
    series = []
    for group in groups:
        g = rows.filter(pl.col("group") == group)
        if g.is_empty():
            raise KeyError(f"no group {group!r} in bank {bank}")
        hidden = bool(g["suppressed"].any()) if "suppressed" in g.columns else False
        shown_n = cast("int | None", g["n"].max())  # null where the group's size is withheld
        n = int(shown_n or 0)
        series.append(ChartSeries(f"{group} ({n_label(shown_n)})", tuple(g["percent"].to_list()), n, hidden))
    bank_title = statements["bank_title"][0]
    wave = statements["wave"][0]
    if len(groups) == 1:
        title = f"{bank_title} {groups[0]} ({_responses([series[0].n]) if series[0].n else 'n withheld'})"
    else:
        title = f"{bank_title} by group ({wave})"
    return ChartData(
        title=title,
        labels=tuple(_local(c) for c in statements["code"]),
        codes=tuple(statements["code"].to_list()),
        texts=tuple(statements["text"].to_list()),
        negative=tuple(statements["negative"].to_list()),
        series=tuple(series),
    )


def wave_chart(comparison: pl.DataFrame, bank: str, group: str = "Overall") -> ChartData:
    """Two waves side by side for one group, from compare_waves; statements in one version only
    have a bar for that wave alone."""
    rows = comparison.filter((pl.col("bank") == bank) & (pl.col("group") == group))
    if rows.is_empty():
        raise KeyError(f"no group {group!r} in bank {bank}")
    wave_first, wave_second = rows["wave_first"][0], rows["wave_second"][0]
    shown_first = cast("int | None", rows["n_first"].max())  # null where the release withholds the size
    shown_second = cast("int | None", rows["n_second"].max())
    n_first, n_second = int(shown_first or 0), int(shown_second or 0)
    codes = [b if b is not None else a for a, b in zip(rows["code_first"], rows["code_second"], strict=True)]

    def hidden(side: str) -> bool:
        column = f"suppressed_{side}"
        return bool(rows[column].any()) if column in rows.columns else False

    # Suppressed figures are already null in a protected comparison, so they draw no bar.
    return ChartData(
        title=f"{wave_first}/{wave_second} {rows['bank_title'][0]} {group} "
              f"({_responses([n_first, n_second]) if shown_first and shown_second else 'n withheld'})",
        labels=tuple(_local(c) for c in codes),
        codes=tuple(codes),
        texts=tuple(rows["text"].to_list()),
        negative=tuple(rows["negative"].to_list()),
        series=(ChartSeries(f"{wave_first} ({n_label(shown_first)})", tuple(rows["percent_first"]), n_first,
                            hidden("first")),
                ChartSeries(f"{wave_second} ({n_label(shown_second)})", tuple(rows["percent_second"]), n_second,
                            hidden("second"))),
    )


def _local(code: str) -> str:
    """"JPD C2" -> "C2": chart axes name the statement within the bank given in the title."""
    return code.rsplit(" ", 1)[-1]


def group_labels(table: pl.DataFrame, grouping: str) -> list[str]:
    """The group labels of one grouping, in table order."""
    return table.filter(pl.col("grouping") == grouping)["group"].unique(maintain_order=True).to_list()


def bank_abbreviations(table: pl.DataFrame) -> list[str]:
    return table["bank"].unique(maintain_order=True).to_list()
