"""Rules an instrument must satisfy, checked on the model.

The same rules serve ``surveydesk validate`` (which adds file and line) and the builder
(which shows them inline as the researcher edits).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tui.domain.instrument.model import MARKINGS, MAX_BANK_STATEMENTS, SECTION_LETTERS, Instrument
from tui.domain.instrument.problems import WARNING, Path, Problem

ABBREVIATION = re.compile(r"^[A-Za-z][A-Za-z0-9&]{0,9}$")
IDENT = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
# A section with more statements than this needs separators when keyed (see entry).
SINGLE_DIGIT_SECTION = 9


def describe(instrument: Instrument, path: Path) -> str:
    """Human words for a model path, e.g. 'JPD C2' or 'bank 3 (CMP)'."""
    if not path:
        return "instrument"
    if path[0] == "bank" and len(path) >= 2 and isinstance(path[1], int):
        if path[1] >= len(instrument.banks):
            return f"bank {path[1] + 1}"
        bank = instrument.banks[path[1]]
        name = bank.abbreviation or f"bank {path[1] + 1}"
        if len(path) >= 4 and path[2] == "section":
            letter = path[3]
            if len(path) >= 6 and path[4] == "statement" and isinstance(path[5], int):
                return f"{name} {letter}{path[5] + 1}"
            return f"{name} section {letter}"
        return f"bank {path[1] + 1} ({name})" if bank.abbreviation else name
    if path[0] in ("school", "role", "role_group") and len(path) >= 2:
        return f"{path[0].replace('_', ' ')} {int(path[1]) + 1}"
    return str(path[0])


FINISH_HOW = ("finish the wording in the Builder (F6: complete the statement, untick 'Incomplete', save) "
              "or in the file (complete `text`, delete `incomplete = true`)")


def incomplete_refusal(instrument: Instrument) -> str | None:
    """Why real forms cannot be printed from ``instrument`` and how to finish it; None if they can."""
    refs = instrument.incomplete_refs()
    if not refs:
        return None
    listed = ", ".join(f"{ref.code} ({ref.statement.text.strip()!r})" for ref in refs)
    which = "statement is" if len(refs) == 1 else "statements are"
    return (f"{instrument.title} {instrument.version}: {len(refs)} {which} marked incomplete: {listed}. "
            f"Real forms are not printed from it: {FINISH_HOW}, then use the finished version. "
            "A specimen still prints, marked INCOMPLETE.")


# Words in the letter that ask for one way of marking (whole words, any case).
MARKING_WORDS = {"tick": re.compile(r"\b(tick|ticks|ticked|ticking)\b|\u2713", re.IGNORECASE),
                 "highlight": re.compile(r"\bhighlight(s|ed|ing)?\b", re.IGNORECASE)}


def marking_mismatch(instrument: Instrument) -> str | None:
    """The letter asks for the other way of marking than the form prints (None if it does not)."""
    if instrument.marking not in MARKINGS:
        return None
    other = next(m for m in MARKINGS if m != instrument.marking)
    found = MARKING_WORDS[other].search(instrument.instructions)
    if not found or MARKING_WORDS[instrument.marking].search(instrument.instructions):
        return None
    printed = "a tick box beside every statement" if instrument.marking == "tick" else "no tick boxes"
    return (f"the instructions ask respondents to {found.group(0).lower()} statements, but the form "
            f"(marking = \"{instrument.marking}\") prints {printed} and tells them to "
            f"{instrument.marking} on every bank page: reword the letter or set marking = \"{other}\"")


def check_instrument(instrument: Instrument) -> list[Problem]:
    problems: list[Problem] = []

    def add(message: str, path: Path, severity: str = "error") -> None:
        problems.append(Problem(message, path, severity, where=describe(instrument, path)))

    if not IDENT.match(instrument.id or ""):
        add(f"instrument id {instrument.id!r} must be lower-case letters, digits, '-', '_' or '.'", ("id",))
    if not instrument.title.strip():
        add("the instrument needs a title", ("title",))
    if not str(instrument.version).strip():
        add("the instrument needs a version, e.g. version = \"2015\"", ("version",))
    if instrument.marking not in MARKINGS:
        add(f"marking = {instrument.marking!r}: respondents mark by \"tick\" or \"highlight\"", ("marking",))
    elif mismatch := marking_mismatch(instrument):
        add(mismatch, ("instructions",), WARNING)
    if not instrument.sign_off.strip():
        add("the letter is unsigned: add sign_off = \"Your name\\nRole, institution\" (printed under the "
            "instructions)", ("instructions",), WARNING)
    for letter in SECTION_LETTERS:
        if not instrument.stages.get(letter, "").strip():
            add(f"stage label for section {letter} is empty", ("stages", letter))

    _check_key(instrument, add)

    if not instrument.banks:
        add("the instrument has no banks", ("bank",))
    seen_abbr: dict[str, int] = {}
    seen_ids: dict[str, str] = {}
    retired = set(instrument.retired_ids)
    for i, bank in enumerate(instrument.banks):
        bpath: Path = ("bank", i)
        if not ABBREVIATION.match(bank.abbreviation):
            add(
                f"bank abbreviation {bank.abbreviation!r} must start with a letter and hold only "
                "letters, digits or '&' (at most 10), e.g. JPD or E&C",
                bpath + ("abbreviation",),
            )
        key = bank.abbreviation.upper()
        if key in seen_abbr:
            add(
                f"duplicate bank abbreviation {bank.abbreviation!r} (also bank {seen_abbr[key] + 1})",
                bpath + ("abbreviation",),
            )
        else:
            seen_abbr[key] = i
        if not bank.title.strip():
            add("bank has no title", bpath + ("title",))
        _check_id(bank.id, bpath + ("id",), f"bank {bank.abbreviation}", seen_ids, retired, add)
        for letter, label in bank.stages.items():
            if letter not in SECTION_LETTERS:
                add(f"stage override for section {letter!r}: sections are A-D", bpath + ("stages", letter))
            elif not label.strip():
                add(f"stage override for section {letter} is empty", bpath + ("stages", letter))
        if bank.statement_count == 0:
            add("bank has no statements", bpath)
        elif bank.statement_count > MAX_BANK_STATEMENTS:
            add(f"bank has {bank.statement_count} statements; a bank holds at most {MAX_BANK_STATEMENTS} "
                "(split it into several banks)", bpath)
        for section in bank.sections:
            spath: Path = bpath + ("section", section.letter)
            if section.letter not in SECTION_LETTERS:
                add(f"section letter {section.letter!r} is outside A-D", spath + ("letter",))
            if not section.statements and bank.statement_count:
                add(f"section {section.letter} has no statements", spath, WARNING)
            if len(section.statements) > SINGLE_DIGIT_SECTION:
                add(
                    f"section {section.letter} has {len(section.statements)} statements; keying it "
                    "needs separators between numbers (e.g. 1 12 3)",
                    spath,
                    WARNING,
                )
            texts: set[str] = set()
            for k, statement in enumerate(section.statements):
                tpath: Path = spath + ("statement", k)
                code = f"{bank.abbreviation} {section.letter}{k + 1}"
                _check_id(statement.id, tpath + ("id",), code, seen_ids, retired, add)
                if statement.incomplete:
                    add(f"statement {code} is marked incomplete: no real forms until you {FINISH_HOW}",
                        tpath + ("incomplete",), WARNING)
                if not statement.text.strip():
                    add(f"statement {code} is empty", tpath + ("text",))
                elif statement.text.strip() in texts:
                    add(f"statement {code} repeats an earlier statement of section {section.letter}",
                        tpath + ("text",), WARNING)
                texts.add(statement.text.strip())
    return problems


# add(message, path[, severity]): records one problem.
_Add = Callable[..., None]


def _check_id(ident: str, path: Path, what: str, seen: dict[str, str], retired: set[str], add: _Add) -> None:
    if not IDENT.match(ident or ""):
        add(
            f"{what}: id {ident!r} must be lower-case letters, digits, '-', '_' or '.' (e.g. jpd.14)",
            path,
        )
        return
    if ident in seen:
        add(f"{what}: id {ident!r} is already used by {seen[ident]}", path)
    elif ident in retired:
        add(f"{what}: id {ident!r} belonged to a deleted item and must not be reused", path)
    seen[ident] = what


def _check_key(instrument: Instrument, add: _Add) -> None:
    key = instrument.key
    if not key.schools:
        add("the participant key has no schools", ("school",))
    letters: set[str] = set()
    for i, school in enumerate(key.schools):
        if not re.fullmatch(r"[A-Z]", school.letter):
            add(f"school letter {school.letter!r} must be one capital letter A-Z", ("school", i, "letter"))
        elif school.letter in letters:
            add(f"school letter {school.letter} appears twice in the participant key", ("school", i, "letter"))
        letters.add(school.letter)
    if not key.roles:
        add("the participant key has no roles", ("role",))
    digits: set[int] = set()
    for i, role in enumerate(key.roles):
        if not (isinstance(role.digit, int) and 1 <= role.digit <= 9):
            add(f"role digit {role.digit!r} must be a single digit 1-9", ("role", i, "digit"))
        elif role.digit in digits:
            add(f"role digit {role.digit} appears twice in the participant key", ("role", i, "digit"))
        digits.add(role.digit)
        if not role.label.strip():
            add(f"role {role.digit} has no label", ("role", i, "label"))
    grouped: dict[int, str] = {}
    names: set[str] = set()
    for i, group in enumerate(key.groups):
        if not group.name.strip():
            add("role group has no name", ("role_group", i, "name"))
        elif group.name in names:
            add(f"role group {group.name!r} appears twice", ("role_group", i, "name"))
        names.add(group.name)
        if not group.roles:
            add(f"role group {group.name!r} has no roles", ("role_group", i, "roles"))
        for digit in group.roles:
            if digit not in digits:
                add(f"role group {group.name!r} names role {digit}, which is not in the key",
                    ("role_group", i, "roles"))
            elif digit in grouped:
                add(f"role {digit} is in both role groups {grouped[digit]!r} and {group.name!r}",
                    ("role_group", i, "roles"))
            else:
                grouped[digit] = group.name
    if key.groups:
        for digit in sorted(digits - set(grouped)):
            add(f"role {digit} is in no role group; analysis by group will leave it out",
                ("role_group",), WARNING)
