"""The entry screen's writer waits for a gap in the keys, but never long enough to lose a section."""

from __future__ import annotations

import asyncio
import time

from textual.app import App

from tui.domain.entry import DraftJob
from tui.domain.store import Draft, Study
from tui.widgets.write_queue import QUIET_S, WriteQueue, wait_for_a_gap


async def test_a_draft_queued_during_an_endless_burst_of_keys_is_on_disk_within_a_fifth_of_a_second(
        tmp_path, bundled):
    # A key "just now", forever: a scanner or a machine. The section completed before the burst
    # must still reach the disk promptly: tests/crash_loop.py kills the app 0.5 s after the screen
    # moved past a section and expects it in the draft. (The writer waited up to 1 s.)
    study = Study.open(tmp_path / "s.db")
    study.add_wave("2014", bundled, operator="RS")
    app = App()
    async with app.run_test():
        writes = WriteQueue(app, study, last_key=time.monotonic)
        writes.start()
        queued = time.monotonic()
        writes.put(DraftJob(1, draft=Draft("2014", "KB", "A2", state={"done": {}, "at": ["jpd", "B"]})))
        while not study.drafts() and time.monotonic() - queued < 5:
            await asyncio.sleep(0.005)
        landed = time.monotonic() - queued
        writes.stop()
    assert study.drafts()[0].participant_code == "A2"
    assert landed < 0.35


def test_a_write_waits_for_a_quiet_gap_after_the_last_key():
    last_key = time.monotonic()
    wait_for_a_gap(lambda: last_key, last_key)
    assert time.monotonic() - last_key >= QUIET_S


def test_without_a_keyboard_a_write_does_not_wait():
    started = time.monotonic()
    wait_for_a_gap(None, started)
    assert time.monotonic() - started < QUIET_S
