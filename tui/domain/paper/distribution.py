"""Distribution plans and print batches: how many forms each school office receives, issued
as serials in the study and written as one PDF per school plus the researcher's issue log.

A plan counts coded forms per school x role, plus blank self-coding forms per school (a blank
form carries no participant code; it is recorded against the school whose office receives it).

The store is the record: a batch first issues every serial in one transaction, then writes
the files. If the files cannot be written, the serials stay issued and
:func:`rewrite_batches` writes them again from the store, without issuing anything new.

Files (all inside ``<exports>/<wave>/forms/``)::

    batch-1/forms-2015-batch-1-school-A.pdf   one per school office (coded forms, then its blank forms)
    batch-1/forms-2015-batch-1-blank.pdf      blank forms sent to no particular school
    reprint-2015-0000013-print-2.pdf          a lost form printed again, same serial, marked REPRINT
    issue-log-2015.csv, .pdf                  every form issued in the wave, and every reprint

A batch is the set of forms issued together (one transaction, one timestamp); batches are
numbered 1, 2, ... in the order they were issued in the wave, and the number is in every file's
name, so a later batch of extra forms never overwrites the files of an earlier one. ``<wave>`` is
the wave's name when it is a safe file name, else a cleaned name plus a hash (paths.name_part), and
the folder is claimed for the wave and the study (paths.claim_folder) before a serial is issued, so
no wave's files overwrite another's. Never written anywhere: school names.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import Instrument, ParticipantCodeError, ParticipantKey
from tui.domain.paper.forms_layout import PAPERS, ReturnDetails, plan_form
from tui.domain.paper.forms_pdf import (
    FormCopy,
    FormsResult,
    IssueLogRow,
    blank_forms_name,
    forms_folder,
    issue_log_name,
    output_file,
    refuse_incomplete,
    reprint_name,
    write_forms,
    write_issue_log_csv,
    write_issue_log_pdf,
    write_school_forms,
)
from tui.domain.paper.scan_marks import keep_printed_geometry
from tui.domain.paths import DEFAULT_EXPORTS, claim_folder, wave_folder
from tui.domain.store import AuditAction, AuditEntity, IssuedForm, Study
from tui.domain.store.errors import InputError, NotFoundError

BLANK_COLUMN = "blank"
MAX_FORMS_PER_CELL = 999  # a typo guard: no school office needs a thousand forms of one role
MAX_PROBLEMS = 20  # a plan with more problems than this is probably the wrong file

# progress(done, total, what): forms laid down so far across the batch, and what is being written.
BatchProgress = Callable[[int, int, str], None]


class PlanError(SurveyDeskError):
    """A plan that cannot be used; one line per problem, each naming its row and column."""

    def __init__(self, problems: Sequence[str], source: str = ""):
        self.problems = list(problems)
        head = f"{source}: " if source else ""
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        lines = [head + p for p in shown] + ([f"... and {more} more problems"] if more > 0 else [])
        super().__init__("\n".join(lines))


class BatchFilesError(SurveyDeskError):
    """Serials were issued (the store has them) but their files could not be written."""

    def __init__(self, wave: str, batch: int, forms: Sequence[IssuedForm], cause: BaseException):
        self.wave, self.batch, self.forms, self.cause = wave, batch, tuple(forms), cause
        super().__init__(
            f"{len(forms)} forms were issued in wave {wave}, batch {batch} (serials {serial_ranges(forms)}), "
            f"but their files could not be written: {cause}. The serials stay issued; fix the problem, "
            "then write the files again from the issued serials (nothing new is issued).")


# --- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistributionPlan:
    """How many forms each school office receives.

    ``coded[(school, role)]``: forms printed with that participant code. ``blank[school]``:
    blank self-coding forms for that school's office (``blank[None]``: for no particular school).
    """

    coded: Mapping[tuple[str, int], int] = field(default_factory=dict)
    blank: Mapping[str | None, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.coded.values()) + sum(self.blank.values())

    def count(self, school: str | None, role: int | None) -> int:
        """Forms for one cell of the grid (``role`` None: blank forms; ``school`` None: no school)."""
        if role is None:
            return self.blank.get(school, 0)
        return 0 if school is None else self.coded.get((school, role), 0)

    def school_total(self, school: str | None) -> int:
        return sum(n for (s, _), n in self.coded.items() if s == school) + self.blank.get(school, 0)

    def problems(self, key: ParticipantKey) -> list[str]:
        """What does not fit the wave's participant key (empty: the plan can be issued)."""
        found = []
        letters, digits = key.school_letters, key.role_digits
        for (school, role), n in self.coded.items():
            where = f"school {school}, role {role}"
            if school not in letters:
                found.append(f"{where}: school {school} is not in the key (schools {', '.join(letters)})")
            elif role not in digits:
                found.append(f"{where}: role {role} is not in the key (roles {', '.join(map(str, digits))})")
            found += _count_problems(where, n)
        for blank_school, n in self.blank.items():
            where = f"blank forms for school {blank_school}" if blank_school else "blank forms"
            if blank_school is not None and blank_school not in letters:
                found.append(f"{where}: school {blank_school} is not in the key (schools {', '.join(letters)})")
            found += _count_problems(where, n)
        if not found and self.total == 0:
            found.append("the plan has no forms in it")
        return found

    def forms_for(self, key: ParticipantKey) -> list[str | tuple[str, None] | None]:
        """What ``Study.issue_forms`` takes, school by school in key order, so each school's
        serials run on: its coded forms role by role, then its blank forms."""
        items: list[str | tuple[str, None] | None] = []
        for school in key.school_letters:
            for role in key.role_digits:
                items += [f"{school}{role}"] * self.coded.get((school, role), 0)
            items += [(school, None)] * self.blank.get(school, 0)
        items += [None] * self.blank.get(None, 0)
        return items


