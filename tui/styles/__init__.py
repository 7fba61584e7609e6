"""The app's styles, one .tcss file per screen (and one for the dialogs).

Each screen reads its own file into ``CSS`` (``stylesheet("printing.tcss")``); Textual scopes a
screen's CSS to that screen, so a rule for one screen never reaches another or a dialog.
app.tcss holds only what every screen shares (the mode bar).
"""

from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).parent


def stylesheet(name: str) -> str:
    return (STYLES / name).read_text(encoding="utf-8")
