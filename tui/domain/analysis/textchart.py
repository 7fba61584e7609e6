"""A vertical bar chart of percentages drawn with block characters, like the thesis's figures.

One slot per statement code along the bottom, one bar per series (group or wave) in each slot,
0-100% up the side in eighths of a row. Pure: returns rich Text lines for any widget or console
to show; nothing here knows about Textual.
"""

from __future__ import annotations

from rich.text import Span, Text

from tui.domain.analysis.agreement import ChartData
from tui.domain.names import printable
from tui.domain.rules import whole

# Tableau 10: distinguishable in most terminals and for common colour-vision deficiencies.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
           "#9c755f", "#bab0ac")
BLOCKS = " ▁▂▃▄▅▆▇█"
AXIS_WIDTH = 4  # "100┤"
TICKS = (100, 75, 50, 25)
NO_FIGURE = "·"  # suppressed, or nobody answered
NEGATIVE_MARK = "*"


def series_style(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _cell(value: float | None, low: float, step: float) -> str:
    if value is None:
        return " "
    fill = min(max((value - low) / step, 0.0), 1.0)
    return BLOCKS[round(fill * 8)]


def render_bar_chart(chart: ChartData, *, width: int = 80, height: int = 12, focus: int | None = None) -> list[Text]:
    """The chart as lines: title, ``height`` rows of bars, the axis, labels and a legend.

    Bars get as wide as ``width`` allows (up to four cells); when even one cell per bar does not
    fit, the chart is wider than asked and the caller scrolls. ``focus`` reverses one label.
    """
    return [*bar_lines(chart, width=width, height=height), label_line(chart, width=width, focus=focus),
            *legend_lines(chart, width)]


def _bar_and_slot(chart: ChartData, width: int) -> tuple[int, int]:
    """Cells per bar and per statement's slot (its bars and one space)."""
    count = max(len(chart.series), 1)
    room = max(width - AXIS_WIDTH, 1)
    bar = max(1, min(4, (room // max(len(chart.labels), 1) - 1) // count))
    return bar, count * bar + 1


def bar_lines(chart: ChartData, *, width: int = 80, height: int = 12) -> list[Text]:
    """The title, ``height`` rows of bars and the axis: the part of the chart that stays the same
    while the focus moves (a screen keeps it between moves)."""
    slots = len(chart.labels)
    bar, slot = _bar_and_slot(chart, width)
    step = 100.0 / height
    lines = [Text(printable(chart.title), style="bold")]
    styles = [series_style(s) for s in range(len(chart.series))]
    for row in range(height):
        low = (height - 1 - row) * step
        top = low + step
        tick = next((t for t in TICKS if abs(top - t) < step / 2), None)
        # The line's text and its styled spans made directly: Text.append per cell costs most of a
        # key press on the analysis screen, which redraws the chart at every move.
        parts = [f"{tick:>3}┤" if tick is not None else "   │"]
        spans = [Span(0, AXIS_WIDTH, "dim")]
        at = AXIS_WIDTH
        for i in range(slots):
            for s, series in enumerate(chart.series):
                value = series.values[i]
                if value is None and row == height - 1:
                    piece, style = NO_FIGURE * bar, "dim"
                else:
                    piece, style = _cell(value, low, step) * bar, styles[s]
                parts.append(piece)
                spans.append(Span(at, at + bar, style))
                at += bar
            parts.append(" ")
            at += 1
        line = Text("".join(parts))
        line.spans = spans
        lines.append(line)
    lines.append(Text("  0└" + "─" * (slot * slots), style="dim"))
    return lines


def label_line(chart: ChartData, *, width: int = 80, focus: int | None = None) -> Text:
    """The statement codes under the bars (negative ones marked), the ``focus`` one reversed."""
    _, slot = _bar_and_slot(chart, width)
    labels = Text(" " * AXIS_WIDTH)
    for i, label in enumerate(chart.labels):
        shown = label + (NEGATIVE_MARK if chart.negative[i] and len(label) < slot - 1 else "")
        style = "reverse bold" if i == focus else ""
        labels.append(shown[: slot - 1].ljust(slot - 1)[: slot - 1], style=style)
        labels.append(" ")
    return labels


def wrap_items(items: list[Text], width: int, indent: int = 0) -> list[Text]:
    """Items side by side, two spaces apart, a new line only between items: a label is never split."""
    lines: list[Text] = []
    line = Text(" " * indent)
    for item in items:
        if line.cell_len > indent and line.cell_len + 2 + item.cell_len > width:
            lines.append(line)
            line = Text(" " * indent)
        if line.cell_len > indent:
            line.append("  ")
        line.append_text(item)
    lines.append(line)
    return lines


def legend_lines(chart: ChartData, width: int = 80) -> list[Text]:
    """"■ HD (17)  ■ SLT (19)  ..." and the notes, wrapped between items to ``width``."""
    items = []
    for s, series in enumerate(chart.series):
        item = Text()
        item.append("■ ", style=series_style(s))
        item.append(printable(series.name) + (" suppressed" if series.suppressed else ""))
        items.append(item)
    if any(chart.negative):
        items.append(Text(f"{NEGATIVE_MARK} negatively worded", style="dim"))
    if any(v is None for series in chart.series for v in series.values):
        items.append(Text(f"{NO_FIGURE} no figure (suppressed or no answers)", style="dim"))
    return wrap_items(items, width, AXIS_WIDTH)


def describe(chart: ChartData, index: int, width: int | None = None) -> Text:
    """The focused statement in full: code, text and each series' figure, for a caption. With a
    ``width``, the figures wrap between groups, never inside one."""
    text = Text(chart.codes[index], style="bold")
    if chart.negative[index]:
        text.append(" (negatively worded)", style="italic")
    text.append(f"  {printable(chart.texts[index])}\n")
    items = []
    for s, series in enumerate(chart.series):
        value = series.values[index]
        item = Text()
        item.append("■ ", style=series_style(s))
        item.append(f"{printable(series.name)}: {'—' if value is None else f'{whole(value)}%'}")
        items.append(item)
    text.append_text(Text("\n").join(wrap_items(items, width or 10**6)))
    return text


def plain(lines: list[Text]) -> str:
    return "\n".join(line.plain.rstrip() for line in lines)
