"""The installed `surveydesk` killed with SIGKILL while keying, and several stations keying at once,
into an SQLite file and into a PostgreSQL database.

A few kills and a short concurrent run here; the full counts run by one command:
``python -m tests.crash_loop --kills 50`` and ``python -m tests.crash_loop --concurrent 4 --seconds 60``
(add ``--backend postgresql`` for a study on the PostgreSQL test server).
"""

from __future__ import annotations

import pytest

from tests.backends import BACKENDS
from tests.crash_loop import concurrent, crash_loop, same_serial
from tests.tmux import needs_tmux

# SIGKILL crash loops in tmux, on each backend: not in the fast lane (pytest -m "not slow").
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", BACKENDS)]


@needs_tmux
def test_sigkill_while_keying_keeps_confirmed_returns_and_completed_sections(tmp_path, backend):
    log: list[str] = []
    summary = crash_loop(tmp_path, kills=4, seed=8, log=log.append, backend=backend)
    ledger = summary.ledger
    assert ledger is not None
    assert ledger.failures == [], "\n".join(log + summary.lines())
    assert summary.kills == 4
    # The loop really keyed and checked something: returns confirmed and sections found in drafts.
    assert ledger.returns_confirmed >= 1 and ledger.sections_checked >= 4, "\n".join(summary.lines())


@needs_tmux
def test_two_stations_keying_at_once_lose_nothing_and_show_no_error(tmp_path, backend):
    result = concurrent(tmp_path, stations=2, seconds=12, seed=3, backend=backend)
    assert result.ledger.failures == [], "\n".join(result.lines())
    assert all(n >= 1 for n in result.per_station.values()), result.per_station


@needs_tmux
def test_two_stations_saving_the_same_serial_at_once_one_lands_the_other_is_refused_clearly(tmp_path, backend):
    """Also: the second station to open the serial is told the first is keying it."""
    assert same_serial(tmp_path, seed=4, backend=backend) == []
