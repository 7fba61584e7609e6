"""Subcommands of ``surveydesk``, one module per group, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import getpass
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.store import Study


def console(stderr: bool = False) -> Console:
    # soft_wrap: long lines (FILE:LINE messages) are never broken mid-line; piped output gets
    # room for whole tables instead of rich's 80-column default.
    import sys

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 200
    return Console(stderr=stderr, highlight=False, soft_wrap=True, width=width)


def default_operator() -> str:
    """Who is at the keyboard: $SURVEYDESK_OPERATOR, else the login name (made a valid operator id)."""
    name = os.environ.get("SURVEYDESK_OPERATOR") or getpass.getuser() or "operator"
    return re.sub(r"[^A-Za-z0-9._-]", "", name)[:16] or "operator"


def default_station() -> str:
    """This station's name as other stations are told it: $SURVEYDESK_STATION, else the computer's name."""
    from tui.domain.store.study import clean_station
    from tui.domain.store.study import default_station as host

    return clean_station(os.environ["SURVEYDESK_STATION"]) if os.environ.get("SURVEYDESK_STATION") else host()


def add_operator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--operator", default=None, metavar="INITIALS",
                        help="who is doing this, for the audit trail (default: $SURVEYDESK_OPERATOR or login name)")


def operator_of(args: argparse.Namespace) -> str:
    return getattr(args, "operator", None) or default_operator()


@contextmanager
def opened_study(args: argparse.Namespace, *, create: bool = False) -> Iterator[Study]:
    """The study named by --study, with store errors turned into plain messages."""
    from tui.cli import Failure
    from tui.domain.store import StoreError, Study

    try:
        study = Study.open(args.study, create=create)
    except StoreError as exc:
        raise Failure(str(exc)) from None
    try:
        yield study
    except StoreError as exc:
        raise Failure(str(exc)) from None
    finally:
        study.close()
