"""What the store hands back: plain frozen records, no database handles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from tui.domain.instrument import Instrument, parse_instrument
from tui.domain.returns import BankAnswer
from tui.domain.store.errors import StoreError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlalchemy import RowMapping

Record = TypeVar("Record", bound="DataclassInstance")


def from_row(cls: type[Record], row: RowMapping | Mapping[str, Any], **given: Any) -> Record:
    """A record built by keyword from a database row: each field from the column of its name, unless
    ``given`` (a converted or renamed value). Positional building shifted every later field by one
    when a column moved; here a field without a column fails at once (TypeError)."""
    names = [f.name for f in fields(cls)]
    return cls(**{name: row[name] for name in names if name not in given and name in row}, **given)


# The words the study file stores. StrEnums, so the file keeps plain text (older files read the
# same) while the code cannot misspell one.


class ReturnStatus(StrEnum):
    ENTERED = "entered"  # keyed once
    DISCREPANT = "discrepant"  # keyed twice, the passes disagree on something still open
    VERIFIED = "verified"  # the passes agree, or every discrepancy was resolved


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    REPRINT = "reprint"
    SECOND_PASS = "second_pass"
    RESOLVE = "resolve"
    # a CSV import's life: staged, then published (or abandoned), then done
    STAGE = "stage"
    PUBLISH = "publish"
    ABANDON = "abandon"
    DONE = "done"


class AuditEntity(StrEnum):
    SETTING = "setting"
    SCHOOL_KEY = "school_key"
    WAVE = "wave"
    ISSUED_FORM = "issued_form"
    FORM_LAYOUT = "form_layout"
    RETURN = "return"
    DISCREPANCY = "discrepancy"
    DRAFT = "draft"
    IMPORT = "import"


@dataclass(frozen=True)
class Wave:
    id: int
    name: str
    instrument: Instrument  # the frozen copy: what this wave's data means
    instrument_sha256: str
    opens: str | None
    closes: str | None
    population: int | None
    created_at: str
    created_by: str


@dataclass(frozen=True)
class IssuedForm:
    serial: str
    number: int
    wave: str
    participant_code: str | None  # None for a blank self-coding form
    school: str | None  # a blank form's school is the office it went to (None: not sent to one school)
    role: int | None
    printed_at: str
    printed_by: str
    print_count: int


@dataclass(frozen=True)
class EntryPass:
    pass_no: int
    operator: str
    saved_at: str
    keystrokes: int
    seconds: float


@dataclass(frozen=True)
class ReturnRecord:
    id: int
    wave: str
    serial: str | None
    serial_issued: bool
    participant_code: str
    school: str
    role: int
    answers: dict[str, BankAnswer]
    status: ReturnStatus
    needs_second: bool
    version: int
    created_at: str
    created_by: str
    updated_at: str
    passes: tuple[EntryPass, ...] = ()

    @property
    def awaiting_second(self) -> bool:
        return self.needs_second and len(self.passes) < 2


@dataclass(frozen=True)
class Discrepancy:
    id: int
    return_id: int
    wave: str
    participant_code: str
    serial: str | None
    kind: str  # a DiscrepancyKind: page | statement
    bank_id: str
    code: str
    statement_id: str
    first_value: str
    second_value: str
    first_operator: str
    second_operator: str
    resolved_value: str | None
    resolved_by: str | None
    resolved_at: str | None

    @property
    def is_open(self) -> bool:
        return self.resolved_value is None


@dataclass(frozen=True)
class NewReturn:
    """A return to be saved in a batch (see Study.save_returns)."""

    wave: str
    participant_code: str
    answers: dict[str, BankAnswer]
    serial: str | None = None


@dataclass(frozen=True)
class SavedReturn:
    record: ReturnRecord
    warnings: tuple[str, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    operator: str
    action: str
    entity: str
    entity_key: str
    wave: str | None
    old: Any
    new: Any
    reason: str | None


@dataclass
class Draft:
    """A form part-way through keying, saved after every completed section."""

    wave: str
    operator: str
    participant_code: str
    serial: str | None = None
    pass_no: int = 1
    return_id: int | None = None
    # {"done": {bank_id: {"present": bool, "sections": {"A": [1, 3], ...}}}, "at": [bank_index, letter]}
    state: dict[str, Any] = field(default_factory=dict)
    keystrokes: int = 0
    seconds: float = 0.0
    id: int | None = None
    started_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class OperatorStats:
    operator: str
    returns: int  # entry passes saved
    keystrokes: int
    seconds: float
    compared_statements: int  # statements this operator keyed that a second keying checked
    errors: int  # resolved discrepancies where this operator's value was the wrong one
    open_discrepancies: int

    @property
    def returns_per_hour(self) -> float | None:
        return self.returns / self.seconds * 3600 if self.seconds > 0 else None

    @property
    def keystrokes_per_hour(self) -> float | None:
        return self.keystrokes / self.seconds * 3600 if self.seconds > 0 else None

    @property
    def errors_per_10000(self) -> float | None:
        return self.errors / self.compared_statements * 10_000 if self.compared_statements else None


# Frozen wave instruments, parsed once per process.
@lru_cache(maxsize=64)
def instrument_from_toml(text: str) -> Instrument:
    instrument, problems = parse_instrument(text, "<wave instrument>")
    if instrument is None:  # pragma: no cover - frozen copies were valid when frozen
        raise StoreError("a wave's frozen instrument no longer parses: " + "; ".join(map(str, problems)))
    return instrument


@dataclass(frozen=True)
class Claim:
    """A form being keyed at a station (see Study.claim)."""

    form: str  # "serial 0000131", "draft 12", "return 40"
    operator: str
    station: str
    since: str  # UTC, ISO 8601
    seen_at: str

    def describe(self) -> str:
        """What another station is told, in its own local time: being keyed by JS at station desk-2 since 10:14."""
        try:
            local = datetime.fromisoformat(self.since.replace("Z", "+00:00")).astimezone().strftime("%H:%M")
        except ValueError:
            local = self.since
        return f"being keyed by {self.operator} at station {self.station} since {local}"


@dataclass(frozen=True)
class FormLayoutRecord:
    """The geometry of a wave's printed forms (JSON text from tui.domain.paper.scan_marks)."""

    id: int
    wave: str
    sha256: str
    geometry: str
    created_at: str
    created_by: str
