"""Printable anonymised forms as PDF: the paper a respondent meets.

Each page's static layout (planned by ``forms_layout``) is drawn once as a PDF form XObject
and stamped on every copy; a copy adds one small overlay XObject with its participant code,
wave and serial, and each page its Code128 page barcode (serial + page, bottom left and bottom
right, away from a staple in the top-left corner, so one surviving corner is enough). That keeps
a thousand-copy batch fast and small; see bench/forms_bench.py.

Never printed: stage labels, school names, statement codes, notes. reportlab is imported
inside functions so that importing this module stays cheap.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument, ParticipantCodeError, incomplete_refusal
from tui.domain.paper.forms_layout import (
    BOLD,
    CODE_SIZE,
    REGULAR,
    Box,
    Dot,
    FormLayout,
    Item,
    PageGeometry,
    ReturnDetails,
    Text,
    geometry,
    plan_form,
    register_fonts,
)
from tui.domain.paper.scan_marks import draw_fiducials
from tui.domain.paths import name_part, safe_output_path, wave_folder, write_atomically
from tui.domain.returns import SerialError, damm_digit, make_page_code, normalise_serial

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# Code128's narrowest bar, in points: 2 pt = 0.71 mm is 2.8 pixels at 100 dpi, so an office
# scanner at 100 dpi greyscale or 150 dpi black-and-white still reads it (0.35 mm bars did not:
# tests/domain/test_form_scans.py). A 7-digit serial is then 63 mm long with its quiet zones.
BAR_MODULE = 2.0
BAR_HEIGHT = 30.0
SPECIMEN_CODE = "X0"
# A serial that scans and reads like a real one but that entry refuses: sequence number 0.
SPECIMEN_SERIAL = "000000" + str(damm_digit("000000"))


Progress = Callable[[int, int], None]


class FormsError(SurveyDeskError):
    """Forms that cannot be printed as asked; the message says which copy and why."""


@dataclass(frozen=True)
class FormCopy:
    """One paper form to print. ``participant_code`` None prints a blank self-coding form;
    ``school`` then names the school office it goes to (its letter printed, the role left to write)."""

    participant_code: str | None
    serial: str | None
    wave: str
    reprint: bool = False
    school: str | None = None


@dataclass(frozen=True)
class FormsResult:
    path: Path
    copies: int
    pages: int
    bytes: int
    pages_per_copy: int  # of a coded copy (a blank copy may differ by its cover)


@dataclass(frozen=True)
class IssueLogRow:
    """One issued form, for the researcher's issue log (never a school name)."""

    serial: str
    participant_code: str | None
    school: str | None
    wave: str
    printed_at: datetime | str
    reprint: bool = False


# --- where files go ---------------------------------------------------------------------


def forms_folder(exports: Path | str, wave: str) -> Path:
    """``exports/<wave>/forms``: the folder for a wave's forms (``<wave>`` as paths.name_part makes it,
    so two waves never share one)."""
    return safe_output_path(wave_folder(exports, wave), "forms")


def output_file(folder: Path | str, name: str | Path) -> Path:
    """A file inside ``folder``; a name that would escape it raises UnsafePathError."""
    return safe_output_path(folder, name)


def _batch_part(batch: int | None) -> str:
    return "" if batch is None else f"-batch-{batch}"


def school_forms_name(wave: str, school: str, batch: int | None = None) -> str:
    """``forms-2015-batch-2-school-A.pdf``: the wave and batch in the name, so no two files share one."""
    return f"forms-{name_part(wave)}{_batch_part(batch)}-school-{name_part(school)}.pdf"


def blank_forms_name(wave: str, batch: int | None = None) -> str:
    """Blank self-coding forms that go to no particular school office."""
    return f"forms-{name_part(wave)}{_batch_part(batch)}-blank.pdf"


def reprint_name(wave: str, serial: str, printing: int | None = None) -> str:
    """``reprint-2015-0000013-print-2.pdf``: which printing of the form this is, so a second reprint
    of one serial never overwrites the first."""
    return f"reprint-{name_part(wave)}-{name_part(serial)}" + (f"-print-{printing}" if printing else "") + ".pdf"


def issue_log_name(wave: str, extension: str) -> str:
    return f"issue-log-{name_part(wave)}.{extension}"


