"""The codebook of one wave's raw returns, as Markdown and as PDF: every variable of the wide file
with its name, statement code, running number (JPD 8), bank, section, hidden stage (staff only),
full text, negative flag, and the wave's n and percent highlighted; the base variables with their
value labels; how a missing page is coded in each file format.

n and % are the wave's overall figures, protected like every other table (a wave with fewer than k
returns shows none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

import polars as pl

from tui import __version__
from tui.domain.analysis.agreement import WaveReturns, statement_table
from tui.domain.analysis.disclosure import DEFAULT_K, WaveRelease, wave_release
from tui.domain.analysis.grids import SUPPRESSED, figure
from tui.domain.analysis.statfiles import (
    ANSWER_LABELS,
    BASE_LABELS,
    PAGE_MISSING_LABEL,
    SPSS_PAGE_MISSING,
    STATA_PAGE_MISSING,
    variable_names,
)

CODEBOOK_COLUMNS = ("variable", "code", "number_code", "bank", "bank_title", "section", "stage", "text", "negative",
                    "n", "highlighted", "percent", "suppressed")


@dataclass(frozen=True)
class Codebook:
    wave: str
    title: str  # the instrument's
    instrument: str  # "partnership-survey version 2015"
    returns: int
    k: int
    made: str
    base: tuple[tuple[str, str, str, str], ...]  # variable, column, label, value labels
    statements: pl.DataFrame  # CODEBOOK_COLUMNS, one row per statement in printed order
    missing: tuple[tuple[str, str], ...]  # file format -> how answers and a missing page are written


def build_codebook(data: WaveReturns, *, k: int = DEFAULT_K, made: datetime | None = None,
                   release: WaveRelease | None = None) -> Codebook:
    """The codebook of a wave; its overall figures as the wave's release shows them (``release``, made
    here unless given)."""
    wide = data.wide.filter(pl.col("wave") == data.wave)
    instrument = data.instrument
    names = variable_names(wide.columns)
    release = release or wave_release(data, k)
    table = release.protect_statements(statement_table(wide, instrument, None, universe=release.universe()))
    statements = table.select(
        pl.col("code").replace_strict(names, default=None).alias("variable"),
        "code", "number_code", "bank", "bank_title", "section", "stage", "text", "negative",
        "n", "highlighted", "percent", "suppressed",
    )
    roles = "; ".join(f"{r.digit} {r.label}" for r in instrument.key.roles)
    value_labels = {"role": roles, "verified": "0 no; 1 yes"}
    base = tuple((names[c], c, BASE_LABELS.get(c, c), value_labels.get(c, ""))
                 for c in wide.columns if c not in set(instrument.codes()))
    missing = (
        ("CSV", "1, 0; M for a missing bank page (the layout `surveydesk import` reads)"),
        ("Parquet", "true, false; null for a missing bank page"),
        ("Excel workbook", "the numbers 1, 0; a blank cell for a missing bank page"),
        ("SPSS .sav", f"1 '{ANSWER_LABELS[1]}', 0 '{ANSWER_LABELS[0]}'; {SPSS_PAGE_MISSING}, a user-missing value "
                      f"labelled '{PAGE_MISSING_LABEL}'"),
        ("Stata .dta", f"1 '{ANSWER_LABELS[1]}', 0 '{ANSWER_LABELS[0]}'; .{STATA_PAGE_MISSING}, an extended "
                       f"missing value labelled '{PAGE_MISSING_LABEL}'"),
    )
    return Codebook(
        # A labelled study's codebook (the demo's) says so in its title.
        wave=data.wave, title=f"{data.label} | {instrument.title}" if data.label else instrument.title,
        instrument=f"{instrument.id} version {instrument.version}",
        returns=wide.height, k=k, made=(made.isoformat(timespec="seconds") if made else ""),
        base=base, statements=statements, missing=missing,
    )


def _figures(row: dict[str, Any]) -> tuple[str, str]:  # a polars row (iter_rows(named=True))
    if row["suppressed"]:
        return (SUPPRESSED if row["n"] is None else str(row["n"])), SUPPRESSED  # n too, where withheld
    return str(row["n"]), figure(row["percent"])


def _md(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def codebook_markdown(book: Codebook) -> str:
    lines = [
        f"# Codebook: {_md(book.title)}, wave {_md(book.wave)}",
        "",
        f"Instrument {_md(book.instrument)}. {book.returns} returns. "
        + (f"Made {book.made} by SurveyDesk {__version__}." if book.made else f"SurveyDesk {__version__}."),
        "",
        "The raw returns are in `returns-wide` (one row per return, one variable per statement) and "
        "`returns-long` (one row per return and statement) as CSV, Parquet, SPSS `.sav` and Stata `.dta`. "
        "Statement codes such as `JPD A1` or `E&C A1` are not valid SPSS or Stata names: the variable "
        "column gives the name used in the `.sav` and `.dta` files (CSV and Parquet keep the codes).",
        "",
        "Stage labels are for staff only: they were never printed on a form.",
        "",
        "## Values",
        "",
        "| File | Answers |",
        "| --- | --- |",
        *[f"| {_md(f)} | {_md(v)} |" for f, v in book.missing],
        "",
        "## Variables of each return",
        "",
        "| Variable | Column | Label | Value labels |",
        "| --- | --- | --- | --- |",
        *[f"| {_md(v)} | {_md(c)} | {_md(label)} | {_md(values)} |" for v, c, label, values in book.base],
        "",
        "## Statements",
        "",
        f"n: respondents whose page for the bank was present; %: of those, who highlighted the statement "
        f"(overall, this wave; '{SUPPRESSED}' below k = {book.k}). Negative: negatively worded.",
        "",
        "| Variable | Code | No. | Bank | Section | Stage | Negative | n | % | Statement |",
        "| --- | --- | --- | --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for row in book.statements.iter_rows(named=True):
        n, percent = _figures(row)
        lines.append("| " + " | ".join(_md(v) for v in (
            row["variable"], row["code"], row["number_code"], row["bank"], row["section"], row["stage"],
            "yes" if row["negative"] else "no", n, percent, row["text"])) + " |")
    return "\n".join(lines) + "\n"


def codebook_pdf(book: Codebook) -> bytes:
    """The same codebook as an A4 landscape PDF (reportlab, imported here)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    base = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=base["BodyText"], fontSize=7, leading=8.4)
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    heading = ParagraphStyle("heading", parent=base["Heading2"], keepWithNext=1)
    page = landscape(A4)
    margin = 1.5 * cm
    width = page[0] - 2 * margin

    def grid(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        body = [[Paragraph(escape(h), head) for h in header]]
        body += [[Paragraph(escape(str(v)), cell) for v in row] for row in rows]
        table = Table(body, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f3f3")]),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        return table

    statements = []
    for row in book.statements.iter_rows(named=True):
        n, percent = _figures(row)
        statements.append([row["variable"], row["code"], row["number_code"], row["bank"], row["section"],
                           row["stage"], "yes" if row["negative"] else "no", n, percent, row["text"]])
    fixed = [62, 48, 44, 32, 42, 58, 46, 26, 30]
    story = [
        Paragraph(escape(f"Codebook: {book.title}, wave {book.wave}"), base["Title"]),
        Paragraph(escape(f"Instrument {book.instrument}. {book.returns} returns. "
                         + (f"Made {book.made} by SurveyDesk {__version__}." if book.made else "")), base["BodyText"]),
        Paragraph(escape("Statement codes such as 'JPD A1' or 'E&C A1' are not valid SPSS or Stata names; the "
                         "Variable column gives the name in the .sav and .dta files. Stage labels are for staff "
                         "only: they were never printed on a form."), base["BodyText"]),
        Paragraph("Values", heading),
        grid(["File", "Answers"], [list(m) for m in book.missing], [110, width - 110]),
        Paragraph("Variables of each return", heading),
        grid(["Variable", "Column", "Label", "Value labels"], [list(b) for b in book.base],
             [90, 90, (width - 180) * 0.6, (width - 180) * 0.4]),
        Spacer(1, 6),
        Paragraph("Statements", heading),
        Paragraph(escape(f"n: respondents whose page for the bank was present; %: of those, who highlighted the "
                         f"statement (overall, this wave; '{SUPPRESSED}' below k = {book.k})."), base["BodyText"]),
        grid(["Variable", "Code", "No.", "Bank", "Section", "Stage", "Negative", "n", "%", "Statement"],
             statements, [*fixed, width - sum(fixed)]),
    ]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=page, leftMargin=margin, rightMargin=margin, topMargin=margin,
                      bottomMargin=margin, title=f"Codebook: {book.title}, wave {book.wave}",
                      author=f"SurveyDesk {__version__}").build(story)
    return buffer.getvalue()
