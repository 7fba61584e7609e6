"""One keying station: the keying line's stages, identity look-ups, and the writes they cause.

The entry screen hands every keystroke to an EntrySession and shows what it says; the session
decides synchronously (so a barcode scanner typing at full speed can never race a message round
trip), reads the study for identity look-ups (indexed and quick), and queues every write as a
Job. The screen runs the jobs, in order, on one writer thread: a draft written after a section
can never land after the save that deleted it. No Textual here; tests drive it with strings.

Stages of the keying line:

- ``ident``: a participant code (two characters, auto-advancing) or a serial (digits + Enter);
- ``code``: a code only (a blank self-coding form, a serial never issued, or correcting the code);
- ``serial``: a serial only (jumped to after the code was typed first; Enter alone removes it);
- ``choose``: several returns fit the code; the screen shows a list to choose from;
- ``form``: the sections and the summary (see tui.domain.entry.keying.EntryForm).
"""

from __future__ import annotations

import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tui.domain.entry.keying import (
    MISSING_KEY,
    EntryForm,
    KeyingError,
    KeyMeter,
    code_refusal,
    line_refusal,
    parse_section,
    section_refusal,
    serial_refusal,
)
from tui.domain.instrument import ParticipantCodeError
from tui.domain.returns import SerialError, make_serial, parse_serial
from tui.domain.rules import utc_now
from tui.domain.store import Draft, IssuedForm, ReturnRecord, SavedReturn, StoreError, Study, Wave, claim_key


class Mode(StrEnum):
    FIRST = "first"
    SECOND = "second"
    EDIT = "edit"


MODE_TITLES = {Mode.FIRST: "FIRST KEYING", Mode.SECOND: "SECOND KEYING (blind)", Mode.EDIT: "EDIT A RETURN"}


# --- writes -------------------------------------------------------------------------------------

_tokens = itertools.count(1)


