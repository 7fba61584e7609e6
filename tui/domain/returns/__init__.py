"""The shapes of a return that everything above the instrument shares: answers per bank,
issued-form serials with their check digit, and the wide/long polars frames of returns.
"""

from __future__ import annotations

from .answers import HIGHLIGHTED, NOT_HIGHLIGHTED, PAGE_MISSING, Answers, BankAnswer, DiscrepancyKind, summary
from .frames import WIDE_BASE_COLUMNS, empty_wide, long_from_wide, statement_frame, wide_schema
from .serials import (
    SERIAL_WIDTH,
    SerialError,
    damm_digit,
    damm_step,
    make_page_code,
    make_serial,
    normalise_serial,
    parse_page_code,
    parse_serial,
)

__all__ = ["Answers", "BankAnswer", "DiscrepancyKind", "HIGHLIGHTED", "NOT_HIGHLIGHTED", "PAGE_MISSING", "SERIAL_WIDTH", "SerialError", "WIDE_BASE_COLUMNS", "damm_digit", "damm_step", "empty_wide", "long_from_wide", "make_page_code", "make_serial", "normalise_serial", "parse_page_code", "parse_serial", "statement_frame", "summary", "wide_schema"]
