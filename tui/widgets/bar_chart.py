"""The analysis screen's chart: textchart's block bars sized to the widget, a focus cursor moving
along the statements, and the focused statement's text and figures beneath.

When the bars cannot fit (many groups), the chart pans to keep the focused statement in view
instead of wrapping. Chart data arrives as an attribute; a moved focus is posted as a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.analysis import ChartData

# Title, axis and label rows around the bars.
FRAME_ROWS = 3
MIN_BAR_ROWS = 3
AXIS_COLUMNS = 4


class BarChart(Widget, can_focus=True):
    BINDINGS = [
        Binding("left", "step(-1)", "Statement", key_display="← →"),
        Binding("right", "step(1)", "Next statement", show=False),
        Binding("home", "go(0)", "First statement", show=False),
        Binding("end", "go(-1)", "Last statement", show=False),
    ]

    focus_index: reactive[int] = reactive(0)
    placeholder: reactive[str] = reactive("")

    class StatementFocused(Message):
        """The person moved the chart's cursor to another statement."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None, title_from_rows: int = 0) -> None:
        super().__init__(id=id)
        self.chart: ChartData | None = None
        # Lower than this the title line goes to the bars (for a screen that says what is charted).
        self.title_from_rows = title_from_rows

    def show(self, chart: ChartData | None, focus: int = 0) -> None:
        self.chart = chart
        count = len(chart.labels) if chart else 0
        self.focus_index = min(max(focus, 0), max(count - 1, 0))
        self.refresh()

    def action_step(self, delta: int) -> None:
        self._move(self.focus_index + delta)

    def action_go(self, index: int) -> None:
        self._move(index if index >= 0 else (len(self.chart.labels) - 1 if self.chart else 0))

    def _move(self, index: int) -> None:
        if self.chart is None or not self.chart.labels:
            return
        index = min(max(index, 0), len(self.chart.labels) - 1)
        if index != self.focus_index:
            self.focus_index = index
            self.post_message(self.StatementFocused(index))

    def render(self) -> RenderableType:
        if self.chart is None:
            return Text(self.placeholder, style="dim")
        from tui.domain.analysis import describe, legend_lines, render_bar_chart

        chart, focus = self.chart, self.focus_index
        width, height = max(self.content_size.width, AXIS_COLUMNS + 4), self.content_size.height
        console = self.app.console
        caption = describe(chart, focus, width)
        legend = legend_lines(chart, width)
        below = len(legend) + len(caption.wrap(console, width))
        titled = height >= self.title_from_rows
        rows = max(height - FRAME_ROWS - below + (0 if titled else 1), MIN_BAR_ROWS)
        lines = render_bar_chart(chart, width=width, height=rows, focus=focus)[: -len(legend)]
        title, body = lines[0], _pan(lines[1:], width)
        title.no_wrap, title.overflow = True, "ellipsis"
        return Group(*([title] if titled else []), *body, *legend, caption)


def _pan(lines: list[Text], width: int) -> list[Text]:
    """Bars, axis and labels cut to ``width`` around the focused label (the reversed one), with the
    % axis kept; lines that fit are returned as they are."""
    widest = max(line.cell_len for line in lines)
    if widest <= width:
        return lines
    labels = lines[-1]
    spans = [s for s in labels.spans if "reverse" in str(s.style)]
    centre = (spans[0].start + spans[0].end) // 2 if spans else AXIS_COLUMNS
    view = width - AXIS_COLUMNS
    start = min(max(centre - AXIS_COLUMNS - view // 2, 0), widest - AXIS_COLUMNS - view)
    panned = []
    for line in lines:
        cut = line[:AXIS_COLUMNS] + line[AXIS_COLUMNS + start:AXIS_COLUMNS + start + view]
        cut.no_wrap = True
        panned.append(cut)
    more_left, more_right = start > 0, AXIS_COLUMNS + start + view < widest
    marks = ("◀ " if more_left else "") + ("▶" if more_right else "")
    panned[-1] = panned[-1][: width - len(marks)] + Text(marks, style="bold")
    return panned
