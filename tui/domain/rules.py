"""Rules of the study stated once: how figures are rounded and shown.

Imported by every layer (store, analysis, screens, CLI), so it imports nothing of SurveyDesk.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

# Second keying's accepted ceiling: more keying errors than this per 10,000 compared statements
# flags an operator (entry's progress panel and `surveydesk status`).
ERROR_CEILING_PER_10000 = 50


def utc_now() -> str:
    """Every timestamp the study writes: UTC, milliseconds, 'Z' (sorts as text, reads the same everywhere)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def whole(value: float) -> int:
    """Rounded half up, as researchers round by hand (62.5 -> 63), not half to even (-> 62)."""
    return math.floor(value + 0.5)


def percent_text(part: int, whole_: int) -> str:
    """"46%" for 31 of 68; 1 of 8 -> "13%" (half up, like every table)."""
    return f"{whole(100 * part / whole_)}%"
