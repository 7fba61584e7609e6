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
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import polars as pl
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tui import __version__
from tui.domain.analysis.agreement import (
    DEFAULT_BY,
    OVERALL,
    RATE_RULE,
    AnalysisError,
    ChartData,
    WaveReturns,
    bank_abbreviations,
    group_chart,
    group_labels,
    grouping_name,
    grouping_title,
    parse_grouping,
    wave_chart,
)
from tui.domain.analysis.disclosure import DEFAULT_K, rule_text
from tui.domain.analysis.exports import checked_release, keying_text
from tui.domain.analysis.grids import STAGE_RULE, SUPPRESSED, comparison_detail, stage_grid, statement_grid
from tui.domain.analysis.tables import wave_tables
from tui.domain.analysis.textchart import NEGATIVE_MARK, PALETTE
from tui.domain.paths import DEFAULT_EXPORTS, claim_folder, name_part, safe_output_path, write_atomically
from tui.domain.rules import whole

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Flowable

PAGE = A4
MARGIN = 1.8 * cm
GROUPS_PER_TABLE = 4
# Levels with more groups than this (school × role group: 15) get no chart per group: their figures
# are in the tables, eight groups to a table, which keeps such a report short.
MAX_PANELS = 6
CODE_WIDTH = 42.0
NUMBER_WIDTH = 34.0


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    # Headings stay with what follows them: never alone at the foot of a page.
    return {
        "title": base["Title"],
        "h1": ParagraphStyle("h1", parent=base["Heading1"], keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], keepWithNext=1),
        "body": base["BodyText"],
        "caption": ParagraphStyle("caption", parent=base["BodyText"], fontSize=8.5, leading=10,
                                  fontName="Helvetica-Oblique", spaceBefore=2, spaceAfter=8),
        "table_title": ParagraphStyle("table_title", parent=base["BodyText"], fontSize=8.5, leading=10,
                                      fontName="Helvetica-Bold"),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.4),
        "head": ParagraphStyle("head", parent=base["BodyText"], fontSize=7, leading=8.4, fontName="Helvetica-Bold"),
        "head_right": ParagraphStyle("head_right", parent=base["BodyText"], fontSize=7, leading=8.4,
                                     fontName="Helvetica-Bold", alignment=TA_RIGHT),
        "head_centre": ParagraphStyle("head_centre", parent=base["BodyText"], fontSize=7, leading=8.4,
                                      fontName="Helvetica-Bold", alignment=TA_CENTER),
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

    def block(self, chart: ChartData, width: float, height: float) -> list[Flowable]:
        if all(series.suppressed for series in chart.series):
            return [Paragraph(escape(f"{chart.title}: figures suppressed (fewer than {self.k} respondents, or "
                                     f"protecting a smaller group); not charted."), self.styles["note"])]
        self.count += 1
        return [chart_drawing(chart, width, height),
                Paragraph(escape(f"Figure {self.count} {chart.title}"), self.styles["caption"])]


def _pairs(blocks: list[list[Flowable]], width: float) -> Table:
    """Charts two to a row."""
    rows = [blocks[i:i + 2] + ([[]] if len(blocks[i:i + 2]) == 1 else []) for i in range(0, len(blocks), 2)]
    table = Table(rows, colWidths=[width / 2] * 2)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


# --- tables ----------------------------------------------------------------------------------