def specimen_name(instrument: Instrument, paper: str = "A4") -> str:
    return f"specimen-{name_part(instrument.id)}-{name_part(str(instrument.version))}-{name_part(paper)}.pdf"


# --- forms ------------------------------------------------------------------------------


def write_forms(
    instrument: Instrument,
    copies: Sequence[FormCopy],
    path: Path | str,
    *,
    paper: str = "A4",
    title: str | None = None,
    progress: Progress | None = None,
    returns: ReturnDetails | None = None,
) -> FormsResult:
    """Print ``copies`` into one PDF at ``path`` (written whole or not at all).

    ``returns``: the wave's return-by date, route and contact, printed on every cover.
    ``progress(done, total)`` is called after each copy is laid down (for a progress bar;
    writing the file afterwards takes about as long again).
    """
    refuse_incomplete(instrument)
    checked = _checked_copies(instrument, copies)
    waves = sorted({c.wave for c in checked})
    return _render(instrument, checked, Path(path), paper=paper, progress=progress, returns=returns,
                   title=title or f"{instrument.title} {instrument.version}: forms for wave {', '.join(waves)}")


def write_sample_form(
    instrument: Instrument, path: Path | str, *, paper: str = "A4", blank: bool = False, wave: str = "",
    returns: ReturnDetails | None = None,
) -> FormsResult:
    """One copy marked SPECIMEN on every page, for previewing the layout (an incomplete
    statement prints, marked INCOMPLETE).

    Its serial (sequence number 0) scans like a real one but entry refuses it, so a
    specimen that is filled in by mistake cannot be attached to an issued form.
    """
    copy = FormCopy(None if blank else SPECIMEN_CODE, SPECIMEN_SERIAL, wave)
    return _render(instrument, [copy], Path(path), paper=paper, returns=returns,
                   title=f"{instrument.title} {instrument.version}: specimen", specimen=True)


def write_school_forms(
    instrument: Instrument,
    copies_by_school: Mapping[str, Sequence[FormCopy]],
    folder: Path | str,
    *,
    wave: str,
    paper: str = "A4",
    progress: Progress | None = None,
    batch: int | None = None,
    returns: ReturnDetails | None = None,
) -> dict[str, FormsResult]:
    """One PDF per school office, named ``forms-<wave>-batch-<n>-school-<letter>.pdf`` inside ``folder``
    (without ``-batch-<n>`` when no batch is given).

    ``progress(done, total)`` counts copies across all the schools.
    """
    refuse_incomplete(instrument)
    for school, copies in copies_by_school.items():  # check every school before writing any file
        for n, copy in enumerate(_checked_copies(instrument, copies) if copies else [], start=1):
            if copy.participant_code and copy.participant_code[0] != school:
                raise FormsError(f"school {school}, form {n}: participant code {copy.participant_code} "
                                 f"belongs to school {copy.participant_code[0]}")
            if copy.school and copy.school != school:
                raise FormsError(f"school {school}, form {n}: a blank form for school {copy.school}")
    results: dict[str, FormsResult] = {}
    total = sum(len(copies) for copies in copies_by_school.values())
    done = 0
    for school, copies in copies_by_school.items():
        if not copies:
            continue
        target = output_file(folder, school_forms_name(wave, school, batch))
        results[school] = write_forms(
            instrument, copies, target, paper=paper, returns=returns,
            title=f"{instrument.title} {instrument.version}: forms for school {school}, wave {wave}",
            progress=_counted_on(progress, done, total) if progress else None)
        done += len(copies)
    return results


def refuse_incomplete(instrument: Instrument) -> None:
    """Real forms never print a statement whose wording is marked unfinished."""
    refusal = incomplete_refusal(instrument)
    if refusal:
        raise FormsError(refusal)


def _checked_copies(instrument: Instrument, copies: Sequence[FormCopy]) -> list[FormCopy]:
    if not copies:
        raise FormsError("no forms to print")
    checked = [_checked_copy(instrument, copy, n) for n, copy in enumerate(copies, start=1)]
    first: dict[str, int] = {}
    for n, copy in enumerate(checked, start=1):
        if copy.serial is not None:
            if copy.serial in first:
                raise FormsError(f"form {n}: serial {copy.serial} is already on form {first[copy.serial]}")
            first[copy.serial] = n
    return checked


