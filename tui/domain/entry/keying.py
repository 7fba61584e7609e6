"""Heads-down keying of one paper return: what each keystroke may be, and the form in progress.

Pure, no Textual and no store. The entry screen feeds it keystrokes; everything it decides
(refuse a key and why, where the cursor goes, what a draft holds, which answers are saved) is
decided here so it can be tested without a terminal.

A form is walked in printed order, bank by bank, section A-D. For each section the operator types
the positions of the highlighted statements: ``134`` = statements 1, 3 and 4 of that section. A
section with ten or more statements needs separators (``1 3 12``, a comma or the keypad's dot
work too). Enter alone = nothing highlighted. ``-`` marks the whole bank page missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Bank, Instrument, ParticipantKey, StatementRef
from tui.domain.returns import SERIAL_WIDTH, Answers, BankAnswer

MISSING_KEY = "-"
SEPARATORS = " ,."
# Sections with this many statements or more need separators between numbers.
SEPARATED_FROM = 10
# Longest serial accepted at the keyboard (ours are SERIAL_WIDTH + 1 digits; allow some slack
# for longer numbering before the check digit refuses it with a clear reason).
SERIAL_MAX_DIGITS = SERIAL_WIDTH + 6
# A pause longer than this between two keystrokes counts as this long (a break, a phone call):
# keying time is what the operator spent keying, as CSPro reports it.
IDLE_CAP_S = 30.0


class KeyingError(SurveyDeskError):
    """A section's text that cannot be accepted; the message names the section."""


# --- sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One section of one bank as a stop on the keying walk."""

    index: int  # place in the walk
    bank_index: int
    bank: Bank
    letter: str
    refs: tuple[StatementRef, ...]
    offset: int  # running number of the section's first statement, minus one
    stage: str  # hidden stage label: shown to staff, never on paper

    @property
    def count(self) -> int:
        return len(self.refs)

    @property
    def label(self) -> str:
        return f"{self.bank.abbreviation} {self.letter}"

    @property
    def separated(self) -> bool:
        return self.count >= SEPARATED_FROM


def walk(instrument: Instrument) -> tuple[Slot, ...]:
    """Every section that has statements, in printed order (an empty section is not a stop)."""
    slots: list[Slot] = []
    refs = list(instrument.refs())
    for bank_index, bank in enumerate(instrument.banks):
        offset = 0
        for section in bank.sections:
            mine = tuple(r for r in refs if r.bank.id == bank.id and r.section.letter == section.letter)
            if mine:
                slots.append(Slot(len(slots), bank_index, bank, section.letter, mine, offset,
                                  instrument.stage_label(bank, section.letter)))
            offset += len(mine)
    return tuple(slots)


def _range(slot: Slot) -> str:
    return "1" if slot.count == 1 else f"1-{slot.count}"


def section_refusal(slot: Slot, text: str, char: str) -> str | None:
    """Why ``char`` cannot be typed into ``slot`` (``text`` is the line as it would become), or None."""
    is_digit = char.isdigit() and char.isascii()
    if not is_digit:
        if char in SEPARATORS and not slot.separated:
            return f"{slot.label}: no separators needed, type the numbers one after another ({_range(slot)})"
        if char not in SEPARATORS:
            return f"{slot.label}: {char!r} refused, type statement numbers {_range(slot)}"
        if not text.strip(SEPARATORS) or text[0] in SEPARATORS:
            return f"{slot.label}: type a statement number first"
    return line_refusal(slot, text)


def line_refusal(slot: Slot, text: str) -> str | None:
    """Why a section's line cannot read ``text`` (after a character is typed or one is deleted), or None."""
    if not slot.separated and any(ch in SEPARATORS for ch in text):
        return f"{slot.label}: no separators needed, type the numbers one after another ({_range(slot)})"
    tokens = _tokens(text) if slot.separated else list(text)
    for token in tokens:
        if not (token.isdigit() and token.isascii()):
            return f"{slot.label}: {token!r} refused, type statement numbers {_range(slot)}"
        number = int(token)
        if token.startswith("0"):
            return f"{slot.label}: there is no statement 0 ({_range(slot)})"
        if number > slot.count:
            return f"{slot.label} has {slot.count} statement{'s' if slot.count != 1 else ''}: {number} refused"
    # A number still being typed (``1`` on the way to ``12``) is judged when it is complete.
    complete = tokens if not slot.separated or text[-1:] in tuple(SEPARATORS) else tokens[:-1]
    return _repeat_in(slot, complete if slot.separated else tokens)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(f"[{re.escape(SEPARATORS)}]+", text) if t]