@dataclass
class Job:
    """A write to run on the writer thread. ``token`` names the form it belongs to."""

    token: int

    def run(self, study: Study, draft_ids: dict[int, int]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def describe(self) -> str:
        return type(self).__name__


@dataclass
class DraftJob(Job):
    draft: Draft = field(default_factory=lambda: Draft("", "", ""))

    def run(self, study: Study, draft_ids: dict[int, int]) -> int:
        self.draft.id = draft_ids.get(self.token, self.draft.id)
        draft_ids[self.token] = study.save_draft(self.draft)
        return draft_ids[self.token]

    @property
    def describe(self) -> str:
        return f"draft of {self.draft.participant_code}"


@dataclass
class SaveJob(Job):
    """Save a keyed form: first keying, second keying or an edit, by ``mode``."""

    mode: Mode = Mode.FIRST
    wave: str = ""
    operator: str = ""
    participant_code: str = ""
    serial: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    keystrokes: int = 0
    seconds: float = 0.0
    started_at: str | None = None
    return_id: int | None = None
    expected_version: int | None = None
    original_code: str | None = None
    original_serial: str | None = None
    reason: str = ""
    counts: dict[str, str] = field(default_factory=dict)  # per bank, for the saved message
    unmatched: bool = False  # linked to no issued form although the wave has some (counted apart)
    # The draft to restore if the save fails (so nothing keyed is lost).
    fallback: Draft | None = None

    def run(self, study: Study, draft_ids: dict[int, int]) -> SavedReturn:
        draft_id = draft_ids.get(self.token)
        try:
            if self.mode is Mode.FIRST:
                saved = study.save_return(self.wave, self.participant_code, self.answers, operator=self.operator,
                                          serial=self.serial, keystrokes=self.keystrokes, seconds=self.seconds,
                                          started_at=self.started_at, draft_id=draft_id)
            elif self.mode is Mode.SECOND:
                assert self.return_id is not None
                saved = study.save_second_pass(self.return_id, self.answers, operator=self.operator,
                                               keystrokes=self.keystrokes, seconds=self.seconds,
                                               started_at=self.started_at, draft_id=draft_id)
            else:
                assert self.return_id is not None and self.expected_version is not None
                code = self.participant_code if self.participant_code != self.original_code else None
                serial = (self.serial or "") if self.serial != self.original_serial else None
                record = study.update_return(self.return_id, operator=self.operator,
                                             expected_version=self.expected_version, answers=self.answers,
                                             participant_code=code, serial=serial, reason=self.reason)
                saved = SavedReturn(record)
        except StoreError:
            # Keep what was keyed: the complete form goes back to the drafts, to be reopened.
            if self.fallback is not None and self.mode is not Mode.EDIT:
                self.fallback.id = draft_id
                draft_ids[self.token] = study.save_draft(self.fallback)
            raise
        draft_ids.pop(self.token, None)
        return saved

    @property
    def describe(self) -> str:
        return f"save of {self.participant_code}"


@dataclass
class DiscardDraftJob(Job):
    operator: str = ""
    draft_id: int | None = None
    reason: str = ""

    def run(self, study: Study, draft_ids: dict[int, int]) -> None:
        draft_id = draft_ids.pop(self.token, None) or self.draft_id
        if draft_id is not None:
            study.discard_draft(draft_id, operator=self.operator, reason=self.reason)

    @property
    def describe(self) -> str:
        return "discard a draft"


@dataclass
class DeleteJob(Job):
    operator: str = ""
    return_id: int = 0
    expected_version: int = 0
    reason: str = ""
    participant_code: str = ""

    def run(self, study: Study, draft_ids: dict[int, int]) -> None:
        study.delete_return(self.return_id, operator=self.operator, expected_version=self.expected_version,
                            reason=self.reason)

    @property
    def describe(self) -> str:
        return f"delete of return #{self.return_id}"


@dataclass
class ResolveJob(Job):
    operator: str = ""
    discrepancy_id: int = 0
    value: str = ""

    def run(self, study: Study, draft_ids: dict[int, int]) -> ReturnRecord:
        return study.resolve(self.discrepancy_id, self.value, operator=self.operator)

    @property
    def describe(self) -> str:
        return f"resolution of discrepancy #{self.discrepancy_id}"


# --- the session ---------------------------------------------------------------------------------


def _shows(method: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """A public step of the session: afterwards the line shows what the outcome says, and the
    draft of a changed form is queued (with the line as it now stands)."""

    @functools.wraps(method)
    def step(self: EntrySession, *args: Any, **kwargs: Any) -> Outcome:
        return self._shown(method(self, *args, **kwargs))

    return step



@dataclass(frozen=True)
class Outcome:
    """What the keying line should do after a keystroke."""

    refused: str | None = None  # a message to show with a bell; the key had no effect
    line: str | None = None  # replace the line's text with this (the stage changed)
    note: str | None = None  # something to tell the operator that is not a refusal
    ask_reason: bool = False  # an edit is ready to save: ask why (then call save(reason))
    default: bool = False  # not the session's business: let the line handle it (insert, cursor keys)


ACCEPT = Outcome()
DEFAULT = Outcome(default=True)
KEPT_NOTE = "the form was kept as a draft (F7 to resume)"
BACK_KEYS = ("shift+tab",)
COMMIT_KEYS = ("enter", "tab")
CURSOR_KEYS = ("left", "right", "home", "end")
KEYS_KEY = "?"  # opens the list of the screen's keys
# Returns listed to choose from when a code fits several (codes are school + role: not unique).
MAX_CHOICES = 50


@dataclass
class SessionFigures:
    """This session's returns, keystrokes and keying time (for returns and keystrokes per hour)."""

    returns: int = 0
    keystrokes: int = 0
    seconds: float = 0.0

    @property
    def returns_per_hour(self) -> float | None:
        return self.returns / self.seconds * 3600 if self.seconds >= 1 else None

    @property
    def keystrokes_per_hour(self) -> float | None:
        return self.keystrokes / self.seconds * 3600 if self.seconds >= 1 else None


class EntrySession:
    """The keying line's state for one operator and wave; see the module docstring."""

    def __init__(self, study: Study, wave: Wave, operator: str, mode: Mode = Mode.FIRST,
                 clock: Callable[[], float] = time.monotonic):
        self.study = study
        self.wave = wave
        self.instrument = wave.instrument
        self.operator = operator
        self.mode = mode
        self._clock = clock
        self.jobs: list[Job] = []
        self.figures = SessionFigures()
        self.choices: list[ReturnRecord] = []
        # Called before the session reads the study on a key (the screen lets its queued writes land
        # first, so a look-up never depends on how fast the keys came).
        self.before_read: Callable[[], None] | None = None
        self.text = ""  # the keying line: its text and cursor are the session's (see key())
        self.cursor = 0
        self._draft_due = False
        self._kept_because = ""
        self._issued_in_wave: int | None = None
        self.token = 0
        self._new_form()

    # --- state

    def _new_form(self) -> None:
        self._flush_draft()  # the form being left keeps its draft, line and all
        self.token = next(_tokens)
        self.text, self.cursor = "", 0
        self.form = EntryForm(self.instrument)
        self.stage = "ident"
        self.code: str | None = None
        self.serial: str | None = None
        self.issued: IssuedForm | None = None
        self.record: ReturnRecord | None = None  # the return being re-keyed or edited
        self.meter = KeyMeter()
        self.started_at: str | None = None
        self.draft_started_at = ""
        self.choices = []
        self._stage_before_serial = "form"
        self.linked = False  # the serial was linked from the code (not typed or scanned)
        self.candidates: list[IssuedForm] = []  # forms issued to the code, not yet returned

    @property
    def pristine(self) -> bool:
        return self.stage == "ident" and self.code is None and self.serial is None and self.form.empty

    def keystroke(self) -> None:
        """Count one key the operator pressed for this form (refused keys count too)."""
        if self.started_at is None:
            self.started_at = utc_now()
        self.meter.key(self._clock())

    def prompt(self) -> str:
        """The label beside the keying line."""
        if self.stage == "ident":
            return "Code or serial"
        if self.stage == "code":
            return "Code"
        if self.stage == "serial":
            return "Serial"
        if self.stage == "choose":
            return "Choose"
        slot = self.form.slot
        if slot is None:
            return "Save?"
        return f"{slot.label} page" if self.form.bank_missing(slot) else slot.label

    def take_jobs(self) -> list[Job]:
        self._flush_draft()
        jobs, self.jobs = self.jobs, []
        return jobs

    # --- keystrokes

    @_shows
    def key(self, key: str, character: str | None) -> Outcome:
        """One key pressed on the keying line, applied at once (the next key sees its effect).
        The session owns the line's text and cursor, so whatever leaves a section — Enter, going
        back, a missing page, a save, a draft — reads the line as the screen shows it. Keys that
        are not the line's (ctrl+s, F-keys...) come back as DEFAULT, for the screen's bindings."""
        self.keystroke()
        text, at = self.text, self.cursor
        printable = character if character is not None and character.isprintable() else None
        if key == "tab" and self.stage == "form" and self.form.at_summary:
            # Tab moves on from a section; at the summary there is nothing to move on to, and saving
            # on an extra Tab would skip the check of the counts against the paper: Enter saves.
            return Outcome("the form is complete: check the counts against the paper, Enter saves it")
        if key in COMMIT_KEYS:
            return self.enter(text)
        if key in BACK_KEYS or (key == "backspace" and not text):
            return self.back()
        if key == "backspace":
            return self._edit(text[:at - 1] + text[at:], at - 1) if at else ACCEPT
        if key == "delete":
            return self._edit(text[:at] + text[at + 1:], at) if at < len(text) else ACCEPT
        if key in CURSOR_KEYS:
            self.cursor = {"left": max(at - 1, 0), "right": min(at + 1, len(text)), "home": 0,
                           "end": len(text)}[key]
            return ACCEPT
        if printable == KEYS_KEY:
            return DEFAULT  # never typed on the line: the screen's keys list
        if printable == MISSING_KEY:
            return self.toggle_missing()
        if printable is not None:
            new_text = text[:at] + printable + text[at:]
            refused = self.refusal(new_text, printable)
            if refused:
                return Outcome(refused)
            self.text, self.cursor = new_text, at + 1
            self._line_changed()
            return self.typed(new_text)
        return DEFAULT

    def _edit(self, new_text: str, cursor: int) -> Outcome:
        """A character deleted: refused when the line would no longer read as statement numbers
        (``1 11`` without its space), like a typed character."""
        slot = self.form.slot if self.stage == "form" else None
        if slot is not None and not self.form.bank_missing(slot):
            refused = line_refusal(slot, new_text)
            if refused:
                return Outcome(refused)
        self.text, self.cursor = new_text, cursor
        self._line_changed()
        return ACCEPT

    def _line_changed(self) -> None:
        # Keep the draft in step with the line, so a killed terminal loses no correction on screen
        # (the writer keeps only the newest of a form's queued drafts).
        if self.stage == "form":
            self._queue_draft()

    def _shown(self, outcome: Outcome) -> Outcome:
        """The line shows what an outcome says (a new stage, the next section's keyed numbers);
        then a draft that is due is queued, so it holds the line as the screen shows it."""
        if outcome.line is not None:
            self.text, self.cursor = outcome.line, len(outcome.line)
        self._flush_draft()
        return outcome

    def _settle(self) -> str | None:
        """The line counts for the section the cursor leaves (EntryForm.settle); why not, or None."""
        if self.stage != "form":
            return None
        try:
            self.form.settle(self.text)
        except KeyingError as exc:
            return str(exc)
        return None

    def pending(self) -> tuple[dict[int, tuple[int, ...]], frozenset[str]]:
        """What a save at this moment would take: each keyed section's positions (the line counting
        for the current one) and the banks marked missing. KeyingError if the line cannot be taken."""
        positions = dict(self.form.positions)
        slot = self.form.slot if self.stage == "form" else None
        if slot is not None and not self.form.bank_missing(slot) and (self.text.strip() or self.form.keyed(slot)):
            positions[slot.index] = parse_section(slot, self.text)
        return positions, frozenset(self.form.missing)

    @_shows
    def save_now(self) -> Outcome:
        """The save key, anywhere in the form: what is on the line counts for the current section,
        then the form is saved if every section is keyed (an edit asks for a reason first)."""
        if self.stage != "form":
            return Outcome("nothing to save yet: identify the paper first")
        refused = self._settle()
        if refused:
            return Outcome(refused)
        if not self.form.complete:
            open_ = self.form.open_sections()
            self._queue_draft()
            return Outcome(f"{len(open_)} section{'s' if len(open_) != 1 else ''} not keyed yet, the first is "
                           f"{open_[0].label}")
        if self.mode is Mode.EDIT:
            return Outcome(ask_reason=True)
        return self.save()

    def refusal(self, text: str, char: str) -> str | None:
        """Why ``char`` may not be typed (``text`` is the line as it would become)."""
        if self.stage in ("ident", "code"):
            first = text[:1]
            if self.stage == "ident" and first.isdigit() and first.isascii():
                return serial_refusal(text)
            if self.stage == "code" and first.isdigit():
                return "type the participant code written on the form (school letter, role digit), e.g. A2"
            return code_refusal(self.instrument.key, text)
        if self.stage == "serial":
            return serial_refusal(text)
        if self.stage == "choose":
            return "choose the paper from the list first"
        slot = self.form.slot
        if slot is None:
            return "the form is complete: Enter saves it, Backspace goes back"
        if self.form.bank_missing(slot):
            return f"the {slot.bank.abbreviation} page is marked missing: press {MISSING_KEY} to un-mark it"
        return section_refusal(slot, text, char)

    def typed(self, text: str) -> Outcome:
        """After an accepted character: a complete participant code moves on by itself."""
        if self.stage in ("ident", "code") and len(text) == 2 and not text[0].isdigit():
            return self._take_code(text)
        return ACCEPT

    def enter(self, text: str) -> Outcome:
        """Enter (or Tab) on the keying line."""
        text = text.strip()
        if self.stage == "ident":
            if not text:
                return Outcome("type the participant code (e.g. A2) or scan the serial")
            if text[0].isdigit():
                return self._take_serial(text, first=True)
            return self._take_code(text) if len(text) == 2 else Outcome(
                "a participant code has two characters: school letter and role digit, e.g. A2")
        if self.stage == "code":
            return self._take_code(text) if len(text) == 2 else Outcome(
                "type the participant code written on the form, e.g. A2")
        if self.stage == "serial":
            if not text:
                if self.serial is not None:
                    self.serial, self.issued, self.linked = None, None, False
                    return self._leave_serial("serial removed")
                return self._leave_serial()
            return self._take_serial(text, first=False)
        if self.stage == "choose":
            return Outcome("choose the paper from the list first")
        if self.form.at_summary:
            return self.save() if self.mode is not Mode.EDIT else Outcome(ask_reason=True)
        try:
            self.form.commit(text)
        except KeyingError as exc:
            return Outcome(str(exc))
        self._queue_draft()
        return Outcome(line=self.form.line_text())

    @_shows
    def back(self) -> Outcome:
        """Backspace on an empty line, or Shift+Tab. The section left keeps what its line shows."""
        refused = self._settle()
        if refused:
            return Outcome(refused)
        if self.stage == "serial":
            return self._leave_serial()
        if self.stage == "choose":
            self.choices = []
            self.stage = "ident"
            return Outcome(line="")
        if self.stage == "code" and self.code is None:
            # A blank form's serial was taken; going back lets the operator scan another one.
            self.stage, self.serial, self.issued = "ident", None, None
            return Outcome(line="", note="serial dropped: scan or type the serial, or the code")
        if self.stage in ("ident", "code"):
            return Outcome("this is the start of the form") if self.code is None else ACCEPT
        if self.form.back():
            self._queue_draft()
            return Outcome(line=self.form.line_text())
        # Before the first section: back to the code, to correct it.
        if self.mode is Mode.SECOND:
            return Outcome("the paper is identified; start a new form (ctrl+n) to key another one")
        self.stage = "code"
        return Outcome(line=self.code or "")

    @_shows
    def toggle_missing(self) -> Outcome:
        if self.stage != "form":
            return Outcome(f"{MISSING_KEY} marks a bank page missing; identify the paper first")
        slot = self.form.slot
        if slot is None:
            return Outcome("go back to the bank whose page is missing (Backspace)")
        refused = self._settle()  # what was typed in the section stays with it, missing page or not
        if refused:
            return Outcome(refused)
        now_missing = self.form.toggle_missing()
        self._queue_draft()
        note = (f"{slot.bank.abbreviation} page marked missing" if now_missing
                else f"{slot.bank.abbreviation} page un-marked: key its sections")
        return Outcome(line=self.form.line_text(), note=note)

    @_shows
    def jump_to_serial(self) -> Outcome:
        if self.stage == "serial":
            return self._leave_serial()
        if self.stage not in ("form", "code") or self.code is None:
            return Outcome("type or scan the serial here, in the first field")
        if self.mode is Mode.SECOND:
            return Outcome("in second keying the paper is identified already")
        refused = self._settle()
        if refused:
            return Outcome(refused)
        self._stage_before_serial = self.stage
        self.stage = "serial"
        return Outcome(line="")

    @_shows
    def save(self, reason: str = "") -> Outcome:
        """Queue the save of a complete form and start the next one."""
        if self.stage != "form":
            return Outcome("nothing to save yet: identify the paper first")
        try:
            answers = self.form.answers()
        except KeyingError as exc:
            return Outcome(str(exc))
        assert self.code is not None
        job = SaveJob(self.token, mode=self.mode, wave=self.wave.name, operator=self.operator,
                      participant_code=self.code, serial=self.serial, answers=answers,
                      keystrokes=self.meter.keystrokes, seconds=round(self.meter.seconds, 3),
                      started_at=self.started_at, counts=self.form.counts(),
                      unmatched=self.mode is Mode.FIRST and self.issued is None and bool(self._issued_in_wave),
                      fallback=self._draft() if self.mode is not Mode.EDIT else None, reason=reason)
        if self.record is not None:
            job.return_id = self.record.id
            job.expected_version = self.record.version
            job.original_code = self.record.participant_code
            job.original_serial = self.record.serial
        self._draft_due = False  # the save supersedes it (and removes the stored draft)
        self.jobs.append(job)
        self.figures.returns += 1
        self.figures.keystrokes += self.meter.keystrokes
        self.figures.seconds += self.meter.seconds
        self._new_form()
        return Outcome(line="")

    @_shows
    def new_form(self) -> Outcome:
        """Leave this form (its draft stays, to be resumed) and start on the next paper."""
        kept = self.keep_as_draft()
        self._new_form()
        return Outcome(line="", note=KEPT_NOTE if kept else None)

    @_shows
    def set_mode(self, mode: Mode) -> Outcome:
        kept = self.keep_as_draft()
        self.mode = mode
        self._new_form()
        return Outcome(line="", note=KEPT_NOTE if kept else None)

    def keep_as_draft(self, why: str = "") -> bool:
        """Queue a draft of the form as it stands, the line too (before leaving it any way but a
        save: next paper, another mode or operator, quitting). True if there is one to keep.
        ``why`` is kept with it ("quit": the next start says the form was kept when the app closed)."""
        if self.pristine or self.code is None or self.mode is Mode.EDIT:
            return False
        self._queue_draft()
        self._kept_because = why
        self._flush_draft()
        self._kept_because = ""
        return True

    def unsaved_edit(self) -> bool:
        """In edit mode: does the screen show the return otherwise than it is stored?"""
        if self.mode is not Mode.EDIT or self.record is None or self.stage == "choose":
            return False
        if (self.code, self.serial) != (self.record.participant_code, self.record.serial):
            return True
        stored = EntryForm.from_answers(self.instrument, self.record.answers)
        try:
            positions, missing = self.pending()
        except KeyingError:
            return True
        return (positions, missing) != (stored.positions, frozenset(stored.missing))

    # --- identity

    def _take_code(self, text: str) -> Outcome:
        try:
            code = str(self.instrument.key.parse(text))
        except ParticipantCodeError as exc:
            return Outcome(str(exc))
        if self.stage == "code" and self.code == code:
            return self._to_form()
        if self.linked and self.issued is not None and self.issued.participant_code != code:
            self.serial, self.issued, self.linked = None, None, False  # a link made for the old code
        if self.issued is not None and self.issued.participant_code not in (None, code):
            return Outcome(f"serial {self.issued.serial} was issued to participant {self.issued.participant_code}, "
                           f"not {code}: check the code written on the form")
        if self.mode is Mode.FIRST or (self.stage == "code" and self.record is not None and self.mode is Mode.EDIT):
            self.code = code
            note = self._link_issued(code) if self.mode is Mode.FIRST and self.serial is None else None
            self._queue_draft()
            return Outcome(line=self._to_form().line, note=note)
        # Second keying and editing: the code finds the return.
        self._landed()
        try:
            found = self.study.find_returns(self.wave.name, participant_code=code, limit=MAX_CHOICES + 1,
                                            awaiting_second=True if self.mode is Mode.SECOND else None)
        except StoreError as exc:
            return Outcome(str(exc))
        return self._found(found, f"code {code}")

    def _landed(self) -> None:
        if self.before_read is not None:
            self.before_read()

    def _wave_has_forms(self) -> bool:
        """Whether forms were issued for the wave (read once: a read costs a connection on the
        keystroke path; ``forget_issued`` after printing)."""
        if self._issued_in_wave is None:
            try:
                self._issued_in_wave = self.study.issued_count(self.wave.name)
            except StoreError:
                return False
        return self._issued_in_wave > 0

    def forget_issued(self) -> None:
        self._issued_in_wave = None

    def _link_issued(self, code: str) -> str | None:
        """A paper identified by its code alone: when exactly one form issued to that code in the
        wave has not come back yet, this is it (linked, and said); when several, the clerk gives the
        serial (ctrl+r, or scans it); otherwise the return is saved as unmatched, counted apart."""
        try:
            if not self._wave_has_forms():
                return None  # no forms logged for this wave: nothing to link to
            forms = self.study.unreturned_forms(self.wave.name, code)
        except StoreError:
            return None
        self.candidates = forms
        if len(forms) == 1:
            self.serial, self.issued, self.linked = forms[0].serial, forms[0], True
            return f"linked to serial {forms[0].serial}, the one form issued to {code} not yet returned"
        if forms:
            return (f"{len(forms)} forms issued to {code} are not returned yet: ctrl+r and scan or type the "
                    "serial on the paper to link it, or it is saved as unmatched")
        return f"no form issued to {code} awaits return: it will be saved as unmatched (counted apart)"

    def _take_serial(self, text: str, *, first: bool) -> Outcome:
        try:
            serial = make_serial(parse_serial(text))
        except SerialError as exc:
            return Outcome(str(exc))
        self._landed()
        if self.mode is not Mode.FIRST and first:
            try:
                found = self.study.find_returns(self.wave.name, serial=serial)
            except StoreError as exc:
                return Outcome(str(exc))
            if not found:
                return Outcome(f"no return with serial {serial} in wave {self.wave.name} "
                               + ("(key it first: F8 back to first keying)" if self.mode is Mode.SECOND else ""))
            return self._found(found, f"serial {serial}")
        earlier = self.study.find_returns(serial=serial)
        if earlier and not (self.record is not None and earlier[0].id == self.record.id):
            r = earlier[0]
            return Outcome(f"serial {serial} was already returned: return #{r.id} ({r.participant_code}), keyed by "
                           f"{r.created_by} at {r.created_at[:16].replace('T', ' ')}")
        issued = self.study.issued_form(serial)
        note = None
        if issued is not None and issued.wave != self.wave.name:
            return Outcome(f"serial {serial} was issued for wave {issued.wave}, not {self.wave.name}")
        if issued is None:
            note = f"serial {serial} was never issued by this study: it will be saved and flagged"
        if issued is not None and self.code is not None and issued.participant_code not in (None, self.code):
            return Outcome(f"serial {serial} was issued to participant {issued.participant_code}, not {self.code}: "
                           "check the code written on the form")
        self.serial, self.issued, self.linked = serial, issued, False
        note = self._claim(serial=serial) or note
        if not first:
            outcome = self._leave_serial()
            self._queue_draft()
            return Outcome(line=outcome.line, note=note or f"serial {serial} added")
        if issued is not None and issued.participant_code is not None:
            self.code = issued.participant_code
            self._queue_draft()
            outcome = self._to_form()
            return Outcome(line=outcome.line, note=note or f"serial {serial}: participant {self.code}")
        # A blank self-coding form (or a serial never issued): the code is written on the paper.
        self.stage = "code"
        return Outcome(line="", note=note or f"serial {serial} is a blank form: type the code written on it")

    def _leave_serial(self, note: str | None = None) -> Outcome:
        self.stage = self._stage_before_serial
        if self.stage == "code" and self.code is not None:
            self.stage = "form"
        return Outcome(line=self.form.line_text() if self.stage == "form" else (self.code or ""), note=note)

    def _found(self, found: list[ReturnRecord], what: str) -> Outcome:
        if self.mode is Mode.SECOND:
            waiting = [r for r in found if r.awaiting_second]
            if not waiting:
                if found:
                    r = found[0]
                    why = ("was keyed twice already" if len(r.passes) >= 2 else "was not chosen for second keying")
                    return Outcome(f"return #{r.id} ({r.participant_code}, {what}) {why}")
                return Outcome(f"no return with {what} awaits second keying in wave {self.wave.name}")
            mine = [r for r in waiting if r.passes and r.passes[0].operator.casefold() == self.operator.casefold()]
            others = [r for r in waiting if r not in mine]
            if not others:
                n = len(mine)
                return Outcome(f"{'the return' if n == 1 else f'all {n} returns'} with {what} awaiting second keying "
                               f"{'was' if n == 1 else 'were'} first keyed by you ({self.operator}): the second "
                               "keying must be done by a different operator")
            found = others
        if not found:
            return Outcome(f"no return with {what} in wave {self.wave.name}")
        if len(found) > 1:
            self.choices = found[:MAX_CHOICES]
            self.stage = "choose"
            if len(found) > MAX_CHOICES:
                return Outcome(line="", note=f"more than {MAX_CHOICES} returns have {what}: the first "
                                            f"{MAX_CHOICES} are listed; the serial finds any one")
            return Outcome(line="", note=f"{len(found)} returns have {what}: choose the paper")
        return self.open_return(found[0])

    @_shows
    def open_return(self, record: ReturnRecord) -> Outcome:
        """Start keying (second pass, blind) or editing this return."""
        self.choices = []
        self.record = record
        self.code = record.participant_code
        self.serial = record.serial
        if self.mode is Mode.EDIT:
            self.form = EntryForm.from_answers(self.instrument, record.answers)
        else:
            self.form = EntryForm(self.instrument)  # blind: nothing of the first pass is shown
            self._queue_draft()
        return Outcome(line=self._to_form().line, note=self._claim(return_id=record.id))

    def _to_form(self) -> Outcome:
        self.stage = "form"
        return Outcome(line=self.form.line_text())

    # --- drafts

    def _draft(self) -> Draft:
        assert self.code is not None
        return Draft(self.wave.name, self.operator, self.code, self.serial,
                     pass_no=2 if self.mode is Mode.SECOND else 1,
                     return_id=self.record.id if self.mode is Mode.SECOND and self.record else None,
                     state=self.form.to_state(self.text if self.stage == "form" else "", kept=self._kept_because),
                     keystrokes=self.meter.keystrokes,
                     seconds=round(self.meter.seconds, 3), started_at=self.draft_started_at or self.started_at or "")

    def _queue_draft(self) -> None:
        """A draft is due; it is queued at the end of the step (_shown), once the line is shown."""
        if self.mode is not Mode.EDIT and self.code is not None:
            self._draft_due = True

    def _flush_draft(self) -> None:
        if self._draft_due:
            self._draft_due = False
            if self.mode is not Mode.EDIT and self.code is not None:
                if self.jobs and isinstance(self.jobs[-1], DraftJob) and self.jobs[-1].token == self.token:
                    self.jobs.pop()  # not taken yet: the newest state is all that needs writing
                self.jobs.append(DraftJob(self.token, draft=self._draft()))

    @_shows
    def resume(self, draft: Draft) -> Outcome:
        """Continue a draft from the store (KeyingError/StoreError messages come back as refusals)."""
        mode = Mode.SECOND if draft.pass_no == 2 else Mode.FIRST
        self._landed()
        try:
            form = EntryForm.from_state(self.instrument, draft.state)
            record = None
            if mode is Mode.SECOND:
                if draft.return_id is None:
                    raise KeyingError("the draft of a second keying names no return")
                record = self.study.get_return(draft.return_id)
                if not record.awaiting_second:
                    raise KeyingError(f"return #{record.id} no longer awaits second keying")
        except (KeyingError, StoreError) as exc:
            return Outcome(f"draft #{draft.id} cannot be resumed: {exc}")
        self.mode = mode
        self._new_form()
        self.form = form
        self.record = record
        self.code, self.serial = draft.participant_code, draft.serial
        self.meter = KeyMeter(draft.keystrokes, draft.seconds)
        self.started_at = draft.started_at or None
        self.draft_started_at = draft.started_at
        self.stage = "form"
        self.jobs.append(_AdoptDraft(self.token, draft_id=draft.id))
        held = self._claim(serial=draft.serial, draft_id=draft.id)
        return Outcome(line=self.form.restore_line(), note=held or f"resumed the draft of {draft.participant_code}")

    # --- claims (the store's Study.claim): say so when another station is keying this paper

    def _claim(self, *, serial: str | None = None, draft_id: int | None = None,
               return_id: int | None = None) -> str | None:
        """Claim the paper for this station; the note to show if another station has it."""
        key = claim_key(serial=serial, draft_id=draft_id, return_id=return_id)
        try:
            held = self.study.claim(key, operator=self.operator) if key else None
        except StoreError:
            return None  # a courtesy to other stations: keying never waits on it
        return f"{key} is {held.describe()}" if held else None

    def save_failed(self, job: SaveJob) -> None:
        """A queued save did not land: it no longer counts among this session's returns."""
        self.figures.returns -= 1
        self.figures.keystrokes -= job.keystrokes
        self.figures.seconds -= job.seconds

    # --- describing

    def identity(self) -> str:
        parts = []
        if self.code:
            role = self.instrument.key.role_label(int(self.code[1]))
            parts.append(f"{self.code} ({role})")
        if self.serial:
            parts.append(f"serial {self.serial}")
        if self.record is not None:
            parts.append(f"return #{self.record.id}")
        return " · ".join(parts)

    def summary_counts(self) -> dict[str, str]:
        return self.form.counts()


@dataclass
class _AdoptDraft(Job):
    """Tie a resumed draft to the form's token, so later drafts update it and the save deletes it."""

    draft_id: int | None = None

    def run(self, study: Study, draft_ids: dict[int, int]) -> None:
        if self.draft_id is not None:
            draft_ids[self.token] = self.draft_id


def saved_message(job: SaveJob, saved: SavedReturn, instrument_summary: dict[str, str] | None = None) -> str:
    """One line for the operator after a save: what landed, and what to do with the paper."""
    record = saved.record
    counts = instrument_summary or job.counts
    banks = " ".join(f"{abbr} {n}" for abbr, n in counts.items())
    head = f"#{record.id} {record.participant_code}" + (f" · serial {record.serial}" if record.serial else "")
    if job.mode is Mode.SECOND:
        n = len([d for d in saved.discrepancies if d.is_open])
        tail = (f"{n} difference{'s' if n != 1 else ''} from the first keying: F9 resolves" if n
                else "matches the first keying: verified")
        return f"Second keying saved {head} · {banks} · {tail}"
    if job.mode is Mode.EDIT:
        return f"Changes saved {head} · {banks} (audited)"
    tail = "put this paper on the second-keying pile" if record.needs_second else "file this paper"
    if job.unmatched:
        tail = f"unmatched · {tail}"
    return f"Saved {head} · {banks} · {tail}"


__all__ = [
    "ACCEPT", "MODE_TITLES", "DeleteJob", "DiscardDraftJob", "DraftJob", "EntrySession", "Job", "Mode", "Outcome",
    "ResolveJob", "SaveJob", "SessionFigures", "saved_message",
]
