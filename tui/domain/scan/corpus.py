"""A synthetic scan corpus: real printed forms, marked and degraded as a respondent and an office
scanner would, with the truth kept beside each page. For the tests, the bench and the docs;
seeded, so the same seed gives the same pixels.

Marks: ticks, crosses, filled boxes, a filled box struck through (a "cancelled" answer), and stray
strokes that miss the box (underlining, a margin line), each drawn with the paper's writing
instrument (a respondent fills the whole paper with one): ballpoint, felt tip, HB pencil at an
ordinary pressure, or HB pencil pressed lightly. The instruments are modelled in ``PENS`` (see
docs/scanning.md, "The synthetic corpus"): the grey a stroke leaves where it covers the paper,
its width, and the graphite's grain, which leaves specks of paper inside a pencil stroke.
Degradation: scaled 95-100 %, turned up to 3 degrees and shifted, blurred, noisy, then saved as
JPEG, kept grey, or thresholded to 1 bit at an office scanner's default threshold; some pages fed
upside down or sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

KINDS = ("none", "tick", "cross", "fill", "cancel", "erased", "pencil")
# How often each kind is drawn in a box (the rest stay empty): about a third of statements marked.
# A pencil paper also has ticks rubbed out ("erased": the respondent changed their mind; the
# rubber leaves a smear of graphite, and the box means "not ticked"), taken from the empty ones.
# ("pencil" is never drawn at random: named in ``kinds``, it is a tick in light pencil whatever
# the paper's instrument, for tests that need a faint mark.)
KIND_WEIGHTS = {"none": 0.64, "tick": 0.22, "cross": 0.08, "fill": 0.05, "cancel": 0.01}
ERASED_SHARE = 0.03
ERASED_LEFT = (0.15, 0.35)  # share of the graphite a rubber leaves, smeared over about 0.3 mm
STRAY_SHARE = 0.06  # statements that also get a stray stroke near (not in) their box
MODES = ("grey", "jpeg", "bilevel")
MODE_WEIGHTS = (0.2, 0.5, 0.3)  # shares of papers scanned in each mode (assumed)


@dataclass(frozen=True)
class Pen:
    """A writing instrument as a scanner sees it.

    ``grey``: the range, over respondents, of the grey a stroke leaves where it covers the
    paper fully (0 black, 255 the paper); each mark varies about the respondent's own by
    ``GREY_JITTER``. ``cover``: the mean share of the paper under the stroke that takes the ink
    or graphite; ``grain``: its spread from one 300 dpi pixel to the next (graphite catches
    on the paper's fibres and skips the hollows between; a coarser scan averages more of them).
    """

    name: str
    grey: tuple[int, int]
    width_mm: tuple[float, float]
    cover: float
    grain: float


PENS = {
    "ballpoint": Pen("ballpoint", (25, 110), (0.30, 0.50), 0.95, 0.08),
    "felt": Pen("felt", (10, 60), (0.45, 0.80), 1.00, 0.03),
    "pencil": Pen("pencil", (95, 150), (0.30, 0.50), 0.80, 0.25),
    "light pencil": Pen("light pencil", (150, 200), (0.25, 0.45), 0.70, 0.30),
}
# Shares of respondents (not measured: the bench reports every instrument apart, so the mix never
# hides a weak one).
PEN_WEIGHTS = {"ballpoint": 0.60, "felt": 0.20, "pencil": 0.14, "light pencil": 0.06}
GREY_JITTER = 12
# An office scanner's black-and-white threshold (a grey below it becomes black): assumed near the
# middle of the scale, moved either way by the density setting on the control panel (not measured
# on real scanners).
BILEVEL_THRESHOLD = (100, 150)


@dataclass
class Degradation:
    dpi: int
    mode: str = "jpeg"  # grey | jpeg | bilevel
    scale: float = 1.0
    angle: float = 0.0  # degrees
    shift_mm: tuple[float, float] = (0.0, 0.0)
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # Gaussian sigma in grey levels
    quality: int = 75  # JPEG
    threshold: int = 128  # 1-bit
    turns: int = 0  # quarter turns counter-clockwise (a page fed the wrong way round)


@dataclass
class SyntheticPage:
    image: Any  # grey uint8
    serial: str
    page: int
    truth: dict[str, str] = field(default_factory=dict)  # statement id -> kind drawn
    degradation: Degradation | None = None
    pen: str = "ballpoint"  # the paper's writing instrument
    level: float = 0.0  # the respondent's own grey with it (0 black .. 255 paper)

    def marked(self, statement_id: str) -> bool | None:
        """What the respondent meant: True/False, or None for a cancelled box (the clerk decides)."""
        kind = self.truth.get(statement_id, "none")
        return None if kind == "cancel" else kind not in ("none", "erased")

    def drawn_with(self, statement_id: str) -> str:
        """The instrument of the mark in that box."""
        return "light pencil" if self.truth.get(statement_id) == "pencil" else self.pen


def random_degradation(rng: np.random.Generator, dpi: int, mode: str | None = None) -> Degradation:
    mode = mode or str(rng.choice(MODES, p=MODE_WEIGHTS))
    turns = int(rng.choice([0, 2, 1, 3], p=[0.8, 0.1, 0.05, 0.05]))
    return Degradation(
        dpi=dpi, mode=mode, scale=float(rng.uniform(0.95, 1.0)), angle=float(rng.uniform(-3, 3)),
        shift_mm=(float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3))), blur=float(rng.uniform(0, 1.0)),
        noise=float(rng.uniform(2, 8)), quality=int(rng.integers(55, 91)),
        threshold=int(rng.integers(BILEVEL_THRESHOLD[0], BILEVEL_THRESHOLD[1] + 1)), turns=turns)


def random_pen(rng: np.random.Generator) -> str:
    names = list(PEN_WEIGHTS)
    return str(rng.choice(names, p=[PEN_WEIGHTS[n] for n in names]))


def render_pages(pdf_path: str | Path, dpi: int, count: int | None = None) -> list[Any]:
    """The first ``count`` pages (default all) of a PDF as grey arrays at ``dpi``."""
    import numpy as np
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        return [np.asarray(document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")).copy()
                for i in range(min(len(document), count or len(document)))]
    finally:
        document.close()


@dataclass
class _Hand:
    """One respondent's instrument and how they press: the level each mark varies about."""

    pen: Pen
    grey: float

    @classmethod
    def of(cls, pen: str, rng: np.random.Generator) -> _Hand:
        chosen = PENS[pen]
        return cls(chosen, float(rng.uniform(*chosen.grey)))


def mark_page(image: np.ndarray, page_geometry: dict[str, Any], rng: np.random.Generator, dpi: int,
              kinds: dict[str, str] | None = None, pen: str = "ballpoint", hand: _Hand | None = None,
              pencil_share: float = 0.0) -> dict[str, str]:
    """Draw marks in the boxes of one rendered page (in place) with ``pen``; returns what was
    drawn where. ``pencil_share``: the chance that a box gets a light pencil tick whatever the
    paper's instrument (the corpus before instruments were modelled: a paper mixing ink and
    faint pencil, the case no reader of a 1-bit scan can catch once the pencil has vanished)."""
    import numpy as np

    px = dpi / 25.4
    hand = hand or _Hand.of(pen, rng)
    truth: dict[str, str] = {}
    chances = dict(KIND_WEIGHTS)
    if hand.pen.name.endswith("pencil"):
        chances["none"] -= ERASED_SHARE
        chances["erased"] = ERASED_SHARE
    names = list(chances)
    weights = np.array([chances[k] for k in names])
    for statement in page_geometry["statements"]:
        kind = kinds.get(statement["id"], "none") if kinds is not None else str(rng.choice(names, p=weights))
        if kinds is None and pencil_share and rng.random() < pencil_share:
            kind = "pencil"
        truth[statement["id"]] = kind
        x, y, w, h = (v * px for v in statement["box"])
        if kind != "none":
            _draw_mark(image, kind, x, y, w, h, rng, px, _Hand.of("light pencil", rng) if kind == "pencil" else hand)
        if kinds is None and rng.random() < STRAY_SHARE:
            _draw_stray(image, statement, rng, px, hand)
    return truth


def _ink(image: np.ndarray, strokes: list[tuple[list[tuple[float, float]], float]], hand: _Hand,
         rng: np.random.Generator, px: float, erased: bool = False) -> None:
    """Lay ``strokes`` (each a polyline in pixels and a width in pixels) on ``image`` as the hand's
    instrument leaves them: the paper darkened towards the pen's grey where the stroke covers it,
    by the share that takes the ink, which varies from pixel to pixel with the grain. ``erased``:
    what a rubber leaves of them."""
    import cv2
    import numpy as np

    pen = hand.pen
    grey = float(np.clip(hand.grey + rng.uniform(-GREY_JITTER, GREY_JITTER), 0, 250))
    xs = [p[0] for points, _ in strokes for p in points]
    ys = [p[1] for points, _ in strokes for p in points]
    reach = max(w for _, w in strokes) + 2 + (px if erased else 0)
    height, width = image.shape[:2]
    x0, y0 = max(0, int(min(xs) - reach)), max(0, int(min(ys) - reach))
    x1, y1 = min(width, int(max(xs) + reach) + 1), min(height, int(max(ys) + reach) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    shift = 16  # cv2 sub-pixel coordinates
    for points, stroke in strokes:
        pts = np.array([[int((a - x0) * shift), int((b - y0) * shift)] for a, b in points], np.int32)
        cv2.polylines(mask, [pts], False, 255, max(1, int(round(stroke))), cv2.LINE_AA, 4)
    # The grain: a 300 dpi pixel holds a few of the paper's fibres; a coarser one averages more, so
    # the spread shrinks with the pixel's side.
    spread = pen.grain * min(1.0, px / (300 / 25.4))
    cover = np.clip(rng.normal(pen.cover, spread, mask.shape), 0.0, 1.0).astype(np.float32)
    depth = (1.0 - grey / 255.0) * cover * (mask.astype(np.float32) / 255.0)
    if erased:
        depth = cv2.GaussianBlur(depth, (0, 0), 0.3 * px) * rng.uniform(*ERASED_LEFT)
    window = image[y0:y1, x0:x1].astype(np.float32)
    image[y0:y1, x0:x1] = np.clip(window * (1.0 - depth), 0, 255).astype(np.uint8)


def _draw_mark(image: np.ndarray, kind: str, x: float, y: float, w: float, h: float, rng: np.random.Generator,
               px: float, hand: _Hand) -> None:
    def jitter(value: float, size: float, amount: float = 0.12) -> float:
        return value + rng.uniform(-amount, amount) * size

    def line(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(jitter(a, w), jitter(b, h)) for a, b in points]

    width = rng.uniform(*hand.pen.width_mm) * px
    if kind in ("tick", "pencil", "erased"):
        size = rng.uniform(0.9, 1.5)
        strokes = [(line([(x + 0.15 * w, y + 0.5 * h), (x + 0.42 * w, y + 0.88 * h),
                          (x + (0.45 + 0.75 * size) * w, y - (0.25 * size) * h)]), width)]
    elif kind == "cross":
        over = rng.uniform(-0.05, 0.35)
        strokes = [(line([(x - over * w, y - over * h), (x + (1 + over) * w, y + (1 + over) * h)]), width),
                   (line([(x + (1 + over) * w, y - over * h), (x - over * w, y + (1 + over) * h)]), width)]
    else:  # fill, cancel: a zig-zag scribble filling the box
        cover = rng.uniform(0.75, 1.0)
        x0, y0 = x + (1 - cover) / 2 * w, y + (1 - cover) / 2 * h
        steps = max(4, int(cover * h / max(1.0, width * 0.7)))
        strokes = [([(x0, y0 + cover * h * k / steps),
                     (x0 + cover * w, y0 + cover * h * k / steps + rng.uniform(-0.5, 0.5) * width)], width + 1)
                   for k in range(steps + 1)]
        if kind == "cancel":  # then struck through, well beyond the box
            strokes += [(line([(x - 0.9 * w, y - 0.7 * h), (x + 1.9 * w, y + 1.7 * h)]), width + 1),
                        (line([(x + 1.9 * w, y - 0.7 * h), (x - 0.9 * w, y + 1.7 * h)]), width + 1)]
    _ink(image, strokes, hand, rng, px, erased=kind == "erased")


def _draw_stray(image: np.ndarray, statement: dict[str, Any], rng: np.random.Generator, px: float, hand: _Hand) -> None:
    """A stroke that is not an answer: the statement's text underlined, or a line in the margin."""
    tx, ty, tw, th = (v * px for v in statement["text"])
    bx, by, bw, bh = (v * px for v in statement["box"])
    width = rng.uniform(*hand.pen.width_mm) * px
    if rng.random() < 0.6:
        y = ty + th + rng.uniform(0.3, 1.0) * px
        points = [(tx + 0.3 * tw, y), (tx + rng.uniform(0.6, 1.0) * tw, y)]
    else:
        x = bx - rng.uniform(1.6, 3.0) * px
        points = [(x, by - 2 * px), (x, by + bh + 2 * px)]
    _ink(image, [(points, width)], hand, rng, px)


def degrade(image: np.ndarray, d: Degradation, rng: np.random.Generator) -> np.ndarray:
    """What the scanner makes of the page (grey, or BGR for a colour page): a new array, 0/255
    only when 1-bit."""
    import cv2
    import numpy as np

    px = d.dpi / 25.4
    height, width = image.shape[:2]
    centre = (width / 2, height / 2)
    matrix = cv2.getRotationMatrix2D(centre, d.angle, d.scale)
    matrix[0, 2] += d.shift_mm[0] * px
    matrix[1, 2] += d.shift_mm[1] * px
    out = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    if d.blur > 0.05:
        out = cv2.GaussianBlur(out, (0, 0), d.blur)
    out = out.astype(np.float32) * rng.uniform(0.9, 1.0) + rng.uniform(0, 12)  # paper tint, exposure
    out = np.clip(out + rng.normal(0, d.noise, out.shape).astype(np.float32), 0, 255).astype(np.uint8)
    if d.mode == "bilevel":
        out = np.where(out < d.threshold, 0, 255).astype(np.uint8)
    elif d.mode == "jpeg":
        ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, d.quality])
        decoded = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        assert decoded is not None  # the JPEG just encoded
        out = decoded
    if d.turns:
        out = np.ascontiguousarray(np.rot90(out, d.turns))
    return out


