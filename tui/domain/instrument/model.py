"""The instrument: banks of statements in sections A-D, and the participant key.

Pure data, no I/O and no Textual. Everything a researcher would otherwise type twice
(statement codes such as ``JPD C2``, running numbers such as ``JPD 8``, the grammar of
participant codes such as ``E5``) is derived here from the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from tui.domain.errors import SurveyDeskError

SECTION_LETTERS = ("A", "B", "C", "D")
# How respondents mark a statement they believe true: a tick in its box (survives photocopies and
# black-and-white scans) or a highlight (a yellow highlight vanishes from both).
MARKINGS = ("tick", "highlight")
DEFAULT_STAGES = {"A": "Beginning", "B": "Developing", "C": "Embedding", "D": "Leading"}
# A bank's statements must fit one signed 64-bit mask (SQLite INTEGER, PostgreSQL BIGINT).
MAX_BANK_STATEMENTS = 63


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    negative: bool = False
    note: str = ""
    # The wording is not finished (e.g. lost in the source): no real form may print it.
    incomplete: bool = False


@dataclass(frozen=True)
class Section:
    letter: str
    statements: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class Bank:
    id: str
    abbreviation: str
    title: str
    dimension: str = ""
    rubric: str = ""
    # Always four sections, A-D in order; an empty section is allowed.
    sections: tuple[Section, ...] = tuple(Section(letter) for letter in SECTION_LETTERS)
    # Per-bank override of the instrument's hidden stage labels (letter -> label).
    stages: dict[str, str] = field(default_factory=dict)
    note: str = ""

    def section(self, letter: str) -> Section:
        for section in self.sections:
            if section.letter == letter:
                return section
        raise KeyError(f"{self.abbreviation} has no section {letter}")

    @property
    def statement_count(self) -> int:
        return sum(len(s.statements) for s in self.sections)


@dataclass(frozen=True)
class School:
    letter: str
    # The researcher's secret: never printed on a form or written to an export.
    name: str = ""


@dataclass(frozen=True)
class Role:
    digit: int
    label: str


@dataclass(frozen=True)
class RoleGroup:
    name: str
    label: str
    roles: tuple[int, ...]


@dataclass(frozen=True)
class ParticipantCode:
    school: str
    role: int

    def __str__(self) -> str:
        return f"{self.school}{self.role}"


class ParticipantCodeError(SurveyDeskError):
    """A participant code that does not fit the key; the message says why."""


_CODE_SHAPE = re.compile(r"^([A-Za-z])([0-9])$")


@dataclass(frozen=True)
class ParticipantKey:
    schools: tuple[School, ...]
    roles: tuple[Role, ...]
    groups: tuple[RoleGroup, ...] = ()

    @property
    def school_letters(self) -> tuple[str, ...]:
        return tuple(s.letter for s in self.schools)

    @property
    def role_digits(self) -> tuple[int, ...]:
        return tuple(r.digit for r in self.roles)

    def role_label(self, digit: int) -> str:
        for role in self.roles:
            if role.digit == digit:
                return role.label
        raise KeyError(digit)

    def group_of(self, digit: int) -> str | None:
        for group in self.groups:
            if digit in group.roles:
                return group.name
        return None

    def parse(self, text: str) -> ParticipantCode:
        """Parse ``A2``/``e5`` into a code valid under this key, or say what is wrong."""
        raw = text.strip()
        if not raw:
            raise ParticipantCodeError("participant code is empty")
        match = _CODE_SHAPE.match(raw)
        if match is None:
            raise ParticipantCodeError(
                f"participant code {raw!r} must be one school letter and one role digit, e.g. A2"
            )
        letter, digit = match.group(1).upper(), int(match.group(2))
        if letter not in self.school_letters:
            raise ParticipantCodeError(
                f"participant code {letter}{digit}: school {letter} is not in the key "
                f"(schools {', '.join(self.school_letters)})"
            )
        if digit not in self.role_digits:
            raise ParticipantCodeError(
                f"participant code {letter}{digit}: role {digit} is not in the key "
                f"(roles {', '.join(str(d) for d in self.role_digits)})"
            )
        return ParticipantCode(letter, digit)

    def all_codes(self) -> list[ParticipantCode]:
        return [ParticipantCode(s.letter, r.digit) for s in self.schools for r in self.roles]


@dataclass(frozen=True)
class StatementRef:
    """A statement in place: everything derived from where it stands in the instrument."""

    bank: Bank
    section: Section
    statement: Statement
    position: int  # 1-based, within the section
    running: int  # 1-based, through the bank
    bank_index: int  # 0-based, the bank's place in the instrument
    stage: str

    @property
    def code(self) -> str:
        return f"{self.bank.abbreviation} {self.section.letter}{self.position}"

    @property
    def number_code(self) -> str:
        return f"{self.bank.abbreviation} {self.running}"

    @property
    def local_code(self) -> str:
        return f"{self.section.letter}{self.position}"


_STATEMENT_CODE = re.compile(r"^\s*(\S+)\s*(?:([A-Za-z])\s*(\d+)|(\d+))\s*$")


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    version: str
    key: ParticipantKey
    banks: tuple[Bank, ...] = ()
    instructions: str = ""
    stages: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STAGES))
    # Ids that were used by deleted banks or statements; never to be handed out again.
    retired_ids: tuple[str, ...] = ()
    note: str = ""
    marking: str = "tick"
    # The letter's closing, printed under the instructions: "Many thanks,\nR. Smith\nUCL IOE".
    sign_off: str = ""

    # --- derived ------------------------------------------------------------------

    def stage_label(self, bank: Bank, letter: str) -> str:
        return bank.stages.get(letter) or self.stages.get(letter, letter)

    def stage_labels(self) -> set[str]:
        """Every stage label in use, for checking that none leaks onto paper."""
        labels = {v for v in self.stages.values() if v}
        for bank in self.banks:
            labels.update(v for v in bank.stages.values() if v)
        return labels

    def bank(self, abbreviation: str) -> Bank:
        wanted = abbreviation.strip().upper()
        for bank in self.banks:
            if bank.abbreviation.upper() == wanted:
                return bank
        raise KeyError(f"no bank {abbreviation!r} in {self.id} {self.version}")

    def refs(self) -> Iterator[StatementRef]:
        for bank_index, bank in enumerate(self.banks):
            running = 0
            for section in bank.sections:
                for position, statement in enumerate(section.statements, start=1):
                    running += 1
                    yield StatementRef(
                        bank=bank,
                        section=section,
                        statement=statement,
                        position=position,
                        running=running,
                        bank_index=bank_index,
                        stage=self.stage_label(bank, section.letter),
                    )

    def incomplete_refs(self) -> list[StatementRef]:
        """Statements whose wording is marked unfinished: real forms are refused until none is left."""
        return [ref for ref in self.refs() if ref.statement.incomplete]

    def bank_refs(self, bank: Bank) -> list[StatementRef]:
        return [ref for ref in self.refs() if ref.bank.id == bank.id]

    @property
    def statement_count(self) -> int:
        return sum(b.statement_count for b in self.banks)

    def codes(self) -> list[str]:
        return [ref.code for ref in self.refs()]

    def find(self, code: str) -> StatementRef:
        """Look up ``JPD C2`` or ``JPD 8`` (case and spacing forgiven)."""
        match = _STATEMENT_CODE.match(code)
        if match is None:
            raise KeyError(f"{code!r} is not a statement code such as 'JPD C2' or 'JPD 8'")
        abbreviation, letter, position, running = match.groups()
        bank = self.bank(abbreviation)
        for ref in self.bank_refs(bank):
            if running is not None and ref.running == int(running):
                return ref
            if letter is not None and ref.local_code == f"{letter.upper()}{int(position)}":
                return ref
        raise KeyError(f"{code!r}: no such statement in bank {bank.abbreviation}")

    def ref_by_id(self, statement_id: str) -> StatementRef:
        for ref in self.refs():
            if ref.statement.id == statement_id:
                return ref
        raise KeyError(statement_id)

    def all_ids(self) -> set[str]:
        ids = {b.id for b in self.banks}
        ids.update(s.id for b in self.banks for sec in b.sections for s in sec.statements)
        return ids

    def new_id(self, prefix: str) -> str:
        """An id never used in this instrument's history: ``prefix.N`` with N past all others."""
        taken = self.all_ids() | set(self.retired_ids)
        n = 1
        while f"{prefix}.{n}" in taken:
            n += 1
        return f"{prefix}.{n}"

    def with_banks(self, banks: tuple[Bank, ...]) -> Instrument:
        return replace(self, banks=banks)
