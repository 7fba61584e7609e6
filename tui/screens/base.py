"""The app as SurveyDesk's screens see it: typed, so that a misspelt ``self.app.study`` or a
missing attribute is a type error (mypy checks the screens), not an AttributeError at a key press."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import SurveyDeskApp


class StudyScreen(Screen[object]):
    """A screen of one mode of the app: it reads the study, the instrument, the operator and the
    working wave from ``self.app`` and calls the domain."""

    if TYPE_CHECKING:  # only the type changes: at run time ``app`` stays Textual's own property
        # Textual declares ``app`` as MessagePump's App[Any]; narrowing it is the point.
        @property
        def app(self) -> SurveyDeskApp: ...  # type: ignore[override]
