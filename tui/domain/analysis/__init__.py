"""What researchers do with the returns: percentage agreement per statement by group and wave,
disclosure control, tables, text charts, exports.

``report_pdf`` loads reportlab, so it is imported by its own path, not from here.
"""

from __future__ import annotations

from tui.domain.rules import percent_text, whole

from .agreement import (
    RATE_RULE,
    STATEMENT_TABLE_COLUMNS,
    Z95,
    AnalysisError,
    ChartData,
    ChartSeries,
    GroupingError,
    WaveReturns,
    compare_waves,
    group_chart,
    grouping_name,
    levels,
    parse_grouping,
    rate_text,
    response_rates,
    stage_profile,
    statement_table,
    wave_chart,
    wilson_interval,
)
from .disclosure import (
    DEFAULT_K,
    N_WITHHELD,
    WaveRelease,
    reveal_school_names,
    rule_text,
    school_names_of,
    wave_release,
)
from .exports import export_wave
from .from_study import min_cell, previous_wave, returns_count, school_names_to_reveal, wave_returns
from .grids import STAGE_RULE, SUPPRESSED, change, figure, rates_line, stage_grid, stage_reading
from .tables import long_returns, raw_tables, released_rates, released_statements, wave_tables
from .textchart import bar_lines, describe, label_line, legend_lines, plain, render_bar_chart
from .view import GROUPINGS, AnalysisCache, AnalysisTables, Selection, build_tables, next_in

__all__ = ["AnalysisCache", "AnalysisTables", "ChartData", "ChartSeries", "DEFAULT_K", "GROUPINGS", "N_WITHHELD", "RATE_RULE", "STAGE_RULE", "AnalysisError", "GroupingError", "STATEMENT_TABLE_COLUMNS", "SUPPRESSED", "Selection", "WaveRelease", "WaveReturns", "Z95", "bar_lines", "build_tables", "change", "compare_waves", "describe", "export_wave", "figure", "group_chart", "grouping_name", "label_line", "legend_lines", "levels", "long_returns", "min_cell", "next_in", "parse_grouping", "percent_text", "plain", "previous_wave", "rate_text", "rates_line", "raw_tables", "released_rates", "released_statements", "render_bar_chart", "response_rates", "returns_count", "reveal_school_names", "rule_text", "school_names_of", "school_names_to_reveal", "stage_grid", "stage_profile", "stage_reading", "statement_table", "wave_chart", "wave_release", "wave_returns", "wave_tables", "whole", "wilson_interval"]
