"""The page barcodes (serial, page, check digit) read from pages as office scanners return them: 100 dpi greyscale and
150 dpi black and white, fed in 2 degrees askew either way, with sensor noise, saved as JPEG q60.

Every page of every kind (cover, bank pages, the blank form's cover, a specimen) must decode in
both bottom corners, so one corner torn or stapled still leaves the serial readable.
"""

from __future__ import annotations

import pytest

from tests.pdf_helpers import corner_barcodes, office_scan
from tui.domain.paper import SPECIMEN_SERIAL, FormCopy, write_forms, write_sample_form
from tui.domain.returns import SerialError, make_page_code, make_serial, parse_page_code

SCANS = {"100 dpi greyscale": {"dpi": 100}, "150 dpi black and white": {"dpi": 150, "black_and_white": True}}


@pytest.fixture(scope="module")
def forms(tmp_path_factory, printable):
    folder = tmp_path_factory.mktemp("scans")
    coded = write_forms(printable, [FormCopy("E5", make_serial(1042), "2015"),
                                    FormCopy(None, make_serial(9876543), "2015")], folder / "forms.pdf")
    specimen = write_sample_form(printable, folder / "specimen.pdf", paper="letter")
    per_copy = coded.pages_per_copy
    pages = [(coded.path, n, make_page_code(make_serial(1042), n + 1)) for n in range(per_copy)]
    pages += [(coded.path, n, make_page_code(make_serial(9876543), n + 1 - per_copy))
              for n in range(per_copy, coded.pages)]
    pages += [(specimen.path, n, make_page_code(SPECIMEN_SERIAL, n + 1)) for n in range(specimen.pages)]
    return pages  # (file, page index, the page barcode's text: serial, page, check digit)


def page_codes(found: list[tuple[str, str]]) -> set[str]:
    """The decodes that are page codes: a misread that fails the code's own check digits is
    refused by every reader (``parse_page_code``), so only these could mislead one."""
    codes = set()
    for text, kind in found:
        try:
            parse_page_code(text)
        except SerialError:
            continue
        codes.add(text) if kind == "Code128" else None
    return codes


@pytest.mark.slow
@pytest.mark.parametrize("angle", [-2.0, 2.0])
@pytest.mark.parametrize("scan", SCANS)
def test_every_page_decodes_in_both_corners_from_an_office_scan(forms, scan, angle):
    unread = []
    for seed, (path, index, code) in enumerate(forms):
        image = office_scan(path, index, angle=angle, seed=seed, **SCANS[scan])
        left, right = corner_barcodes(image)
        for corner, found in (("left", left), ("right", right)):
            if page_codes(found) != {code}:
                unread.append(f"{path.name} page {index + 1} {corner}: {found}")
    assert not unread, f"{scan}, {angle:+} degrees: " + "; ".join(unread)
