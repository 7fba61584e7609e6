"""Reading scanned returns: page identity, registration, tick boxes; the clerk's review.

Above paper and store; no Textual. numpy, OpenCV, pypdfium2, zxing-cpp and Pillow (the
``scan`` extra) are imported when a scan is read, never when this package is imported.
"""

from __future__ import annotations

from .batch import (
    HIGHLIGHT,
    SCAN_OPERATOR,
    TICK,
    Paper,
    ScanModeError,
    ScanRun,
    Uncertain,
    draft_state,
    record_run,
    scan_files,
)
from .images import ScanInputError, ScanPage, check_files, read_pages
from .reader import ACCEPT, CANCELLED, EMPTY, MARKED, MarkReading, PageReading, read_page

__all__ = ["ACCEPT", "CANCELLED", "EMPTY", "HIGHLIGHT", "MARKED", "MarkReading", "PageReading", "Paper", "SCAN_OPERATOR",
           "ScanInputError", "ScanModeError", "ScanPage", "ScanRun", "TICK", "Uncertain", "check_files", "draft_state",
           "read_page", "read_pages", "record_run", "scan_files"]
