"""Widgets shared by several screens."""

from __future__ import annotations

from rich.text import Text

from tui.domain.names import printable


def plain(text: str, style: str = "") -> Text:
    """Text a person typed (a wave, school or operator name, instrument text, a message quoting them),
    for a widget that would otherwise read markup: shown exactly, control characters written out."""
    return Text(printable(text, keep_lines=True), style=style)
