"""Where everything goes on a printed form: pages planned once per instrument, as plain data.

The static part of a form (instructions, bank headings, rubrics, statements, tick boxes,
"Page n of m") is the same for every participant, so it is planned here once and drawn once
by ``forms_pdf``; only the participant code, serial, wave and barcode change per copy, and
their places are fixed by :class:`PageGeometry`.

What is never planned onto paper: stage labels (the hidden Beginning ... Leading),
school names, statement codes, notes and the negative flag. This module reads none of them.

reportlab is used only for font metrics and is imported inside functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import SECTION_LETTERS, Bank, Instrument, StatementRef

# Landscape page sizes in points (1/72 inch).
PAPERS: dict[str, tuple[float, float]] = {
    "A4": (841.8898, 595.2756),
    "letter": (792.0, 612.0),
}

# An embedded TrueType family (DejaVu Sans Condensed, in ./fonts with its licence): the form
# looks the same on every printer, and prints all of Latin Extended (Welsh ŵ and ŷ among it).
# reportlab embeds only the glyphs a file uses (a subset), once per file.
REGULAR = "DejaVuSansCondensed"
BOLD = "DejaVuSansCondensed-Bold"
ITALIC = "DejaVuSansCondensed-Oblique"
FONT_FILES = {REGULAR: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf",
              ITALIC: "DejaVuSansCondensed-Oblique.ttf"}
FONT_FOLDER = Path(__file__).resolve().parent / "fonts"

MARGIN = 36.0
HEADER_HEIGHT = 50.0
FOOTER_HEIGHT = 52.0
GUTTER = 14.0

TITLE_SIZE = 20.0
HEADING_SIZE = 15.0
TEXT_SIZE = 10.0
RUBRIC_SIZE = 9.5
STATEMENT_SIZE = 9.5
COLUMN_HEAD_SIZE = 14.0
CODE_SIZE = 32.0

BOX_SIZE = 8.5  # the tick box beside each statement
STATEMENT_INDENT = 30.0  # box, then the number right-aligned, then the text
STATEMENT_GAP = 6.0


# The line on every bank page that says how to mark, matching what is printed beside the statements.
MARKING_LINES = {
    "tick": "Tick the box beside every statement you believe to be true; leave the others blank.",
    "highlight": "Highlight every statement you believe to be true; leave the others blank.",
}
STATEMENT_SIZES = (11.5, 11.0, 10.5, 10.0)  # larger type for a bank that still fits one page


@dataclass(frozen=True)
class ReturnDetails:
    """How a wave's forms come back, printed on the cover: by when, how, and whom to ask."""

    return_by: str = ""  # YYYY-MM-DD
    route: str = ""  # e.g. "to your headteacher, in the sealed envelope provided"
    contact: str = ""  # e.g. "Rachel Smith, r.smith@example.ac.uk, 020 7946 0000"

    def missing(self) -> list[str]:
        return [what for what, value in (("return-by date", self.return_by), ("return route", self.route),
                                         ("contact", self.contact)) if not value.strip()]

    def lines(self) -> list[str]:
        """The cover's sentences (none when nothing is known)."""
        found = []
        when = f" by {shown_date(self.return_by)}" if self.return_by.strip() else ""
        if when or self.route.strip():
            found.append(f"Please return this form{when}" + (f" {self.route.strip()}" if self.route.strip() else "")
                         + ("" if self.route.strip().endswith(".") else "."))
        if self.contact.strip():
            found.append(f"Questions about the survey: {self.contact.strip()}")
        return found


def shown_date(iso: str) -> str:
    """'2015-01-30' -> 'Friday 30 January 2015' (as written; anything else is shown as given)."""
    from datetime import date

    try:
        day = date.fromisoformat(iso.strip())
    except ValueError:
        return iso.strip()
    return f"{day:%A} {day.day} {day:%B %Y}"


class FormLayoutError(SurveyDeskError):
    """The instrument cannot be laid out on paper; the message names what and where."""


# --- what a page is made of ------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    font: str = REGULAR
    size: float = TEXT_SIZE
    align: str = "left"  # left | right | centre

    @property
    def width(self) -> float:
        return string_width(self.text, self.font, self.size)

    @property
    def left(self) -> float:
        return {"left": self.x, "right": self.x - self.width, "centre": self.x - self.width / 2}[self.align]