def _count_problems(where: str, n: object) -> list[str]:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return [f"{where}: {n!r} is not a number of forms"]
    if n > MAX_FORMS_PER_CELL:
        return [f"{where}: {n} forms is more than {MAX_FORMS_PER_CELL}; check the number"]
    return []


def checked_plan(plan: DistributionPlan, key: ParticipantKey, source: str = "") -> DistributionPlan:
    problems = plan.problems(key)
    if problems:
        raise PlanError(problems, source)
    return plan


def plan_from_codes(text: str, key: ParticipantKey, *, blank: int = 0,
                    blank_school: str | None = None) -> DistributionPlan:
    """A quick plan from codes such as ``A2,A5,E5`` (a code given twice means two forms),
    plus ``blank`` blank forms for ``blank_school`` (None: for no particular school)."""
    coded: dict[tuple[str, int], int] = {}
    problems = []
    items = [item for item in re.split(r"[\s,;]+", text.strip()) if item] if text.strip() else []
    for n, item in enumerate(items, start=1):
        try:
            code = key.parse(item)
        except ParticipantCodeError as exc:
            problems.append(f"code {n} ({item}): {exc}")
            continue
        coded[(code.school, code.role)] = coded.get((code.school, code.role), 0) + 1
    school = blank_school.strip().upper() if blank_school else None
    plan = DistributionPlan(coded, {school: blank} if blank else {})
    if problems:
        raise PlanError(problems)
    return checked_plan(plan, key)


# --- the plan as CSV -------------------------------------------------------------------------


def plan_csv_headings(key: ParticipantKey) -> list[str]:
    return ["school", *map(str, key.role_digits), BLANK_COLUMN]


