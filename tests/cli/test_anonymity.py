"""Anonymity review: every output SurveyDesk can write, checked for school names and small groups.

The demo study (``surveydesk demo``) is built with its secret key twice over: school names in the study's key
(``surveydesk key set``) and in the instrument's key, so each wave's frozen instrument carries
them too. Then every command that writes or prints something runs: export (every table; CSV,
Parquet, Excel, README, metadata), report (PDF), tables (screen and CSV), print (school batches,
issue log, extra codes, blank forms, a reprint, the files again, a specimen), audit, status,
operators, settings, wave list, show, validate and diff. Each file's text (PDF text and metadata,
every part of an .xlsx, Parquet values and metadata, CSV/JSON/TXT as they are) and all of standard
output and error are searched for every school name, as a whole word, ignoring case. None may
appear: ``--reveal-school-names`` is the only way to write them (and it does), and
``surveydesk key list`` is the key itself, shown on the researcher's terminal.

Small cells: group sizes are recomputed from the returns in the study (a group's n for a bank is
its returns whose page for that bank came back). In every protected table (statements, stage
profile, comparison; in CSV, Parquet, Excel and ``surveydesk tables``) and in the report's tables,
a group with n < k shows no count, percentage or interval; and no table equation (a total and the
groups it splits into) has exactly one hidden figure, so none can be recovered by subtraction
(tui/domain/analysis/disclosure.py). Response rates (counts of returned forms, no answers) and the
record-level raw returns are outside the rule by design; the export's README says so.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import zipfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from pypdf import PdfReader

from tests.cli_runner import surveydesk
from tui.domain.demo import SCHOOL_NAMES
from tui.domain.instrument import bundled_instrument_path, load_instrument, save_instrument
from tui.domain.store import Study

K = 5  # the demo study's min_cell (the default)
NAME_PATTERN = re.compile(
    "|".join(rf"\b{re.escape(part)}\b" for name in SCHOOL_NAMES.values()
             for part in (name, name.split()[0])), re.IGNORECASE)
GROUP_KEYS = ("school", "role_group", "role")


# Every test here reads the outputs of every command, written once (about a minute): not in the fast lane.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Build the demo study and run every command that writes or prints; returns what came out."""
    work = tmp_path_factory.mktemp("anonymity")
    bundled = load_instrument(bundled_instrument_path())
    schools = tuple(replace(s, name=SCHOOL_NAMES[s.letter]) for s in bundled.key.schools)
    named = replace(bundled, key=replace(bundled.key, schools=schools))
    named_path = work / "named.toml"
    save_instrument(named, named_path)
    study_path = work / "demo.db"
    (work / "plan.csv").write_text("school,1,2,3,4,5,blank\nA,1,1,1,1,2,1\nE,0,1,0,1,1,0\n", encoding="utf-8")
    out = work / "exports"
    study = ["--study", str(study_path)]
    runs = {
        "demo": [*study, "--instrument", str(named_path), "demo", "--no-open"],
        "export": [*study, "export", "--wave", "2015", "--compare-with", "2014", "--by", "school,role_group",
                   "--out", str(out)],
        "export-roles": [*study, "export", "--wave", "2014", "--by", "school,role", "--folder", "roles",
                         "--out", str(out)],
        "report": [*study, "report", "--wave", "2015", "--compare-with", "2014", "--by", "school,role_group",
                   "--out", str(out)],
        "report-roles": [*study, "report", "--wave", "2014", "--by", "school,role", "--folder", "roles",
                         "--out", str(out)],
        "tables": [*study, "tables", "--wave", "2015", "--by", "school,role_group"],
        "tables-csv": [*study, "tables", "--wave", "2014", "--by", "school,role", "--csv"],
        "print-check": [*study, "print", "--wave", "2015", "--plan", str(work / "plan.csv"), "--check",
                        "--operator", "RS"],
        "print-plan": [*study, "print", "--wave", "2015", "--plan", str(work / "plan.csv"), "--out", str(out),
                       "--operator", "RS"],
        "print-codes": [*study, "print", "--wave", "2015", "--codes", "A2,E5", "--out", str(out), "--operator", "RS"],
        "print-blank": [*study, "print", "--wave", "2015", "--blank", "3", "--school", "C", "--out", str(out),
                        "--operator", "RS"],
        "print-again": [*study, "print", "--wave", "2015", "--again", "--out", str(out), "--operator", "RS"],
        "print-sample": [*study, "print", "--sample", "--out", str(out)],
        "audit": [*study, "audit"],
        "audit-verify": [*study, "audit", "--verify"],
        "status": [*study, "status"],
        "operators": [*study, "operators"],
        "settings": [*study, "settings"],
        "wave-list": [*study, "wave", "list"],
        "show": ["show", str(named_path)],
        "show-bundled": ["show"],
        "validate": ["validate", str(named_path)],
        "diff": ["diff", str(bundled_instrument_path()), str(named_path)],
    }
    with contextlib.chdir(work):  # anything written to the working folder (a log) is found too
        printed = {name: run(argv) for name, argv in runs.items()}
        with Study.open(study_path) as opened:
            serial = opened.issued_forms("2015")[0].serial
        printed["print-reprint"] = run([*study, "print", "--wave", "2015", "--reprint", serial, "--out", str(out),
                                        "--operator", "RS"])
    files = sorted(p for p in work.rglob("*") if p.is_file() and not p.name.startswith("demo.db")
                   and p not in (named_path, work / "plan.csv"))
    # Only now, the researcher's explicit requests for names (into folders of their own).
    revealed = {
        "key-list": run([*study, "key", "list"]),
        "export-revealed": run([*study, "export", "--wave", "2015", "--by", "school", "--folder", "revealed",
                                "--reveal-school-names", "--out", str(out)]),
        "report-revealed": run([*study, "report", "--wave", "2015", "--by", "school", "--folder", "revealed",
                                "--reveal-school-names", "--out", str(out)]),
    }
    with Study.open(study_path) as opened:
        sizes = {wave: group_sizes(opened, wave) for wave in ("2014", "2015")}
    return {"printed": printed, "files": files, "revealed": revealed, "out": out, "sizes": sizes, "study": study_path}


