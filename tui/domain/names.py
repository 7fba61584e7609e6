"""Names people type (waves, operators, schools, labels): refused when they hold control characters,
and shown with any that slipped in (an older study, a file edited by hand) made visible, so a name
can never move the cursor, colour the terminal or forge a line of output."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators, and the bidirectional marks, embeddings,
# overrides and isolates that reorder what a terminal shows.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def control_problem(what: str, text: str) -> str | None:
    """A message naming the first control character in ``text``, or None when there is none."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return (f"{what} holds a control character ({_escape(found.group())} at position {found.start() + 1}); "
            "use letters, digits, spaces and punctuation only")


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every control character written out (``\\x1b``, ``\\n``, ``\\u202e``);
    ``keep_lines`` leaves line breaks and tabs (for a message of several lines of our own)."""
    if keep_lines:
        return CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m.group()), text)
    return CONTROL.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
