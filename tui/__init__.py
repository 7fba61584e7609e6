"""SurveyDesk: run paper-based partnership surveys of groups of schools, end to end.

Kept import-light on purpose: the console command imports Textual, polars and reportlab
only on the paths that need them.
"""

import os

__version__ = "0.1.0"

# Textual paints at most 60 frames a second, and after a frame that ran late it waits one to two
# periods (17-33 ms) for the next: a key's answer, ready in 2 ms, waited up to 33 ms for its frame,
# a third to a half of a key press on the analysis screen (bench/analysis_screen_bench.py). At 240
# frames a second it waits at most about 8 ms. A screen is painted only when something on it
# changed, so the higher rate costs nothing while nothing does. Set before Textual is first
# imported (it reads TEXTUAL_FPS then); a value the person set is kept.
os.environ.setdefault("TEXTUAL_FPS", "240")
