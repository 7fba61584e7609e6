"""Copy a whole study between backends (SQLite file <-> PostgreSQL database), then check the copy.

Every row of every table is copied with its id, in one transaction on the target, from one
consistent snapshot of the source; each id counter is carried over, so an id the source ever gave
out (even to a row since deleted) is never given out again by the copy. Claims are not copied:
they belong to the stations keying into the source.

Then the copy is checked against the source: the same number of rows in every table, an intact
audit chain, and the same ``returns_wide`` frame for every wave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from tui.domain.store import schema as s
from tui.domain.store.backend import is_server_url
from tui.domain.store.errors import DuplicateError
from tui.domain.store.study import Study

# Parents before children, so foreign keys hold at every insert.
TABLES = ("meta", "settings", "schools", "waves", "form_layouts", "imports", "import_rows", "issued_forms", "returns",
          "entry_passes", "discrepancies", "drafts", "audit")
ID_TABLES = tuple(name for name in TABLES if "id" in s.metadata.tables[name].c)
CHUNK = 5_000


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def copy_study(source: str | Path, target: str | Path, *, progress: Callable[[str], None] = lambda _: None
               ) -> CopyReport:
    """Copy the study at ``source`` into ``target`` (a new SQLite file or an empty PostgreSQL
    database), then check it. Problems found by the checks are in the report, not raised."""
    new_file = None if is_server_url(target) else Path(target)
    if new_file is not None and new_file.exists():
        raise DuplicateError(f"{target} already exists: copy only into a new file or an empty database")
    try:
        return _copy(source, target, progress)
    except BaseException:
        if new_file is not None:  # a half-made copy is no use to anyone
            for suffix in ("", "-wal", "-shm"):
                Path(f"{new_file}{suffix}").unlink(missing_ok=True)
        raise


def _copy(source: str | Path, target: str | Path, progress: Callable[[str], None]) -> CopyReport:
    report = CopyReport()
    with Study.open(source, create=False) as src, Study.open(target) as dst:
        if any(dst_count for name, dst_count in _counts(dst).items() if name != "meta"):
            raise DuplicateError(f"{dst.location} already holds a study: copy only into a new file or an empty "
                                 "database")
        progress(f"copying {src.location} to {dst.location}")
        with src.backend.snapshot() as read, dst._write() as write:
            write.execute(delete(s.meta))  # the target's own meta is replaced by the source's
            for name in TABLES:
                table = s.metadata.tables[name]
                copied = 0
                result = read.execute(select(table).order_by(*table.primary_key.columns)
                                      .execution_options(yield_per=CHUNK))
                for rows in result.mappings().partitions(CHUNK):
                    write.execute(insert(table), [dict(r) for r in rows])
                    copied += len(rows)
                report.rows[name] = copied
                if name in ID_TABLES:
                    dst.backend.set_id_high_water(write, name, src.backend.id_high_water(read, name))
            high = {name: src.backend.id_high_water(read, name) for name in ID_TABLES}
        _check(src, dst, report, high)
    return report


def _counts(study: Study) -> dict[str, int]:
    with study._read() as conn:
        return {name: conn.execute(select(func.count()).select_from(s.metadata.tables[name])).scalar_one()
                for name in TABLES}


def _check(src: Study, dst: Study, report: CopyReport, high: dict[str, int]) -> None:
    copied, found = report.rows, _counts(dst)
    for name in TABLES:
        if found[name] != copied[name]:
            report.problems.append(f"{name}: {copied[name]} rows copied, {found[name]} in the copy")
    source_now = _counts(src)
    if source_now != copied:
        changed = [n for n in TABLES if source_now[n] != copied[n]]
        report.problems.append(f"the source changed while it was copied ({', '.join(changed)}): stop keying into "
                               "it and copy again")
    report.lines.append("rows: " + ", ".join(f"{name} {found[name]:,}" for name in TABLES))
    problems = dst.verify_audit()
    report.problems += [f"audit of the copy: {p}" for p in problems]
    if not problems:
        report.lines.append(f"audit trail of the copy intact ({found['audit']:,} entries, the same chain)")
    with dst._read() as conn:
        behind = [name for name in ID_TABLES if dst.backend.id_high_water(conn, name) < high[name]]
    if behind:
        report.problems.append(f"id counters not carried over: {', '.join(behind)}")
    else:
        report.lines.append("id counters carried over: no id of the source will be given out again")
    waves = [w.name for w in src.waves()]
    differing = [w for w in waves if not src.returns_wide(w).equals(dst.returns_wide(w))]
    report.problems += [f"wave {w}: returns_wide differs between the study and its copy" for w in differing]
    if waves and not differing:
        report.lines.append(f"returns_wide identical for every wave ({', '.join(waves)})")

