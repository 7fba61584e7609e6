"""``surveydesk scan FILE…``: read scanned returns into the study (needs the `scan` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands import console, opened_study

INSTALL_HINT = 'reading scans needs the scan extra: pip install "surveydesk[scan]"'


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="read scanned returns (PDF, TIFF, PNG, JPEG): confident papers are saved, "
                                    "the rest wait for the clerk's review (F3, then F11)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--mode", choices=("tick", "highlight"), default="tick",
                   help="how respondents marked: tick boxes (default) or highlighted statements (colour scans only)")
    p.add_argument("--dry-run", action="store_true", help="read and report; save nothing")
    p.set_defaults(func=scan)


def scan(args: argparse.Namespace) -> int:
    from tui.commands import Failure

    try:
        from tui.domain.scan import record_run, scan_files
    except ImportError:
        raise Failure(INSTALL_HINT) from None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    out = console()
    with opened_study(args) as study:
        bar = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       TextColumn("{task.description}"), console=console(stderr=True), transient=True)
        with bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int, where: str) -> None:
                bar.update(task, completed=done, total=total, description=where)

            run = scan_files(study, args.files, mode=args.mode, progress=progress)
        if not args.dry_run:
            record_run(study, run)
    for line in report_lines(run, saved=not args.dry_run):
        out.print(line, markup=False)
    return 0


def report_lines(run, *, saved: bool) -> list[str]:
    lines = [f"{run.pages_in} pages read: {run.identified} identified, {len(run.unidentified)} unidentified; "
             f"{len(run.papers)} papers, {run.marks} statements, {run.uncertain} for the clerk to check"]
    for reading in run.unidentified:
        lines.append(f"  unidentified: {reading.where}: {reading.problem}")
    for serial, page, where in run.twice:
        lines.append(f"  scanned twice: serial {serial} page {page} ({'; '.join(where)})")
    for paper in run.papers:
        missing = f", page{'s' if len(paper.missing_pages) > 1 else ''} " \
                  f"{', '.join(map(str, paper.missing_pages))} missing" if paper.missing_pages else ""
        checks = f", {len(paper.uncertain)} to check" if paper.uncertain else ""
        what = f"{paper.outcome}: {paper.note}" if saved else (
            f"rescan in greyscale ({paper.rescan})" if paper.rescan else "confident" if paper.confident else "to review")
        lines.append(f"  {paper.serial} {paper.participant_code or '(blank form)'} wave {paper.wave}{missing}{checks}: "
                     f"{what}")
    bilevel = run.bilevel_pages
    if bilevel:
        lines.append(f"{bilevel} page{'s were' if bilevel > 1 else ' was'} scanned 1-bit (black and white): faint "
                     "pencil can vanish in such scans; scan in greyscale where respondents used pencil.")
    if saved and any(p.outcome == "draft" for p in run.papers):
        lines.append("Review the drafts in the app: F3, then F11 (scan review).")
    # (a paper already returned or drafted, from an earlier greyscale rescan, is not held again)
    held = [p.serial for p in run.papers if p.rescan and p.outcome in ("", "held")]
    if held:  # last, so that it is what the user reads: these papers are not in the study at all
        lines.append(f"{len(held)} of {len(run.papers)} paper{'s' if len(run.papers) > 1 else ''} held, neither "
                     "saved nor drafted: scanned 1-bit, where ticks can vanish below the scanner's threshold, they "
                     "show ink lost (each paper's reason above); rescan in greyscale and scan again: "
                     f"{', '.join(held)}")
    return lines
