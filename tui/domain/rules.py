"""Rules of the study stated once: how figures are rounded and shown.

Imported by every layer (store, analysis, screens, CLI), so it imports nothing of SurveyDesk.
"""

from __future__ import annotations

import math


def whole(value: float) -> int:
    """Rounded half up, as researchers round by hand (62.5 -> 63), not half to even (-> 62)."""
    return math.floor(value + 0.5)


def percent_text(part: int, whole_: int) -> str:
    """"46%" for 31 of 68; 1 of 8 -> "13%" (half up, like every table)."""
    return f"{whole(100 * part / whole_)}%"
