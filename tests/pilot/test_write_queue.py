"""The entry screen's writer waits for a gap in the keys, but never long enough to lose a section."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual.app import App

from tui.domain.entry import DraftJob
from tui.domain.store import Draft, Study
from tui.widgets import write_queue
from tui.widgets.write_queue import MAX_DEFER_S, QUIET_S, WriteQueue, wait_for_a_gap


class FakeClock:
    """time.monotonic and time.sleep for wait_for_a_gap: how long it waits, without a wall clock
    (a wall-clock bound failed under load: 0.357 s against 0.35 s)."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += max(seconds, 1e-6)  # a real sleep always takes some time (and 1e-17 + 100.0 == 100.0)


def test_during_an_endless_burst_a_write_waits_at_most_a_fifth_of_a_second(monkeypatch):
    # A key "just now", forever: a scanner or a machine. The section completed before the burst
    # must still reach the disk promptly: tests/crash_loop.py kills the app 0.5 s after the screen
    # moved past a section and expects it in the draft. (The writer waited up to 1 s.)
    clock = FakeClock()
    monkeypatch.setattr(write_queue, "time", clock)
    since = clock.now
    wait_for_a_gap(clock.monotonic, since, MAX_DEFER_S)
    assert clock.now - since == pytest.approx(MAX_DEFER_S, abs=1e-5)
    assert MAX_DEFER_S <= 0.2


def test_a_write_goes_in_the_first_quiet_gap(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(write_queue, "time", clock)
    last_key = clock.now - 0.01  # a key 10 ms ago, then none
    wait_for_a_gap(lambda: last_key, clock.now, MAX_DEFER_S)
    assert clock.now - last_key == pytest.approx(QUIET_S, abs=1e-5)


async def test_a_draft_queued_during_an_endless_burst_of_keys_reaches_the_disk(tmp_path, bundled):
    """The writer thread itself, with a real clock: the draft lands although keys never stop
    (a wait for a gap would never end). How fast is the unit test above's business."""
    study = Study.open(tmp_path / "s.db")
    study.add_wave("2014", bundled, operator="RS")
    app = App()
    async with app.run_test():
        writes = WriteQueue(app, study, last_key=time.monotonic)
        writes.start()
        queued = time.monotonic()
        writes.put(DraftJob(1, draft=Draft("2014", "KB", "A2", state={"done": {}, "at": ["jpd", "B"]})))
        while not study.drafts() and time.monotonic() - queued < 30:  # a hang guard only
            await asyncio.sleep(0.005)
        writes.stop()
    assert study.drafts()[0].participant_code == "A2"


def test_a_write_waits_for_a_quiet_gap_after_the_last_key():
    last_key = time.monotonic()
    wait_for_a_gap(lambda: last_key, last_key)
    assert time.monotonic() - last_key >= QUIET_S


@pytest.mark.smoke
def test_without_a_keyboard_a_write_does_not_wait():
    started = time.monotonic()
    wait_for_a_gap(None, started)
    assert time.monotonic() - started < QUIET_S
