"""The instrument builder without the screen: what is selected, its fields, and what each key does.

A ``Target`` names the selected item by stable id (a bank, a section of a bank, a statement)
or by place (a school, role or role group of the participant key), so the selection
follows an item when it moves. ``fields_for`` lists the editor's fields for a target,
``write_field`` applies one committed field, and the ``add``/``delete``/``duplicate``/
``move``/``move_to_section``/``toggle_negative`` functions do what the builder's keys do,
each returning an ``Outcome``: the new instrument, where the selection goes, and a label
for the undo history. The screen only maps keys and widgets to these.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.domain.instrument import edit as e
from tui.domain.instrument.edit import EditError
from tui.domain.instrument.model import SECTION_LETTERS, Instrument
from tui.domain.instrument.problems import Path

INSTRUMENT, KEY, BANK, SECTION, STATEMENT = "instrument", "key", "bank", "section", "statement"
SCHOOLS, SCHOOL, ROLES, ROLE, GROUPS, GROUP = "schools", "school", "roles", "role", "groups", "group"
# The three lists of the participant key: heading kind -> item kind.
KEY_HEADINGS = {SCHOOLS: SCHOOL, ROLES: ROLE, GROUPS: GROUP}


@dataclass(frozen=True)
class Target:
    kind: str
    id: str = ""  # bank id (bank, section) or statement id
    letter: str = ""  # section letter
    index: int = -1  # place in the participant key's list


ROOT = Target(INSTRUMENT)


@dataclass(frozen=True)
class Outcome:
    instrument: Instrument
    target: Target
    label: str


# --- fields ----------------------------------------------------------------------------

LINE, PARAGRAPH, LINES, FLAG = "line", "paragraph", "lines", "flag"


@dataclass(frozen=True)
class Field:
    """One editor field. ``style``: line (Input), paragraph (wrapped, one line on save),
    lines (several paragraphs), flag (a checkbox)."""

    name: str
    label: str
    value: str | bool
    style: str = LINE
    placeholder: str = ""
    restrict: str | None = None
    max_length: int = 0


def _stage_fields(instrument: Instrument, bank_id: str | None, letters: tuple[str, ...]) -> list[Field]:
    fields = []
    for letter in letters:
        if bank_id is None:
            fields.append(Field(f"stage_{letter}", f"Stage {letter} (hidden; all banks)",
                                instrument.stages.get(letter, "")))
        else:
            bank = e.bank_by_id(instrument, bank_id)
            fields.append(Field(f"override_{letter}", f"Stage {letter} for {bank.abbreviation} only",
                                bank.stages.get(letter, ""),
                                placeholder=f"{instrument.stages.get(letter, '')} (as for all banks)"))
    return fields


def fields_for(instrument: Instrument, target: Target) -> list[Field]:
    kind = target.kind
    if kind == INSTRUMENT:
        return [
            Field("title", "Title", instrument.title),
            Field("version", "Version", instrument.version),
            Field("id", "Id (lower case; names the file)", instrument.id, restrict=r"[a-z0-9_.\-]*"),
            *_stage_fields(instrument, None, SECTION_LETTERS),
            Field("instructions", "Instructions (printed on the first page)", instrument.instructions, LINES),
            Field("sign_off", "Sign-off (printed under the instructions)", instrument.sign_off, LINES),
            Field("marking", "Marking: tick (boxes) or highlight", instrument.marking, restrict=r"[a-z]*",
                  max_length=9),
            Field("note", "Note (staff only)", instrument.note, LINES),
        ]
    if kind == BANK:
        bank = e.bank_by_id(instrument, target.id)
        return [
            Field("abbreviation", "Abbreviation (codes such as JPD C2)", bank.abbreviation,
                  restrict=r"[A-Za-z0-9&]*", max_length=10),
            Field("title", "Title", bank.title),
            Field("dimension", "Dimension", bank.dimension),
            Field("rubric", "Rubric (printed above the statements)", bank.rubric, LINES),
            *_stage_fields(instrument, bank.id, SECTION_LETTERS),
            Field("note", "Note (staff only)", bank.note, LINES),
        ]
    if kind == SECTION:
        return (_stage_fields(instrument, None, (target.letter,))
                + _stage_fields(instrument, target.id, (target.letter,)))
    if kind == STATEMENT:
        statement = instrument.ref_by_id(target.id).statement
        return [
            Field("text", "Statement", statement.text, PARAGRAPH),
            Field("negative", "Negatively worded", statement.negative, FLAG),
            Field("incomplete", "Incomplete wording (no real forms until finished)", statement.incomplete, FLAG),
            Field("note", "Note (staff only)", statement.note, LINES),
        ]
    key = instrument.key
    if kind == SCHOOL:
        school = key.schools[target.index]
        return [Field("letter", "School letter", school.letter, restrict=r"[A-Za-z]", max_length=1),
                Field("name", "Name (secret: never printed or exported)", school.name)]
    if kind == ROLE:
        role = key.roles[target.index]
        return [Field("digit", "Role digit", str(role.digit), restrict=r"[1-9]", max_length=1),
                Field("label", "Role", role.label)]
    if kind == GROUP:
        group = key.groups[target.index]
        return [Field("name", "Group name", group.name),
                Field("label", "Label", group.label),
                Field("roles", "Role digits, e.g. 1 2", " ".join(str(d) for d in group.roles),
                      restrict=r"[0-9 ,]*")]
    return []


def read_field(instrument: Instrument, target: Target, name: str) -> str | bool:
    for field in fields_for(instrument, target):
        if field.name == name:
            return field.value
    raise EditError(f"{describe(instrument, target)} has no field {name!r}")


def write_field(instrument: Instrument, target: Target, name: str, value: str | bool,
                fixed_ids: frozenset[str] | set[str] = frozenset()) -> Outcome:
    """Apply one committed field. A bank whose id is not in ``fixed_ids`` (never saved) takes
    a new id from its new abbreviation, so files read naturally ('ldr', 'ldr.1')."""
    what = describe(instrument, target)
    kind = target.kind
    if name.startswith("stage_"):
        changed = e.set_stage(instrument, name[-1], str(value))
        return Outcome(changed, target, f"stage {name[-1]}: {str(value).strip()}")
    if name.startswith("override_"):
        changed = e.set_bank_stage(instrument, target.id, name[-1], str(value))
        return Outcome(changed, target, f"{what}: stage {name[-1]} override")
    if kind == INSTRUMENT:
        return Outcome(e.edit_instrument(instrument, **{name: str(value).strip()}), target, f"instrument {name}")
    if kind == BANK:
        changed = e.edit_bank(instrument, target.id, **{name: value})
        if name == "abbreviation" and target.id not in fixed_ids:
            changed, new_id = e.rekey_bank(changed, target.id)
            target = Target(BANK, new_id)
        return Outcome(changed, target, f"{what}: {name}")
    if kind == STATEMENT:
        changed = e.edit_statement(instrument, target.id, **{name: value})
        verb = {"text": "reword", "negative": "negative flag", "incomplete": "incomplete flag", "note": "note"}[name]
        return Outcome(changed, target, f"{verb} {what}")
    if kind == SCHOOL:
        return Outcome(e.edit_school(instrument, target.index, **{name: str(value)}), target, f"{what}: {name}")
    if kind == ROLE:
        if name == "digit":
            digits = e.parse_digits(str(value))
            if len(digits) != 1:
                raise EditError("a role digit is one digit 1-9")
            changed = e.edit_role(instrument, target.index, digit=digits[0])
        else:
            changed = e.edit_role(instrument, target.index, label=str(value))
        return Outcome(changed, target, f"{what}: {name}")
    if kind == GROUP:
        if name == "roles":
            changed = e.edit_group(instrument, target.index, roles=e.parse_digits(str(value)))
        elif name == "name":
            changed = e.edit_group(instrument, target.index, name=str(value))
        else:
            changed = e.edit_group(instrument, target.index, label=str(value))
        return Outcome(changed, target, f"{what}: {name}")
    raise EditError(f"{what} has no fields to edit")


# --- words for a target ------------------------------------------------------------------


def describe(instrument: Instrument, target: Target) -> str:
    """'JPD C2', 'bank JPD', 'JPD section C', 'school A', 'role 4', 'group HD', 'the instrument'."""
    kind = target.kind
    try:
        if kind == STATEMENT:
            return instrument.ref_by_id(target.id).code
        if kind == BANK:
            return f"bank {e.bank_by_id(instrument, target.id).abbreviation}"
        if kind == SECTION:
            return f"{e.bank_by_id(instrument, target.id).abbreviation} section {target.letter}"
        if kind == SCHOOL:
            return f"school {instrument.key.schools[target.index].letter}"
        if kind == ROLE:
            return f"role {instrument.key.roles[target.index].digit}"
        if kind == GROUP:
            return f"group {instrument.key.groups[target.index].name}"
    except (KeyError, IndexError, EditError):
        return kind
    return {INSTRUMENT: "the instrument", KEY: "the participant key", SCHOOLS: "the schools",
            ROLES: "the roles", GROUPS: "the role groups"}.get(kind, kind)


def exists(instrument: Instrument, target: Target) -> bool:
    try:
        if target.kind == STATEMENT:
            instrument.ref_by_id(target.id)
        elif target.kind in (BANK, SECTION):
            e.bank_by_id(instrument, target.id)
        elif target.kind in (SCHOOL, ROLE, GROUP):
            items = getattr(instrument.key, e.KEY_LISTS[target.kind])
            return 0 <= target.index < len(items)
    except (KeyError, EditError):
        return False
    return True


def target_for_path(instrument: Instrument, path: Path) -> Target:
    """The item a problem's path points at (see checks.py), for jumping from a problem to it."""
    if not path:
        return ROOT
    head = path[0]
    if head == "bank":
        if len(path) < 2 or not isinstance(path[1], int) or path[1] >= len(instrument.banks):
            return ROOT
        bank = instrument.banks[path[1]]
        if len(path) >= 4 and path[2] == "section" and isinstance(path[3], str):
            section = bank.section(path[3]) if path[3] in SECTION_LETTERS else None
            if section and len(path) >= 6 and path[4] == "statement" and isinstance(path[5], int) \
                    and path[5] < len(section.statements):
                return Target(STATEMENT, section.statements[path[5]].id)
            if section:
                return Target(SECTION, bank.id, path[3])
        return Target(BANK, bank.id)
    item = {"school": SCHOOL, "role": ROLE, "role_group": GROUP}.get(str(head))
    if item:
        heading = {SCHOOL: SCHOOLS, ROLE: ROLES, GROUP: GROUPS}[item]
        if len(path) >= 2 and isinstance(path[1], int):
            return Target(item, index=path[1])
        return Target(heading)
    return ROOT