def run(argv: list[str]) -> str:
    result = surveydesk(*argv)
    return result.stdout + result.stderr


# --- reading every kind of file as text ---------------------------------------------------------------


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        return "\n".join([*(page.extract_text() for page in reader.pages), *map(str, (reader.metadata or {}).values())])
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:  # every part: cells, sheet names, document properties
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        frame = pl.read_parquet(path)
        metadata = pq.read_metadata(path).metadata or {}
        return "\n".join([*frame.columns, *(str(v) for column in frame.iter_columns() for v in column.to_list()),
                          *(k.decode() + v.decode("utf-8", "replace") for k, v in metadata.items())])
    if path.suffix in (".sav", ".dta"):
        import pyreadstat

        read = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        frame, meta = read(str(path), output_format="polars")
        return "\n".join([frame.write_csv(), meta.file_label or "", *map(str, meta.column_labels),
                          str(meta.variable_value_labels)])
    return path.read_text(encoding="utf-8", errors="replace")


def names_in(text: str) -> list[str]:
    return sorted({m.group(0) for m in NAME_PATTERN.finditer(text)})


# --- school names ---------------------------------------------------------------------------------------


def test_every_kind_of_output_was_written(outputs):
    suffixes = {p.suffix for p in outputs["files"]}
    assert {".csv", ".parquet", ".xlsx", ".pdf", ".txt", ".json", ".md", ".sav", ".dta"} <= suffixes, suffixes
    folders = {p.parent.name for p in outputs["files"]}
    assert {"2015", "roles", "forms"} <= folders, folders


def test_no_file_names_a_school(outputs):
    leaks = {str(p.relative_to(outputs["out"].parent)): names_in(text_of(p)) for p in outputs["files"]}
    assert not {path: found for path, found in leaks.items() if found}


def test_no_command_prints_a_school_name(outputs):
    leaks = {name: names_in(text) for name, text in outputs["printed"].items()}
    assert not {name: found for name, found in leaks.items() if found}


def test_reveal_school_names_is_the_explicit_way_and_it_works(outputs):
    """The search can fail: the names are found where the researcher asked for them."""
    revealed = [p for name in ("revealed", "revealed-research") for p in (outputs["out"] / name).iterdir()]
    for suffix in (".csv", ".parquet", ".xlsx", ".pdf", ".sav", ".dta"):
        found = {m for p in revealed if p.suffix == suffix for m in names_in(text_of(p))}
        assert {name.split()[0] for name in SCHOOL_NAMES.values()} <= found, (suffix, found)
    assert "revealed at the researcher's request" in (outputs["out"] / "revealed" / "README.txt").read_text()
    assert len(names_in(outputs["revealed"]["key-list"])) >= len(SCHOOL_NAMES)


# --- small cells ------------------------------------------------------------------------------------------