def _repeat_in(slot: Slot, tokens: list[str]) -> str | None:
    seen: set[int] = set()
    for token in tokens:
        if int(token) in seen:
            return f"{slot.label}: {int(token)} is already typed"
        seen.add(int(token))
    return None


def parse_section(slot: Slot, text: str) -> tuple[int, ...]:
    """The highlighted positions a section's line stands for, in order; KeyingError if any is wrong."""
    text = text.strip()
    if not text:
        return ()
    if slot.separated:
        tokens = _tokens(text)
    else:
        if any(ch in SEPARATORS for ch in text):
            raise KeyingError(f"{slot.label}: no separators needed, type the numbers one after another")
        tokens = list(text)
    positions: list[int] = []
    for token in tokens:
        if not token.isdigit() or not token.isascii():
            raise KeyingError(f"{slot.label}: {token!r} is not a statement number ({_range(slot)})")
        number = int(token)
        if not 1 <= number <= slot.count:
            raise KeyingError(f"{slot.label} has {slot.count} statement{'s' if slot.count != 1 else ''}: "
                              f"{number} refused")
        if number in positions:
            raise KeyingError(f"{slot.label}: {number} is typed twice")
        positions.append(number)
    return tuple(sorted(positions))


def typed_positions(slot: Slot, text: str) -> set[int]:
    """Positions the line shows so far (for marking statements while typing; forgiving)."""
    tokens = _tokens(text) if slot.separated else list(text)
    return {int(t) for t in tokens if t.isdigit() and t.isascii() and 1 <= int(t) <= slot.count}


def format_section(slot: Slot, positions: Iterable[int]) -> str:
    """The line that would key these positions (``134`` or ``1 3 12``)."""
    ordered = sorted(positions)
    return " ".join(map(str, ordered)) if slot.separated else "".join(map(str, ordered))


# --- identity --------------------------------------------------------------------------------


def code_refusal(key: ParticipantKey, text: str) -> str | None:
    """Why a participant code being typed cannot go on (``text`` as it would become), or None.
    Checked at each keystroke, so an unknown school or role is refused the moment it is typed."""
    if len(text) > 2:
        return "a participant code has two characters: school letter and role digit, e.g. A2"
    first = text[:1].upper()
    if not (first.isascii() and first.isalpha()):
        return f"participant code must start with a school letter ({', '.join(key.school_letters)}), e.g. A2"
    if first not in key.school_letters:
        return f"participant code {first}: school {first} is not in the key (schools {', '.join(key.school_letters)})"
    if len(text) == 2:
        second = text[1]
        if not (second.isascii() and second.isdigit()):
            return f"participant code {first}{second}: the second character is the role digit, e.g. {first}2"
        if int(second) not in key.role_digits:
            return (f"participant code {first}{second}: role {second} is not in the key "
                    f"(roles {', '.join(str(d) for d in key.role_digits)})")
    return None


def wave_name_refusal(name: str) -> str | None:
    """Why ``name`` is a poor wave name at the keyboard, or None: a clerk heads down types codes and
    serials, so a name that looks like one (``A2``, ``0000131``, ``2026A2``: the year with a code
    typed after it) is refused with the reason rather than becoming a wave."""
    if re.fullmatch(r"[A-Za-z]\d", name):
        return f"{name!r} looks like a participant code: name a wave e.g. by its year"
    if name.isascii() and name.isdigit() and len(name) > SERIAL_WIDTH:
        return f"{name!r} looks like a serial: name a wave e.g. by its year"
    tail = re.search(r"\d([A-Za-z]\d)$", name)
    if tail:
        return f"{name!r} ends in {tail.group(1)}, like a participant code typed after it"
    return None


def serial_refusal(text: str) -> str | None:
    if not (text[-1:].isdigit() and text[-1:].isascii()):
        return f"a serial is digits only: {text[-1:]!r} refused"
    if len(text) > SERIAL_MAX_DIGITS:
        return f"a serial has at most {SERIAL_MAX_DIGITS} digits"
    return None


# --- time and keystrokes -----------------------------------------------------------------------


@dataclass
class KeyMeter:
    """Keystrokes and keying time of one form (pauses longer than IDLE_CAP_S count as IDLE_CAP_S)."""

    keystrokes: int = 0
    seconds: float = 0.0
    last: float | None = None

    def key(self, now: float) -> None:
        if self.last is not None:
            self.seconds += min(max(now - self.last, 0.0), IDLE_CAP_S)
        self.last = now
        self.keystrokes += 1


# --- the form in progress ------------------------------------------------------------------------