def read_plan_csv(path: Path | str, key: ParticipantKey) -> DistributionPlan:
    """A plan from a CSV grid: a ``school`` column, one column per role headed by its digit (or
    its label), and optionally a ``blank`` column; one row per school letter; an empty cell is 0.
    Every problem is reported with its row and column; a plan with any problem is refused whole."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanError(["no such file"], str(path)) from None
    except UnicodeDecodeError:
        raise PlanError(["not UTF-8 text; save the plan from your spreadsheet as 'CSV UTF-8'"], str(path)) from None
    except OSError as exc:
        raise PlanError([f"cannot be read: {exc.strerror or exc}"], str(path)) from None
    return parse_plan_csv(text, key, str(path))


def parse_plan_csv(text: str, key: ParticipantKey, source: str = "plan") -> DistributionPlan:
    text = text.removeprefix("\ufeff")  # spreadsheets' "CSV UTF-8" starts with a byte-order mark
    rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        raise PlanError([f"the file is empty; the first row should be {','.join(plan_csv_headings(key))}"], source)
    head_row, headings = rows[0]
    problems: list[str] = []
    columns = _plan_columns([h.strip() for h in headings], key, head_row, problems)
    coded: dict[tuple[str, int], int] = {}
    blank: dict[str | None, int] = {}
    first_row: dict[str, int] = {}
    for n, row in rows[1:]:
        cells = [c.strip() for c in row]
        if len(cells) > len(headings) and any(cells[len(headings):]):
            problems.append(f"row {n}: {len(cells)} cells but only {len(headings)} headings")
        letter = cells[0].upper() if cells else ""
        if letter not in key.school_letters:
            shown = repr(cells[0]) if cells and cells[0] else "empty"
            problems.append(f"row {n}, column 'school': {shown} is not a school letter of the key "
                            f"({', '.join(key.school_letters)})")
            continue
        if letter in first_row:
            problems.append(f"row {n}, column 'school': school {letter} is already on row {first_row[letter]}")
            continue
        first_row[letter] = n
        for index, role in columns.items():
            raw = cells[index] if index < len(cells) else ""
            count = _cell_count(raw, f"row {n}, column '{headings[index].strip()}'", problems)
            if count:
                if role is None:
                    blank[letter] = count
                else:
                    coded[(letter, role)] = count
    plan = DistributionPlan(coded, blank)
    if problems:
        raise PlanError(problems, source)
    if plan.total == 0:
        raise PlanError(["the plan has no forms in it (every count is 0 or empty)"], source)
    return plan


def _plan_columns(headings: list[str], key: ParticipantKey, row: int,
                  problems: list[str]) -> dict[int, int | None]:
    """Column index -> role digit (None for the blank column)."""
    if not headings or headings[0].lower() != "school":
        problems.append(f"row {row}, column 1: the first heading must be 'school', not {headings[0]!r}; "
                        f"expected {','.join(plan_csv_headings(key))}")
    labels = {role.label.strip().lower(): role.digit for role in key.roles}
    columns: dict[int, int | None] = {}
    seen: dict[int | None, int] = {}
    for index, heading in enumerate(headings[1:], start=1):
        if not heading:
            continue
        lowered = heading.lower()
        if lowered == BLANK_COLUMN:
            role: int | None = None
        elif heading.isdigit() and int(heading) in key.role_digits:
            role = int(heading)
        elif lowered in labels:
            role = labels[lowered]
        else:
            problems.append(f"row {row}, column {index + 1} '{heading}': not a role of the key; head a column "
                            f"with a role digit ({', '.join(map(str, key.role_digits))}) or '{BLANK_COLUMN}'")
            continue
        if role in seen:
            problems.append(f"row {row}, column {index + 1} '{heading}': the same column as column {seen[role] + 1}")
            continue
        seen[role] = index
        columns[index] = role
    return columns


def _cell_count(raw: str, where: str, problems: list[str]) -> int:
    if not raw:
        return 0
    if not raw.isdigit() or not raw.isascii():
        problems.append(f"{where}: {raw!r} is not a whole number of forms")
        return 0
    count = int(raw)
    problems += _count_problems(where, count)
    return count if count <= MAX_FORMS_PER_CELL else 0


def plan_csv_text(plan: DistributionPlan, key: ParticipantKey) -> str:
    """The plan as the CSV grid ``read_plan_csv`` reads (every school of the key, zeros as empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(plan_csv_headings(key))
    for school in key.school_letters:
        counts = [plan.count(school, role) for role in (*key.role_digits, None)]
        writer.writerow([school, *(str(n) if n else "" for n in counts)])
    return out.getvalue()


# --- how a wave's forms come back ----------------------------------------------------------------

RETURN_FIELDS = {"return_by": 10, "route": 200, "contact": 200}  # field -> longest text


def wave_returns(study: Study, wave: str) -> ReturnDetails:
    """The wave's return-by date (its closing date unless set), return route and contact."""
    w = study.wave(wave)
    details = study.setting("wave_returns").get(w.name, {})
    return ReturnDetails(details.get("return_by") or w.closes or "", details.get("route", ""),
                         details.get("contact", ""))


def checked_returns(**changes: str | None) -> dict[str, str]:
    """``return_by`` (YYYY-MM-DD), ``route``, ``contact`` as stored (spaces tidied), or InputError."""
    checked = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name not in RETURN_FIELDS:
            raise InputError(f"{name!r} is not one of {', '.join(RETURN_FIELDS)}")
        text = " ".join(value.split())
        if len(text) > RETURN_FIELDS[name]:
            raise InputError(f"the {name.replace('_', ' ')} is longer than {RETURN_FIELDS[name]} characters")
        if name == "return_by" and text:
            try:
                datetime.strptime(text, "%Y-%m-%d")
            except ValueError:
                raise InputError(f"return-by date {text!r} must be a date written YYYY-MM-DD") from None
        checked[name] = text
    return checked


def set_wave_returns(study: Study, wave: str, *, operator: str, **changes: str | None) -> ReturnDetails:
    """Set any of ``return_by`` (YYYY-MM-DD), ``route`` and ``contact`` for the wave's covers (audited)."""
    checked = checked_returns(**changes)
    w = study.wave(wave)
    every = dict(study.setting("wave_returns"))
    every[w.name] = {**every.get(w.name, {}), **checked}
    if checked:
        study.set_setting("wave_returns", every, operator=operator)
    return wave_returns(study, wave)


def missing_returns_warning(study: Study, wave: str) -> str | None:
    """A line saying what the wave's covers will not tell respondents (None when nothing is missing)."""
    missing = wave_returns(study, wave).missing()
    if not missing:
        return None
    listed = " or ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    return (f"warning: wave {wave} has no {listed} for the cover; set them with "
            f"`surveydesk wave set {wave} --return-by YYYY-MM-DD --return-to TEXT --contact TEXT`")