def _checked_copy(instrument: Instrument, copy: FormCopy, n: int) -> FormCopy:
    code = copy.participant_code
    if code is not None:
        try:
            code = str(instrument.key.parse(code))
        except ParticipantCodeError as exc:
            raise FormsError(f"form {n}: {exc}") from None
    serial = copy.serial
    if serial is not None:
        try:
            serial = normalise_serial(serial)
        except SerialError as exc:
            raise FormsError(f"form {n}: {exc}") from None
    if not copy.wave.strip():
        raise FormsError(f"form {n}: the wave is empty")
    school = copy.school.strip().upper() if copy.school and code is None else None
    if school is not None and school not in instrument.key.school_letters:
        raise FormsError(f"form {n}: school {school} is not in the key (schools "
                         f"{', '.join(instrument.key.school_letters)})")
    return FormCopy(code, serial, copy.wave.strip(), copy.reprint, school)


def _variant(copy: FormCopy) -> tuple[bool, str]:
    """Which static layout a copy uses: coded, or blank (for a school, or for none)."""
    blank = copy.participant_code is None
    return blank, (copy.school or "") if blank else ""


def _render(instrument: Instrument, copies: list[FormCopy], path: Path, *, paper: str, title: str,
            specimen: bool = False, progress: Progress | None = None,
            returns: ReturnDetails | None = None) -> FormsResult:
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    geo = geometry(paper)
    layouts = {variant: plan_form(instrument, paper=paper, blank=variant[0], school=variant[1] or None,
                                  returns=returns)
               for variant in sorted({_variant(c) for c in copies})}
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(geo.width, geo.height), pageCompression=1, initialFontName=REGULAR)
    _set_metadata(canvas, title)

    static = {variant: _draw_static_pages(canvas, layout, f"b{variant[1]}_" if variant[0] else "p")
              for variant, layout in layouts.items()}
    if specimen:
        _draw_watermark(canvas, geo)
    pages = 0
    for index, copy in enumerate(copies):
        overlay = _draw_overlay(canvas, geo, copy, index, specimen, _role_label(instrument, copy))
        page_forms = static[_variant(copy)]
        page_codes = _page_code_operators(geo, copy, len(page_forms))
        # Page streams hold a few 'Do' operators and the page barcodes' bars: compressed, they are
        # a third of the size at little cost.
        for page_index, form_name in enumerate(page_forms):
            if specimen:
                canvas.doForm("watermark")
            canvas.doForm(form_name)
            canvas.doForm(overlay)
            if page_codes:
                canvas.addLiteral(page_codes[page_index])
            canvas.showPage()
            pages += 1
        if progress:
            progress(index + 1, len(copies))
    canvas.save()
    data = buffer.getvalue()
    _write_atomically(path, data)
    per_copy = next(iter(layouts.values())).page_count  # coded first, as the variants sort
    return FormsResult(path=path, copies=len(copies), pages=pages, bytes=len(data), pages_per_copy=per_copy)


def _counted_on(progress: Progress, offset: int, total: int) -> Progress:
    """``progress`` for one school's file, counting on from the copies of the schools before it."""
    return lambda k, _n: progress(offset + k, total)


def _set_metadata(canvas: Canvas, title: str) -> None:
    canvas.setTitle(title)
    canvas.setAuthor("SurveyDesk")
    canvas.setCreator("SurveyDesk")
    canvas.setSubject("")


def _draw_static_pages(canvas: Canvas, layout: FormLayout, prefix: str) -> list[str]:
    names = []
    for page in layout.pages:
        name = f"{prefix}{page.number}"
        canvas.beginForm(name)
        _draw_items(canvas, page.items)
        draw_fiducials(canvas, layout.geometry)
        canvas.endForm()
        names.append(name)
    return names


