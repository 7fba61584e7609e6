"""``surveydesk diff``: what changed between two versions of an instrument, matched by id."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands import console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="list banks and statements added, removed, moved, renumbered and reworded between two "
        "instrument versions (statements matched by their stable id, not by position)",
    )
    p.add_argument("old", type=Path, metavar="OLD", help="the earlier version (TOML)")
    p.add_argument("new", type=Path, metavar="NEW", help="the later version (TOML)")
    p.set_defaults(func=diff)


def diff(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.instrument import InstrumentError, diff_instruments, load_instrument, summary_line

    loaded = []
    problems: list[str] = []
    for path in (args.old, args.new):
        try:
            loaded.append(load_instrument(path))
        except InstrumentError as exc:
            problems += [str(p) for p in exc.problems if p.is_error] or [str(p) for p in exc.problems]
    if problems:
        raise Failure("cannot compare: " + "\n".join(problems))
    result = diff_instruments(*loaded)
    out = console()
    out.print(summary_line(result), markup=False)
    for line in result.lines():
        out.print(line, markup=False)
    return 0
