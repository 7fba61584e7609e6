"""The analysis screen's chart: textchart's block bars sized to the widget, a focus cursor moving
along the statements, and the focused statement's text and figures beneath.

When the bars cannot fit (many groups), the chart pans to keep the focused statement in view
instead of wrapping. Chart data arrives as an attribute; a moved focus is posted as a message.

Drawn through Textual's line API: the chart is kept as one Strip per row, the bars between focus
moves, and a moved focus repaints only the rows that changed (the label row and the caption),
where a Rich renderable would be laid out and painted whole at every key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.analysis import ChartData

# Title, axis and label rows around the bars.
FRAME_ROWS = 3
# Charts whose bars are kept drawn (a screen stepping through groupings and banks comes back to
# them: the bars of a chart by school took 10-15 ms to draw again).
KEPT_BARS = 64
MIN_BAR_ROWS = 3
AXIS_COLUMNS = 4


class BarChart(Widget, can_focus=True):
    BINDINGS = [
        Binding("left", "step(-1)", "Statement", key_display="← →"),
        Binding("right", "step(1)", "Next statement", show=False),
        Binding("home", "go(0)", "First statement", show=False),
        Binding("end", "go(-1)", "Last statement", show=False),
    ]

    # Not repainted whole: the watcher repaints the rows a move changes.
    focus_index: reactive[int] = reactive(0, repaint=False)
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
        self._drawn: tuple[object, list[Strip]] | None = None  # (what it was drawn from, rows)
        # The title, bars and axis of the charts drawn last, kept between moves and for coming back.
        self._bars: dict[object, list[Strip]] = {}

    def show(self, chart: ChartData | None, focus: int = 0) -> None:
        self.chart = chart
        count = len(chart.labels) if chart else 0
        self.set_reactive(BarChart.focus_index, min(max(focus, 0), max(count - 1, 0)))
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

    def watch_focus_index(self) -> None:
        """Repaint only the rows the move changed (the label row and the caption, unless the
        caption's height or the panning changed the rest too)."""
        before = self._drawn[1] if self._drawn else None
        if self.chart is None or before is None or not self.is_mounted:
            self.refresh()
            return
        after = self._rows()
        if len(after) != len(before):
            self.refresh()
            return
        width = self.content_size.width
        for y, (old, new) in enumerate(zip(before, after, strict=True)):  # same length: checked above
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def render(self) -> Text:
        """Only the placeholder: a chart is drawn row by row in render_line."""
        return Text(self.placeholder, style="dim")

    def render_line(self, y: int) -> Strip:
        if self.chart is None:
            return super().render_line(y)
        rows = self._rows()
        return rows[y] if y < len(rows) else Strip.blank(self.content_size.width, self.visual_style.rich_style)

    def _rows(self) -> list[Strip]:
        """The chart as drawn now, one Strip per row; made again only when what it shows changed."""
        chart, focus = self.chart, self.focus_index
        assert chart is not None  # render_line draws the placeholder otherwise
        base = self.visual_style.rich_style  # the widget's colours (they change with focus)
        size = self.content_size
        key = (id(chart), focus, size, base, self.title_from_rows)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        from tui.domain.analysis import bar_lines, describe, label_line, legend_lines

        console = self.app.console
        width, height = max(size.width, AXIS_COLUMNS + 4), size.height
        caption = describe(chart, focus, width)
        legend = legend_lines(chart, width)
        below = len(legend) + len(caption.wrap(console, width))
        titled = height >= self.title_from_rows
        bar_rows = max(height - FRAME_ROWS - below + (0 if titled else 1), MIN_BAR_ROWS)
        labels = label_line(chart, width=width, focus=focus)
        start = _pan_start(labels, width)
        # The chart itself is in the key, not its id: a chart no longer shown may be freed and its
        # id given to another (charts are frozen dataclasses, hashed once per key press here).
        bars_key = (chart, width, bar_rows, start, base)
        bars = self._bars.pop(bars_key, None)  # taken out and put back last: the most recent stay
        if bars is None:
            title, *body = bar_lines(chart, width=width, height=bar_rows)
            title.no_wrap, title.overflow = True, "ellipsis"
            bars = [*_strips(title, width, console, base),
                    *[s for line in _pan(body, width, start) for s in _strips(line, width, console, base)]]
            if len(self._bars) >= KEPT_BARS:
                del self._bars[next(iter(self._bars))]
        self._bars[bars_key] = bars
        title_and_bars = bars if titled else bars[1:]
        panned_labels = _pan([labels], width, start, marks=True)[0]
        rows = [*title_and_bars, *_strips(panned_labels, width, console, base),
                *[s for line in [*legend, caption] for s in _strips(line, width, console, base)]]
        self._drawn = key, rows
        return rows


def _strips(text: Text, width: int, console: Console, base: Style) -> list[Strip]:
    """``text`` as Textual would paint it in a widget ``width`` cells wide with the style ``base``
    beneath (wrapped as Rich wraps it), as Strips."""
    plain = text.plain
    if plain and "\n" not in plain and text.cell_len <= width and text.justify in (None, "default"):
        # A line that fits (every bar row): the segments Rich would make, made directly; Rich's
        # wrapping and span stacking cost most of a bank switch.
        segments = _line_segments(text, console, base)
        if segments is not None:
            return [Strip(segments, text.cell_len)]
    lines = text.wrap(console, width, justify=text.justify or "default", overflow=text.overflow or "fold",
                      tab_size=text.tab_size or 8, no_wrap=bool(text.no_wrap))
    segments = [Segment(part, base + style) for part, style, _ in Text("\n").join(lines).render(console, end="\n")]
    return [Strip(line) for line in Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)]


