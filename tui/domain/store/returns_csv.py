"""Returns as CSV: one row per return, the layout of the wide export, so export -> import round-trips.

Columns: ``wave``, ``participant_code``, optional ``serial``, then one column per statement code
(``JPD A1`` ...) holding ``1`` (highlighted), ``0`` or empty (not highlighted), or ``M`` (that
bank's page missing: every statement of the bank must then be ``M``). Columns the wide export
adds for convenience (return_id, school, role, role_group, verified) are accepted and ignored.

An import is all or nothing: every bad cell is reported with its row and column, and nothing
from the file is stored unless every row is good.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument, ParticipantCodeError
from tui.domain.returns import WIDE_BASE_COLUMNS
from tui.domain.returns import answers as ans

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from tui.domain.store import NewReturn, Study

REQUIRED = ("wave", "participant_code")
# school_name: added beside the letter by an export made with --reveal-school-names.
IGNORED = (*(c for c in WIDE_BASE_COLUMNS if c not in ("wave", "participant_code", "serial")), "school_name")
TRUE_WORDS, FALSE_WORDS, MISSING_WORDS = {"1", "true", "yes", "x"}, {"0", "", "false", "no"}, {"m"}
MAX_REPORTED = 50


@dataclass(frozen=True)
class CsvProblem:
    row: int  # 1 = the header line, as a spreadsheet numbers it; 0 = the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:  # the file as a whole
            return self.message
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(SurveyDeskError):
    def __init__(self, path: str, problems: list[CsvProblem]):
        self.problems = problems
        shown = "\n".join(f"{path}: {p}" for p in problems[:MAX_REPORTED])
        more = f"\n... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        if len(problems) == 1:  # one problem, one line
            super().__init__(f"{shown}. Nothing was imported.")
        else:
            super().__init__(f"{shown}{more}\nNothing was imported.")


def wide_to_csv_frame(wide: pl.DataFrame) -> pl.DataFrame:
    """The wide frame with statement columns as 1/0/M text, ready for write_csv (and import)."""
    import polars as pl

    statement_columns = [c for c, dtype in wide.schema.items()
                         if c not in WIDE_BASE_COLUMNS and dtype == pl.Boolean]
    return wide.with_columns(
        pl.when(pl.col(c).is_null()).then(pl.lit("M"))
        .when(pl.col(c)).then(pl.lit("1")).otherwise(pl.lit("0")).alias(c)
        for c in statement_columns
    )


def read_returns_csv(path: str | Path, instruments: dict[str, Instrument]) -> list[tuple[int, NewReturn]]:
    """Parse and check every row against its wave's instrument; raise CsvImportError listing all problems.
    Returns (file row, return) pairs."""
    from tui.domain.store import NewReturn

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    except FileNotFoundError:
        raise CsvImportError(str(path), [CsvProblem(0, "", "no such file")]) from None
    except UnicodeDecodeError:
        raise CsvImportError(str(path), [CsvProblem(0, "", "not UTF-8 text: save the sheet as "
                                                           "'CSV UTF-8 (comma delimited)'")]) from None
    except OSError as exc:
        raise CsvImportError(str(path), [CsvProblem(0, "", f"cannot read: {exc.strerror}")]) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise CsvImportError(str(path), [CsvProblem(1, "", "the file is empty")])
    header = [h.strip() for h in header]
    problems: list[CsvProblem] = []
    for required in REQUIRED:
        if required not in header:
            problems.append(CsvProblem(1, required, "required column is missing"))
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        problems.append(CsvProblem(1, dupes[0], "column appears more than once"))
    known_codes = {code for inst in instruments.values() for code in inst.codes()}
    for name in header:
        if name not in REQUIRED and name != "serial" and name not in IGNORED and name not in known_codes:
            problems.append(CsvProblem(1, name, "not a statement code of any wave's instrument, nor a known column"))
    if problems:
        raise CsvImportError(str(path), problems)

    rows = []
    for line_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(CsvProblem(line_number, "", f"has {len(cells)} cells, the header has {len(header)}"))
            continue
        record = dict(zip(header, (c.strip() for c in cells), strict=True))
        wave = record["wave"]
        instrument = instruments.get(wave)
        if instrument is None:
            problems.append(CsvProblem(line_number, "wave", f"no wave named {wave!r} in this study "
                                                            f"(waves: {', '.join(instruments) or 'none'})"))
            continue
        try:
            code = str(instrument.key.parse(record["participant_code"]))
        except ParticipantCodeError as exc:
            problems.append(CsvProblem(line_number, "participant_code", str(exc)))
            continue
        answers = _row_answers(instrument, record, header, line_number, problems)
        if answers is not None:
            rows.append((line_number, NewReturn(wave, code, answers, record.get("serial") or None)))
    if problems:
        raise CsvImportError(str(path), problems)
    return rows


def _row_answers(instrument: Instrument, record: dict[str, str], header: list[str], line: int,
                 problems: list[CsvProblem]) -> dict[str, ans.BankAnswer] | None:
    before = len(problems)
    codes = set(instrument.codes())
    for name in header:  # statements of another wave's instrument must be empty here
        if name in record and name not in codes and name not in REQUIRED + IGNORED + ("serial",) and record[name]:
            problems.append(CsvProblem(line, name, f"not a statement of wave {record['wave']}'s instrument "
                                                   f"({instrument.id} {instrument.version}) but has a value"))
    out: dict[str, ans.BankAnswer] = {}
    for bank in instrument.banks:
        refs = instrument.bank_refs(bank)
        absent = [r.code for r in refs if r.code not in record]
        if absent:
            problems.append(CsvProblem(line, absent[0], f"column missing: every statement of {bank.abbreviation} "
                                                        "needs a column (use M for a missing page)"))
            continue
        values = {}
        for ref in refs:
            raw = record[ref.code].lower()
            if raw in TRUE_WORDS:
                values[ref.running] = True
            elif raw in FALSE_WORDS:
                values[ref.running] = False
            elif raw in MISSING_WORDS:
                values[ref.running] = None
            else:
                problems.append(CsvProblem(line, ref.code, f"{record[ref.code]!r} is not 1, 0, empty or M"))
        if len(values) != len(refs):
            continue
        missing = [n for n, v in values.items() if v is None]
        if missing and len(missing) != len(refs):
            marked_m = next(r.code for r in refs if values[r.running] is None)
            not_m = next(r.code for r in refs if values[r.running] is not None)
            problems.append(CsvProblem(line, not_m, f"M marks {bank.abbreviation}'s page missing (in {marked_m}), "
                                                    f"so every {bank.abbreviation} statement must be M on this row"))
            continue
        out[bank.id] = (ans.BankAnswer.missing() if missing
                        else ans.BankAnswer(True, frozenset(n for n, v in values.items() if v)))
    return out if len(problems) == before else None


def content_id(rows: list[tuple[int, NewReturn]], instruments: dict[str, Instrument]) -> str:
    """What the file says, not how it is written: the same returns in the same order give the same
    id whatever the line endings, column order or spelling of the cells (``1``/``x``/``yes``)."""
    digest = hashlib.sha256()
    for _, row in rows:
        answers = ans.encode(instruments[row.wave], row.answers)
        digest.update(f"{row.wave}\t{row.participant_code}\t{row.serial or ''}\t{answers}\n".encode())
    return "sha256:" + digest.hexdigest()[:32]


def import_returns_csv(study: Study, path: str | Path, *, operator: str, again: bool = False) -> list[int]:
    """Check the whole file, then store every row in one transaction. Returns the new return ids.

    A file is refused when its returns are stored already: when the same content was imported
    before (unless ``again``: the rare genuine case) or when rows carry serials already stored
    (never, since a serial is one paper). Codes alone prove nothing: every teacher at school E is
    E5, so two stored returns with one code are normal."""
    from tui.domain.store import StoreError

    instruments = {w.name: w.instrument for w in study.waves()}
    rows = read_returns_csv(path, instruments)
    marker = content_id(rows, instruments)
    if not again:
        stored, first_at, first_by = study.returns_inserted_with(marker)
        if stored:
            raise CsvImportError(str(path), [CsvProblem(0, "", (
                f"this file's returns were imported already: {stored} of its {len(rows)} returns are stored "
                f"(imported {first_at[:16].replace('T', ' ')} by {first_by}, same content). "
                "If these really are other papers, import again with --again"))])
    taken = study.returns_by_serial(row.serial for _, row in rows if row.serial)
    if taken:
        clashes = [(line, row.serial, taken[key]) for line, row in rows
                   if row.serial and (key := _serial_key(row.serial)) in taken]
        head = CsvProblem(0, "", f"{len(clashes)} of {len(rows)} rows carry a serial already stored "
                                 "(a serial is one paper: already keyed or imported)")
        raise CsvImportError(str(path), [head, *(CsvProblem(line, "serial", f"{serial} is return #{rid} ({code})")
                                                 for line, serial, (rid, code) in clashes)])
    try:
        return study.save_returns([r for _, r in rows], operator=operator,
                                  reason=f"imported from {Path(path).name} ({len(rows)} rows, {marker})")
    except StoreError as exc:
        # The store numbers the returns it was given; point at the file's row instead.
        index, _, message = str(exc).removeprefix("row ").partition(": ")
        line = rows[int(index) - 1][0] if index.isdigit() else 0
        raise CsvImportError(str(path), [CsvProblem(line, "serial" if "serial" in message else "", message)]) \
            from None


def _serial_key(serial: str) -> str:
    from tui.domain.returns import SerialError, make_serial, parse_serial

    try:
        return make_serial(parse_serial(serial))
    except SerialError:
        return serial
