"""A list to choose from whose keys apply in arrival order (a KeyTaker), for the entry dialogs.

Textual's OptionList moves and selects through bindings and reports the choice by a message, both
applied after keys that came later; a clerk's ``Enter 1 3`` in a burst must choose, close the list
and key ``13`` on the form, in that order. ↑/↓, PageUp/PageDown and Home/End move; Enter calls
``on_pick`` with the highlighted option's id, and the ``extra`` key (e.g. Delete) calls
``on_extra``, both in the same step.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.ordered_keys import KeyTaker

HIGHLIGHT = Style(reverse=True)


class PickList(KeyTaker, Widget):
    DEFAULT_CSS = """
    PickList {
        height: auto;
        max-height: 14;
        background: $boost;
    }
    """

    def __init__(self, options: list[tuple[str, Text | str]], *, on_pick: Callable[[str], None],
                 extra: str | None = None, on_extra: Callable[[str], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.options = [(key, Text(label) if isinstance(label, str) else label) for key, label in options]
        self.highlighted = 0
        self.on_pick, self.extra, self.on_extra = on_pick, extra, on_extra
        self._top = 0

    @property
    def highlighted_id(self) -> str | None:
        return self.options[self.highlighted][0] if self.options else None

    def take_key(self, key: str, character: str | None) -> bool:
        n = len(self.options)
        page = max(1, self.size.height - 1)
        moves = {"up": -1, "down": 1, "pageup": -page, "pagedown": page}
        if key in moves:
            if n:
                self.highlighted = max(0, min(n - 1, self.highlighted + moves[key]))
        elif key in ("home", "end"):
            self.highlighted = 0 if key == "home" else max(n - 1, 0)
        elif key == "enter":
            if n:
                self.on_pick(self.options[self.highlighted][0])
            return True
        elif self.extra is not None and key == self.extra and self.on_extra is not None:
            if n:
                self.on_extra(self.options[self.highlighted][0])
            return True
        else:
            return False
        self.refresh()
        return True

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.options))

    def render_line(self, y: int) -> Strip:
        width, height, base = self.size.width, self.size.height, self.rich_style
        # Keep the highlighted option in view.
        if self.highlighted < self._top:
            self._top = self.highlighted
        elif self.highlighted >= self._top + height:
            self._top = self.highlighted - height + 1
        index = self._top + y
        if index >= len(self.options):
            return Strip.blank(width, base)
        label = self.options[index][1].copy()
        label.no_wrap, label.overflow = True, "ellipsis"
        label.truncate(width - 2, overflow="ellipsis")
        on = index == self.highlighted
        marker = "▸ " if on else "  "
        style = base + HIGHLIGHT if on and self.has_focus else base + Style(bold=on)
        segments = [Segment(marker, style), *Segment.apply_style(label.render(self.app.console, end=""), style)]
        return Strip(segments).crop_extend(0, width, style if on else base)
