"""What the entry screen shows, as Rich text built from the session (no widgets, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table
from rich.text import Text

from tui.domain.entry import MISSING_KEY, MODE_TITLES, EntrySession, Mode
from tui.domain.names import printable
from tui.domain.rules import ERROR_CEILING_PER_10000

STATE_STYLE = {"done": "green", "current": "bold reverse", "missing": "red strike", "open": "dim"}


@dataclass(frozen=True)
class Progress:
    """Figures from the study, loaded in a worker after each save."""

    returned: int = 0  # on a form issued in the wave
    issued: int = 0
    unmatched: int = 0  # returns linked to no issued form: counted apart, never in ``returned``
    awaiting_second: int = 0
    open_discrepancies: int = 0
    drafts: int = 0
    errors_per_10000: float | None = None  # this operator's, found by second keying
    compared: int = 0
    # (school, role) -> (issued, returned, unmatched)
    grid: dict[tuple[str | None, int | None], tuple[int, int, int]] = field(default_factory=dict)
    error: str = ""


def status_line(session: EntrySession | None, wave: str | None, operator: str, writing: str) -> Text:
    mode = MODE_TITLES[session.mode] if session else "NO WAVE"
    text = Text.assemble((f" {mode} ", "bold reverse"), printable(f"  wave {wave or '—'} · operator {operator}"))
    if writing:
        style = {"saving": "yellow", "failed": "bold red"}.get(writing.split()[0], "green")
        text.append("   ")
        text.append(writing, style=style)
    return text


def identity_line(session: EntrySession) -> Text:
    ident = session.identity()
    if ident:
        return Text.assemble(("Paper ", "dim"), (ident, "bold"))
    if session.mode is Mode.SECOND:
        return Text("Blind second keying: the first keying's values are never shown", style="dim")
    return Text("New paper", style="dim")


def strip_line(session: EntrySession) -> Text:
    """Every section's state: done, current, missing page, still open."""
    form = session.form
    text = Text()
    current_bank = None
    for slot in form.slots:
        if slot.bank.id != current_bank:
            current_bank = slot.bank.id
            if text:
                text.append("  ")
            text.append(slot.bank.abbreviation + " ", style="bold" if form.slot and form.slot.bank.id == current_bank
                        else "")
        state = form.state_of(slot) if session.stage == "form" else ("done" if form.keyed(slot) else "open")
        if state == "missing" or (state == "current" and form.bank_missing(slot)):
            text.append(MISSING_KEY, style="red" if state == "missing" else "bold reverse red")
        else:
            text.append(slot.letter, style=STATE_STYLE[state])
    if session.stage == "form" and form.at_summary:
        text.append("  ")
        text.append(" SAVE ", style="bold reverse green")
    return text


def section_title(session: EntrySession) -> Text:
    slot = session.form.slot if session.stage == "form" else None
    if session.stage != "form":
        return Text({"ident": "Identify the paper", "code": "Participant code", "serial": "Serial",
                     "choose": "Choose the paper"}[session.stage], style="bold")
    if slot is None:
        return Text("Summary: check against the paper, then save", style="bold")
    text = Text.assemble((f"{slot.bank.abbreviation} ", "bold"), (slot.bank.title, ""),
                         ("  section ", "dim"), (slot.letter, "bold"),
                         ("  stage ", "dim"), (slot.stage, "italic"), (" (staff only)", "dim"))
    if slot.separated:
        text.append("  separate numbers with space, comma or dot", style="yellow")
    return text


def guidance(session: EntrySession) -> Text:
    """What the statements' place shows when no section is being keyed: help, a missing page, the summary."""
    if session.stage != "form":
        return _help(session)
    slot = session.form.slot
    if slot is None:
        return _summary(session)
    return Text.assemble(
        (f"The {slot.bank.abbreviation} page is marked missing.\n\n", "bold red"),
        (f"{MISSING_KEY}", "bold"), " un-marks it (its sections keep what was typed)\n",
        ("Enter", "bold"), " goes on · ", ("Backspace", "bold"), " goes back")


def _summary(session: EntrySession) -> Text:
    text = Text.assemble(("Every section is keyed. ", "bold"), "Check the counts against the paper:\n\n")
    for abbreviation, count in session.form.counts().items():
        text.append(f"  {abbreviation:<5}", style="bold")
        text.append(f"{count}\n", style="red" if count == "missing" else "")
    action = "save the changes" if session.mode is Mode.EDIT else "save and start the next paper"
    text.append("\n")
    text.append_text(Text.assemble(("Enter", "bold"), " or ", ("ctrl+s", "bold"), f" {action} · ",
                                   ("Backspace", "bold"), " goes back to correct a section"))
    return text


