"""The ``surveydesk`` command: no subcommand opens the TUI; subcommands do the same jobs headless.

Each group of subcommands lives in a module under ``tui.commands`` with a ``register``
function; handlers import what they need when they run, so ``surveydesk --help`` and the
TUI start without loading polars or reportlab.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from tui import __version__
from tui.commands import DEFAULT_STUDY, Failure, open_app
from tui.domain.errors import SurveyDeskError

COMMAND_MODULES = (
    "tui.commands.instrument",
    "tui.commands.study",
    "tui.commands.printing",
    "tui.commands.analysis",
    "tui.commands.design",
    "tui.commands.demo",
    "tui.commands.scan",
)


__all__ = ["DEFAULT_STUDY", "Failure", "build_parser", "main", "open_app"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="surveydesk",
        description="Run paper-based partnership surveys of groups of schools: design the instrument, "
        "print anonymised forms, key in returns, analyse and export. "
        "With no command, opens the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"surveydesk {__version__}")
    parser.add_argument(
        "--study",
        # Text, not a Path: a Path would fold postgresql://host/db into postgresql:/host/db.
        default=DEFAULT_STUDY,
        metavar="PATH|URL",
        help=f"the study: an SQLite file (created on first use; default ./{DEFAULT_STUDY}), or a PostgreSQL "
        "database, postgresql://USER@HOST/DATABASE (the password from ~/.pgpass or PGPASSWORD, never the URL)",
    )
    parser.add_argument(
        "--instrument",
        type=Path,
        default=None,
        metavar="FILE",
        help="instrument TOML for the app (default: instruments/partnership-survey.toml)",
    )
    parser.add_argument("--operator", dest="app_operator", default=None, metavar="INITIALS",
                        help="who is keying, for the audit trail (default: $SURVEYDESK_OPERATOR or login name)")
    parser.add_argument("--wave", dest="app_wave", default=None, metavar="NAME",
                        help="the wave to work on in the app (default: the newest)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None) or open_app
    try:
        return int(handler(args) or 0)
    except SurveyDeskError as exc:  # the one place a refusal becomes a message
        from tui.domain.names import printable

        print(f"surveydesk: {printable(str(exc), keep_lines=True)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file the system refused: name it, no traceback
        from tui.domain.names import printable

        print(f"surveydesk: {printable(os_message(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def os_message(exc: OSError) -> str:
    """'cannot use d: Is a directory': the file and the system's reason, one line."""
    where = exc.filename if exc.filename is not None else "a file"
    return f"cannot use {where}: {exc.strerror or exc}"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
