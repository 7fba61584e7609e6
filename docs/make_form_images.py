"""The form images in docs/printing.md: a cover, a bank page and a blank form's cover.

    .venv/bin/python docs/make_form_images.py

Prints the bundled survey (HSC A5 finished in the demo's labelled words, as the demo study
does, since real forms are refused while it is incomplete) for wave 2015 with an example
sign-off and return details, then renders the pages with pypdfium2 at 90 dpi in greyscale,
as a photocopy would show them.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.domain.demo import demo_instrument  # noqa: E402
from tui.domain.instrument import bundled_instrument_path, load_instrument  # noqa: E402
from tui.domain.paper import FormCopy, ReturnDetails, write_forms  # noqa: E402
from tui.domain.returns import make_serial  # noqa: E402

IMAGES = ROOT / "docs" / "images"
SIGN_OFF = "A. Researcher\nEdD student, UCL Institute of Education"
RETURNS = ReturnDetails("2015-01-30", "to your headteacher's office, in the sealed envelope provided",
                        "A. Researcher, a.researcher@example.ac.uk, 020 7946 0000")
# (image, which copy: coded or blank for school C, page index)
SHOTS = (("form-cover.png", "coded", 0), ("form-page.png", "coded", 1), ("form-blank-cover.png", "blank", 0))


def render(pdf: Path, index: int, target: Path, dpi: int = 90) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L").save(target, optimize=True)
    finally:
        document.close()


def main() -> int:
    instrument = replace(demo_instrument(load_instrument(bundled_instrument_path())), sign_off=SIGN_OFF)
    with tempfile.TemporaryDirectory() as folder:
        pdfs = {
            "coded": write_forms(instrument, [FormCopy("E5", make_serial(1042), "2015")],
                                 Path(folder) / "coded.pdf", returns=RETURNS).path,
            "blank": write_forms(instrument, [FormCopy(None, make_serial(1043), "2015", school="C")],
                                 Path(folder) / "blank.pdf", returns=RETURNS).path,
        }
        for name, which, index in SHOTS:
            render(pdfs[which], index, IMAGES / name)
            print(f"docs/images/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