def _draw_items(canvas: Canvas, items: Iterable[Item]) -> None:
    for item in items:
        if isinstance(item, Text):
            _draw_text(canvas, item)
        elif isinstance(item, Box):
            canvas.setLineWidth(item.line_width)
            canvas.rect(item.x, item.y, item.width, item.height, stroke=1, fill=0)
        elif isinstance(item, Dot):
            canvas.circle(item.x, item.y, item.radius, stroke=0, fill=1)
        else:
            canvas.setStrokeGray(item.grey)
            canvas.setLineWidth(item.line_width)
            canvas.line(item.x1, item.y1, item.x2, item.y2)
            canvas.setStrokeGray(0)


def _draw_text(canvas: Canvas, text: Text) -> None:
    canvas.setFont(text.font, text.size)
    draw = {"left": canvas.drawString, "right": canvas.drawRightString,
            "centre": canvas.drawCentredString}[text.align]
    draw(text.x, text.y, text.text)


def _draw_watermark(canvas: Canvas, geo: PageGeometry) -> None:
    canvas.beginForm("watermark")
    canvas.saveState()
    canvas.setFillGray(0.86)
    canvas.setFont(BOLD, 110)
    canvas.translate(geo.width / 2, geo.height / 2)
    canvas.rotate(20)
    canvas.drawCentredString(0, -40, "SPECIMEN")
    canvas.restoreState()
    canvas.endForm()


def _role_label(instrument: Instrument, copy: FormCopy) -> str:
    """The role's label ('Teacher'), so a school office can tell which form goes to whom."""
    code = copy.participant_code
    try:
        return instrument.key.role_label(int(code[1:])) if code else ""
    except (KeyError, ValueError):  # the specimen's made-up code
        return ""


def _draw_overlay(canvas: Canvas, geo: PageGeometry, copy: FormCopy, index: int, specimen: bool, role: str) -> str:
    """The marks of one copy, as one XObject stamped on each of its pages."""
    name = f"c{index}"
    canvas.beginForm(name)
    if copy.participant_code:
        code = Text(geo.right, geo.code_baseline, copy.participant_code, BOLD, CODE_SIZE, "right")
        _draw_text(canvas, code)
        if role:
            _draw_text(canvas, Text(code.left - 8, geo.code_baseline, role, REGULAR, 9, "right"))
    marks = [f"Wave {copy.wave}"] if copy.wave else []
    if copy.reprint:
        marks.append("REPRINT (same serial as the lost form)")
    if specimen:
        marks.append("SPECIMEN: not for issue")
    if marks:
        _draw_text(canvas, Text(geo.left, geo.wave_baseline, "   ".join(marks), REGULAR, 10))
    if copy.serial:
        _draw_text(canvas, Text(geo.width / 2, geo.serial_baseline, f"Serial {copy.serial}", REGULAR, 10,
                                "centre"))
        # The serial under each page barcode (the bars themselves are per page).
        _, width = barcode_bars(make_page_code(copy.serial, 1))
        for x, y in geo.barcode_corners(width):
            _draw_text(canvas, Text(x + width / 2, y - 9, copy.serial, REGULAR, 8, "centre"))
    canvas.endForm()
    return name


def _page_code_operators(geo: PageGeometry, copy: FormCopy, pages: int) -> list[str]:
    """Per page of a copy, the PDF operators of its page barcode (serial + page + check digit, see
    ``make_page_code``) in both bottom corners; none without a serial. Written straight into the
    page's stream: a form XObject per page would cost a PDF object each. A keyboard-wedge scanner
    reading any page gives entry the serial; the scan reader, the page."""
    if not copy.serial:
        return []
    corners = page_barcode_corners(geo, copy.serial)
    operators = []
    for page in range(1, pages + 1):
        bars, _ = _bar_rectangles(make_page_code(copy.serial, page))
        operators.append(" ".join(f"q 1 0 0 1 {x:.2f} {y:.2f} cm 0 g {bars} f Q" for x, y in corners))
    return operators