# --- what the keys do ------------------------------------------------------------------


def _key_list(target: Target) -> str | None:
    """school/role/group for a key item or its heading; None otherwise."""
    if target.kind in KEY_HEADINGS:
        return KEY_HEADINGS[target.kind]
    if target.kind in KEY_HEADINGS.values():
        return target.kind
    if target.kind == KEY:
        return SCHOOL
    return None


_ADD_KEY_ITEM = {SCHOOL: e.add_school, ROLE: e.add_role, GROUP: e.add_group}
_DELETE_KEY_ITEM = {SCHOOL: e.delete_school, ROLE: e.delete_role, GROUP: e.delete_group}


def add(instrument: Instrument, target: Target) -> Outcome:
    """Add the natural thing next to the selection: a bank after a bank (or at the end), a
    statement at the end of a section or after a statement, a school/role/group."""
    kind = target.kind
    if kind in (INSTRUMENT, BANK):
        changed, bank_id = e.add_bank(instrument, after=target.id if kind == BANK else None)
        return Outcome(changed, Target(BANK, bank_id), f"add {describe(changed, Target(BANK, bank_id))}")
    if kind == SECTION:
        changed, sid = e.add_statement(instrument, target.id, target.letter)
    elif kind == STATEMENT:
        changed, sid = e.add_statement_after(instrument, target.id)
    else:
        item = _key_list(target)
        if item is None:
            raise EditError(f"nothing can be added to {describe(instrument, target)}")
        after = target.index if target.kind == item else None
        changed, index = _ADD_KEY_ITEM[item](instrument, after)
        new = Target(item, index=index)
        return Outcome(changed, new, f"add {describe(changed, new)}")
    new = Target(STATEMENT, sid)
    return Outcome(changed, new, f"add statement {describe(changed, new)}")


