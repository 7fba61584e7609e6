"""The current section's statements in full, the typed ones marked, redrawn on every keystroke.

Built on Textual's line API for speed: each statement is wrapped under itself once per section
and width and kept as strips in two looks (typed or not); a keystroke repaints only the lines of
the statement whose mark changed. The widget is sized by the stylesheet, so no keystroke costs a
layout pass. When a section does not fit (a small terminal, a long section), each statement is
cut to one line rather than scrolled out of sight.
"""

from __future__ import annotations

from textwrap import wrap

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from tui.domain.entry import Slot

INDENT = 5  # "12 ■ "
NUMBER, MARK_ON, MARK_OFF, TEXT_ON = (Style(bold=True), Style(bold=True, color="green"), Style(dim=True),
                                      Style(bold=True))


class StatementsView(Widget):
    DEFAULT_CSS = """
    StatementsView {
        height: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._slot: Slot | None = None
        self._typed: frozenset[int] = frozenset()
        self._other: RenderableType | None = None
        self._lines: list[Strip] | None = None  # what render_line hands out, built once per change
        # (slot index, width, height) -> per statement: first line y and its lines' text
        self._layouts: dict[tuple[int, int, int], list[tuple[int, list[str]]]] = {}
        self._strips: dict[tuple[int, int, int, int, bool], list[Strip]] = {}

    # --- what to show

    def show_section(self, slot: Slot, typed: set[int] | frozenset[int]) -> None:
        typed = frozenset(typed)
        if slot is self._slot and self._other is None:
            changed = typed ^ self._typed
            self._typed = typed
            if changed and self._lines is not None:
                layout = self._layout(slot)
                for ref in slot.refs:
                    if ref.position in changed:
                        top, lines = layout[ref.position - 1]
                        on = ref.position in typed
                        self._lines[top:top + len(lines)] = self._statement_strips(slot, ref.position, lines, on)
                        self.refresh(Region(0, top, self.size.width, len(lines)))
            return
        self._slot, self._typed, self._other = slot, typed, None
        self._replace()

    def show(self, renderable: RenderableType) -> None:
        """Something other than a section: help, the summary, a missing page."""
        self._slot, self._other = None, renderable
        self._replace()

    def _replace(self) -> None:
        """New content: repaint only the rows the old or the new content covers (the blank rows
        below both stay as they are; each repainted row costs time on every Enter)."""
        before = len(self._lines) if self._lines is not None else None
        width, height = self.size
        if before is None or not width:
            self._lines = None
            self.refresh()
            return
        self._lines = self._build()
        self.refresh(Region(0, 0, width, min(height, max(before, len(self._lines), 1))))

    # --- drawing

    def _layout(self, slot: Slot) -> list[tuple[int, list[str]]]:
        width, height = self.size
        key = (slot.index, width, height)
        if key not in self._layouts:
            room = max(10, width - INDENT)
            wrapped = [wrap(ref.statement.text + ("  (negative)" if ref.statement.negative else ""), room) or [""]
                       for ref in slot.refs]
            if sum(len(lines) for lines in wrapped) > height:
                wrapped = [[lines[0][: room - 2] + " …"] if len(lines) > 1 else lines for lines in wrapped]
            layout, y = [], 0
            for lines in wrapped:
                layout.append((y, lines))
                y += len(lines)
            self._layouts[key] = layout
        return self._layouts[key]

    def _statement_strips(self, slot: Slot, position: int, lines: list[str], on: bool) -> list[Strip]:
        width = self.size.width
        key = (slot.index, width, self.size.height, position, on)
        if key not in self._strips:
            base = self._base
            strips = []
            for number, line in enumerate(lines):
                if number == 0:
                    head = [Segment(f"{position:>2} ", base + NUMBER),
                            Segment("■ " if on else "· ", base + (MARK_ON if on else MARK_OFF))]
                else:
                    head = [Segment(" " * INDENT, base)]
                strips.append(Strip([*head, Segment(line, base + TEXT_ON if on else base)])
                              .crop_extend(0, width, base))
            self._strips[key] = strips
        return self._strips[key]

    def _build(self) -> list[Strip]:
        width = self.size.width
        self._base = self.rich_style
        if self._slot is None:
            console = self.app.console
            return [Strip(line, width) for line in console.render_lines(
                self._other or "", console.options.update_width(width), style=self._base, pad=True)]
        slot = self._slot
        lines: list[Strip] = []
        for ref, (_, wrapped) in zip(slot.refs, self._layout(slot), strict=True):
            lines += self._statement_strips(slot, ref.position, wrapped, ref.position in self._typed)
        return lines

    def render_line(self, y: int) -> Strip:
        if self._lines is None:
            self._lines = self._build()
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width, self._base)

    def on_resize(self) -> None:
        self._lines = None
        self._strips.clear()

    def notify_style_update(self) -> None:
        # A theme change: strips carry colours, so build them again.
        super().notify_style_update()
        self._lines = None
        self._strips.clear()
