"""The entry screen's writer waits for a gap in the keys, but never long enough to lose a section."""

from __future__ import annotations

import time

from tui.widgets.write_queue import QUIET_S, wait_for_a_gap


def test_a_write_during_an_endless_burst_of_keys_waits_at_most_a_fifth_of_a_second():
    # A key "just now", forever: a scanner or a machine. The draft of the section completed before
    # the burst must still reach the disk promptly (tests/crash_loop.py kills the app 0.5 s after a
    # section and expects it there; the bound was 1 s, which lost completed sections).
    started = time.monotonic()
    wait_for_a_gap(time.monotonic, started)
    assert time.monotonic() - started < 0.3


def test_a_write_waits_for_a_quiet_gap_after_the_last_key():
    last_key = time.monotonic()
    wait_for_a_gap(lambda: last_key, last_key)
    assert time.monotonic() - last_key >= QUIET_S


def test_without_a_keyboard_a_write_does_not_wait():
    started = time.monotonic()
    wait_for_a_gap(None, started)
    assert time.monotonic() - started < QUIET_S
