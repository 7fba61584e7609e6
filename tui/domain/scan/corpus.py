"""A synthetic scan corpus: real printed forms, marked and degraded as a respondent and an office
scanner would, with the truth kept beside each page. For the tests, the bench and the docs;
seeded, so the same seed gives the same pixels.

Marks: ticks, crosses, filled boxes, faint pencil ticks, a filled box struck through (a
"cancelled" answer), and stray strokes that miss the box (underlining, a margin line).
Degradation: scaled 95-100 %, turned up to 3 degrees and shifted, blurred, noisy, then saved as
JPEG, kept grey, or thresholded to 1 bit; some pages fed upside down or sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

KINDS = ("none", "tick", "cross", "fill", "pencil", "cancel")
# How often each kind is drawn in a box (the rest stay empty): about a third of statements marked.
KIND_WEIGHTS = {"none": 0.62, "tick": 0.14, "cross": 0.08, "fill": 0.05, "pencil": 0.10, "cancel": 0.01}
STRAY_SHARE = 0.06  # statements that also get a stray stroke near (not in) their box
MODES = ("grey", "jpeg", "bilevel")


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
    threshold: int = 140  # 1-bit
    turns: int = 0  # quarter turns counter-clockwise (a page fed the wrong way round)


@dataclass
class SyntheticPage:
    image: Any  # grey uint8
    serial: str
    page: int
    truth: dict[str, str] = field(default_factory=dict)  # statement id -> kind drawn
    degradation: Degradation | None = None

    def marked(self, statement_id: str) -> bool | None:
        """What the respondent meant: True/False, or None for a cancelled box (the clerk decides)."""
        kind = self.truth.get(statement_id, "none")
        return None if kind == "cancel" else kind != "none"


def random_degradation(rng: np.random.Generator, dpi: int, mode: str | None = None) -> Degradation:
    mode = mode or str(rng.choice(MODES, p=[0.2, 0.5, 0.3]))
    turns = int(rng.choice([0, 2, 1, 3], p=[0.8, 0.1, 0.05, 0.05]))
    return Degradation(
        dpi=dpi, mode=mode, scale=float(rng.uniform(0.95, 1.0)), angle=float(rng.uniform(-3, 3)),
        shift_mm=(float(rng.uniform(-3, 3)), float(rng.uniform(-3, 3))), blur=float(rng.uniform(0, 1.0)),
        noise=float(rng.uniform(2, 8)), quality=int(rng.integers(55, 91)), threshold=int(rng.integers(120, 161)),
        turns=turns)


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


def mark_page(image: np.ndarray, page_geometry: dict[str, Any], rng: np.random.Generator, dpi: int, kinds: dict[str, str] | None = None) -> dict[str, str]:
    """Draw marks in the boxes of one rendered page (in place); returns what was drawn where."""
    import numpy as np

    px = dpi / 25.4
    truth: dict[str, str] = {}
    names = list(KIND_WEIGHTS)
    weights = np.array([KIND_WEIGHTS[k] for k in names])
    for statement in page_geometry["statements"]:
        kind = kinds.get(statement["id"], "none") if kinds is not None else str(rng.choice(names, p=weights))
        truth[statement["id"]] = kind
        x, y, w, h = (v * px for v in statement["box"])
        if kind != "none":
            _draw_mark(image, kind, x, y, w, h, rng, px)
        if kinds is None and rng.random() < STRAY_SHARE:
            _draw_stray(image, statement, rng, px)
    return truth


def _stroke(rng: np.random.Generator, px: float, pencil: bool) -> tuple[int, int]:
    if pencil:
        return int(rng.integers(110, 171)), max(1, int(round(rng.uniform(0.3, 0.5) * px)))
    return int(rng.integers(15, 111)), max(1, int(round(rng.uniform(0.35, 0.65) * px)))


def _draw_mark(image: np.ndarray, kind: str, x: float, y: float, w: float, h: float, rng: np.random.Generator,
               px: float) -> None:
    import cv2
    import numpy as np

    def jitter(value: float, size: float, amount: float = 0.12) -> float:
        return value + rng.uniform(-amount, amount) * size

    shift = 16  # cv2 sub-pixel coordinates

    def line(points: list[tuple[float, float]], grey: int, width: int) -> None:
        pts = np.array([[int(jitter(a, w) * shift), int(jitter(b, h) * shift)] for a, b in points], np.int32)
        cv2.polylines(image, [pts], False, int(grey), int(width), cv2.LINE_AA, 4)

    if kind in ("tick", "pencil"):
        grey, width = _stroke(rng, px, kind == "pencil")
        size = rng.uniform(0.9, 1.5)
        line([(x + 0.15 * w, y + 0.5 * h), (x + 0.42 * w, y + 0.88 * h),
              (x + (0.45 + 0.75 * size) * w, y - (0.25 * size) * h)], grey, width)
    elif kind == "cross":
        grey, width = _stroke(rng, px, False)
        over = rng.uniform(-0.05, 0.35)
        line([(x - over * w, y - over * h), (x + (1 + over) * w, y + (1 + over) * h)], grey, width)
        line([(x + (1 + over) * w, y - over * h), (x - over * w, y + (1 + over) * h)], grey, width)
    elif kind in ("fill", "cancel"):
        grey, width = _stroke(rng, px, False)
        cover = rng.uniform(0.75, 1.0)
        x0, y0 = x + (1 - cover) / 2 * w, y + (1 - cover) / 2 * h
        steps = max(4, int(cover * h / max(1.0, width * 0.7)))
        for k in range(steps + 1):  # a zig-zag scribble filling the box
            yy = y0 + cover * h * k / steps
            cv2.line(image, (int(x0), int(yy)), (int(x0 + cover * w), int(yy + rng.uniform(-0.5, 0.5) * width)),
                     int(grey), int(width) + 1, cv2.LINE_AA)
        if kind == "cancel":  # then struck through, well beyond the box
            line([(x - 0.9 * w, y - 0.7 * h), (x + 1.9 * w, y + 1.7 * h)], grey, width + 1)
            line([(x + 1.9 * w, y - 0.7 * h), (x - 0.9 * w, y + 1.7 * h)], grey, width + 1)


def _draw_stray(image: np.ndarray, statement: dict[str, Any], rng: np.random.Generator, px: float) -> None:
    """A stroke that is not an answer: the statement's text underlined, or a line in the margin."""
    import cv2

    tx, ty, tw, th = (v * px for v in statement["text"])
    bx, by, bw, bh = (v * px for v in statement["box"])
    grey, width = _stroke(rng, px, rng.random() < 0.3)
    if rng.random() < 0.6:
        y = ty + th + rng.uniform(0.3, 1.0) * px
        cv2.line(image, (int(tx + 0.3 * tw), int(y)), (int(tx + rng.uniform(0.6, 1.0) * tw), int(y)),
                 grey, width, cv2.LINE_AA)
    else:
        x = bx - rng.uniform(1.6, 3.0) * px
        cv2.line(image, (int(x), int(by - 2 * px)), (int(x), int(by + bh + 2 * px)), grey, width, cv2.LINE_AA)


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


def synthetic_pages(pdf_path: str | Path, serials_pages: list[tuple[str, int]], geometry: dict[str, Any], *, dpi: int,
                    seed: int, mode: str | None = None, kinds: dict[str, str] | None = None,
                    clean: bool = False) -> Iterator[SyntheticPage]:
    """Marked, degraded scans of the first pages of ``pdf_path``, which are ``serials_pages``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for image, (serial, page) in zip(render_pages(pdf_path, dpi, len(serials_pages)), serials_pages, strict=True):
        truth = mark_page(image, geometry["pages"][page - 1], rng, dpi, kinds)
        d = Degradation(dpi, mode or "grey") if clean else random_degradation(rng, dpi, mode)
        yield SyntheticPage(degrade(image, d, rng), serial, page, truth, d)



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