# --- batches -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolFile:
    """One school office's PDF in a batch (``school`` None: blank forms for no particular school)."""

    school: str | None
    forms: tuple[IssuedForm, ...]
    path: Path
    pages: int

    @property
    def coded(self) -> int:
        return sum(1 for f in self.forms if f.participant_code)

    @property
    def blank(self) -> int:
        return len(self.forms) - self.coded

    @property
    def serials(self) -> str:
        return serial_ranges(self.forms)


@dataclass(frozen=True)
class BatchFiles:
    wave: str
    batch: int
    folder: Path
    files: tuple[SchoolFile, ...]

    @property
    def forms(self) -> tuple[IssuedForm, ...]:
        return tuple(f for school in self.files for f in school.forms)


@dataclass(frozen=True)
class BatchResult:
    """A batch that was issued and written."""

    files: BatchFiles
    issue_log: tuple[Path, Path]  # CSV, PDF

    @property
    def wave(self) -> str:
        return self.files.wave

    @property
    def batch(self) -> int:
        return self.files.batch

    @property
    def forms(self) -> tuple[IssuedForm, ...]:
        return self.files.forms


@dataclass(frozen=True)
class ReprintResult:
    form: IssuedForm  # as the store has it now (print_count counted)
    path: Path
    pages: int
    issue_log: tuple[Path, Path]

    @property
    def message(self) -> str:
        code = self.form.participant_code or "blank self-coding form"
        school = f", school {self.form.school}" if self.form.school else ""
        return (f"REPRINT of serial {self.form.serial} ({code}{school}, wave {self.form.wave}): same serial, "
                f"printed {self.form.print_count} times now")


