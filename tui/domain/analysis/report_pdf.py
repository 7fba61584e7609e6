"""The PDF report: per bank, the thesis's charts (overall, by group, and two waves paired) drawn
with reportlab's own bar charts, the tables beneath, the response rates and the suppression rule.

Everything shown comes from protected tables (tables.wave_tables): a suppressed figure is
printed as "supp." and never drawn as a bar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tui import __version__
from tui.domain.analysis.agreement import (
    DEFAULT_BY,
    OVERALL,
    ChartData,
    WaveReturns,
    bank_abbreviations,
    group_chart,
    group_labels,
    grouping_name,
    grouping_title,
    parse_grouping,
    wave_chart,
    whole,
)
from tui.domain.analysis.disclosure import DEFAULT_K, rule_text
from tui.domain.analysis.exports import checked_release, keying_text
from tui.domain.analysis.grids import SUPPRESSED, Grid, comparison_grid, figure, statement_grid
from tui.domain.analysis.tables import wave_tables
from tui.domain.analysis.textchart import NEGATIVE_MARK, PALETTE
from tui.domain.paths import DEFAULT_EXPORTS, claim_folder, name_part, safe_output_path, write_atomically

PAGE = A4
MARGIN = 1.8 * cm
GROUPS_PER_TABLE = 4


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h1": base["Heading1"],
        "h2": base["Heading2"],
        "body": base["BodyText"],
        "caption": ParagraphStyle("caption", parent=base["BodyText"], fontSize=8.5, leading=10,
                                  fontName="Helvetica-Oblique", spaceBefore=2, spaceAfter=8),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.4),
        "note": ParagraphStyle("note", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.grey),
    }


# --- charts ----------------------------------------------------------------------------------


def chart_drawing(chart: ChartData, width: float, height: float) -> Drawing:
    """A reportlab VerticalBarChart of the chart's percentages; None values draw no bar."""
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y = 30, 28
    bars.width = width - 40
    bars.height = height - 28 - (22 if len(chart.series) > 1 else 8)
    bars.data = [list(series.values) for series in chart.series]
    bars.categoryAxis.categoryNames = [
        label + (NEGATIVE_MARK if negative else "") for label, negative in zip(chart.labels, chart.negative, strict=True)]
    bars.categoryAxis.labels.fontSize = 6.5 if len(chart.labels) > 12 else 7.5
    bars.categoryAxis.labels.dy = -2
    bars.valueAxis.valueMin, bars.valueAxis.valueMax, bars.valueAxis.valueStep = 0, 100, 20
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    bars.barSpacing = 0.5
    bars.groupSpacing = 4
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = colors.HexColor(PALETTE[index % len(PALETTE)])
        bars.bars[index].strokeColor = None
    drawing.add(bars)
    axis = String(8, bars.y + bars.height / 2, "%", fontSize=7, textAnchor="middle")
    drawing.add(axis)
    if len(chart.series) > 1:
        legend = Legend()
        legend.x, legend.y = bars.x, height - 4
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.fontSize = 7
        legend.boxAnchor = "nw"
        legend.deltax = 60
        legend.dx = legend.dy = 6
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), s.name + (" suppressed" if s.suppressed else ""))
            for i, s in enumerate(chart.series)]
        drawing.add(legend)
    return drawing


class _Figures:
    """Numbers figures as the thesis does: "Figure 1 Joint Practice Development Overall (31 responses)"."""

    def __init__(self, styles: Mapping[str, ParagraphStyle], k: int) -> None:
        self.count = 0
        self.styles = styles
        self.k = k

    def block(self, chart: ChartData, width: float, height: float) -> list:
        if all(series.suppressed for series in chart.series):
            return [Paragraph(escape(f"{chart.title}: figures suppressed (fewer than {self.k} respondents, or "
                                     f"protecting a smaller group); not charted."), self.styles["note"])]
        self.count += 1
        return [chart_drawing(chart, width, height),
                Paragraph(escape(f"Figure {self.count} {chart.title}"), self.styles["caption"])]


