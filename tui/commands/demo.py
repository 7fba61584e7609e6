"""``surveydesk demo``: build (once) and open a synthetic demo study."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands import console

DEMO_STUDY = Path("surveydesk-demo.db")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="create a synthetic demo study (two waves, five schools) and open it")
    p.add_argument("--rebuild", action="store_true", help="delete the demo study and build it again")
    p.add_argument("--no-open", action="store_true", help="build it but do not open the app")
    p.set_defaults(func=demo)


def demo(args: argparse.Namespace) -> int:
    from tui.commands import DEFAULT_STUDY, Failure, open_app
    from tui.domain.demo import LABEL, build_demo
    from tui.domain.instrument import default_instrument_path, load_instrument
    from tui.domain.store import Study, is_server_url

    # Unless a study was named, the demo lives in its own file, never in the real study.
    if is_server_url(args.study):
        raise Failure("the demo study is an SQLite file: build it with `surveydesk demo --no-open`, then put it "
                      "on the server with `surveydesk study copy surveydesk-demo.db URL`")
    path = DEMO_STUDY if args.study == DEFAULT_STUDY else Path(args.study)
    out = console()
    if args.rebuild and path.exists():
        if Study.open(path, create=False).setting("label") != LABEL:
            raise Failure(f"{path} is not a demo study; --rebuild only replaces demo studies")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not path.exists():
        instrument = load_instrument(args.instrument or default_instrument_path())
        study = build_demo(path, instrument, progress=lambda m: out.print(m, markup=False))
        rows = study.status()
        study.close()
        for row in rows:
            out.print(f"wave {row['wave']}: {row['returned']} of {row['population']} returned, "
                      f"{row['verified']} verified, {row['awaiting_second']} awaiting second keying, "
                      f"{row['discrepancies_open']} discrepancies open", markup=False)
        out.print(f"demo study written to {path} ({LABEL})", markup=False)
    else:
        Study.open(path, create=False).close()  # a folder or not a study: refused here, in one line
        out.print(f"opening the existing demo study {path} (--rebuild to start again)", markup=False)
    if args.no_open:
        return 0
    args.study = str(path)
    return open_app(args)
