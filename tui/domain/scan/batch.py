"""A scanning run: every page of every file read, grouped into papers, and what becomes of them.

Pages in = pages identified + pages listed as unidentified (with file and page number). A page
scanned twice is noticed (its readings are compared; where they disagree the clerk decides). A
page of a form that is not among the scans makes its bank "page missing". A paper whose every
mark was read with full confidence is saved as a first pass by operator ``scan``; any other
becomes a draft that the review screen walks through, uncertain statements only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.domain.errors import SurveyDeskError
from tui.domain.returns import BankAnswer
from tui.domain.scan.images import ScanPage, check_files, count_pages, read_pages
from tui.domain.scan.reader import (
    CANCELLED,
    MARKED,
    PageReading,
    blank_one_bit_pages,
    one_bit_doubt,
    read_page,
)
from tui.domain.store import Draft, IssuedForm, StoreError, Study

SCAN_OPERATOR = "scan"
TICK, HIGHLIGHT = "tick", "highlight"

Progress = Callable[[int, int, str], None]


class ScanModeError(SurveyDeskError):
    """A scan that the chosen reading mode cannot use; the message says why in one line."""


@dataclass
class Uncertain:
    """A statement the reader is not sure of: the clerk looks at the paper and decides."""

    bank_id: str
    statement_id: str
    code: str  # statement code as staff see it, e.g. JPD A2
    position: int  # the number printed beside it within its section
    read: str  # marked | empty | cancelled: the reader's best guess
    confidence: float
    why: str
    blank_page: bool = False  # on a 1-bit bank page that showed no tick (blank_one_bit_pages)


@dataclass
class Paper:
    serial: str
    wave: str
    participant_code: str | None
    pages: dict[int, list[PageReading]] = field(default_factory=dict)
    page_count: int = 0
    answers: dict[str, BankAnswer] = field(default_factory=dict)
    uncertain: list[Uncertain] = field(default_factory=list)
    missing_pages: list[int] = field(default_factory=list)
    outcome: str = ""  # saved | draft | held (for a greyscale rescan) | skipped
    note: str = ""  # why skipped, or the return / draft number
    marks: int = 0
    rescan: str | None = None  # why the paper must be scanned again in greyscale (never saved as read)
    # Its other boxes read empty on 1-bit pages: asked too if the clerk finds a tick on a blank
    # 1-bit page (the ticks were lost, not left out, and may be lost elsewhere as well).
    if_ticks_found: list[Uncertain] = field(default_factory=list)

    @property
    def confident(self) -> bool:
        return not self.uncertain and self.rescan is None


@dataclass
class ScanRun:
    pages_in: int = 0
    unidentified: list[PageReading] = field(default_factory=list)
    twice: list[tuple[str, int, list[str]]] = field(default_factory=list)  # serial, page, where
    papers: list[Paper] = field(default_factory=list)
    bilevel_pages: int = 0  # 1-bit scans, where faint pencil may have vanished

    @property
    def identified(self) -> int:
        return sum(len(r) for p in self.papers for r in p.pages.values())

    @property
    def marks(self) -> int:
        return sum(p.marks for p in self.papers)

    @property
    def uncertain(self) -> int:
        return sum(len(p.uncertain) for p in self.papers)


def scan_files(study: Study, paths: Sequence[str | Path], *, mode: str = TICK,
               progress: Progress | None = None) -> ScanRun:
    """Read every page of ``paths`` against the study's printed forms (writes nothing)."""
    if mode not in (TICK, HIGHLIGHT):
        raise ScanModeError(f"reading mode {mode!r} is not known; use {TICK} or {HIGHLIGHT}")
    files = check_files(paths)
    total = sum(count_pages(f) for f in files)
    run = ScanRun()
    layouts = _Layouts(study)
    readings: list[PageReading] = []
    for path in files:
        for page in read_pages(path):
            run.pages_in += 1
            readings.append(_read(page, mode, layouts))
            run.bilevel_pages += page.colour == "bilevel" and readings[-1].identified
            if progress:
                progress(run.pages_in, max(total, run.pages_in), page.where)
    for reading in readings:
        if not reading.identified:
            run.unidentified.append(reading)
    _group(run, readings, layouts)
    return run


