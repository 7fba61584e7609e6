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

COMMAND_MODULES = (
    "tui.commands.instrument",
    "tui.commands.study",
    "tui.commands.printing",
    "tui.commands.analysis",
    "tui.commands.design",
    "tui.commands.demo",
    "tui.commands.scan",
)

DEFAULT_STUDY = "surveydesk.db"


class Failure(Exception):
    """A command failed for a reason the user can act on; printed without a traceback."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


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


def open_app(args: argparse.Namespace) -> int:
    from tui.app import make_app
    from tui.domain.instrument import InstrumentError
    from tui.domain.store import StoreError

    try:
        app = make_app(study_path=args.study, instrument_path=args.instrument, operator=args.app_operator,
                       wave=args.app_wave)
    except InstrumentError as exc:
        raise Failure(f"the instrument cannot be used:\n{exc}") from None
    except StoreError as exc:
        raise Failure(str(exc)) from None
    app.run()
    return app.return_code or 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None) or open_app
    try:
        return int(handler(args) or 0)
    except Failure as exc:
        print(f"surveydesk: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