def synthetic_pages(pdf_path: str | Path, serials_pages: list[tuple[str, int]], geometry: dict[str, Any], *,
                    dpi: int, seed: int, mode: str | None = None, kinds: dict[str, str] | None = None,
                    clean: bool = False, pen: str | None = None, pencil_share: float = 0.0,
                    ) -> Iterator[SyntheticPage]:
    """Marked, degraded scans of the first pages of ``pdf_path``, which are ``serials_pages``.

    Each paper (serial) is marked by one respondent with one instrument (``pen``, or one drawn
    from ``PEN_WEIGHTS``) and scanned in one mode (``mode``, or one drawn from MODES: a paper's
    sheets go through the scanner together, with one setting); the rest of the degradation
    varies from page to page."""
    import numpy as np

    rng = np.random.default_rng(seed)
    papers: dict[str, tuple[str, _Hand, str]] = {}
    for image, (serial, page) in zip(render_pages(pdf_path, dpi, len(serials_pages)), serials_pages, strict=True):
        if serial not in papers:
            chosen = pen or random_pen(rng)
            papers[serial] = (chosen, _Hand.of(chosen, rng), mode or str(rng.choice(MODES, p=MODE_WEIGHTS)))
        chosen, hand, paper_mode = papers[serial]
        truth = mark_page(image, geometry["pages"][page - 1], rng, dpi, kinds, hand=hand, pencil_share=pencil_share)
        d = Degradation(dpi, paper_mode) if clean else random_degradation(rng, dpi, paper_mode)
        yield SyntheticPage(degrade(image, d, rng), serial, page, truth, d, chosen, hand.grey)


