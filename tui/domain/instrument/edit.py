"""Editing an instrument: pure operations that return a new Instrument, and an undo history.

Every operation takes the immutable Instrument and returns a changed copy (dataclasses are
frozen; ``replace`` does the work). Banks and statements are addressed by their stable ids,
so a selection survives moves. Deleted ids go to ``retired_ids`` and are never handed out
again; a duplicate gets a fresh id. An operation that cannot be done raises EditError with
a sentence the builder shows as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument.model import (
    DEFAULT_STAGES,
    SECTION_LETTERS,
    Bank,
    Instrument,
    ParticipantKey,
    Role,
    RoleGroup,
    School,
    Statement,
)

T = TypeVar("T")


class EditError(SurveyDeskError):
    """An edit that cannot be made; the message says why, in the researcher's words."""


# --- the empty skeleton ------------------------------------------------------------------

# The participant key of the bundled survey: five schools, five roles, three analysis groups.
SKELETON_KEY = ParticipantKey(
    schools=tuple(School(letter) for letter in "ABCDE"),
    roles=(Role(1, "Governor"), Role(2, "HT or DHT"), Role(3, "Senior Leader"),
           Role(4, "Middle Leader"), Role(5, "Teacher")),
    groups=(RoleGroup("HD", "Governors, heads and deputies", (1, 2)),
            RoleGroup("SLT", "Senior leadership team", (3,)),
            RoleGroup("T", "Middle leaders and teachers", (4, 5))),
)


def skeleton(id: str = "new-survey", title: str = "New partnership survey", version: str = "1") -> Instrument:
    """A new instrument with no banks: check_instrument then asks for the first one."""
    return Instrument(id=id, title=title, version=version, key=SKELETON_KEY, stages=dict(DEFAULT_STAGES))


def next_version(version: str) -> str:
    """A sensible bump: 2015 -> 2016, 2015.2 -> 2015.3, v3 -> v4, draft -> draft.2."""
    match = re.search(r"(\d+)(\D*)$", version)
    if match is None:
        return f"{version}.2" if version else "2"
    digits = match.group(1)
    bumped = str(int(digits) + 1).zfill(len(digits))
    return version[: match.start(1)] + bumped + match.group(2)


# --- instrument-wide fields --------------------------------------------------------------

_INSTRUMENT_FIELDS = ("id", "title", "version", "instructions", "sign_off", "marking", "note")
_BANK_FIELDS = ("abbreviation", "title", "dimension", "rubric", "note")
_STATEMENT_FIELDS = ("text", "negative", "incomplete", "note")


