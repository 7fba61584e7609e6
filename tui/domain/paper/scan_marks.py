"""What makes a printed form readable by the scan reader, kept apart from the layout itself.

- Four corner fiducials, solid squares, except the top-right one, a ring: a page scanned upside
  down or sideways is recognised by where the ring is.
- The geometry of every tick box and statement text zone, in millimetres from the page's
  top-left corner (y down, as in a scanned image), as JSON. The study keeps it with the wave
  when forms are printed, so a scan of an old wave is read with the geometry it was printed
  with, whatever later versions of the layout do.

The page barcode (serial + page, ``tui.domain.returns.make_page_code``) is drawn by forms_pdf.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.domain.paper.forms_layout import FormLayout, PageGeometry

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from tui.domain.instrument import Instrument
    from tui.domain.store import Study

MM = 72 / 25.4  # points per millimetre
FIDUCIAL_MM = 5.0  # side of a corner mark
FIDUCIAL_INSET_MM = 6.0  # from the paper's edge to the mark: inside any printer's unprintable band
RING_HOLE_MM = 2.5  # the white square inside the distinct (top-right) mark
BOX_LINE_MM = 0.8 / MM  # the tick box's printed outline
GEOMETRY_FORMAT = 1


@dataclass(frozen=True)
class Fiducial:
    """A corner mark: its centre in mm from the top-left corner, and whether it is the ring."""

    corner: str  # tl | tr | br | bl
    x: float
    y: float
    size: float = FIDUCIAL_MM
    ring: bool = False


def fiducials(geo: PageGeometry) -> tuple[Fiducial, ...]:
    width, height = geo.width / MM, geo.height / MM
    near = FIDUCIAL_INSET_MM + FIDUCIAL_MM / 2
    return (
        Fiducial("tl", near, near),
        Fiducial("tr", width - near, near, ring=True),
        Fiducial("br", width - near, height - near),
        Fiducial("bl", near, height - near),
    )


def draw_fiducials(canvas: Canvas, geo: PageGeometry) -> None:
    """The four corner marks, in reportlab's coordinates (points from the bottom-left)."""
    canvas.saveState()
    canvas.setFillGray(0)
    for mark in fiducials(geo):
        left = (mark.x - mark.size / 2) * MM
        bottom = geo.height - (mark.y + mark.size / 2) * MM
        side = mark.size * MM
        path = canvas.beginPath()
        path.rect(left, bottom, side, side)
        if mark.ring:  # the hole, drawn the other way round so the non-zero fill leaves it white
            inset = (mark.size - RING_HOLE_MM) / 2 * MM
            hole = side - 2 * inset
            x0, y0 = left + inset, bottom + inset
            path.moveTo(x0, y0)
            path.lineTo(x0, y0 + hole)
            path.lineTo(x0 + hole, y0 + hole)
            path.lineTo(x0 + hole, y0)
            path.close()
        canvas.drawPath(path, stroke=0, fill=1, fillMode=0)
    canvas.restoreState()


def _mm_rect(geo: PageGeometry, left: float, bottom: float, right: float, top: float) -> list[float]:
    """A rectangle in points (bottom-left origin) as [x, y, width, height] in mm from the top-left."""
    return [round(left / MM, 2), round((geo.height - top) / MM, 2),
            round((right - left) / MM, 2), round((top - bottom) / MM, 2)]


def form_geometry(layout: FormLayout) -> dict[str, Any]:
    """Everything the reader needs to find and measure the marks of every page of ``layout``."""
    geo = layout.geometry
    pages = []
    for page in layout.pages:
        statements = [
            {"id": spot.statement_id,
             "box": _mm_rect(geo, spot.box.x, spot.box.y, spot.box.x + spot.box.width,
                             spot.box.y + spot.box.height),
             "text": _mm_rect(geo, *spot.text)}
            for spot in page.marks
        ]
        pages.append({"page": page.number, "kind": page.kind, "bank": page.bank_id, "statements": statements})
    return {
        "format": GEOMETRY_FORMAT,
        "paper": geo.paper,
        "width_mm": round(geo.width / MM, 2),
        "height_mm": round(geo.height / MM, 2),
        "blank": layout.blank,
        "box_line_mm": round(BOX_LINE_MM, 3),
        "fiducials": [{"corner": f.corner, "x": round(f.x, 2), "y": round(f.y, 2), "size": f.size,
                       "ring": f.ring} for f in fiducials(geo)],
        "pages": pages,
    }


def geometry_json(layout: FormLayout) -> str:
    """The geometry as canonical JSON text (what the study stores)."""
    return json.dumps(form_geometry(layout), sort_keys=True, separators=(",", ":"))


def geometry_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def keep_printed_geometry(study: Study, wave: str, instrument: Instrument, *, paper: str, blanks: Iterable[bool],
                          operator: str) -> None:
    """Keep, with the wave, the geometry of the form variants (coded, blank) just printed."""
    from tui.domain.paper.forms_layout import plan_form

    for blank in sorted(set(blanks)):
        study.keep_form_layout(wave, geometry_json(plan_form(instrument, paper=paper, blank=blank)),
                               operator=operator)
