"""Resolve the differences between two keyings of the same paper, one at a time, by one key.

The person resolving (ideally a third, with the paper in hand) sees both values side by side with
the statement's full text and who keyed each, and presses 1 or 2. Every choice goes through
Study.resolve, which records it and who made it in the audit trail. Nothing is ever decided
without a key press.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from tui.domain.entry import ResolveJob
from tui.domain.instrument import Instrument
from tui.domain.names import printable
from tui.domain.returns import HIGHLIGHTED, NOT_HIGHLIGHTED, PAGE_MISSING, DiscrepancyKind
from tui.domain.store import Discrepancy, ReturnStatus
from tui.screens.base import StudyScreen
from tui.styles import stylesheet
from tui.widgets.ordered_keys import KeyTaker
from tui.widgets.write_queue import WriteDone, WriteFailed, WriteQueue

VALUE_WORDS = {HIGHLIGHTED: "highlighted", NOT_HIGHLIGHTED: "not highlighted", PAGE_MISSING: "page missing",
               "present": "page present", "missing": "page missing"}


def describe(instrument: Instrument, d: Discrepancy, done: dict[int, str], index: int, total: int,
             resolver: str) -> Text:
    """One discrepancy as the resolver reads it."""
    text = Text()
    text.append(f"Difference {index + 1} of {total}", style="bold")
    text.append(f"   return #{d.return_id} · participant {d.participant_code}"
                + (f" · serial {d.serial}" if d.serial else "") + "\n\n", style="dim")
    bank = next(b for b in instrument.banks if b.id == d.bank_id)
    if d.kind == DiscrepancyKind.PAGE:
        text.append(f"{bank.abbreviation} page", style="bold")
        text.append(f"  {bank.title}\n\n")
        text.append("Did this page come back? Look at the paper.\n\n")
    else:
        ref = instrument.ref_by_id(d.statement_id)
        text.append(f"{ref.code}", style="bold")
        text.append(f"  ({ref.number_code})  ", style="dim")
        text.append(f"{bank.title} · section {ref.section.letter} · stage ", style="dim")
        text.append(ref.stage, style="italic")
        text.append("\n\n")
        text.append(ref.statement.text + "\n\n")
        if ref.statement.negative:
            text.append("(negatively worded)\n\n", style="dim italic")
    for key, value, who, label in (("1", d.first_value, d.first_operator, "first keying"),
                                   ("2", d.second_value, d.second_operator, "second keying")):
        text.append(f"  {key} ", style="bold reverse")
        text.append(f"  {VALUE_WORDS.get(value, value):<17}", style="bold")
        text.append(f"{label} by {who}\n", style="dim")
    if d.id in done:
        text.append(f"\nResolved: {VALUE_WORDS.get(done[d.id], done[d.id])}", style="bold green")
    elif d.resolved_value is not None:
        text.append(f"\nResolved by {d.resolved_by}: {VALUE_WORDS.get(d.resolved_value)}", style="bold green")
    if resolver.casefold() in (d.first_operator.casefold(), d.second_operator.casefold()):
        text.append(f"\n\nYou ({resolver}) keyed one of these values yourself: a third person, looking at "
                    "the paper, catches more.", style="yellow")
    return text


class ResolveDetail(KeyTaker, Static):
    """The difference on show, and the focus of the screen: it takes no key itself, so the screen's
    bindings (1, 2, ↓, Esc) run in the App's queue, in the order the keys came (a burst of ``1 1
    Esc 2 4`` resolves two, closes, and keys 24 on the form)."""

    def take_key(self, key: str, character: str | None) -> bool:
        return False


class ResolveScreen(StudyScreen):
    """Open discrepancies of a wave (or of one return), resolved by key: 1 first value, 2 second."""

    AUTO_FOCUS = "#resolve-detail"
    CSS = stylesheet("resolve.tcss")  # scoped to this screen

    BINDINGS = [
        Binding("1", "take(1)", "First keyer's value"),
        Binding("2", "take(2)", "Second keyer's value"),
        Binding("down,n", "move(1)", "Next", key_display="↓/n"),
        Binding("up,p", "move(-1)", "Previous", key_display="↑/p"),
        Binding("f9,escape,ctrl+g", "close", "Close", key_display="F9/Esc"),
    ]

    def __init__(self, *, wave: str, instrument: Instrument, operator: str, writes: WriteQueue,
                 return_id: int | None = None):
        super().__init__()
        self.wave = wave
        self.instrument = instrument
        self.operator = operator
        self.writes = writes
        self.return_id = return_id
        self.items: list[Discrepancy] = []
        self.done: dict[int, str] = {}  # discrepancy id -> value chosen here
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="resolve-title")
        with VerticalScroll(id="resolve-body"):
            yield ResolveDetail(id="resolve-detail")
        yield Static(id="resolve-message")
        yield Footer()

    def on_mount(self) -> None:
        study = self.app.study
        self.items = study.discrepancies(self.wave, return_id=self.return_id)
        self.render_current()

    @property
    def open_count(self) -> int:
        return sum(1 for d in self.items if d.id not in self.done)

    def render_current(self) -> None:
        scope = f"return #{self.return_id}" if self.return_id else printable(f"wave {self.wave}")
        self.query_one("#resolve-title", Static).update(Text.assemble(
            (" RESOLVE DIFFERENCES ", "bold reverse"), f"  {scope} · {self.open_count} open · resolver ",
            (self.operator, "bold")))
        detail = self.query_one("#resolve-detail", Static)
        if not self.items:
            detail.update(Text("No open differences: every return keyed twice agrees, or was resolved.",
                               style="green"))
            return
        if not self.open_count:
            detail.update(Text(f"All {len(self.items)} differences resolved. F9 or Esc goes back to keying.",
                               style="bold green"))
            return
        detail.update(describe(self.instrument, self.items[self.index], self.done, self.index, len(self.items),
                               self.operator))

    def say(self, message: str, style: str = "") -> None:
        self.query_one("#resolve-message", Static).update(Text(message, style=style))

    def action_take(self, which: int) -> None:
        if not self.items or not self.open_count:
            self.app.bell()
            self.say("nothing left to resolve", "bold red")
            return
        d = self.items[self.index]
        if d.id in self.done:
            self.app.bell()
            self.say(f"{d.code} is resolved already; ↓ for the next", "bold red")
            return
        value = d.first_value if which == 1 else d.second_value
        self.done[d.id] = value
        self.writes.put(ResolveJob(0, operator=self.operator, discrepancy_id=d.id, value=value), reply_to=self)
        self.say(f"{d.code}: {VALUE_WORDS.get(value, value)} (keyer {which}) — saving…", "yellow")
        self._next_open()
        self.render_current()

    def _next_open(self) -> None:
        n = len(self.items)
        for step in range(1, n + 1):
            candidate = (self.index + step) % n
            if self.items[candidate].id not in self.done:
                self.index = candidate
                return

    def action_move(self, step: int) -> None:
        if self.items:
            self.index = (self.index + step) % len(self.items)
            self.render_current()

    def action_close(self) -> None:
        self.app.pop_screen()

    def on_write_done(self, message: WriteDone) -> None:
        if isinstance(message.job, ResolveJob):
            record = message.result
            tail = f"; return #{record.id} is now verified" if record.status == ReturnStatus.VERIFIED else ""
            self.say(f"resolution saved{tail}", "green")

    def on_write_failed(self, message: WriteFailed) -> None:
        if isinstance(message.job, ResolveJob):
            self.done.pop(message.job.discrepancy_id, None)
            self.app.bell()
            self.say(f"not saved: {message.error}", "bold red")
            self.render_current()
