"""A one-line label that repaints cheaply.

Static turns its content into Textual Content and lays it out on every update (about a
millisecond for a line of many styled spans). The entry screen changes several such lines on
every Enter, so these draw the Rich text straight into a strip instead (line API), cut to the
width with an ellipsis.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class TextLine(Widget):
    DEFAULT_CSS = """
    TextLine {
        height: 1;
    }
    """

    def __init__(self, text: Text | str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text(text) if isinstance(text, str) else text
        self._strip: Strip | None = None

    @property
    def text(self) -> Text:
        return self._text

    def update(self, text: Text | str) -> None:
        self._text = Text(text) if isinstance(text, str) else text
        self._strip = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y > 0:
            return Strip.blank(width, base)
        if self._strip is None or self._strip.cell_length != width:
            line = self._text.copy()
            line.no_wrap, line.overflow = True, "ellipsis"
            line.truncate(width, overflow="ellipsis")
            console = self.app.console
            # Text.render leaves out the text's own base style; apply it under the spans.
            own = console.get_style(line.style) if line.style else None
            segments = Segment.apply_style(line.render(console, end=""), base + own if own else base)
            self._strip = Strip(list(segments)).simplify().crop_extend(0, width, base)
        return self._strip

    def on_resize(self) -> None:
        self._strip = None
