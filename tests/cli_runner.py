"""The one way CLI tests run ``surveydesk``: in-process through ``tui.cli.main(argv)``.

In-process is several times faster than a subprocess (no interpreter start, no re-import of
polars) and an unexpected exception fails the test with its traceback. Tests that must see the
installed command or a fresh interpreter (start-up, import hygiene) still use a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from tui.cli import main


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def surveydesk(*argv: str | Path, cwd: Path | str | None = None, ok: bool | None = True,
               operator: str = "RS") -> Result:
    """Run ``surveydesk ARGV`` in ``cwd``. ok=True: it must succeed; ok=False: it must refuse
    with exit 1 and one line on stderr; ok=None: no check but "no traceback"."""
    args = [str(a) for a in argv]
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = os.environ.get("SURVEYDESK_OPERATOR")
    os.environ["SURVEYDESK_OPERATOR"] = operator
    try:
        with contextlib.chdir(cwd or os.getcwd()), contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: usage errors (2), --help (0)
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        if saved is None:
            os.environ.pop("SURVEYDESK_OPERATOR", None)
        else:
            os.environ["SURVEYDESK_OPERATOR"] = saved
    result = Result(code, stdout.getvalue(), stderr.getvalue())
    shown = f"surveydesk {' '.join(args)}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert "Traceback" not in result.stdout + result.stderr, shown
    if ok is True:
        assert result.returncode == 0, shown
    elif ok is False:
        assert result.returncode == 1, shown
        assert_one_line(result.stderr, shown)
    return result


def assert_one_line(stderr: str, shown: str = "") -> None:
    lines = stderr.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("surveydesk: "), shown or stderr
