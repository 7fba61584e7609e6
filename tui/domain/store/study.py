"""A study: one SQLite file or a PostgreSQL database holding waves, issued forms, returns with
their entry passes, discrepancies, drafts and an audit trail.

Every change is one transaction that also writes its audit entry, so a change and its record
land together or not at all. Each write takes the study's write lock at its start (SQLite: BEGIN
IMMEDIATE in WAL mode with a busy timeout; PostgreSQL: a transaction-scoped advisory lock), so two
entry stations writing at once both succeed, one after the other, and the audit chain never forks.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    RowMapping,
    String,
    Table,
    and_,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from tui.domain.instrument import Instrument, ParticipantCode, ParticipantCodeError, dumps_instrument
from tui.domain.names import control_problem, printable
from tui.domain.returns import DiscrepancyKind, SerialError, make_serial, parse_serial
from tui.domain.returns import answers as ans
from tui.domain.rules import utc_now
from tui.domain.store import schema as s
from tui.domain.store.backend import Backend, new_id, open_backend
from tui.domain.store.errors import (
    DuplicateError,
    InputError,
    NotFoundError,
    StaleError,
    StoreError,
    UnknownWaveError,
)
from tui.domain.store.imports import StudyImports
from tui.domain.store.reads import StudyReads
from tui.domain.store.records import (
    AuditAction,
    AuditEntity,
    AuditEntry,
    Claim,
    Discrepancy,
    Draft,
    EntryPass,
    FormLayoutRecord,
    IssuedForm,
    NewReturn,
    ReturnRecord,
    ReturnStatus,
    SavedReturn,
    Wave,
    from_row,
    instrument_from_toml,
)
from tui.domain.store.sqlite import backup_sqlite
from tui.domain.store.stations import check_operator, default_station
from tui.domain.store.verify import AuditHead, Verification, audit_head, chain_hash, sampled, verify

# A claim not touched (a section saved) for this long has lapsed: the station went idle or died.
CLAIM_LAPSE_S = 15 * 60

DEFAULT_SETTINGS: dict[str, Any] = {
    "min_cell": 5,  # k: smaller groups are suppressed in tables
    "second_keying_share": 1.0,  # 1.0 = every return is keyed twice; 0.1 = a random 10%
    "label": "",  # shown wherever the study is named, e.g. to mark a synthetic demo
    # Per wave, how its forms come back, for the cover: {wave: {"return_by", "route", "contact"}}.
    "wave_returns": {},
}


# Far above any partnership of schools; keeps a typo (10^23) from overflowing the database's integers.
MAX_POPULATION = 10_000_000


def _is_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# What a form is issued for: a participant code, None (a blank self-coding form), or
# (school letter, None) (a blank self-coding form sent to that school's office).
FormFor = str | tuple[str, None] | None


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


class Study(StudyReads, StudyImports):
    """The one storage API used by the TUI, the CLI and the tests."""

    def __init__(self, backend: Backend, now: Callable[[], str] = utc_now):
        self.backend = backend
        self.engine = backend.engine
        self.path = backend.path  # the SQLite file; None for a study on a server
        self._now = now
        self._uuid = self._meta("study_uuid") or ""
        # Who holds a claim (see claim): this open study, at this station (the app names it).
        self.session = str(uuid.uuid4())
        self.station = default_station()
        self._claimed = False

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, location: str | Path, *, create: bool = True, now: Callable[[], str] = utc_now) -> Study:
        """The study at ``location``: the path of an SQLite file (created if missing, unless ``create``
        is false), or ``postgresql://USER@HOST/DATABASE`` for a study on a PostgreSQL server."""
        return cls(open_backend(location, create=create, now=now), now)

    @property
    def location(self) -> str:
        """Where the study is, for messages: its path, or its URL (never with a password)."""
        return self.backend.location

    @property
    def name(self) -> str:
        """A short name for the title bar: the file name, or the database and its server."""
        return self.backend.name

    def close(self) -> None:
        if self._claimed:  # quitting lets go of the form this station was keying
            self._claimed = False
            try:
                with self._write() as conn:
                    conn.execute(delete(s.claims).where(s.claims.c.session == self.session))
            except StoreError:
                pass  # the claim lapses by itself after CLAIM_LAPSE_S
        self.backend.close()

    @property
    def study_id(self) -> str:
        """The study's UUID, made when it was created: output folders and exports name it."""
        return self._uuid

    @property
    def file_name(self) -> str:
        """The study file's name, for messages (for a study on a server: its database and server)."""
        return self.path.name if self.path else self.backend.name

    def backup(self, target: str | Path) -> tuple[list[str], AuditHead | None]:
        """A consistent copy of the study in the new file ``target`` (never overwritten), made while
        other stations may keep writing; returns the copy's integrity problems (empty: sound) and its
        audit head."""
        if self.path is None or self.engine.dialect.name != "sqlite":
            raise InputError("backup copies a study file; this study is not one")
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise InputError(f"{target} is the study itself; give the backup another name")
        try:
            problems, head = backup_sqlite(self.path, target)
        except FileExistsError:
            raise DuplicateError(f"{target} exists already; a backup never overwrites a file: give a new name") from None
        except OSError as exc:
            raise InputError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
        return problems, AuditHead(*head) if head else None

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self) -> AbstractContextManager[Connection]:
        """One write transaction holding the study's write lock from its first statement."""
        return self.backend.write()

    def _read(self) -> AbstractContextManager[Connection]:
        return self.backend.read()

    def _meta(self, key: str) -> str | None:
        with self._read() as conn:
            return conn.execute(select(s.meta.c.value).where(s.meta.c.key == key)).scalar()

    # --- audit -----------------------------------------------------------------------------

    def _audit(self, conn: Connection, *, operator: str, action: AuditAction, entity: AuditEntity, key: str | int,
               wave: str | None = None, old: Any = None, new: Any = None, reason: str | None = None,
               at: str | None = None) -> None:
        at = at or self._now()
        previous = conn.execute(select(s.audit.c.hash).order_by(s.audit.c.id.desc()).limit(1)).scalar() or ""
        row = {"at": at, "operator": operator, "action": action, "entity": entity, "entity_key": str(key),
               "wave": wave, "old": _json(old), "new": _json(new), "reason": reason}
        conn.execute(insert(s.audit).values(**row, hash=chain_hash(previous, row)))

    def audit(self, *, wave: str | None = None, operator: str | None = None, entity: str | None = None,
              action: str | None = None, since: str | None = None, key: str | None = None,
              limit: int | None = None) -> list[AuditEntry]:
        query = select(s.audit).order_by(s.audit.c.id)
        for column, value in ((s.audit.c.wave, wave), (s.audit.c.operator, operator),
                              (s.audit.c.entity, entity), (s.audit.c.action, action),
                              (s.audit.c.entity_key, key)):
            if value is not None:
                query = query.where(column == value)
        if since:
            query = query.where(s.audit.c.at >= since)
        if limit:
            query = query.order_by(None).order_by(s.audit.c.id.desc()).limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        entries = [from_row(AuditEntry, r, old=json.loads(r["old"]) if r["old"] else None,
                            new=json.loads(r["new"]) if r["new"] else None) for r in rows]
        return sorted(entries, key=lambda e: e.id)

    def verify_audit(self) -> list[str]:
        """Problems found by ``verify`` (the chain, and the data against it); empty when all is well."""
        return self.verify().problems

    def verify(self, against: AuditHead | None = None) -> Verification:
        """Check the audit chain and replay it against every stored wave, issued form, return, entry
        pass, discrepancy, setting and school-key letter (tui.domain.store.verify). ``against``: a head
        recorded earlier (printed by a verify, written in an export's metadata), to catch a trail
        whose newest entries were cut off."""
        with self._read() as conn:
            # SQLite's counter of audit numbers given out survives deleting the newest entries; a
            # PostgreSQL sequence also moves on a rolled-back transaction, so it proves nothing there.
            high = self.backend.id_high_water(conn, "audit") if self.backend.kind == "sqlite" else None
            return verify(conn, study_uuid=self._uuid, against=against, high_water=high)

    def audit_head(self) -> AuditHead | None:
        """The newest audit entry's number and hash (``N:HASH``): record it to check the trail later."""
        with self._read() as conn:
            return audit_head(conn)

    # --- settings and the secret school key ---------------------------------------------------

    def setting(self, key: str) -> Any:
        if key not in DEFAULT_SETTINGS:
            raise InputError(f"unknown setting {key!r}; settings are {', '.join(DEFAULT_SETTINGS)}")
        with self._read() as conn:
            value = conn.execute(select(s.settings.c.value).where(s.settings.c.key == key)).scalar()
        return DEFAULT_SETTINGS[key] if value is None else json.loads(value)

    def set_setting(self, key: str, value: Any, *, operator: str) -> None:
        operator = check_operator(operator)
        old = self.setting(key)
        if key == "min_cell" and not (isinstance(value, int) and value >= 1):
            raise InputError("min_cell (k) must be a whole number of respondents, at least 1")
        if key == "second_keying_share" and not (isinstance(value, (int, float)) and 0 <= value <= 1):
            raise InputError("second_keying_share must be between 0 (none) and 1 (every return)")
        if key == "label" and not (isinstance(value, str) and len(value) <= 120):
            raise InputError("the study label must be text of at most 120 characters")
        if key == "label" and (problem := control_problem("the study label", value)):
            raise InputError(problem)
        if key == "wave_returns" and not (isinstance(value, dict) and all(
                isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for v in value.values())):
            raise InputError("wave_returns must map each wave to its return_by, route and contact texts")
        with self._write() as conn:
            conn.execute(delete(s.settings).where(s.settings.c.key == key))
            conn.execute(insert(s.settings).values(key=key, value=json.dumps(value)))
            self._audit(conn, operator=operator, action=AuditAction.UPDATE, entity=AuditEntity.SETTING, key=key, old=old, new=value)

    def school_names(self) -> dict[str, str]:
        """The secret key. Only for the researcher's own screens; never printed or exported."""
        with self._read() as conn:
            return dict(conn.execute(select(s.schools.c.letter, s.schools.c.name)).all())

    def set_school_name(self, letter: str, name: str, *, operator: str) -> None:
        operator = check_operator(operator)
        letter = letter.strip().upper()
        if not re.fullmatch(r"[A-Z]", letter):
            raise InputError(f"school letter {letter!r} must be one letter A-Z")
        if problem := control_problem(f"the name of school {letter}", name):
            raise InputError(problem)
        known = sorted({k for w in self.waves() for k in w.instrument.key.school_letters})
        if name.strip() and known and letter not in known:
            raise InputError(f"school {letter} is not in the instrument's key (schools: {', '.join(known)})")
        with self._write() as conn:
            had = conn.execute(select(s.schools.c.name).where(s.schools.c.letter == letter)).scalar()
            conn.execute(delete(s.schools).where(s.schools.c.letter == letter))
            if name.strip():
                conn.execute(insert(s.schools).values(letter=letter, name=name.strip()))
            # The audit records that the key changed, never the name itself.
            self._audit(conn, operator=operator, action=AuditAction.UPDATE, entity=AuditEntity.SCHOOL_KEY, key=letter,
                        old="(set)" if had else None, new="(set)" if name.strip() else None)

    # --- waves -------------------------------------------------------------------------------

    def add_wave(self, name: str, instrument: Instrument, *, operator: str, opens: str | None = None,
                 closes: str | None = None, population: int | None = None) -> Wave:
        operator = check_operator(operator)
        name = name.strip()
        if not name or len(name) > 64:
            raise InputError("a wave needs a name of 1-64 characters, e.g. 2014")
        if problem := control_problem(f"the wave name '{printable(name)}'", name):
            raise InputError(problem)
        for label, value in (("opens", opens), ("closes", closes)):
            if value and not _is_date(value):
                raise InputError(f"wave {label} date {value!r} must be a real date written YYYY-MM-DD")
        if opens and closes and closes < opens:
            raise InputError(f"wave closes ({closes}) before it opens ({opens})")
        if population is not None and not (isinstance(population, int) and 1 <= population <= MAX_POPULATION):
            raise InputError(f"population must be a whole number of people from 1 to {MAX_POPULATION:,}")
        toml = dumps_instrument(instrument)
        row: dict[str, Any] = dict(name=name, opens=opens, closes=closes, population=population, instrument_id=instrument.id,
                   instrument_version=instrument.version, instrument_toml=toml,
                   instrument_sha256=hashlib.sha256(toml.encode()).hexdigest(),
                   created_at=self._now(), created_by=operator)
        try:
            with self._write() as conn:
                conn.execute(insert(s.waves).values(**row))
                self._audit(conn, operator=operator, action=AuditAction.INSERT, entity=AuditEntity.WAVE, key=name, wave=name,
                            new={k: row[k] for k in ("opens", "closes", "population", "instrument_id",
                                                     "instrument_version", "instrument_sha256")},
                            at=row["created_at"])
        except IntegrityError:
            raise DuplicateError(f"a wave named {name!r} already exists") from None
        return self.wave(name)

    def waves(self) -> list[Wave]:
        with self._read() as conn:
            rows = conn.execute(select(s.waves).order_by(s.waves.c.id)).mappings().all()
        return [self._wave(r) for r in rows]

    def working_wave(self, preferred: str | None = None) -> str | None:
        """The wave to work on: ``preferred`` while the study has it, else the newest; None before the
        first wave. The one rule for the app, its screens and the CLI when no wave is named."""
        names = [w.name for w in self.waves()]
        if preferred in names:
            return preferred
        return names[-1] if names else None

    def wave(self, name: str) -> Wave:
        with self._read() as conn:
            row = conn.execute(select(s.waves).where(s.waves.c.name == name)).mappings().first()
        if row is None:
            known = ", ".join(w.name for w in self.waves()) or "none yet"
            raise UnknownWaveError(f"no wave named {name!r} (waves: {known})")
        return self._wave(row)

    def waves_using(self, instrument_id: str, version: str) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(select(s.waves.c.name).where(
                s.waves.c.instrument_id == instrument_id, s.waves.c.instrument_version == version)).scalars())

    @staticmethod
    def _wave(row: Any) -> Wave:
        return from_row(Wave, row, instrument=instrument_from_toml(row["instrument_toml"]))

    def _wave_row(self, conn: Connection, name: str) -> Any:
        row = conn.execute(select(s.waves).where(s.waves.c.name == name)).mappings().first()
        if row is None:
            known = ", ".join(conn.execute(select(s.waves.c.name)).scalars()) or "none yet"
            raise UnknownWaveError(f"no wave named {name!r} (waves: {known})")
        return row

    # --- issued forms -------------------------------------------------------------------------

    def issue_forms(self, wave: str, codes: Iterable[FormFor], *, operator: str) -> list[IssuedForm]:
        """Allocate consecutive serials, in the order given, in one transaction.

        Each item is a participant code (``"A2"``), ``None`` for a blank self-coding form, or
        ``("A", None)`` for a blank self-coding form sent to school A's office (its school is
        recorded; its role is whatever the respondent writes on it).
        """
        operator = check_operator(operator)
        w = self.wave(wave)
        key = w.instrument.key
        parsed: list[tuple[str | None, str | None, int | None]] = []  # code, school, role
        for n, item in enumerate(codes, start=1):
            if item is None:
                parsed.append((None, None, None))
            elif isinstance(item, tuple):
                letter = str(item[0]).strip().upper()
                if item[1] is not None or letter not in key.school_letters:
                    raise InputError(f"wave {wave}, form {n}: a blank form for a school is (letter, None) with "
                                     f"a letter of the key (schools {', '.join(key.school_letters)}), "
                                     f"not {item!r}")
                parsed.append((None, letter, None))
            else:
                try:
                    code = key.parse(item)
                except ParticipantCodeError as exc:
                    raise InputError(f"wave {wave}: {exc}") from None
                parsed.append((str(code), code.school, code.role))
        at = self._now()
        with self._write() as conn:
            number = conn.execute(select(func.max(s.issued_forms.c.number))).scalar() or 0
            rows: list[dict[str, Any]] = []
            for participant, school, role in parsed:
                number += 1
                rows.append(dict(serial=make_serial(number), number=number, wave_id=w.id, participant_code=participant,
                                 school=school, role=role, printed_at=at, printed_by=operator, print_count=1))
            if rows:
                conn.execute(insert(s.issued_forms), rows)
            for row in rows:
                new = {"participant_code": row["participant_code"]}
                if row["participant_code"] is None and row["school"]:
                    new["school"] = row["school"]
                self._audit(conn, operator=operator, action=AuditAction.INSERT, entity=AuditEntity.ISSUED_FORM, key=row["serial"],
                            wave=wave, new=new, at=at)
        return [self._issued(r, wave) for r in rows]

    def record_reprint(self, serial: str, *, operator: str) -> IssuedForm:
        """A lost form printed again: same serial, counted, audited."""
        operator = check_operator(operator)
        serial = self._normal_serial(serial)
        with self._write() as conn:
            row = conn.execute(select(s.issued_forms, s.waves.c.name.label("wave_name"))
                               .join(s.waves).where(s.issued_forms.c.serial == serial)).mappings().first()
            if row is None:
                raise NotFoundError(f"serial {serial} was never issued")
            conn.execute(update(s.issued_forms).where(s.issued_forms.c.serial == serial)
                         .values(print_count=row["print_count"] + 1))
            self._audit(conn, operator=operator, action=AuditAction.REPRINT, entity=AuditEntity.ISSUED_FORM, key=serial,
                        wave=row["wave_name"], old={"print_count": row["print_count"]},
                        new={"print_count": row["print_count"] + 1})
        form = self.issued_form(serial)
        assert form is not None  # found above, and issued forms are never deleted
        return form

    def issued_form(self, serial: str) -> IssuedForm | None:
        serial = self._normal_serial(serial)
        with self._read() as conn:
            row = conn.execute(select(s.issued_forms, s.waves.c.name.label("wave_name")).join(s.waves)
                               .where(s.issued_forms.c.serial == serial)).mappings().first()
        return self._issued(row, row["wave_name"]) if row else None

    def _rows_with_wave_name(self, table: Table, order: Any, wave: str | None) -> Sequence[RowMapping]:
        """Rows of a per-wave table with their wave's name, of one wave or of all, in ``order``."""
        query = select(table, s.waves.c.name.label("wave_name")).join(s.waves).order_by(order)
        if wave is not None:
            query = query.where(s.waves.c.name == wave)
        with self._read() as conn:
            return conn.execute(query).mappings().all()

    def issued_forms(self, wave: str | None = None) -> list[IssuedForm]:
        rows = self._rows_with_wave_name(s.issued_forms, s.issued_forms.c.number, wave)
        return [self._issued(r, r["wave_name"]) for r in rows]

    def unreturned_forms(self, wave: str, participant_code: str) -> list[IssuedForm]:
        """Forms issued in ``wave`` to this participant code that no return has come back on yet,
        in serial order (a return keyed by code is linked to one when it is the only one)."""
        returned = select(s.returns.c.id).where(s.returns.c.serial == s.issued_forms.c.serial).exists()
        # The wave's row, not Study.wave (that parses the frozen instrument: too slow for a keystroke).
        code = participant_code.strip().upper()
        if not (len(code) == 2 and code[0].isascii() and code[0].isalpha() and code[1].isdigit()):
            raise InputError(f"wave {wave}: {participant_code!r} is not a participant code (school letter, role digit)")
        with self._read() as conn:
            w = self._wave_row(conn, wave)
            rows = conn.execute(select(s.issued_forms).where(
                s.issued_forms.c.wave_id == w["id"], s.issued_forms.c.school == code[0],
                s.issued_forms.c.role == int(code[1]), s.issued_forms.c.participant_code == code, ~returned)
                .order_by(s.issued_forms.c.number)).mappings().all()
        return [self._issued(r, wave) for r in rows]

    def issued_count(self, wave: str) -> int:
        with self._read() as conn:
            w = self._wave_row(conn, wave)
            return conn.execute(select(func.count()).select_from(s.issued_forms)
                                .where(s.issued_forms.c.wave_id == w["id"])).scalar() or 0

    @staticmethod
    def _issued(row: Any, wave: str) -> IssuedForm:
        return from_row(IssuedForm, row, wave=wave)

    @staticmethod
    def _normal_serial(serial: str) -> str:
        try:
            return make_serial(parse_serial(serial))
        except SerialError as exc:
            raise InputError(str(exc)) from None

    # --- printed geometry ------------------------------------------------------------------------

    def keep_form_layout(self, wave: str, geometry: str, *, operator: str) -> FormLayoutRecord:
        """Keep the geometry a wave's forms were printed with (once per distinct layout)."""
        operator = check_operator(operator)
        digest = hashlib.sha256(geometry.encode()).hexdigest()
        with self._write() as conn:
            w = self._wave_row(conn, wave)
            found = conn.execute(select(s.form_layouts.c.id).where(
                s.form_layouts.c.wave_id == w["id"], s.form_layouts.c.sha256 == digest)).scalar()
            if found is None:
                conn.execute(insert(s.form_layouts).values(
                    wave_id=w["id"], sha256=digest, geometry=geometry, created_at=self._now(), created_by=operator))
                self._audit(conn, operator=operator, action=AuditAction.INSERT, entity=AuditEntity.FORM_LAYOUT, key=digest[:16],
                            wave=wave)
        return next(r for r in self.form_layouts(wave) if r.sha256 == digest)

    def form_layouts(self, wave: str | None = None) -> list[FormLayoutRecord]:
        """Every layout kept for ``wave`` (or for every wave), oldest first."""
        rows = self._rows_with_wave_name(s.form_layouts, s.form_layouts.c.id, wave)
        return [from_row(FormLayoutRecord, r, wave=r["wave_name"]) for r in rows]

    # --- returns ------------------------------------------------------------------------------

    def save_return(self, wave: str, participant_code: str, answers: ans.Answers, *, operator: str,
                    serial: str | None = None, keystrokes: int = 0, seconds: float = 0.0,
                    started_at: str | None = None, draft_id: int | None = None,
                    reason: str | None = None) -> SavedReturn:
        """First keying of a paper form: checked, stored with its entry pass and audit entry in one
        transaction (and its draft, if any, removed in the same transaction)."""
        operator = check_operator(operator)
        warnings: list[str] = []
        with self._write() as conn:
            return_id = self._insert_return(conn, wave, participant_code, answers, operator, serial, keystrokes,
                                            seconds, started_at, reason, warnings)
            if draft_id is not None:
                conn.execute(delete(s.drafts).where(s.drafts.c.id == draft_id))
            self._end_claims(conn, claim_key(draft_id=draft_id), claim_key(serial=serial))
        return SavedReturn(self.get_return(return_id), tuple(warnings))

    def save_returns(self, rows: Iterable[NewReturn], *, operator: str, reason: str | None = None) -> list[int]:
        """Several returns in ONE transaction: all land or none (e.g. a CSV import).
        An error names the row (1-based, in the order given)."""
        operator = check_operator(operator)
        ids = []
        with self._write() as conn:
            for number, row in enumerate(rows, start=1):
                try:
                    ids.append(self._insert_return(conn, row.wave, row.participant_code, row.answers, operator,
                                                   row.serial, 0, 0.0, None, reason, []))
                except StoreError as exc:
                    raise type(exc)(f"row {number}: {exc}") from None
        return ids

    def _insert_return(self, conn: Connection, wave: str, participant_code: str, answers: ans.Answers,
                       operator: str, serial: str | None, keystrokes: int, seconds: float,
                       started_at: str | None, reason: str | None, warnings: list[str]) -> int:
        w = self._wave_row(conn, wave)
        instrument = instrument_from_toml(w["instrument_toml"])
        code = self._parse_code(instrument, wave, participant_code)
        encoded = self._encode(instrument, wave, answers)
        serial_value, issued = None, False
        if serial is not None and serial.strip():
            serial_value = self._normal_serial(serial)
            issued = self._check_serial(conn, serial_value, wave, w["id"], str(code), warnings)
        now = self._now()
        try:
            return_id = new_id(conn.execute(insert(s.returns).values(
                wave_id=w["id"], serial=serial_value, serial_issued=issued, participant_code=str(code),
                school=code.school, role=code.role, answers=encoded, status=ReturnStatus.ENTERED,
                needs_second=False, version=1, created_at=now, created_by=operator, updated_at=now,
            )))
        except IntegrityError:  # a concurrent station returned the same serial first
            raise DuplicateError(f"serial {serial_value} has already been returned") from None
        if self._sampled(return_id, self._setting_in(conn, "second_keying_share")):
            conn.execute(update(s.returns).where(s.returns.c.id == return_id).values(needs_second=True))
        conn.execute(insert(s.entry_passes).values(
            return_id=return_id, pass_no=1, operator=operator, answers=encoded, started_at=started_at,
            saved_at=now, keystrokes=keystrokes, seconds=seconds))
        self._audit(conn, operator=operator, action=AuditAction.INSERT, entity=AuditEntity.RETURN, key=return_id, wave=wave,
                    new=self._describe(instrument, str(code), serial_value, answers), reason=reason, at=now)
        return return_id

    def save_second_pass(self, return_id: int, answers: ans.Answers, *, operator: str, keystrokes: int = 0,
                         seconds: float = 0.0, started_at: str | None = None,
                         draft_id: int | None = None) -> SavedReturn:
        """Blind second keying by a different operator. Differences are recorded as discrepancies
        to be resolved against the paper; the second pass never silently replaces the first."""
        operator = check_operator(operator)
        with self._write() as conn:
            ret = self._return_row(conn, return_id)
            w = conn.execute(select(s.waves).where(s.waves.c.id == ret["wave_id"])).mappings().one()
            instrument = instrument_from_toml(w["instrument_toml"])
            encoded = self._encode(instrument, w["name"], answers)
            passes = conn.execute(select(s.entry_passes).where(s.entry_passes.c.return_id == return_id)
                                  .order_by(s.entry_passes.c.pass_no)).mappings().all()
            if len(passes) != 1:
                raise InputError(f"return #{return_id} ({ret['participant_code']}) has already been keyed twice")
            first = passes[0]
            if first["operator"].casefold() == operator.casefold():
                raise InputError(
                    f"return #{return_id} was first keyed by {first['operator']}; the second keying must be "
                    "done by a different operator (a different keyer catches far more errors)")
            now = self._now()
            conn.execute(insert(s.entry_passes).values(
                return_id=return_id, pass_no=2, operator=operator, answers=encoded, started_at=started_at,
                saved_at=now, keystrokes=keystrokes, seconds=seconds))
            differences = ans.compare(instrument, ans.decode(instrument, first["answers"]), answers)
            for d in differences:
                conn.execute(insert(s.discrepancies).values(
                    return_id=return_id, kind=d.kind, bank_id=d.bank_id, code=d.code, statement_id=d.statement_id,
                    first_value=d.first, second_value=d.second, first_operator=first["operator"],
                    second_operator=operator, found_at=now))
            status = ReturnStatus.DISCREPANT if differences else ReturnStatus.VERIFIED
            conn.execute(update(s.returns).where(s.returns.c.id == return_id)
                         .values(status=status, version=ret["version"] + 1, updated_at=now))
            if draft_id is not None:
                conn.execute(delete(s.drafts).where(s.drafts.c.id == draft_id))
            self._end_claims(conn, claim_key(draft_id=draft_id), claim_key(return_id=return_id))
            # The whole second pass is recorded, not only its differences, so a replay can check it.
            self._audit(conn, operator=operator, action=AuditAction.SECOND_PASS, entity=AuditEntity.RETURN, key=return_id,
                        wave=w["name"], old={"status": ret["status"]},
                        new={"status": status, "differences": [f"{d.code}: {d.first}/{d.second}" for d in differences],
                             **self._describe(instrument, ret["participant_code"], ret["serial"], answers)},
                        at=now)
        found = [d for d in self.discrepancies(return_id=return_id, open_only=False)]
        return SavedReturn(self.get_return(return_id), (), tuple(found))

    def update_return(self, return_id: int, *, operator: str, expected_version: int,
                      answers: ans.Answers | None = None, participant_code: str | None = None,
                      serial: str | None = None, reason: str = "") -> ReturnRecord:
        """Correct a saved return (audited with old and new values). ``expected_version`` is the
        version the person saw: if someone changed it since, StaleError instead of a lost update."""
        operator = check_operator(operator)
        with self._write() as conn:
            ret = self._return_row(conn, return_id)
            if ret["version"] != expected_version:
                raise StaleError(f"return #{return_id} was changed (now version {ret['version']}, you edited "
                                 f"version {expected_version}); open it again")
            w = conn.execute(select(s.waves).where(s.waves.c.id == ret["wave_id"])).mappings().one()
            instrument = instrument_from_toml(w["instrument_toml"])
            old_answers = ans.decode(instrument, ret["answers"])
            values: dict[str, Any] = {}
            new_code, new_serial = ret["participant_code"], ret["serial"]
            if participant_code is not None:
                code = self._parse_code(instrument, w["name"], participant_code)
                new_code = str(code)
                values.update(participant_code=new_code, school=code.school, role=code.role)
            if serial is not None:
                new_serial = self._normal_serial(serial) if serial.strip() else None
                if new_serial != ret["serial"]:
                    warnings: list[str] = []
                    issued = (self._check_serial(conn, new_serial, w["name"], w["id"], new_code, warnings)
                              if new_serial else False)
                    values.update(serial=new_serial, serial_issued=issued)
            new_answers = answers if answers is not None else old_answers
            if answers is not None:
                values["answers"] = self._encode(instrument, w["name"], answers)
            if not values:
                return self.get_return(return_id)
            now = self._now()
            values.update(version=ret["version"] + 1, updated_at=now)
            try:
                conn.execute(update(s.returns).where(s.returns.c.id == return_id).values(**values))
            except IntegrityError:
                raise DuplicateError(f"serial {new_serial} has already been returned") from None
            self._audit(conn, operator=operator, action=AuditAction.UPDATE, entity=AuditEntity.RETURN, key=return_id, wave=w["name"],
                        old=self._describe(instrument, ret["participant_code"], ret["serial"], old_answers),
                        new=self._describe(instrument, new_code, new_serial, new_answers), reason=reason or None,
                        at=now)
        return self.get_return(return_id)

    def delete_return(self, return_id: int, *, operator: str, expected_version: int, reason: str = "") -> None:
        operator = check_operator(operator)
        with self._write() as conn:
            ret = self._return_row(conn, return_id)
            if ret["version"] != expected_version:
                raise StaleError(f"return #{return_id} was changed since you opened it; open it again")
            w = conn.execute(select(s.waves).where(s.waves.c.id == ret["wave_id"])).mappings().one()
            instrument = instrument_from_toml(w["instrument_toml"])
            conn.execute(delete(s.discrepancies).where(s.discrepancies.c.return_id == return_id))
            conn.execute(delete(s.entry_passes).where(s.entry_passes.c.return_id == return_id))
            conn.execute(delete(s.returns).where(s.returns.c.id == return_id))
            self._audit(conn, operator=operator, action=AuditAction.DELETE, entity=AuditEntity.RETURN, key=return_id, wave=w["name"],
                        old=self._describe(instrument, ret["participant_code"], ret["serial"],
                                           ans.decode(instrument, ret["answers"])),
                        reason=reason or None)

    def returns_inserted_with(self, marker: str) -> tuple[int, str | None, str | None]:
        """Stored returns whose insert was audited with ``marker`` in its reason (an import's
        content id): how many are still stored, and when and by whom the first came."""
        a, r = s.audit, s.returns
        with self._read() as conn:
            count, first_at = conn.execute(
                select(func.count(), func.min(a.c.at)).select_from(a.join(r, cast(r.c.id, String) == a.c.entity_key))
                .where(a.c.entity == AuditEntity.RETURN, a.c.action == AuditAction.INSERT, a.c.reason.contains(marker, autoescape=True))
            ).one()
            who = conn.execute(select(a.c.operator).where(
                a.c.entity == AuditEntity.RETURN, a.c.action == AuditAction.INSERT, a.c.reason.contains(marker, autoescape=True))
                .order_by(a.c.id).limit(1)).scalar() if count else None
        return count, first_at, who

    def returns_by_serial(self, serials: Iterable[str]) -> dict[str, tuple[int, str]]:
        """Serial -> (return id, participant code) for those of ``serials`` already returned."""
        wanted = set()
        for serial in serials:
            try:
                wanted.add(self._normal_serial(serial))
            except InputError:
                continue  # not a serial: refused with its row when the returns are saved
        found: dict[str, tuple[int, str]] = {}
        ordered = sorted(wanted)
        with self._read() as conn:
            for i in range(0, len(ordered), 500):
                rows = conn.execute(select(s.returns.c.serial, s.returns.c.id, s.returns.c.participant_code)
                                    .where(s.returns.c.serial.in_(ordered[i:i + 500]))).all()
                found.update({serial: (rid, code) for serial, rid, code in rows})
        return found

    def get_return(self, return_id: int) -> ReturnRecord:
        with self._read() as conn:
            ret = self._return_row(conn, return_id)
            w = conn.execute(select(s.waves.c.name, s.waves.c.instrument_toml)
                             .where(s.waves.c.id == ret["wave_id"])).mappings().one()
            passes = conn.execute(select(s.entry_passes).where(s.entry_passes.c.return_id == return_id)
                                  .order_by(s.entry_passes.c.pass_no)).mappings().all()
        return self._record(ret, w["name"], instrument_from_toml(w["instrument_toml"]), passes)

    def find_returns(self, wave: str | None = None, *, serial: str | None = None,
                     participant_code: str | None = None, status: str | None = None,
                     awaiting_second: bool | None = None, limit: int | None = None) -> list[ReturnRecord]:
        query = select(s.returns, s.waves.c.name.label("wave_name"), s.waves.c.instrument_toml).join(s.waves)
        if wave is not None:
            query = query.where(s.waves.c.name == wave)
        if serial:
            query = query.where(s.returns.c.serial == self._normal_serial(serial))
        if participant_code:
            query = query.where(s.returns.c.participant_code == participant_code.strip().upper())
        if status:
            query = query.where(s.returns.c.status == status)
        if awaiting_second is not None:
            one_pass = (select(func.count()).select_from(s.entry_passes)
                        .where(s.entry_passes.c.return_id == s.returns.c.id).scalar_subquery()) == 1
            query = query.where(and_(s.returns.c.needs_second, one_pass) if awaiting_second
                                else ~and_(s.returns.c.needs_second, one_pass))
        query = query.order_by(s.returns.c.id)
        if limit:
            query = query.limit(limit)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [r["id"] for r in rows]
            passes: dict[int, list[Any]] = {}
            for chunk in range(0, len(ids), 500):
                for p in conn.execute(select(s.entry_passes).where(
                        s.entry_passes.c.return_id.in_(ids[chunk:chunk + 500]))
                        .order_by(s.entry_passes.c.pass_no)).mappings():
                    passes.setdefault(p["return_id"], []).append(p)
        return [self._record(r, r["wave_name"], instrument_from_toml(r["instrument_toml"]), passes.get(r["id"], []))
                for r in rows]

    def first_pass_answers(self, return_id: int) -> dict[str, ans.BankAnswer]:
        """What the first keyer entered (for the resolution screen; never shown during blind keying)."""
        return self._pass_answers(return_id, 1)

    def second_pass_answers(self, return_id: int) -> dict[str, ans.BankAnswer]:
        return self._pass_answers(return_id, 2)

    def _pass_answers(self, return_id: int, pass_no: int) -> dict[str, ans.BankAnswer]:
        with self._read() as conn:
            ret = self._return_row(conn, return_id)
            toml = conn.execute(select(s.waves.c.instrument_toml).where(s.waves.c.id == ret["wave_id"])).scalar()
            text = conn.execute(select(s.entry_passes.c.answers).where(
                s.entry_passes.c.return_id == return_id, s.entry_passes.c.pass_no == pass_no)).scalar()
        if text is None:
            raise NotFoundError(f"return #{return_id} has no entry pass {pass_no}")
        return ans.decode(instrument_from_toml(toml), text)

    # --- discrepancies -------------------------------------------------------------------------

    def discrepancies(self, wave: str | None = None, *, return_id: int | None = None,
                      open_only: bool = True) -> list[Discrepancy]:
        d, r = s.discrepancies, s.returns
        query = (select(d, r.c.participant_code, r.c.serial, s.waves.c.name.label("wave_name"))
                 .join(r, d.c.return_id == r.c.id).join(s.waves, r.c.wave_id == s.waves.c.id).order_by(d.c.id))
        if wave is not None:
            query = query.where(s.waves.c.name == wave)
        if return_id is not None:
            query = query.where(d.c.return_id == return_id)
        if open_only:
            query = query.where(d.c.resolved_value.is_(None))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(Discrepancy, x, wave=x["wave_name"]) for x in rows]

    def resolve(self, discrepancy_id: int, value: str, *, operator: str) -> ReturnRecord:
        """Record which value the paper shows. When the last one is resolved the return's values are
        rebuilt from the resolutions and it counts as verified."""
        operator = check_operator(operator)
        with self._write() as conn:
            row = conn.execute(select(s.discrepancies).where(s.discrepancies.c.id == discrepancy_id)).mappings().first()
            if row is None:
                raise NotFoundError(f"no discrepancy #{discrepancy_id}")
            if row["resolved_value"] is not None:
                raise InputError(f"discrepancy #{discrepancy_id} ({row['code']}) was already resolved to "
                                 f"{row['resolved_value']} by {row['resolved_by']}")
            if value not in (row["first_value"], row["second_value"]):
                raise InputError(f"{row['code']}: choose {row['first_value']} (first keying) or "
                                 f"{row['second_value']} (second keying)")
            now = self._now()
            conn.execute(update(s.discrepancies).where(s.discrepancies.c.id == discrepancy_id)
                         .values(resolved_value=value, resolved_by=operator, resolved_at=now))
            ret = self._return_row(conn, row["return_id"])
            w = conn.execute(select(s.waves).where(s.waves.c.id == ret["wave_id"])).mappings().one()
            self._audit(conn, operator=operator, action=AuditAction.RESOLVE, entity=AuditEntity.DISCREPANCY, key=discrepancy_id,
                        wave=w["name"], old={"code": row["code"], "first": row["first_value"],
                                             "second": row["second_value"], "return": row["return_id"]},
                        new={"value": value}, at=now)
            still_open = conn.execute(select(func.count()).select_from(s.discrepancies).where(
                s.discrepancies.c.return_id == row["return_id"], s.discrepancies.c.resolved_value.is_(None))).scalar()
            if not still_open:
                self._apply_resolutions(conn, ret, w, operator, now)
        return self.get_return(row["return_id"])

    def _apply_resolutions(self, conn: Connection, ret: Any, w: Any, operator: str, now: str) -> None:
        instrument = instrument_from_toml(w["instrument_toml"])
        passes = {p["pass_no"]: ans.decode(instrument, p["answers"]) for p in conn.execute(
            select(s.entry_passes).where(s.entry_passes.c.return_id == ret["id"])).mappings()}
        first, second = passes[1], passes[2]
        final = dict(first)
        rows = conn.execute(select(s.discrepancies).where(s.discrepancies.c.return_id == ret["id"])).mappings().all()
        for d in rows:
            if d["kind"] == DiscrepancyKind.PAGE:
                # The page the resolver saw decides; its statements come from the pass that keyed it.
                chosen_present = d["resolved_value"] == "present"
                final[d["bank_id"]] = (first if first[d["bank_id"]].present == chosen_present
                                       else second)[d["bank_id"]]
        for d in rows:
            if d["kind"] == DiscrepancyKind.STATEMENT:
                bank = final[d["bank_id"]]
                number = instrument.ref_by_id(d["statement_id"]).running
                marked = set(bank.marked)
                if d["resolved_value"] == ans.HIGHLIGHTED:
                    marked.add(number)
                else:
                    marked.discard(number)
                final[d["bank_id"]] = ans.BankAnswer(bank.present, frozenset(marked))
        encoded = ans.encode(instrument, final)
        conn.execute(update(s.returns).where(s.returns.c.id == ret["id"]).values(
            answers=encoded, status=ReturnStatus.VERIFIED, version=ret["version"] + 1, updated_at=now))
        self._audit(conn, operator=operator, action=AuditAction.UPDATE, entity=AuditEntity.RETURN, key=ret["id"], wave=w["name"],
                    old=self._describe(instrument, ret["participant_code"], ret["serial"],
                                       ans.decode(instrument, ret["answers"])),
                    new=self._describe(instrument, ret["participant_code"], ret["serial"], final),
                    reason="all discrepancies resolved", at=now)

    # --- claims: a form being keyed at a station ------------------------------------------------

    def claim(self, form: str, *, operator: str) -> Claim | None:
        """Mark ``form`` ("serial 0000131", "draft 12", "return 40": see claim_key) as being keyed here,
        letting go of any other form this station held. If another station holds it (and has touched
        it within CLAIM_LAPSE_S), nothing is taken and its claim is returned, to be shown."""
        operator = check_operator(operator)
        now = self._now()
        c = s.claims
        with self._write() as conn:
            conn.execute(delete(c).where(c.c.seen_at < self._lapse_before(now)))
            row = conn.execute(select(c).where(c.c.form == form)).mappings().first()
            if row is not None and row["session"] != self.session:
                return from_row(Claim, row)
            conn.execute(delete(c).where(c.c.session == self.session, c.c.form != form))
            if row is None:
                conn.execute(insert(c).values(form=form, operator=operator, station=self.station,
                                              session=self.session, since=now, seen_at=now))
            else:
                conn.execute(update(c).where(c.c.form == form).values(operator=operator, seen_at=now))
        self._claimed = True
        return None

    def release_claims(self) -> None:
        """This station is no longer keying any form."""
        with self._write() as conn:
            conn.execute(delete(s.claims).where(s.claims.c.session == self.session))

    def claims(self) -> list[Claim]:
        """Forms being keyed now, at every station (lapsed claims left out)."""
        c = s.claims
        with self._read() as conn:
            rows = conn.execute(select(c).where(c.c.seen_at >= self._lapse_before(self._now()))
                                .order_by(c.c.since)).mappings().all()
        return [from_row(Claim, r) for r in rows]

    @staticmethod
    def _lapse_before(now: str) -> str:
        moment = datetime.fromisoformat(now.replace("Z", "+00:00")) - timedelta(seconds=CLAIM_LAPSE_S)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _end_claims(self, conn: Connection, *forms: str | None) -> None:
        """A saved or discarded form is no longer being keyed, here or anywhere; this station holds nothing."""
        c = s.claims
        forms_ended = c.c.form.in_([f for f in forms if f is not None])
        conn.execute(delete(c).where(or_(c.c.session == self.session, forms_ended) if self._claimed else forms_ended))

    # --- drafts ----------------------------------------------------------------------------------

    def save_draft(self, draft: Draft) -> int:
        """Insert or update a draft; called after every completed section, so it must be quick."""
        operator = check_operator(draft.operator)
        now = self._now()
        with self._write() as conn:
            if self._claimed:  # keying goes on here: the claim has not lapsed
                conn.execute(update(s.claims).where(s.claims.c.session == self.session).values(seen_at=now))
            w = self._wave_row(conn, draft.wave)
            values = dict(wave_id=w["id"], operator=operator, pass_no=draft.pass_no, return_id=draft.return_id,
                          participant_code=draft.participant_code, serial=draft.serial,
                          state=json.dumps(draft.state, sort_keys=True), keystrokes=draft.keystrokes,
                          seconds=draft.seconds, updated_at=now)
            if draft.id is not None:
                done = conn.execute(update(s.drafts).where(s.drafts.c.id == draft.id).values(**values)).rowcount
                if done:
                    return draft.id
            draft_id = new_id(conn.execute(insert(s.drafts).values(
                **values, started_at=draft.started_at or now)))
        draft.id = draft_id
        return draft_id

    def drafts(self, *, wave: str | None = None, operator: str | None = None) -> list[Draft]:
        query = select(s.drafts, s.waves.c.name.label("wave_name")).join(s.waves).order_by(s.drafts.c.id)
        if wave is not None:
            query = query.where(s.waves.c.name == wave)
        if operator is not None:
            query = query.where(s.drafts.c.operator == operator)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [from_row(Draft, r, wave=r["wave_name"], state=json.loads(r["state"])) for r in rows]

    def discard_draft(self, draft_id: int, *, operator: str, reason: str = "") -> None:
        operator = check_operator(operator)
        with self._write() as conn:
            row = conn.execute(select(s.drafts, s.waves.c.name.label("wave_name")).join(s.waves)
                               .where(s.drafts.c.id == draft_id)).mappings().first()
            if row is None:
                return
            conn.execute(delete(s.drafts).where(s.drafts.c.id == draft_id))
            self._end_claims(conn, claim_key(draft_id=draft_id), claim_key(serial=row["serial"]))
            self._audit(conn, operator=operator, action=AuditAction.DELETE, entity=AuditEntity.DRAFT, key=draft_id,
                        wave=row["wave_name"], old={"participant_code": row["participant_code"],
                                                    "serial": row["serial"], "state": json.loads(row["state"])},
                        reason=reason or None)

    # --- helpers -------------------------------------------------------------------------------

    def _return_row(self, conn: Connection, return_id: int) -> Any:
        row = conn.execute(select(s.returns).where(s.returns.c.id == return_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no return #{return_id}")
        return row

    @staticmethod
    def _record(row: Any, wave: str, instrument: Instrument, passes: Iterable[Any]) -> ReturnRecord:
        return from_row(ReturnRecord, row, wave=wave, serial_issued=bool(row["serial_issued"]),
                        answers=ans.decode(instrument, row["answers"]), status=ReturnStatus(row["status"]),
                        needs_second=bool(row["needs_second"]),
                        passes=tuple(from_row(EntryPass, p) for p in passes))

    @staticmethod
    def _parse_code(instrument: Instrument, wave: str, participant_code: str) -> ParticipantCode:
        try:
            return instrument.key.parse(participant_code)
        except ParticipantCodeError as exc:
            raise InputError(f"wave {wave}: {exc}") from None

    @staticmethod
    def _encode(instrument: Instrument, wave: str, answers: ans.Answers) -> str:
        try:
            return ans.encode(instrument, answers)
        except ans.AnswerError as exc:
            raise InputError(f"wave {wave}: {exc}") from None

    def _check_serial(self, conn: Connection, serial: str, wave: str, wave_id: int, code: str,
                      warnings: list[str]) -> bool:
        """Refuse a serial already returned or issued elsewhere; flag one never issued."""
        previous = conn.execute(select(s.returns.c.id, s.returns.c.participant_code, s.returns.c.created_by,
                                       s.returns.c.created_at).where(s.returns.c.serial == serial)).first()
        if previous is not None:
            raise DuplicateError(f"serial {serial} was already returned: return #{previous[0]} ({previous[1]}), "
                                 f"keyed by {previous[2]} at {previous[3][:16].replace('T', ' ')}")
        pending = conn.execute(
            select(s.imports.c.file_name, s.import_rows.c.row_no)
            .join(s.imports, s.imports.c.id == s.import_rows.c.import_id)
            .where(s.import_rows.c.serial == serial, s.imports.c.state.in_(("staging", "publishing")))).first()
        if pending is not None:
            raise DuplicateError(f"serial {serial} is being imported from {pending[0]} (row {pending[1]}): that paper "
                                 "was returned already")
        issued = conn.execute(select(s.issued_forms.c.wave_id, s.issued_forms.c.participant_code,
                                     s.issued_forms.c.school)
                              .where(s.issued_forms.c.serial == serial)).first()
        if issued is None:
            warnings.append(f"serial {serial} was never issued by this study (saved and flagged)")
            return False
        if issued[0] != wave_id:
            other = conn.execute(select(s.waves.c.name).where(s.waves.c.id == issued[0])).scalar()
            raise InputError(f"serial {serial} was issued for wave {other}, not {wave}")
        if issued[1] is not None and issued[1] != code:
            raise InputError(f"serial {serial} was issued to participant {issued[1]}, not {code}: "
                             "check the code written on the form")
        if issued[1] is None and issued[2] is not None and issued[2] != code[:1]:
            raise InputError(f"serial {serial} is a blank form sent to school {issued[2]}, not {code[:1]}: "
                             "check the school written on the form")
        return True

    def _sampled(self, return_id: int, share: float) -> bool:
        """Whether this return is chosen for second keying: reproducible from the study and the id."""
        return sampled(self._uuid, return_id, share)

    @staticmethod
    def _setting_in(conn: Connection, key: str) -> Any:
        value = conn.execute(select(s.settings.c.value).where(s.settings.c.key == key)).scalar()
        return DEFAULT_SETTINGS[key] if value is None else json.loads(value)

    @staticmethod
    def _describe(instrument: Instrument, code: str, serial: str | None, answers: ans.Answers) -> dict[str, Any]:
        """A return as the audit trail shows it: readable codes, not masks."""
        return {
            "participant_code": code,
            "serial": serial,
            "highlighted": ans.highlighted_codes(instrument, answers),
            "missing_pages": [b.abbreviation for b in instrument.banks if not answers[b.id].present],
        }


def claim_key(*, serial: str | None = None, draft_id: int | None = None, return_id: int | None = None) -> str | None:
    """The name a form is claimed under: its serial if it has one, else its draft, else its return."""
    if serial is not None and serial.strip():
        try:
            return f"serial {make_serial(parse_serial(serial))}"
        except SerialError:
            return f"serial {serial.strip()}"
    if draft_id is not None:
        return f"draft {draft_id}"
    if return_id is not None:
        return f"return {return_id}"
    return None

