"""Returns as CSV: one row per return, the layout of the wide export, so export -> import round-trips.

Columns: ``wave``, ``participant_code``, optional ``serial``, then one column per statement code
(``JPD A1`` ...) holding ``1`` (highlighted), ``0`` (not highlighted) or ``M`` (that bank's page
missing: every statement of the bank must then be ``M``); ``x``/``yes``/``true`` and
``no``/``false`` are read as 1 and 0. An empty statement cell is refused: a blank in a sheet made by
hand may mean "not highlighted", "not keyed yet" or "page missing", and a file cut short ends in
one. The file must end with a line break, so a file cut inside its last row is refused too.
Columns the wide export adds for convenience (return_id, school, role, role_group, verified) are
accepted and ignored.

The whole file is checked before anything is stored — every bad cell is reported with its row and
column (the first 50, and how many more) — with polars, in batches, so a million rows are checked
in seconds and a few hundred megabytes. tui.domain.store.imports then stores a checked file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument, ParticipantCodeError
from tui.domain.returns import (
    SERIAL_WIDTH,
    WIDE_BASE_COLUMNS,
    SerialError,
    damm_step,
    make_serial,
    parse_serial,
)
from tui.domain.returns import answers as ans

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from tui.domain.instrument import StatementRef
    from tui.domain.store import NewReturn, Study

REQUIRED = ("wave", "participant_code")
# school_name: added beside the letter by an export made with --reveal-school-names; study_label: a
# labelled study's label (SYNTHETIC DEMO) on every row of its exports.
IGNORED = (*(c for c in WIDE_BASE_COLUMNS if c not in ("wave", "participant_code", "serial")), "school_name",
           "study_label")
TRUE_WORDS, FALSE_WORDS, MISSING_WORDS = ("1", "true", "yes", "x"), ("0", "false", "no"), ("m",)
MAX_REPORTED = 50
BATCH_ROWS = 100_000  # rows parsed and checked at a time: bounds the memory a large file needs
EMPTY_CELL = "empty: write 1 (highlighted), 0 (not highlighted) or M (page missing)"
BOM = b"\xef\xbb\xbf"
DAMM_STEPS = {interim * 10 + digit: damm_step(interim, digit) for interim in range(10) for digit in range(10)}

# progress(done, total, what): rows so far, and the phase ("checking", "staging", "publishing").
ImportProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class CsvProblem:
    row: int  # 1 = the header line, as a spreadsheet numbers it; 0 = the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(SurveyDeskError):
    def __init__(self, path: str, problems: list[CsvProblem], more: int = 0):
        self.problems = problems
        shown = "\n".join(f"{path}: {p}" for p in problems[:MAX_REPORTED])
        more += max(0, len(problems) - MAX_REPORTED)
        if len(problems) == 1 and not more:  # one problem, one line
            super().__init__(f"{shown}. Nothing was imported.")
        else:
            tail = f"\n... and {more} more" if more else ""
            super().__init__(f"{shown}{tail}\nNothing was imported.")


class _Problems:
    """The first MAX_REPORTED problems in file order, and a count of the rest."""

    found: list[CsvProblem]

    def __init__(self, path: Path):
        self.path, self.found, self.more = path, [], 0

    def add(self, row: int, column: str, message: str) -> None:
        self.found.append(CsvProblem(row, column, message))

    def raise_if_any(self) -> None:
        if self.found or self.more:
            ordered = sorted(self.found, key=lambda p: (p.row, p.column))
            raise CsvImportError(str(self.path), ordered[:MAX_REPORTED],
                                 self.more + max(0, len(ordered) - MAX_REPORTED))

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_REPORTED * 4


@dataclass(frozen=True)
class CheckedReturns:
    """A file whose every row was checked: the returns as compact rows, ready to store."""

    path: Path
    sha256: str  # of the file's bytes
    # row (the file's row), wave, participant_code, school, role, serial (None if none), answers (encoded)
    rows: pl.DataFrame
    warnings: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return self.rows.height


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


# --- checking a file ---------------------------------------------------------------------------


def check_returns_csv(path: str | Path, instruments: Mapping[str, Instrument], *, study: Study | None = None,
                      progress: ImportProgress | None = None) -> CheckedReturns:
    """Read and check every row against its wave's instrument (and, given the study, every serial
    against the forms it issued and the returns it holds); raise CsvImportError listing problems."""
    import polars as pl

    path = Path(path)
    problems = _Problems(path)
    data = _read(path)
    header, header_rows = _header(path, data, instruments)
    last_row = _structure(data, header, header_rows, problems)
    if data and not data.endswith((b"\n", b"\r")) and last_row > header_rows:
        problems.add(last_row, "", "the file ends inside this row, with no line break after it: it may have been cut "
                                   "short. If the row is complete, end the file with a line break")
    problems.raise_if_any()
    total = max(last_row - header_rows, 0)
    frames = []
    source = pl.scan_csv(io.BytesIO(data), has_header=False, skip_rows=header_rows, infer_schema=False,
                         schema={name: pl.String for name in header}, row_index_name="row",
                         row_index_offset=header_rows + 1, quote_char='"')
    done = 0
    for batch in source.collect_batches(chunk_size=BATCH_ROWS):
        frames.append(_check_batch(batch, header, instruments, problems))
        done += batch.height
        if progress:
            progress(min(done, total), total, "checking")
        if problems.full:  # enough to act on; the rest would only be counted
            break
    problems.raise_if_any()
    rows = pl.concat(frames) if frames else _empty_rows()
    warnings: list[str] = []
    rows = _check_serials(rows, study, problems, warnings)
    problems.raise_if_any()
    return CheckedReturns(path, hashlib.sha256(data).hexdigest(), rows, tuple(warnings))


def read_returns_csv(path: str | Path, instruments: dict[str, Instrument]) -> list[tuple[int, NewReturn]]:
    """Parse and check every row against its wave's instrument; raise CsvImportError listing all
    problems. Returns (file row, return) pairs (for a few rows: a million are stored from the frame)."""
    from tui.domain.store import NewReturn

    checked = check_returns_csv(path, instruments)
    out = []
    for row, wave, code, serial, answers in checked.rows.select(
            "row", "wave", "participant_code", "serial", "answers").iter_rows():
        out.append((row, NewReturn(wave, code, ans.decode(instruments[wave], answers), serial)))
    return out


def content_id(rows: pl.DataFrame) -> str:
    """What the rows say, not how the file wrote them: the same returns in the same order give the
    same id whatever the line endings, column order or spelling of the cells (``1``/``x``/``yes``)."""
    import polars as pl

    if rows.is_empty():
        return "sha256:" + hashlib.sha256(b"").hexdigest()[:32]
    lines = rows.select(pl.concat_str([pl.col("wave"), pl.col("participant_code"), pl.col("serial").fill_null(""),
                                       pl.col("answers")], separator="\t")).to_series()
    text = "\n".join(lines.to_list()) + "\n"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CsvImportError(str(path), [CsvProblem(0, "", "no such file")]) from None
    except IsADirectoryError:
        raise CsvImportError(str(path), [CsvProblem(0, "", "is a folder, not a CSV file")]) from None
    except OSError as exc:
        raise CsvImportError(str(path), [CsvProblem(0, "", f"cannot read: {exc.strerror}")]) from None
    if data.startswith(BOM):  # Excel writes one
        data = data[len(BOM):]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise CsvImportError(str(path), [CsvProblem(0, "", "not UTF-8 text: save the sheet as "
                                                           "'CSV UTF-8 (comma delimited)'")]) from None
    return data


def _header(path: Path, data: bytes, instruments: Mapping[str, Instrument]) -> tuple[list[str], int]:
    """The header's stripped names and how many records it takes (1); refuses a bad header."""
    reader = csv.reader(io.StringIO(data[:1_000_000].decode("utf-8", errors="replace")))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
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
    return header, 1