class TitledTable(Table):  # type: ignore[misc]  # reportlab has no type stubs: Table is Any
    """A table whose first row is its title ("Table 3 ..."), repeated with the header rows on every
    page it runs onto, there marked "(continued)"."""

    continued: Paragraph | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 (reportlab's names)
        parts: list[Flowable] = super().split(availWidth, availHeight)
        if len(parts) > 1 and self.continued is not None:
            for later in parts[1:]:
                # A new row list: the parts share the original's row lists, and the first part keeps its title.
                later._cellvalues[0] = [self.continued, *later._cellvalues[0][1:]]
                later.continued = self.continued
        return parts


class _Tables:
    """Numbers the report's tables and builds them: a title row, wrapping header cells (a long group
    label wraps inside its column instead of running into the next), figures right-aligned."""

    def __init__(self, styles: Mapping[str, ParagraphStyle]) -> None:
        self.count = 0
        self.styles = styles

    def make(self, title: str, header_rows: Sequence[Sequence[str]], rows: Sequence[Sequence[object]],
             widths: Sequence[float], numbers_from: int, text_column: int | None = None,
             spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = ()) -> TitledTable:
        self.count += 1
        styles = self.styles
        heading = f"Table {self.count} {title}"

        def head(value: str, column: int) -> Paragraph:
            return Paragraph(escape(value), styles["head_right" if column >= numbers_from else "head"])

        def body(value: object, column: int) -> object:
            return Paragraph(escape(str(value)), styles["cell"]) if column == text_column else value

        data: list[list[object]] = [[Paragraph(escape(heading), styles["table_title"])] + [""] * (len(widths) - 1)]
        data += [[head(v, i) for i, v in enumerate(row)] for row in header_rows]
        data += [[body(v, i) for i, v in enumerate(row)] for row in rows]
        first_body = 1 + len(header_rows)
        table = TitledTable(data, colWidths=list(widths), repeatRows=first_body)
        table.continued = Paragraph(escape(f"{heading} (continued)"), styles["table_title"])
        style = [
            ("SPAN", (0, 0), (-1, 0)),
            ("FONT", (0, first_body), (-1, -1), "Helvetica", 7),
            ("LINEBELOW", (0, first_body - 1), (-1, first_body - 1), 0.6, colors.black),
            ("ROWBACKGROUNDS", (0, first_body), (-1, -1), [colors.white, colors.HexColor("#f3f3f3")]),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("VALIGN", (0, first_body), (-1, -1), "TOP"),
            ("ALIGN", (numbers_from, first_body), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, 0), 0),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ]
        for start, stop in spans:  # header cells over two columns, e.g. "2014 (n=31)"
            style += [("SPAN", (start[0], start[1] + 1), (stop[0], stop[1] + 1)),
                      ("LINEBELOW", (start[0], start[1] + 1), (stop[0], stop[1] + 1), 0.3, colors.grey)]
        table.setStyle(TableStyle(style))
        return table


