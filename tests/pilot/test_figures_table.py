"""FiguresTable (the analysis screen's table) draws the same cells as Textual's DataTable.

Its one-line Text cells are turned into segments without Rich's Padding/Styled/Text rendering;
this compares every cell, header included, with DataTable's own rendering in each state a cell
can be drawn in (cursor, hover, zebra stripe, focused or not), so a difference fails here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.widgets.figures_table import FiguresTable

HEADER = [("Code", "left"), ("n", "right"), ("HD %", "right"), ("Note", "left"), ("Statement", "left")]
ROWS = [
    ["JPD A1", "1234", "45", "", "The school encourages staff to work together"],
    ["JPD A2*", "17", "supp.", "neg.", "Staff share practice …"],
    ["JPD B1", "0", "100", "low n", "Écoles · über — 学校"],
]


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield FiguresTable(id="table", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="other")  # somewhere for the focus to go


def _fill(table: FiguresTable) -> None:
    table.add_columns(*[Text(name, justify=justify) for name, justify in HEADER])  # type: ignore[arg-type]
    for row in ROWS:
        table.add_row(*[Text(value, style="dim italic" if value == "supp." else "", justify=HEADER[i][1])  # type: ignore[arg-type]
                        for i, value in enumerate(row)])


async def test_cells_are_drawn_as_datatable_draws_them():
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(FiguresTable)
        _fill(table)
        await pilot.pause()
        table.move_cursor(row=1)
        checked = 0
        for focused in (True, False):
            (table if focused else app.query_one("#other", DataTable)).focus()
            await pilot.pause()
            base = table.rich_style
            for row in range(-1, len(ROWS)):
                for column, width in enumerate(c.get_render_width(table) for c in table.ordered_columns):
                    assert table._plain_cell(row, column, width) is not None  # the direct path is taken
                    for cursor in (False, True):
                        for hover in (False, True):
                            table._cell_render_cache.clear()
                            direct = table._render_cell(row, column, base, width, cursor, hover)
                            table._cell_render_cache.clear()
                            rich = DataTable._render_cell(table, row, column, base, width, cursor, hover)
                            assert direct == rich, (row, column, cursor, hover, focused)
                            checked += 1
        assert checked == 2 * (len(ROWS) + 1) * len(HEADER) * 4


async def test_other_cells_are_left_to_datatable():
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(FiguresTable)
        table.add_columns("Plain", "Wide")
        table.add_row("markup [b]string[/b]", Text("spans", style="bold").append(" more", style="red"))
        table.add_row(Text("two\nlines", justify="left"), Text("centred", justify="center"))
        await pilot.pause()
        width = table.ordered_columns[0].get_render_width(table)
        assert all(table._plain_cell(row, column, width) is None for row in (0, 1) for column in (0, 1))
