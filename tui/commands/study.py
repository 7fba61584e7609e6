"""Headless study commands: waves, import, audit, status, the secret school key, settings, operators."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands import Failure, add_operator, console, opened_study, operator_of
from tui.domain.rules import ERROR_CEILING_PER_10000


def register(sub: argparse._SubParsersAction) -> None:
    wave = sub.add_parser("wave", help="add or list waves (a wave freezes the instrument version it uses)")
    wave_sub = wave.add_subparsers(dest="wave_command", metavar="ACTION", required=True)
    p = wave_sub.add_parser("add", help="add a wave, freezing a copy of the instrument")
    p.add_argument("name", help="e.g. 2014")
    p.add_argument("--instrument", dest="wave_instrument", type=Path, metavar="FILE",
                   help="instrument TOML (default: the app's instrument)")
    p.add_argument("--opens", metavar="YYYY-MM-DD")
    p.add_argument("--closes", metavar="YYYY-MM-DD")
    p.add_argument("--population", type=int, metavar="N", help="how many people were asked (for response rates)")
    _return_options(p)
    add_operator(p)
    p.set_defaults(func=wave_add)
    p = wave_sub.add_parser("set", help="set how a wave's forms come back: return-by date, route, contact (cover)")
    p.add_argument("name", help="the wave, e.g. 2015")
    _return_options(p)
    add_operator(p)
    p.set_defaults(func=wave_set)
    p = wave_sub.add_parser("list", help="list waves with their instrument versions")
    p.set_defaults(func=wave_list)

    p = sub.add_parser("import", help="import returns keyed elsewhere from CSV (all rows or none)")
    p.add_argument("file", type=Path, metavar="FILE.csv", nargs="?")
    p.add_argument("--again", action="store_true",
                   help="import a file whose returns were imported before (only if they really are other papers)")
    p.add_argument("--resume", action="store_true",
                   help="publish the rest of an import that was interrupted (status says when one was)")
    add_operator(p)
    p.set_defaults(func=import_csv)

    p = sub.add_parser("backup", help="copy the study into one new file, safely, even while stations are keying")
    p.add_argument("target", type=Path, metavar="COPY.db", help="the new file (never overwritten)")
    p.set_defaults(func=backup)

    p = sub.add_parser("audit", help="the audit trail: every insert, change and delete")
    p.add_argument("--wave")
    p.add_argument("--who", dest="who", metavar="OPERATOR", help="only this operator's entries")
    p.add_argument("--entity", help="return, wave, issued_form, discrepancy, draft, setting, school_key")
    p.add_argument("--action", help="insert, update, delete, resolve, second_pass, reprint")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--limit", type=int, metavar="N", help="only the last N entries")
    p.add_argument("--verify", action="store_true",
                   help="check the hash chain, and replay it against every stored return, entry pass, discrepancy, "
                        "issued form, wave and setting; prints the trail's head (N:HASH)")
    p.add_argument("--head", metavar="N:HASH|metadata.json",
                   help="with --verify: a head recorded earlier (printed by a verify, or in an export's "
                        "metadata.json); catches newest entries cut off together with their rows")
    p.set_defaults(func=audit)

    study = sub.add_parser("study", help="the study as a whole: copy it between SQLite and PostgreSQL")
    study_sub = study.add_subparsers(dest="study_command", metavar="ACTION", required=True)
    p = study_sub.add_parser("copy", help="copy a whole study into a new SQLite file or an empty PostgreSQL "
                             "database, then check the copy (row counts, audit chain, returns of every wave)")
    p.add_argument("source", metavar="FROM", help="the study: a file, or postgresql://USER@HOST/DATABASE")
    p.add_argument("target", metavar="TO", help="a new file, or an empty PostgreSQL database")
    p.set_defaults(func=study_copy)

    p = sub.add_parser("status", help="per wave: issued, returned, keyed once/twice, verified, open discrepancies")
    p.set_defaults(func=status)

    p = sub.add_parser("operators", help="per operator: returns and keystrokes per hour, errors per 10,000 statements")
    p.add_argument("--wave")
    p.set_defaults(func=operators)

    key = sub.add_parser("key", help="the secret school key (letter -> school name); never printed or exported")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    p = key_sub.add_parser("set", help="name a school letter (empty name removes it)")
    p.add_argument("letter")
    p.add_argument("name")
    add_operator(p)
    p.set_defaults(func=key_set)
    p = key_sub.add_parser("list", help="show the key on this terminal")
    p.set_defaults(func=key_list)

    p = sub.add_parser("settings", help="show or change study settings (k for small cells, second keying share)")
    p.add_argument("--min-cell", type=int, metavar="K", help="suppress table groups with fewer than K respondents")
    p.add_argument("--second-keying", metavar="SHARE", help="share of returns keyed twice: 100%%, 10%%, 0.1, ...")
    add_operator(p)
    p.set_defaults(func=settings)


def _return_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--return-by", metavar="YYYY-MM-DD", help="the date on the cover (default: --closes)")
    p.add_argument("--return-to", metavar="TEXT",
                   help="how forms come back, e.g. 'to your headteacher, in the envelope provided'")
    p.add_argument("--contact", metavar="TEXT", help="whom to ask: name, email or phone")


def _set_returns(args: argparse.Namespace, study) -> list[str]:
    """Store the return details given; the lines to print (the cover's sentences, or what is missing)."""
    from tui.domain.paper import missing_returns_warning, set_wave_returns

    set_wave_returns(study, args.name, operator=operator_of(args), return_by=args.return_by,
                     route=args.return_to, contact=args.contact)
    warning = missing_returns_warning(study, args.name)
    return [warning] if warning else []


def _load_instrument(path: Path | None):
    from tui.domain.instrument import default_instrument_path, load_instrument

    return load_instrument(path or default_instrument_path())


def wave_add(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.instrument import incomplete_refusal
    from tui.domain.paper import checked_returns

    instrument = _load_instrument(args.wave_instrument or args.instrument)
    refusal = incomplete_refusal(instrument)
    if refusal:  # a wave freezes the instrument its forms are printed from
        raise Failure(f"wave {args.name} not added: {refusal}")
    from tui.domain.store import InputError

    try:  # before the wave is added, so a mistyped date adds nothing
        checked_returns(return_by=args.return_by, route=args.return_to, contact=args.contact)
    except InputError as exc:
        raise Failure(str(exc)) from None
    with opened_study(args, create=True) as study:
        wave = study.add_wave(args.name, instrument, operator=operator_of(args), opens=args.opens,
                              closes=args.closes, population=args.population)
        args.name = wave.name
        warnings = _set_returns(args, study)
    console().print(f"wave {wave.name} added: {instrument.title} version {instrument.version} "
                    f"({instrument.statement_count} statements) frozen in {args.study}", markup=False)
    for line in warnings:
        console(stderr=True).print(line, markup=False)
    return 0


def wave_set(args: argparse.Namespace) -> int:
    from tui.domain.paper import wave_returns

    with opened_study(args) as study:
        warnings = _set_returns(args, study)
        lines = wave_returns(study, args.name).lines()
    console().print(f"wave {args.name}: the cover says: " + (" ".join(lines) if lines else "(nothing yet)"),
                    markup=False)
    for line in warnings:
        console(stderr=True).print(line, markup=False)
    return 0


def wave_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    with opened_study(args) as study:
        waves = study.waves()
    table = Table("Wave", "Instrument", "Version", "Statements", "Opens", "Closes", "Population")
    for w in waves:
        table.add_row(w.name, w.instrument.id, w.instrument.version, str(w.instrument.statement_count),
                      w.opens or "", w.closes or "", str(w.population or ""))
    console().print(table if waves else "no waves yet: add one with `surveydesk wave add NAME`")
    return 0


def import_csv(args: argparse.Namespace) -> int:
    from tui.commands.progress import progress_reporter
    from tui.domain.store.returns_csv import import_returns_csv

    if (args.file is None) == (not args.resume):
        raise Failure("give the CSV file to import, or --resume to finish an interrupted import")
    out = console()
    with opened_study(args) as study, progress_reporter("returns") as progress:
        if args.resume:
            finished = study.resume_imports(operator=operator_of(args), progress=progress)
            if not finished:
                out.print("no interrupted import to finish")
            for result in finished:
                out.print(f"import #{result.import_id}: published the remaining {len(result.return_ids):,} returns")
            return 0
        warnings: list[str] = []
        ids = import_returns_csv(study, args.file, operator=operator_of(args), again=args.again,
                                 progress=progress, warnings=warnings)
    for warning in warnings:
        out.print(f"warning: {warning}")
    out.print(f"imported {len(ids):,} returns from {args.file}")
    return 0


def audit(args: argparse.Namespace) -> int:
    import json

    from tui.domain.names import printable

    out = console()
    with opened_study(args) as study:
        if args.wave is not None:
            study.wave(args.wave)  # an unknown wave is refused with the list of known ones
        if args.verify:
            return _verify(study, args.head)
        if args.head:
            raise Failure("--head goes with --verify")
        entries = study.audit(wave=args.wave, operator=args.who, entity=args.entity, action=args.action,
                              since=args.since, limit=args.limit)
    for e in entries:
        change = ""
        if e.old is not None:
            change += f" old={json.dumps(e.old, ensure_ascii=False)}"
        if e.new is not None:
            change += f" new={json.dumps(e.new, ensure_ascii=False)}"
        reason = f" reason={e.reason!r}" if e.reason else ""
        wave = f" wave={e.wave}" if e.wave else ""
        # One entry, one line: a line break or escape sequence anywhere in it is written out as text.
        out.print(printable(f"{e.id:>6} {e.at} {e.operator:<8} {e.action:<11} {e.entity} {e.entity_key}{wave}"
                            f"{change}{reason}"), markup=False)
    return 0


def _verify(study, head: str | None) -> int:
    from tui.domain.store.verify import AuditHead, describe_checked

    out = console()
    result = study.verify(AuditHead.parse(head) if head else None)
    for problem in result.problems:
        out.print(problem)
    if result.more:
        out.print(f"... and {result.more:,} more")
    for kind, n in result.not_replayed.items():
        out.print(f"not replayed: {n:,} audit entries of a kind this version does not know ({kind}); "
                  "the rows they name were not compared")
    entries = result.head.entry if result.head else 0
    if result.ok:
        out.print(f"audit trail intact: {entries:,} entries, and the study matches it: "
                  f"{describe_checked(result.checked)}")
    else:
        out.print(f"{len(result.problems) + result.more:,} problem(s): the study was changed outside SurveyDesk")
    if result.head:
        out.print(f"head: {result.head}  (recorded in every export's metadata.json; "
                  f"`surveydesk audit --verify --head {result.head}` later shows whether entries were cut off)")
    return 0 if result.ok else 1


def backup(args: argparse.Namespace) -> int:
    with opened_study(args) as study:
        problems, head = study.backup(args.target)
    if problems:
        raise Failure(f"the copy {args.target} fails SQLite's integrity check: {'; '.join(problems[:5])}")
    size = args.target.stat().st_size
    console().print(f"backed up {args.study} to {args.target} ({size / 1e6:.1f} MB, one file, integrity ok"
                    + (f", audit head {head}" if head else "") + ")")
    return 0


def study_copy(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.store.copy import copy_study

    out = console()
    report = copy_study(args.source, args.target, progress=lambda m: out.print(m, markup=False))
    for line in report.lines:
        out.print(line, markup=False)
    if report.problems:
        raise Failure("the copy does not match the study, do not use it:\n  " + "\n  ".join(report.problems))
    out.print(f"copied and checked: {args.target}", markup=False)
    return 0


def status(args: argparse.Namespace) -> int:
    from rich.table import Table


    with opened_study(args) as study:
        rows = study.status()
        unfinished = study.imports(live=True)
    for record in unfinished:
        console().print(f"{record.describe()}" + ("; it was interrupted: surveydesk import --resume publishes the rest"
                                                  if record.interrupted else "; still going"))
    if not rows:
        console().print("no waves yet: add one with `surveydesk wave add NAME`")
        return 0
    table = Table("Wave", "Issued", "Returned", "Unmatched", "Rate", "Keyed once", "Awaiting 2nd", "Verified",
                  "Discrepancies open", "Drafts")
    from tui.domain.analysis import RATE_RULE, rate_text

    for r in rows:
        # RATE_RULE: the people asked, or else the forms issued. Against the population every return
        # counts; against the forms issued, only returns on one.
        base = r["population"] or r["issued"]
        got = r["returned"] + r["unmatched"] if r["population"] else r["returned"]
        rate = rate_text(got, base) if base else ""
        table.add_row(r["wave"], str(r["issued"]), str(r["returned"]), str(r["unmatched"]), rate,
                      str(r["single_keyed"]),
                      str(r["awaiting_second"]), str(r["verified"]), str(r["discrepancies_open"]), str(r["drafts"]))
    console().print(table)
    console().print(RATE_RULE.split(". A group")[0] + ", blank self-coding forms included.", markup=False)
    console().print("For the study team: counts here are not protected by the small-cell rule (exports and "
                    "reports are). Imported returns count as keyed once.", markup=False)
    return 0


def operators(args: argparse.Namespace) -> int:
    from rich.table import Table

    with opened_study(args) as study:
        stats = study.operator_stats(args.wave)
    table = Table("Operator", "Passes", "Keystrokes", "Hours", "Returns/h", "Keystrokes/h", "Statements checked",
                  "Errors", "Per 10,000", "Open")
    for s in stats:
        rate = s.errors_per_10000
        flag = f" (over {ERROR_CEILING_PER_10000})" if rate is not None and rate > ERROR_CEILING_PER_10000 else ""
        table.add_row(s.operator, str(s.returns), str(s.keystrokes), f"{s.seconds / 3600:.2f}",
                      f"{s.returns_per_hour:.0f}" if s.returns_per_hour else "",
                      f"{s.keystrokes_per_hour:.0f}" if s.keystrokes_per_hour else "",
                      str(s.compared_statements), str(s.errors), f"{rate:.1f}{flag}" if rate is not None else "",
                      str(s.open_discrepancies))
    out = console()
    out.print(table if stats else "no returns keyed yet")
    out.print("Errors per 10,000 statements found by second keying; "
              f"the accepted ceiling is {ERROR_CEILING_PER_10000}.", markup=False)
    return 0


def key_set(args: argparse.Namespace) -> int:
    with opened_study(args) as study:
        study.set_school_name(args.letter, args.name, operator=operator_of(args))
    console().print(f"school {args.letter.upper()} {'named' if args.name.strip() else 'unnamed'} "
                    "(kept secret: never printed or exported)", markup=False)
    return 0


def key_list(args: argparse.Namespace) -> int:
    with opened_study(args) as study:
        names = study.school_names()
    for letter, name in sorted(names.items()):
        console().print(f"{letter} = {name}", markup=False)
    if not names:
        console().print("no school names recorded")
    return 0


def settings(args: argparse.Namespace) -> int:
    from tui.commands import Failure

    with opened_study(args) as study:
        if args.min_cell is not None:
            study.set_setting("min_cell", args.min_cell, operator=operator_of(args))
        if args.second_keying is not None:
            text = args.second_keying.strip()
            try:
                share = float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)
            except ValueError:
                raise Failure(f"--second-keying {text!r}: give a share such as 100%, 10% or 0.1") from None
            study.set_setting("second_keying_share", share, operator=operator_of(args))
        k, share = study.setting("min_cell"), study.setting("second_keying_share")
    console().print(f"min_cell (k) = {k}: table groups with fewer than {k} respondents are suppressed", markup=False)
    console().print(f"second keying = {share:.0%} of returns", markup=False)
    return 0
