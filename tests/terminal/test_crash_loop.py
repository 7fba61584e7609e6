"""The installed `surveydesk` killed with SIGKILL while keying, and several stations keying at once.

A few kills and a short concurrent run here; the full counts run by one command:
``python -m tests.crash_loop --kills 50`` and ``python -m tests.crash_loop --concurrent 4 --seconds 60``.
"""

from __future__ import annotations

import pytest

from tests.crash_loop import concurrent, crash_loop, same_serial
from tests.tmux import needs_tmux

pytestmark = pytest.mark.slow  # SIGKILL crash loops in tmux: not in the fast lane (pytest -m "not slow")


@needs_tmux
def test_sigkill_while_keying_keeps_confirmed_returns_and_completed_sections(tmp_path):
    log: list[str] = []
    summary = crash_loop(tmp_path, kills=4, seed=8, log=log.append)
    ledger = summary.ledger
    assert ledger is not None
    assert ledger.failures == [], "\n".join(log + summary.lines())
    assert summary.kills == 4
    # The loop really keyed and checked something: returns confirmed and sections found in drafts.
    assert ledger.returns_confirmed >= 1 and ledger.sections_checked >= 4, "\n".join(summary.lines())


@needs_tmux
def test_two_stations_keying_at_once_lose_nothing_and_show_no_error(tmp_path):
    result = concurrent(tmp_path, stations=2, seconds=12, seed=3)
    assert result.ledger.failures == [], "\n".join(result.lines())
    assert all(n >= 1 for n in result.per_station.values()), result.per_station


@needs_tmux
def test_two_stations_saving_the_same_serial_at_once_one_lands_the_other_is_refused_clearly(tmp_path):
    assert same_serial(tmp_path, seed=4) == []
