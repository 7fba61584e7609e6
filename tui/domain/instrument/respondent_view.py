"""A bank's page as the respondent sees it, as plain text: the builder's preview of the paper.

Only what is printed: the bank's title and rubric, then four columns headed by the letters
A B C D with the statements numbered within their section. Stage labels, abbreviations,
ids, notes and the negative flag are staff-only and never appear.
"""

from __future__ import annotations

import textwrap
from itertools import zip_longest

from tui.domain.instrument.model import Bank, Instrument

GAP = 2
MIN_COLUMN = 12


def _column(bank: Bank, letter: str, width: int) -> list[str]:
    lines: list[str] = []
    for n, statement in enumerate(bank.section(letter).statements, start=1):
        number = f"{n}. "
        wrapped = textwrap.wrap(statement.text, width - len(number)) or [""]
        lines.append(number + wrapped[0])
        lines += [" " * len(number) + rest for rest in wrapped[1:]]
        lines.append("")
    return lines[:-1] if lines else []


def render_bank_page(instrument: Instrument, bank: Bank, width: int = 100) -> str:
    """The page of ``bank`` in ``width`` characters (four columns need at least 4 x 12 + gaps)."""
    width = max(width, 4 * MIN_COLUMN + 3 * GAP)
    column = (width - 3 * GAP) // 4
    out = [bank.title, "=" * min(width, max(len(bank.title), 1)), ""]
    for paragraph in bank.rubric.strip().split("\n"):
        out += textwrap.wrap(paragraph, width) or [""]
    if bank.rubric.strip():
        out.append("")
    letters = [section.letter for section in bank.sections]
    sep = " " * GAP
    out.append(sep.join(letter.ljust(column) for letter in letters).rstrip())
    out.append(sep.join("-" * column for _ in letters))
    columns = [_column(bank, letter, column) for letter in letters]
    for row in zip_longest(*columns, fillvalue=""):
        out.append(sep.join(cell.ljust(column) for cell in row).rstrip())
    return "\n".join(out) + "\n"
