"""Reading one scanned page: which form and page it is, where it lies, and what each box holds.

1. Corner marks: in each corner of the image the square blob of a corner mark's size; the one
   with a white hole (the ring) is the page's top-right, so a page fed upside down or sideways
   is turned upright first.
2. The page barcode (serial + page + check digit): read, both check digits verified. Two
   different valid codes on one page, or none, leave the page unidentified: never guessed.
3. Registration: a homography from the four marks' printed places (mm) to where they are (px).
   Four points fit any homography exactly, so the fit is judged by how far they are from an
   affine map (a flat scan is affine to well under a millimetre); a poor fit is flagged and the
   page's statements all go to the clerk.
4. Each tick box: found near its predicted place by its printed outline, then its inside is
   measured: the share of inked pixels, and in a grey scan the share of faint ink. Far from the
   decision band it is accepted; near it, with faint ink, with ink spilling around the box, or
   filled and struck through, it goes to the clerk.
5. A paper's 1-bit pages, together (one_bit_doubt): a box of specks or ticks broken into specks
   (or no tick on any page) say ticks may have vanished, and the paper is held for a greyscale
   rescan; a bank page with no tick on a paper whose other 1-bit pages show crisp ticks goes to
   the clerk (blank_one_bit_pages).

numpy, OpenCV and zxing-cpp are imported inside functions (the `scan` extra).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.domain.returns import SerialError, parse_page_code

if TYPE_CHECKING:
    import numpy as np

# layouts(serial, page): the geometry the form was printed with, or (None, why not)
Layouts = Callable[[str, int], tuple[dict[str, Any] | None, str | None]]

MARKED, EMPTY, CANCELLED = "marked", "empty", "cancelled"
NOMINAL_LONG_MM = 290.0  # between A4 (297) and Letter (279.4): a first guess of the scale
CORNER_MM = 34.0  # corner marks are looked for this far into each corner of the image
MAX_FIT_MM = 0.8  # the marks' departure from an affine map above which registration is refused
INKED = 0.25  # a pixel this much darker than the paper (share of paper white) is ink
# Share of a box's inside inked: below EMPTY_BELOW empty, above MARKED_FROM marked, both with
# full confidence; in between, or with ink around the box, the clerk decides.
EMPTY_BELOW = 0.02
MARKED_FROM = 0.10
# In a 1-bit scan an empty box's inside is white to the pixel, and a faint pencil tick leaves at
# most a few black pixels: there, any ink at all is for the clerk.
EMPTY_BELOW_1BIT = 0.002
SPILL_LIMIT = 0.10  # ink in the band around a box that makes a light box uncertain
# Faint ink: the inside smoothed over a pencil's grain (FAINT_SMOOTH_MM), a pixel counting when
# it is darker than the paper around the box by FAINT_MIN and by FAINT_SIGMAS times the page's
# noise. A box whose inside holds FAINT_EMPTY of it is not empty for sure (a light pencil tick
# leaves 10 % or more; an untouched box under 2 %); FAINT_SURE of it is as much evidence of a
# mark as faint ink gives, never enough to accept one (a rubbed-out tick leaves as much).
FAINT_SMOOTH_MM = 0.08
FAINT_MIN = 0.05
FAINT_SIGMAS = 5.0
FAINT_EMPTY = 0.05
FAINT_SURE = 0.6
UNSURE_TOP = 0.9  # the most an unsure box's confidence reaches
# A box this filled, with ink spilling well around it, reads "cancelled"; so does a marked box
# with ink beyond both its left corners (ARM_PATCH: mm to the left; mm above the top / below the
# bottom) but not straight left of it: only the arms of a big cross struck through the box reach
# there (an ordinary cross stops within about 1.4 mm of the box, a tick reaches out to the right,
# a line in the margin passes straight left too). The right side is the statement's text.
CANCEL_FILL = 0.90
CANCEL_SPILL = 0.08
ARM_PATCH = (1.5, 2.4, 0.8, 2.2)
ARM_LEVEL = 0.12  # a pixel this much darker than the paper is (perhaps faint) ink
ARM_INK = 0.03  # share of a patch with such ink that makes an arm
# A 1-bit scan keeps a pencil stroke (or a light ballpoint one) only where it is darker than the
# scanner's threshold: what survives breaks into specks, and much of it vanishes. A respondent
# fills a paper with one instrument, so a 1-bit page with a box holding only specks, ticks that
# break up (more than PENCIL_PIECES separate pieces per tick, on average), or no tick at all on a
# bank page says the paper's empty boxes cannot be trusted: the paper is held for a greyscale
# rescan (see one_bit_doubt).
PENCIL_PIECES = 2.0
BLANK_INK = 0.002  # share of dark pixels below which an unidentified page is called blank
ACCEPT = 0.95  # confidence at which a mark is accepted without the clerk


@dataclass
class MarkReading:
    statement_id: str
    state: str  # marked | empty | cancelled
    confidence: float  # 0.5 (a coin toss) .. 1.0
    fill: float = 0.0  # share of the box's inside inked
    spill: float = 0.0  # share of the band around the box inked
    found: bool = True  # the box's printed outline was found where registration put it
    faint: float = 0.0  # share of the box's inside a little darker than the paper around it, beyond noise
    pieces: int = 0  # separate specks and strokes of ink inside the box (a pencil stroke in 1 bit breaks up)

    @property
    def accepted(self) -> bool:
        return self.state != CANCELLED and self.confidence >= ACCEPT


@dataclass
class PageReading:
    file: str
    number: int  # page within its file
    serial: str | None = None
    page: int | None = None  # page of the form
    problem: str | None = None  # why the page is unidentified or its marks unread
    registered: bool = False
    fit_mm: float | None = None
    turned: int = 0  # degrees the scan was turned to be upright
    colour: str = "grey"
    marks: list[MarkReading] = field(default_factory=list)
    codes: tuple[str, ...] = ()
    bilevel: bool = False  # black and white only (a 1-bit scan, or one saved as grey)

    @property
    def where(self) -> str:
        return f"{self.file} page {self.number}"

    @property
    def identified(self) -> bool:
        return self.serial is not None


# --- corner marks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Blob:
    x: float
    y: float
    side: float
    ring: bool


def _paper_level(grey: np.ndarray) -> float:
    import numpy as np

    return float(max(64.0, np.percentile(grey[::7, ::7], 92)))


def find_corner_marks(grey: np.ndarray, px_per_mm: float) -> dict[str, _Blob]:
    """The corner mark found in each image corner (tl, tr, br, bl), where there is one."""
    import cv2
    import numpy as np

    height, width = grey.shape
    reach = int(CORNER_MM * px_per_mm)
    side = 5.0 * px_per_mm
    threshold = _paper_level(grey) * 0.55
    found: dict[str, _Blob] = {}
    corners = {"tl": (0, 0), "tr": (width - reach, 0), "br": (width - reach, height - reach),
               "bl": (0, height - reach)}
    for name, (x0, y0) in corners.items():
        x0, y0 = max(0, x0), max(0, y0)
        crop = grey[y0:y0 + reach, x0:x0 + reach]
        ink = (crop < threshold).astype(np.uint8)
        count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
        best = None
        for k in range(1, count):
            x, y, w, h, area = stats[k]
            if not (0.7 * side <= w <= 1.4 * side and 0.7 * side <= h <= 1.4 * side):
                continue
            if abs(w - h) > 0.25 * max(w, h):
                continue
            fill = area / float(w * h)
            if fill < 0.5:
                continue
            cx, cy = x + w / 2.0, y + h / 2.0
            hole = max(1, int(side * 0.12))
            centre = crop[int(cy) - hole:int(cy) + hole + 1, int(cx) - hole:int(cx) + hole + 1]
            ring = fill < 0.9 and centre.size > 0 and float(centre.mean()) > threshold
            if not ring and fill < 0.8:
                continue
            corner_x = 0 if name in ("tl", "bl") else reach
            corner_y = 0 if name in ("tl", "tr") else reach
            distance = math.hypot(cx - corner_x, cy - corner_y)
            if best is None or distance < best[0]:
                # Sub-pixel centre: the centroid of the blob's bounding square.
                best = (distance, _Blob(x0 + cx - 0.5, y0 + cy - 0.5, (w + h) / 2.0, ring))
        if best is not None:
            found[name] = best[1]
    return found


_TURNS = {"tr": 0, "br": 1, "bl": 2, "tl": 3}  # ring's corner -> quarter turns counter-clockwise


def _turn_point(x: float, y: float, width: int, height: int, quarter_turns: int) -> tuple[float, float]:
    """Where (x, y) lands after np.rot90(image, quarter_turns)."""
    for _ in range(quarter_turns % 4):
        x, y = y, width - 1 - x
        width, height = height, width
    return x, y


# --- the page barcode ---------------------------------------------------------------------------


def read_page_code(grey: np.ndarray) -> tuple[tuple[str, int] | None, tuple[str, ...], str | None, bool]:
    """((serial, page) or None, every barcode text read, a problem or None, whether the page's
    barcodes lie in the bottom third of the image, where an upright form has them)."""
    import cv2
    import zxingcpp

    formats = zxingcpp.BarcodeFormat.Code128
    texts: list[str] = []
    attempts: tuple[Callable[[], np.ndarray], ...] = (lambda: grey, lambda: cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    for attempt in attempts:
        image = attempt()
        # zxing-cpp takes one BarcodeFormat for a set of formats; its stubs ask for BarcodeFormats.
        found = zxingcpp.read_barcodes(image, formats=formats, try_invert=False)  # type: ignore[arg-type]
        texts = [r.text for r in found]
        codes: set[tuple[str, int]] = set()
        low = True
        for result in found:
            try:
                codes.add(parse_page_code(result.text))
            except SerialError:
                continue
            centre_y = (result.position.top_left.y + result.position.bottom_right.y) / 2
            low = low and centre_y > image.shape[0] * 2 / 3
        if len(codes) == 1:
            return codes.pop(), tuple(texts), None, low
        if len(codes) > 1:
            listed = ", ".join(f"{s} page {p}" for s, p in sorted(codes))
            return None, tuple(texts), f"two different page barcodes on one page ({listed})", False
    if texts:
        return None, tuple(texts), f"its barcode ({texts[0]}) is not a SurveyDesk page code", False
    return None, (), "no page barcode could be read", False


# --- registration --------------------------------------------------------------------------------


def register(marks: dict[str, _Blob], geometry: dict[str, Any], px_per_mm: float,
             ) -> tuple[tuple[np.ndarray, float, float | None] | None, str | None]:
    """(homography mm -> px, fit in mm) from the four corner marks, or (None, reason)."""
    import cv2
    import numpy as np

    printed = {f["corner"]: (f["x"], f["y"]) for f in geometry["fiducials"]}
    present = [c for c in ("tl", "tr", "br", "bl") if c in marks]
    if len(present) < 3:
        missing = [c for c in ("tl", "tr", "br", "bl") if c not in marks]
        return None, f"corner marks {', '.join(missing)} not found"
    src = np.array([printed[c] for c in present], dtype=np.float64)
    dst = np.array([(marks[c].x, marks[c].y) for c in present], dtype=np.float64)
    design = np.hstack([src, np.ones((len(present), 1))])
    solution, *_ = np.linalg.lstsq(design, dst, rcond=None)
    scale = math.sqrt(abs(np.linalg.det(solution[:2, :2])))
    if len(present) == 3:
        # A corner cut off by a skewed feed: the three left fix an affine map exactly; the tick
        # boxes' printed outlines, looked for where it puts them, are then the check of the fit.
        homography = np.vstack([solution.T, [0.0, 0.0, 1.0]])
        fit_mm = None
    else:
        homography = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
        residual = dst - design @ solution
        fit_mm = float(np.sqrt((residual ** 2).sum(axis=1).mean()) / max(scale, 1e-6))
    if fit_mm is not None and fit_mm > MAX_FIT_MM:
        return None, f"the corner marks do not fit the form (off by {fit_mm:.1f} mm: creased, folded or not ours)"
    if not 0.8 < scale / px_per_mm < 1.25:
        return None, "the corner marks are not where this form's are (a different paper size?)"
    return (homography, scale, fit_mm), None


def _project(homography: np.ndarray, x_mm: float, y_mm: float) -> tuple[float, float]:
    h = homography
    w = h[2, 0] * x_mm + h[2, 1] * y_mm + h[2, 2]
    return ((h[0, 0] * x_mm + h[0, 1] * y_mm + h[0, 2]) / w, (h[1, 0] * x_mm + h[1, 1] * y_mm + h[1, 2]) / w)


# --- tick boxes -------------------------------------------------------------------------------------


def paper_noise(ink: np.ndarray, scale: float) -> float:
    """The spread of the paper's darkness, smoothed as _faint_share smooths it (robust: the
    median absolute deviation of pixels near the paper's level, in the page's middle)."""
    import cv2
    import numpy as np

    height, width = ink.shape
    crop = ink[height // 4:3 * height // 4, width // 4:3 * width // 4]
    smooth = cv2.GaussianBlur(crop, (0, 0), FAINT_SMOOTH_MM * scale)[::3, ::3]
    near = smooth[smooth < 0.12]
    if near.size < 100:
        return 0.0
    centre = float(np.median(near))
    return float(1.4826 * np.median(np.abs(near - centre)))


def ink_map(grey: np.ndarray, paper: float) -> np.ndarray:
    """Per pixel, how much darker than the paper it is (0 paper .. 1 black), as float32."""
    import numpy as np

    ink: np.ndarray = np.clip((paper - grey.astype(np.float32)) / paper, 0.0, 1.0)
    return ink


def measure_box(ink: np.ndarray, box_mm: list[float], homography: np.ndarray, scale: float, line_mm: float,
                statement_id: str, bilevel: bool = False, noise: float = 0.0) -> MarkReading:
    """The state of one tick box, from the ink map of an upright, registered page (``noise``:
    the page's, from paper_noise)."""
    import cv2
    import numpy as np

    x_mm, y_mm, w_mm, h_mm = box_mm
    cx, cy = _project(homography, x_mm + w_mm / 2, y_mm + h_mm / 2)
    side = w_mm * scale  # outer edge to outer edge of the printed outline, roughly
    line = max(1, int(round(line_mm * scale)))
    search = max(2, int(round(0.7 * scale)))
    spill_band = max(2, int(round(1.2 * scale)))
    half = int(math.ceil(side / 2 + line + search + max(spill_band, ARM_PATCH[1] * scale) + 2))
    x0, y0 = int(round(cx)) - half, int(round(cy)) - half
    height, width = ink.shape
    if x0 < 0 or y0 < 0 or x0 + 2 * half >= width or y0 + 2 * half >= height:
        return MarkReading(statement_id, EMPTY, 0.5, found=False)
    window = ink[y0:y0 + 2 * half + 1, x0:x0 + 2 * half + 1]
    integral = np.pad(window.cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def box_sum(top: np.ndarray, left: np.ndarray, size: int) -> np.ndarray:  # vectorised over arrays of top/left
        total: np.ndarray = (integral[top + size, left + size] - integral[top, left + size]
                             - integral[top + size, left] + integral[top, left])
        return total

    outer = int(round(side + line))
    inner = max(1, outer - 2 * (line + 1))
    offsets = np.arange(-search, search + 1)
    tops = (half - outer // 2 + offsets)[:, None] + np.zeros_like(offsets)[None, :]
    lefts = (half - outer // 2 + offsets)[None, :] + np.zeros_like(offsets)[:, None]
    outline = box_sum(tops, lefts, outer) - box_sum(tops + line + 1, lefts + line + 1, inner)
    best = np.unravel_index(int(np.argmax(outline)), outline.shape)
    top, left = int(tops[best]), int(lefts[best])
    outline_area = outer * outer - inner * inner
    outline_darkness = float(outline[best]) / max(1, outline_area)
    found = outline_darkness > 0.22

    inset = line + 1 + max(1, int(round(0.25 * scale)))
    inside = window[top + inset:top + outer - inset, left + inset:left + outer - inset]
    fill = float((inside > INKED).mean()) if inside.size else 0.0
    gap = line + max(1, int(round(0.35 * scale)))
    band = window[max(0, top - gap - spill_band):top + outer + gap + spill_band,
                  max(0, left - gap - spill_band):left + outer + gap + spill_band]
    band_ink = float((band > INKED).sum())
    core = window[max(0, top - gap):top + outer + gap, max(0, left - gap):left + outer + gap]
    band_area = band.size - core.size
    spill = (band_ink - float((core > INKED).sum())) / max(1, band_area)
    faint = fill if bilevel else _faint_share(window, top + inset, left + inset, outer - 2 * inset, scale, noise)
    mark = _decide(statement_id, fill, spill, found, faint, EMPTY_BELOW_1BIT if bilevel else EMPTY_BELOW,
                   _struck_through(window, top, left, outer, scale))
    if bilevel and fill > 0:
        mark.pieces = int(cv2.connectedComponents((inside > INKED).astype(np.uint8), connectivity=8)[0]) - 1
    return mark


def _struck_through(window: np.ndarray, top: int, left: int, outer: int, scale: float) -> bool:
    """Ink beyond both left corners of the box and none straight left of it (see ARM_PATCH)."""
    near, far, low, high = (int(round(v * scale)) for v in ARM_PATCH)
    columns = slice(max(0, left - far), max(0, left - near))

    def inked(rows: slice) -> bool:
        patch = window[rows, columns]
        return bool(patch.size) and float((patch > ARM_LEVEL).mean()) >= ARM_INK

    above = inked(slice(max(0, top - high), max(0, top - low)))
    below = inked(slice(top + outer + low, top + outer + high))
    beside = inked(slice(top + int(0.3 * outer), top + int(0.7 * outer) + 1))
    return above and below and not beside


def _faint_share(window: np.ndarray, top: int, left: int, size: int, scale: float, noise: float) -> float:
    """Share of the inside whose darkness, smoothed over a pencil's grain, stands above the paper
    around the box by more than the page's noise could make it."""
    import cv2
    import numpy as np

    if size <= 0:
        return 0.0
    smooth = cv2.GaussianBlur(window, (0, 0), FAINT_SMOOTH_MM * scale)
    inside = smooth[top:top + size, left:left + size] - float(np.median(smooth))
    return float((inside > max(FAINT_MIN, FAINT_SIGMAS * noise)).mean())


def _ramp(value: float, low: float, high: float) -> float:
    """0 at ``low``, 1 at ``high`` (either way round), clamped."""
    return min(max((value - low) / (high - low), 0.0), 1.0)


def _decide(statement_id: str, fill: float, spill: float, found: bool, faint: float,
            empty_below: float = EMPTY_BELOW, struck: bool = False) -> MarkReading:
    """A box's state and confidence from its measures.

    Accepted (confidence ACCEPT or more): ticked when the inked share reaches MARKED_FROM; empty
    when neither ink nor faint ink is there, and nothing spills around the box. Anything between
    is the clerk's: its guess follows the stronger evidence (a faint mark may be a light pencil
    tick or a rubbed-out one), its confidence below ACCEPT, lowest where the evidence is
    balanced."""
    def reading(state: str, confidence: float) -> MarkReading:
        return MarkReading(statement_id, state, round(confidence, 4), fill, spill, found, faint)

    if not found:
        return reading(MARKED if fill >= MARKED_FROM else EMPTY, 0.5)
    if (fill >= CANCEL_FILL and spill >= CANCEL_SPILL) or (fill >= MARKED_FROM and struck):
        return reading(CANCELLED, 0.5)
    if fill >= MARKED_FROM:
        return reading(MARKED, ACCEPT + (1 - ACCEPT) * _ramp(fill, MARKED_FROM, 3 * MARKED_FROM))
    spilt = spill > SPILL_LIMIT  # a tick that missed, a stray stroke: the clerk looks
    if fill < empty_below and faint < FAINT_EMPTY and not spilt:
        clean = min(_ramp(fill, empty_below, 0.0), _ramp(faint, FAINT_EMPTY, 0.0))
        return reading(EMPTY, ACCEPT + (1 - ACCEPT) * clean)
    # Evidence of a mark, 0 (none) .. 1 (as much as an accepted tick has), and how balanced it is.
    evidence = max(_ramp(fill, 0.0, MARKED_FROM), _ramp(faint, 0.0, FAINT_SURE))
    confidence = 0.5 + (UNSURE_TOP - 0.5) * abs(evidence - 0.5) / 0.5
    if spilt:
        confidence = min(confidence, 0.5 + 0.3 * max(0.0, 1 - spill / (3 * SPILL_LIMIT)))
    return reading(MARKED if evidence >= 0.5 else EMPTY, confidence)


# --- a whole page ---------------------------------------------------------------------------------


def read_page(file: str, number: int, image: np.ndarray, colour: str, layouts: Layouts,
              mode: str = "tick") -> PageReading:
    """Identify, register and measure one scanned page (``mode`` tick: the boxes; highlight: the
    statements' text zones, in a colour scan).

    ``layouts(serial, page)`` gives the geometry dict the form was printed with (or None with a
    reason, e.g. a serial this study never issued).
    """
    import numpy as np

    reading = PageReading(file, number, colour=colour)
    grey = image if image.ndim == 2 else _grey(image)
    px_per_mm = max(grey.shape) / NOMINAL_LONG_MM
    marks = find_corner_marks(grey, px_per_mm)
    turns, inferred = _orientation(marks, grey.shape)
    if turns:  # None (way up unknown) is left as it is
        height, width = grey.shape
        grey = np.ascontiguousarray(np.rot90(grey, turns))
        if image.ndim == 3:
            image = np.ascontiguousarray(np.rot90(image, turns))
        marks = {c: _Blob(*_turn_point(b.x, b.y, width, height, turns), b.side, b.ring) for c, b in marks.items()}
        marks = {_turned_corner(c, turns): b for c, b in marks.items()}
        reading.turned = 90 * turns
    identity, reading.codes, problem, low = read_page_code(grey)
    if identity is None:
        blank = float((grey[::3, ::3] < _paper_level(grey) * 0.6).mean()) < BLANK_INK
        reading.problem = "a blank page (the back of a sheet, scanned duplex?)" if blank else problem
        return reading
    reading.serial, reading.page = identity
    geometry, problem = layouts(reading.serial, reading.page)
    if geometry is None:
        reading.problem = problem
        return reading
    page = geometry["pages"][reading.page - 1]
    if not page["statements"]:  # a cover: identified is all it needs
        return reading
    if turns is None or (inferred and not low):
        reading.problem = "the ring corner mark (top right) was not found, so the page's way up is unknown"
        return reading
    registration, problem = register(marks, geometry, px_per_mm)
    if registration is None:
        reading.problem = problem
        return reading
    homography, scale, reading.fit_mm = registration
    reading.registered = True
    if mode == "highlight" and image.ndim == 3:
        reading.marks = [_decide_highlight(s["id"], highlight_share(image, s["text"], homography))
                         for s in page["statements"]]
        return reading
    ink = ink_map(grey, _paper_level(grey))
    line_mm = geometry.get("box_line_mm", 0.28)
    bilevel = reading.bilevel = colour == "bilevel" or _looks_bilevel(grey)
    noise = 0.0 if bilevel else paper_noise(ink, scale)
    reading.marks = [measure_box(ink, s["box"], homography, scale, line_mm, s["id"], bilevel, noise)
                     for s in page["statements"]]
    lost = sum(not m.found for m in reading.marks)
    if reading.marks and lost > max(2, len(reading.marks) // 4):
        reading.problem = f"{lost} of {len(reading.marks)} tick boxes were not where the corner marks put them"
        reading.registered = False
        for mark in reading.marks:  # the reader does not vouch for any box of a page it could not place
            mark.confidence = min(mark.confidence, 0.5)
    return reading


def one_bit_doubt(pages: list[PageReading]) -> str | None:
    """Why the empty boxes of a paper's 1-bit pages cannot be trusted, or None.

    ``pages``: the readings of one paper's pages. A tick that vanished in a 1-bit scan leaves
    nothing for any reader to see, so the evidence is what did survive: a box holding only
    specks of a mark, or ticks broken into specks (pencil grain cut by the threshold). One
    instrument fills a paper, so one such page speaks for every page of the paper. A bank page
    with no tick at all holds the paper only when no 1-bit page of it shows a tick: otherwise
    its crisp ticks vouch for the other pages, and the blank page goes to the clerk
    (blank_one_bit_pages)."""
    one_bit = _one_bit_pages(pages)
    blank = []
    for page in one_bit:
        remnants = sum(0 < m.fill < MARKED_FROM for m in page.marks)
        if remnants:  # a mark the threshold cut to a few specks: its neighbours may have vanished whole
            return (f"page {page.page} is a 1-bit scan with {remnants} box{'es' if remnants > 1 else ''} holding "
                    "only specks of a mark")
        ticks = [m for m in page.marks if m.fill >= MARKED_FROM]
        if not ticks:
            blank.append(page)
            continue
        pieces = sum(m.pieces for m in ticks) / len(ticks)
        if pieces > PENCIL_PIECES:
            return (f"page {page.page} is a 1-bit scan whose ticks break into specks ({pieces:.1f} pieces each), "
                    "as pencil does")
    if blank and len(blank) == len(one_bit):
        return "its 1-bit pages show no tick at all (ticks lost below the threshold?)"
    return None


def blank_one_bit_pages(pages: list[PageReading]) -> list[int]:
    """The bank pages of a paper not held by one_bit_doubt that are 1-bit scans with no tick at
    all, now marked for the clerk: none of their boxes is accepted (confidence at most 0.5) and
    their ``problem`` says why.

    A respondent may leave a bank blank, and in a 1-bit scan that cannot be told from a page
    whose ticks fell below the scanner's threshold (which can differ from page to page: an
    automatic exposure). The paper's other 1-bit pages show crisp ticks, so the pen is no pencil;
    the clerk, paper in hand, looks at the blank page's boxes rather than the whole paper going
    back for a rescan."""
    numbers = []
    for page in _one_bit_pages(pages):
        if any(m.fill >= MARKED_FROM for m in page.marks):
            continue
        page.problem = "a 1-bit scan with no tick at all: left blank, or ticks lost?"
        for mark in page.marks:
            mark.confidence = min(mark.confidence, 0.5)
        if page.page is not None:
            numbers.append(page.page)
    return numbers


def _one_bit_pages(pages: list[PageReading]) -> list[PageReading]:
    """A paper's 1-bit bank pages that were read."""
    return [p for p in pages if p.bilevel and p.registered and p.marks]


def _orientation(marks: dict[str, _Blob], shape: tuple[int, ...]) -> tuple[int | None, bool]:
    """(quarter turns that put the ring top right, or None; whether that was inferred).

    Without a ring, three solid marks leave one corner empty: the ring's, cut off by a skewed
    feed, if turning it to the top right gives a landscape page (forms are landscape); the
    caller then also wants the barcode at the bottom."""
    rings = [c for c, blob in marks.items() if blob.ring]
    if len(rings) == 1:
        return _TURNS[rings[0]], False
    if not rings and len(marks) == 3:
        (missing,) = {"tl", "tr", "br", "bl"} - set(marks)
        turns = _TURNS[missing]
        if (shape[1] > shape[0]) == (turns % 2 == 0):
            return turns, True
    return None, False


def _looks_bilevel(grey: np.ndarray) -> bool:
    """Black and white only (a 1-bit scan saved as greyscale, as some scanners do)."""
    import numpy as np

    sample = grey[::5, ::5]
    return bool(np.count_nonzero((sample > 0) & (sample < 255)) < sample.size * 0.001)


def _turned_corner(corner: str, turns: int) -> str:
    order = ["tl", "bl", "br", "tr"]  # counter-clockwise: a quarter turn moves a corner one step on
    return order[(order.index(corner) + turns) % 4]


def _grey(bgr: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
# --- highlight mode -------------------------------------------------------------------------------

HIGHLIT = 0.15  # share of a statement's text zone in highlighter colour: highlighted
UNLIT = 0.02  # below this: not highlighted


def highlight_share(bgr: np.ndarray, zone_mm: list[float], homography: np.ndarray) -> float:
    """Share of the statement's text zone in a highlighter's colour (saturated and light)."""
    import cv2

    x, y, w, h = zone_mm
    corners = [_project(homography, cx, cy) for cx, cy in ((x, y), (x + w, y), (x + w, y + h), (x, y + h))]
    xs, ys = [int(round(c[0])) for c in corners], [int(round(c[1])) for c in corners]
    height, width = bgr.shape[:2]
    left, right = max(0, min(xs)), min(width, max(xs))
    top, bottom = max(0, min(ys)), min(height, max(ys))
    if right <= left or bottom <= top:
        return 0.0
    hsv = cv2.cvtColor(bgr[top:bottom, left:right], cv2.COLOR_BGR2HSV)
    lit = (hsv[:, :, 1] > 60) & (hsv[:, :, 2] > 110)
    return float(lit.mean())


def _decide_highlight(statement_id: str, share: float) -> MarkReading:
    centre = (UNLIT + HIGHLIT) / 2
    distance = abs(share - centre) / ((HIGHLIT - UNLIT) / 2)
    confidence = 0.5 + (ACCEPT - 0.5) * min(distance, 1.0) + (1 - ACCEPT) * min(max(distance - 1, 0) / 2, 1.0)
    return MarkReading(statement_id, MARKED if share >= centre else EMPTY, round(confidence, 4), share, 0.0)