def _read(page: ScanPage, mode: str, layouts: _Layouts) -> PageReading:
    if page.problem is not None:
        return PageReading(page.file, page.number, problem=page.problem)
    if mode == HIGHLIGHT and page.colour != "colour":
        raise ScanModeError(
            f"{page.where} is a {'1-bit' if page.colour == 'bilevel' else 'greyscale'} scan: highlighter ink "
            "vanishes without colour, so highlight mode needs colour scans (rescan in colour, or use tick mode)")
    return read_page(page.file, page.number, page.image, page.colour, layouts, mode)


class _Layouts:
    """Serial -> issued form -> the wave's kept geometry (looked up once per serial/wave)."""

    def __init__(self, study: Study):
        self.study = study
        self._forms: dict[str, IssuedForm | None] = {}
        self._geometries: dict[str, list[dict[str, Any]]] = {}

    def form(self, serial: str) -> IssuedForm | None:
        if serial not in self._forms:
            self._forms[serial] = self.study.issued_form(serial)
        return self._forms[serial]

    def __call__(self, serial: str, page: int) -> tuple[dict[str, Any] | None, str | None]:
        form = self.form(serial)
        if form is None:
            return None, f"serial {serial} was never issued in this study"
        if form.wave not in self._geometries:
            self._geometries[form.wave] = [json.loads(k.geometry) for k in self.study.form_layouts(form.wave)]
        blank = form.participant_code is None
        fitting = [g for g in reversed(self._geometries[form.wave]) if g["blank"] == blank and page <= len(g["pages"])]
        if not fitting:
            return None, (f"serial {serial} page {page}: wave {form.wave} keeps no printed layout with that page "
                          "(forms printed before SurveyDesk kept layouts: print them again to scan them)")
        return fitting[0], None


def _group(run: ScanRun, readings: Iterable[PageReading], layouts: _Layouts) -> None:
    papers: dict[str, Paper] = {}
    for reading in readings:
        if reading.serial is None or reading.page is None:  # unidentified: listed already
            continue
        form = layouts.form(reading.serial)
        if form is None or layouts(reading.serial, reading.page)[0] is None:
            # Never issued here, or printed before layouts were kept: read_page said why.
            run.unidentified.append(reading)
            continue
        paper = papers.get(reading.serial)
        if paper is None:
            paper = papers[reading.serial] = Paper(reading.serial, form.wave, form.participant_code)
        paper.pages.setdefault(reading.page, []).append(reading)
    for paper in papers.values():
        for page, seen in sorted(paper.pages.items()):
            if len(seen) > 1:
                run.twice.append((paper.serial, page, [r.where for r in seen]))
        seen_pages = [r for seen in paper.pages.values() for r in seen]
        paper.rescan = one_bit_doubt(seen_pages)
        blank = blank_one_bit_pages(seen_pages) if paper.rescan is None else []  # before _answers: to the clerk
        _answers(paper, layouts, set(blank))
        run.papers.append(paper)
    run.papers.sort(key=lambda p: p.serial)


def _answers(paper: Paper, layouts: _Layouts, blank: set[int]) -> None:
    """The paper's answers from its pages' readings, and what the clerk must decide (``blank``:
    its 1-bit bank pages that showed no tick)."""
    instrument = layouts.study.wave(paper.wave).instrument
    first = next(iter(paper.pages.values()))[0]
    assert first.page is not None  # grouped: identified, with a kept layout
    geometry, _ = layouts(paper.serial, first.page)
    assert geometry is not None
    paper.page_count = len(geometry["pages"])
    page_of_bank: dict[str, list[int]] = {}
    for page in geometry["pages"]:
        if page["bank"]:
            page_of_bank.setdefault(page["bank"], []).append(page["page"])
    paper.missing_pages = [p["page"] for p in geometry["pages"] if p["page"] not in paper.pages]
    for bank in instrument.banks:
        pages = page_of_bank.get(bank.id, [])
        if any(p in paper.missing_pages for p in pages):
            paper.answers[bank.id] = BankAnswer.missing()
            continue
        marked: set[int] = set()
        for number in pages:
            for statement_id, state, confidence, why in _page_marks(paper.pages[number], geometry, number):
                ref = instrument.ref_by_id(statement_id)
                paper.marks += 1
                if state == MARKED:
                    marked.add(ref.running)
                if why:
                    paper.uncertain.append(Uncertain(bank.id, statement_id, ref.code, ref.position, state,
                                                     confidence, why, blank_page=number in blank))
                elif blank and state != MARKED and paper.pages[number][0].bilevel:
                    paper.if_ticks_found.append(Uncertain(
                        bank.id, statement_id, ref.code, ref.position, state, confidence,
                        f"read empty in a 1-bit scan, and ticks were lost on page {', '.join(map(str, sorted(blank)))}"))
        paper.answers[bank.id] = BankAnswer(True, frozenset(marked))