@dataclass(frozen=True)
class Box:
    """A stroked rectangle: a tick box (``statement_id`` names its statement) or a write-in box."""

    x: float
    y: float
    width: float
    height: float
    line_width: float = 0.8
    statement_id: str | None = None


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    line_width: float = 0.5
    grey: float = 0.0  # 0 black .. 1 white


@dataclass(frozen=True)
class Dot:
    """A bullet, drawn rather than set as a glyph so that copied text stays clean."""

    x: float
    y: float
    radius: float


Item = Text | Box | Rule | Dot


@dataclass(frozen=True)
class MarkSpot:
    """Where one statement is marked: its tick box, and the zone its number and text cover
    (left, bottom, right, top), in points from the page's bottom-left, for the scan reader."""

    statement_id: str
    box: Box
    text: tuple[float, float, float, float]


@dataclass(frozen=True)
class PagePlan:
    """One page of the form as every participant gets it."""

    number: int  # 1-based, within one copy
    kind: str  # "cover" or "bank"
    bank_id: str | None = None
    continued: bool = False
    statement_ids: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    marks: tuple[MarkSpot, ...] = ()


@dataclass(frozen=True)
class PageGeometry:
    """Fixed places on every page: the body to fill, and the per-copy spots."""

    paper: str
    width: float
    height: float

    @property
    def left(self) -> float:
        return MARGIN

    @property
    def right(self) -> float:
        return self.width - MARGIN

    @property
    def body_top(self) -> float:
        return self.height - MARGIN - HEADER_HEIGHT - 12

    @property
    def body_bottom(self) -> float:
        return MARGIN + FOOTER_HEIGHT + 8

    @property
    def body_width(self) -> float:
        return self.right - self.left

    # Per-copy spots, used by forms_pdf when it stamps a copy.
    @property
    def code_baseline(self) -> float:
        return self.height - MARGIN - 44

    @property
    def title_baseline(self) -> float:
        return self.height - MARGIN - 12

    @property
    def wave_baseline(self) -> float:
        return self.height - MARGIN - 30

    @property
    def serial_baseline(self) -> float:
        return MARGIN + 30

    @property
    def page_baseline(self) -> float:
        return MARGIN + 12

    @property
    def barcode_bottom(self) -> float:
        """Bars stand on this line; the serial is printed under them, inside the margin."""
        return MARGIN + 12

    def barcode_corners(self, width: float) -> tuple[tuple[float, float], tuple[float, float]]:
        """Lower-left corners of the two serial barcodes of ``width``: bottom left and bottom right,
        away from a staple in the top-left corner, the page margin as their outer quiet zone."""
        return (self.left, self.barcode_bottom), (self.right - width, self.barcode_bottom)


@dataclass(frozen=True)
class FormLayout:
    geometry: PageGeometry
    blank: bool
    pages: tuple[PagePlan, ...] = field(default=())

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def pages_of_bank(self, bank_id: str) -> list[PagePlan]:
        return [p for p in self.pages if p.bank_id == bank_id]


def geometry(paper: str) -> PageGeometry:
    try:
        width, height = PAPERS[paper]
    except KeyError:
        raise FormLayoutError(f"paper {paper!r} is not known; use one of {', '.join(PAPERS)}") from None
    return PageGeometry(paper, width, height)


# --- fonts ------------------------------------------------------------------------------


@cache
def register_fonts() -> frozenset[int]:
    """Register the form's fonts with reportlab (once); the code points all three can print."""
    from reportlab.pdfbase.pdfmetrics import registerFont, registerFontFamily
    from reportlab.pdfbase.ttfonts import TTFont

    printable: set[int] | None = None
    for name, file in FONT_FILES.items():
        font = TTFont(name, str(FONT_FOLDER / file))
        registerFont(font)
        covered = set(font.face.charToGlyph)
        printable = covered if printable is None else printable & covered
    registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)
    return frozenset(printable or ())


def string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_fonts()
    width: float = stringWidth(text, font, size)  # reportlab has no type stubs
    return width


