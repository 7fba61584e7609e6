"""The one root of every refusal SurveyDesk explains to a person.

A ``SurveyDeskError`` means: the request was refused for a reason the person can act on, and
nothing was written. Its ``str()`` names what is wrong and where. The CLI prints it as one
line and exits 1 (tui/cli.py); screens show it in a notice or a dialog. Anything else that
escapes is a bug and keeps its traceback: never catch a bare ``ValueError`` to mean "refused".
"""

from __future__ import annotations


class SurveyDeskError(Exception):
    """Base of the store, instrument, entry, paper and analysis errors."""
