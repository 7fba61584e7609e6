"""SurveyDesk: run paper-based partnership surveys of groups of schools, end to end.

Kept import-light on purpose: the console command imports Textual, polars and reportlab
only on the paths that need them.
"""

__version__ = "0.1.0"
