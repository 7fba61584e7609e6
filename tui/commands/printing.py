"""``surveydesk print``: anonymised paper forms for a wave, from the command line.

Batches from a distribution plan (or a few codes, or blank self-coding forms) issue their
serials in the study, then write one PDF per school office and the issue log; ``--reprint``
prints a lost form again with its serial; ``--again`` writes the files of issued forms again.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tui.commands import add_operator, console, opened_study, operator_of
from tui.domain.paths import DEFAULT_EXPORTS

EXAMPLES = """\
examples:
  surveydesk print --wave 2015 --plan plan.csv           one PDF per school, as the plan says
  surveydesk print --wave 2015 --plan plan.csv --check   show the plan, issue nothing
  surveydesk print --wave 2015 --codes A2,A5,E5          a few extra forms
  surveydesk print --wave 2015 --blank 10 --school C     blank self-coding forms for school C
  surveydesk print --wave 2015 --reprint 0000130         a lost form again, same serial
  surveydesk print --wave 2015 --again                   the files of issued forms again
  surveydesk print --sample --paper letter               a SPECIMEN of the instrument

The cover prints the wave's return-by date, route and contact: set them with
  surveydesk wave set 2015 --return-by 2015-01-30 --return-to "to your headteacher" --contact "A. Name, a@b.org"

A plan is a CSV grid: a 'school' column, one column per role digit, and optionally 'blank':
  school,1,2,3,4,5,blank
  A,1,2,1,4,12,5
Files go to FOLDER/<wave>/forms/ (FOLDER is --out, default exports).
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "print", help="print anonymised forms: batches from a plan, extra codes, blank forms, reprints, a specimen",
        description="Issue serials for a wave's paper forms and write them as PDFs: one per school office, "
        "plus the issue log (serial, participant code, school letter; never a school name).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--plan", type=Path, metavar="PLAN.csv",
                      help="a distribution plan: how many forms each school x role needs (CSV grid)")
    what.add_argument("--codes", metavar="A2,A5,E5", help="one form per code given (a code twice: two forms)")
    what.add_argument("--blank", type=int, metavar="N", help="N blank self-coding forms (see --school)")
    what.add_argument("--reprint", metavar="SERIAL", help="print a lost form again with the same serial")
    what.add_argument("--again", action="store_true",
                      help="write the files of the forms already issued in the wave again (no new serials)")
    what.add_argument("--sample", action="store_true",
                      help="a SPECIMEN of the instrument for checking the layout (no wave needed)")
    p.add_argument("--wave", metavar="NAME", help="the wave the forms are for (see `surveydesk wave list`)")
    p.add_argument("--school", metavar="LETTER", help="with --blank: the school office the blank forms go to")
    p.add_argument("--batch", type=int, metavar="N", help="with --again: only batch N")
    p.add_argument("--check", action="store_true",
                   help="with --plan, --codes or --blank: show what would be issued, issue nothing")
    p.add_argument("--paper", default="A4", metavar="A4|letter", help="paper size, landscape (default A4)")
    p.add_argument("--out", type=Path, default=DEFAULT_EXPORTS, metavar="FOLDER",
                   help=f"exports folder; forms go to FOLDER/<wave>/forms/ (default {DEFAULT_EXPORTS})")
    add_operator(p)
    p.set_defaults(func=print_forms)


@contextmanager
def _refusals(how_to_write: Callable[[int], str] | None = None) -> Iterator[None]:
    """Domain errors as plain messages; a batch whose files failed says how to write them."""
    from tui.commands import Failure
    from tui.domain.paper import BatchFilesError, FormLayoutError, FormsError, PlanError
    from tui.domain.paths import UnsafePathError

    try:
        yield
    except PlanError as exc:
        raise Failure(f"{exc}\nNothing was issued.") from None
    except BatchFilesError as exc:
        raise Failure(f"{exc}\n{how_to_write(exc.batch) if how_to_write else ''}".rstrip()) from None
    except (FormLayoutError, FormsError, UnsafePathError) as exc:  # found before issuing
        raise Failure(f"{exc}\nNothing was issued.") from None
    except OSError as exc:
        raise Failure(f"cannot write {exc.filename or 'the files'}: {exc.strerror or exc}") from None


def print_forms(args: argparse.Namespace) -> int:
    from tui.commands import Failure
    from tui.domain.paper import paper_name
    from tui.domain.store import InputError

    try:
        args.paper = paper_name(args.paper)
    except InputError as exc:
        raise Failure(f"--paper: {exc}") from None
    if args.school is not None and args.blank is None:
        raise Failure("--school goes with --blank (a plan or codes already name their schools)")
    if args.batch is not None and not args.again:
        raise Failure("--batch goes with --again")
    if args.check and args.plan is None and args.codes is None and args.blank is None:
        raise Failure("--check goes with --plan, --codes or --blank")
    if args.sample:
        return _sample(args)
    if not args.wave:
        raise Failure("which wave are these forms for? Give --wave NAME (waves: `surveydesk wave list`)")
    with opened_study(args) as study:
        study.wave(args.wave)  # an unknown wave is refused with the list of known ones
        if args.reprint is not None:
            return _reprint(args, study)
        if args.again:
            return _again(args, study)
        return _batch(args, study)