def _line_segments(text: Text, console: Console, base: Style) -> list[Segment] | None:
    """Text.render's segments for a line whose spans follow one another without overlapping (one
    segment per span and per gap between spans, the text's own style beneath), ``base`` beneath
    all; None when spans overlap."""
    plain = text.plain
    own = console.get_style(text.style, default=Style.null())
    plain_style = base + own
    styles: dict[object, Style] = {}
    segments: list[Segment] = []
    at = 0
    for start, end, style in text.spans:
        if start < at:
            return None
        if end <= start:
            continue
        if start > at:
            segments.append(Segment(plain[at:start], plain_style))
        found = styles.get(style)
        if found is None:
            found = styles[style] = base + (own + console.get_style(style, default=Style.null()))
        segments.append(Segment(plain[start:end], found))
        at = end
    if at < len(plain):
        segments.append(Segment(plain[at:], plain_style))
    return segments


def _pan_start(labels: Text, width: int) -> int | None:
    """Where the view starts when the chart is wider than ``width``: around the focused label
    (the reversed one), with the % axis kept. None when it fits."""
    widest = labels.cell_len
    if widest <= width:
        return None
    spans = [s for s in labels.spans if "reverse" in str(s.style)]
    centre = (spans[0].start + spans[0].end) // 2 if spans else AXIS_COLUMNS
    view = width - AXIS_COLUMNS
    return min(max(centre - AXIS_COLUMNS - view // 2, 0), widest - AXIS_COLUMNS - view)


def _pan(lines: list[Text], width: int, start: int | None, marks: bool = False) -> list[Text]:
    """Lines cut to ``width`` from ``start`` (see _pan_start), the % axis kept; with ``marks``
    the last one ends in ◀ ▶ where there is more to either side. Unchanged when not panned."""
    if start is None:
        return lines
    widest = max(line.cell_len for line in lines)
    view = width - AXIS_COLUMNS
    panned = []
    for line in lines:
        cut = line[:AXIS_COLUMNS] + line[AXIS_COLUMNS + start:AXIS_COLUMNS + start + view]
        cut.no_wrap = True
        panned.append(cut)
    if marks:
        more_left, more_right = start > 0, AXIS_COLUMNS + start + view < widest
        shown = ("◀ " if more_left else "") + ("▶" if more_right else "")
        panned[-1] = panned[-1][: width - len(shown)] + Text(shown, style="bold")
    return panned