def group_sizes(study: Study, wave: str) -> dict[tuple, int]:
    """(school, role_group, role, bank abbreviation) -> returns with that bank's page; None = any."""
    w = study.wave(wave)
    wide = study.returns_wide(wave)
    sizes: dict[tuple, int] = defaultdict(int)
    for school, role_group, role in wide.select("school", "role_group", "role").iter_rows():
        for key in ((None, None, None), (school, None, None), (None, role_group, None), (None, role_group, role),
                    (school, role_group, None), (school, role_group, role)):
            sizes[(*key, "returns")] += 1
    for bank in w.instrument.banks:
        first = next(r.code for r in w.instrument.bank_refs(bank))
        for row in wide.select("school", "role_group", "role", first).iter_rows():
            if row[3] is None:  # page missing
                continue
            school, role_group, role = row[:3]
            for key in ((None, None, None), (school, None, None), (None, role_group, None), (None, role_group, role),
                        (school, role_group, None), (school, role_group, role)):
                sizes[(*key, bank.abbreviation)] += 1
    return sizes


def true_n(sizes: dict[tuple, int], row: dict, bank: str) -> int:
    return sizes.get((row["school"], row["role_group"], row["role"], bank), 0)


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Excel hands back empty cells as nulls of any type, and roles as floats: make them comparable."""
    casts = [pl.col(c).cast(pl.String) for c in ("school", "role_group") if c in frame.columns]
    if "role" in frame.columns:
        casts.append(pl.col("role").cast(pl.Float64).cast(pl.Int64))
    return frame.with_columns(casts)


def check_statements(table: pl.DataFrame, sizes: dict[tuple, int], where: str) -> None:
    """Every group under k shows no size and no figure; every shown size is the true one."""
    table = normalise(table)
    for row in table.iter_rows(named=True):
        n = true_n(sizes, row, row["bank"])
        returned = sizes.get((row["school"], row["role_group"], row["role"], "returns"), 0)
        assert row["n"] in (n, None), f"{where}: {row['group']} {row['code']} says n={row['n']}, the returns say {n}"
        hidden = all(row[c] is None for c in ("highlighted", "percent", "ci_low", "ci_high"))
        if n < K or returned < K:
            assert hidden, f"{where}: {row['group']} (n={n} < {K}) shows {row['code']}: {row['percent']}"
        if returned < K:
            assert row["n"] is None, f"{where}: {row['group']} ({returned} returns < {K}) shows its size"


def check_stage_profile(profile: pl.DataFrame, statements: pl.DataFrame, sizes: dict[tuple, int], where: str) -> None:
    profile, statements = normalise(profile), normalise(statements)
    any_hidden = {(tuple(r[k] for k in GROUP_KEYS), r["bank"]) for r in statements.iter_rows(named=True)
                  if r["percent"] is None}
    for row in profile.iter_rows(named=True):
        means = [row[c] for c in row if c.startswith("mean_")]
        group = tuple(row[k] for k in GROUP_KEYS)
        if true_n(sizes, row, row["bank"]) < K or (group, row["bank"]) in any_hidden:
            # A section mean of a hidden group would give its figures back (AA A has one statement).
            assert all(m is None for m in means) and row["stage_section"] is None, \
                f"{where}: stage profile of {row['group']} {row['bank']} shows {means}"


def check_comparison(table: pl.DataFrame, sizes_first: dict, sizes_second: dict, where: str) -> None:
    table = normalise(table)
    for row in table.iter_rows(named=True):
        for side, sizes in (("first", sizes_first), ("second", sizes_second)):
            if row[f"code_{side}"] is None:
                continue  # the statement is not in that wave's instrument
            n = true_n(sizes, row, row["bank"])
            assert row[f"n_{side}"] in (n, None), f"{where}: {row['group']} n_{side}"
            if n < K:
                shown = [c for c in (f"highlighted_{side}", f"percent_{side}", "change", "change_ci_low",
                                     "change_ci_high") if row[c] is not None]
                assert not shown, f"{where}: {row['group']} {row['code_second']} (n={n}) shows {shown}"


def export_tables(folder: Path, wave: str) -> dict[str, dict[str, pl.DataFrame]]:
    """Each table of an export as CSV, Parquet and Excel sheet."""
    found: dict[str, dict[str, pl.DataFrame]] = defaultdict(dict)
    for name in ("statements", "stage-profile", "comparison"):
        csv = folder / f"{name}-{wave}.csv"
        if csv.exists():
            found[name]["csv"] = pl.read_csv(csv, infer_schema_length=None)
            found[name]["parquet"] = pl.read_parquet(folder / f"{name}-{wave}.parquet")
    book = pl.read_excel(folder / f"surveydesk-{wave}.xlsx", sheet_id=0)
    for sheet, frame in book.items():
        name = sheet.replace(" ", "-")
        if name in found:
            found[name]["xlsx"] = frame
    return found


@pytest.mark.parametrize(("folder", "wave", "previous"), [("2015", "2015", "2014"), ("roles", "2014", None)])
def test_exported_tables_hide_every_group_below_k(outputs, folder, wave, previous):
    tables = export_tables(outputs["out"] / folder, wave)
    sizes = outputs["sizes"]
    assert set(tables["statements"]) == {"csv", "parquet", "xlsx"}
    for kind, statements in tables["statements"].items():
        check_statements(statements, sizes[wave], f"{folder}/statements.{kind}")
        check_stage_profile(tables["stage-profile"][kind], statements, sizes[wave], f"{folder}/stage-profile.{kind}")
    if previous:
        assert set(tables["comparison"]) == {"csv", "parquet", "xlsx"}
        for kind, comparison in tables["comparison"].items():
            check_comparison(comparison, sizes[previous], sizes[wave], f"{folder}/comparison.{kind}")
    # The demo has groups below k at this grouping and figures hidden only to protect another group:
    # the checks above had something to check.
    reasons = set(tables["statements"]["csv"]["suppression"].to_list())
    assert {"n withheld", "secondary"} <= reasons, reasons


@pytest.mark.parametrize("wave", ["2014", "2015"])
def test_no_withheld_figure_can_be_worked_out_from_everything_released(outputs, wave):
    """Every released table of the wave, from every output, set against each other by an
    independent LP (tests/disclosure_oracle.py): no withheld figure is pinned to one value."""
    out = outputs["out"]
    frames = [pl.read_csv(p, infer_schema_length=None) for p in out.rglob(f"statements-{wave}.csv")]
    if wave == "2014":
        frames.append(pl.read_csv(io.StringIO(outputs["printed"]["tables-csv"]), infer_schema_length=None))
    columns = ["grouping", "group", "school", "role_group", "role", "bank", "code", "n", "highlighted"]
    statements = pl.concat([normalise(f).select(columns) for f in frames]).unique(
        ["grouping", "group", "code"], maintain_order=True)
    rates = [normalise(pl.read_csv(p, infer_schema_length=None)) for p in out.rglob(f"response-rates-{wave}.csv")]
    assert len(frames) >= 2 and rates
    with Study.open(outputs["study"]) as study:
        instrument = study.wave(wave).instrument
        wide = study.returns_wide(wave)
    from tests.disclosure_oracle import leaks, true_sizes

    found = leaks(instrument, statements, rates[0].select("grouping", "group", "school", "role_group", "role",
                                                          "returned"), true_sizes(instrument, wide, statements))
    assert not found, found[:5]


def test_tables_command_hides_every_group_below_k(outputs):
    csv = pl.read_csv(io.StringIO(outputs["printed"]["tables-csv"]), infer_schema_length=None)
    check_statements(csv, outputs["sizes"]["2014"], "tables --csv")
    # The table on screen: Group │ Code │ n │ Highlighted │ % │ 95% interval │ Statement
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in outputs["printed"]["tables"].splitlines()
            if line.startswith("│")]
    small = [r for r in rows if r[2] == "supp." or (r[2].isdigit() and int(r[2]) < K)]
    assert small, "the demo has groups below k at this grouping"
    for group, code, _n, highlighted, percent, interval, _text in small:
        assert not re.search(r"\d", highlighted + percent + interval), f"tables: {group} {code} shows figures"


# --- the report's tables ------------------------------------------------------------------------------------

CODE_LINE = re.compile(r"^(JPD|HSC|CMP|E&C|AA) [A-D]\d+\*?$")
VALUE_LINE = re.compile(r"^(supp\.|[+-]?\d+( \(\d+–\d+\))?|[+-]\d+ \([+-]\d+ to [+-]\d+\)|–|—)$")


def report_rows(text: str, groups: set[str], comparison: bool) -> list[tuple[list[tuple[str, str | None]], str,
                                                                         list[str]]]:
    """(columns as (group, wave), code, values) for every statement row of the report's tables.

    Two layouts: a comparison report has a table per bank and group, titled "Table N Bank title, group:
    wave 2014 and 2015", with each wave's count and percent, then the change; other tables (a one-wave
    report's, and a comparison's for school × role group cells) have a column per group, headed
    "Group (n=N)" or "Group (n supp.)" (a label may wrap over lines)."""
    def compared(group: str) -> list[tuple[str, str | None]]:
        return [(group, "first"), (group, "first"), (group, "second"), (group, "second"), (group, "change")]

    lines = text.splitlines()
    rows, columns = [], []
    table_wave = None
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        title = re.match(r"^Table \d+ .+, (.+): wave \S+ and \S+( \(continued\))?$", line)
        if title and comparison:
            columns = compared(title.group(1)) if title.group(1) in groups else []
        elif line.startswith("Table "):
            columns = []  # another table: its columns come from its header, its wave from its title
            shown = re.search(r"wave (\S+): percent", " ".join(x.strip() for x in lines[i:i + 3]))
            table_wave = shown.group(1) if shown else None
        elif line in ("Statement", "No."):
            header = []
            while i + 1 < len(lines) and not CODE_LINE.match(lines[i + 1].strip()) \
                    and lines[i + 1].strip() not in ("Statement", "No."):
                header.append(lines[i + 1].strip())
                i += 1
            # A group whose size the release withholds is headed "Group (n supp.)".
            found = re.findall(r"\s*(.+?) \(n(?:=\d+| supp\.)\)", " ".join(header))
            if found:
                columns = [(group, f"wave {table_wave}" if comparison and table_wave else None) for group in found]
        elif CODE_LINE.match(line) and columns:
            # code, the running number, (the statement's lines), then the values
            j = i + 1
            while j < len(lines) and not VALUE_LINE.match(lines[j].strip()):
                j += 1
            values = []
            while j < len(lines) and VALUE_LINE.match(lines[j].strip()) and len(values) < len(columns):
                values.append(lines[j].strip())
                j += 1
            rows.append((columns, line, values))
        i += 1
    return rows


@pytest.mark.parametrize(("pdf", "csv", "waves"), [
    ("2015/report-2014-2015.pdf", "2015/comparison-2015.csv", ("2014", "2015")),
    ("roles/report-2014.pdf", "roles/statements-2014.csv", ("2014",)),
])
def test_report_hides_every_group_below_k(outputs, pdf, csv, waves):
    out, sizes = outputs["out"], outputs["sizes"]
    table = normalise(pl.read_csv(out / csv, infer_schema_length=None))
    key_of = {r["group"]: {k: r[k] for k in GROUP_KEYS} for r in table.iter_rows(named=True)}
    text = "\n".join(page.extract_text() for page in PdfReader(out / pdf).pages)
    rows = report_rows(text, set(key_of), comparison=len(waves) == 2)
    assert len(rows) > 100, "the report's tables were not found"
    checked = 0
    for columns, code, values in rows:
        assert len(values) == len(columns), (code, columns, values)
        bank = code.split()[0]
        for (group, side), value in zip(columns, values, strict=True):
            if group not in key_of:
                continue
            if side and side.startswith("wave "):  # a table of one wave's figures
                wave_sizes = [sizes[side.removeprefix("wave ")]]
            else:
                wave_sizes = [sizes[w] for w in (waves if side in (None, "change") else
                                                 (waves[0] if side == "first" else waves[-1],))]
            n = min(true_n(s, key_of[group], bank) for s in wave_sizes)
            if n < K:
                checked += 1
                assert not re.search(r"\d", value), f"{pdf}: {group} {code} ({side}, n={n}) shows {value!r}"
    assert checked > 50, "no small group in the report: the check had nothing to check"


def test_metadata_says_names_are_withheld(outputs):
    metadata = json.loads((outputs["out"] / "2015" / "metadata.json").read_text())
    assert metadata["school_names"] == "letters only" and metadata["k"] == K


def test_a_demo_study_says_synthetic_demo_in_every_export_file_and_report_page(outputs):
    """Every file export and report wrote for the demo (release and research folders), and every
    page of its reports, says SYNTHETIC DEMO (the codebook PDF in its title, on its first page)."""
    out = outputs["out"]
    folders = [out / name for name in ("2015", "2015-research", "roles", "roles-research")]
    written = [p for folder in folders for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
               and (p.name.startswith(("research-", "statements-", "stage-profile-", "response-rates-",
                                       "comparison-", "statement-list-", "surveydesk-", "report-"))
                    or p.name in ("README.txt", "metadata.json", "datapackage.json"))]
    assert len(written) > 30 and any(p.suffix == ".pdf" for p in written)
    for path in written:
        if path.name.startswith("report-"):
            pages = PdfReader(path).pages
            assert all("SYNTHETIC DEMO" in page.extract_text() for page in pages), path.name
        else:
            assert "SYNTHETIC DEMO" in text_of(path), path.name