def _plan(args: argparse.Namespace, key):
    from tui.commands import Failure
    from tui.domain.paper import plan_from_codes, read_plan_csv

    if args.plan is not None:
        return read_plan_csv(args.plan, key)
    if args.blank is not None:
        if args.blank < 1:
            raise Failure("--blank: give how many blank forms, at least 1")
        return plan_from_codes("", key, blank=args.blank, blank_school=args.school)
    return plan_from_codes(args.codes, key)


def _batch(args: argparse.Namespace, study) -> int:
    from tui.domain.paper import issue_batch, missing_returns_warning
    from tui.print_summary import batch_headline, batch_table, log_line, plan_table

    out_option = f" --out {shlex.quote(str(args.out))}" if args.out != DEFAULT_EXPORTS else ""

    def hint(batch: int) -> str:
        return (f"Write them with: surveydesk --study {shlex.quote(str(args.study))} print "
                f"--wave {shlex.quote(args.wave)} --again --batch {batch}{out_option}")

    key = study.wave(args.wave).instrument.key
    with _refusals(hint):
        plan = _plan(args, key)
        if args.check:
            console().print(plan_table(plan, key))
            console().print(f"{plan.total} forms would be issued in wave {args.wave}; nothing was issued "
                            "(run again without --check to issue them)", markup=False)
            return 0
        warning = missing_returns_warning(study, args.wave)
        if warning:  # the forms still print; the cover just cannot say it
            console(stderr=True).print(warning, markup=False)
        with _progress() as progress:
            result = issue_batch(study, args.wave, plan, operator=operator_of(args), exports=args.out,
                                 paper=args.paper, progress=progress)
    out = console()
    out.print(batch_headline(result, args.paper), markup=False)
    out.print(batch_table(result.files))
    out.print(log_line(result.issue_log), markup=False)
    return 0


def _again(args: argparse.Namespace, study) -> int:
    from tui.domain.paper import rewrite_batches
    from tui.print_summary import again_headline, batch_table, log_line

    with _refusals(), _progress() as progress:
        written, log = rewrite_batches(study, args.wave, exports=args.out, paper=args.paper, batch=args.batch,
                                       progress=progress)
    out = console()
    out.print(again_headline(args.wave, written, args.paper), markup=False)
    for batch in written:
        out.print(batch_table(batch))
    out.print(log_line(log), markup=False)
    return 0


def _reprint(args: argparse.Namespace, study) -> int:
    from tui.domain.paper import reprint_form
    from tui.print_summary import reprint_lines

    with _refusals():
        result = reprint_form(study, args.wave, args.reprint, operator=operator_of(args), exports=args.out,
                              paper=args.paper)
    out = console()
    for line in reprint_lines(result):
        out.print(line, markup=False)
    return 0


def _sample(args: argparse.Namespace) -> int:
    from tui.commands.study import _load_instrument
    from tui.domain.paper import forms_folder, output_file, specimen_name, wave_returns, write_sample_form
    from tui.domain.paths import shown_path

    returns = None
    if args.wave:
        with opened_study(args) as study:
            instrument = study.wave(args.wave).instrument
            returns = wave_returns(study, args.wave)
        folder = forms_folder(args.out, args.wave)
    else:
        instrument = _load_instrument(args.instrument)
        folder = args.out
    with _refusals():
        result = write_sample_form(instrument, output_file(folder, specimen_name(instrument, args.paper)),
                                   paper=args.paper, wave=args.wave or "", returns=returns)
    console().print(f"SPECIMEN of {instrument.title} {instrument.version}: {shown_path(result.path)} "
                    f"({result.pages} pages, {args.paper}); its serial is refused at entry", markup=False)
    return 0


# --- output ------------------------------------------------------------------------------------


@contextmanager
def _progress():
    """A progress bar on a terminal; otherwise a line as each school's file is started."""
    err = console(stderr=True)
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task("forms", total=None)

            def update(done: int, total: int, what: str) -> None:
                bar.update(task, completed=done, total=total, description=what)

            yield update
        return
    last: list[str] = []

    def line(done: int, total: int, what: str) -> None:
        if not last or last[-1] != what:
            last.append(what)
            err.print(f"writing {what} (form {done} of {total})", markup=False)

    yield line