def statement_tables(tables: _Tables, statements: pl.DataFrame, bank: str, bank_title: str, wave: str,
                     columns: Sequence[str], width: float, *, intervals: bool, with_text: bool = True) -> list[TitledTable]:
    """Code, running number and, per group, percent (95% interval). The first table of a bank holds the
    statements' text and four groups; the tables after it only codes, so more groups fit beside them."""
    figure_width = 58.0 if intervals else 36.0
    room = width - CODE_WIDTH - NUMBER_WIDTH
    chunks: list[list[str]] = []
    remaining = list(columns)
    while remaining:
        texts = with_text and not chunks
        per_table = GROUPS_PER_TABLE if texts else max(1, int(room // figure_width))
        chunks.append(remaining[:per_table])
        remaining = remaining[per_table:]
    made = []
    what = "percent highlighted (95% interval)" if intervals else "percent highlighted"
    for index, chunk in enumerate(chunks):
        grid = statement_grid(statements, bank, chunk, intervals=intervals)
        part = f" ({index + 1} of {len(chunks)})" if len(chunks) > 1 else ""
        title = f"{bank_title}, wave {wave}: {what}{part}"
        if with_text and index == 0:
            text_width = room - figure_width * len(chunk)
            made.append(tables.make(title, [grid.header], grid.rows, [CODE_WIDTH, NUMBER_WIDTH, text_width]
                                    + [figure_width] * len(chunk), numbers_from=3, text_column=grid.text_column))
        else:
            keep = [i for i in range(len(grid.header)) if i != grid.text_column]
            made.append(tables.make(title, [[grid.header[i] for i in keep]],
                                    [[row[i] for i in keep] for row in grid.rows],
                                    [CODE_WIDTH, NUMBER_WIDTH] + [figure_width] * len(chunk), numbers_from=2))
    return made


def comparison_table(tables: _Tables, comparison: pl.DataFrame, bank: str, bank_title: str, group: str,
                     width: float, *, with_text: bool = True) -> TitledTable:
    """Both waves' counts and percentages, the change with its interval, for one group. Only the
    bank's first such table repeats the statements' text; the others are one line a statement."""
    band, grid = comparison_detail(comparison, bank, group)
    title = f"{bank_title}, {group}: wave {band[3].split(' ')[0]} and {band[5].split(' ')[0]}"
    widths = [64, NUMBER_WIDTH, 0, 36, 24, 36, 24, 70, 52]
    widths[2] = width - sum(widths)
    spans = [((3, 0), (4, 0)), ((5, 0), (6, 0))]
    if with_text:
        return tables.make(title, [band, grid.header], grid.rows, widths, numbers_from=3,
                           text_column=grid.text_column, spans=spans)
    keep = [i for i in range(len(grid.header)) if i != grid.text_column]
    widths[-1] += widths[2]  # the note gets the room
    return tables.make(title, [[band[i] for i in keep], [grid.header[i] for i in keep]],
                       [[row[i] for i in keep] for row in grid.rows], [widths[i] for i in keep], numbers_from=2,
                       spans=[((2, 0), (3, 0)), ((4, 0), (5, 0))])


def stage_table(tables: _Tables, profile: pl.DataFrame, bank: str, bank_title: str, wave: str) -> TitledTable:
    grid = stage_grid(profile, bank)
    return tables.make(f"{bank_title}, wave {wave}: stage profile (mean % of each section)", [grid.header],
                       grid.rows, [130, 30, 40, 40, 40, 40, 100], numbers_from=1, text_column=0)


def response_tables(tables: _Tables, rates: pl.DataFrame, instrument_roles: Mapping[int, str]) -> list[TitledTable]:
    """The overall line and groups as a list, then schools x roles as a matrix of 'returned/issued'."""
    wave = rates["wave"][0]
    summary = rates.filter(pl.col("grouping").is_in([OVERALL, "role_group", "school"]))
    header = ["", "Returned", "Of", "Rate", "Share of returns"]
    body = [[r["group"], SUPPRESSED if r.get("suppressed") else r["returned"],
             r["denominator"] if r["denominator"] is not None else "–",
             SUPPRESSED if r.get("suppressed") else f"{whole(r['rate'])}%" if r["rate"] is not None else "–",
             SUPPRESSED if r.get("suppressed") else f"{whole(r['share'])}%"]
            for r in summary.iter_rows(named=True)]
    made = [tables.make(f"Wave {wave}: returns and response rates", [header], body, [120, 60, 50, 50, 80],
                        numbers_from=1)]
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

    matrix = [[f"School {s}"] + [cell(s, role) for role in roles] for s in schools]
    made.append(tables.make(f"Wave {wave}: returned / issued per school and role",
                            [["School"] + [f"{role} {instrument_roles.get(role, '')}".strip() for role in roles]],
                            matrix, [70] + [80] * len(roles), numbers_from=1))
    return made


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
        raise AnalysisError(f"a report covers one wave or a pair of waves, not {len(waves)}")
    for data in waves:
        if data.wide.filter(pl.col("wave") == data.wave).is_empty():
            raise AnalysisError(f"wave {data.wave} has no returns yet; key some before making a report")
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
    story: list[Flowable] = [
        *([Paragraph(escape(label), styles["h1"])] if label else []),
        Paragraph(escape(f"{instrument.title}: wave {wave_label}"), styles["title"]),
        Paragraph(escape(
            f"Instrument {instrument.id} version {instrument.version}"
            + (f" (wave {previous.wave}: version {previous.instrument.version})" if previous else "")
            + f". Grouping: {grouping_title(grouping_name(dims))}. Made {made} by SurveyDesk {__version__}."), styles["body"]),
        Paragraph("Response rates", styles["h1"]),
        Paragraph(escape(RATE_RULE), styles["body"]),
    ]
    roles = {r.digit: r.label for r in instrument.key.roles}
    numbered = _Tables(styles)
    data_of = {w.wave: w for w in waves}
    for wave_tables_ in ([earlier] if earlier else []) + [tables]:
        rates = wave_tables_["response_rates"]
        overall = rates.filter(pl.col("grouping") == OVERALL).row(0, named=True)
        story += [Paragraph(escape(f"Wave {overall['wave']}: {overall['text']}"), styles["h2"]),
                  Paragraph(escape(keying_text(data_of[overall["wave"]]) + "."), styles["body"]),
                  *[item for grid in response_tables(numbered, rates, roles) for item in (grid, Spacer(1, 6))]]
    story += [
        Paragraph("Reading the figures", styles["h1"]),
        Paragraph(escape(f"Small cells: k = {k}. {rule_text(k)} Suppressed figures read '{SUPPRESSED}' and are "
                         f"not charted; a group whose size is withheld reads '(n supp.)'. The disclosure check "
                         f"passed: no withheld figure can be worked out exactly from everything released for the "
                         f"wave."), styles["body"]),
        Paragraph(escape(f"Percentages are of respondents whose page for the bank was present; figures in "
                         f"brackets are 95% Wilson intervals. {NEGATIVE_MARK} marks a negatively worded "
                         f"statement; codes (JPD C1) stand beside the running numbers of the form (JPD 8)."),
                  styles["body"]),
        Paragraph(escape(STAGE_RULE), styles["body"]),
    ]
    figures = _Figures(styles, k)
    chart_width = width / 2 - 6
    group_levels = [g for g in statements["grouping"].unique(maintain_order=True).to_list() if g != OVERALL]
    groups_of = {level: group_labels(statements, level) for level in group_levels}
    charted = [level for level in group_levels if len(groups_of[level]) <= MAX_PANELS]
    crowded = [level for level in group_levels if level not in charted]
    for bank in bank_abbreviations(statements):
        bank_title = statements.filter(pl.col("bank") == bank)["bank_title"][0]
        story.append(Paragraph(escape(f"{bank_title} ({bank})"), styles["h1"]))
        if previous is not None:
            assert earlier is not None  # made whenever previous is
            comparison = tables["comparison"]
            story += figures.block(wave_chart(comparison, bank, "Overall"), width, 190)
            blocks = [figures.block(wave_chart(comparison, bank, g), chart_width, 150)
                      for level in charted for g in groups_of[level]]
            if blocks:
                story.append(_pairs(blocks, width))
            for index, g in enumerate(["Overall", *[g for level in charted for g in groups_of[level]]]):
                story += [Spacer(1, 6), comparison_table(numbered, comparison, bank, bank_title, g, width,
                                                         with_text=index == 0)]
            if crowded:
                story.append(Paragraph(escape(
                    f"{', '.join(grouping_title(level) for level in crowded).capitalize()}: each wave's figures "
                    f"follow; the change for each of these groups is in the export's comparison table."),
                    styles["note"]))
                for wave_name, wave_statements in ((previous.wave, earlier["statements"]), (latest.wave, statements)):
                    crowd = [g for level in crowded for g in group_labels(wave_statements, level)]
                    for table in statement_tables(numbered, wave_statements, bank, bank_title, wave_name, crowd,
                                                  width, intervals=False, with_text=False):
                        story += [Spacer(1, 6), table]
            for wave_name, profile in ((previous.wave, earlier["stage_profile"]), (latest.wave, tables["stage_profile"])):
                story += [Spacer(1, 6), stage_table(numbered, profile, bank, bank_title, wave_name)]
        else:
            story += figures.block(group_chart(statements, bank, ["Overall"]), width, 190)
            blocks = [figures.block(group_chart(statements, bank, [g], grouping=level), chart_width, 150)
                      for level in charted for g in groups_of[level]]
            if blocks:
                story.append(_pairs(blocks, width))
            columns = ["Overall"] + [g for level in charted for g in groups_of[level]]
            for table in statement_tables(numbered, statements, bank, bank_title, latest.wave, columns, width,
                                          intervals=True):
                story += [Spacer(1, 6), table]
            crowd = [g for level in crowded for g in groups_of[level]]
            for table in statement_tables(numbered, statements, bank, bank_title, latest.wave, crowd, width,
                                          intervals=False, with_text=False):
                story += [Spacer(1, 6), table]
            story += [Spacer(1, 6), stage_table(numbered, tables["stage_profile"], bank, bank_title, latest.wave)]

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:  # reportlab calls this on every page
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
                                 subject=" ".join(x for x in (
                                     label, f"Small-cell rule k = {k}: {rule_text(k)}",
                                     f"Study audit head {waves[-1].audit_head}." if waves[-1].audit_head else "")
                                     if x))
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
