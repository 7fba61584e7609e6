"""The keying line: one Input that every keystroke of a paper form goes through.

It asks the entry session about each key *before* the key takes effect, synchronously, so a
refused key never reaches the text and a barcode scanner typing at full speed cannot outrun a
message round trip. What happened is reported to ``on_step`` (set by the screen that owns the
line) in the same handler, so the line and whatever shows the form repaint in one frame; without
``on_step`` a Stepped message is posted instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.message import Message
from textual.widgets import Input

from tui.domain.entry import EntrySession, Outcome


class KeyingLine(Input):
    """An Input driven by an EntrySession (set ``session``; None leaves it a plain Input)."""

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

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # Input asks for a layout pass of the whole screen on every character (its virtual width
        # follows the text). The keying line is sized by the stylesheet and never scrolls, so a
        # repaint is enough; a layout per keystroke would double the time a key takes.
        return super().refresh(*regions, repaint=repaint, layout=False, recompose=recompose)

    def _would_be(self, character: str) -> str:
        value, selection = self.value, self.selection
        if selection.is_empty:
            at = self.cursor_position
            return value[:at] + character + value[at:]
        start, end = sorted((selection.start, selection.end))
        return value[:start] + character + value[end:]

    def _step(self, outcome: Outcome | None) -> None:
        if self.on_step is not None:
            self.on_step(outcome)
        else:
            self.post_message(self.Stepped(outcome))

    def _feed(self, key: str, character: str | None) -> Outcome | None:
        """Give one key to the session and carry out what it says. Returns the outcome, or None
        when the key is the Input's own business (cursor keys, Backspace within the text)."""
        session = self.session
        if session is None:
            return None
        printable = character if character is not None and character.isprintable() else None
        outcome = session.press(key, printable, self.value, self._would_be(printable) if printable else self.value)
        if outcome.default and printable is None:
            return None
        with self.prevent(Input.Changed):  # the owner hears of it through on_step, at once
            if outcome.default:
                selection = self.selection
                if selection.is_empty:
                    self.insert_text_at_cursor(printable or "")
                else:
                    self.replace(printable or "", *selection)
            elif outcome.line is not None:
                self.value = outcome.line
                self.cursor_position = len(outcome.line)
        self._step(None if outcome.default else outcome)
        return outcome

    async def _on_key(self, event: events.Key) -> None:
        self.last_key_at = time.monotonic()
        if self._feed(event.key, event.character) is not None:
            event.stop()
            event.prevent_default()
        # Otherwise Input handles it (Backspace, cursor keys) and bindings see the rest.

    def _on_paste(self, event: events.Paste) -> None:
        # Pasted text is keyed character by character, with the same checks.
        event.stop()
        event.prevent_default()
        for character in (event.text.splitlines() or [""])[0]:
            outcome = self._feed(character, character)
            if outcome is not None and outcome.refused:
                break
