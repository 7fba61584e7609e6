"""A paper filled in pencil and scanned 1-bit: its lost ticks read as empty boxes, so the paper
is held for a greyscale rescan and listed, never saved as read (docs/scanning.md, "1-bit scans")."""

from __future__ import annotations

import pytest

from tests.scan_helpers import printed_study
from tui.commands.scan import report_lines
from tui.domain.scan import EMPTY, record_run, scan_files
from tui.domain.scan.corpus import synthetic_pages

DPI = 200


@pytest.fixture
def printed(tmp_path, printable):
    return printed_study(tmp_path, printable, codes="E5")


def scans(printed, folder, *, pen: str, mode: str, seed: int) -> tuple[list, list]:
    """The first paper's pages marked with ``pen`` and scanned in ``mode``, as PNG files."""
    from PIL import Image

    pages = list(synthetic_pages(printed.pdf, printed.pages()[:printed.per_copy], printed.geometry, dpi=DPI,
                                 seed=seed, mode=mode, pen=pen))
    files = []
    for page in pages:
        files.append(folder / f"{mode}-{page.serial}-{page.page}.png")
        Image.fromarray(page.image).save(files[-1])
    return pages, files


def test_a_1bit_pencil_paper_is_held_never_accepted(tmp_path, printed):
    pages, files = scans(printed, tmp_path, pen="pencil", mode="bilevel", seed=2)
    run = scan_files(printed.study, files)
    (paper,) = run.papers
    # The danger is real: boxes the respondent ticked read as empty, each with full confidence.
    lost = [m for page in pages for seen in paper.pages[page.page] for m in seen.marks
            if page.marked(m.statement_id) and m.state == EMPTY and m.accepted]
    assert lost
    assert paper.rescan is not None and "1-bit" in paper.rescan and not paper.confident
    record_run(printed.study, run)
    assert paper.outcome == "held" and paper.note.startswith("rescan in greyscale")
    assert printed.study.find_returns("2015") == [] and printed.study.drafts() == []
    # `surveydesk scan` ends with one line: how many papers are held, why, and which.
    assert report_lines(run, saved=True)[-1] == (
        "1 of 1 paper held, neither saved nor drafted: scanned 1-bit, where ticks can vanish below the scanner's "
        f"threshold, they show ink lost (each paper's reason above); rescan in greyscale and scan again: "
        f"{printed.serials[0]}")


@pytest.mark.slow  # two scans of a paper: about 12 s on the shared machine
def test_the_clerk_is_told_to_rescan_it_and_the_greyscale_rescan_is_read(tmp_path, printed):
    _, files = scans(printed, tmp_path, pen="pencil", mode="bilevel", seed=2)
    run = scan_files(printed.study, files)
    record_run(printed.study, run)
    lines = report_lines(run, saved=True)
    serial = printed.serials[0]
    assert lines[-1].endswith(f"rescan in greyscale and scan again: {serial}")
    assert any(line.startswith(f"  {serial} ") and "held: rescan in greyscale (page " in line for line in lines)
    # Nothing was kept of the 1-bit reading, so the rescan is read afresh.
    _, grey = scans(printed, tmp_path, pen="pencil", mode="grey", seed=2)
    again = scan_files(printed.study, grey)
    record_run(printed.study, again)
    (paper,) = again.papers
    assert paper.rescan is None and paper.outcome in ("saved", "draft")
    # The 1-bit files scanned once more: the paper is in the study now, so it is not called held.
    late = scan_files(printed.study, files)
    record_run(printed.study, late)
    assert late.papers[0].outcome == "skipped"
    assert not any("held" in line for line in report_lines(late, saved=True))


@pytest.mark.parametrize("pen", ["ballpoint", "felt"])
def test_a_1bit_ink_paper_is_read_not_held(tmp_path, printed, pen):
    """The rule holds pencil, not every 1-bit scan: crisp ink ticks vouch for the empty boxes."""
    _, files = scans(printed, tmp_path, pen=pen, mode="bilevel", seed=3)
    run = scan_files(printed.study, files)
    (paper,) = run.papers
    assert paper.rescan is None
    record_run(printed.study, run)
    assert paper.outcome in ("saved", "draft")


def test_a_1bit_bank_page_with_no_tick_at_all_holds_the_paper(tmp_path, printed):
    """Light pencil vanishes entirely in 1 bit: no tick to judge, so the blank bank page holds it."""
    pages, files = scans(printed, tmp_path, pen="light pencil", mode="bilevel", seed=4)
    run = scan_files(printed.study, files)
    (paper,) = run.papers
    assert any(page.marked(s) for page in pages for s in page.truth)  # it was filled in
    assert paper.rescan is not None and "no tick at all" in paper.rescan