def _structure(data: bytes, header: list[str], header_rows: int, problems: _Problems) -> int:
    """Every row has as many cells as the header (blank rows are skipped); the number of the last row."""
    import numpy as np

    width = len(header)
    if b'"' not in data:  # one row per line: count the commas of every line at once
        raw = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(raw == ord("\n"))
        if not data.endswith(b"\n"):
            ends = np.append(ends, len(data))
        commas = np.concatenate(([0], np.cumsum(raw == ord(","))))
        starts = np.concatenate(([0], ends[:-1] + 1))
        cells = commas[ends] - commas[starts] + 1
        lengths = ends - starts
        for index in np.flatnonzero(cells != width):
            if index < header_rows:
                continue
            line = data[starts[index]:ends[index]]
            if cells[index] == 1 and not line.strip():
                continue  # a blank row
            problems.add(int(index) + 1, "", f"has {int(cells[index])} cells, the header has {width}")
            if problems.full:
                break
        del lengths
        return len(ends)
    row = 0
    for row, row_cells in enumerate(csv.reader(io.StringIO(data.decode("utf-8"))), start=1):
        if row <= header_rows or not any(c.strip() for c in row_cells) or len(row_cells) == width:
            continue
        problems.add(row, "", f"has {len(row_cells)} cells, the header has {width}")
        if problems.full:
            break
    return row