def paper_name(text: str) -> str:
    """'a4', 'Letter' -> the paper names the PDF engine knows ('A4', 'letter')."""
    for name in PAPERS:
        if text.strip().lower() == name.lower():
            return name
    raise InputError(f"paper {text!r} is not known; use {' or '.join(PAPERS)}")


def batch_folder(exports: Path | str, wave: str, batch: int) -> Path:
    return output_file(forms_folder(exports, wave), f"batch-{batch}")


def serial_ranges(forms: Iterable[IssuedForm]) -> str:
    """'0000013-0000052, 0000061' : runs of consecutive serials."""
    numbers = sorted((f.number, f.serial) for f in forms)
    runs: list[list[tuple[int, str]]] = []
    for number, serial in numbers:
        if runs and runs[-1][-1][0] == number - 1:
            runs[-1].append((number, serial))
        else:
            runs.append([(number, serial)])
    return ", ".join(run[0][1] if len(run) == 1 else f"{run[0][1]}-{run[-1][1]}" for run in runs)


def batches_of(forms: Iterable[IssuedForm]) -> list[list[IssuedForm]]:
    """A wave's issued forms grouped into the batches they were issued in (one transaction each,
    so one timestamp and consecutive numbers), oldest first."""
    groups: dict[tuple[str, str], list[IssuedForm]] = {}
    for form in sorted(forms, key=lambda f: f.number):
        groups.setdefault((form.printed_at, form.printed_by), []).append(form)
    return sorted(groups.values(), key=lambda group: group[0].number)


# Who keeps the geometry of forms written again from the store (no one issues anything then).
SYSTEM_PRINTER = "print"


def issue_batch(study: Study, wave: str, plan: DistributionPlan, *, operator: str,
                exports: Path | str = DEFAULT_EXPORTS, paper: str = "A4",
                progress: BatchProgress | None = None) -> BatchResult:
    """Issue the plan's forms (one transaction), write one PDF per school and the issue log.

    Everything that can be checked is checked before a serial is issued: that no statement of
    the wave's instrument is marked incomplete, the plan against the wave's participant key, the
    paper, the output folder, and that the wave's instrument (with its cover's return details) can
    be laid out on paper. If the files then fail, BatchFilesError says which serials stay issued.
    """
    w = study.wave(wave)
    instrument = w.instrument
    refuse_incomplete(instrument)
    checked_plan(plan, instrument.key)
    paper = paper_name(paper)
    claim_wave_folder(study, exports, wave)
    folder = forms_folder(exports, wave)
    folder.mkdir(parents=True, exist_ok=True)
    returns = wave_returns(study, wave)
    variants = {blank for blank, counts in ((False, plan.coded), (True, plan.blank)) if any(counts.values())}
    for blank in variants:
        plan_form(instrument, paper=paper, blank=blank, returns=returns)  # FormLayoutError names the place
    issued = study.issue_forms(wave, plan.forms_for(instrument.key), operator=operator)
    keep_printed_geometry(study, wave, instrument, paper=paper, blanks=variants, operator=operator)
    batch = _batch_number(study.issued_forms(wave), issued[0])
    try:
        files = write_batch_files(instrument, wave, batch, issued, exports=exports, paper=paper,
                                  progress=progress, returns=returns)
        if progress:
            progress(len(issued), len(issued), "issue log")
        log = write_issue_log(study, wave, exports=exports, paper=paper)
    except (OSError, SurveyDeskError) as exc:
        raise BatchFilesError(wave, batch, issued, exc) from exc
    return BatchResult(files, log)