def test_a_dithered_1bit_scan_is_held_too(tmp_path, printed):
    """A scanner's halftone (dithered) black and white breaks ink ticks into specks as well."""
    from PIL import Image

    pages = list(synthetic_pages(printed.pdf, printed.pages()[:printed.per_copy], printed.geometry, dpi=DPI,
                                 seed=3, mode="grey", pen="ballpoint", clean=True))
    files = []
    for page in pages:
        files.append(tmp_path / f"dithered-{page.page}.png")
        Image.fromarray(page.image).convert("1").convert("L").save(files[-1])  # Floyd-Steinberg
    (paper,) = scan_files(printed.study, files).papers
    assert paper.rescan is not None and "specks" in paper.rescan


def test_a_box_holding_only_specks_on_a_1bit_page_holds_the_paper():
    """A light hand near the threshold: one tick cut to specks says its neighbours may be gone whole."""
    from tui.domain.scan import MARKED, MarkReading, PageReading
    from tui.domain.scan.reader import one_bit_doubt

    def page(*marks: MarkReading, bilevel: bool = True) -> PageReading:
        return PageReading("scan.tif", 2, "0000013", 2, registered=True, marks=list(marks), bilevel=bilevel)

    crisp = MarkReading("a", MARKED, 1.0, fill=0.4, pieces=1)
    specks = MarkReading("b", EMPTY, 0.7, fill=0.02, pieces=2)
    empty = MarkReading("c", EMPTY, 1.0)
    assert one_bit_doubt([page(crisp, empty)]) is None
    assert "specks of a mark" in (one_bit_doubt([page(crisp, specks, empty)]) or "")
    assert one_bit_doubt([page(crisp, specks, empty, bilevel=False)]) is None  # grey: faint ink is measured


def test_a_blank_1bit_bank_page_beside_crisp_ticks_goes_to_the_clerk_not_a_rescan():
    """A respondent may leave a bank blank: where the paper's other 1-bit pages show crisp ticks,
    the blank page's boxes go to the clerk and the paper is not held; with no tick on any 1-bit
    page there is nothing to vouch for the pen, and the paper is held."""
    from tui.domain.scan import MARKED, MarkReading, PageReading
    from tui.domain.scan.reader import blank_one_bit_pages, one_bit_doubt

    def page(number: int, *marks: MarkReading) -> PageReading:
        return PageReading("scan.tif", number, "0000013", number, registered=True, marks=list(marks), bilevel=True)

    ticked = page(2, MarkReading("a", MARKED, 1.0, fill=0.4, pieces=1), MarkReading("b", EMPTY, 1.0))
    blank = page(3, MarkReading("c", EMPTY, 1.0), MarkReading("d", EMPTY, 0.99))
    assert one_bit_doubt([ticked, blank]) is None
    assert blank_one_bit_pages([ticked, blank]) == [3]
    assert blank.problem and "no tick at all" in blank.problem
    assert not any(m.accepted for m in blank.marks) and all(m.accepted for m in ticked.marks)
    alone = page(3, MarkReading("c", EMPTY, 1.0))
    assert "no tick at all" in (one_bit_doubt([alone]) or "")


def test_a_felt_paper_with_a_bank_left_blank_is_drafted_with_that_page_for_the_clerk(tmp_path, printed):
    """The corpus case that was held for nothing: a dark pen, crisp ticks, one bank left blank."""
    geometry = printed.geometry
    last = geometry["pages"][-1]
    kinds = {s["id"]: "tick" for page in geometry["pages"][1:-1] for s in page["statements"][1::3]}
    from PIL import Image

    files = []
    for page in synthetic_pages(printed.pdf, printed.pages()[:printed.per_copy], geometry, dpi=DPI, seed=5,
                                mode="bilevel", pen="felt", kinds=kinds):
        files.append(tmp_path / f"felt-{page.page}.png")
        Image.fromarray(page.image).save(files[-1])
    run = scan_files(printed.study, files)
    (paper,) = run.papers
    assert paper.rescan is None
    blank_ids = {s["id"] for s in last["statements"]}
    asked = {u.statement_id: u.why for u in paper.uncertain}
    assert blank_ids <= set(asked)
    assert asked[next(iter(blank_ids))] == f"page {last['page']} is a 1-bit scan with no tick at all: left blank, or ticks lost?"
    record_run(printed.study, run)
    assert paper.outcome == "draft"
    # Ticks the clerk finds on that page were lost, not left out: the review then asks every box
    # of the paper read empty in 1 bit as well (here the respondent did leave it blank).
    from tui.domain.scan.review import PaperReview, scan_drafts

    (draft,) = scan_drafts(printed.study)
    review = PaperReview(printed.study, draft)
    asked = len(review.questions)
    assert review.current is not None and review.current.statement_id in blank_ids
    assert review.answer(False) == 0 and len(review.questions) == asked
    review.back()
    empties = len(paper.if_ticks_found)
    assert empties > 20 and all("ticks were lost on page 6" in u.why for u in paper.if_ticks_found)
    assert review.answer(True) == empties and len(review.questions) == asked + empties
    again = PaperReview(printed.study, scan_drafts(printed.study)[0])  # kept in the draft at once
    assert len(again.questions) == asked + empties and review.answer(True) == 0  # asked once only
