"""Print forms for a wave: a distribution grid (or a plan CSV) becomes issued serials, one PDF
per school office and the issue log; lost forms are reprinted with their serial.

The screen only gathers choices and shows results: the work is done by
``tui.domain.paper.distribution`` in a thread worker that posts progress messages back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, WorkerState

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import ParticipantKey
from tui.domain.paper import (
    BatchFilesError,
    DistributionPlan,
    PlanError,
    batches_of,
    forms_folder,
    issue_batch,
    missing_returns_warning,
    read_plan_csv,
    reprint_form,
    rewrite_batches,
    shown_time,
)
from tui.domain.paths import DEFAULT_EXPORTS, shown_path
from tui.domain.returns import normalise_serial
from tui.print_summary import again_headline, batch_headline, batch_table, log_line, reprint_lines
from tui.screens.base import StudyScreen
from tui.screens.dialogs import ConfirmDialog, PromptDialog
from tui.screens.palette import ScreenCommands
from tui.styles import stylesheet
from tui.widgets import plain
from tui.widgets.distribution_grid import DistributionGrid
from tui.widgets.mode_bar import ModeBar

PAPERS = [("A4", "A4"), ("Letter", "letter")]
# Failures a print job reports in words; nothing else should reach the person as a traceback.
REPORTED = (SurveyDeskError, OSError)


class PrintScreen(StudyScreen):
    """Batches of forms for a wave, reprints, and the forms issued so far."""

    CSS = stylesheet("printing.tcss")  # scoped to this screen

    BINDINGS = [
        Binding("ctrl+b", "print_batch", "Print batch", tooltip="issue the grid's forms and write the PDFs"),
        Binding("ctrl+r", "reprint", "Reprint", tooltip="print a lost form again with its serial"),
        Binding("ctrl+o", "open_plan", "Plan CSV", tooltip="load a distribution plan from a CSV file"),
        Binding("ctrl+t", "toggle_paper", "Paper", tooltip="switch between A4 and Letter"),
        Binding("ctrl+l", "toggle_issued", "Issued/plan", tooltip="show the forms issued so far, or the plan"),
        Binding("ctrl+g", "write_again", "Files again",
                tooltip="write the PDFs of forms already issued in the wave again, without new serials"),
    ]
    EXTRA_COMMANDS = [
        ("Print: write a specimen", "a SPECIMEN of the wave's form, for checking the layout", "specimen"),
        ("Print: clear the grid", "set every count to 0", "clear_grid"),
    ]
    COMMANDS = {ScreenCommands}

    class Progress(Message):
        def __init__(self, done: int, total: int, what: str):
            super().__init__()
            self.done, self.total, self.what = done, total, what

    class Finished(Message):
        """A print job ended: what to show, and whether the store changed."""

        def __init__(self, status: str, report: RenderableType, *, ok: bool, changed: bool,
                     issued: bool = False):
            super().__init__()
            self.status, self.report, self.ok, self.changed = status, report, ok, changed
            self.issued = issued  # the grid's batch was issued

    wave: str | None = None

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        waves = [w.name for w in self.app.study.waves()]
        self.wave = self.app.study.working_wave(self.app.wave_name)
        yield Header()
        yield ModeBar("print")
        with TabbedContent(id="print-tabs", initial="tab-plan"):
            with TabPane("Plan", id="tab-plan"):
                with Horizontal(id="print-options"):
                    yield Label("Wave", classes="print-label")
                    yield Select([(plain(name), name) for name in waves], value=self.wave or Select.NULL,
                                 allow_blank=not waves, prompt="no waves", compact=True, id="print-wave")
                    yield Label("Paper", classes="print-label")
                    yield Select(PAPERS, value="A4", allow_blank=False, compact=True, id="print-paper")
                    yield Label("Folder", classes="print-label")
                    yield Input(str(DEFAULT_EXPORTS), compact=True, id="print-out",
                                tooltip="forms go to FOLDER/<wave>/forms/")
                with Horizontal(id="print-plan-row"):
                    yield Label("Plan CSV", classes="print-label")
                    yield Input(placeholder="path of a plan CSV, then Enter", compact=True, id="print-plan-path")
                yield DistributionGrid(self.key, id="print-grid")
                yield Static(plain(self._idle_status()), id="print-status")
                yield ProgressBar(id="print-progress", show_eta=False)
                with VerticalScroll(id="print-report-scroll"):
                    yield Static("", id="print-report")
            with TabPane("Issued forms", id="tab-issued"):
                yield Static("", id="issued-summary")
                yield DataTable(id="issued-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#issued-table", DataTable)
        table.add_columns("Serial", "Code", "School", "Batch", "Printed at", "Prints")
        self.refresh_issued()
        self.first_cell().focus()

    @property
    def key(self) -> ParticipantKey:
        """The wave's participant key (the app's instrument's until there is a wave)."""
        return (self.app.study.wave(self.wave).instrument if self.wave else self.app.instrument).key

    @property
    def grid(self) -> DistributionGrid:
        return self.query_one("#print-grid", DistributionGrid)

    def first_cell(self) -> Input:
        return self.grid.cell(self.key.school_letters[0], self.key.role_digits[0])

    def _idle_status(self) -> str:
        if not self.wave:
            return "No wave yet: add one (surveydesk wave add 2015) before printing forms."
        return f"Wave {self.wave}: type how many forms each school office needs, then ctrl+b to print."

    def palette_commands(self) -> list[tuple[str, str, str]]:
        commands = []
        for binding in self.BINDINGS:
            if isinstance(binding, Binding):
                key = self.app.get_key_display(binding)
                commands.append((f"Print: {binding.description}", f"{binding.tooltip} ({key})", binding.action))
        return commands + self.EXTRA_COMMANDS

    # --- choices -----------------------------------------------------------------------------

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "print-wave" or event.value == Select.NULL or event.value == self.wave:
            return
        old_key = self.key
        self.wave = str(event.value)
        if self.key != old_key:
            plan = self.grid.plan()
            await self.grid.remove()
            await self.mount(DistributionGrid(self.key, plan, id="print-grid"), after="#print-plan-row")
        self.set_status(self._idle_status())
        self.refresh_issued()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "print-plan-path":
            self.load_plan(event.value)

    def on_distribution_grid_changed(self, event: DistributionGrid.Changed) -> None:
        self.set_status(f"{event.plan.total} forms in the grid for wave {self.wave or '(none)'}; "
                        "ctrl+b issues and prints them.")

    def load_plan(self, text: str) -> None:
        if not text.strip():
            self.set_status("Type the path of a plan CSV, then Enter.", error=True)
            return
        path = Path(text.strip()).expanduser()
        try:
            plan = read_plan_csv(path, self.key)
        except PlanError as exc:
            self.set_status(f"{path.name} was not loaded: {len(exc.problems)} problem(s), listed below; "
                            "the grid is unchanged.", error=True)
            self.show_report(Text(str(exc)))
            return
        self.grid.set_plan(plan)
        self.set_status(f"Loaded {path.name}: {plan.total} forms. Check the grid, then ctrl+b to print.")
        self.show_report("")
        self.first_cell().focus()

    def exports(self) -> Path:
        return Path(self.query_one("#print-out", Input).value.strip() or str(DEFAULT_EXPORTS)).expanduser()

    def paper(self) -> str:
        return str(self.query_one("#print-paper", Select).value)

    # --- actions -----------------------------------------------------------------------------

    def action_open_plan(self) -> None:
        self.query_one("#print-tabs", TabbedContent).active = "tab-plan"
        self.query_one("#print-plan-path", Input).focus()

    def action_toggle_paper(self) -> None:
        select = self.query_one("#print-paper", Select)
        select.value = "letter" if select.value == "A4" else "A4"
        self.set_status(f"Paper: {'Letter' if select.value == 'letter' else 'A4'} (landscape).")

    def action_toggle_issued(self) -> None:
        tabs = self.query_one("#print-tabs", TabbedContent)
        if tabs.active == "tab-plan":
            tabs.active = "tab-issued"
            self.query_one("#issued-table", DataTable).focus()
        else:
            tabs.active = "tab-plan"
            self.first_cell().focus()

    def action_clear_grid(self) -> None:
        self.grid.set_plan(DistributionPlan())
        self.set_status("The grid is cleared: every count is 0.")

    def action_print_batch(self) -> None:
        if not self._ready() or self.wave is None:
            return
        plan = self.grid.plan()
        problems = plan.problems(self.key)
        if problems:
            self.set_status("Nothing to print: " + "; ".join(problems), error=True)
            return
        schools = ", ".join(s for s in self.key.school_letters if plan.school_total(s))
        detail = (f"Serials are recorded as issued in the study; one PDF per school office ({schools}) "
                  f"goes to {shown_path(forms_folder(self.exports(), self.wave))}/batch-N/, on "
                  f"{'Letter' if self.paper() == 'letter' else 'A4'} paper.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_status(f"Issuing {plan.total} forms ...")
                self.run_batch(self.wave, plan, self.paper(), self.exports())

        self.app.push_screen(ConfirmDialog(f"Issue {plan.total} forms in wave {self.wave}?", detail,
                                           yes="Issue and print", no="Cancel", default_yes=True, id="confirm-batch"),
                             answered)

    def action_reprint(self, serial: str = "") -> None:
        if not self._ready():
            return

        def chosen(value: str | None) -> None:
            if value:
                self.set_status(f"Reprinting serial {value} ...")
                self.run_reprint(self.wave, value, self.paper(), self.exports())

        self.app.push_screen(PromptDialog("Reprint a lost form with the same serial", serial,
                                          detail="Serial (type or scan it):", placeholder="e.g. 0000130",
                                          restrict=r"[0-9 -]*", max_length=16, parse=normalise_serial,
                                          ok="Reprint", id="reprint"), chosen)

    def action_write_again(self) -> None:
        if self._ready():
            self.set_status(f"Writing the files of the forms issued in wave {self.wave} again ...")
            self.run_again(self.wave, self.paper(), self.exports())

    def action_specimen(self) -> None:
        if self._ready():
            self.run_specimen(self.wave, self.paper(), self.exports())

    def _ready(self) -> bool:
        if not self.wave:
            self.set_status(self._idle_status(), error=True)
            return False
        if any(w.is_running for w in self.workers if w.group == "print"):
            self.set_status("A print job is still running; wait for it to finish.", error=True)
            return False
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-issued":  # entry stations may have changed the store meanwhile
            self.refresh_issued()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_reprint(str(event.row_key.value))

    # --- jobs (threads) -----------------------------------------------------------------------

    def _progress(self, done: int, total: int, what: str) -> None:
        self.post_message(self.Progress(done, total, what))

    def _job(self, body: Callable[[], Finished]) -> None:
        """Run one print job and post what it did; reported failures become messages."""
        try:
            self.post_message(body())
        except BatchFilesError as exc:
            self.post_message(self.Finished(
                f"Batch {exc.batch}: serials issued, files not written.",
                Text(f"{exc}\nPress ctrl+g (Files again) to write them.", style="red"), ok=False, changed=True,
                issued=True))
        except REPORTED as exc:
            self.post_message(self.Finished("Not done: " + str(exc).splitlines()[0], Text(str(exc)), ok=False,
                                            changed=False))

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def run_batch(self, wave: str, plan: DistributionPlan, paper: str, exports: Path) -> None:
        def body() -> PrintScreen.Finished:
            result = issue_batch(self.app.study, wave, plan, operator=self.app.operator, exports=exports,
                                 paper=paper, progress=self._progress)
            warning = missing_returns_warning(self.app.study, wave)
            report = Group(Text(batch_headline(result, paper)), batch_table(result.files),
                           Text(log_line(result.issue_log)), *([Text(warning, style="bold yellow")] if warning else []))
            return self.Finished(f"Printed batch {result.batch}: {len(result.forms)} forms issued; the grid is "
                                 "cleared.", report, ok=True, changed=True, issued=True)

        self._job(body)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def run_reprint(self, wave: str, serial: str, paper: str, exports: Path) -> None:
        def body() -> PrintScreen.Finished:
            result = reprint_form(self.app.study, wave, serial, operator=self.app.operator, exports=exports,
                                  paper=paper)
            return self.Finished(f"REPRINT of serial {result.form.serial} written.",
                                 Group(*map(Text, reprint_lines(result))), ok=True, changed=True)

        self._job(body)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def run_again(self, wave: str, paper: str, exports: Path) -> None:
        def body() -> PrintScreen.Finished:
            written, log = rewrite_batches(self.app.study, wave, exports=exports, paper=paper,
                                           progress=self._progress)
            report = Group(Text(again_headline(wave, written, paper)), *map(batch_table, written),
                           Text(log_line(log)))
            return self.Finished("Files written again (no new serials).", report, ok=True, changed=False)

        self._job(body)

    @work(thread=True, exclusive=True, exit_on_error=False, group="print")
    def run_specimen(self, wave: str, paper: str, exports: Path) -> None:
        from tui.domain.paper import output_file, specimen_name, write_sample_form

        def body() -> PrintScreen.Finished:
            instrument = self.app.study.wave(wave).instrument
            target = output_file(forms_folder(exports, wave), specimen_name(instrument, paper))
            result = write_sample_form(instrument, target, paper=paper, wave=wave)
            return self.Finished("SPECIMEN written.", Text(f"SPECIMEN: {shown_path(result.path)} "
                                                           f"({result.pages} pages); its serial is refused at entry"),
                                 ok=True, changed=False)

        self._job(body)

    def on_print_screen_progress(self, message: Progress) -> None:
        self.add_class("-printing")
        self.query_one("#print-progress", ProgressBar).update(total=message.total, progress=message.done)
        self.set_status(f"Writing {message.what} (form {message.done} of {message.total}) ...")

    def on_print_screen_finished(self, message: Finished) -> None:
        self.remove_class("-printing")
        if message.issued:  # the grid's forms are issued now: printing it twice would be a mistake
            self.grid.set_plan(DistributionPlan())
        self.set_status(message.status, error=not message.ok)
        self.show_report(message.report)
        if message.changed:
            self.refresh_issued()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "print" and event.state == WorkerState.ERROR:  # a failure nobody foresaw
            self.remove_class("-printing")
            self.set_status(f"The print job failed: {event.worker.error}", error=True)
            self.refresh_issued()

    # --- showing -------------------------------------------------------------------------------

    def set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#print-status", Static)
        status.update(plain(text))
        status.set_class(error, "-error")

    def show_report(self, report: RenderableType) -> None:
        self.query_one("#print-report", Static).update(report)

    def refresh_issued(self) -> None:
        table = self.query_one("#issued-table", DataTable)
        table.clear()
        summary = self.query_one("#issued-summary", Static)
        if not self.wave:
            summary.update("No wave yet.")
            return
        forms = self.app.study.issued_forms(self.wave)
        batch_of = {f.serial: n for n, group in enumerate(batches_of(forms), start=1) for f in group}
        for f in forms:
            table.add_row(f.serial, f.participant_code or "blank", f.school or "", str(batch_of[f.serial]),
                          shown_time(f.printed_at), str(f.print_count), key=f.serial)
        reprinted = sum(1 for f in forms if f.print_count > 1)
        batches = max(batch_of.values(), default=0)
        summary.update(plain(f"Wave {self.wave}: {len(forms)} forms issued in {batches} batch(es), {reprinted} "
                             "reprinted. Enter on a row offers to reprint it." if forms
                             else f"Wave {self.wave}: no forms issued yet."))
