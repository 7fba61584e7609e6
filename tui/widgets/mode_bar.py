"""The row of modes under the header: every screen's F-key, the one shown lit.

The footer has no room for the mode keys at 80 columns once a screen lists its own keys, so the
modes get a row of their own, the same on every screen (and clickable, for the odd mouse user).
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

# Each job of the app is a mode, switched with an F-key that works even while an Input has focus.
MODE_KEYS = (
    ("f2", "instrument", "Instrument"),
    ("f3", "entry", "Entry"),
    ("f4", "print", "Print"),
    ("f5", "analysis", "Analysis"),
    ("f6", "builder", "Builder"),
)


class ModeBar(Widget):
    def __init__(self, current: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.current = current

    def render(self) -> Content:
        parts = []
        for key, mode, label in MODE_KEYS:
            style = "$text-accent on $accent 25% bold" if mode == self.current else "$text-muted"
            parts.append(Content.from_markup(f"[{style} @click=app.switch_mode('{mode}')] {key.upper()} {label} [/]"))
        return Content(" ").join(parts)