# --- text -------------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap by real glyph widths; a word wider than the line is cut, never clipped."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if string_width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while string_width(word, font, size) > width:
            cut = 1
            while cut < len(word) and string_width(word[: cut + 1], font, size) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class Paragraph:
    text: str
    bullet: bool = False
    heading: bool = False
    gap_before: float = 0.0


_BULLET = re.compile(r"^\s*[-•*]\s+")


def paragraphs(text: str, *, headings: bool = False) -> list[Paragraph]:
    """Blank lines part paragraphs; a single line break starts a new line; '- ' starts a bullet.

    With ``headings``, a short line without closing punctuation (``Instructions for
    Completion``) is set in bold.
    """
    result: list[Paragraph] = []
    blank_before = False
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        gap = 0.0 if not result else (7.0 if blank_before else 3.0)
        blank_before = False
        if _BULLET.match(line):
            result.append(Paragraph(_BULLET.sub("", line), bullet=True, gap_before=gap))
            continue
        is_heading = headings and len(line) <= 60 and line[-1] not in ".,:;!?\"'"
        result.append(Paragraph(line, heading=is_heading, gap_before=gap))
    return result


INCOMPLETE_MARK = "[INCOMPLETE: not for issue]"


def printed_statement(ref: StatementRef) -> str:
    """A statement as printed; one marked incomplete (only a specimen prints it) says so."""
    text = ref.statement.text
    return f"{text} {INCOMPLETE_MARK}" if ref.statement.incomplete else text


def printed_texts(instrument: Instrument) -> Iterator[tuple[str, str]]:
    """(where, text) for everything of the instrument that goes on paper."""
    yield "title", instrument.title
    yield "version", str(instrument.version)
    yield "instructions", instrument.instructions
    yield "sign-off", instrument.sign_off
    for role in instrument.key.roles:
        yield f"role {role.digit}", role.label
    for bank in instrument.banks:
        yield f"bank {bank.abbreviation}", f"{bank.abbreviation} {bank.title} {bank.dimension}"
        yield f"bank {bank.abbreviation} rubric", bank.rubric
    for ref in instrument.refs():
        yield ref.code, ref.statement.text


def unprintable_characters(instrument: Instrument) -> list[tuple[str, str]]:
    """(where, characters) for text the form's font has no glyph for."""
    found: list[tuple[str, str]] = []
    for where, text in printed_texts(instrument):
        bad = sorted({ch for ch in text if not _encodable(ch)})
        if bad:
            found.append((where, "".join(bad)))
    return found


def stage_label_mentions(instrument: Instrument) -> list[tuple[str, str]]:
    """(where, label) where the instrument's own printed wording uses a stage label as a word.

    The form never prints the labels itself; this finds wording that would give one away
    (case-sensitive, whole words: 'leading to' is not the label 'Leading').
    """
    labels = sorted(instrument.stage_labels())
    if not labels:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(label) for label in labels) + r")\b")
    return [(where, match) for where, text in printed_texts(instrument) for match in pattern.findall(text)]


def _encodable(ch: str) -> bool:
    return ch.isspace() or ord(ch) in register_fonts()


# --- planning ---------------------------------------------------------------------------


@dataclass
class _Page:
    kind: str
    bank_id: str | None
    continued: bool
    items: list[Item] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    marks: list[MarkSpot] = field(default_factory=list)


class _Pages:
    """Collects items page by page, keeping a cursor that moves down the body."""

    def __init__(self, geo: PageGeometry):
        self.geo = geo
        self.pages: list[_Page] = []
        self.y = geo.body_top

    def new(self, kind: str, bank_id: str | None = None, continued: bool = False) -> None:
        self.pages.append(_Page(kind, bank_id, continued))
        self.y = self.geo.body_top

    @property
    def items(self) -> list[Item]:
        return self.pages[-1].items

    def fits(self, height: float) -> bool:
        return self.y - height >= self.geo.body_bottom