def _empty_rows() -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema={"row": pl.Int64, "wave": pl.String, "participant_code": pl.String, "school": pl.String,
                                "role": pl.Int64, "serial": pl.String, "answers": pl.String})


def _check_batch(batch: pl.DataFrame, header: list[str], instruments: Mapping[str, Instrument],
                 problems: _Problems) -> pl.DataFrame:
    """Check one batch of rows; the good ones as compact rows (see CheckedReturns.rows)."""
    import polars as pl

    cells = [c for c in header]
    batch = batch.with_columns(pl.col(c).str.strip_chars() for c in cells).with_columns(pl.col("row").cast(pl.Int64))
    batch = batch.filter(pl.any_horizontal(pl.col(c).fill_null("") != "" for c in cells))  # blank rows skipped
    unknown = batch.filter(~pl.col("wave").fill_null("").is_in(list(instruments)))
    for row, wave in unknown.select("row", "wave").head(MAX_REPORTED).iter_rows():
        problems.add(row, "wave", f"no wave named {wave or ''!r} in this study (waves: {', '.join(instruments) or 'none'})")
    problems.more += max(0, unknown.height - MAX_REPORTED)
    out = []
    for wave in batch["wave"].unique(maintain_order=True).to_list():
        if wave in instruments:
            out.append(_check_wave_rows(batch.filter(pl.col("wave") == wave), wave, instruments[wave], header,
                                        problems))
    return pl.concat(out) if out else _empty_rows()


def _check_wave_rows(rows: pl.DataFrame, wave: str, instrument: Instrument, header: list[str],
                     problems: _Problems) -> pl.DataFrame:
    import polars as pl

    key = instrument.key
    codes = rows["participant_code"].fill_null("").str.to_uppercase()
    valid = [f"{school}{role}" for school in key.school_letters for role in key.role_digits]
    bad_code = ~codes.is_in(valid)
    for row, raw in rows.filter(bad_code).select("row", "participant_code").head(MAX_REPORTED).iter_rows():
        try:
            key.parse(raw or "")
            message = f"participant code {raw!r} is not one of this wave's codes"
        except ParticipantCodeError as exc:
            message = str(exc)
        problems.add(row, "participant_code", message)
    problems.more += max(0, int(bad_code.sum()) - MAX_REPORTED)
    rows = rows.with_columns(codes.alias("participant_code"))

    statement_codes = set(instrument.codes())
    others = [name for name in header
              if name not in statement_codes and name not in REQUIRED + IGNORED + ("serial",)]
    for name in others:  # statements of another wave's instrument must be empty here
        filled = rows.filter(pl.col(name).fill_null("") != "")
        for row in filled["row"].head(MAX_REPORTED).to_list():
            problems.add(row, name, f"not a statement of wave {wave}'s instrument ({instrument.id} "
                                    f"{instrument.version}) but has a value")

    tokens = {**{w: 1 for w in TRUE_WORDS}, **{w: 0 for w in FALSE_WORDS}, **{w: 2 for w in MISSING_WORDS}}
    masks, first_row = [], rows["row"].head(1).to_list()
    for bank in instrument.banks:
        refs = instrument.bank_refs(bank)
        absent = [r.code for r in refs if r.code not in header]
        if absent:
            if first_row:
                problems.add(first_row[0], absent[0], f"column missing: every statement of {bank.abbreviation} "
                                                      "needs a column (use M for a missing page)")
            continue
        values = [pl.col(r.code).fill_null("").str.to_lowercase().replace_strict(tokens, default=3, return_dtype=pl.Int8)
                  .alias(r.code) for r in refs]
        coded = rows.select("row", *[pl.col(r.code) for r in refs]).with_columns(
            pl.when(pl.col(r.code).fill_null("") == "").then(pl.lit(4, pl.Int8)).otherwise(v).alias(r.code)
            for r, v in zip(refs, values, strict=True))
        missing_count = pl.sum_horizontal((pl.col(r.code) == 2).cast(pl.Int32) for r in refs)
        bad_cell = pl.any_horizontal(pl.col(r.code) >= 3 for r in refs)
        mixed = (missing_count > 0) & (missing_count < len(refs))
        flagged = coded.filter(bad_cell | mixed)
        if flagged.height:
            raw = rows.filter(pl.col("row").is_in(flagged["row"].head(MAX_REPORTED).implode()))
            _report_cells(flagged.head(MAX_REPORTED), raw, bank.abbreviation, refs, problems)
            problems.more += max(0, flagged.height - MAX_REPORTED)
        mask = pl.sum_horizontal(pl.when(pl.col(r.code) == 1).then(pl.lit(1 << (r.running - 1), pl.Int64))
                                 .otherwise(pl.lit(0, pl.Int64)) for r in refs)
        masks.append(coded.select(pl.when(missing_count == len(refs)).then(pl.lit(ans.MISSING))
                                  .otherwise(mask.cast(pl.String)).alias(bank.id)).to_series())
    if len(masks) != len(instrument.banks):
        return _empty_rows()
    answers = pl.DataFrame(masks).select(pl.concat_str(pl.all(), separator=" ").alias("answers")).to_series()
    serial = pl.col("serial") if "serial" in header else pl.lit(None, pl.String)
    return rows.select(
        "row", pl.lit(wave).alias("wave"), "participant_code",
        pl.col("participant_code").str.slice(0, 1).alias("school"),
        pl.col("participant_code").str.slice(1).cast(pl.Int64, strict=False).alias("role"),
        serial.replace("", None).alias("serial"),
    ).with_columns(answers.alias("answers"))