def claim_wave_folder(study: Study, exports: Path | str, wave: str) -> Path:
    """``exports/<wave>``, refused (OutputClashError) if it holds another wave's or study's files."""
    return claim_folder(wave_folder(exports, wave), wave, study.study_id, study.file_name)


def _batch_number(wave_forms: list[IssuedForm], first: IssuedForm) -> int:
    for number, group in enumerate(batches_of(wave_forms), start=1):
        if any(f.serial == first.serial for f in group):
            return number
    raise NotFoundError(f"serial {first.serial} is not among the forms of wave {first.wave}")  # pragma: no cover


def write_batch_files(instrument: Instrument, wave: str, batch: int, forms: Sequence[IssuedForm], *,
                      exports: Path | str = DEFAULT_EXPORTS, paper: str = "A4",
                      progress: BatchProgress | None = None, returns: ReturnDetails | None = None) -> BatchFiles:
    """One PDF per school office for these issued forms (and one for blank forms sent to no school)."""
    folder = batch_folder(exports, wave, batch)
    by_school: dict[str | None, list[IssuedForm]] = {}
    for form in sorted(forms, key=lambda f: f.number):
        by_school.setdefault(form.school, []).append(form)
    schools = sorted(s for s in by_school if s is not None)
    total = len(forms)
    offsets: list[tuple[int, str]] = []
    done = 0
    for school in schools:
        offsets.append((done, f"school {school}"))
        done += len(by_school[school])

    def school_progress(k: int, _n: int) -> None:
        if progress:
            what = next(label for start, label in reversed(offsets) if k > start) if offsets else ""
            progress(k, total, what)

    def copies(group: list[IssuedForm]) -> list[FormCopy]:
        return [form_copy(f) for f in group]

    written: list[SchoolFile] = []
    if schools:
        results = write_school_forms(instrument, {s: copies(by_school[s]) for s in schools}, folder,
                                     wave=wave, paper=paper, progress=school_progress, batch=batch,
                                     returns=returns)
        written += [_school_file(s, by_school[s], results[s]) for s in schools]
    loose = by_school.get(None)
    if loose:
        start = total - len(loose)
        result = write_forms(instrument, copies(loose), output_file(folder, blank_forms_name(wave, batch)), paper=paper,
                             title=f"{instrument.title} {instrument.version}: blank forms, wave {wave}",
                             returns=returns,
                             progress=(lambda k, _n: progress(start + k, total, "blank forms")) if progress else None)
        written.append(_school_file(None, loose, result))
    return BatchFiles(wave, batch, folder, tuple(written))


def form_copy(form: IssuedForm, *, reprint: bool = False) -> FormCopy:
    """An issued form as printed: a blank one carries its school's letter when it went to one."""
    return FormCopy(form.participant_code, form.serial, form.wave, reprint,
                    form.school if form.participant_code is None else None)


def _school_file(school: str | None, forms: list[IssuedForm], result: FormsResult) -> SchoolFile:
    return SchoolFile(school, tuple(forms), result.path, result.pages)


def rewrite_batches(study: Study, wave: str, *, exports: Path | str = DEFAULT_EXPORTS, paper: str = "A4",
                    batch: int | None = None, progress: BatchProgress | None = None
                    ) -> tuple[list[BatchFiles], tuple[Path, Path]]:
    """Write the files of forms already issued in the wave again (all batches, or one), from the
    store: the same serials, nothing issued, not counted as reprints. For files that failed to
    write, or were lost before they were printed."""
    w = study.wave(wave)
    paper = paper_name(paper)
    claim_wave_folder(study, exports, wave)
    groups = batches_of(study.issued_forms(wave))
    if not groups:
        raise NotFoundError(f"no forms have been issued in wave {wave} yet")
    if batch is not None and not 1 <= batch <= len(groups):
        raise NotFoundError(f"wave {wave} has batches 1-{len(groups)}, not batch {batch}")
    chosen = [(n, g) for n, g in enumerate(groups, start=1) if batch is None or n == batch]
    total = sum(len(g) for _, g in chosen)
    written = []
    done = 0
    for number, group in chosen:
        offset = done

        def step(k: int, _n: int, what: str, offset: int = offset, number: int = number) -> None:
            if progress:
                progress(offset + k, total, f"batch {number}, {what}")

        written.append(write_batch_files(w.instrument, wave, number, group, exports=exports, paper=paper,
                                         progress=step, returns=wave_returns(study, wave)))
        keep_printed_geometry(study, wave, w.instrument, paper=paper, operator=SYSTEM_PRINTER,
                              blanks={f.participant_code is None for f in group})
        done += len(group)
    return written, write_issue_log(study, wave, exports=exports, paper=paper)