def _text_block(pages: _Pages, paras: list[Paragraph], *, size: float, x: float, width: float,
                on_new_page: Callable[[], None], columns: int = 1, gutter: float = 2 * GUTTER) -> None:
    """Flow paragraphs down the page in ``columns`` balanced columns, starting a continuation page
    when the last column is full."""
    leading = size * 1.25
    column_width = (width - (columns - 1) * gutter) / columns
    lines: list[tuple[Paragraph, int, str, float]] = []  # paragraph, line number, text, indent
    for para in paras:
        font = BOLD if para.heading else REGULAR
        indent = size * 1.4 if para.bullet else 0.0
        lines += [(para, k, line, indent) for k, line in enumerate(wrap(para.text, font, size, column_width - indent))]
    total = sum(leading + (para.gap_before if k == 0 else 0) for para, k, _, _ in lines)
    column = 0
    top = lowest = pages.y
    # Balanced: each column takes about its share, or the whole page if the text is longer.
    share = total / columns + leading

    def full(height: float) -> bool:
        return not pages.fits(height) or (columns > 1 and top - (pages.y - height) > share)

    for para, k, line, indent in lines:
        font = BOLD if para.heading else REGULAR
        gap = para.gap_before if k == 0 and pages.y < top else 0.0
        if full(gap + leading):
            if column + 1 < columns:
                column += 1
            else:
                on_new_page()
                column, top, lowest = 0, pages.y, pages.y
            pages.y, gap = top, 0.0
        pages.y -= gap + leading
        lowest = min(lowest, pages.y)
        left = x + column * (column_width + gutter)
        if para.bullet and k == 0:
            pages.items.append(Dot(left + size * 0.35, pages.y + size * 0.3, size * 0.17))
        pages.items.append(Text(left + indent, pages.y, line, font, size))
    pages.y = lowest


def _plan_cover(pages: _Pages, instrument: Instrument, blank: bool, school: str | None,
                returns: ReturnDetails | None) -> None:
    geo = pages.geo
    pages.new("cover")
    _heading(pages, instrument.title, BOLD, TITLE_SIZE)
    pages.y -= 8
    if blank:
        _plan_self_coding(pages, instrument, school)

    def continue_cover() -> None:
        pages.new("cover", continued=True)

    letter = paragraphs(instrument.instructions, headings=True)
    if instrument.sign_off.strip():
        letter += [replace(p, gap_before=p.gap_before if i else 10.0)
                   for i, p in enumerate(paragraphs(instrument.sign_off))]
    # Two columns of about 75 characters: a letter set across the landscape page ran to 150.
    _text_block(pages, letter, size=TEXT_SIZE, x=geo.left, width=geo.body_width, on_new_page=continue_cover,
                columns=2)
    lines = returns.lines() if returns else []
    if lines:
        _plan_return_box(pages, lines, continue_cover)


def _plan_return_box(pages: _Pages, lines: list[str], on_new_page: Callable[[], None]) -> None:
    """The wave's return-by date, route and contact, framed across the foot of the letter."""
    geo = pages.geo
    size, leading = 10.5, 13.5
    wrapped = [w for line in lines for w in wrap(line, BOLD, size, geo.body_width - 20)]
    height = len(wrapped) * leading + 6
    if not pages.fits(height + 8):
        on_new_page()
    pages.y -= 8
    top = pages.y
    for line in wrapped:
        pages.y -= leading
        pages.items.append(Text(geo.left + 10, pages.y, line, BOLD, size))
    pages.y -= 6
    pages.items.append(Box(geo.left, pages.y, geo.body_width, top - pages.y, line_width=1.2))


def self_coding_choices(instrument: Instrument) -> tuple[list[str], list[str]]:
    """The blank form's choices to delete (Appendix 3), from the key: letters and roles, no names."""
    key = instrument.key
    return list(key.school_letters), [f"{r.digit} {r.label}".strip() for r in key.roles]