def page_barcode_corners(geo: PageGeometry, serial: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Lower-left corners of the two page barcodes (every page code of a serial has the same width)."""
    _, width = barcode_bars(make_page_code(serial, 1))
    return geo.barcode_corners(width)


def _bar_rectangles(value: str) -> tuple[str, float]:
    """The bars of a Code128 barcode as PDF rectangle operators from (0, 0), and its width."""
    bars, width = barcode_bars(value)
    return " ".join(f"{x:g} 0 {bar:g} {BAR_HEIGHT:g} re" for x, bar in bars), width


def barcode_modules(value: str) -> str:
    """Code128 of ``value`` as reportlab's bar/space pattern (upper case bars, lower case spaces)."""
    from reportlab.graphics.barcode.code128 import Code128

    code = Code128(value, quiet=0)
    code.validate()
    code.encode()
    pattern: str = code.decompose()  # reportlab has no type stubs here
    return pattern


def barcode_bars(value: str, module: float = BAR_MODULE) -> tuple[list[tuple[float, float]], float]:
    """The bars of ``value`` as (x, width) from the left end, and the code's whole width, in points."""
    bars: list[tuple[float, float]] = []
    x = 0.0
    for ch in barcode_modules(value):
        width = (ord(ch.lower()) - ord("a") + 1) * module
        if ch.isupper():
            bars.append((x, width))
        x += width
    return bars, x


# --- issue log --------------------------------------------------------------------------

ISSUE_LOG_COLUMNS = ("serial", "participant_code", "school", "wave", "printed_at", "reprint")


def _issue_log_cells(row: IssueLogRow) -> list[str]:
    printed = row.printed_at.isoformat(sep=" ", timespec="seconds") if isinstance(row.printed_at, datetime) \
        else str(row.printed_at)
    return [row.serial, row.participant_code or "", row.school or "", row.wave, printed,
            "yes" if row.reprint else "no"]


def write_issue_log_csv(rows: Iterable[IssueLogRow], path: Path | str) -> Path:
    """The issue log as CSV: one line per issued form (open the serial column as text in a spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ISSUE_LOG_COLUMNS)
    writer.writerows(_issue_log_cells(row) for row in rows)
    target = Path(path)
    _write_atomically(target, out.getvalue().encode("utf-8"))
    return target


def issue_log_count(rows: Sequence[IssueLogRow]) -> str:
    """'85 forms issued, 2 reprints': a reprint is a row of the log, not another form."""
    reprints = sum(1 for row in rows if row.reprint)
    issued = len(rows) - reprints
    text = f"{issued} form{'s' if issued != 1 else ''} issued"
    return text + (f", {reprints} reprint{'s' if reprints != 1 else ''}" if reprints else "")


_LOG_HEADINGS = ("Serial", "Participant", "School", "Wave", "Printed at", "Reprint")
_LOG_COLUMN_X = (0, 80, 160, 220, 300, 430)


def write_issue_log_pdf(rows: Iterable[IssueLogRow], path: Path | str, *, title: str = "Issue log",
                        paper: str = "A4") -> Path:
    """The issue log as a portrait table, heading repeated on every page, 'Page n of m' at the foot."""
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    width, height = _portrait(paper)
    rows = list(rows)
    cells = [_issue_log_cells(row) for row in rows]
    counted = issue_log_count(rows)
    margin, leading = 50.0, 15.0
    per_page = int((height - 2 * margin - 60) // leading)
    total = max(1, -(-len(cells) // per_page))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1, initialFontName=REGULAR)
    _set_metadata(canvas, title)
    for page in range(total):
        y = height - margin
        _draw_text(canvas, Text(margin, y, title, BOLD, 14))
        y -= 30
        for x, heading in zip(_LOG_COLUMN_X, _LOG_HEADINGS, strict=True):
            _draw_text(canvas, Text(margin + x, y, heading, BOLD, 10))
        canvas.setLineWidth(0.6)
        canvas.line(margin, y - 4, width - margin, y - 4)
        for line in cells[page * per_page:(page + 1) * per_page]:
            y -= leading
            for x, cell in zip(_LOG_COLUMN_X, line, strict=True):
                _draw_text(canvas, Text(margin + x, y, cell, REGULAR, 10))
        footer = f"{counted}   Page {page + 1} of {total}"
        _draw_text(canvas, Text(width / 2, margin - 20, footer, REGULAR, 9, "centre"))
        canvas.showPage()
    canvas.save()
    target = Path(path)
    _write_atomically(target, buffer.getvalue())
    return target


def _portrait(paper: str) -> tuple[float, float]:
    geo = geometry(paper)
    return geo.height, geo.width


# --- files ------------------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file or leave what was there (paths.write_atomically)."""
    write_atomically(path, data)
