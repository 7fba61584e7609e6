"""How many examples a property test draws, in the normal run and in the long fuzz run.

The normal run (the README's test command, CI) loads the Hypothesis profile ``seeded``
(tests/conftest.py): derandomised, so the same examples every run and on every machine. The long
run draws new random examples every time, ``SURVEYDESK_FUZZ`` times as many::

    SURVEYDESK_FUZZ=20 .venv/bin/python -m pytest -k fuzz --hypothesis-show-statistics

A failure it finds prints a reproduce blob; add the case as an explicit ``@example`` so the
normal run keeps it.
"""

from __future__ import annotations

import os

SCALE = int(os.environ.get("SURVEYDESK_FUZZ", "0") or 0)
LONG_RUN = SCALE > 0
PROFILE = "fuzz" if LONG_RUN else "seeded"


def examples(normal: int) -> int:
    """``normal`` examples in the normal run; ``SURVEYDESK_FUZZ`` times as many in the long run."""
    return normal * SCALE if LONG_RUN else normal
