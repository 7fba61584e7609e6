"""Subcommands of ``surveydesk``, one module per group, each with ``register(subparsers)``."""

from __future__ import annotations

from rich.console import Console


def console(stderr: bool = False) -> Console:
    # Plain output when piped, so scripts get clean text.
    return Console(stderr=stderr, highlight=False, soft_wrap=True)
