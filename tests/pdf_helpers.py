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
