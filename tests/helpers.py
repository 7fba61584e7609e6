"""Helpers shared by the Pilot tests."""

from __future__ import annotations


def screen_text(app) -> str:
    """The active screen as the plain text a person would read."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