# --- highlight mode: colour pages ------------------------------------------------------------------

HIGHLIGHTERS = ((60, 235, 250), (120, 250, 140), (200, 150, 250), (250, 210, 120))  # BGR multipliers: yellow, green, pink, blue


def highlight_page(image: np.ndarray, page_geometry: dict[str, Any], rng: np.random.Generator, dpi: int, share: float = 0.35) -> tuple[Any, dict[str, str]]:
    """A colour copy of a grey page with about ``share`` of its statements highlighted (a
    translucent stroke over most of the text, as a highlighter pen leaves it)."""
    import numpy as np

    px = dpi / 25.4
    bgr = np.repeat(image[:, :, None], 3, axis=2).astype(np.float32)
    truth: dict[str, str] = {}
    for statement in page_geometry["statements"]:
        lit = rng.random() < share
        truth[statement["id"]] = "highlight" if lit else "none"
        if not lit:
            continue
        x, y, w, h = (v * px for v in statement["text"])
        colour = np.array(HIGHLIGHTERS[int(rng.integers(len(HIGHLIGHTERS)))], np.float32) / 255
        left = int(x + rng.uniform(0, 0.1) * w)
        right = int(x + rng.uniform(0.55, 1.0) * w)
        top, bottom = int(y + rng.uniform(0, 0.1) * h), int(y + h * rng.uniform(0.85, 1.0))
        bgr[top:bottom, left:right] *= colour  # a highlighter multiplies: dark text stays dark
    return np.clip(bgr, 0, 255).astype(np.uint8), truth
