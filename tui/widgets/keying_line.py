"""The keying line: one Input that every keystroke of a paper form goes through.

It asks the entry session about each key *before* the key takes effect, synchronously, so a
refused key never reaches the text and a barcode scanner typing at full speed cannot outrun a
message round trip. The screen is told what happened with a Stepped message.
"""

from __future__ import annotations

import time

from textual import events
from textual.message import Message
from textual.widgets import Input

from tui.domain.entry_session import EntrySession, Outcome


class KeyingLine(Input):
    """An Input driven by an EntrySession (set ``session``; None leaves it a plain Input)."""

    class Stepped(Message):
        """A key the session handled: refused, or moved the form on."""

        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session: EntrySession | None = None
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

    def _feed(self, key: str, character: str | None) -> Outcome | None:
        """Give one key to the session; its outcome when it dealt with the key (the Input must not),
        None when the Input should handle it as usual."""
        session = self.session
        if session is None:
            return None
        printable = character is not None and character.isprintable()
        outcome = session.press(key, character if printable else None, self.value,
                                self._would_be(character) if printable and character else self.value)
        if outcome.default:
            return None
        if outcome.line is not None:
            self.value = outcome.line
            self.cursor_position = len(outcome.line)
        self.post_message(self.Stepped(outcome))
        return outcome

    async def _on_key(self, event: events.Key) -> None:
        self.last_key_at = time.monotonic()
        if self._feed(event.key, event.character) is not None:
            event.stop()
            event.prevent_default()
        # Otherwise Input._on_key inserts a printable character, and bindings see the rest.

    def _on_paste(self, event: events.Paste) -> None:
        # Pasted text is keyed character by character, with the same checks.
        event.stop()
        event.prevent_default()
        for character in (event.text.splitlines() or [""])[0]:
            outcome = self._feed(character, character)
            if outcome is None:
                self.insert_text_at_cursor(character)
            elif outcome.refused:
                break
