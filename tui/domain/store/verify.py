"""``audit --verify``: the audit chain is intact, and replaying it gives exactly the data stored.

Every change SurveyDesk makes writes an audit entry in the same transaction, chained by hashes
(each entry's hash covers the one before it). The check walks the chain, then replays it — waves
added, forms issued and reprinted, returns inserted, keyed a second time, edited, resolved and
deleted, settings changed — and compares the result with every stored wave, issued form, return,
entry pass and discrepancy, setting and school-key letter. Changing a stored row outside
SurveyDesk, or deleting a row or an audit entry, shows as a difference.

What the chain cannot show by itself is its own end being cut off (the newest entries deleted
together with the rows they describe). Its *head* — the number and hash of the newest entry —
is printed by every verify and written into every export's metadata; verifying against a head
recorded earlier catches such a cut. On SQLite the study's own counter of audit numbers given out
catches it too, unless that counter was also edited.

Portable SQLAlchemy Core throughout: the same check runs on any backend.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from tui.domain.instrument import Instrument
from tui.domain.returns import make_serial
from tui.domain.store import schema as s
from tui.domain.store.errors import InputError
from tui.domain.store.records import AuditAction, AuditEntity, instrument_from_toml

MAX_SHOWN = 200  # problems listed one by one; the rest are counted
DEFAULT_SHARE = 1.0
RESOLVED_ALL = "all discrepancies resolved"  # the reason SurveyDesk gives the update that applies resolutions


@dataclass(frozen=True)
class AuditHead:
    """The newest audit entry: its number and hash. Written ``N:HASH``."""

    entry: int
    hash: str

    def __str__(self) -> str:
        return f"{self.entry}:{self.hash}"

    @staticmethod
    def parse(text: str, where: str = "") -> AuditHead:
        """``N:HASH``, or the path of an export's metadata.json that records one."""
        text = text.strip()
        source = f" in {where}" if where else ""
        match = re.fullmatch(r"(\d+):([0-9a-f]{64})", text)
        if match:
            return AuditHead(int(match.group(1)), match.group(2))
        path = Path(text)
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                return AuditHead.parse(str(data["study"]["audit_head"]), str(path))
            except (ValueError, KeyError, TypeError, OSError):
                raise InputError(f"{path} records no audit head (an export's metadata.json does)") from None
        raise InputError(f"audit head {text!r}{source} must be N:HASH (64 hex digits), or the path of an "
                         "export's metadata.json")


@dataclass
class Verification:
    head: AuditHead | None
    problems: list[str] = field(default_factory=list)
    more: int = 0  # problems beyond MAX_SHOWN
    checked: dict[str, int] = field(default_factory=dict)  # what was compared, by kind
    not_replayed: dict[str, int] = field(default_factory=dict)  # entries of kinds this check does not know

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_SHOWN:
            self.problems.append(text)
        else:
            self.more += 1


