"""A one-line text field whose keys apply in arrival order (a KeyTaker), for the dialogs.

Textual's Input inserts characters at once but deletes through a binding applied later, so a
burst of ``Backspace Backspace K L Enter`` left an operator field empty. This field edits its
text itself, synchronously, and Enter calls the owner's ``on_submit`` in the same step, so a key
typed after Enter goes wherever the dialog's closing put the focus.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.ordered_keys import KeyTaker

CURSOR = Style(reverse=True)


class TextField(KeyTaker, Widget):
    """One line of text: characters, Backspace, Delete, ←/→, Home/End (ctrl+a/ctrl+e), ctrl+u
    clears; Enter submits (``on_submit``, else a Submitted message)."""

    DEFAULT_CSS = """
    TextField {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $boost;
    }
    TextField:focus {
        background: $accent 25%;
    }
    """

    class Changed(Message):
        def __init__(self, field: TextField, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> TextField:
            return self.field

    class Submitted(Changed):
        pass

    def __init__(self, value: str = "", *, placeholder: str = "", restrict: str | None = None,
                 max_length: int = 0, on_submit: Callable[[str], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._value = value
        self.cursor_position = len(value)
        self.placeholder = placeholder
        self.restrict = restrict  # a regular expression the whole text must match, as Input's
        self.max_length = max_length
        self.on_submit = on_submit

    @property
    def value(self) -> str:
        return self._value

    @value.setter
    def value(self, text: str) -> None:
        self._value = text
        self.cursor_position = len(text)
        self.refresh()

    def _allowed(self, text: str) -> bool:
        if self.max_length and len(text) > self.max_length:
            return False
        return self.restrict is None or re.fullmatch(self.restrict, text) is not None

    def _set(self, text: str, cursor: int) -> None:
        changed = text != self._value
        self._value, self.cursor_position = text, cursor
        self.refresh()
        if changed:
            self.post_message(self.Changed(self, text))

    def take_key(self, key: str, character: str | None) -> bool:
        text, at = self._value, self.cursor_position
        if key == "enter":
            if self.on_submit is not None:
                self.on_submit(text)
            else:
                self.post_message(self.Submitted(self, text))
        elif key == "backspace":
            if at:
                self._set(text[:at - 1] + text[at:], at - 1)
        elif key == "delete":
            self._set(text[:at] + text[at + 1:], at)
        elif key in ("left", "right", "home", "end", "ctrl+a", "ctrl+e"):
            self.cursor_position = {"left": max(at - 1, 0), "right": min(at + 1, len(text)), "home": 0,
                                    "ctrl+a": 0, "end": len(text), "ctrl+e": len(text)}[key]
            self.refresh()
        elif key == "ctrl+u":
            self._set("", 0)
        elif character is not None and character.isprintable() and len(character) == 1:
            new = text[:at] + character + text[at:]
            if self._allowed(new):
                self._set(new, at + 1)
            else:
                self.app.bell()
        else:
            return False
        return True

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y > 0 or width <= 0:
            return Strip.blank(width, base)
        text, at = self._value, self.cursor_position
        focused = self.has_focus
        if not text and self.placeholder and not focused:
            return Strip([Segment(self.placeholder[:width], base + Style(dim=True))]).crop_extend(0, width, base)
        start = max(0, at - width + 1)  # keep the cursor in view
        shown = text[start:start + width]
        cursor = at - start
        segments = [Segment(shown[:cursor], base)]
        if focused:
            segments.append(Segment(shown[cursor:cursor + 1] or " ", base + CURSOR))
            segments.append(Segment(shown[cursor + 1:], base))
        else:
            segments.append(Segment(shown[cursor:], base))
        return Strip(segments).crop_extend(0, width, base)
