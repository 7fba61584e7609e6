"""Exports of one wave to ``exports/<wave>/``: raw returns and the protected tables, as CSV, Parquet
and one Excel workbook, with a README.txt and metadata.json saying what was made, from what, when.

Every path goes through paths.safe_output_path, so nothing lands outside the exports folder.
Each file is written beside its final name and then renamed, so an interrupted export never
leaves a half-written file under the real name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import polars as pl

from tui import __version__
from tui.domain.analysis.agreement import (
    DEFAULT_BY,
    AnalysisError,
    WaveReturns,
    grouping_name,
    parse_grouping,
    response_rates,
    statement_table,
)
from tui.domain.analysis.audit import require_pass
from tui.domain.analysis.disclosure import (
    DEFAULT_K,
    WaveRelease,
    reveal_school_names,
    rule_text,
    wave_release,
)
from tui.domain.analysis.from_study import returns_count
from tui.domain.analysis.tables import TABLE_DOCS, raw_tables, wave_tables
from tui.domain.paths import DEFAULT_EXPORTS, claim_folder, name_part, safe_output_path, write_atomically
from tui.domain.store.returns_csv import wide_to_csv_frame

ALL_FORMATS = ("csv", "parquet", "xlsx", "sav", "dta")
# SPSS and Stata files hold the record-level returns only (the tables are for reading, not analysis),
# so they belong to the research folder.
STAT_FORMATS = ("sav", "dta")
# Excel's sheet holds 1,048,576 rows including the header.
EXCEL_MAX_ROWS = 1_048_575
# xlsxwriter writes some 70,000 cells a second: past this a raw sheet would take longer than a
# researcher should wait, and the CSV/Parquet files hold the same rows.
EXCEL_MAX_RAW_CELLS = 500_000
RAW_TABLES = ("returns_wide", "returns_long")
CSV_DECIMALS = 4
LABEL_COLUMN = "study_label"


@dataclass(frozen=True)
class ExportResult:
    folder: Path  # the release: protected tables, fit to share
    files: tuple[Path, ...]  # every file written, release and research
    notes: tuple[str, ...] = field(default=())
    research_folder: Path | None = None  # record-level returns and unprotected tables: the research team only


RESEARCH_SUFFIX = "-research"


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    return write_atomically(path, write)


def _sheet_name(name: str) -> str:
    return name.replace("_", " ")[:31]


def export_wave(
    data: WaveReturns,
    *,
    exports_dir: Path | str = DEFAULT_EXPORTS,
    folder: str | None = None,
    by: str | Sequence[str] | None = DEFAULT_BY,
    k: int = DEFAULT_K,
    previous: WaveReturns | None = None,
    school_names: Mapping[str, str] | None = None,
    formats: Sequence[str] = ALL_FORMATS,
    include_raw: bool = True,
    now: datetime | None = None,
) -> ExportResult:
    """Write one wave's release, and (``include_raw``) what stays with the research team.

    The release, ``exports_dir/<folder or wave>/``: the protected tables (the wave's one release
    pattern, checked by the disclosure audit first: audit.ReleaseRefused and nothing written if it
    fails), a workbook whose Notes sheet and document properties state the rule, README.txt and
    metadata.json. The research folder beside it, ``<folder>-research/``: the record-level returns and
    the tables before protection, named as such. ``previous`` adds the comparison with an earlier
    wave. ``school_names`` is only for an explicit reveal; without it every file names schools by
    letter alone. Raises paths.UnsafePathError for a folder outside ``exports_dir`` and AnalysisError
    for an unknown format.
    """
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown:
        raise AnalysisError(f"unknown export format {', '.join(unknown)}; choose from {', '.join(ALL_FORMATS)}")
    name = folder if folder is not None else name_part(data.wave)
    target = safe_output_path(exports_dir, name)
    research = safe_output_path(exports_dir, f"{name}{RESEARCH_SUFFIX}") if include_raw else None
    made = now or datetime.now(UTC)
    dims = parse_grouping(by)

    release = checked_release(data, k)
    earlier = checked_release(previous, k) if previous is not None else None
    tables = wave_tables(data, by=dims, k=k, previous=previous, school_names=school_names, release=release,
                         previous_release=earlier)
    tables["statement_list"] = raw_tables(data)["statement_list"]
    metadata = {
        "made_by": f"SurveyDesk {__version__}",
        # Check the study later against this: `surveydesk audit --verify --head metadata.json`.
        "study": {"id": data.study_id, "file": data.study_file, "audit_head": data.audit_head},
        "made_at": made.isoformat(timespec="seconds"),
        "study_label": data.label or None,
        "instrument": {"id": data.instrument.id, "title": data.instrument.title,
                       "version": data.instrument.version},
        "wave": data.wave,
        "compared_with": None if previous is None else {
            "wave": previous.wave, "instrument_version": previous.instrument.version},
        "grouping": grouping_name(dims),
        "k": k,
        "suppression_rule": rule_text(k),
        "disclosure_check": "passed: no withheld figure can be worked out exactly from everything released "
                            "for the wave (`surveydesk disclosure-check`)",
        "school_names": "revealed at the researcher's request" if school_names else "letters only",
        "returns": returns_count(data),
        "keying": keying_text(data),
    }
    target = claim_folder(target, data.wave, data.study_id, data.study_file)
    files, notes = _write_set(target, tables, formats, data, f"surveydesk-{name_part(data.wave)}.xlsx",
                              release_notes(metadata))
    _write_documents(target, {**metadata, "kind": "release", "notes": notes}, tables, files, README_RELEASE)
    result_notes = list(notes)
    if research is not None:
        internal = raw_tables(data)
        internal["statements_unprotected"] = statement_table(
            data.wide.filter(pl.col("wave") == data.wave), data.instrument, dims)
        internal["response_rates_unprotected"] = response_rates(
            data.wide.filter(pl.col("wave") == data.wave), data.instrument, data.issued, data.population)
        if school_names:
            internal = {n: reveal_school_names(t, school_names) for n, t in internal.items()}
        research = claim_folder(research, data.wave, data.study_id, data.study_file)
        research_files, research_notes = _write_set(
            research, internal, formats, data, f"research-{name_part(data.wave)}.xlsx", research_notes_text(metadata),
            prefix="research-")
        research_files += _statistics_files(data, internal, research, "research-", formats, k, made, release)
        _write_documents(research, {**metadata, "kind": "research", "notes": research_notes}, internal,
                         research_files, README_RESEARCH)
        files += research_files
        result_notes += research_notes
    return ExportResult(target, tuple(files), tuple(result_notes), research)


def _write_set(target: Path, tables: Mapping[str, pl.DataFrame], formats: Sequence[str], data: WaveReturns,
               workbook_name: str, notes_sheet: list[str], prefix: str = "") -> tuple[list[Path], list[str]]:
    """Each table as CSV and Parquet and all as one workbook; a labelled study's label on every row."""
    stem = name_part(data.wave)
    files: list[Path] = []
    notes: list[str] = []
    labelled = {name: _labelled(t, data.label) for name, t in tables.items()}
    # Text formats carry the raw returns as 1/0/M (the import layout); Parquet keeps true/false/null.
    as_text = {name: (wide_to_csv_frame(t) if name == "returns_wide" else t) for name, t in labelled.items()}
    csv_files: dict[str, Path] = {}
    for name, table in labelled.items():
        base = f"{prefix}{name.replace('_', '-')}-{stem}"
        if "csv" in formats:
            # The BOM makes Excel read the file as UTF-8 on a double-click ("×", "·", "–" stay themselves);
            # polars, pandas and `surveydesk import` skip it.
            csv_files[name] = _atomic(safe_output_path(target, f"{base}.csv"),
                                      partial(as_text[name].write_csv, float_precision=CSV_DECIMALS,
                                              include_bom=True))
            files.append(csv_files[name])
        if "parquet" in formats:
            files.append(_atomic(safe_output_path(target, f"{base}.parquet"), table.write_parquet))
    if "xlsx" in formats:
        workbook = safe_output_path(target, workbook_name)
        sheets = {}
        for name, table in labelled.items():
            if table.height > EXCEL_MAX_ROWS:
                notes.append(f"{name} ({table.height:,} rows) is left out of the workbook: Excel holds "
                             f"{EXCEL_MAX_ROWS:,} rows a sheet; use its CSV or Parquet file")
            elif name in RAW_TABLES and table.height * table.width > EXCEL_MAX_RAW_CELLS:
                notes.append(f"{name} ({table.height:,} rows) is left out of the workbook to keep it quick "
                             f"to write and open; use its CSV or Parquet file")
            else:
                sheets[name] = excel_frame(name, table)
        files.append(_atomic(workbook, lambda p: _write_workbook(p, sheets, [*notes_sheet, *notes], data.label)))
    if csv_files:
        package = datapackage(data, {name: (path, as_text[name]) for name, path in csv_files.items()})
        if data.label:
            package["description"] = data.label
        files.append(_atomic(safe_output_path(target, "datapackage.json"),
                             lambda p: p.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")))
    return files, notes


def _labelled(table: pl.DataFrame, label: str) -> pl.DataFrame:
    """A labelled study's tables (the demo: SYNTHETIC DEMO) carry the label as their first column."""
    if not label:
        return table
    return table.select(pl.lit(label).alias(LABEL_COLUMN), pl.all())


def _write_documents(target: Path, metadata: dict[str, object], tables: Mapping[str, pl.DataFrame], files: list[Path],
                     readme_head: str) -> None:
    metadata = {**metadata, "tables": {name: {"rows": t.height, "columns": t.columns} for name, t in tables.items()},
                "files": [p.name for p in files]}
    files.append(_atomic(safe_output_path(target, "metadata.json"),
                         lambda p: p.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")))
    files.append(_atomic(safe_output_path(target, "README.txt"),
                         lambda p: p.write_text(readme_text(metadata, tables, readme_head), encoding="utf-8")))


def keying_text(data: WaveReturns) -> str:
    """How many returns a second keying verified: "30 of 49 returns verified by second keying; 19 keyed once"."""
    wide = data.wide.filter(pl.col("wave") == data.wave)
    verified = int(wide["verified"].fill_null(False).sum()) if "verified" in wide.columns else 0
    return (f"{verified} of {wide.height} returns verified by second keying; {wide.height - verified} keyed once "
            f"(imported returns count as keyed once) or with differences not yet resolved")


def release_notes(metadata: Mapping[str, object]) -> list[str]:
    """The Notes sheet of the release workbook: what the numbers are and the rule they were released under."""
    label = metadata.get("study_label")
    return [line for line in (
        str(label) if label else None,
        f"SurveyDesk release: wave {metadata['wave']}, grouping {metadata['grouping']}; made {metadata['made_at']} "
        f"by {metadata['made_by']}",
        f"Returns: {metadata['returns']}. {metadata['keying']}.",
        f"Small-cell protection (k = {metadata['k']}): {metadata['suppression_rule']}",
        f"Disclosure check: {metadata['disclosure_check']}.",
        "A withheld figure is an empty cell; the 'suppression' column says why: 'n withheld' (the group's size and "
        "figures), 'primary' (fewer than k respondents to the bank) or 'secondary' (protects another group).",
        "Percentages are of respondents whose page for the bank was present. Intervals are 95% Wilson intervals.",
        f"School names: {metadata['school_names']}.",
    ) if line]


def research_notes_text(metadata: Mapping[str, object]) -> list[str]:
    label = metadata.get("study_label")
    return [line for line in (
        str(label) if label else None,
        f"RESEARCH ONLY, NOT FOR RELEASE: wave {metadata['wave']}, made {metadata['made_at']} by {metadata['made_by']}.",
        "Record-level returns (a participant code such as E1 can name a sole governor) and tables before "
        "small-cell protection. Keep them within the research team; share the release folder instead.",
        f"Returns: {metadata['returns']}. {metadata['keying']}.",
    ) if line]


def _statistics_files(data: WaveReturns, tables: Mapping[str, pl.DataFrame], target: Path, prefix: str,
                      formats: Sequence[str], k: int, made: datetime, release: WaveRelease) -> list[Path]:
    """The raw returns as SPSS/Stata files (wide and long) and the codebook that documents them."""
    from tui.domain.analysis.codebook import build_codebook, codebook_markdown, codebook_pdf
    from tui.domain.analysis.statfiles import long_stat_table, wide_stat_table, write_dta, write_sav

    files = []
    # The file label is short (SPSS 64 bytes): a labelled study's label up to its colon ("SYNTHETIC DEMO").
    label = (f"{data.label.split(':')[0]}: " if data.label else "") + f"{data.instrument.title}, wave {data.wave}"
    shapes = {"returns_wide": wide_stat_table, "returns_long": long_stat_table}
    for name, shape in shapes.items():
        if not any(f in formats for f in STAT_FORMATS):
            break
        table = shape(tables[name], data.instrument)
        base = f"{prefix}{name.replace('_', '-')}-{name_part(data.wave)}"
        for extension, write in (("sav", write_sav), ("dta", write_dta)):
            if extension in formats:
                files.append(_atomic(safe_output_path(target, f"{base}.{extension}"),
                                     partial(write, table, file_label=label)))
    book = build_codebook(data, k=k, made=made, release=release)
    stem = f"{prefix}codebook-{name_part(data.wave)}"
    files.append(_atomic(safe_output_path(target, f"{stem}.md"),
                         lambda p: p.write_text(codebook_markdown(book), encoding="utf-8")))
    files.append(_atomic(safe_output_path(target, f"{stem}.pdf"), lambda p: p.write_bytes(codebook_pdf(book))))
    return files


# polars dtype -> Frictionless Table Schema type
_FIELD_TYPES = {pl.String: "string", pl.Boolean: "boolean", pl.Float64: "number", pl.Float32: "number"}


def datapackage(data: WaveReturns, csv_files: Mapping[str, tuple[Path, pl.DataFrame]]) -> dict[str, object]:
    """A Frictionless Data Package (Table Schema) describing each CSV's columns and their types, so a
    reader keeps serial "0000013" as text and reads "M" in the raw answers as a missing page."""
    codes = set(data.instrument.codes())
    resources = []
    for name, (path, frame) in csv_files.items():
        description, meanings = TABLE_DOCS[name]
        fields = []
        for column, dtype in frame.schema.items():
            field: dict[str, object] = {"name": column}
            if name == "returns_wide" and column in codes:
                field.update(type="integer", missingValues=["M"], constraints={"enum": [0, 1]},
                             description="1 highlighted, 0 not; M: the bank's page was missing")
            else:
                field["type"] = "integer" if dtype.is_integer() else _FIELD_TYPES.get(type(dtype), "string")
                if column in meanings:
                    field["description"] = meanings[column]
            fields.append(field)
        resources.append({
            "name": name.replace("_", "-"), "path": path.name, "format": "csv", "mediatype": "text/csv",
            # The files start with a byte-order mark (for Excel); utf-8-sig is UTF-8 read past it.
            "encoding": "utf-8-sig", "description": description,
            "schema": {"fields": fields, "missingValues": [""]},
        })
    return {"name": f"surveydesk-{name_part(data.wave)}".lower(),
            "title": f"{data.instrument.title}: wave {data.wave}", "resources": resources}


def excel_frame(name: str, table: pl.DataFrame) -> pl.DataFrame:
    """A table as its sheet holds it: the raw answers as numbers 1/0 (blank for a missing page), so
    SUM and AVERAGE count them (Excel's SUM skips text "1" and logical TRUE alike)."""
    if name == "returns_wide":
        return table.with_columns(pl.col(c).cast(pl.Int8) for c, dtype in table.schema.items()
                                  if dtype == pl.Boolean and c != "verified")
    if name == "returns_long":
        return table.with_columns(pl.col("highlighted").cast(pl.Int8))
    return table


def checked_release(data: WaveReturns, k: int) -> WaveRelease:
    """The wave's release pattern, refused (audit.ReleaseRefused) unless the disclosure audit passes."""
    release = wave_release(data, k)
    require_pass(release)
    return release


def _write_workbook(path: Path, sheets: Mapping[str, pl.DataFrame], notes: Sequence[str], label: str) -> None:
    """A Notes sheet first (the rule, the keying, the label), then a sheet per table; the document
    properties say the same, so the rule travels with the file."""
    import xlsxwriter

    # A statement or school name typed as "=..." or "http..." stays text, never a live formula or link.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(str(path), options) as workbook:
        sheet = workbook.add_worksheet("Notes")
        sheet.set_column(0, 0, 120)
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for row, line in enumerate(notes):
            sheet.write_string(row, 0, line, wrap)
        workbook.set_properties({
            "title": notes[0] if notes else "SurveyDesk export",
            "subject": " ".join(notes[:2]),
            "comments": " ".join(notes),
            "keywords": ", ".join(k for k in ("SurveyDesk", "small-cell protection", label) if k),
            "company": label or "",
        })
        for name, table in sheets.items():
            table.write_excel(workbook, worksheet=_sheet_name(name), table_name=name, float_precision=2,
                              autofit=table.height < 5000, freeze_panes=(1, 0))


README_RELEASE = (
    "RELEASE: these tables are protected by the small-cell rule below and passed the disclosure check; they "
    "may be shared beyond the research team. The record-level returns and unprotected tables are not here "
    "(see the -research folder, if one was made)."
)
README_RESEARCH = (
    "RESEARCH ONLY, NOT FOR RELEASE: record-level returns (a participant code such as E1 can name a sole "
    "governor) and tables before small-cell protection, for the research team's own analysis. Do not share "
    "these files; share the release folder instead. The raw returns are also SPSS .sav and Stata .dta files "
    "(variables named like JPD_A1, EC_A1), and codebook-<wave>.md/.pdf lists every variable: name, statement "
    "code, running number, bank, section, stage, full text, negative flag, n and %, and how a missing page is "
    "written in each format."
)


def _study_lines(study: object) -> list[str]:
    if not isinstance(study, Mapping) or not study.get("audit_head"):
        return []
    return [f"Study: {study.get('file') or study.get('id')}, audit trail head {study['audit_head']}",
            "  (`surveydesk audit --verify --head metadata.json` checks that nothing recorded by then was cut off)"]


def readme_text(metadata: Mapping[str, object], tables: Mapping[str, pl.DataFrame], head: str = README_RELEASE) -> str:
    instrument = metadata["instrument"]
    assert isinstance(instrument, Mapping)
    label = metadata.get("study_label")
    lines = [*([str(label), ""] if label else []),
             f"SurveyDesk {metadata.get('kind', 'release')}: wave {metadata['wave']}", "", head, "",
             f"Instrument: {instrument['title']} ({instrument['id']}, version {instrument['version']})"]
    compared = metadata.get("compared_with")
    if isinstance(compared, Mapping):
        lines.append(f"Compared with: wave {compared['wave']} (instrument version {compared['instrument_version']})")
    lines += [
        f"Returns: {metadata['returns']}. {metadata['keying']}.",
        f"Grouping: {metadata['grouping']} (with every coarser margin, overall first)",
        f"Made: {metadata['made_at']} by {metadata['made_by']}",
        *_study_lines(metadata.get("study")),
        f"School names: {metadata['school_names']}",
        "",
        f"Small-cell protection (k = {metadata['k']}): {metadata['suppression_rule']}",
        f"Disclosure check: {metadata['disclosure_check']}.",
        "",
        "Percentages are of respondents whose page for the bank was present: a missing page is left out of",
        "n, not counted as 'not highlighted'. Intervals are 95% Wilson score intervals.",
        "",
        "Files: each table as .csv and .parquet, and all of them as sheets of one .xlsx workbook (its Notes",
        "sheet and document properties state the rule); datapackage.json gives each CSV column's type",
        "(Frictionless Table Schema: a serial stays text).",
    ]
    if label:
        lines.append(f"Every table's first column, {LABEL_COLUMN}, holds the study's label: {label}")
    notes = metadata.get("notes")
    for note in notes if isinstance(notes, list) else []:
        lines.append(f"Note: {note}")
    for name, table in tables.items():
        description, columns = TABLE_DOCS[name]
        lines += ["", f"{name} ({table.height:,} rows)", f"  {description}"]
        for column, meaning in columns.items():
            if column in table.columns:
                lines.append(f"  - {column}: {meaning}")
    return "\n".join(lines) + "\n"