def chain_hash(previous: str, row: dict[str, Any]) -> str:
    payload = json.dumps(row, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((previous + payload).encode()).hexdigest()


CHAINED = ("at", "operator", "action", "entity", "entity_key", "wave", "old", "new", "reason")


def staged_digest(rows: Iterable[Sequence[Any]]) -> str:
    """SHA-256 of staged import rows (seq, row_no, wave_id, participant_code, serial, answers), as a
    published batch's audit entry records it."""
    digest = hashlib.sha256()
    for seq, row_no, wave_id, code, serial, answers in rows:
        digest.update(f"{seq}\t{row_no}\t{wave_id}\t{code}\t{serial or ''}\t{answers}\n".encode())
    return digest.hexdigest()


def audit_head(conn: Connection) -> AuditHead | None:
    row = conn.execute(select(s.audit.c.id, s.audit.c.hash).order_by(s.audit.c.id.desc()).limit(1)).first()
    return AuditHead(row[0], row[1]) if row else None


def verify(conn: Connection, *, study_uuid: str, against: AuditHead | None = None,
           high_water: int | None = None) -> Verification:
    """Check the chain and replay it against the stored data (one read transaction: ``conn``)."""
    result = Verification(audit_head(conn))
    replay = _Replay(conn, study_uuid, result)
    previous, last = "", 0
    for r in conn.execution_options(yield_per=5000).execute(select(s.audit).order_by(s.audit.c.id)).mappings():
        row = {k: r[k] for k in CHAINED}
        if chain_hash(previous, row) != r["hash"]:
            result.problem(f"audit entry {r['id']} ({r['at']}) does not match the chain: it or the entry before "
                           "it was changed or removed outside SurveyDesk")
        previous, last = r["hash"], r["id"]
        if against is not None and r["id"] == against.entry and r["hash"] != against.hash:
            result.problem(f"audit entry {against.entry} is not the one recorded as the head ({against}): the "
                           "trail was rewritten from there on")
        replay.apply(r)
    if against is not None and last < against.entry:
        result.problem(f"the audit trail ends at entry {last}, but entry {against.entry} was recorded as its "
                       f"head: entries {last + 1}-{against.entry} were deleted, with whatever they recorded")
    if high_water is not None and high_water > last:
        result.problem(f"the study gave out audit entries up to {high_water}, but the trail ends at {last}: "
                       f"the newest entries were deleted outside SurveyDesk")
    replay.compare()
    return result


# --- the replay -------------------------------------------------------------------------------


@dataclass
class _Return:
    wave: str
    code: str
    serial: str | None
    serial_issued: bool
    answers: str  # encoded, as stored
    status: str
    version: int
    created_at: str
    created_by: str
    updated_at: str
    needs_second: bool
    passes: dict[int, tuple[str, str, str | None]]  # pass -> (operator, saved at, encoded answers or None)


@dataclass
class _Discrepancy:
    return_id: int
    code: str
    first: str
    second: str
    first_operator: str
    second_operator: str
    found_at: str
    resolved: tuple[str, str, str] | None = None  # value, by, at
    id: int | None = None


class _Replay:
    def __init__(self, conn: Connection, study_uuid: str, result: Verification):
        self.conn, self.uuid, self.result = conn, study_uuid, result
        self.waves: dict[str, dict[str, Any]] = {}
        self.instruments: dict[str, Instrument] = {}
        self.codes: dict[str, dict[str, tuple[int, int]]] = {}  # wave -> statement code -> (bank index, bit)
        self.issued: dict[str, dict[str, Any]] = {}
        self.returns: dict[int, _Return] = {}
        self.discrepancies: dict[int, list[_Discrepancy]] = {}
        self.settings: dict[str, Any] = {}
        self.school_key: set[str] = set()
        self.intern: dict[str, str] = {}
        self.skipped: set[tuple[str, str]] = set()  # (entity, key) whose rows cannot be compared
        stored = conn.execute(select(s.waves.c.name, s.waves.c.instrument_toml)).all()
        self.stored_tomls = dict(stored)
        self.wave_names = dict(conn.execute(select(s.waves.c.id, s.waves.c.name)).all())
        self.imports: dict[int, Any] = {}
        self.layouts: set[tuple[str, str]] = set()  # (wave, first 16 hex digits of the geometry's hash)

    def _i(self, text: str) -> str:
        return self.intern.setdefault(text, text)

    def apply(self, r: Any) -> None:
        handler: Callable[[Any, Any, Any], None] | None = _HANDLERS.get((r["entity"], r["action"]))
        if handler is None:
            kind = f"{r['entity']} {r['action']}"
            self.result.not_replayed[kind] = self.result.not_replayed.get(kind, 0) + 1
            self.skipped.add((r["entity"], r["entity_key"]))
            return
        old = json.loads(r["old"]) if r["old"] else None
        new = json.loads(r["new"]) if r["new"] else None
        try:
            handler(self, r, (old, new))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.result.problem(f"audit entry {r['id']} ({r['entity']} {r['action']} {r['entity_key']}) cannot be "
                                f"replayed ({type(exc).__name__}: {exc}): it names something the trail never made")

    # --- entities ----------------------------------------------------------------------------

    def wave_insert(self, r: Any, change: Any) -> None:
        _, new = change
        # created_at is not compared: older versions stamped the wave and its entry a moment apart.
        self.waves[r["entity_key"]] = {**new, "created_by": r["operator"]}
        toml = self.stored_tomls.get(r["entity_key"])
        if toml is not None:
            self._instrument(r["entity_key"], toml)

    def _instrument(self, wave: str, toml: str) -> None:
        instrument = instrument_from_toml(toml)
        self.instruments[wave] = instrument
        self.codes[wave] = {ref.code: (index, ref.running - 1) for index, bank in enumerate(instrument.banks)
                            for ref in instrument.bank_refs(bank)}

    def issued_insert(self, r: Any, change: Any) -> None:
        _, new = change
        code = new.get("participant_code")
        self.issued[r["entity_key"]] = {
            "wave": r["wave"], "participant_code": code, "school": code[0] if code else new.get("school"),
            "role": int(code[1:]) if code else None, "printed_at": r["at"], "printed_by": r["operator"],
            "print_count": 1}

    def issued_reprint(self, r: Any, change: Any) -> None:
        _, new = change
        self.issued[r["entity_key"]]["print_count"] = new["print_count"]

    def return_insert(self, r: Any, change: Any) -> None:
        _, new = change
        wave, return_id = r["wave"], int(r["entity_key"])
        encoded = self._encode(wave, new)
        serial = new.get("serial")
        issued = serial is not None and serial in self.issued
        at, operator = self._i(r["at"]), self._i(r["operator"])
        share = self.settings.get("second_keying_share", DEFAULT_SHARE)
        self.returns[return_id] = _Return(
            self._i(wave), new["participant_code"], serial, issued, encoded, "entered", 1, at, operator, at,
            sampled(self.uuid, return_id, share), {1: (operator, at, encoded)})

    def return_second_pass(self, r: Any, change: Any) -> None:
        _, new = change
        return_id = int(r["entity_key"])
        ret = self.returns[return_id]
        first_operator, _, first = ret.passes[1]
        differences = [_difference(text) for text in new.get("differences", [])]
        if "highlighted" in new:  # recorded in full since the trail was made verifiable
            second: str | None = self._encode(ret.wave, new)
        else:
            # (an unknown first pass, which the trail never makes, leaves the second unknown too)
            second = None if first is None else self._second_from_differences(ret.wave, first, differences)
        ret.passes[2] = (self._i(r["operator"]), self._i(r["at"]), second)
        ret.status = new["status"]
        ret.version += 1
        ret.updated_at = r["at"]
        self.discrepancies[return_id] = [
            _Discrepancy(return_id, code, a, b, first_operator, r["operator"], r["at"]) for code, a, b in differences]

    def return_update(self, r: Any, change: Any) -> None:
        _, new = change
        return_id = int(r["entity_key"])
        ret = self.returns[return_id]
        ret.answers = self._encode(ret.wave, new)
        ret.code = new["participant_code"]
        if new.get("serial") != ret.serial:
            ret.serial = new.get("serial")
            ret.serial_issued = ret.serial is not None and ret.serial in self.issued
        ret.version += 1
        ret.updated_at = r["at"]
        found = self.discrepancies.get(return_id, [])
        if r["reason"] == RESOLVED_ALL and found and all(d.resolved for d in found):
            ret.status = "verified"

    def return_delete(self, r: Any, change: Any) -> None:
        return_id = int(r["entity_key"])
        del self.returns[return_id]
        self.discrepancies.pop(return_id, None)

    def discrepancy_resolve(self, r: Any, change: Any) -> None:
        old, new = change
        found = next(d for d in self.discrepancies[int(old["return"])] if d.code == old["code"])
        found.id = int(r["entity_key"])
        found.resolved = (new["value"], r["operator"], r["at"])

    def setting_update(self, r: Any, change: Any) -> None:
        self.settings[r["entity_key"]] = change[1]

    def school_key_update(self, r: Any, change: Any) -> None:
        (self.school_key.add if change[1] else self.school_key.discard)(r["entity_key"])

    def form_layout_insert(self, r: Any, change: Any) -> None:
        self.layouts.add((r["wave"], r["entity_key"]))

    def import_stage(self, r: Any, change: Any) -> None:
        self.imports[int(r["entity_key"])] = change[1]

    def import_publish(self, r: Any, change: Any) -> None:
        """A batch of staged rows became returns first..last, in order: re-hash the staged rows (they are
        the import's record) and replay each as a return inserted by the importer."""
        _, new = change
        import_id = int(r["entity_key"])
        start, end = new["rows"]
        first, last = new["returns"]
        st = s.import_rows
        rows = self.conn.execute(
            select(st.c.seq, st.c.row_no, st.c.wave_id, st.c.participant_code, st.c.serial, st.c.answers)
            .where(st.c.import_id == import_id, st.c.seq >= start, st.c.seq < end).order_by(st.c.seq)).all()
        if staged_digest(rows) != new["digest"] or len(rows) != last - first + 1:
            self.result.problem(f"the staged rows {start + 1}-{end} of import #{import_id} do not match the digest "
                                f"its audit entry {r['id']} recorded: changed outside SurveyDesk")
            for return_id in range(first, last + 1):
                self.skipped.add(("return", str(return_id)))
            return
        at, operator = self._i(r["at"]), self._i(r["operator"])
        share = self.settings.get("second_keying_share", DEFAULT_SHARE)
        for return_id, (_, _, wave_id, code, serial, answers) in zip(range(first, last + 1), rows, strict=True):
            wave = self._i(self.wave_names[wave_id])
            self.returns[return_id] = _Return(
                wave, code, serial, serial is not None and serial in self.issued, answers, "entered", 1, at, operator,
                at, sampled(self.uuid, return_id, share), {1: (operator, at, answers)})

    def ignore(self, r: Any, change: Any) -> None:
        """Drafts are saved after every section without an audit entry; their discard has nothing to check."""

    # --- answers -------------------------------------------------------------------------------

    def _encode(self, wave: str, described: dict[str, Any]) -> str:
        instrument = self.instruments[wave]
        masks: list[int | None] = [0] * len(instrument.banks)
        missing = set(described.get("missing_pages", []))
        for index, bank in enumerate(instrument.banks):
            if bank.abbreviation in missing:
                masks[index] = None
        codes = self.codes[wave]
        for code in described.get("highlighted", []):
            index, bit = codes[code]
            masks[index] = (masks[index] or 0) | 1 << bit
        return " ".join("-" if m is None else str(m) for m in masks)

    def _second_from_differences(self, wave: str, first: str, differences: list[tuple[str, str, str]]) -> str | None:
        """An older trail recorded only the differences: the second pass is the first with them applied,
        unless a page missing in the first was present in the second (its marks were not recorded)."""
        instrument = self.instruments[wave]
        tokens = first.split()
        banks = {bank.abbreviation: i for i, bank in enumerate(instrument.banks)}
        for code, _first, b in differences:
            if code in banks:  # a page difference
                if b == "present":
                    return None
                tokens[banks[code]] = "-"
                continue
            index, bit = self.codes[wave][code]
            mask = int(tokens[index]) ^ (1 << bit)
            tokens[index] = str(mask)
        return " ".join(tokens)

    # --- the comparison ----------------------------------------------------------------------------

    def compare(self) -> None:
        for check in (self._compare_waves, self._compare_issued, self._compare_returns, self._compare_passes,
                      self._compare_discrepancies, self._compare_settings, self._compare_school_key,
                      self._compare_layouts):
            check()

    def _skipped(self, entity: str, key: Any) -> bool:
        return (entity, str(key)) in self.skipped

    def _compare_waves(self) -> None:
        rows = {r["name"]: r for r in self.conn.execute(select(s.waves)).mappings()}
        self.result.checked["waves"] = len(rows)
        for name, row in rows.items():
            if self._skipped("wave", name):
                continue
            made = self.waves.get(name)
            if made is None:
                self.result.problem(f"wave {name!r} has no entry in the audit trail: added outside SurveyDesk")
                continue
            fields = [k for k, v in made.items() if k in row and row[k] != v]
            if hashlib.sha256(row["instrument_toml"].encode()).hexdigest() != row["instrument_sha256"]:
                fields.append("instrument (its frozen copy no longer matches its hash)")
            if fields:
                self.result.problem(f"wave {name!r} differs from its audit trail in {', '.join(fields)}")
        for name in self.waves.keys() - rows.keys():
            self.result.problem(f"wave {name!r} is in the audit trail but not in the study: deleted outside SurveyDesk")

    def _compare_issued(self) -> None:
        waves = dict(self.conn.execute(select(s.waves.c.id, s.waves.c.name)).all())
        seen = 0
        for row in self.conn.execution_options(yield_per=5000).execute(select(s.issued_forms)).mappings():
            seen += 1
            serial = row["serial"]
            if self._skipped("issued_form", serial):
                continue
            made = self.issued.pop(serial, None)
            if made is None:
                self.result.problem(f"issued form {serial} has no entry in the audit trail: added outside SurveyDesk")
                continue
            stored = {"wave": waves.get(row["wave_id"]), **{k: row[k] for k in made if k != "wave"}}
            fields = [k for k, v in made.items() if stored[k] != v]
            if make_serial(row["number"]) != serial:
                fields.append("number")
            if fields:
                self.result.problem(f"issued form {serial} differs from its audit trail in {', '.join(fields)}")
        self.result.checked["issued forms"] = seen
        for serial in self.issued:
            self.result.problem(f"issued form {serial} is in the audit trail but not in the study: deleted outside "
                                "SurveyDesk")

    def _compare_returns(self) -> None:
        r = s.returns
        query = select(r, s.waves.c.name.label("wave_name")).join(s.waves, r.c.wave_id == s.waves.c.id)
        seen = set()
        for row in self.conn.execution_options(yield_per=5000).execute(query).mappings():
            return_id = row["id"]
            seen.add(return_id)
            if self._skipped("return", return_id):
                continue
            made = self.returns.get(return_id)
            where = f"return #{return_id} ({row['participant_code']}, wave {row['wave_name']})"
            if made is None:
                self.result.problem(f"{where} has no entry in the audit trail: added outside SurveyDesk")
                continue
            stored = (row["wave_name"], row["participant_code"], row["school"], row["role"], row["serial"],
                      bool(row["serial_issued"]), row["answers"], row["status"], row["version"], row["created_at"],
                      row["created_by"], row["updated_at"], bool(row["needs_second"]))
            expected = (made.wave, made.code, made.code[0], int(made.code[1:]), made.serial, made.serial_issued,
                        made.answers, made.status, made.version, made.created_at, made.created_by, made.updated_at,
                        made.needs_second)
            if stored != expected:
                names = ("wave", "participant code", "school", "role", "serial", "serial issued", "answers", "status",
                         "version", "created at", "created by", "updated at", "second keying")
                fields = [n for n, a, b in zip(names, stored, expected, strict=True) if a != b]
                self.result.problem(f"{where} differs from its audit trail in {', '.join(fields)}")
        self.result.checked["returns"] = len(seen)
        for return_id in self.returns.keys() - seen:
            made = self.returns[return_id]
            self.result.problem(f"return #{return_id} ({made.code}, wave {made.wave}) is in the audit trail but not "
                                "in the study: deleted outside SurveyDesk")

    def _compare_passes(self) -> None:
        p = s.entry_passes
        seen: set[tuple[int, int]] = set()
        for row in self.conn.execution_options(yield_per=5000).execute(
                select(p.c.return_id, p.c.pass_no, p.c.operator, p.c.saved_at, p.c.answers)).all():
            return_id, number = row[0], row[1]
            seen.add((return_id, number))
            if self._skipped("return", return_id):
                continue
            made = self.returns.get(return_id)
            expected = made.passes.get(number) if made else None
            where = f"entry pass {number} of return #{return_id}"
            if expected is None:
                self.result.problem(f"{where} has no entry in the audit trail: added outside SurveyDesk")
                continue
            operator, at, answers = expected
            fields = [n for n, a, b in (("operator", row[2], operator), ("saved at", row[3], at),
                                        ("answers", row[4], answers)) if b is not None and a != b]
            if fields:
                self.result.problem(f"{where} differs from its audit trail in {', '.join(fields)}")
        self.result.checked["entry passes"] = len(seen)
        for return_id, made in self.returns.items():
            for number in made.passes.keys():
                if (return_id, number) not in seen:
                    self.result.problem(f"entry pass {number} of return #{return_id} is in the audit trail but not in "
                                        "the study: deleted outside SurveyDesk")

    def _compare_discrepancies(self) -> None:
        d = s.discrepancies
        stored: dict[int, list[Any]] = {}
        count = 0
        for row in self.conn.execute(select(d).order_by(d.c.id)).mappings():
            stored.setdefault(row["return_id"], []).append(row)
            count += 1
        self.result.checked["discrepancies"] = count
        for return_id in stored.keys() | self.discrepancies.keys():
            if self._skipped("return", return_id):
                continue
            rows = {row["code"]: row for row in stored.get(return_id, [])}
            made = {x.code: x for x in self.discrepancies.get(return_id, [])}
            for code in rows.keys() - made.keys():
                self.result.problem(f"discrepancy #{rows[code]['id']} ({code}, return #{return_id}) has no entry in "
                                    "the audit trail: added outside SurveyDesk")
            for code in made.keys() - rows.keys():
                self.result.problem(f"discrepancy {code} of return #{return_id} is in the audit trail but not in the "
                                    "study: deleted outside SurveyDesk")
            for code in made.keys() & rows.keys():
                row, x = rows[code], made[code]
                value, by, at = x.resolved or (None, None, None)
                pairs = (("first value", row["first_value"], x.first), ("second value", row["second_value"], x.second),
                         ("first operator", row["first_operator"], x.first_operator),
                         ("second operator", row["second_operator"], x.second_operator),
                         ("found at", row["found_at"], x.found_at), ("resolution", row["resolved_value"], value),
                         ("resolved by", row["resolved_by"], by), ("resolved at", row["resolved_at"], at),
                         ("number", row["id"], x.id if x.id is not None else row["id"]))
                fields = [n for n, a, b in pairs if a != b]
                if fields:
                    self.result.problem(f"discrepancy #{row['id']} ({code}, return #{return_id}) differs from its "
                                        f"audit trail in {', '.join(fields)}")

    def _compare_settings(self) -> None:
        rows = {k: json.loads(v) for k, v in self.conn.execute(select(s.settings.c.key, s.settings.c.value)).all()}
        self.result.checked["settings"] = len(rows)
        for key in rows.keys() | self.settings.keys():
            if self._skipped("setting", key):
                continue
            if rows.get(key) != self.settings.get(key):
                self.result.problem(f"setting {key} is {rows.get(key)!r} in the study but {self.settings.get(key)!r} "
                                    "by its audit trail: changed outside SurveyDesk")

    def _compare_school_key(self) -> None:
        letters = set(self.conn.execute(select(s.schools.c.letter)).scalars())
        self.result.checked["school key letters"] = len(letters)
        for letter in sorted(letters ^ self.school_key):
            if self._skipped("school_key", letter):
                continue
            state = "named in the study but not" if letter in letters else "not named in the study but"
            self.result.problem(f"school {letter} is {state} by the audit trail: the secret key was changed "
                                "outside SurveyDesk")

    def _compare_layouts(self) -> None:
        fl = s.form_layouts
        rows = self.conn.execute(select(s.waves.c.name, fl.c.sha256, fl.c.geometry)
                                 .join(s.waves, fl.c.wave_id == s.waves.c.id)).all()
        self.result.checked["form layouts"] = len(rows)
        stored = set()
        for wave, digest, geometry in rows:
            stored.add((wave, digest[:16]))
            if hashlib.sha256(geometry.encode()).hexdigest() != digest:
                self.result.problem(f"the form layout {digest[:16]} of wave {wave!r} no longer matches its hash: "
                                    "changed outside SurveyDesk")
        for wave, key in sorted(stored - self.layouts):
            self.result.problem(f"the form layout {key} of wave {wave!r} has no entry in the audit trail: added "
                                "outside SurveyDesk")
        for wave, key in sorted(self.layouts - stored):
            self.result.problem(f"the form layout {key} of wave {wave!r} is in the audit trail but not in the study: "
                                "deleted outside SurveyDesk")


_HANDLERS: dict[tuple[AuditEntity, AuditAction], Callable[[_Replay, Any, Any], None]] = {
    (AuditEntity.WAVE, AuditAction.INSERT): _Replay.wave_insert,
    (AuditEntity.ISSUED_FORM, AuditAction.INSERT): _Replay.issued_insert,
    (AuditEntity.ISSUED_FORM, AuditAction.REPRINT): _Replay.issued_reprint,
    (AuditEntity.RETURN, AuditAction.INSERT): _Replay.return_insert,
    (AuditEntity.RETURN, AuditAction.SECOND_PASS): _Replay.return_second_pass,
    (AuditEntity.RETURN, AuditAction.UPDATE): _Replay.return_update,
    (AuditEntity.RETURN, AuditAction.DELETE): _Replay.return_delete,
    (AuditEntity.DISCREPANCY, AuditAction.RESOLVE): _Replay.discrepancy_resolve,
    (AuditEntity.SETTING, AuditAction.UPDATE): _Replay.setting_update,
    (AuditEntity.SCHOOL_KEY, AuditAction.UPDATE): _Replay.school_key_update,
    (AuditEntity.DRAFT, AuditAction.DELETE): _Replay.ignore,
    (AuditEntity.FORM_LAYOUT, AuditAction.INSERT): _Replay.form_layout_insert,
    (AuditEntity.IMPORT, AuditAction.STAGE): _Replay.import_stage,
    (AuditEntity.IMPORT, AuditAction.PUBLISH): _Replay.import_publish,
    (AuditEntity.IMPORT, AuditAction.DONE): _Replay.ignore,
    (AuditEntity.IMPORT, AuditAction.ABANDON): _Replay.ignore,
}


def _difference(text: str) -> tuple[str, str, str]:
    """'JPD A1: 1/0' -> ('JPD A1', '1', '0')."""
    code, _, values = text.rpartition(": ")
    first, _, second = values.partition("/")
    return code, first, second


def sampled(study_uuid: str, return_id: int, share: float) -> bool:
    """Whether a return is chosen for second keying: reproducible from the study and the return's id."""
    if share >= 1:
        return True
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{study_uuid}:{return_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def describe_checked(checked: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n:,}" for kind, n in checked.items())