def _pairs(blocks: list[list], width: float) -> Table:
    """Charts two to a row."""
    rows = [blocks[i:i + 2] + ([[]] if len(blocks[i:i + 2]) == 1 else []) for i in range(0, len(blocks), 2)]
    table = Table(rows, colWidths=[width / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


# --- tables ----------------------------------------------------------------------------------


def _grid(rows: list[list], widths: list[float], numbers_from: int, header_rows: int = 1) -> Table:
    """A plain table; columns from ``numbers_from`` on hold figures and are right-aligned."""
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
        ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 7),
        ("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, colors.HexColor("#f3f3f3")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _wrapped(grid: Grid, styles: Mapping[str, ParagraphStyle]) -> list[list]:
    """The grid's header and rows with the statement text as a wrapping paragraph."""
    return [list(grid.header)] + [
        [Paragraph(escape(value), styles["cell"]) if i == grid.text_column else value for i, value in enumerate(row)]
        for row in grid.rows]


def statement_table(statements: pl.DataFrame, bank: str, groups: Sequence[str], styles: Mapping[str, ParagraphStyle],
                    width: float) -> Table:
    """Code, statement and, per group, percent (95% interval), e.g. "52 (35–68)"."""
    figure_width = 58.0
    text_width = width - 42 - 20 - figure_width * len(groups)
    return _grid(_wrapped(statement_grid(statements, bank, groups), styles),
                 [42, 20, text_width] + [figure_width] * len(groups), numbers_from=3)


def comparison_table(comparison: pl.DataFrame, bank: str, group: str, styles: Mapping[str, ParagraphStyle],
                     width: float) -> Table:
    return _grid(_wrapped(comparison_grid(comparison, bank, group), styles),
                 [62, width - 62 - 3 * 40 - 36 - 62, 40, 40, 36, 62], numbers_from=2)


def stage_grid(profile: pl.DataFrame, bank: str) -> Table:
    rows = profile.filter(pl.col("bank") == bank)
    header = ["Group", "n", "A", "B", "C", "D", "Furthest majority"]
    body = []
    for r in rows.iter_rows(named=True):
        if r.get("suppressed"):
            body.append([r["group"], SUPPRESSED if r["n"] is None else r["n"], *[SUPPRESSED] * 5])
            continue
        furthest = f"{r['furthest_section']} ({r['furthest_stage']})" if r["furthest_section"] else "none"
        body.append([r["group"], r["n"], *[figure(r[f"mean_{s}"]) for s in "ABCD"], furthest])
    return _grid([header, *body], [110, 30, 40, 40, 40, 40, 110], numbers_from=1)


def response_grids(rates: pl.DataFrame, instrument_roles: Mapping[int, str]) -> list[Table]:
    """The overall line and groups as a list, then schools x roles as a matrix of 'returned/issued'."""
    summary = rates.filter(pl.col("grouping").is_in([OVERALL, "role_group", "school"]))
    header = ["", "Returned", "Of", "Rate", "Share of returns"]
    body = [[r["group"], SUPPRESSED if r.get("suppressed") else r["returned"],
             r["denominator"] if r["denominator"] is not None else "–",
             SUPPRESSED if r.get("suppressed") else f"{whole(r['rate'])}%" if r["rate"] is not None else "–",
             SUPPRESSED if r.get("suppressed") else f"{whole(r['share'])}%"]
            for r in summary.iter_rows(named=True)]
    grids = [_grid([header, *body], [120, 60, 50, 50, 80], numbers_from=1)]
    cells = rates.filter(pl.col("grouping") == "school × role")
    schools = cells["school"].unique(maintain_order=True).to_list()
    roles = sorted(r for r in cells["role"].unique().to_list() if r is not None)
    lookup = {(r["school"], r["role"]): r for r in cells.iter_rows(named=True)}

    def cell(school: str, role: int) -> str:
        r = lookup.get((school, role))
        if r is None:
            return "–"
        returned = SUPPRESSED if r.get("suppressed") else r["returned"]
        return f"{returned}/{r['issued']}" if r["issued"] is not None else str(returned)

    matrix = [["School"] + [f"{role} {instrument_roles.get(role, '')}".strip() for role in roles]]
    matrix += [[f"School {s}"] + [cell(s, role) for role in roles] for s in schools]
    grids.append(_grid(matrix, [70] + [80] * len(roles), numbers_from=1))
    return grids


# --- the document ----------------------------------------------------------------------------


def build_report(
    waves: Sequence[WaveReturns],
    *,
    by: str | Sequence[str] | None = DEFAULT_BY,
    k: int = DEFAULT_K,
    school_names: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> bytes:
    """The report for one wave, or two waves side by side (earlier first), as PDF bytes."""
    if len(waves) not in (1, 2):
        raise ValueError(f"a report covers one wave or a pair of waves, not {len(waves)}")
    for data in waves:
        if data.wide.filter(pl.col("wave") == data.wave).is_empty():
            raise ValueError(f"wave {data.wave} has no returns yet; key some before making a report")
    dims = parse_grouping(by)
    styles = _styles()
    width = PAGE[0] - 2 * MARGIN
    latest = waves[-1]
    previous = waves[0] if len(waves) == 2 else None
    release = checked_release(latest, k)
    earlier_release = checked_release(previous, k) if previous else None
    tables = wave_tables(latest, by=dims, k=k, previous=previous, school_names=school_names, release=release,
                         previous_release=earlier_release)
    earlier = wave_tables(previous, by=dims, k=k, school_names=school_names,
                          release=earlier_release) if previous else None
    statements = tables["statements"]
    wave_label = "/".join(w.wave for w in waves)
    made = (now or datetime.now(UTC)).isoformat(timespec="minutes")
    instrument = latest.instrument

    label = latest.label
    story: list = [
        *([Paragraph(escape(label), styles["h1"])] if label else []),
        Paragraph(escape(f"{instrument.title}: wave {wave_label}"), styles["title"]),
        Paragraph(escape(
            f"Instrument {instrument.id} version {instrument.version}"
            + (f" (wave {previous.wave}: version {previous.instrument.version})" if previous else "")
            + f". Grouping: {grouping_title(grouping_name(dims))}. Made {made} by SurveyDesk {__version__}."), styles["body"]),
        Paragraph("Response rates", styles["h1"]),
    ]
    roles = {r.digit: r.label for r in instrument.key.roles}
    data_of = {w.wave: w for w in waves}
    for wave_tables_ in ([earlier] if earlier else []) + [tables]:
        rates = wave_tables_["response_rates"]
        overall = rates.filter(pl.col("grouping") == OVERALL).row(0, named=True)
        story += [Paragraph(escape(f"Wave {overall['wave']}: {overall['text']}"), styles["h2"]),
                  Paragraph(escape(keying_text(data_of[overall["wave"]]) + "."), styles["body"]),
                  *[item for grid in response_grids(rates, roles) for item in (grid, Spacer(1, 6))]]
    story += [
        Paragraph("Small-cell protection", styles["h1"]),
        Paragraph(escape(f"k = {k}. {rule_text(k)} Suppressed figures read '{SUPPRESSED}' and are not charted; "
                         f"a group whose size is withheld reads '(n supp.)'. The disclosure check passed: no "
                         f"withheld figure can be worked out exactly from everything released for the wave."),
                  styles["body"]),
        Paragraph(escape(f"Percentages are of respondents whose page for the bank was present; figures in "
                         f"brackets are 95% Wilson intervals. {NEGATIVE_MARK} marks a negatively worded "
                         f"statement."), styles["body"]),
    ]
    figures = _Figures(styles, k)
    chart_width = width / 2 - 6
    group_levels = [g for g in statements["grouping"].unique(maintain_order=True).to_list() if g != OVERALL]
    for bank in bank_abbreviations(statements):
        bank_title = statements.filter(pl.col("bank") == bank)["bank_title"][0]
        story.append(Paragraph(escape(f"{bank_title} ({bank})"), styles["h1"]))
        if previous is not None:
            comparison = tables["comparison"]
            story += figures.block(wave_chart(comparison, bank, "Overall"), width, 190)
            blocks = [figures.block(wave_chart(comparison, bank, g), chart_width, 150)
                      for level in group_levels for g in group_labels(statements, level)]
            if blocks:
                story.append(_pairs(blocks, width))
            story += [Spacer(1, 4), comparison_table(comparison, bank, "Overall", styles, width)]
            for level in group_levels:
                for g in group_labels(statements, level):
                    story += [Paragraph(escape(f"{bank_title}: {g}"), styles["h2"]),
                              comparison_table(comparison, bank, g, styles, width)]
        else:
            story += figures.block(group_chart(statements, bank, ["Overall"]), width, 190)
            blocks = [figures.block(group_chart(statements, bank, [g], grouping=level), chart_width, 150)
                      for level in group_levels for g in group_labels(statements, level)]
            if blocks:
                story.append(_pairs(blocks, width))
            columns = ["Overall"] + [g for level in group_levels for g in group_labels(statements, level)]
            for start in range(0, len(columns), GROUPS_PER_TABLE):
                story += [Spacer(1, 4),
                          statement_table(statements, bank, columns[start:start + GROUPS_PER_TABLE], styles, width)]
        story.append(KeepTogether([Paragraph("Stage profile", styles["h2"]),
                                   stage_grid(tables["stage_profile"], bank)]))

    def footer(canvas, doc) -> None:  # reportlab calls this on every page
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, MARGIN / 2, f"SurveyDesk report, wave {wave_label}; small-cell rule k = {k}")
        if label:  # a synthetic demo says so on every page
            canvas.setFont("Helvetica-Bold", 8)
            canvas.setFillColor(colors.red)
            canvas.drawCentredString(PAGE[0] / 2, PAGE[1] - MARGIN / 2, label)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, f"page {doc.page}")
        canvas.restoreState()

    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=f"{instrument.title}: wave {wave_label}",
                                 author=f"SurveyDesk {__version__}",
                                 subject=" ".join(x for x in (label, f"Small-cell rule k = {k}: {rule_text(k)}") if x))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def write_report(
    waves: Sequence[WaveReturns],
    *,
    exports_dir: Path | str = DEFAULT_EXPORTS,
    folder: str | None = None,
    filename: str | None = None,
    by: str | Sequence[str] | None = DEFAULT_BY,
    k: int = DEFAULT_K,
    school_names: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> Path:
    """Write the report to ``exports_dir/<latest wave>/report-<waves>.pdf`` (or the folder and file
    name given, which must stay inside ``exports_dir``) and return its path."""
    data = build_report(waves, by=by, k=k, school_names=school_names, now=now)
    stem = "-".join(name_part(w.wave) for w in waves)
    latest = waves[-1]
    target = safe_output_path(exports_dir, folder if folder is not None else name_part(latest.wave))
    path = safe_output_path(target, filename or f"report-{stem}.pdf")  # refused before anything is made
    claim_folder(target, latest.wave, latest.study_id, latest.study_file)
    return write_atomically(path, data)