def delete(instrument: Instrument, target: Target) -> Outcome:
    """Delete the selection; the selection moves to the next item, or the one before, or up."""
    kind, what = target.kind, describe(instrument, target)
    if kind == BANK:
        i = e.bank_index(instrument, target.id)
        changed = e.delete_bank(instrument, target.id)
        near = changed.banks[min(i, len(changed.banks) - 1)] if changed.banks else None
        return Outcome(changed, Target(BANK, near.id) if near else ROOT, f"delete {what}")
    if kind == STATEMENT:
        place = e.locate(instrument, target.id)
        bank = instrument.banks[place.bank]
        changed = e.delete_statement(instrument, target.id)
        left = changed.banks[place.bank].section(place.letter).statements
        if left:
            new = Target(STATEMENT, left[min(place.index, len(left) - 1)].id)
        else:
            new = Target(SECTION, bank.id, place.letter)
        return Outcome(changed, new, f"delete {what}")
    if kind in _DELETE_KEY_ITEM:
        changed = _DELETE_KEY_ITEM[kind](instrument, target.index)
        items = getattr(changed.key, e.KEY_LISTS[kind])
        heading = {SCHOOL: SCHOOLS, ROLE: ROLES, GROUP: GROUPS}[kind]
        new = Target(kind, index=min(target.index, len(items) - 1)) if items else Target(heading)
        return Outcome(changed, new, f"delete {what}")
    if kind == SECTION:
        raise EditError("a bank always has sections A-D; delete the statements instead")
    raise EditError(f"{what} cannot be deleted")


