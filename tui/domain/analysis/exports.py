"""Exports of one wave to ``exports/<wave>/``: raw returns and the protected tables, as CSV, Parquet
and one Excel workbook, with a README.txt and metadata.json saying what was made, from what, when.

Every path goes through paths.safe_output_path, so nothing lands outside the exports folder.
Each file is written beside its final name and then renamed, so an interrupted export never
leaves a half-written file under the real name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from tui import __version__
from tui.domain.analysis.agreement import DEFAULT_BY, WaveReturns, grouping_name, parse_grouping
from tui.domain.analysis.audit import require_pass
from tui.domain.analysis.disclosure import DEFAULT_K, WaveRelease, rule_text, wave_release
from tui.domain.analysis.tables import TABLE_DOCS, raw_tables, wave_tables
from tui.domain.paths import DEFAULT_EXPORTS, safe_name, safe_output_path
from tui.domain.store.returns_csv import wide_to_csv_frame

ALL_FORMATS = ("csv", "parquet", "xlsx")
# Excel's sheet holds 1,048,576 rows including the header.
EXCEL_MAX_ROWS = 1_048_575
# xlsxwriter writes some 70,000 cells a second: past this a raw sheet would take longer than a
# researcher should wait, and the CSV/Parquet files hold the same rows.
EXCEL_MAX_RAW_CELLS = 500_000
RAW_TABLES = ("returns_wide", "returns_long")
CSV_DECIMALS = 4


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...] = field(default=())


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


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
    """Write one wave's raw returns and protected tables under ``exports_dir/<folder or wave>/``.

    ``previous`` adds the comparison with an earlier wave. ``school_names`` is only for an
    explicit reveal; without it every file names schools by letter alone. Raises
    paths.UnsafePathError for a folder outside ``exports_dir`` and ValueError for an unknown format.
    """
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown:
        raise ValueError(f"unknown export format {', '.join(unknown)}; choose from {', '.join(ALL_FORMATS)}")
    target = safe_output_path(exports_dir, folder if folder is not None else safe_name(data.wave))
    target.mkdir(parents=True, exist_ok=True)
    made = now or datetime.now(UTC)
    dims = parse_grouping(by)

    release = checked_release(data, k)
    earlier = checked_release(previous, k) if previous is not None else None
    tables = wave_tables(data, by=dims, k=k, previous=previous, school_names=school_names, release=release,
                         previous_release=earlier)
    if include_raw:
        tables.update(raw_tables(data, school_names=school_names))
    stem = safe_name(data.wave)
    files: list[Path] = []
    notes: list[str] = []
    # Text formats carry the raw returns as 1/0/M (the import layout); Parquet keeps true/false/null.
    as_text = {name: (wide_to_csv_frame(t) if name == "returns_wide" else t) for name, t in tables.items()}
    for name, table in tables.items():
        base = f"{name.replace('_', '-')}-{stem}"
        if "csv" in formats:
            files.append(_atomic(safe_output_path(target, f"{base}.csv"),
                                 lambda p, t=as_text[name]: t.write_csv(p, float_precision=CSV_DECIMALS)))
        if "parquet" in formats:
            files.append(_atomic(safe_output_path(target, f"{base}.parquet"), lambda p, t=table: t.write_parquet(p)))
    if "xlsx" in formats:
        workbook = safe_output_path(target, f"surveydesk-{stem}.xlsx")
        sheets = {}
        for name, table in tables.items():
            if table.height > EXCEL_MAX_ROWS:
                notes.append(f"{name} ({table.height:,} rows) is left out of the workbook: Excel holds "
                             f"{EXCEL_MAX_ROWS:,} rows a sheet; use its CSV or Parquet file")
            elif name in RAW_TABLES and table.height * table.width > EXCEL_MAX_RAW_CELLS:
                notes.append(f"{name} ({table.height:,} rows) is left out of the workbook to keep it quick "
                             f"to write and open; use its CSV or Parquet file")
            else:
                sheets[name] = as_text[name]
        files.append(_atomic(workbook, lambda p: _write_workbook(p, sheets)))

    metadata = {
        "made_by": f"SurveyDesk {__version__}",
        "made_at": made.isoformat(timespec="seconds"),
        "instrument": {"id": data.instrument.id, "title": data.instrument.title,
                       "version": data.instrument.version},
        "wave": data.wave,
        "compared_with": None if previous is None else {
            "wave": previous.wave, "instrument_version": previous.instrument.version},
        "grouping": grouping_name(dims),
        "k": k,
        "suppression_rule": rule_text(k),
        "school_names": "revealed at the researcher's request" if school_names else "letters only",
        "returns": int(data.wide.filter(pl.col("wave") == data.wave).height),
        "tables": {name: {"rows": table.height, "columns": table.columns} for name, table in tables.items()},
        "files": [p.name for p in files],
        "notes": notes,
    }
    files.append(_atomic(safe_output_path(target, "metadata.json"),
                         lambda p: p.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                                encoding="utf-8")))
    files.append(_atomic(safe_output_path(target, "README.txt"),
                         lambda p: p.write_text(readme_text(metadata, tables), encoding="utf-8")))
    return ExportResult(target, tuple(files), tuple(notes))


def checked_release(data: WaveReturns, k: int) -> WaveRelease:
    """The wave's release pattern, refused (audit.ReleaseRefused) unless the disclosure audit passes."""
    release = wave_release(data, k)
    require_pass(release)
    return release


def _write_workbook(path: Path, sheets: Mapping[str, pl.DataFrame]) -> None:
    import xlsxwriter

    with xlsxwriter.Workbook(str(path)) as workbook:
        for name, table in sheets.items():
            table.write_excel(workbook, worksheet=_sheet_name(name), float_precision=2, autofit=table.height < 5000,
                              freeze_panes=(1, 0))


def readme_text(metadata: Mapping[str, object], tables: Mapping[str, pl.DataFrame]) -> str:
    instrument = metadata["instrument"]
    assert isinstance(instrument, Mapping)
    lines = [
        f"SurveyDesk export: wave {metadata['wave']}",
        "",
        f"Instrument: {instrument['title']} ({instrument['id']}, version {instrument['version']})",
    ]
    compared = metadata.get("compared_with")
    if isinstance(compared, Mapping):
        lines.append(f"Compared with: wave {compared['wave']} (instrument version {compared['instrument_version']})")
    lines += [
        f"Returns: {metadata['returns']}",
        f"Grouping: {metadata['grouping']} (with every coarser margin, overall first)",
        f"Made: {metadata['made_at']} by {metadata['made_by']}",
        f"School names: {metadata['school_names']}",
        "",
        f"Small-cell protection (k = {metadata['k']}): {metadata['suppression_rule']}",
        "It applies to the aggregate tables. The raw returns (returns-wide, returns-long) are record level,",
        "for the researcher's own analysis; they name schools by letter and people by participant code only.",
        "",
        "Percentages are of respondents whose page for the bank was present: a missing page is left out of",
        "n, not counted as 'not highlighted'. Intervals are 95% Wilson score intervals.",
        "",
        "Files: each table as .csv and .parquet, and all of them as sheets of one .xlsx workbook.",
    ]
    for note in metadata.get("notes") or []:  # type: ignore[union-attr]
        lines.append(f"Note: {note}")
    for name, table in tables.items():
        description, columns = TABLE_DOCS[name]
        lines += ["", f"{name} ({table.height:,} rows)", f"  {description}"]
        for column, meaning in columns.items():
            if column in table.columns:
                lines.append(f"  - {column}: {meaning}")
    return "\n".join(lines) + "\n"