def _only(changes: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise EditError(f"{what} has no field {', '.join(sorted(unknown))}")


def edit_instrument(instrument: Instrument, **changes: Any) -> Instrument:
    _only(changes, _INSTRUMENT_FIELDS, "the instrument")
    return replace(instrument, **changes)


def _check_letter(letter: str) -> None:
    if letter not in SECTION_LETTERS:
        raise EditError(f"sections are A-D, not {letter!r}")


def set_stage(instrument: Instrument, letter: str, label: str) -> Instrument:
    """The hidden stage label of section ``letter`` for every bank without an override."""
    _check_letter(letter)
    return replace(instrument, stages={**instrument.stages, letter: label.strip()})


def set_bank_stage(instrument: Instrument, bank_id: str, letter: str, label: str) -> Instrument:
    """Override one bank's stage label; an empty label removes the override."""
    _check_letter(letter)
    bank = bank_by_id(instrument, bank_id)
    stages = {k: v for k, v in bank.stages.items() if k != letter}
    if label.strip():
        stages[letter] = label.strip()
    return _put_bank(instrument, replace(bank, stages=stages))


# --- banks -------------------------------------------------------------------------------


def bank_index(instrument: Instrument, bank_id: str) -> int:
    for i, bank in enumerate(instrument.banks):
        if bank.id == bank_id:
            return i
    raise EditError(f"no bank with id {bank_id!r}")


def bank_by_id(instrument: Instrument, bank_id: str) -> Bank:
    return instrument.banks[bank_index(instrument, bank_id)]


def _put_bank(instrument: Instrument, bank: Bank) -> Instrument:
    i = bank_index(instrument, bank.id)
    return replace(instrument, banks=instrument.banks[:i] + (bank,) + instrument.banks[i + 1:])


def _taken_ids(instrument: Instrument) -> set[str]:
    return instrument.all_ids() | set(instrument.retired_ids)


def bank_id_for(instrument: Instrument, abbreviation: str) -> str:
    """A fresh bank id from an abbreviation: 'E&C' -> 'ec', then 'ec-2' if that was ever used."""
    base = re.sub(r"[^a-z0-9]+", "", abbreviation.lower()) or "bank"
    taken = _taken_ids(instrument)
    prefixes = {i.split(".")[0] for i in taken}  # a retired 'jpd.3' also reserves 'jpd'
    candidate, n = base, 1
    while candidate in taken or candidate in prefixes:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _fresh_abbreviation(instrument: Instrument, stem: str) -> str:
    used = {b.abbreviation.upper() for b in instrument.banks}
    stem = stem[:9]
    if stem.upper() not in used:
        return stem
    n = 2
    while f"{stem}{n}".upper() in used:
        n += 1
    return f"{stem}{n}"


def add_bank(instrument: Instrument, after: str | None = None, abbreviation: str = "NEW",
             title: str = "") -> tuple[Instrument, str]:
    """A new empty bank after bank ``after`` (or at the end). Returns the instrument and its id."""
    abbreviation = _fresh_abbreviation(instrument, abbreviation)
    bank = Bank(id=bank_id_for(instrument, abbreviation), abbreviation=abbreviation, title=title)
    at = len(instrument.banks) if after is None else bank_index(instrument, after) + 1
    return replace(instrument, banks=instrument.banks[:at] + (bank,) + instrument.banks[at:]), bank.id


def edit_bank(instrument: Instrument, bank_id: str, **changes: Any) -> Instrument:
    _only(changes, _BANK_FIELDS, "a bank")
    if "abbreviation" in changes:
        changes["abbreviation"] = changes["abbreviation"].strip().upper()
    return _put_bank(instrument, replace(bank_by_id(instrument, bank_id), **changes))


def rekey_bank(instrument: Instrument, bank_id: str) -> tuple[Instrument, str]:
    """Give a bank that was never saved an id made from its abbreviation, renaming its statements.

    Only for banks created in this editing session: a saved id is what matches a bank
    across versions and must never change.
    """
    bank = bank_by_id(instrument, bank_id)
    without = replace(instrument, banks=tuple(b for b in instrument.banks if b.id != bank_id))
    new_id = bank_id_for(without, bank.abbreviation)
    if new_id == bank_id:
        return instrument, bank_id
    counter = 0

    def renamed(statement: Statement) -> Statement:
        nonlocal counter
        counter += 1
        return replace(statement, id=f"{new_id}.{counter}")

    sections = tuple(replace(s, statements=tuple(renamed(t) for t in s.statements)) for s in bank.sections)
    rekeyed = replace(bank, id=new_id, sections=sections)
    i = bank_index(instrument, bank_id)
    return replace(instrument, banks=instrument.banks[:i] + (rekeyed,) + instrument.banks[i + 1:]), new_id


def _statement_ids(bank: Bank) -> tuple[str, ...]:
    return tuple(s.id for sec in bank.sections for s in sec.statements)


def _retire(instrument: Instrument, ids: Sequence[str]) -> tuple[str, ...]:
    retired = list(instrument.retired_ids)
    retired += [i for i in ids if i and i not in retired]
    return tuple(retired)


def delete_bank(instrument: Instrument, bank_id: str) -> Instrument:
    bank = bank_by_id(instrument, bank_id)
    return replace(
        instrument,
        banks=tuple(b for b in instrument.banks if b.id != bank_id),
        retired_ids=_retire(instrument, (bank.id, *_statement_ids(bank))),
    )


def duplicate_bank(instrument: Instrument, bank_id: str) -> tuple[Instrument, str]:
    """A copy right after the original, with a new abbreviation, a new id and new statement ids."""
    bank = bank_by_id(instrument, bank_id)
    abbreviation = _fresh_abbreviation(instrument, bank.abbreviation)
    new_id = bank_id_for(instrument, abbreviation)
    counter = 0

    def fresh(statement: Statement) -> Statement:
        nonlocal counter
        counter += 1
        return replace(statement, id=f"{new_id}.{counter}")

    copy = replace(
        bank,
        id=new_id,
        abbreviation=abbreviation,
        title=f"{bank.title} (copy)" if bank.title else "",
        stages=dict(bank.stages),
        sections=tuple(replace(s, statements=tuple(fresh(t) for t in s.statements)) for s in bank.sections),
    )
    at = bank_index(instrument, bank_id) + 1
    return replace(instrument, banks=instrument.banks[:at] + (copy,) + instrument.banks[at:]), new_id


def _shift(items: tuple[T, ...], index: int, delta: int, what: str) -> tuple[T, ...]:
    target = index + delta
    if not 0 <= target < len(items):
        raise EditError(f"{what} is already {'first' if delta < 0 else 'last'}")
    moved = list(items)
    moved.insert(target, moved.pop(index))
    return tuple(moved)


def move_bank(instrument: Instrument, bank_id: str, delta: int) -> Instrument:
    i = bank_index(instrument, bank_id)
    what = f"bank {instrument.banks[i].abbreviation}"
    return replace(instrument, banks=_shift(instrument.banks, i, delta, what))


# --- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a statement stands: bank index, section letter, 0-based index in the section."""

    bank: int
    letter: str
    index: int


def locate(instrument: Instrument, statement_id: str) -> Place:
    for b, bank in enumerate(instrument.banks):
        for section in bank.sections:
            for k, statement in enumerate(section.statements):
                if statement.id == statement_id:
                    return Place(b, section.letter, k)
    raise EditError(f"no statement with id {statement_id!r}")


def _statement_at(instrument: Instrument, place: Place) -> Statement:
    return instrument.banks[place.bank].section(place.letter).statements[place.index]


def _code(instrument: Instrument, place: Place) -> str:
    return f"{instrument.banks[place.bank].abbreviation} {place.letter}{place.index + 1}"


def _with_section(bank: Bank, letter: str, statements: tuple[Statement, ...]) -> Bank:
    return replace(bank, sections=tuple(
        replace(s, statements=statements) if s.letter == letter else s for s in bank.sections
    ))


def _put_statements(instrument: Instrument, bank: int, letter: str,
                    statements: tuple[Statement, ...]) -> Instrument:
    banks = list(instrument.banks)
    banks[bank] = _with_section(banks[bank], letter, statements)
    return replace(instrument, banks=tuple(banks))


def _insert(instrument: Instrument, place: Place, statement: Statement) -> Instrument:
    current = instrument.banks[place.bank].section(place.letter).statements
    return _put_statements(instrument, place.bank, place.letter,
                           current[: place.index] + (statement,) + current[place.index:])


def _remove(instrument: Instrument, place: Place) -> Instrument:
    current = instrument.banks[place.bank].section(place.letter).statements
    return _put_statements(instrument, place.bank, place.letter,
                           current[: place.index] + current[place.index + 1:])


def add_statement(instrument: Instrument, bank_id: str, letter: str, index: int | None = None,
                  text: str = "") -> tuple[Instrument, str]:
    """A new statement in section ``letter`` of a bank at ``index`` (default: last)."""
    _check_letter(letter)
    b = bank_index(instrument, bank_id)
    count = len(instrument.banks[b].section(letter).statements)
    at = count if index is None else max(0, min(index, count))
    statement = Statement(id=instrument.new_id(bank_id), text=text)
    return _insert(instrument, Place(b, letter, at), statement), statement.id


def add_statement_after(instrument: Instrument, statement_id: str, text: str = "") -> tuple[Instrument, str]:
    place = locate(instrument, statement_id)
    return add_statement(instrument, instrument.banks[place.bank].id, place.letter, place.index + 1, text)


def edit_statement(instrument: Instrument, statement_id: str, **changes: Any) -> Instrument:
    _only(changes, _STATEMENT_FIELDS, "a statement")
    place = locate(instrument, statement_id)
    if "text" in changes:
        changes["text"] = " ".join(changes["text"].split())  # one line on paper
    current = instrument.banks[place.bank].section(place.letter).statements
    changed = replace(current[place.index], **changes)
    return _put_statements(instrument, place.bank, place.letter, _replace_at(current, place.index, changed))


def toggle_negative(instrument: Instrument, statement_id: str) -> Instrument:
    current = _statement_at(instrument, locate(instrument, statement_id))
    return edit_statement(instrument, statement_id, negative=not current.negative)


def delete_statement(instrument: Instrument, statement_id: str) -> Instrument:
    removed = _remove(instrument, locate(instrument, statement_id))
    return replace(removed, retired_ids=_retire(instrument, (statement_id,)))


def duplicate_statement(instrument: Instrument, statement_id: str) -> tuple[Instrument, str]:
    place = locate(instrument, statement_id)
    original = _statement_at(instrument, place)
    copy = replace(original, id=instrument.new_id(instrument.banks[place.bank].id))
    return _insert(instrument, replace(place, index=place.index + 1), copy), copy.id


def place_statement(instrument: Instrument, statement_id: str, bank_id: str, letter: str,
                    index: int | None = None) -> Instrument:
    """Move a statement to ``index`` of section ``letter`` of a bank (default: last). Id kept."""
    _check_letter(letter)
    place = locate(instrument, statement_id)
    statement = _statement_at(instrument, place)
    removed = _remove(instrument, place)
    b = bank_index(removed, bank_id)
    count = len(removed.banks[b].section(letter).statements)
    at = count if index is None else max(0, min(index, count))
    return _insert(removed, Place(b, letter, at), statement)


def move_statement(instrument: Instrument, statement_id: str, delta: int) -> Instrument:
    """One place up (-1) or down (+1); past a section's edge into the next section of the bank."""
    place = locate(instrument, statement_id)
    bank = instrument.banks[place.bank]
    count = len(bank.section(place.letter).statements)
    target = place.index + delta
    if 0 <= target < count:
        return place_statement(instrument, statement_id, bank.id, place.letter, target)
    return move_statement_to_section(instrument, statement_id, -1 if delta < 0 else 1)


def move_statement_to_section(instrument: Instrument, statement_id: str, delta: int) -> Instrument:
    """Into the previous section (as its last statement) or the next one (as its first)."""
    place = locate(instrument, statement_id)
    bank = instrument.banks[place.bank]
    s = SECTION_LETTERS.index(place.letter) + delta
    if not 0 <= s < len(SECTION_LETTERS):
        edge = "first" if delta < 0 else "last"
        raise EditError(f"{_code(instrument, place)} is already in the {edge} section of {bank.abbreviation}")
    letter = SECTION_LETTERS[s]
    return place_statement(instrument, statement_id, bank.id, letter, None if delta < 0 else 0)


# --- the participant key -----------------------------------------------------------------


def _with_key(instrument: Instrument, **changes: Any) -> Instrument:
    return replace(instrument, key=replace(instrument.key, **changes))


def _insert_after(items: tuple[T, ...], after: int | None, item: T) -> tuple[tuple[T, ...], int]:
    at = len(items) if after is None else after + 1
    return items[:at] + (item,) + items[at:], at


def _replace_at(items: tuple[T, ...], index: int, item: T) -> tuple[T, ...]:
    return items[:index] + (item,) + items[index + 1:]


def _drop_at(items: tuple[T, ...], index: int) -> tuple[T, ...]:
    return items[:index] + items[index + 1:]


def add_school(instrument: Instrument, after: int | None = None) -> tuple[Instrument, int]:
    used = set(instrument.key.school_letters)
    letter = next((c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used), None)
    if letter is None:
        raise EditError("the participant key already uses every letter A-Z")
    schools, at = _insert_after(instrument.key.schools, after, School(letter))
    return _with_key(instrument, schools=schools), at


def edit_school(instrument: Instrument, index: int, *, letter: str | None = None,
                name: str | None = None) -> Instrument:
    school = instrument.key.schools[index]
    changed = replace(
        school,
        letter=school.letter if letter is None else letter.strip().upper(),
        name=school.name if name is None else name.strip(),
    )
    return _with_key(instrument, schools=_replace_at(instrument.key.schools, index, changed))


def delete_school(instrument: Instrument, index: int) -> Instrument:
    return _with_key(instrument, schools=_drop_at(instrument.key.schools, index))


def add_role(instrument: Instrument, after: int | None = None) -> tuple[Instrument, int]:
    used = set(instrument.key.role_digits)
    digit = next((d for d in range(1, 10) if d not in used), None)
    if digit is None:
        raise EditError("the participant key already uses every role digit 1-9")
    roles, at = _insert_after(instrument.key.roles, after, Role(digit, ""))
    return _with_key(instrument, roles=roles), at


def edit_role(instrument: Instrument, index: int, *, digit: int | None = None,
              label: str | None = None) -> Instrument:
    """Relabel or renumber a role; a new digit is carried into the role groups that named it."""
    role = instrument.key.roles[index]
    changed = replace(role, digit=role.digit if digit is None else digit,
                      label=role.label if label is None else label.strip())
    groups = instrument.key.groups
    if changed.digit != role.digit:
        groups = tuple(replace(g, roles=tuple(changed.digit if d == role.digit else d for d in g.roles))
                       for g in groups)
    return _with_key(instrument, roles=_replace_at(instrument.key.roles, index, changed), groups=groups)


def delete_role(instrument: Instrument, index: int) -> Instrument:
    digit = instrument.key.roles[index].digit
    groups = tuple(replace(g, roles=tuple(d for d in g.roles if d != digit)) for g in instrument.key.groups)
    return _with_key(instrument, roles=_drop_at(instrument.key.roles, index), groups=groups)


def add_group(instrument: Instrument, after: int | None = None) -> tuple[Instrument, int]:
    names = {g.name for g in instrument.key.groups}
    n = 1
    while f"G{n}" in names:
        n += 1
    groups, at = _insert_after(instrument.key.groups, after, RoleGroup(f"G{n}", "", ()))
    return _with_key(instrument, groups=groups), at


def parse_digits(text: str) -> tuple[int, ...]:
    """'1 2', '1,2' or '12' -> (1, 2): role digits are single digits, so separators are optional."""
    return tuple(int(c) for c in text if c.isdigit())


def edit_group(instrument: Instrument, index: int, *, name: str | None = None, label: str | None = None,
               roles: tuple[int, ...] | None = None) -> Instrument:
    group = instrument.key.groups[index]
    changed = replace(
        group,
        name=group.name if name is None else name.strip(),
        label=group.label if label is None else label.strip(),
        roles=group.roles if roles is None else tuple(dict.fromkeys(roles)),
    )
    return _with_key(instrument, groups=_replace_at(instrument.key.groups, index, changed))


def delete_group(instrument: Instrument, index: int) -> Instrument:
    return _with_key(instrument, groups=_drop_at(instrument.key.groups, index))


KEY_LISTS = {"school": "schools", "role": "roles", "group": "groups"}


def move_key_item(instrument: Instrument, kind: str, index: int, delta: int) -> Instrument:
    """Reorder schools, roles or role groups (the order they are listed and analysed in)."""
    attribute = KEY_LISTS[kind]
    items = getattr(instrument.key, attribute)
    return _with_key(instrument, **{attribute: _shift(items, index, delta, f"this {kind}")})


# --- undo and redo -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One edit: the instrument after it, and where the editor's attention was before and after."""

    label: str
    instrument: Instrument
    before: Any = None
    after: Any = None


class EditHistory:
    """Snapshots of the instrument, one per edit, with undo and redo.

    Snapshots share every unchanged bank and statement with their neighbours (the model is
    immutable), so keeping hundreds of them costs little. ``saved`` is the instrument as it
    stands in its file; ``dirty`` says whether closing now would lose anything.
    """

    def __init__(self, instrument: Instrument, focus: Any = None, limit: int = 1000):
        self._steps: list[Step] = [Step("open", instrument, focus, focus)]
        self._at = 0
        self._limit = limit
        self.saved: Instrument = instrument

    @property
    def current(self) -> Instrument:
        return self._steps[self._at].instrument

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._steps) - 1

    @property
    def dirty(self) -> bool:
        return self.current != self.saved

    def apply(self, label: str, instrument: Instrument, before: Any = None, after: Any = None) -> bool:
        """Record an edit; an edit that changes nothing is not recorded. Clears the redo list."""
        if instrument == self.current:
            return False
        del self._steps[self._at + 1:]
        self._steps.append(Step(label, instrument, before, after))
        if len(self._steps) > self._limit + 1:  # the opened instrument is never dropped
            del self._steps[1: len(self._steps) - self._limit]
        self._at = len(self._steps) - 1
        return True

    def run(self, label: str, edit: Callable[..., Instrument], *args: Any,
            before: Any = None, after: Any = None, **kwargs: Any) -> Instrument:
        """Apply ``edit(current, *args, **kwargs)`` and record it."""
        changed = edit(self.current, *args, **kwargs)
        self.apply(label, changed, before, after)
        return changed

    def undo(self) -> Step | None:
        """Go back one edit; returns the step undone (its label and ``before`` focus)."""
        if not self.can_undo:
            return None
        undone = self._steps[self._at]
        self._at -= 1
        return undone

    def redo(self) -> Step | None:
        if not self.can_redo:
            return None
        self._at += 1
        return self._steps[self._at]

    def mark_saved(self, instrument: Instrument | None = None) -> None:
        """The file now holds ``instrument`` (default: the current one)."""
        self.saved = instrument or self.current

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self._steps[1: self._at + 1]]
