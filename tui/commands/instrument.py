"""``surveydesk validate`` and ``surveydesk show``: instruments from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands import console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check instrument files; print every problem as FILE:LINE: message")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=validate)

    p = sub.add_parser("show", help="print an instrument: banks, sections with stage labels, statement codes")
    p.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="instrument TOML (default: the bundled Partnership Survey)")
    p.add_argument("--bank", metavar="ABBR", help="only this bank, e.g. JPD")
    p.set_defaults(func=show)


def summary(instrument) -> str:
    counts = ", ".join(f"{b.abbreviation} {b.statement_count}" for b in instrument.banks)
    return (f"{instrument.title} {instrument.version}: {len(instrument.banks)} banks, "
            f"{instrument.statement_count} statements ({counts})")


def validate(args: argparse.Namespace) -> int:
    from tui.domain.instrument import InstrumentError, parse_instrument, read_instrument_text

    out = console()
    failed = False
    for path in args.files:
        try:
            text = read_instrument_text(path)
        except InstrumentError as exc:
            out.print(str(exc), markup=False)
            failed = True
            continue
        instrument, problems = parse_instrument(text, str(path))
        for problem in problems:
            out.print(str(problem), markup=False)
        if instrument is None or (args.strict and problems):
            failed = True
        elif instrument.incomplete_refs():
            codes = ", ".join(ref.code for ref in instrument.incomplete_refs())
            out.print(f"{path}: valid, but NOT READY FOR REAL FORMS (incomplete: {codes}): {summary(instrument)}",
                      markup=False)
        else:
            out.print(f"{path}: valid: {summary(instrument)}", markup=False)
    return 1 if failed else 0


def show(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from tui.commands import Failure
    from tui.domain.instrument import default_instrument_path, load_instrument
    from tui.domain.names import printable

    instrument = load_instrument(args.file or args.instrument or default_instrument_path())
    out = console()
    out.print(Text(printable(f"{instrument.title}  (version {instrument.version}, id {instrument.id})"), style="bold"))
    out.print(summary(instrument))
    banks = instrument.banks
    if args.bank:
        try:
            banks = (instrument.bank(args.bank),)
        except KeyError as exc:
            raise Failure(str(exc.args[0])) from None
    for bank in banks:
        table = Table(title=f"{bank.abbreviation}: {bank.title}  [{bank.dimension}]",
                      title_justify="left", expand=True, show_lines=False)
        table.add_column("Code", no_wrap=True)
        table.add_column("No.", no_wrap=True)
        table.add_column("Stage (hidden)", no_wrap=True, style="dim")
        table.add_column("Statement", ratio=1)
        for ref in instrument.bank_refs(bank):
            text = Text(printable(ref.statement.text))
            if ref.statement.negative:
                text.append("  (negative)", style="italic yellow")
            if ref.statement.note:
                text.append("  [note]", style="dim")
            table.add_row(ref.code, ref.number_code, ref.stage, text)
        out.print()
        out.print(table)
    return 0