def _plan_self_coding(pages: _Pages, instrument: Instrument, school: str | None) -> None:
    """Participant School A B C D E / Participant Role 1 Governor 2 ... / Please delete as appropriate.

    A blank form for a known school's office prints its letter: only the role is left to choose."""
    geo = pages.geo
    size, leading, spacing = 11.5, 15.0, 20.0
    schools, roles = self_coding_choices(instrument)
    if school:
        schools = [school]
    top = pages.y
    start = geo.left + 10 + string_width("Participant School", BOLD, size) + spacing
    for label, choices in (("Participant School", schools), ("Participant Role", roles)):
        pages.y -= leading
        pages.items.append(Text(geo.left + 10, pages.y, label, BOLD, size))
        x = start
        for choice in choices:
            width = string_width(choice, REGULAR, size)
            if x > start and x + width > geo.right - 10:
                pages.y -= leading
                x = start
            pages.items.append(Text(x, pages.y, choice, REGULAR, size))
            x += width + spacing
    pages.y -= leading
    pages.items.append(Text(geo.left + 10, pages.y, "Please delete as appropriate"
                            + (" (the school is already filled in)" if school else ""), ITALIC, size))
    pages.y -= 8
    pages.items.append(Box(geo.left, pages.y, geo.body_width, top - pages.y, line_width=1.0))
    pages.y -= 8


def _bank_heading(pages: _Pages, instrument: Instrument, bank: Bank, number: int, continued: bool) -> None:
    pages.new("bank", bank.id, continued)
    title = f"Bank {number}: {bank.title} ({bank.abbreviation})"
    if continued:
        title += ", continued"
    _heading(pages, title, BOLD, HEADING_SIZE)
    beside: Text | None = None  # the marking line goes beside the dimension when both fit, saving a line
    if bank.dimension and not continued:
        pages.y -= 2
        _heading(pages, bank.dimension, ITALIC, 10.5)
        last = pages.items[-1]
        assert isinstance(last, Text)  # _heading appends Text items
        beside = last
    _marking_line(pages, instrument.marking, beside)
    pages.y -= 8


def _marking_line(pages: _Pages, marking: str, beside: Text | None) -> None:
    """How to mark, on every bank page, beside a box like the statements' when they have boxes."""
    geo = pages.geo
    size = 10.5
    text = MARKING_LINES[marking]
    box = BOX_SIZE + 6 if marking == "tick" else 0.0
    width = string_width(text, BOLD, size) + box
    if beside is not None and beside.left + beside.width + 24 + width <= geo.right:
        y, x = beside.y, geo.right - width
    else:
        pages.y -= size * 1.6
        y, x = pages.y, geo.left
    if marking == "tick":
        pages.items.append(Box(x, y - 0.5, BOX_SIZE, BOX_SIZE))
    pages.items.append(_fitted(text, x + box, y, BOLD, size, geo.right - x - box))


def _heading(pages: _Pages, text: str, font: str, size: float) -> None:
    """A heading across the body, wrapped if it is long."""
    for line in wrap(text, font, size, pages.geo.body_width):
        pages.y -= size * 1.2
        pages.items.append(Text(pages.geo.left, pages.y, line, font, size))


@dataclass(frozen=True)
class _Placed:
    ref: StatementRef
    lines: tuple[str, ...]
    size: float

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * 1.25


def _column_x(geo: PageGeometry, index: int) -> tuple[float, float]:
    width = (geo.body_width - 3 * GUTTER) / 4
    return geo.left + index * (width + GUTTER), width


def _plan_bank(pages: _Pages, instrument: Instrument, bank: Bank, number: int) -> None:
    """The bank in the largest type that keeps it on one page (the standard size if none does)."""
    for size in STATEMENT_SIZES:
        trial = _Pages(pages.geo)
        try:
            _plan_bank_at(trial, instrument, bank, number, size)
        except FormLayoutError:
            continue
        if len(trial.pages) == 1:
            _plan_bank_at(pages, instrument, bank, number, size)
            return
    _plan_bank_at(pages, instrument, bank, number, STATEMENT_SIZE)


