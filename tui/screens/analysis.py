"""The analysis screen: per-statement percentages of a wave as a bar chart and a table, by group or
against an earlier wave, with the small-cell rule applied and stated.

All reading and computing happens in a worker thread (tui.domain.analysis.view.AnalysisCache):
each wave's returns are read once and the tables kept per selection, so stepping through banks is
instant and a new grouping only aggregates the cached returns. Only aggregates reach the widgets:
the table holds one row per statement of a bank, whatever the number of returns.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from tui.domain.names import printable
from tui.domain.paths import shown_path
from tui.screens.base import StudyScreen
from tui.screens.palette import ScreenCommands, binding_commands
from tui.styles import stylesheet
from tui.widgets import plain
from tui.widgets.bar_chart import BarChart
from tui.widgets.figures_table import FiguresTable
from tui.widgets.mode_bar import ModeBar
from tui.widgets.steady_footer import SteadyFooter

log = logging.getLogger("surveydesk")

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from tui.domain.analysis import AnalysisCache, AnalysisTables, Selection

STATEMENT_WIDTH = 72  # table cells; the chart's caption shows the whole statement
# Narrower than this, the table leaves the statement out: the chart's caption above shows the
# focused statement in full, better than every row cut to "The schoo".
MIN_STATEMENT_COLUMN = 30
MESSAGE_SECONDS = 12
# The loading indicator only when a chart takes longer than this: its animation, repainting the chart
# all the while, cost a quarter of opening the screen on 100,000 returns (the bar says "computing…").
LOADING_AFTER = 0.5
# The line above the chart says "computing…" only when the tables take longer than this: most are made
# in 5-30 ms, and painting the line first (the screen laid out again) delayed them by 12-20 ms.
COMPUTING_AFTER = 0.06
# Rows of the screen besides the line above the chart: header, mode bar, rule and footer, one each,
# and the chart's and the table's min-height (10 and 6, analysis.tcss). More lines above the chart
# than the rest leaves and the screen overflowed: comparing at 80x24, the chart took 30 rows and
# the table went off the screen.
OTHER_ROWS = 20


class AnalysisScreen(StudyScreen):
    CSS = stylesheet("analysis.tcss")  # scoped to this screen

    COMMANDS = {ScreenCommands}

    # In the order the footer shows them: at 80 columns it has room for the first six.
    BINDINGS = [
        Binding("]", "bank(1)", "Bank", key_display="[ ]"),
        Binding("[", "bank(-1)", "Previous bank", show=False),
        Binding("g", "grouping", "Grouping"),
        Binding("c", "compare", "Compare"),
        Binding("e", "export", "Export"),
        Binding("r", "report", "Report"),
        Binding("s", "stages", "Stages"),
        Binding("n", "group", "Group"),
        Binding("w", "wave", "Wave"),
        Binding("t", "toggle_table", "Table"),
        Binding("ctrl+r", "reload", "Reload returns", show=False),
    ]

    class Computed(Message):
        def __init__(self, selection: Selection, tables: AnalysisTables | None, error: str | None = None) -> None:
            super().__init__()
            self.selection, self.tables, self.error = selection, tables, error

    class Written(Message):
        """An export or report finished (or failed): what to tell the researcher."""

        def __init__(self, summary: str, details: list[str], error: bool = False) -> None:
            super().__init__()
            self.summary, self.details, self.error = summary, details, error

    def __init__(self) -> None:
        super().__init__()
        self.cache: AnalysisCache | None = None
        self.selection: Selection | None = None
        self.tables: AnalysisTables | None = None
        self.bank: str | None = None
        self.group = "Overall"
        self.stages_shown = False  # the table shows the bank's stage profile instead of its statements
        self.shown_count = 0  # charts drawn so far (benchmarks and tests wait on it)
        self._keys_offered: tuple[bool, bool] | None = None
        self._shown_message = ""
        self._version = 0
        self._texts: dict[str, str] = {}  # what _update last put in each Static
        self._first: Selection | None = None  # what the screen opens on (_first_selection)
        self._failed = False  # the selection asked for could not be computed (the chart says why)

    def compose(self) -> ComposeResult:
        self._read_ahead()
        yield Header()
        yield ModeBar("analysis")
        yield Static("", id="analysis-bar")
        # At 80x24 the line above, which says what is charted, stands for the chart's title.
        yield BarChart(id="analysis-chart", title_from_rows=14)
        yield FiguresTable(id="analysis-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="analysis-rule")
        yield Static("", id="analysis-message")
        yield SteadyFooter()

    @property
    def chart(self) -> BarChart:
        return self.query_one("#analysis-chart", BarChart)

    @property
    def table(self) -> DataTable:
        return self.query_one("#analysis-table", DataTable)

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return binding_commands(self, "Analysis") + [
            ("Analysis: Export the release only", "protected tables; no research folder", "export(False)"),
        ]

    # --- choosing what to show ----------------------------------------------------------------

    def _read_ahead(self) -> None:
        """Start reading the first selection's returns and making its tables while the screen is
        being put together (a sixth of opening it on 100,000 returns); the worker started on mount
        then waits for them instead of starting the read itself."""
        from tui.domain.analysis import AnalysisCache

        self.cache = AnalysisCache(self._load)
        selection = self._first_selection()
        if selection is not None:
            self._make_ahead(selection)

    @work(thread=True, exit_on_error=False, group="analysis-ahead")
    def _make_ahead(self, selection: Selection) -> None:
        assert self.cache is not None
        try:
            self.cache.tables(selection)
        except Exception:  # the worker asking for them next makes them again and says what failed
            log.exception("analysis failed (read ahead)")

    def on_mount(self) -> None:
        self.chart.focus()
        self._start(self._first)

    def _first_selection(self) -> Selection | None:
        """The app's current wave by role group, with the study's k; None before the first wave.
        The study's version is taken first: a change after it is noticed on coming back."""
        from tui.domain.analysis import Selection

        self._version = self._study_version()
        wave = self.app.study.working_wave(self.app.wave_name)
        self._first = None if wave is None else Selection(wave, None, ("role_group",),
                                                          int(self.app.study.setting("min_cell")))
        return self._first

    def _start(self, selection: Selection | None = None) -> None:
        """Show ``selection``, or the app's current wave by role group."""
        selection = selection or self._first_selection()
        if selection is None:
            self.chart.placeholder = "No waves yet: add one with `surveydesk wave add NAME`, then key or import returns."
            return
        self.request(selection)

    def on_screen_resume(self) -> None:
        # Back from another mode (or a dialog): read again only if the study changed meanwhile.
        if self._study_version() == self._version:
            return
        if self.selection is None:
            self._start()  # there was no wave before
        else:
            self.action_reload()

    def _study_version(self) -> int:
        """The newest audit entry's id: every change to the study (a return keyed, a setting) writes one."""
        last = self.app.study.audit(limit=1)
        return last[-1].id if last else 0

    def _load(self, wave: str):
        from tui.domain.analysis import wave_returns

        return wave_returns(self.app.study, wave)

    def request(self, selection: Selection) -> None:
        self.selection = selection
        self._failed = False
        cached = self.cache.cached(selection) if self.cache else None
        if cached is not None:
            self.show(cached)
            return
        if self.tables is None:
            self._show_bar()  # nothing shown yet: say what is coming at once
        else:
            self.set_timer(COMPUTING_AFTER, lambda: self._show_bar() if self.selection == selection and self.computing
                           else None)
        self.set_timer(LOADING_AFTER, lambda: self._still_computing(selection))
        self.compute(selection)

    @property
    def computing(self) -> bool:
        """A selection is asked for and its tables are not on screen yet (tests wait on it)."""
        return self.selection is not None and (self.tables is None or self.tables.selection != self.selection) \
            and not self._failed

    def _still_computing(self, selection: Selection) -> None:
        if self.selection == selection and self.computing:
            self.chart.loading = True

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def compute(self, selection: Selection) -> None:
        try:
            assert self.cache is not None  # made on mount, before the first request
            tables = self.cache.tables(selection)
        except Exception as exc:  # shown on screen, never a traceback; the log keeps it
            log.exception("analysis failed")
            self.post_message(self.Computed(selection, None, _reason(exc)))
            return
        worker = get_current_worker()
        if not worker.is_cancelled:
            self._prepare_shown_bank(tables)  # made here too: drawing the first bank then only draws
            self.post_message(self.Computed(selection, tables))
            self._make_for_next_keys(selection, tables, lambda: worker.is_cancelled)

    def _make_for_next_keys(self, selection: Selection, tables: AnalysisTables, cancelled: Callable[[], bool]) -> None:
        """While the person looks at the chart, make what the next keys ask for, the likeliest first:
        the next grouping's tables (g) and the comparison's (c), each with the bank on screen; then
        every bank of the selection shown (]); then the other groupings; then every bank of them. A new
        request stops it (``cancelled``)."""
        from tui.domain.analysis import GROUPINGS, next_in

        assert self.cache is not None
        groupings = [selection.by]
        for _ in range(len(GROUPINGS) - 1):
            groupings.append(next_in(GROUPINGS, groupings[-1]))
        compare = _next_comparison(selection, [w.name for w in self.app.study.waves()])
        likeliest = [replace(selection, by=groupings[1])]  # g
        if compare != selection.compare_with:
            likeliest.append(replace(selection, compare_with=compare))  # c
        made = []
        for wanted in likeliest:
            if cancelled():
                return
            made.append(self._prepare_shown_bank(self.cache.tables(wanted)))
        tables.prepare(self.group, cancelled)  # the other banks of the chart shown (])
        for by in groupings[2:]:
            if cancelled():
                return
            made.append(self._prepare_shown_bank(self.cache.tables(replace(selection, by=by))))
        for other in made:
            other.prepare(self.group, cancelled)
        if not cancelled():
            self.app.freeze_long_lived()  # what was made ahead lives as long as the cache

    def _prepare_shown_bank(self, tables: AnalysisTables) -> AnalysisTables:
        """Make the chart and table of the bank these tables will show first (the one on screen); the
        tables, for chaining."""
        bank = self.bank  # read once: the event loop may change it meanwhile (this runs in a worker)
        if tables.banks:
            tables.prepare_bank(bank if bank in tables.banks else tables.banks[0], self.group)
        return tables

    def on_analysis_screen_computed(self, message: Computed) -> None:
        if message.selection != self.selection:
            return  # a newer choice is on its way
        self.chart.loading = False
        self._failed = message.tables is None
        if message.tables is None:
            self.chart.show(None)
            self.chart.placeholder = f"Cannot analyse: {message.error}"
            self._show_bar()
            return
        self.show(message.tables)
        # Tables just made, not those a key finds kept: each freeze also keeps whatever garbage is
        # uncollected at that moment from the collector until the app ends, so not on every key.
        self.app.freeze_long_lived()

    def show(self, tables: AnalysisTables) -> None:
        self.tables = tables
        if tables.returns == 0 or not tables.banks:
            self.chart.show(None)
            self.chart.placeholder = (f"Wave {tables.selection.wave} has no returns yet: key them (entry) or "
                                      f"`surveydesk import` a CSV.")
            self.table.clear(columns=True)
            self._show_bar()
            self._offer_keys(tables)
            return
        if self.bank not in tables.banks:
            self.bank = tables.banks[0]
        if self.group not in tables.focus_groups():
            self.group = "Overall"
        self.redraw()

    def redraw(self, focus: int | None = None) -> None:
        tables, bank = self.tables, self.bank
        if tables is None or bank is None:
            return
        focus = self.chart.focus_index if focus is None else focus
        self.chart.show(tables.chart(bank, self.group), focus)
        self._fill_table(tables, bank)
        self._show_bar()
        self._offer_keys(tables)
        self.shown_count += 1

    def _offer_keys(self, tables: AnalysisTables) -> None:
        # The footer rebuilds itself on refresh_bindings (costly): only when a key comes or goes.
        offered = (bool(tables.banks), tables.comparing)
        if offered != self._keys_offered:
            self._keys_offered = offered
            self.refresh_bindings()

    def _fill_table(self, tables: AnalysisTables, bank: str) -> None:
        from tui.domain.analysis import SUPPRESSED

        if self.stages_shown:
            self._fill_stages(tables, bank)
            return
        grid = tables.grid(bank, self.group)
        figures = [i for i in range(len(grid.header)) if i != grid.text_column]
        # Figures right-aligned, as in the report; code, note and statement read left to right.
        words = {0, grid.text_column, *[i for i, name in enumerate(grid.header) if name == "Note"]}
        # Each column as wide as its widest cell, plus DataTable's padding of one each side.
        used = sum(max(len(grid.header[i]), *(len(row[i]) for row in grid.rows)) + 2 for i in figures)
        width = self.table.size.width or self.app.size.width
        room = min(width - used - 5, STATEMENT_WIDTH)  # the rest beside the scrollbar: no sideways scrolling
        order = figures + ([grid.text_column] if room >= MIN_STATEMENT_COLUMN else [])
        table = self.table
        table.clear(columns=True)
        table.add_columns(*[Text(grid.header[i], justify="left" if i in words else "right") for i in order])
        for row in grid.rows:
            cells = []
            for i in order:
                value = row[i]
                if i == grid.text_column and len(value) > room:
                    value = value[: room - 1] + "…"
                style = "dim italic" if value == SUPPRESSED else ""
                cells.append(Text(value, style=style, justify="left" if i in words else "right"))
            table.add_row(*cells)
        table.move_cursor(row=self.chart.focus_index, animate=False)

    def _fill_stages(self, tables: AnalysisTables, bank: str) -> None:
        """The bank's stage profile: per group (and wave), the mean % of each section and the reading."""
        from tui.domain.analysis import SUPPRESSED

        grid = tables.stage_grid(bank, self.group)
        words = {grid.text_column, grid.header.index("Stage"), *([0] if grid.header[0] == "Wave" else [])}
        table = self.table
        table.clear(columns=True)
        # A-D are each section's mean percentage: said in the header, as the CLI says it in a title.
        header = [f"{name} %" if name in "ABCD" else name for name in grid.header]
        table.add_columns(*[Text(name, justify="left" if i in words else "right") for i, name in enumerate(header)])
        for row in grid.rows:
            table.add_row(*[Text(value, style="dim italic" if value == SUPPRESSED else "",
                                 justify="left" if i in words else "right") for i, value in enumerate(row)])

    def _show_bar(self) -> None:
        selection, tables = self.selection, self.tables
        if selection is None:
            return
        lines = []
        if tables is not None and tables.selection == selection and self.bank:
            lines.append(tables.describe_selection(self.bank, self.group))
            width = max((self.size.width or self.app.size.width) - 2, 40)
            rates = [f"Responses {line}" for line in tables.rates_text()]
            wrapped = [part for line in rates for part in _wrap_parts(line, width)]
            # Each wave's rates wrapped between groups where the screen has the rows, else one line
            # each, cut with an ellipsis (the whole line is in `surveydesk tables` and the report).
            room = (self.size.height or self.app.size.height) - OTHER_ROWS
            lines += wrapped if 1 + len(wrapped) <= room else rates
        else:
            waves = " → ".join(selection.waves)
            state = "cannot be analysed" if self._failed else "computing…"
            lines.append(f"Wave {waves} · {selection.grouping.replace('_', ' ')} · {state}")
        self._update("#analysis-bar", "\n".join(lines))
        # The full rule is in every export and report; here the short form, one line at 80 columns.
        self._update("#analysis-rule",
                     f"Small cells (k = {selection.k}): groups under {selection.k}, and figures giving one away, read 'supp.'")

    def _update(self, selector: str, text: str) -> None:
        """A line or two of text, changed only when it changed, and laid out again only when its
        number of lines did (a layout of the screen is a good part of a key press)."""
        before = self._texts.get(selector)
        if text == before:
            return
        self._texts[selector] = text
        self.query_one(selector, Static).update(plain(text),
                                                layout=before is None or before.count("\n") != text.count("\n"))

    def on_resize(self) -> None:
        self._show_bar()  # the rates are wrapped to the screen's width and height

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "group":
            return self.tables is not None and self.tables.comparing and len(self.tables.focus_groups()) > 1
        if action in ("bank", "export", "report", "stages") and (self.tables is None or not self.tables.banks):
            return None  # shown, greyed: nothing to analyse yet
        return True

    def action_bank(self, step: int) -> None:
        from tui.domain.analysis import next_in

        if self.tables is None or not self.tables.banks:
            return
        self.bank = next_in(self.tables.banks, self.bank, step)
        self.redraw(focus=0)

    def action_grouping(self) -> None:
        from tui.domain.analysis import GROUPINGS, next_in

        if self.selection is not None:
            self.request(replace(self.selection, by=next_in(GROUPINGS, self.selection.by)))

    def action_wave(self) -> None:
        from tui.domain.analysis import next_in

        if self.selection is None:
            return
        waves = tuple(w.name for w in self.app.study.waves())
        wave = next_in(waves, self.selection.wave)
        compare = self.selection.compare_with if self.selection.compare_with != wave else None
        self.app.wave_name = wave
        self.app.refresh_title()
        self.request(replace(self.selection, wave=wave, compare_with=compare))

    def action_compare(self) -> None:
        """Off, then each other wave, nearest earlier one first."""
        if self.selection is None:
            return
        waves = [w.name for w in self.app.study.waves()]
        if len(waves) < 2:
            self.notify("Only one wave: add another to compare with.", severity="warning")
            return
        self.request(replace(self.selection, compare_with=_next_comparison(self.selection, waves)))

    def action_group(self) -> None:
        from tui.domain.analysis import next_in

        if self.tables is not None and self.tables.comparing:
            self.group = next_in(self.tables.focus_groups(), self.group)
            self.redraw()

    def action_toggle_table(self) -> None:
        self.table.display = not self.table.display

    def action_stages(self) -> None:
        """The table shows the bank's stage profile, or again its statements."""
        self.stages_shown = not self.stages_shown
        self.table.display = True
        if self.tables is not None and self.bank is not None:
            self._fill_table(self.tables, self.bank)

    def action_reload(self) -> None:
        """Forget what was read and read the returns again (k too: it may have been changed)."""
        if self.cache is not None and self.selection is not None:
            self._version = self._study_version()
            self.cache.clear()
            self.request(replace(self.selection, k=int(self.app.study.setting("min_cell"))))

    @on(BarChart.StatementFocused)
    def _focus_moved(self, message: BarChart.StatementFocused) -> None:
        if not self.stages_shown:
            self.table.move_cursor(row=message.index, animate=False)

    @on(DataTable.RowHighlighted, "#analysis-table")
    def _row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        # Only the person moving in the table steers the chart (refilling the table also highlights).
        if self.table.has_focus and not self.stages_shown and message.cursor_row != self.chart.focus_index:
            self.chart.focus_index = message.cursor_row

    # --- exports and the report -------------------------------------------------------------

    def action_export(self, include_raw: bool = True) -> None:
        if self.selection is not None and self.tables is not None and self.tables.banks:
            self._message("Exporting…")
            self.write_export(self.selection, include_raw)

    def action_report(self) -> None:
        if self.selection is not None and self.tables is not None and self.tables.banks:
            self._message("Writing the report…")
            self.write_pdf(self.selection)

    @work(thread=True, exclusive=True, exit_on_error=False, group="output")
    def write_export(self, selection: Selection, include_raw: bool) -> None:
        from tui.domain.analysis import export_wave

        try:
            current, earlier = self._returns_of(selection)
            result = export_wave(current, exports_dir=self._exports_dir(), by=selection.by, k=selection.k,
                                 previous=earlier, include_raw=include_raw)
        except Exception as exc:
            log.exception("export failed")
            self.post_message(self.Written(f"Export failed: {_reason(exc)}", [], error=True))
            return
        details = [path.name for path in result.files] + [f"note: {note}" for note in result.notes]
        # One line at 80 columns; README.txt in each folder says what it holds and who it is for.
        research = f"; research only: {shown_path(result.research_folder)}" if result.research_folder else ""
        self.post_message(self.Written(f"Exported {len(result.files)} files: release {shown_path(result.folder)}"
                                       f"{research}", details))

    @work(thread=True, exclusive=True, exit_on_error=False, group="output")
    def write_pdf(self, selection: Selection) -> None:
        from tui.domain.analysis.report_pdf import write_report

        try:
            current, earlier = self._returns_of(selection)
            path = write_report([earlier, current] if earlier else [current], exports_dir=self._exports_dir(),
                                by=selection.by, k=selection.k)
        except Exception as exc:
            log.exception("report failed")
            self.post_message(self.Written(f"Report failed: {_reason(exc)}", [], error=True))
            return
        self.post_message(self.Written(f"Report written: {shown_path(path)}", []))

    def _returns_of(self, selection: Selection):
        cache = self.cache
        assert cache is not None  # made on mount, before the first request
        earlier = cache.returns(selection.compare_with) if selection.compare_with else None
        return cache.returns(selection.wave), earlier

    def _exports_dir(self) -> Path:
        return Path(getattr(self.app, "exports_dir", "exports"))

    def on_analysis_screen_written(self, message: Written) -> None:
        # One line, where the small-cell rule stands, for a while; the files are listed in README.txt.
        self._message(message.summary)
        if message.error:
            self.notify(printable(message.summary, keep_lines=True), markup=False, severity="error",
                        timeout=MESSAGE_SECONDS)
        self.set_timer(MESSAGE_SECONDS, lambda: self._message("") if self._shown_message == message.summary else None)

    def _message(self, text: str) -> None:
        self._shown_message = text
        message = self.query_one("#analysis-message", Static)
        message.update(plain(text))
        message.set_class(bool(text), "shown")
        self.query_one("#analysis-rule", Static).display = not text


def _next_comparison(selection: Selection, waves: list[str]) -> str | None:
    """What c shows next: off, then each other wave, nearest earlier one first (None: off)."""
    from tui.domain.analysis import next_in

    here = waves.index(selection.wave) if selection.wave in waves else len(waves)
    return next_in((None, *reversed(waves[:here]), *waves[here + 1:]), selection.compare_with)


def _wrap_parts(line: str, width: int, separator: str = " · ") -> list[str]:
    """A "·"-separated line wrapped between its parts, never inside one ("T 13 of 18, 72%" stays whole)."""
    lines: list[str] = []
    current = ""
    for part in line.split(separator):
        if current and len(current) + len(separator) + len(part) > width:
            lines.append(current + separator.rstrip())
            current = "  " + part
        else:
            current = f"{current}{separator}{part}" if current else part
    return [*lines, current]


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__