def _page_marks(seen: list[PageReading], geometry: dict[str, Any], number: int,
                ) -> Iterator[tuple[str, str, float, str]]:
    """(statement id, state, confidence, why the clerk must look or '') for one page of a paper."""
    statements = [s["id"] for s in geometry["pages"][number - 1]["statements"]]
    unread = [r for r in seen if not r.registered]
    read = [r for r in seen if r.registered]
    for index, statement_id in enumerate(statements):
        if not read:
            why = unread[0].problem or "the page could not be registered"
            yield statement_id, "empty", 0.0, f"page {number} not read: {why}"
            continue
        mark = read[0].marks[index]
        states = {r.marks[index].state for r in read}
        if len(states) > 1:
            yield statement_id, mark.state, mark.confidence, f"page {number} was scanned twice and read differently"
        elif mark.state == CANCELLED:
            yield statement_id, mark.state, mark.confidence, "filled in and struck through"
        elif not all(r.marks[index].accepted for r in read):
            # A page's own doubt (a blank 1-bit bank page) says more than the box's.
            why = next((f"page {number} is {r.problem}" for r in read if r.problem), "faint or unclear mark")
            yield statement_id, mark.state, mark.confidence, why
        else:
            yield statement_id, mark.state, mark.confidence, ""


# --- into the study ----------------------------------------------------------------------------------


def record_run(study: Study, run: ScanRun) -> None:
    """Save confident papers as first passes by ``scan``, the rest as drafts for review.

    Papers already returned, or already waiting as a draft, are left alone (and said so);
    blank self-coding forms need their participant code keyed by hand."""
    taken = {r.serial for r in study.find_returns() if r.serial}
    drafted = {d.serial for d in study.drafts() if d.serial}
    for paper in run.papers:
        if paper.serial in taken:
            paper.outcome, paper.note = "skipped", "already returned"
        elif paper.serial in drafted:
            paper.outcome, paper.note = "skipped", "already waiting as a draft"
        elif paper.participant_code is None:
            paper.outcome, paper.note = "skipped", "a blank self-coding form: key it by hand (F3)"
        elif paper.rescan:
            # Its empty boxes may hold ticks the scan lost: neither saved nor drafted, so the
            # greyscale rescan is read afresh.
            paper.outcome, paper.note = "held", f"rescan in greyscale ({paper.rescan})"
        elif paper.confident and not paper.missing_pages:
            try:
                saved = study.save_return(paper.wave, paper.participant_code, paper.answers, operator=SCAN_OPERATOR,
                                          serial=paper.serial, reason=_reason(paper))
            except StoreError as exc:
                paper.outcome, paper.note = "skipped", str(exc)
                continue
            paper.outcome, paper.note = "saved", f"return #{saved.record.id}"
        else:
            draft = Draft(paper.wave, SCAN_OPERATOR, paper.participant_code, paper.serial,
                          state=draft_state(paper))
            paper.outcome, paper.note = "draft", f"draft #{study.save_draft(draft)}"


def _reason(paper: Paper) -> str:
    where = sorted({r.where for seen in paper.pages.values() for r in seen})
    return f"read from scans: {', '.join(where[:3])}{' ...' if len(where) > 3 else ''}"


def draft_state(paper: Paper) -> dict[str, Any]:
    """A draft in the entry screen's shape, plus what the review must ask."""
    done = {bank_id: {"present": answer.present, "marked": sorted(answer.marked)}
            for bank_id, answer in paper.answers.items()}
    return {"done": {}, "at": None, "scan": {
        "answers": done,
        "uncertain": [u.__dict__ for u in paper.uncertain],
        "if_ticks_found": [u.__dict__ for u in paper.if_ticks_found],
        "missing_pages": paper.missing_pages,
        "from": _reason(paper),
    }}