def _report_cells(flagged: pl.DataFrame, raw: pl.DataFrame, abbreviation: str, refs: Sequence[StatementRef],
                  problems: _Problems) -> None:
    originals = {r[0]: r for r in raw.select("row", *[r.code for r in refs]).iter_rows()}
    for values in flagged.iter_rows():
        row, codes = values[0], values[1:]
        cells = originals[row][1:]
        for ref, code, cell in zip(refs, codes, cells, strict=True):
            if code == 4:
                problems.add(row, ref.code, EMPTY_CELL)
            elif code == 3:
                problems.add(row, ref.code, f"{cell!r} is not 1, 0 or M")
        if not any(c >= 3 for c in codes) and 2 in codes:
            marked_m = next(r.code for r, c in zip(refs, codes, strict=True) if c == 2)
            not_m = next(r.code for r, c in zip(refs, codes, strict=True) if c != 2)
            problems.add(row, not_m, f"M marks {abbreviation}'s page missing (in {marked_m}), so every "
                                     f"{abbreviation} statement must be M on this row")


def _check_serials(rows: pl.DataFrame, study: Study | None, problems: _Problems, warnings: list[str]) -> pl.DataFrame:
    """Serials: well formed (their check digit), once in the file, and, given the study, issued for
    this wave and this code (or school), not returned already. Never issued: imported with a warning."""
    import polars as pl

    given = rows.filter(pl.col("serial").is_not_null())
    if given.is_empty():
        return rows
    # The usual spelling (7 digits) is checked for every row at once; any other ('13', '000 0013')
    # goes through parse_serial, which also says what is wrong with it.
    seven = pl.col("serial").str.contains(r"^[0-9]{7}$")
    interim = pl.lit(0, pl.Int32)
    for k in range(SERIAL_WIDTH + 1):
        digit = pl.col("serial").str.slice(k, 1).cast(pl.Int32, strict=False)
        interim = (interim * 10 + digit).replace_strict(DAMM_STEPS, default=-1, return_dtype=pl.Int32)
    fast = given.with_columns(
        (seven & (interim == 0) & (pl.col("serial").str.slice(0, SERIAL_WIDTH) != "0" * SERIAL_WIDTH)).alias("ok"))
    mapping = {raw: raw for raw in fast.filter(pl.col("ok"))["serial"].unique().to_list()}
    for raw in fast.filter(~pl.col("ok"))["serial"].unique().to_list():
        try:
            mapping[raw] = make_serial(parse_serial(raw))
        except SerialError as exc:
            mapping[raw] = ""
            for row in given.filter(pl.col("serial") == raw)["row"].head(MAX_REPORTED).to_list():
                problems.add(row, "serial", str(exc))
    rows = rows.with_columns(pl.col("serial").replace_strict(mapping, default=None, return_dtype=pl.String)
                             .replace("", None))
    given = rows.filter(pl.col("serial").is_not_null())
    first = given.group_by("serial").agg(pl.col("row").min().alias("first"))
    again = given.join(first, on="serial").filter(pl.col("row") != pl.col("first")).sort("row")
    for row, serial, earlier in again.select("row", "serial", "first").head(MAX_REPORTED).iter_rows():
        problems.add(row, "serial", f"serial {serial} is on row {earlier} too: a serial is one paper")
    if study is None:
        return rows
    issued, returned = study.serial_facts()
    checked = given.join(issued, on="serial", how="left").join(returned, on="serial", how="left")
    stored = checked.filter(pl.col("return_id").is_not_null()).sort("row")
    if stored.height:  # a serial is one paper: these were keyed or imported already
        problems.add(0, "", f"{stored.height} of {rows.height} rows carry a serial already stored (a serial is one "
                            "paper: already keyed or imported)")
        for r in stored.head(MAX_REPORTED).iter_rows(named=True):
            problems.add(r["row"], "serial", f"{r['serial']} is return #{r['return_id']} ({r['returned_code']})")
    wrong_wave = checked.filter(pl.col("issued_wave").is_not_null() & (pl.col("issued_wave") != pl.col("wave")))
    for r in wrong_wave.head(MAX_REPORTED).iter_rows(named=True):
        problems.add(r["row"], "serial", f"serial {r['serial']} was issued for wave {r['issued_wave']}, not {r['wave']}")
    coded = checked.filter(pl.col("issued_code").is_not_null() & (pl.col("issued_code") != pl.col("participant_code")))
    for r in coded.head(MAX_REPORTED).iter_rows(named=True):
        problems.add(r["row"], "serial", f"serial {r['serial']} was issued to participant {r['issued_code']}, not "
                                         f"{r['participant_code']}: check the code written on the form")
    blank = checked.filter(pl.col("issued_wave").is_not_null() & pl.col("issued_code").is_null()
                           & pl.col("issued_school").is_not_null() & (pl.col("issued_school") != pl.col("school")))
    for r in blank.head(MAX_REPORTED).iter_rows(named=True):
        problems.add(r["row"], "serial", f"serial {r['serial']} is a blank form sent to school {r['issued_school']}, "
                                         f"not {r['school']}: check the school written on the form")
    never = checked.filter(pl.col("issued_wave").is_null()).sort("row")
    for r in never.head(MAX_REPORTED).iter_rows(named=True):
        warnings.append(f"row {r['row']}: serial {r['serial']} was never issued by this study (imported and flagged)")
    if never.height > MAX_REPORTED:
        warnings.append(f"... and {never.height - MAX_REPORTED} more rows with serials never issued")
    return rows


