"""Heads-down keying of paper returns: first keying, blind second keying, edits.

The screen is thin: every keystroke goes to the EntrySession (tui.domain.entry.session) through
the KeyingLine, synchronously; the screen shows what the session says and runs the writes it
queues, in order, on one writer thread. Progress figures are read in a worker after each save,
never on the keystroke path.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from tui.domain.entry import (
    DeleteJob,
    DiscardDraftJob,
    DraftJob,
    EntrySession,
    Mode,
    Outcome,
    SaveJob,
    saved_message,
    typed_positions,
    wave_name_refusal,
)
from tui.domain.names import printable
from tui.domain.returns import summary as answers_summary
from tui.domain.store import Draft, InputError, ReturnRecord, StoreError, check_operator
from tui.screens.base import StudyScreen
from tui.screens.dialogs import ConfirmDialog, PickDialog, PromptDialog
from tui.screens.palette import ScreenCommands
from tui.screens.resolve import ResolveScreen
from tui.styles import stylesheet
from tui.widgets import entry_views as views
from tui.widgets.keying_line import KeyingLine
from tui.widgets.mode_bar import ModeBar
from tui.widgets.statements_view import StatementsView
from tui.widgets.text_line import TextLine
from tui.widgets.write_queue import WriteDone, WriteFailed, WriteQueue, wait_for_a_gap

log = logging.getLogger("surveydesk")

PROGRESS_EVERY_S = 20.0


class ProgressLoaded(Message):
    def __init__(self, progress: views.Progress) -> None:
        super().__init__()
        self.progress = progress


class EntryScreen(StudyScreen):
    """Key paper returns of the current wave."""

    CSS = stylesheet("entry.tcss")  # scoped to this screen

    AUTO_FOCUS = "#entry-line"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    COMMANDS = {ScreenCommands}

    # The footer holds what fits at 80 columns; F1 (or ?) lists every key (keys_help).
    BINDINGS = [
        Binding("f1", "app.keys", "Keys", id="entry-keys"),
        Binding("ctrl+s", "save", "Save", id="entry-save"),
        Binding("shift+tab", "session('back')", "Back", key_display="⇧⇥", id="entry-back"),
        Binding("minus", "session('toggle_missing')", "Missing", key_display="-", id="entry-missing"),
        Binding("ctrl+r", "session('jump_to_serial')", "Serial", show=False, id="entry-serial"),
        Binding("ctrl+n", "session('new_form')", "New form", show=False, id="entry-new"),
        Binding("f7", "drafts", "Drafts", id="entry-drafts"),
        Binding("f8", "second_keying", "2nd", id="entry-second"),
        Binding("f9", "resolve", "Resolve", id="entry-resolve"),
        Binding("f12", "edit", "Edit", id="entry-edit"),
        Binding("ctrl+t", "delete_return", "Delete", id="entry-delete"),
        Binding("ctrl+o", "operator", "Operator", show=False, id="entry-operator"),
        Binding("f11", "scan_review", "Scan review", show=False, id="entry-scan-review"),
    ]
    KEYS_TITLE = "Keys of the entry screen (F3)"

    def __init__(self) -> None:
        super().__init__()
        self.session: EntrySession | None = None
        self.writes: WriteQueue | None = None
        self.progress = views.Progress()
        self.writing = ""
        self._shown: dict[str, object] = {}
        self._message_kind = ""
        self._choosing = False
        self._drafts: dict[str, Draft] = {}
        self._progress_loading = False
        self._progress_again = False

    # --- layout --------------------------------------------------------------------------------

    def keys_help(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key of this screen, for the keys list (F1 or ?)."""
        return [
            ("Identify the paper", [
                ("A–Z then a digit", "the participant code (e5 is fine); moves on by itself"),
                ("digits, Enter", "a serial, typed or scanned; fills the code in from the issued form"),
                ("ctrl+r", "add or change the serial (Enter alone removes it)"),
            ]),
            ("Each section", [
                ("digits, Enter (or Tab)", "the highlighted statements (134); Enter alone = none"),
                ("-", "the bank's page is missing (again on a missing page: un-mark it)"),
                ("Backspace on an empty line, Shift+Tab", "back one section (it keeps what its line shows)"),
                ("← → Home End Delete", "edit within the line"),
            ]),
            ("The form", [
                ("Enter on the summary, ctrl+s", "save and start the next paper (ctrl+s: the line counts)"),
                ("ctrl+n", "next paper; this one is kept as a draft, its line too"),
            ]),
            ("Modes and lists", [
                ("F7", "drafts: Enter resumes one, Delete discards it (asks first)"),
                ("F8", "second keying on/off (blind, by another operator)"),
                ("F9", "resolve the differences between two keyings, 1 or 2 each"),
                ("F11", "scan review: the statements the scan reader was unsure of"),
                ("F12", "edit a stored return on/off; ctrl+t deletes it (asks why)"),
                ("ctrl+o", "change operator"),
                ("ctrl+p", "command palette: also change wave, add a wave"),
                ("Esc or ctrl+g", "cancel a dialog; y / n answer a question"),
            ]),
        ]

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [
            ("Entry: new form", "Leave this paper (kept as a draft) and start on the next",
             "session('new_form')"),
            ("Entry: first keying", "Key papers for the first time", "first_keying"),
            ("Entry: second keying (blind)", "Key a paper again, without seeing the first keying", "second_keying"),
            ("Entry: resolve discrepancies", "Choose the right value where two keyings differ", "resolve"),
            ("Entry: edit a return", "Find a return by serial or code and change it (audited)", "edit"),
            ("Entry: resume a draft", "Continue a form part-way through keying", "drafts"),
            ("Entry: change operator", "Who is at the keyboard (for the audit trail and statistics)", "operator"),
            ("Entry: change wave", "Key returns of another wave, or add one", "change_wave"),
            ("Entry: scan review", "Check the statements the scan reader was unsure of, one key each", "scan_review"),
        ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("entry")
        yield TextLine(id="entry-status")
        yield TextLine(id="entry-identity")
        yield TextLine(id="entry-strip")
        with Horizontal(id="entry-body"):
            with Vertical(id="entry-main"):
                yield TextLine(id="entry-section-title")
                yield StatementsView(id="entry-statements")
                with Horizontal(id="entry-line-row"):
                    yield TextLine(id="entry-prompt")
                    yield KeyingLine(id="entry-line")
                yield Static(id="entry-message")
            with VerticalScroll(id="entry-progress"):
                yield Static(id="progress-figures")
                yield Static(id="progress-grid")
        yield TextLine(id="entry-progress-line")
        yield TextLine(id="entry-progress-line2")
        # The palette is one key away in the keys list (F1): the footer's room goes to keying keys.
        yield Footer(compact=True, show_command_palette=False)

    @property
    def line(self) -> KeyingLine:
        return self.query_one("#entry-line", KeyingLine)

    def show_title(self) -> None:
        """The title bar: the study (its label says SYNTHETIC DEMO on the demo) first, so 80
        columns show it; the wave and operator are on the status line just below."""
        label = self.app.study.setting("label")
        self.sub_title = self.app.study.name + (f" · {label}" if label else "")

    def on_mount(self) -> None:
        self.show_title()
        line = self.line
        line.on_step = self.after_step
        self.writes = WriteQueue(self, self.app.study, last_key=lambda: line.last_key_at)
        self.writes.start()
        # Other stations key into the same study: the figures follow them too.
        self.set_interval(PROGRESS_EVERY_S, self.load_progress)
        self.start_session(Mode.FIRST, offer_drafts=True)

    def on_screen_resume(self) -> None:
        # The keying wave changes only here, deliberately (change wave, add a wave): the analysis
        # screen looking at another wave must not move the next paper into it. The operator is the
        # app's (the audit trail names who is at the keyboard).
        s = self.session
        if s is not None and s.operator != self.app.operator:
            self.start_session(s.mode, offer_drafts=True)
        elif s is None and self.app.current_wave() is not None:
            self.start_session(Mode.FIRST, offer_drafts=True)
        elif s is not None:
            s.forget_issued()  # forms may have been printed meanwhile
            self.load_progress()  # a resolution, a print run, an import may have changed the figures

    def on_unmount(self) -> None:
        if self.writes is not None:
            self.writes.stop(timeout=30)

    def keep_before_quit(self) -> None:
        """ctrl+q: the form on screen, the line too, is kept as a draft (written before the app
        closes: on_unmount waits for the writer); the next start offers it."""
        if self.session is not None and self.session.keep_as_draft("quit"):
            self.queue_jobs()

    def unsaved_work(self) -> str:
        """What quitting would lose (the app asks first): only an edit of a stored return, which
        is not a draft."""
        s = self.session
        if s is not None and s.unsaved_edit() and s.record is not None:
            return f"Entry: changes to return #{s.record.id} ({s.record.participant_code}) are not saved"
        return ""

    # --- session -------------------------------------------------------------------------------

    def start_session(self, mode: Mode, *, offer_drafts: bool = False, wave_name: str | None = None) -> None:
        """A new session: ``wave_name`` when the clerk chose a wave here, else the wave being keyed
        (the app's wave the first time)."""
        # The form on screen (another wave or operator is coming) is kept as a draft, line and all.
        kept = self.session is not None and self.session.keep_as_draft()
        if kept:
            self.queue_jobs()
        name = wave_name or (self.session.wave.name if self.session is not None else self.app.wave_name)
        wave = self.app.study.wave(name) if name else None
        if wave is None:
            self.session = None
            self.line.session = None
            self.line.disabled = True
            self.say("This study has no wave yet: add one to start keying.", "note")
            self.render_all()
            self._now_or_after_mount(self.action_add_wave)
            return
        self.session = EntrySession(self.app.study, wave, self.app.operator, mode)
        self.session.before_read = self.records_landed
        self.line.session = self.session
        self.line.disabled = False
        self.line.refresh()
        self.render_all()
        self.refresh_bindings()
        self.load_progress()
        if kept:
            self.say("the form was kept as a draft (F7 to resume)", "note")
        if offer_drafts:
            self._now_or_after_mount(self.offer_drafts, True)

    def _now_or_after_mount(self, callback, *args) -> None:
        """A dialog opened now when the screen is up (so keys typed next go into it), or once it is."""
        if self.is_mounted:
            callback(*args)
        else:
            self.call_after_refresh(callback, *args)

    def apply(self, outcome: Outcome) -> None:
        """Show what the session said after a key or an action, and queue its writes."""
        self.line.refresh()
        if outcome.refused:
            self.refuse(outcome.refused)
        elif outcome.note:
            self.say(outcome.note, "note")
        elif self._message_kind == "refused":
            self.say("", "")
        self.queue_jobs()
        self.render_all()
        if outcome.ask_reason:
            self.ask_edit_reason()
        if self.session is not None and self.session.stage == "choose" and not self._choosing:
            self.choose_return()

    def records_landed(self) -> None:
        """Before an identity look-up: this station's queued saves, deletes and resolutions land
        first (drafts cannot change what a look-up finds)."""
        if self.writes is not None:
            self.writes.land(drafts=False)

    def writes_landed(self) -> None:
        """Before a read on the keyboard's path: this station's queued writes land first."""
        if self.writes is not None:
            self.writes.land()

    def queue_jobs(self) -> None:
        if self.session is None or self.writes is None:
            return
        for job in self.session.take_jobs():
            if isinstance(job, SaveJob):
                self.writing = f"saving {job.participant_code}…"
            self.writes.put(job)

    def refuse(self, message: str) -> None:
        self.app.bell()
        self.say(message, "refused")

    def say(self, message: str, kind: str = "note") -> None:
        self._message_kind = kind
        style = {"refused": "bold red", "saved": "green", "failed": "bold red", "note": "cyan"}.get(kind, "")
        self._update("#entry-message", Text(("✗ " if kind in ("refused", "failed") else "") + message, style=style),
                     (message, kind))

    # --- rendering -----------------------------------------------------------------------------

    def _update(self, selector: str, renderable, key: object, *, layout: bool = False) -> None:
        """Update a line or panel only when what it shows changed. All are sized by the
        stylesheet, so no layout pass is needed (that keeps a keystroke cheap)."""
        if self._shown.get(selector) == key:
            return
        self._shown[selector] = key
        widget = self.query_one(selector)
        if isinstance(widget, TextLine):
            widget.update(renderable)
        elif isinstance(widget, Static):
            widget.update(renderable, layout=layout)

    def render_all(self) -> None:
        s = self.session
        self._update("#entry-status", views.status_line(s, self.app.wave_name, self.app.operator, self.writing),
                     (s.mode if s else None, self.app.wave_name, self.app.operator, self.writing))
        if s is None:
            return
        form = s.form
        signature = (s.token, s.stage, form.at, tuple(sorted(form.positions.items())), tuple(sorted(form.missing)))
        self._update("#entry-identity", views.identity_line(s), (s.token, s.mode, s.identity()))
        self._update("#entry-strip", views.strip_line(s), signature)
        self._update("#entry-section-title", views.section_title(s), (s.token, s.stage, form.at, form.at_missing_bank))
        self._update("#entry-prompt", Text(s.prompt() + " ›", style="bold"), s.prompt())
        self.render_statements()
        self.render_progress()

    def render_statements(self) -> None:
        s = self.session
        if s is None:
            return
        form, view = s.form, self.query_one(StatementsView)
        slot = form.slot
        if s.stage == "form" and slot is not None and not form.bank_missing(slot):
            self._shown.pop("guidance", None)
            view.show_section(slot, typed_positions(slot, s.text))
            return
        key = (s.token, s.mode, s.stage, form.at, tuple(form.counts().items()) if form.at_summary else ())
        if self._shown.get("guidance") != key:
            self._shown["guidance"] = key
            view.show(views.guidance(s))

    def render_progress(self) -> None:
        s = self.session
        if s is None:
            return
        f = s.figures
        key = (f.returns, f.keystrokes, round(f.seconds), self.progress, self.app.operator)
        first, second = views.progress_lines(s, self.progress, self.app.operator)
        self._update("#entry-progress-line", first, ("1", key))
        self._update("#entry-progress-line2", second, ("2", key))
        self._update("#progress-figures", views.progress_panel(s, self.progress, self.app.operator), key)
        # The grid grows with the schools and roles issued: only then is a layout pass needed.
        shape = (len({k[0] for k in self.progress.grid}), len({k[1] for k in self.progress.grid}))
        self._update("#progress-grid", views.completeness_grid(self.progress), ("grid", self.progress),
                     layout=shape != self._shown.get("grid-shape"))
        self._shown["grid-shape"] = shape

    # --- keys from the keying line ---------------------------------------------------------------

    def after_step(self, outcome: Outcome | None) -> None:
        """Called by the keying line, in the same handler as the key: one repaint per keystroke."""
        if outcome is not None:
            self.apply(outcome)
            return
        if self._message_kind == "refused":
            self.say("", "")
        self.queue_jobs()  # the draft follows the line
        self.render_statements()

    def on_keying_line_stepped(self, event: KeyingLine.Stepped) -> None:
        event.stop()
        self.after_step(event.outcome)

    # --- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_return":
            s = self.session
            return s is not None and s.mode is Mode.EDIT and s.record is not None
        return True

    def _with_session(self) -> EntrySession | None:
        if self.session is None:
            self.refuse("add a wave first")
        return self.session

    def action_save(self) -> None:
        if s := self._with_session():
            self.apply(s.save_now())

    def action_session(self, method: str) -> None:
        """Keys that only move the form: back, page missing, serial, new form."""
        if s := self._with_session():
            self.apply(getattr(s, method)())

    def _switch(self, mode: Mode) -> None:
        if s := self._with_session():
            outcome = s.set_mode(mode)
            self.apply(outcome)
            title = {Mode.FIRST: "First keying", Mode.SECOND: "Second keying: blind, by a different operator",
                     Mode.EDIT: "Edit a return: type its code or scan its serial"}[mode]
            self.say(f"{title} · {outcome.note}" if outcome.note else title, "note")
            self.refresh_bindings()

    def action_first_keying(self) -> None:
        self._switch(Mode.FIRST)

    def action_second_keying(self) -> None:
        s = self.session
        self._switch(Mode.FIRST if s is not None and s.mode is Mode.SECOND else Mode.SECOND)

    def action_edit(self) -> None:
        s = self.session
        self._switch(Mode.FIRST if s is not None and s.mode is Mode.EDIT else Mode.EDIT)

    def action_resolve(self) -> None:
        s = self._with_session()
        if s is None or self.writes is None:
            return
        self.writes_landed()  # the differences a second keying just saved are there to resolve
        self.app.push_screen(ResolveScreen(wave=s.wave.name, instrument=s.instrument, operator=s.operator,
                                           writes=self.writes), callback=lambda _: self.load_progress())

    # --- choosing a return (second keying, edit) ---------------------------------------------------

    def choose_return(self) -> None:
        s = self.session
        if s is None:
            return
        self._choosing = True
        blind = s.mode is Mode.SECOND
        options = [(str(r.id), self._describe_return(r, blind)) for r in s.choices]
        hint = ("Blind: the values keyed first are not shown." if blind
                else "Each return with its counts per bank.")
        self.app.push_screen(PickDialog(f"{len(options)} returns fit: which paper is in your hand?", options,
                                       hint=hint, id="choose-return", then=self._chosen))

    def _describe_return(self, r: ReturnRecord, blind: bool) -> Text:
        first = r.passes[0] if r.passes else None
        text = Text.assemble((f"#{r.id} ", "bold"), r.participant_code,
                             (f" · serial {r.serial}" if r.serial else " · no serial"),
                             f" · keyed by {first.operator if first else r.created_by} "
                             f"{(first.saved_at if first else r.created_at)[:16].replace('T', ' ')}")
        if not blind:
            counts = answers_summary(self.session.instrument, r.answers) if self.session else {}
            text.append(" · " + " ".join(f"{k} {v}" for k, v in counts.items()) + f" · {r.status}", style="dim")
        return text

    def _chosen(self, result: tuple[str, str] | None) -> None:
        self._choosing = False
        s = self.session
        if s is None:
            return
        if result is None:
            self.apply(s.back())
            return
        record = next(r for r in s.choices if str(r.id) == result[1])
        self.apply(s.open_return(record))

    # --- drafts --------------------------------------------------------------------------------

    def offer_drafts(self, on_entry: bool = False) -> None:
        s = self.session
        if s is None:
            return
        self.writes_landed()
        drafts = self.app.study.drafts(wave=s.wave.name, operator=s.operator)
        if not drafts:
            if not on_entry:
                self.say(printable(f"no drafts of {s.operator} in wave {s.wave.name}"), "note")
            return
        options = [(str(d.id), self._describe_draft(d)) for d in drafts]
        self._drafts = {str(d.id): d for d in drafts}
        quit_ = [d for d in drafts if d.state.get("kept") == "quit"]
        hint = "Resume one, or Esc to start a new paper."
        if quit_:
            hint = (f"{quit_[-1].participant_code} was on screen when SurveyDesk was closed: kept here as it was, "
                    "the line too. " + hint)
        self.app.push_screen(PickDialog(f"Forms part-way through keying ({s.operator}, wave {s.wave.name})",
                                       options, hint=hint,
                                       extra=("delete", "discard", "Discard draft"), id="drafts",
                                       then=self._draft_chosen))

    def _describe_draft(self, d: Draft) -> Text:
        at = d.state.get("at") or []
        where = "summary" if at == ["summary"] else " ".join(str(x) for x in at).upper() or "start"
        return Text.assemble((f"{d.participant_code}", "bold"),
                             f" · {'second keying' if d.pass_no == 2 else 'first keying'}",
                             (f" · serial {d.serial}" if d.serial else ""), f" · at {where}",
                             (f" (line {d.state['line']!r})" if d.state.get("line") else ""),
                             (" · kept on quit" if d.state.get("kept") == "quit" else ""),
                             (f" · {d.updated_at[:16].replace('T', ' ')}", "dim"))

    def _draft_chosen(self, result: tuple[str, str] | None) -> None:
        s = self.session
        if result is None or s is None:
            return
        action, draft_id = result
        draft = self._drafts[draft_id]
        if action == "discard":
            # A draft is keyed data: discarding it is asked first (No is the default, Enter keeps it).
            self.app.push_screen(ConfirmDialog(
                f"Discard the draft of {draft.participant_code}?",
                "Its keyed sections are deleted (the audit trail keeps them).", yes="Discard", no="Keep",
                id="confirm-discard", then=lambda yes: self._discard(draft) if yes else self.offer_drafts()))
            return
        self.apply(s.resume(draft))
        self.refresh_bindings()

    def _discard(self, draft: Draft) -> None:
        s = self.session
        if s is None or self.writes is None:
            return
        self.writes.put(DiscardDraftJob(0, operator=s.operator, draft_id=draft.id,
                                        reason="discarded at the entry screen"))
        self.say(f"draft of {draft.participant_code} discarded", "note")

    def action_drafts(self) -> None:
        self.offer_drafts()

    def action_scan_review(self) -> None:
        """Scanned papers: a screen of their own (tui/screens/scan_review.py)."""
        from tui.screens.scan_review import ScanReviewScreen

        wave = self.session.wave.name if self.session is not None else self.app.wave_name  # the wave being keyed
        self.app.push_screen(ScanReviewScreen(wave=wave, operator=self.app.operator))

    # --- edit: reason and delete ----------------------------------------------------------------

    def ask_edit_reason(self) -> None:
        s = self.session
        if s is None or s.record is None:
            return
        self.app.push_screen(PromptDialog(f"Save changes to return #{s.record.id} ({s.code})",
                                       detail="Why is it changed? (recorded in the audit trail; may be left empty)",
                                       placeholder="e.g. misread JPD B against the paper", id="edit-reason",
                                       then=self._edit_reason))

    def _edit_reason(self, reason: str | None) -> None:
        if reason is not None and self.session is not None:
            self.apply(self.session.save(reason))

    def action_delete_return(self) -> None:
        s = self.session
        if s is None or s.mode is not Mode.EDIT or s.record is None:
            self.refuse("open a return in edit mode (F12) to delete it")
            return
        record = s.record
        self.app.push_screen(PromptDialog(
            f"Delete return #{record.id} ({record.participant_code})?",
            detail="This removes the return and its keyings; the audit trail keeps its values. Type the reason and "
            "press Enter to delete.", check=lambda text: None if text else "a reason is needed to delete a return",
            id="delete-reason", then=lambda reason: self._delete(record, reason)))

    def _delete(self, record: ReturnRecord, reason: str | None) -> None:
        if reason is None or self.session is None or self.writes is None:
            return
        self.writes.put(DeleteJob(0, operator=self.session.operator, return_id=record.id,
                                  expected_version=record.version, reason=reason,
                                  participant_code=record.participant_code))
        self.apply(self.session.new_form())
        self.refresh_bindings()

    # --- operator and wave ----------------------------------------------------------------------

    def action_operator(self) -> None:
        def check(text: str) -> str | None:
            try:
                check_operator(text)
            except InputError as exc:
                return str(exc)
            return None

        self.app.push_screen(PromptDialog("Who is at the keyboard?", detail="Operator initials (for the audit trail and "
                                       "the keying statistics)", value=self.app.operator, check=check,
                                       id="operator", then=self._operator_set))

    def _operator_set(self, operator: str | None) -> None:
        if not operator:
            return
        self.app.operator = check_operator(operator)
        self.app.refresh_title()
        mode = self.session.mode if self.session else Mode.FIRST
        self.start_session(mode, offer_drafts=True)
        self.say(f"operator is now {self.app.operator}", "note")

    def action_change_wave(self) -> None:
        waves = self.app.study.waves()
        options: list[tuple[str, Text | str]] = [
            (w.name, Text.assemble((w.name, "bold"), f"  {w.instrument.title} {w.instrument.version}"))
            for w in waves]
        options.append(("+new", Text("+ add a wave", style="italic")))
        self.app.push_screen(PickDialog("Key returns of which wave?", options, id="waves", then=self._wave_chosen))

    def _wave_chosen(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        if result[1] == "+new":
            self.action_add_wave()
            return
        self.app.wave_name = result[1]
        self.app.refresh_title()
        self.start_session(Mode.FIRST, offer_drafts=True, wave_name=result[1])
        self.say(f"keying wave {result[1]}", "note")

    def action_add_wave(self) -> None:
        from tui.domain.instrument import incomplete_refusal

        refusal = incomplete_refusal(self.app.instrument)
        if refusal:  # a wave freezes the instrument its forms are printed from (as `wave add` refuses)
            self.refuse(f"No wave added: {refusal}")
            return

        def check(name: str) -> str | None:
            if not name:
                return "a wave needs a name, e.g. the year"
            if any(w.name == name for w in self.app.study.waves()):
                return f"a wave named {name!r} already exists"
            return wave_name_refusal(name)

        self.app.push_screen(PromptDialog(
            "Add a wave", detail=f"The wave's name (it freezes {self.app.instrument.title} "
            f"{self.app.instrument.version} for its returns)", value=str(date.today().year), check=check,
            id="add-wave", then=self._wave_added))

    def _wave_added(self, name: str | None) -> None:
        if not name:
            return
        try:
            self.app.study.add_wave(name, self.app.instrument, operator=self.app.operator)
        except StoreError as exc:
            self.refuse(str(exc))
            return
        self.app.wave_name = name
        self.app.refresh_title()
        self.start_session(Mode.FIRST, wave_name=name)
        self.say(printable(f"wave {name} added"), "note")

    # --- results of writes ------------------------------------------------------------------------

    def on_write_done(self, message: WriteDone) -> None:
        job = message.job
        if isinstance(job, SaveJob):
            self.writing = f"saved #{message.result.record.id}" if not (self.writes and self.writes.pending) else ""
            self.say(saved_message(job, message.result), "saved")
            self.load_progress()
        elif isinstance(job, DraftJob):
            if not (self.writes and self.writes.pending):
                self.writing = "draft saved"
        elif isinstance(job, DeleteJob):
            self.say(f"return #{job.return_id} ({job.participant_code}) deleted; the audit trail keeps it", "saved")
            self.load_progress()
        self.render_all()

    def on_write_failed(self, message: WriteFailed) -> None:
        job, s = message.job, self.session
        self.app.bell()
        self.writing = "failed: see below"
        if isinstance(job, SaveJob) and s is not None:
            s.save_failed(job)
            if job.mode is Mode.EDIT:
                self.say(f"changes to return #{job.return_id} not saved: {message.error}", "failed")
            elif job.fallback is not None and s.pristine:
                self.apply(s.resume(job.fallback))
                self.say(f"save of {job.participant_code} failed: {message.error}. The form is back on screen.",
                         "failed")
            else:
                self.say(f"save of {job.participant_code} failed: {message.error}. It is kept as a draft (F7).",
                         "failed")
        else:
            self.say(f"{job.describe} failed: {message.error}", "failed")
        self.render_all()

    # --- progress ------------------------------------------------------------------------------------

    def load_progress(self) -> None:
        """Reload the study's figures in a worker; saves arriving meanwhile ask for one more reload
        afterwards instead of piling up threads that would compete with the keyboard."""
        s = self.session
        if s is None:
            return
        if self._progress_loading:
            self._progress_again = True
            return
        self._progress_loading, self._progress_again = True, False
        self._load_progress(s.wave.name, s.operator, self.line)  # widgets are looked up here, not in the thread

    @work(thread=True, group="entry-progress", exit_on_error=False)
    def _load_progress(self, wave: str, operator: str, line: KeyingLine) -> None:
        study = self.app.study

        def between_keys() -> None:
            wait_for_a_gap(lambda: line.last_key_at, time.monotonic())

        try:
            if self.writes is not None:
                # What this station queued (a resolution, a delete, a save) is counted: read after it.
                self.writes.flush(timeout=10)
            between_keys()
            status = next((row for row in study.status() if row["wave"] == wave), {})
            between_keys()
            grid = {(row["school"], row["role"]): (row["issued"], row["returned"], row["unmatched"])
                    for row in study.completeness(wave).iter_rows(named=True)}
            between_keys()
            mine = next((x for x in study.operator_stats(wave) if x.operator == operator), None)
            progress = views.Progress(
                returned=status.get("returned", 0), issued=status.get("issued", 0),
                unmatched=status.get("unmatched", 0),
                awaiting_second=status.get("awaiting_second", 0),
                open_discrepancies=status.get("discrepancies_open", 0), drafts=status.get("drafts", 0),
                errors_per_10000=mine.errors_per_10000 if mine else None,
                compared=mine.compared_statements if mine else 0, grid=grid)
        except Exception as exc:  # the figures are a convenience: say why they are missing, keep keying
            log.exception("entry progress not loaded")
            progress = views.Progress(error=f"progress not loaded: {exc}")
        self.post_message(ProgressLoaded(progress))

    def on_progress_loaded(self, message: ProgressLoaded) -> None:
        self.progress = message.progress
        self._progress_loading = False
        self.render_progress()
        if self._progress_again:
            self.load_progress()
