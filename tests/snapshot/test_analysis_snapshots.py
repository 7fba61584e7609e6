"""SVG snapshot of the analysis screen (pytest-textual-snapshot). Regenerate with --snapshot-update
after checking the change by eye."""

from __future__ import annotations

from tests.analysis_study import build_study
from tui.app import make_app

SIZE = (110, 36)


def _open_and_focus(app):
    async def open_and_focus(pilot) -> None:
        await pilot.press("f5")
        # The read and the tables run in workers that may not have started yet on a busy machine:
        # wait for the tables to be on screen, not merely for the workers started so far.
        for _ in range(500):
            await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            screen = app.screen
            if getattr(screen, "tables", None) is not None and not screen.computing:
                break
        await pilot.pause()
        await pilot.press("right", "right", "right")
        # The screen makes every bank's tables in a worker after the first chart: wait for that too,
        # so the picture never catches it half-way (failed once at load 15).
        for _ in range(500):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if all(worker.is_finished for worker in app.workers) and not app.screen.computing:
                break

    return open_and_focus


def test_analysis_screen_by_role_group(tmp_path, monkeypatch, snap_compare):
    # A relative study path, so the title bar reads the same on every machine.
    monkeypatch.chdir(tmp_path)
    build_study(tmp_path / "study.db")
    app = make_app(study_path="study.db", operator="RS")
    assert snap_compare(app, run_before=_open_and_focus(app), terminal_size=SIZE)


def test_analysis_screen_at_80_by_24(tmp_path, monkeypatch, snap_compare):
    """The design minimum: table rows, the focused statement in full, export and report in the footer."""
    monkeypatch.chdir(tmp_path)
    build_study(tmp_path / "study.db")
    app = make_app(study_path="study.db", operator="RS")
    assert snap_compare(app, run_before=_open_and_focus(app), terminal_size=(80, 24))
