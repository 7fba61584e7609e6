"""Tests that need something outside Python (tmux, poppler, a PostgreSQL server).

On a developer's machine a missing tool skips the test with the reason. In CI (``.ci/run`` sets
``SURVEYDESK_CI=1``) the same test fails: a tool CI could not install must not pass silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

IN_CI = os.environ.get("SURVEYDESK_CI") == "1"


def unavailable(reason: str) -> None:
    """Skip here, fail in CI."""
    if IN_CI:
        pytest.fail(f"CI requires this: {reason}", pytrace=False)
    pytest.skip(reason)


def require_command(name: str, why: str) -> str:
    """The path of command ``name``; skips (fails in CI) if it is not installed."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed ({why})")
    return path  # type: ignore[return-value]


def needs(predicate: bool, reason: str) -> Callable[[T], T]:
    """Decorate a test that runs only where ``predicate`` holds: skipped elsewhere, failed in CI
    (tests/conftest.py turns the ``unavailable`` mark into ``unavailable(reason)`` at setup)."""
    if predicate:
        return lambda test: test
    return pytest.mark.unavailable(reason=reason)
