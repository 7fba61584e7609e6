"""What a print job did, as rich tables: shared by ``surveydesk print`` and the Print screen."""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.table import Table

from tui.domain.instrument import ParticipantKey
from tui.domain.paper import BatchFiles, BatchResult, DistributionPlan, ReprintResult, serial_ranges
from tui.domain.paths import shown_path


def batch_table(batch: BatchFiles) -> Table:
    """One row per school office's file; the batch's folder in the title."""
    # Narrow padding: the file names (wave and batch in each) fit whole at 80 columns.
    table = Table("School", "Forms", "Serials", "Pages", "File", box=box.SIMPLE_HEAD, show_edge=False,
                  pad_edge=False, collapse_padding=True,
                  title=f"batch {batch.batch}: {shown_path(batch.folder)}/", title_justify="left")
    for f in batch.files:
        forms = str(f.coded) + (f" + {f.blank} blank" if f.blank else "") if f.coded else f"{f.blank} blank"
        table.add_row(f.school or "(none)", forms, f.serials, str(f.pages), f.path.name)
    return table


def plan_table(plan: DistributionPlan, key: ParticipantKey) -> Table:
    table = Table("School", *(f"{r.digit} {r.label}" for r in key.roles), "Blank", "Total", box=box.SIMPLE_HEAD,
                  show_edge=False)
    for school in key.school_letters:
        if plan.school_total(school):
            cells = [plan.count(school, role) for role in (*key.role_digits, None)]
            table.add_row(school, *(str(n) if n else "" for n in cells), str(plan.school_total(school)))
    loose = plan.count(None, None)
    if loose:
        table.add_row("(none)", *([""] * len(key.roles)), str(loose), str(loose))
    return table


def batch_headline(result: BatchResult, paper: str) -> str:
    return (f"wave {result.wave}, batch {result.batch}: {len(result.forms)} forms issued on {paper}, "
            f"serials {serial_ranges(result.forms)}")


def again_headline(wave: str, written: list[BatchFiles], paper: str) -> str:
    forms = sum(len(b.forms) for b in written)
    return (f"wave {wave}: the files of {forms} forms already issued were written again on {paper} "
            "(same serials; nothing issued, not counted as reprints)")


def log_line(paths: tuple[Path, Path]) -> str:
    return f"issue log: {shown_path(paths[0])} and {shown_path(paths[1])}"


def reprint_lines(result: ReprintResult) -> list[str]:
    return [f"{result.message}; file {shown_path(result.path)}",
            f"{result.pages} pages, each marked REPRINT; {log_line(result.issue_log)}"]