def _plan_bank_at(pages: _Pages, instrument: Instrument, bank: Bank, number: int, size: float) -> None:
    geo = pages.geo
    _bank_heading(pages, instrument, bank, number, continued=False)

    def continue_bank() -> None:
        _bank_heading(pages, instrument, bank, number, continued=True)

    if bank.rubric.strip():
        _text_block(pages, paragraphs(bank.rubric), size=RUBRIC_SIZE, x=geo.left,
                    width=geo.body_width, on_new_page=continue_bank)
        pages.y -= 10

    _, column_width = _column_x(geo, 0)
    text_width = column_width - _indent(size)
    queues: dict[str, list[_Placed]] = {letter: [] for letter in SECTION_LETTERS}
    for ref in instrument.bank_refs(bank):
        queues[ref.section.letter].append(
            _Placed(ref, tuple(wrap(printed_statement(ref), REGULAR, size, text_width)), size))

    head_height = COLUMN_HEAD_SIZE + 8
    first = min((q[0].height for q in queues.values() if q), default=0.0)
    fresh = False  # True on a continuation page with nothing but the heading yet
    if not pages.fits(head_height + first):
        continue_bank()
        fresh = True
    while True:
        placed_any = _plan_columns(pages, queues, head_height, size, boxes=instrument.marking == "tick")
        if not any(queues.values()):
            return
        if not placed_any and fresh:
            stuck = next(q[0] for q in queues.values() if q)
            raise FormLayoutError(
                f"statement {stuck.ref.code} is too long to fit on one page "
                f"({len(stuck.lines)} lines); shorten it or split it in two")
        continue_bank()
        fresh = True


def _indent(size: float) -> float:
    """Box, then the number right-aligned, then the text: scaled with the type."""
    return STATEMENT_INDENT * size / STATEMENT_SIZE


def _plan_columns(pages: _Pages, queues: dict[str, list[_Placed]], head_height: float, size: float,
                  boxes: bool) -> bool:
    """Fill the four columns from the cursor down; what does not fit stays queued."""
    geo = pages.geo
    top = pages.y
    placed_any = False
    leading = size * 1.25
    box = BOX_SIZE * size / STATEMENT_SIZE
    indent = _indent(size)
    for index, letter in enumerate(SECTION_LETTERS):
        x, width = _column_x(geo, index)
        pages.items.append(Text(x + width / 2, top - COLUMN_HEAD_SIZE, letter, BOLD, COLUMN_HEAD_SIZE,
                                align="centre"))
        pages.items.append(Rule(x, top - head_height + 3, x + width, top - head_height + 3, 0.8))
        y = top - head_height - 2
        queue = queues[letter]
        while queue and y - queue[0].height >= geo.body_bottom:
            placed = queue.pop(0)
            baseline = y - size
            if boxes:  # a highlighted form has none, and nothing for the scan reader to measure
                tick = Box(x + 1, baseline - 0.5, box, box, statement_id=placed.ref.statement.id)
                pages.items.append(tick)
                pages.pages[-1].marks.append(_mark_spot(placed, tick, x, width, baseline))
            pages.items.append(Text(x + indent - 4, baseline, f"{placed.ref.position}.", BOLD, size,
                                    align="right"))
            for k, line in enumerate(placed.lines):
                pages.items.append(Text(x + indent, baseline - k * leading, line, REGULAR, size))
            pages.pages[-1].statements.append(placed.ref.statement.id)
            y -= placed.height + STATEMENT_GAP
            placed_any = True
        if index:  # a light rule between columns
            pages.items.append(Rule(x - GUTTER / 2, top, x - GUTTER / 2, geo.body_bottom, 0.4, 0.6))
    return placed_any


def _mark_spot(placed: _Placed, box: Box, x: float, width: float, baseline: float) -> MarkSpot:
    """The statement's box and the zone of its number and text lines (descenders included)."""
    size = placed.size
    bottom = baseline - (len(placed.lines) - 1) * size * 1.25 - size * 0.25
    return MarkSpot(placed.ref.statement.id, box, (x + _indent(size) - 16, bottom, x + width, baseline + size * 0.8))


def _fitted(text: str, x: float, y: float, font: str, size: float, width: float) -> Text:
    """One line of at most ``width``: set smaller if need be, and cut short only below 7 pt."""

    natural = string_width(text, font, size)
    if natural > width:
        size = max(7.0, size * width / natural)
        while string_width(text, font, size) > width:
            text = text[:-2].rstrip() + "\u2026"
    return Text(x, y, text, font, size)


CODE_BOX = 28.0  # the blank form's write-in boxes for the school letter and the role number