def _help(session: EntrySession) -> Text:
    if session.stage == "choose":
        return Text("Several returns fit: choose the paper in the list.")
    if session.stage == "serial":
        text = Text.assemble("Type or scan the serial printed on the form, then ", ("Enter", "bold"),
                             ".\nEnter alone removes the serial · ", ("Backspace", "bold"), " goes back")
        if session.candidates:
            text.append(f"\n\nForms issued to {session.code} not yet returned:\n", style="dim")
            text.append("  ".join(f.serial for f in session.candidates[:24]))
            if len(session.candidates) > 24:
                text.append(f"  … {len(session.candidates) - 24} more", style="dim")
        return text
    if session.stage == "code":
        return Text.assemble("Type the participant code written on the form: school letter and role digit, "
                             "e.g. ", ("A2", "bold"), ". It moves on by itself.")
    what = {Mode.FIRST: "the paper to key", Mode.SECOND: "the paper to key a second time (blind)",
            Mode.EDIT: "the return to change"}[session.mode]
    return Text.assemble(
        f"Identify {what}: type the participant code (", ("A2", "bold"), ", ", ("e5", "bold"),
        "; it moves on by itself)\nor scan / type the serial and press ", ("Enter", "bold"), ".\n\n",
        "Then each section: the numbers of the highlighted statements (", ("134", "bold"),
        ") and Enter;\nEnter alone = none highlighted · ", (MISSING_KEY, "bold"), " = bank page missing · ",
        ("Backspace", "bold"), " on an empty line goes back.")


def progress_lines(session: EntrySession, progress: Progress, operator: str) -> tuple[Text, Text]:
    """The progress at 80 columns, on two lines: this session and the operator's error rate; the
    wave's returned/issued, unmatched, awaiting second keying and open discrepancies."""
    f = session.figures
    rate = f"{f.returns_per_hour:,.0f}/h" if f.returns_per_hour else "—/h"
    keys = f"{f.keystrokes_per_hour:,.0f} keys/h" if f.keystrokes_per_hour else "— keys/h"
    first = Text.assemble(("Session ", "dim"), (f"{f.returns}", "bold"), f" · {rate} · {keys}")
    first.append(" │ ", style="dim")
    errors = progress.errors_per_10000
    first.append(f"{operator} errors ")
    first.append(f"{errors:.0f}/10,000" if errors is not None else "—/10,000",
                 style="bold red" if errors is not None and errors > 50 else "")
    if errors is not None:
        first.append(f" of {progress.compared:,} checked", style="dim")
    second = Text.assemble(("Wave ", "dim"), f"returned {progress.returned}/{progress.issued}")
    if progress.unmatched:
        second.append(f" +{progress.unmatched} unmatched", style="yellow")
    second.append(f" · {progress.awaiting_second} await 2nd · ")
    n = progress.open_discrepancies
    second.append(f"{n} open discrepanc{'y' if n == 1 else 'ies'}",
                  style="bold yellow" if progress.open_discrepancies else "")
    if progress.error:
        second = Text(progress.error, style="red")
    return first, second


def progress_panel(session: EntrySession, progress: Progress, operator: str) -> Table:
    f = session.figures
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim")
    table.add_column(justify="right")
    table.add_row("This session", Text(f"{f.returns} returns", style="bold"))
    table.add_row("returns/hour", f"{f.returns_per_hour:,.0f}" if f.returns_per_hour else "—")
    table.add_row("keys/hour", f"{f.keystrokes_per_hour:,.0f}" if f.keystrokes_per_hour else "—")
    table.add_row("", "")
    table.add_row("Wave", "")
    table.add_row("returned", f"{progress.returned} of {progress.issued} issued")
    table.add_row("unmatched", Text(str(progress.unmatched), style="yellow" if progress.unmatched else ""))
    table.add_row("await 2nd keying", str(progress.awaiting_second))
    table.add_row("open discrepancies", Text(str(progress.open_discrepancies),
                                             style="bold yellow" if progress.open_discrepancies else ""))
    rate = progress.errors_per_10000
    table.add_row(f"{operator} errors", Text(f"{rate:.0f}/10,000" if rate is not None else "—",
                                             style="bold red" if rate is not None and rate > ERROR_CEILING_PER_10000 else ""))
    if progress.error:
        table.add_row("", Text(progress.error, style="red"))
    return table


def completeness_grid(progress: Progress) -> Group | Text:
    """Returned / issued per school x role."""
    schools = sorted({s for s, _ in progress.grid if s is not None})
    roles = sorted({r for _, r in progress.grid if r is not None})
    if not schools:
        return Text("No forms issued yet", style="dim")
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("")
    for role in roles:
        table.add_column(str(role), justify="right")
    for school in schools:
        cells = []
        for role in roles:
            issued, returned, unmatched = progress.grid.get((school, role), (0, 0, 0))
            style = "green" if issued and returned >= issued else ("" if returned else "dim")
            cell = Text(f"{returned}/{issued}", style=style)
            if unmatched:
                cell.append(f"+{unmatched}", style="yellow")
            cells.append(cell)
        table.add_row(Text(school, style="bold"), *cells)
    return Group(Text("returned/issued per school × role (+unmatched)", style="dim"), table)


__all__ = ["Progress", "completeness_grid", "identity_line", "progress_lines", "progress_panel",
           "guidance", "section_title", "status_line", "strip_line"]
