"""Analysis commands: ``export`` (tables and raw returns to exports/<wave>/), ``report`` (the PDF)
and ``tables`` (the protected per-statement table on the terminal, or as CSV for scripts)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands import console, opened_study

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.analysis import WaveReturns
    from tui.domain.store import Study

GROUPING_HELP = ("overall, role_group, school, role, or a crossing such as school,role_group "
                 "(every coarser margin is included). Default: role_group")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a wave's release (protected tables, checked by the disclosure audit) "
                                      "to exports/<wave>/ and, for the research team only, the record-level returns "
                                      "and unprotected tables to exports/<wave>-research/: CSV, Parquet, Excel, SPSS and "
                                      "Stata files, a codebook, datapackage.json and a README")
    _selection_options(p)
    p.add_argument("--formats", default="csv,parquet,xlsx,sav,dta", metavar="LIST",
                   help="any of csv, parquet, xlsx, sav (SPSS), dta (Stata), comma-separated; sav and dta "
                        "hold the raw returns only. Default: all five")
    _output_options(p)
    p.add_argument("--release-only", "--no-raw", dest="raw", action="store_false",
                   help="write only the release: no research folder (record-level returns, unprotected tables)")
    _reveal_option(p)
    p.set_defaults(func=export)

    p = sub.add_parser("report", help="write the PDF report (charts, tables, response rates, suppression rule) "
                                      "to exports/<wave>/report-<waves>.pdf")
    _selection_options(p)
    _output_options(p)
    p.add_argument("--file", dest="file_name", default=None, metavar="NAME.pdf",
                   help="file name inside the folder. Default: report-<waves>.pdf")
    _reveal_option(p)
    p.set_defaults(func=report)

    p = sub.add_parser("tables", help="print the protected per-statement table: n, highlighted, percent, "
                                      "95%% interval; suppressed figures marked")
    p.add_argument("--wave", default=None, metavar="NAME", help="the wave (default: the newest)")
    p.add_argument("--bank", default=None, metavar="ABBR", help="only this bank, e.g. JPD")
    p.add_argument("--by", default="role_group", metavar="GROUPING", help=GROUPING_HELP)
    p.add_argument("--k", type=int, default=None, metavar="K",
                   help="suppress groups with fewer than K respondents (default: the study's min_cell)")
    p.add_argument("--csv", action="store_true", help="write the table as CSV to standard output, for scripts")
    p.set_defaults(func=tables)
    register_check(sub)


def register_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("disclosure-check", help="audit a wave's release: for every withheld figure, the narrowest "
                                                "range everything released pins it to (by linear programming)")
    p.add_argument("--wave", default=None, metavar="NAME", help="the wave (default: the newest)")
    p.add_argument("--k", type=int, default=None, metavar="K",
                   help="suppress groups with fewer than K returns (default: the study's min_cell)")
    p.add_argument("--show", type=int, default=15, metavar="N", help="how many of the narrowest ranges to list "
                                                                      "(default 15; 0 lists every one)")
    p.set_defaults(func=disclosure_check, by="overall")


def _selection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wave", default=None, metavar="NAME", help="the wave (default: the newest)")
    p.add_argument("--compare-with", default=None, metavar="NAME",
                   help="an earlier wave to compare with (statements matched by id across instrument versions)")
    p.add_argument("--by", default="role_group", metavar="GROUPING", help=GROUPING_HELP)
    p.add_argument("--k", type=int, default=None, metavar="K",
                   help="suppress groups with fewer than K respondents (default: the study's min_cell)")


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                   help="the exports folder; nothing is written outside it. Default: ./exports")
    p.add_argument("--folder", default=None, metavar="NAME",
                   help="sub-folder inside the exports folder (default: the wave's name)")


def _reveal_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reveal-school-names", action="store_true",
                   help="name schools beside their letters, from the study's secret key "
                        "(`surveydesk key set`). Without it nothing written carries a school name")


@dataclass(frozen=True)
class Chosen:
    """What a command analyses, resolved against the study."""

    current: WaveReturns
    previous: WaveReturns | None
    by: tuple[str, ...]
    k: int
    school_names: dict[str, str] | None


def _choose(study: Study, args: argparse.Namespace) -> Chosen:
    from tui.commands import Failure
    from tui.domain.analysis import (
        GroupingError,
        min_cell,
        parse_grouping,
        returns_count,
        school_names_to_reveal,
        wave_returns,
    )

    waves = study.waves()
    if not waves:
        raise Failure("no waves yet: add one with `surveydesk wave add NAME` and import or key returns")
    try:
        by = parse_grouping(args.by)
    except GroupingError as exc:
        raise Failure(f"--by: {exc}") from None
    k = args.k if args.k is not None else min_cell(study)
    if k < 1:
        raise Failure(f"--k {k}: k is a number of respondents, at least 1")
    wave = args.wave or study.working_wave()
    compare_with = getattr(args, "compare_with", None)
    if compare_with is not None and compare_with == wave:
        raise Failure(f"--compare-with {compare_with}: choose a wave other than {wave}")
    current = wave_returns(study, wave)
    previous = wave_returns(study, compare_with) if compare_with else None
    for data in (previous, current):
        if data is not None and returns_count(data) == 0:
            raise Failure(f"wave {data.wave} has no returns yet; key or import some first")
    names = None
    if getattr(args, "reveal_school_names", False):
        names = school_names_to_reveal(study, *[d for d in (previous, current) if d is not None])
        if not names:
            console(stderr=True).print("no school names recorded (`surveydesk key set LETTER NAME`); "
                                       "schools stay letters", markup=False)
    return Chosen(current, previous, by, k, names or None)


def _describe(chosen: Chosen) -> str:
    from tui.domain.analysis import grouping_name, returns_count

    waves = f"wave {chosen.current.wave} ({returns_count(chosen.current)} returns)"
    if chosen.previous:
        waves += f" compared with {chosen.previous.wave} ({returns_count(chosen.previous)} returns)"
    return (f"{waves}, grouping {grouping_name(chosen.by)}, "
            f"k = {chosen.k}" + (", school names REVEALED" if chosen.school_names else ""))


def export(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.analysis import export_wave
    from tui.domain.paths import UnsafePathError, shown_path

    formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    with opened_study(args) as study:
        chosen = _choose(study, args)
    try:
        result = export_wave(chosen.current, exports_dir=args.out, folder=args.folder, by=chosen.by, k=chosen.k,
                             previous=chosen.previous, school_names=chosen.school_names, formats=formats,
                             include_raw=args.raw)
    except UnsafePathError as exc:
        raise Failure(f"refused: {exc}") from None
    out = console()
    out.print(f"exported {_describe(chosen)} to {shown_path(result.folder)}", markup=False)
    if chosen.current.label:
        out.print(chosen.current.label, markup=False)
    out.print(f"release (protected, disclosure check passed; may be shared): {shown_path(result.folder)}",
              markup=False)
    for path in result.files:
        if path.parent == result.folder:
            out.print(f"  {path.name}  ({_size(path)})", markup=False)
    if result.research_folder is not None:
        out.print(f"research only (record-level returns, unprotected tables; keep within the research team): "
                  f"{shown_path(result.research_folder)}", markup=False)
        for path in result.files:
            if path.parent == result.research_folder:
                out.print(f"  {path.name}  ({_size(path)})", markup=False)
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    return 0


def report(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.analysis.report_pdf import write_report
    from tui.domain.paths import UnsafePathError, shown_path

    with opened_study(args) as study:
        chosen = _choose(study, args)
    waves = [chosen.previous, chosen.current] if chosen.previous else [chosen.current]
    try:
        path = write_report(waves, exports_dir=args.out, folder=args.folder, filename=args.file_name, by=chosen.by,
                            k=chosen.k, school_names=chosen.school_names)
    except UnsafePathError as exc:
        raise Failure(f"refused: {exc}") from None
    console().print(f"report of {_describe(chosen)} written to {shown_path(path)} ({_size(path)})", markup=False)
    return 0


def tables(args: argparse.Namespace) -> int:
    import sys

    import polars as pl
    from rich.table import Table

    from tui.commands import Failure
    from tui.domain.analysis import (
        RATE_RULE,
        STAGE_RULE,
        SUPPRESSED,
        figure,
        rates_line,
        rule_text,
        stage_grid,
        wave_tables,
    )
    from tui.domain.analysis.exports import keying_text

    with opened_study(args) as study:
        chosen = _choose(study, args)
    made = wave_tables(chosen.current, by=chosen.by, k=chosen.k)
    statements = made["statements"]
    banks = statements["bank"].unique(maintain_order=True).to_list()
    if args.bank is not None:
        wanted = args.bank.strip().upper()
        if wanted not in banks:
            raise Failure(f"--bank {args.bank}: no such bank in wave {chosen.current.wave} (banks: {', '.join(banks)})")
        statements = statements.filter(pl.col("bank") == wanted)
        banks = [wanted]
    if args.csv:
        sys.stdout.write(statements.write_csv(float_precision=2))
        return 0
    out = console()
    if chosen.current.label:
        out.print(chosen.current.label, markup=False)
    out.print(_describe(chosen), markup=False)
    out.print(f"Responses {rates_line(made['response_rates'], 'role_group')}", markup=False)
    out.print(keying_text(chosen.current), markup=False)
    for bank in banks:
        rows = statements.filter(pl.col("bank") == bank)
        table = Table("Group", "Code", "n", "Highlighted", "%", "95% interval", "Statement",
                      title=f"{bank} {rows['bank_title'][0]}", title_justify="left", expand=True)
        for column in table.columns:
            column.no_wrap = True
        for column in table.columns[2:6]:
            column.justify = "right"
        # The statement gets the width left over, one line each: the whole text is in exports and --csv.
        table.columns[-1].ratio, table.columns[-1].overflow = 1, "ellipsis"
        previous_group = None
        for r in rows.iter_rows(named=True):
            if previous_group is not None and r["group"] != previous_group:
                table.add_section()
            previous_group = r["group"]
            code = r["code"] + ("*" if r["negative"] else "")
            if r["suppressed"]:
                n = SUPPRESSED if r["n"] is None else str(r["n"])
                table.add_row(r["group"], code, n, "", SUPPRESSED, r["suppression"], r["text"], style="dim")
            else:
                interval = "" if r["ci_low"] is None else f"{figure(r['ci_low'])}–{figure(r['ci_high'])}"
                table.add_row(r["group"], code, str(r["n"]), "" if r["highlighted"] is None else str(r["highlighted"]),
                              figure(r["percent"]), interval, r["text"])
        out.print(table)
        stages = stage_grid(made["stage_profile"], bank)
        profile = Table(*stages.header, title=f"{bank} stage profile: mean % of each section", title_justify="left")
        for column in profile.columns[1:6]:
            column.justify = "right"
        for row in stages.rows:
            profile.add_row(*row)
        out.print(profile)
    out.print(STAGE_RULE, markup=False)
    out.print(RATE_RULE, markup=False)
    out.print(f"k = {chosen.k}. {rule_text(chosen.k)}", markup=False)
    out.print(f"{SUPPRESSED} suppressed: n withheld (the group's size is withheld: fewer than {chosen.k} returns, "
              f"or protecting a group that has), primary (fewer than {chosen.k} respondents to the bank) or "
              f"secondary (protects another group). * negatively worded.", markup=False)
    return 0


def disclosure_check(args: argparse.Namespace) -> int:
    import time

    from tui.domain.analysis import rule_text, wave_release
    from tui.domain.analysis.audit import audit

    with opened_study(args) as study:
        chosen = _choose(study, args)
    started = time.perf_counter()
    release = wave_release(chosen.current, chosen.k)
    result = audit(release)
    seconds = time.perf_counter() - started
    out = console()
    out.print(f"{_describe(chosen)}: {len(result.ranges)} withheld figures (counts of returns, n per bank, "
              f"highlighted counts) checked against everything released for the wave, every grouping "
              f"and crossing, in {seconds:.1f} s", markup=False)
    shown = result.ranges if args.show == 0 else result.narrowest(args.show)
    if shown:
        out.print("narrowest range each withheld figure can be pinned to:" if args.show else "every withheld figure:",
                  markup=False)
        for found in (sorted(shown, key=lambda r: (r.exempt, r.width)) if args.show == 0 else shown):
            out.print(f"  {found.describe()}", markup=False)
    exempt = sum(1 for r in result.ranges if r.exempt)
    out.print(f"k = {chosen.k}. {rule_text(chosen.k)}", markup=False)
    if result.passed:
        out.print("passed: no withheld figure can be worked out exactly"
                  + (f" ({exempt} are known only because a shown group containing them stands at 0% or 100%, "
                     f"which says each member's answer by design)" if exempt else ""), markup=False)
        return 0
    console(stderr=True).print(f"FAILED: {len(result.failures)} withheld figure(s) can be worked out exactly; "
                               f"export and report refuse to write this wave", markup=False)
    return 1


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"
