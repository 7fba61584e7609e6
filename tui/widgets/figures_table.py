"""A DataTable for tables of figures: one-line Text cells are turned into segments directly.

DataTable renders every cell through Rich (Padding around Styled around Text, wrapped and
cropped) each time the table is refilled; the analysis screen refills its table at every bank,
grouping and comparison key, and that was most of those keys' time (about 12 ms of ~80 cells).
A cell that is a single-line Text without spans, left-, right- or not justified and fitting
its column, gets the same segments made straight from its text and styles; any other cell is left
to DataTable. tests/pilot/test_figures_table.py checks both give the same lines.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.widgets import DataTable


class FiguresTable(DataTable):
    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> SegmentLines:
        cell = self._plain_cell(row_index, column_index, width)
        if cell is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        # The cache key and styles exactly as DataTable._render_cell makes them (Textual 8.2.8).
        row_key = self._header_row_key if row_index == -1 else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor, self._update_count,
               self._pseudo_class_state)
        lines = self._cell_render_cache.get(key)
        if lines is None:
            is_fixed = row_index != -1 and (row_index < self.fixed_rows or column_index < self.fixed_columns)
            component_style, post_style = self._get_styles_to_render_cell(
                row_index == -1, False, is_fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
                self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
            pre = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
            lines = [_cell_line(cell, width - 2 * self.cell_padding, self.cell_padding, pre, post_style,
                                self.app.console.get_style(cell.style, default=Style.null()))]
            self._cell_render_cache[key] = lines
        return lines

    def _plain_cell(self, row_index: int, column_index: int, width: int) -> Text | None:
        """The cell's Text when the direct path gives what Rich would, else None."""
        if column_index < 0:
            return None  # row labels: not used here
        if row_index == -1:
            if self.header_height != 1:
                return None
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            if row is None or row.height != 1:
                return None
        cells = self._get_row_renderables(row_index).cells
        cell = cells[column_index] if column_index < len(cells) else None
        if (not isinstance(cell, Text) or cell.spans or cell.justify not in ("left", "right", "default", None)
                or "\n" in cell.plain or not cell.cell_len <= width - 2 * self.cell_padding or width <= 2 * self.cell_padding):
            return None
        return cell


def _cell_line(cell: Text, room: int, padding: int, pre: Style, post: Style | None, own: Style) -> list[Segment]:
    """Rich's rendering of Padding(Styled(cell)) for a line that fits: the text justified in
    ``room`` cells in its own style, padding either side, ``pre`` beneath and ``post`` on top."""
    plain = cell.plain
    text_style = pre + own if cell.style else pre
    pad_style = pre
    if post:
        text_style, pad_style = text_style + post, pad_style + post
    if cell.justify == "right":
        plain = plain.rstrip()
        line = [Segment(" " * (room - cell_len(plain)) + plain, text_style)]
    elif cell.justify == "left":
        line = [Segment(plain + " " * (room - cell.cell_len), text_style)]
    else:  # not justified (DataTable's empty cell): Rich pads the line after the text, in no style of the cell's
        line = [Segment(plain, text_style)] if plain or not cell.style else []
        if room > cell.cell_len:
            line.append(Segment(" " * (room - cell.cell_len), pad_style))
    if padding:
        line = [Segment(" " * padding, pad_style), *line, Segment(" " * padding, pad_style)]
    return line