def code_boxes(geo: PageGeometry) -> tuple[Box, Box]:
    """Where a blank form's respondent writes the school letter and the role number: top right,
    clear above the header rule."""
    bottom = geo.height - MARGIN - HEADER_HEIGHT + 6
    role = Box(geo.right - CODE_BOX, bottom, CODE_BOX, CODE_BOX, line_width=1.0)
    school = Box(role.x - 6 - CODE_BOX, bottom, CODE_BOX, CODE_BOX, line_width=1.0)
    return school, role


def _plan_frame(geo: PageGeometry, instrument: Instrument, blank: bool, school: str | None, number: int,
                total: int) -> list[Item]:
    """What every page carries apart from its body and the per-copy marks."""
    items: list[Item] = [
        _fitted(f"{instrument.title} (version {instrument.version})", geo.left, geo.title_baseline, BOLD, 11,
                geo.body_width - 240),
        Rule(geo.left, geo.height - MARGIN - HEADER_HEIGHT, geo.right, geo.height - MARGIN - HEADER_HEIGHT),
        Rule(geo.left, MARGIN + FOOTER_HEIGHT, geo.right, MARGIN + FOOTER_HEIGHT),
        Text(geo.width / 2, geo.page_baseline, f"Page {number} of {total}", BOLD, 11, align="centre"),
    ]
    if not blank:
        return [*items, Text(geo.right, geo.height - MARGIN - 8, "Participant", REGULAR, 8, align="right")]
    # A blank form: boxes to write the code in, where a coded form prints it, and what goes in them.
    school_box, role_box = code_boxes(geo)
    label_y = school_box.y + CODE_BOX + 3
    items += [school_box, role_box,
              Text(school_box.x + CODE_BOX / 2, label_y, "School", REGULAR, 7, align="centre"),
              Text(role_box.x + CODE_BOX / 2, label_y, "Role", REGULAR, 7, align="centre")]
    if school:
        items.append(Text(school_box.x + CODE_BOX / 2, school_box.y + 7, school, BOLD, 18, align="centre"))
        words = ("Write your role number", "in the box (see page 1)")
    else:
        words = ("Write your school letter and", "role number in the boxes (page 1)")
    right = school_box.x - 8
    items += [Text(right, school_box.y + 16, words[0], REGULAR, 8, align="right"),
              Text(right, school_box.y + 6, words[1], REGULAR, 8, align="right")]
    return items


def plan_form(instrument: Instrument, *, paper: str = "A4", blank: bool = False, school: str | None = None,
              returns: ReturnDetails | None = None) -> FormLayout:
    """Every page of one copy of the form, in order, with everything static on it.

    ``school``: a blank form for that school's office (its letter printed); ``returns``: the
    wave's return-by date, route and contact, printed on the cover."""
    bad = unprintable_characters(instrument)
    if bad:
        where, chars = bad[0]
        raise FormLayoutError(
            f"{where}: the form's font cannot print {' '.join(repr(c) for c in chars)}; "
            "replace the character(s)" + (f" (and {len(bad) - 1} more places)" if len(bad) > 1 else ""))
    if returns is not None:
        bad_returns = [(what, "".join(sorted({c for c in text if not _encodable(c)})))
                       for what, text in (("return route", returns.route), ("contact", returns.contact))]
        for what, chars in bad_returns:
            if chars:
                raise FormLayoutError(f"the wave's {what}: the form's font cannot print "
                                      f"{' '.join(repr(c) for c in chars)}; replace the character(s)")
    geo = geometry(paper)
    pages = _Pages(geo)
    _plan_cover(pages, instrument, blank, school if blank else None, returns)
    for number, bank in enumerate(instrument.banks, start=1):
        _plan_bank(pages, instrument, bank, number)
    total = len(pages.pages)
    plans = tuple(
        PagePlan(
            number=n,
            kind=page.kind,
            bank_id=page.bank_id,
            continued=page.continued,
            statement_ids=tuple(page.statements),
            items=tuple(_plan_frame(geo, instrument, blank, school if blank else None, n, total) + page.items),
            marks=tuple(page.marks),
        )
        for n, page in enumerate(pages.pages, start=1)
    )
    return FormLayout(geo, blank, plans)
