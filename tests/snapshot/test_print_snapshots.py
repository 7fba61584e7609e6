"""SVG snapshot of the print screen (F4)."""

from __future__ import annotations

from tests.pilot.test_app_print import (
    SIZE,
    finish_job,
    open_print,
    study_path,  # noqa: F401  (a fixture, used by name)
)
from tui.app import make_app


def test_print_screen_snapshot_after_a_batch(study_path, snap_compare):  # noqa: F811
    """The screen once a batch is printed: the report with each school's serials and file."""
    app = make_app(study_path=study_path, operator="RS")

    async def print_a_batch(pilot) -> None:
        await open_print(pilot)
        await pilot.press("1", "tab", "2", "down", "4", "tab", "tab", "tab", "1", "ctrl+b", "y")
        await finish_job(pilot)

    assert snap_compare(app, run_before=print_a_batch, terminal_size=SIZE)
