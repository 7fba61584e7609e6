"""Scanned pages from the files an office scanner writes: PDF, multi-page TIFF, PNG, JPEG.

Every page of every file comes out as one ScanPage (file, 1-based page number, pixels) or as
one unreadable page saying why: pages are never skipped, so pages in = pages read + pages
listed. numpy, Pillow and pypdfium2 are imported inside functions (the `scan` extra).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.domain.errors import SurveyDeskError

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image as PILImage
    from pypdfium2 import PdfPage

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg"}
DEFAULT_PDF_DPI = 200.0  # a PDF page with no image in it (a born-digital form) is rendered at this
MAX_PDF_DPI = 400.0


class ScanInputError(SurveyDeskError):
    """A file that cannot be read as scans; the message names it."""


@dataclass
class ScanPage:
    """One scanned page. ``image`` is greyscale (H x W uint8) or, for a colour scan, BGR (H x W x 3)."""

    file: str
    number: int  # 1-based within its file
    image: Any = None
    colour: str = "grey"  # colour | grey | bilevel
    problem: str | None = None  # why the page could not be read at all

    @property
    def where(self) -> str:
        return f"{self.file} page {self.number}"


def check_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files to read, or ScanInputError naming the first that cannot be one."""
    files = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise ScanInputError(f"{path}: no such file")
        if path.suffix.lower() not in PDF_SUFFIXES | IMAGE_SUFFIXES:
            raise ScanInputError(f"{path}: not a scan this reads (PDF, TIFF, PNG or JPEG)")
        files.append(path)
    return files


def count_pages(path: Path) -> int:
    """Pages in a file (for the progress bar); 1 for a file that cannot be opened (it is listed)."""
    try:
        if path.suffix.lower() in PDF_SUFFIXES:
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(str(path))
            try:
                return len(document)
            finally:
                document.close()
        from PIL import Image

        with Image.open(path) as image:
            return max(1, getattr(image, "n_frames", 1))
    except Exception:
        return 1


def read_pages(path: Path) -> Iterator[ScanPage]:
    """Every page of ``path``, in order."""
    try:
        if path.suffix.lower() in PDF_SUFFIXES:
            yield from _pdf_pages(path)
        else:
            yield from _image_pages(path)
    except _Unreadable as exc:
        yield ScanPage(str(path), exc.page, problem=exc.reason)


class _Unreadable(Exception):
    def __init__(self, page: int, reason: str):
        self.page, self.reason = page, reason


def _pdf_pages(path: Path) -> Iterator[ScanPage]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except Exception as exc:
        raise _Unreadable(1, f"not a readable PDF ({exc})") from None
    try:
        for index in range(len(document)):
            try:
                page = document[index]
                dpi, colour = _pdf_page_scan(page)
                bitmap = page.render(scale=dpi / 72, grayscale=colour != "colour")
                pixels = _array(bitmap.to_pil())
                yield ScanPage(str(path), index + 1, pixels, "bilevel" if colour == "bilevel" else _colour("", pixels))
            except Exception as exc:  # one bad page never hides the others
                yield ScanPage(str(path), index + 1, problem=f"cannot render the page ({exc})")
    finally:
        document.close()


def _pdf_page_scan(page: PdfPage) -> tuple[float, str]:
    """The resolution and colour of the scan inside a PDF page (an MFP writes one image per page)."""
    import pypdfium2.raw as raw

    width_in = page.get_width() / 72
    best = None
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]):
        meta = obj.get_metadata()
        if best is None or meta.width > best.width:
            best = meta
    if best is None or not best.width:
        return DEFAULT_PDF_DPI, "grey"
    dpi = min(MAX_PDF_DPI, max(72.0, best.width / width_in))
    colour = "bilevel" if best.bits_per_pixel == 1 else "colour" if best.colorspace in (
        raw.FPDF_COLORSPACE_DEVICERGB, raw.FPDF_COLORSPACE_ICCBASED, raw.FPDF_COLORSPACE_CALRGB) and \
        best.bits_per_pixel >= 24 else "grey"
    return dpi, colour


def _image_pages(path: Path) -> Iterator[ScanPage]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise _Unreadable(1, f"not a readable image ({exc.__class__.__name__})") from None
    with image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            try:
                pixels = _array(frame)
                yield ScanPage(str(path), index + 1, pixels, _colour(frame.mode, pixels))
            except Exception as exc:
                yield ScanPage(str(path), index + 1, problem=f"cannot decode the page ({exc})")


def _colour(mode: str, pixels: np.ndarray) -> str:
    """colour, grey, or bilevel (a 1-bit scan, even one saved as greyscale)."""
    import numpy as np

    if pixels.ndim == 3:
        return "colour"
    if mode == "1":
        return "bilevel"
    sample = pixels[::4, ::4]
    return "bilevel" if np.count_nonzero((sample > 0) & (sample < 255)) < sample.size * 0.001 else "grey"


def _array(image: PILImage) -> Any:
    """Greyscale uint8, or BGR uint8 for a colour image whose channels really differ."""
    import numpy as np

    if image.mode in ("1", "L", "I;16", "I", "F"):
        return np.asarray(image.convert("L"))
    rgb = np.asarray(image.convert("RGB"))
    if _really_colour(rgb):
        return np.ascontiguousarray(rgb[:, :, ::-1])
    return np.asarray(image.convert("L"))


def _really_colour(rgb: np.ndarray) -> bool:
    """An MFP often saves a grey scan as RGB: colour only if the channels differ somewhere."""
    sample = rgb[::8, ::8].astype("int16")
    spread = sample.max(axis=2) - sample.min(axis=2)
    return bool((spread > 24).mean() > 0.0005)
