"""Form serial numbers with a Damm check digit.

A serial is a study-unique number printed (and barcoded) on every page of an issued form.
Its last digit is a Damm check digit, which catches every single mistyped digit and every
swap of two adjacent digits, so a slip at the keyboard is refused at entry instead of
attaching a return to the wrong form. Digits only: quick on a numeric keypad and compact
in Code128.
"""

from __future__ import annotations

from tui.domain.errors import SurveyDeskError

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

SERIAL_WIDTH = 6  # digits before the check digit
# Serial numbers stay below this, so a serial is never as long as a page code (below).
SERIAL_LIMIT = 10 ** (SERIAL_WIDTH + 2)
PAGE_DIGITS = 2  # pages per form in a page code: 01-99


class SerialError(SurveyDeskError):
    """A serial that is malformed or fails its check digit."""


def damm_step(interim: int, digit: int) -> int:
    """One step of the Damm check: the interim digit after ``digit`` (for checking many at once)."""
    return _DAMM[interim][digit]


def damm_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def make_serial(number: int) -> str:
    """The printed serial for sequence number ``number`` (1 -> '0000013')."""
    if number < 1:
        raise ValueError("serial numbers start at 1")
    if number >= SERIAL_LIMIT:
        raise ValueError(f"serial numbers stop at {SERIAL_LIMIT - 1}")
    body = f"{number:0{SERIAL_WIDTH}d}"
    return body + str(damm_digit(body))


def parse_serial(text: str) -> int:
    """The sequence number behind a keyed or scanned serial, or SerialError saying why."""
    raw = text.strip().replace(" ", "").replace("-", "")
    if not raw:
        raise SerialError("serial is empty")
    if not raw.isdigit() or not raw.isascii():
        raise SerialError(f"serial {text.strip()!r} must be digits only")
    if len(raw) < 2:
        raise SerialError(f"serial {raw} is too short")
    if damm_digit(raw) != 0:
        raise SerialError(f"serial {raw} fails its check digit: a digit is mistyped or two are swapped")
    if _is_page_code(raw):  # a page's barcode, scanned at the keyboard: its serial is what is meant
        raw = raw[:-PAGE_DIGITS - 1]
    number = int(raw[:-1])
    if number < 1:
        raise SerialError(f"serial {raw} is not a serial SurveyDesk issues")
    return number


def normalise_serial(text: str) -> str:
    """Canonical printed form of a keyed serial (validates it)."""
    return make_serial(parse_serial(text))


# --- page codes ---------------------------------------------------------------------------------
# Every printed page carries a barcode of its serial, its page number and one more Damm check
# digit over the whole: ``0010429`` page 2 is ``0010429`` + ``02`` + check. Digits only, so
# Code128 packs it in pairs; both check digits are verified before a scan believes it.


def make_page_code(serial: str, page: int) -> str:
    """The barcode text of page ``page`` (1-based) of the form with ``serial``."""
    if not 1 <= page < 10 ** PAGE_DIGITS:
        raise ValueError(f"page {page} cannot be coded (1-{10 ** PAGE_DIGITS - 1})")
    serial = serial.strip()
    if not (serial.isdigit() and serial.isascii() and len(serial) >= SERIAL_WIDTH + 1 and damm_digit(serial) == 0):
        raise SerialError(f"serial {serial!r} cannot go into a page code")  # the specimen's 0000000 can
    body = serial + f"{page:0{PAGE_DIGITS}d}"
    return body + str(damm_digit(body))


def parse_page_code(text: str) -> tuple[str, int]:
    """(serial, page) from a page barcode's text, or SerialError saying why it is not one."""
    raw = text.strip()
    if not raw.isdigit() or not raw.isascii():
        raise SerialError(f"page code {raw!r} must be digits only")
    if not _is_page_code(raw) or damm_digit(raw) != 0:
        raise SerialError(f"{raw} is not a page code: its check digits fail or its length is wrong")
    page = int(raw[-PAGE_DIGITS - 1:-1])
    if page < 1:
        raise SerialError(f"page code {raw} names page 0")
    return raw[:-PAGE_DIGITS - 1], page


def _is_page_code(raw: str) -> bool:
    """Long enough to be serial + page + check, and the serial part passes its own check."""
    serial = raw[:-PAGE_DIGITS - 1]
    return len(serial) >= SERIAL_WIDTH + 1 and damm_digit(serial) == 0
