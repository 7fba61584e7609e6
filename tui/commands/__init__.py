"""Subcommands of ``surveydesk``, one module per group, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from tui.domain.errors import SurveyDeskError

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.store import Study

DEFAULT_STUDY = "surveydesk.db"


class Failure(SurveyDeskError):
    """A command refused for a reason the user can act on (a wrong option, an empty wave).

    Like every SurveyDeskError it reaches the person as one line, exit 1, from tui.cli.main.
    """


class PlainConsole(Console):
    """A console that never reads markup and shows control characters as text (``\\x1b``): wave,
    school and operator names and instrument text print as typed, whatever brackets or escape
    sequences they hold. Styles come only from Rich objects (Table, Text) built in code."""

    def render_str(self, text: str, **kwargs):  # type: ignore[override]
        from tui.domain.names import printable

        kwargs["markup"] = False
        return super().render_str(printable(text, keep_lines=True), **kwargs)


def console(stderr: bool = False) -> Console:
    # soft_wrap: long lines (FILE:LINE messages) are never broken mid-line; piped output gets
    # room for whole tables instead of rich's 80-column default.
    import sys

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 200
    return PlainConsole(stderr=stderr, highlight=False, soft_wrap=True, width=width, markup=False)


def add_operator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--operator", default=None, metavar="INITIALS",
                        help="who is doing this, for the audit trail (default: $SURVEYDESK_OPERATOR or login name)")


def operator_of(args: argparse.Namespace) -> str:
    from tui.domain.store import default_operator

    return getattr(args, "operator", None) or default_operator()


@contextmanager
def opened_study(args: argparse.Namespace, *, create: bool = False) -> Iterator[Study]:
    """The study named by --study, closed afterwards; a refusal reaches tui.cli.main as one line."""
    from tui.domain.store import Study

    study = Study.open(args.study, create=create)
    try:
        yield study
    finally:
        study.close()


def open_app(args: argparse.Namespace) -> int:
    """Run the terminal app on --study (no subcommand, or ``demo``)."""
    from tui.app import make_app

    start_log()
    app = make_app(study_path=args.study, instrument_path=args.instrument, operator=args.app_operator,
                   wave=args.app_wave)
    app.run()
    if app.failure is not None:  # the study, opened after the first frame, refused: one line, as any refusal
        raise app.failure
    return app.return_code or 0


def start_log() -> Path | None:
    """The app's log: what went wrong in a worker, with its traceback (the screen shows one line).
    $SURVEYDESK_LOG, else $XDG_STATE_HOME/surveydesk/surveydesk.log (~/.local/state/...)."""
    import logging
    import os

    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    path = Path(os.environ.get("SURVEYDESK_LOG") or state / "surveydesk" / "surveydesk.log")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None  # no log is better than no app
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("surveydesk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
