"""The scan reader on synthetic scans of real printed forms (the CI-sized corpus).

The full corpus is `python -m bench scan`; these check the promises on a few seeded pages.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.scan_helpers import printed_study
from tui.domain.scan.corpus import PENS, Degradation, degrade, mark_page, render_pages, synthetic_pages
from tui.domain.scan.reader import CANCELLED, MARKED, one_bit_doubt, read_page


@pytest.fixture(scope="module")
def printed(tmp_path_factory, printable):
    return printed_study(tmp_path_factory.mktemp("scan"), printable)


def layouts_of(printed):
    return lambda serial, page: (printed.geometry, None) if serial in printed.serials else (None, "not ours")


def read(printed, image, number=1):
    return read_page("scan.png", number, image, "grey", layouts_of(printed))


@pytest.mark.slow
@pytest.mark.parametrize("dpi, mode, seed", [(150, "bilevel", 1), (150, "jpeg", 2), (200, "jpeg", 3),
                                             (200, "bilevel", 4), (300, "grey", 5)])
def test_every_page_is_identified_and_no_accepted_mark_is_wrong(printed, dpi, mode, seed):
    """Every instrument (drawn per paper); a paper that one_bit_doubt holds for a greyscale rescan
    has nothing accepted, so its lost pencil ticks are no errors, and none is excused."""
    pages = list(synthetic_pages(printed.pdf, printed.pages()[:printed.per_copy], printed.geometry, dpi=dpi,
                                 seed=seed, mode=mode))
    readings, flagged = [], False
    for number, page in enumerate(pages, start=1):
        reading = read(printed, page.image, number)
        assert (reading.serial, reading.page) == (page.serial, page.page), (reading.problem, page.degradation)
        # A page whose boxes are lost (thin outlines thresholded away) is flagged: all its boxes to the clerk.
        assert reading.problem is None or not reading.registered, (reading.problem, page.degradation)
        if reading.marks and not reading.registered:  # nor does its confidence vouch for any box of it
            flagged = True
            assert all(m.confidence <= 0.5 for m in reading.marks)
        readings.append(reading)
    assert flagged == ((dpi, mode, seed) == (150, "bilevel", 1))  # so that case is exercised
    if one_bit_doubt(readings) is not None:
        assert mode == "bilevel"
        return
    accepted = wrong = 0
    for page, reading in zip(pages, readings, strict=True):
        for mark in reading.marks:
            meant = page.marked(mark.statement_id)
            if mark.accepted and reading.registered:
                accepted += 1
                wrong += (mark.state == MARKED) != meant
            elif meant is None:
                assert mark.state == CANCELLED or not mark.accepted
    assert accepted > 40 and wrong == 0


def test_pages_fed_upside_down_or_sideways_are_turned_and_read(printed):
    (image,) = render_pages(printed.pdf, 200)[1:2]
    truth = mark_page(image, printed.geometry["pages"][1], np.random.default_rng(0), 200,
                      kinds={s["id"]: "tick" for s in printed.geometry["pages"][1]["statements"][::2]})
    for turns in (1, 2, 3):
        reading = read(printed, degrade(image, Degradation(200, "grey", turns=turns), np.random.default_rng(turns)))
        assert (reading.turned + 90 * turns) % 360 == 0 and reading.registered
        assert {m.statement_id for m in reading.marks if m.state == MARKED and m.accepted} == \
            {k for k, v in truth.items() if v == "tick"}


def test_a_corner_cut_off_still_registers_from_three_marks(printed):
    image = render_pages(printed.pdf, 200)[1]
    px = 200 / 25.4
    image[int(-20 * px):, int(-20 * px):] = 255  # bottom-right corner lost
    reading = read(printed, image)
    assert reading.registered and reading.fit_mm is None and all(m.accepted for m in reading.marks)


def test_a_page_without_a_readable_barcode_is_unidentified_not_guessed(printed):
    image = render_pages(printed.pdf, 200)[1]
    px = 200 / 25.4
    image[int(-32 * px):int(-8 * px), :] = 255  # the footer, both barcodes with it
    reading = read(printed, image, 7)
    assert reading.serial is None and reading.problem == "no page barcode could be read"
    assert reading.where == "scan.png page 7"


def test_a_warped_page_is_flagged_not_guessed(printed):
    import cv2

    image = render_pages(printed.pdf, 200)[1]
    h, w = image.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0, 0], [w, 0], [w - 60, h - 25], [40, h]])  # a sheet creased across a corner
    bent = cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)
    reading = read(printed, bent)
    assert reading.serial == printed.serials[0]
    assert not reading.registered and "corner marks" in reading.problem


@pytest.mark.parametrize("pen", list(PENS))
def test_a_filled_then_struck_through_box_goes_to_the_clerk(printed, pen):
    """Also in light pencil, whose scribble may be too faint to count as filled: the arms of the
    strike-through beyond the box's left corners give it away."""
    image = render_pages(printed.pdf, 200)[1]
    statements = printed.geometry["pages"][1]["statements"]
    mark_page(image, printed.geometry["pages"][1], np.random.default_rng(3), 200,
              kinds={statements[0]["id"]: "cancel", statements[1]["id"]: "fill"}, pen=pen)
    reading = read(printed, degrade(image, Degradation(200, "jpeg", noise=4, angle=1.0), np.random.default_rng(3)))
    assert reading.marks[0].state == CANCELLED and not reading.marks[0].accepted
    assert reading.marks[1].state == MARKED and reading.marks[1].accepted


def test_an_unissued_serial_is_unidentified_with_the_reason(printed):
    image = render_pages(printed.pdf, 200)[1]
    reading = read_page("x.png", 1, image, "grey", lambda s, p: (None, f"serial {s} was never issued"))
    assert reading.problem == f"serial {printed.serials[0]} was never issued"


def test_highlight_mode_reads_highlighted_statements_in_a_colour_scan(printed):
    from tui.domain.scan.corpus import highlight_page

    rng = np.random.default_rng(11)
    pages = render_pages(printed.pdf, 200, 3)[1:3]
    accepted = 0
    for number, image in enumerate(pages, start=2):
        colour, truth = highlight_page(image, printed.geometry["pages"][number - 1], rng, 200)
        scan = degrade(colour, Degradation(200, "jpeg", angle=-1.5, scale=0.97, noise=4, quality=75), rng)
        assert scan.ndim == 3
        reading = read_page("colour.jpg", number, scan, "colour", layouts_of(printed), mode="highlight")
        assert reading.registered
        for mark in reading.marks:
            if mark.accepted:
                accepted += 1
                assert (mark.state == MARKED) == (truth[mark.statement_id] == "highlight"), mark
    assert accepted >= 15
    # The same page read in tick mode sees no tick in any box.
    tick = read_page("colour.jpg", 3, scan, "colour", layouts_of(printed))
    assert not any(m.state == MARKED for m in tick.marks)
