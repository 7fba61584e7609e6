"""Reading generated PDFs back the way a person or a scanner would."""

from __future__ import annotations

import re
from pathlib import Path


def squash(text: str) -> str:
    """Text without any whitespace: line wrapping and extraction spacing cannot matter."""
    return re.sub(r"\s+", "", text)


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def everything_in(path: Path) -> str:
    """Every string, name and decoded stream reachable in the file, metadata included.

    For proving that something never appears: not only in the visible text, but in hidden
    text, XObject names, annotations or the document information.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    reader = PdfReader(path)
    seen: set[tuple[int, int]] = set()
    found: list[str] = []

    def visit(obj) -> None:
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                return
            seen.add(key)
            visit(obj.get_object())
            return
        if isinstance(obj, StreamObject):
            found.append(obj.get_data().decode("latin-1"))
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                found.append(str(key))
                visit(value)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                visit(value)
        else:
            found.append(str(obj))

    visit(reader.trailer)
    return "\n".join(found)


def render_page(path: Path, index: int, scale: float = 3.0):
    """Page ``index`` (0-based) as a PIL image, as a scanner would see it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return document[index].render(scale=scale).to_pil().convert("L")
    finally:
        document.close()


def read_barcodes(image) -> list[tuple[str, str]]:
    import zxingcpp

    return [(result.text, result.format.name) for result in zxingcpp.read_barcodes(image)]


def word_boxes(path: Path | bytes) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Per page, every word drawn (a run of non-space characters on one baseline) with its box
    (left, bottom, right, top) in points, from pdfium's character boxes."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path if isinstance(path, bytes) else str(path))
    pages = []
    try:
        for page in document:
            text = page.get_textpage()
            words: list[tuple[str, tuple[float, float, float, float]]] = []
            current, box = "", None
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                left, bottom, right, top = text.get_charbox(i, loose=False)
                # Same word: the next character along the same line (their heights overlap), no gap.
                starts_new = box is not None and (min(top, box[3]) - max(bottom, box[1]) <= 0
                                                  or left > box[2] + 1.5 or left < box[2] - 3.0)
                if char.isspace() or not char or starts_new:
                    if current:
                        words.append((current, box))
                    current, box = "", None
                    if char.isspace() or not char:
                        continue
                current += char
                box = (left, bottom, right, top) if box is None else (
                    min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top))
            if current:
                words.append((current, box))
            pages.append(words)
    finally:
        document.close()
    return pages


def overlapping_words(path: Path | bytes, tolerance: float = 0.3) -> list[tuple[int, str, str]]:
    """(page, word, word) for every two words whose boxes overlap by more than ``tolerance`` points
    each way: text drawn over text, as in a header cell running into the next."""
    found = []
    for number, words in enumerate(word_boxes(path), start=1):
        ordered = sorted(words, key=lambda w: w[1][0])
        for i, (word, (l1, b1, r1, t1)) in enumerate(ordered):
            for other, (l2, b2, r2, t2) in ordered[i + 1:]:
                if l2 >= r1 - tolerance:
                    break
                if min(r1, r2) - max(l1, l2) > tolerance and min(t1, t2) - max(b1, b2) > tolerance:
                    found.append((number, word, other))
    return found


def office_scan(path: Path, index: int, *, dpi: int, black_and_white: bool = False, angle: float = 0.0,
                seed: int = 0, blur: float = 0.7, noise: float = 12.0, jpeg_quality: int = 60):
    """Page ``index`` as an office scanner returns it: rendered at ``dpi`` in greyscale, softened
    by the scanner's optics (Gaussian blur, in pixels), fed in askew by ``angle`` degrees, with
    sensor noise (standard deviation in grey levels, seeded), optionally cut to black and white
    at mid-grey, then saved as a JPEG of ``jpeg_quality``. A PIL greyscale image."""
    import io

    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    document = pdfium.PdfDocument(str(path))
    try:
        image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.filter(ImageFilter.GaussianBlur(blur))
    image = image.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=255)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + np.random.default_rng(seed).normal(0.0, noise, pixels.shape)
    if black_and_white:
        pixels = np.where(pixels < 128, 0.0, 255.0)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=jpeg_quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def corner_barcodes(image) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a reader finds in the bottom-left and in the bottom-right quarter of a page image."""
    width, height = image.size
    return (read_barcodes(image.crop((0, height // 2, width // 2, height))),
            read_barcodes(image.crop((width // 2, height // 2, width, height))))
