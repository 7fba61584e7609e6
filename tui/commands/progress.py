"""A progress bar for long commands on a terminal; otherwise a line now and then on standard error."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tui.commands import console

Progress = Callable[[int, int, str], None]


@contextmanager
def progress_reporter(unit: str) -> Iterator[Progress]:
    """``progress(done, total, phase)``: a Rich bar per phase on a terminal; when the output is not
    a terminal, a line as each phase starts and at every tenth of it."""
    err = console(stderr=True)
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=True) as bar:
            tasks: dict[str, int] = {}

            def update(done: int, total: int, phase: str) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(f"{phase} {unit}", total=total)
                bar.update(tasks[phase], completed=done, total=total)

            yield update
        return
    shown: dict[str, int] = {}

    def line(done: int, total: int, phase: str) -> None:
        tenth = 10 * done // total if total else 10
        if shown.get(phase, -1) < tenth:
            shown[phase] = tenth
            err.print(f"{phase} {unit}: {done:,} of {total:,}")

    yield line