def duplicate(instrument: Instrument, target: Target) -> Outcome:
    if target.kind == BANK:
        changed, bank_id = e.duplicate_bank(instrument, target.id)
        new = Target(BANK, bank_id)
    elif target.kind == STATEMENT:
        changed, sid = e.duplicate_statement(instrument, target.id)
        new = Target(STATEMENT, sid)
    else:
        raise EditError("only banks and statements can be duplicated")
    return Outcome(changed, new, f"duplicate {describe(instrument, target)} as {describe(changed, new)}")


def move(instrument: Instrument, target: Target, delta: int) -> Outcome:
    """One place up or down; a statement walks across section edges within its bank."""
    what = describe(instrument, target)
    if target.kind == BANK:
        return Outcome(e.move_bank(instrument, target.id, delta), target, f"move {what}")
    if target.kind == STATEMENT:
        changed = e.move_statement(instrument, target.id, delta)
        return Outcome(changed, target, f"move {what} -> {describe(changed, target)}")
    if target.kind in _DELETE_KEY_ITEM:
        changed = e.move_key_item(instrument, target.kind, target.index, delta)
        return Outcome(changed, Target(target.kind, index=target.index + delta), f"move {what}")
    raise EditError(f"{what} cannot be moved")


def move_to_section(instrument: Instrument, target: Target, delta: int) -> Outcome:
    if target.kind != STATEMENT:
        raise EditError("only a statement can move to another section")
    changed = e.move_statement_to_section(instrument, target.id, delta)
    return Outcome(changed, target,
                   f"move {describe(instrument, target)} -> {describe(changed, target)}")


def move_to_code(instrument: Instrument, target: Target, code: str) -> Outcome:
    """Move a statement to a place named like a code: 'HSC B' (end of section) or 'HSC B2'."""
    if target.kind != STATEMENT:
        raise EditError("only a statement can be moved to a code")
    parts = code.strip().upper().split()
    if len(parts) != 2 or not parts[1] or parts[1][0] not in SECTION_LETTERS or \
            not (parts[1][1:] == "" or parts[1][1:].isdigit()):
        raise EditError(f"{code!r}: give a bank and section such as 'HSC B' or a place such as 'HSC B2'")
    try:
        bank = instrument.bank(parts[0])
    except KeyError as exc:
        raise EditError(str(exc.args[0])) from None
    letter, position = parts[1][0], parts[1][1:]
    index = int(position) - 1 if position else None
    changed = e.place_statement(instrument, target.id, bank.id, letter, index)
    return Outcome(changed, target, f"move {describe(instrument, target)} -> {describe(changed, target)}")


def toggle_negative(instrument: Instrument, target: Target) -> Outcome:
    if target.kind != STATEMENT:
        raise EditError("only a statement can be marked negative")
    changed = e.toggle_negative(instrument, target.id)
    return Outcome(changed, target, f"negative flag {describe(instrument, target)}")


def find_code(instrument: Instrument, code: str) -> Target:
    """'JPD C2', 'jpd 8' -> that statement; 'JPD' -> the bank; 'JPD C' -> the section."""
    parts = code.strip().upper().split()
    try:
        if len(parts) == 1:
            return Target(BANK, instrument.bank(parts[0]).id)
        if len(parts) == 2 and parts[1] in SECTION_LETTERS:
            return Target(SECTION, instrument.bank(parts[0]).id, parts[1])
        return Target(STATEMENT, instrument.find(code).statement.id)
    except KeyError as exc:
        raise EditError(str(exc.args[0])) from None