def reprint_form(study: Study, wave: str, serial: str, *, operator: str, exports: Path | str = DEFAULT_EXPORTS,
                 paper: str = "A4") -> ReprintResult:
    """Print a lost form again with the same serial, marked REPRINT, and count it in the store.

    The file is written first and the reprint recorded after, so a reprint is counted only if
    its file exists; if recording fails, the file is removed again.
    """
    form = study.issued_form(serial)  # raises InputError for a mistyped serial
    if form is None:
        raise NotFoundError(f"serial {serial.strip()} was never issued; a reprint re-uses an issued serial")
    if form.wave != wave:
        raise InputError(f"serial {form.serial} was issued for wave {form.wave}, not {wave}")
    paper = paper_name(paper)
    instrument = study.wave(wave).instrument
    claim_wave_folder(study, exports, wave)
    target = output_file(forms_folder(exports, wave), reprint_name(wave, form.serial, form.print_count + 1))
    result = write_forms(instrument, [form_copy(form, reprint=True)], target, paper=paper,
                         returns=wave_returns(study, wave),
                         title=f"{instrument.title} {instrument.version}: reprint, wave {wave}")
    try:
        counted = study.record_reprint(form.serial, operator=operator)
        keep_printed_geometry(study, wave, instrument, paper=paper, blanks=[form.participant_code is None],
                              operator=operator)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return ReprintResult(counted, result.path, result.pages, write_issue_log(study, wave, exports=exports,
                                                                             paper=paper))


# --- the issue log -----------------------------------------------------------------------------


def issue_log_rows(study: Study, wave: str) -> list[IssueLogRow]:
    """Every form issued in the wave, and every reprint of one (from the audit trail), by serial."""
    rows = [IssueLogRow(f.serial, f.participant_code, f.school, wave, shown_time(f.printed_at))
            for f in study.issued_forms(wave)]
    by_serial = {row.serial: row for row in rows}
    for entry in study.audit(wave=wave, entity=AuditEntity.ISSUED_FORM, action=AuditAction.REPRINT):
        first = by_serial.get(entry.entity_key)
        if first is not None:
            rows.append(IssueLogRow(first.serial, first.participant_code, first.school, wave,
                                    shown_time(entry.at), reprint=True))
    return sorted(rows, key=lambda r: (r.serial, r.reprint, str(r.printed_at)))


def write_issue_log(study: Study, wave: str, *, exports: Path | str = DEFAULT_EXPORTS,
                    paper: str = "A4") -> tuple[Path, Path]:
    """``issue-log-<wave>.csv`` and ``.pdf``: serial, code and school letter, never a school name."""
    rows = issue_log_rows(study, wave)
    claim_wave_folder(study, exports, wave)
    folder = forms_folder(exports, wave)
    csv_path = write_issue_log_csv(rows, output_file(folder, issue_log_name(wave, "csv")))
    pdf_path = write_issue_log_pdf(rows, output_file(folder, issue_log_name(wave, "pdf")),
                                   title=f"Issue log: wave {wave}", paper=paper_name(paper))
    return csv_path, pdf_path


def shown_time(at: str) -> str:
    """'2015-01-06T10:04:31.123Z' -> '2015-01-06 10:04 UTC' (the store keeps UTC)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.strftime("%Y-%m-%d %H:%M UTC")