def import_returns_csv(study: Study, path: str | Path, *, operator: str, again: bool = False,
                       progress: ImportProgress | None = None, warnings: list[str] | None = None) -> list[int]:
    """Check the whole file, then store every row (tui.domain.store.imports: staged, then published in
    short batches so other stations keep writing). Returns the new return ids; ``warnings`` collects
    what was imported but flagged (serials never issued).

    A file is refused when its returns are stored already: when the same content was imported
    before (unless ``again``: the rare genuine case) or when rows carry serials already stored
    (never, since a serial is one paper). Codes alone prove nothing: every teacher at school E is
    E5, so two stored returns with one code are normal."""
    instruments = {w.name: w.instrument for w in study.waves()}
    checked = check_returns_csv(path, instruments, study=study, progress=progress)
    if not again:
        stored, first_at, first_by = study.returns_imported_with(content_id(checked.rows))
        if stored:
            raise CsvImportError(str(path), [CsvProblem(0, "", (
                f"this file's returns were imported already: {stored} of its {checked.count} returns are stored "
                f"(imported {(first_at or '')[:16].replace('T', ' ')} by {first_by}, same content). "
                "If these really are other papers, import again with --again"))])
    result = study.import_checked(checked, operator=operator, progress=progress)
    if warnings is not None:
        warnings.extend(checked.warnings)
    return result.return_ids
