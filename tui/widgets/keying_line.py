"""The keying line: every keystroke of a paper form goes through it, in arrival order.

It is a KeyTaker (tui.widgets.ordered_keys): the App hands it each key in the App's own queue and
it gives the key to the entry session at once, before the next key is looked at. The session owns
the line's text and cursor and decides everything (a refused key never reaches the text; Backspace
is applied exactly where it came, not by a binding run later); this widget only draws them. A key
that is not the line's (ctrl+s, F-keys) goes to the screen's bindings in the same step. What
happened is reported to ``on_step`` (set by the screen that owns the line) in the same handler,
so the line and whatever shows the form repaint in one frame; without ``on_step`` a Stepped
message is posted instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.domain.entry import EntrySession, Outcome
from tui.widgets.ordered_keys import KeyTaker

CURSOR = Style(reverse=True)


class KeyingLine(KeyTaker, Widget):
    """The line of an EntrySession (set ``session``; None: the line takes no keys)."""

    class Stepped(Message):
        """A key the session handled (``outcome``), or an accepted character (``outcome`` None)."""

        def __init__(self, outcome: Outcome | None) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session: EntrySession | None = None
        self.on_step: Callable[[Outcome | None], None] | None = None
        self.last_key_at = 0.0  # monotonic; read by the writer thread to write between keystrokes

    @property
    def value(self) -> str:
        """The text on the line (the session's)."""
        return self.session.text if self.session is not None else ""

    @property
    def cursor_position(self) -> int:
        return self.session.cursor if self.session is not None else 0

    def _step(self, outcome: Outcome | None) -> None:
        self.refresh()
        if self.on_step is not None:
            self.on_step(outcome)
        else:
            self.post_message(self.Stepped(outcome))

    def take_key(self, key: str, character: str | None) -> bool:
        self.last_key_at = time.monotonic()
        session = self.session
        if session is None:
            return False
        outcome = session.key(key, character)
        if outcome.default:
            return False  # not the line's key: the screen's bindings, now
        # An edit of the line with nothing else to say: the screen only redraws the marks.
        self._step(None if outcome == Outcome() else outcome)
        return True

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        if y > 0 or width <= 0:
            return Strip.blank(width, base)
        text, at = self.value, self.cursor_position
        start = max(0, at - width + 1)  # keep the cursor in view
        shown, cursor = text[start:start + width], at - start
        segments = [Segment(shown[:cursor], base)]
        if self.has_focus:
            segments += [Segment(shown[cursor:cursor + 1] or " ", base + CURSOR), Segment(shown[cursor + 1:], base)]
        else:
            segments.append(Segment(shown[cursor:], base))
        return Strip(segments).crop_extend(0, width, base)

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()