class EntryForm:
    """The sections of one paper form as keyed so far, and where the cursor is.

    The cursor stops at every section of a present bank, once at a bank marked missing (there the
    operator may un-mark it), and finally at the summary (``at == len(slots)``). Going forward
    skips missing banks; going back stops on them. Sections of a bank marked missing keep what was
    typed, so un-marking a page by mistake loses nothing.
    """

    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.slots = walk(instrument)
        self.positions: dict[int, tuple[int, ...]] = {}  # slot index -> highlighted positions
        self.missing: set[str] = set()  # bank ids
        self.at = 0
        self.restored_line: str | None = None  # from a draft (from_state), until restore_line()

    # --- where we are

    @property
    def at_summary(self) -> bool:
        return self.at >= len(self.slots)

    @property
    def slot(self) -> Slot | None:
        return None if self.at_summary else self.slots[self.at]

    def bank_missing(self, slot: Slot) -> bool:
        return slot.bank.id in self.missing

    @property
    def at_missing_bank(self) -> bool:
        slot = self.slot
        return slot is not None and self.bank_missing(slot)

    def keyed(self, slot: Slot) -> bool:
        return slot.index in self.positions

    def state_of(self, slot: Slot) -> str:
        """'current', 'missing', 'done' or 'open' (for the section strip)."""
        if slot.index == self.at or (self.bank_missing(slot) and self.slot is not None
                                     and self.slot.bank.id == slot.bank.id):
            return "current"
        if self.bank_missing(slot):
            return "missing"
        return "done" if self.keyed(slot) else "open"

    def open_sections(self) -> list[Slot]:
        return [s for s in self.slots if not self.bank_missing(s) and not self.keyed(s)]

    @property
    def complete(self) -> bool:
        return not self.open_sections()

    @property
    def empty(self) -> bool:
        return not self.positions and not self.missing

    def line_text(self) -> str:
        """What the keying line shows on arriving at the cursor (a keyed section's numbers)."""
        slot = self.slot
        if slot is None or self.bank_missing(slot) or not self.keyed(slot):
            return ""
        return format_section(slot, self.positions[slot.index])

    def _first_of_bank(self, bank_index: int) -> int:
        return next(s.index for s in self.slots if s.bank_index == bank_index)

    def _forward_from(self, index: int) -> int:
        """The next stop at or after ``index``, skipping banks marked missing."""
        while index < len(self.slots) and self.bank_missing(self.slots[index]):
            index += 1
        return index

    # --- moving

    def commit(self, text: str) -> None:
        """Accept the line for the current stop and move on (KeyingError if it cannot be accepted)."""
        slot = self.slot
        if slot is None:
            raise KeyingError("the form is complete: Enter saves it, Backspace goes back")
        if self.bank_missing(slot):
            if text.strip():
                raise KeyingError(f"the {slot.bank.abbreviation} page is marked missing: "
                                  f"press {MISSING_KEY} to un-mark it first")
            self.at = self._forward_from(slot.index)
            return
        self.positions[slot.index] = parse_section(slot, text)
        self.at = self._forward_from(slot.index + 1)

    def settle(self, text: str) -> None:
        """Take the keying line for the current section before the cursor leaves it by any way
        (Enter, back, a missing page, a save, a draft): a line that says something, or any line on
        a section keyed before (cleared = nothing highlighted), is what the section now holds, as
        the screen shows it. KeyingError when the line cannot be accepted."""
        slot = self.slot
        if slot is None or self.bank_missing(slot):
            return
        if text.strip() or self.keyed(slot):
            self.positions[slot.index] = parse_section(slot, text)

    def back(self) -> bool:
        """Go to the previous stop; False at the first one (the caller goes back to the code)."""
        index = self.at - 1
        if index < 0:
            return False
        if self.bank_missing(self.slots[index]):
            index = self._first_of_bank(self.slots[index].bank_index)
        self.at = index
        return True

    def toggle_missing(self) -> bool:
        """Mark the current bank's page missing and go to the next bank; at a missing bank, un-mark
        it and stay on its first section. Returns True when the page is now missing."""
        slot = self.slot
        if slot is None:
            raise KeyingError("the form is complete: go back to the bank whose page is missing")
        if slot.bank.id in self.missing:
            self.missing.discard(slot.bank.id)
            self.at = self._first_of_bank(slot.bank_index)
            return False
        self.missing.add(slot.bank.id)
        self.at = self._forward_from(self._first_of_bank(slot.bank_index))
        return True

    def go_to(self, index: int) -> None:
        index = max(0, min(index, len(self.slots)))
        if index < len(self.slots) and self.bank_missing(self.slots[index]):
            index = self._first_of_bank(self.slots[index].bank_index)
        self.at = index

    # --- what it says

    def answers(self) -> dict[str, BankAnswer]:
        open_ = self.open_sections()
        if open_:
            raise KeyingError(f"{len(open_)} section{'s' if len(open_) != 1 else ''} not keyed yet, "
                              f"the first is {open_[0].label}")
        marked: dict[str, set[int]] = {bank.id: set() for bank in self.instrument.banks}
        for slot in self.slots:
            marked[slot.bank.id].update(slot.offset + p for p in self.positions.get(slot.index, ()))
        return {bank.id: (BankAnswer.missing() if bank.id in self.missing
                          else BankAnswer(True, frozenset(marked[bank.id])))
                for bank in self.instrument.banks}

    def counts(self) -> dict[str, str]:
        """Per bank abbreviation: highlighted so far, or 'missing' (for the summary)."""
        out: dict[str, str] = {}
        for bank in self.instrument.banks:
            if bank.id in self.missing:
                out[bank.abbreviation] = "missing"
            else:
                out[bank.abbreviation] = str(sum(len(self.positions.get(s.index, ()))
                                                 for s in self.slots if s.bank.id == bank.id))
        return out

    @classmethod
    def from_answers(cls, instrument: Instrument, answers: Answers) -> EntryForm:
        """A saved return, every section keyed (for editing). A missing bank's sections stay open,
        so un-marking it means keying the page."""
        form = cls(instrument)
        for slot in form.slots:
            answer = answers[slot.bank.id]
            if not answer.present:
                form.missing.add(slot.bank.id)
                continue
            form.positions[slot.index] = tuple(sorted(n - slot.offset for n in answer.marked
                                                      if slot.offset < n <= slot.offset + slot.count))
        return form

    # --- drafts

    def to_state(self, line: str = "", kept: str = "") -> dict[str, Any]:
        """JSON for Draft.state: {"done": {bank_id: {"present": bool, "sections": {"A": [1, 3]}}},
        "at": [bank_id, letter] or ["summary"], "line": "13"}. ``line`` is the keying line as it
        stands at the cursor's section, kept only when it differs from what the section holds
        (typed but not yet accepted, or a correction): a resumed draft shows it again. ``kept`` says
        why the form was left ("quit"), for the next start to tell the operator."""
        done: dict[str, dict[str, Any]] = {}
        for slot in self.slots:
            entry = done.setdefault(slot.bank.id, {"present": slot.bank.id not in self.missing, "sections": {}})
            if slot.index in self.positions:
                entry["sections"][slot.letter] = list(self.positions[slot.index])
        done = {bank_id: entry for bank_id, entry in done.items() if entry["sections"] or not entry["present"]}
        at = ["summary"] if self.slot is None else [self.slot.bank.id, self.slot.letter]
        state: dict[str, Any] = {"done": done, "at": at}
        if self.slot is not None and line != self.line_text():
            state["line"] = line
        if kept:
            state["kept"] = kept
        return state

    @classmethod
    def from_state(cls, instrument: Instrument, state: Mapping[str, Any]) -> EntryForm:
        """Rebuild a form from a draft. Whatever no longer fits (a hand-edited draft) is dropped
        rather than guessed: KeyingError names it."""
        form = cls(instrument)
        by_key = {(s.bank.id, s.letter): s for s in form.slots}
        known_banks = {b.id for b in instrument.banks}
        for bank_id, entry in (state.get("done") or {}).items():
            if bank_id not in known_banks:
                raise KeyingError(f"the draft names bank {bank_id!r}, which this wave's instrument does not have")
            if not entry.get("present", True):
                form.missing.add(bank_id)
            for letter, positions in (entry.get("sections") or {}).items():
                slot = by_key.get((bank_id, letter))
                if slot is None:
                    raise KeyingError(f"the draft names section {letter} of {bank_id!r}, which has no statements")
                form.positions[slot.index] = parse_section(slot, format_section(slot, positions))
        at = list(state.get("at") or [])
        if at == ["summary"]:
            form.at = len(form.slots)
        elif len(at) == 2 and tuple(at) in by_key:
            form.go_to(by_key[tuple(at)].index)
        else:
            open_ = form.open_sections()
            form.go_to(open_[0].index if open_ else len(form.slots))
        line = state.get("line")
        if isinstance(line, str) and form.slot is not None and not form.bank_missing(form.slot):
            problem = line_refusal(form.slot, line)
            if problem:
                raise KeyingError(f"the draft's line {line!r} does not fit: {problem}")
            form.restored_line = line
        return form

    def restore_line(self) -> str:
        """The line to show on resuming a draft: what was on it when the draft was written."""
        line, self.restored_line = self.restored_line, None
        return self.line_text() if line is None else line
